"""Control database migrations."""

"""comandia-admin: the operators' command line."""

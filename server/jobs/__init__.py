"""Background loops inside the server process."""

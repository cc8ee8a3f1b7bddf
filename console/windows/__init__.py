"""One module per page or dialog."""

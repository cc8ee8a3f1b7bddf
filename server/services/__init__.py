"""Use cases, one module per noun. They never import falcon; callers own nothing but arguments."""

"""Qt item models over schema objects: no widgets, no HTTP (pages feed them)."""

"""One module per noun; each exposes `register(subparsers)` and handlers `(runtime, args, out) -> int`."""

"""The PySide6 desktop console."""

import time

IMPORTED_AT = time.perf_counter()
"""When the console's package was first imported: `startup.seconds_since_start` falls back on it
where the system does not tell a process's start time. Recording it is all this import does."""

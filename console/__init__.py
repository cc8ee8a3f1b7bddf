"""The PySide6 desktop console."""

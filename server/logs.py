"""Log lines that cannot be forged: control characters in any logged value are escaped.

A request path is percent-decoded before it is logged, so `GET /x%0a2026-12-05 ... INFO ...`
once wrote a second, forged line into the access log. Every record's message is escaped here
(newlines, carriage returns, escapes, NUL and the other C0/C1 controls become `\\xNN`), once, for
every logger; a traceback, which is multi-line on purpose, is kept as Python formats it.
"""

from __future__ import annotations

import logging
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def escape_control(text: str) -> str:
    """`text` with every control character written as an escape (``\\n`` -> ``\\x0a``)."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


class EscapingFormatter(logging.Formatter):
    """A formatter whose message part is always one line of printable text."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's own name
        record.message = escape_control(record.message)
        return super().formatMessage(record)


def configure_logging(level: str) -> None:
    """The process's logging: one escaped line per record on stderr, at `level`."""
    handler = logging.StreamHandler()
    handler.setFormatter(EscapingFormatter(FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler])
    # Waitress warns "Task queue depth is N" on every request that waits for a thread: under a
    # burst that is one line per webhook (7 % of the interpreter in a profile), and the access log's
    # durations already say when requests queue.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

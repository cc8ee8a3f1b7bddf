"""Progress bars (rich) only when a person watches a terminal; silent in scripts and --json."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


@contextmanager
def progress_bar(description: str, enabled: bool) -> Iterator[Callable[[int, int, str], None]]:
    """Yield a callback `(done, total, label)` that advances a bar on stderr."""
    if not enabled or not sys.stderr.isatty():
        yield lambda done, total, label: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[label]}"),
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=None, label="")

        def advance(done: int, total: int, label: str) -> None:
            progress.update(task, completed=done, total=total, label=label)

        yield advance

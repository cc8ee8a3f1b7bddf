"""comandia-admin's tables never cut a value short: ids, paths and passwords wrap on a narrow
terminal and stay whole on one line in a pipe."""

from __future__ import annotations

import io

from comandia.provisioning.output import Output

LONG = [
    "t4k9x2m7qz0ab",
    "/var/lib/comandia/backups/20261205T030000Z/t4k9x2m7qz0ab/t4k9x2m7qz0ab.dump",
    "America/Argentina/Buenos_Aires",
    "Xq3-vT9_pL2mZ8rW0sK4nB7c",
]


def test_into_a_pipe_every_row_is_one_whole_line() -> None:
    out = io.StringIO()
    Output(False, stdout=out, language="en").table(["ID", "FILE", "TIME ZONE", "PASSWORD"], [LONG, LONG])
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    for line in lines[1:]:
        assert line.split() == LONG


def test_on_an_80_column_terminal_long_values_wrap_and_nothing_is_cut() -> None:
    out = io.StringIO()
    Output(False, stdout=out, language="en").table(["ID", "FILE", "TIME ZONE", "PASSWORD"], [LONG], width=80)
    text = out.getvalue()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "…" not in text
    # Each value reads whole once its column's pieces are put back together.
    header, *lines = text.splitlines()
    starts = [header.index(name) for name in ("ID", "FILE", "TIME ZONE", "PASSWORD")] + [None]
    columns = ["".join(line[starts[i] : starts[i + 1]].strip() for line in lines) for i in range(4)]
    assert columns == LONG
    assert len(lines) > 1  # it did wrap

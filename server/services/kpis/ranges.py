"""How a range of local days splits into whole months and ragged ends, for the rollup readers."""

from __future__ import annotations

import datetime as dt
from typing import Any


def next_bucket(day: dt.date, granularity: str) -> dt.date:
    if granularity == "day":
        return day + dt.timedelta(days=1)
    if granularity == "week":  # ISO weeks start on Monday, as date_trunc('week') does
        return day + dt.timedelta(days=7 - day.weekday())
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def month_split(from_day: dt.date, to_day: dt.date) -> dict[str, Any]:
    """Query parameters: the range (f, t), its whole months [mf, mt) and the day parts around them.

    Days [f, d1) and [d3, t] come from the daily tables, whole months from the monthly ones.
    """
    mf = from_day if from_day.day == 1 else next_bucket(from_day, "month")
    mt = max((to_day + dt.timedelta(days=1)).replace(day=1), mf)
    return {
        "f": from_day,
        "t": to_day,
        "mf": mf,
        "mt": mt,
        "d1": min(mf, to_day + dt.timedelta(days=1)),
        "d3": max(mt, from_day),
    }


GRAIN_DAYS = {"daily": "day", "monthly": "month", "yearly": "year"}
# Rough rows per bucket of a customer rollup relative to a day (1,000,000 orders, 20,000 customers:
# ~1,200 customers a day, ~15,000 a month, ~20,000 a year). Only used to pick the cheaper cover.
_WEIGHT = {"daily": 1, "monthly": 12, "yearly": 16}
Piece = tuple[str, dt.date, dt.date, int]  # (grain, first bucket start, end (excluded), +1 or -1)


def _floor(day: dt.date, grain: str) -> dt.date:
    if grain == "monthly":
        return day.replace(day=1)
    if grain == "yearly":
        return day.replace(month=1, day=1)
    return day


def _after(start: dt.date, grain: str) -> dt.date:
    """The start of the bucket after the one starting on `start`."""
    if grain == "yearly":
        return start.replace(year=start.year + 1)
    return next_bucket(start, "month" if grain == "monthly" else "day")


def _cost(pieces: list[Piece]) -> int:
    total = 0
    for grain, start, end, _ in pieces:
        n = 0
        while start < end:
            start, n = _after(start, grain), n + 1
        total += n * _WEIGHT[grain]
    return total


def _cheaper(inside: list[Piece], outside: list[Piece]) -> list[Piece]:
    """The reading of a ragged edge that touches fewer rollup rows."""
    return min(inside, outside, key=_cost)


def cover(start: dt.date, end: dt.date, grains: tuple[str, ...], sign: int = 1) -> list[Piece]:
    """Signed pieces whose rows add up to exactly the days [start, end) (end excluded).

    `grains` are the rollup grains a table has, coarsest first, ending with "daily". A ragged
    edge is read either as its own finer buckets or as the whole coarser bucket minus the finer
    buckets outside the range, whichever reads fewer rows: e.g. the 1st to the 29th of a month is
    the month minus its 30th, and January to November is the year minus December.
    """
    if start >= end:
        return []
    grain, finer = grains[0], grains[1:]
    if not finer:
        return [(grain, start, end, sign)]
    first = start if _floor(start, grain) == start else _after(_floor(start, grain), grain)
    last = _floor(end, grain)
    if first > last:  # inside one bucket
        bucket = _floor(start, grain)
        inside = cover(start, end, finer, sign)
        outside = [
            (grain, bucket, first, sign),
            *cover(bucket, start, finer, -sign),
            *cover(end, first, finer, -sign),
        ]
        return _cheaper(inside, outside)
    pieces: list[Piece] = [(grain, first, last, sign)] if first < last else []
    if start < first:  # the ragged head, in the bucket ending at `first`
        bucket = _floor(start, grain)
        inside = cover(start, first, finer, sign)
        outside = [(grain, bucket, first, sign), *cover(bucket, start, finer, -sign)]
        pieces += _cheaper(inside, outside)
    if last < end:  # the ragged tail, in the bucket starting at `last`
        after = _after(last, grain)
        inside = cover(last, end, finer, sign)
        outside = [(grain, last, after, sign), *cover(end, after, finer, -sign)]
        pieces += _cheaper(inside, outside)
    return pieces

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

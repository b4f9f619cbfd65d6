"""Assessment periods in China time: a year (2026), a quarter (2026-Q4), a month (2026-12)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.core import clock


def bounds(period: str) -> tuple[datetime, datetime]:
    """The period's first instant and the first instant after it (China Standard Time)."""
    year = int(period[:4])
    if len(period) == 4:
        first, months = 1, 12
    elif period[5] == "Q":
        first, months = (int(period[6]) - 1) * 3 + 1, 3
    else:
        first, months = int(period[5:7]), 1
    after = first + months
    start = datetime(year, first, 1, tzinfo=clock.CST)
    end = datetime(year + (after - 1) // 12, (after - 1) % 12 + 1, 1, tzinfo=clock.CST)
    return start, end


def containing(period: str) -> list[str]:
    """The period and those it lies in: a month's quarter and year, a quarter's year."""
    year = period[:4]
    if len(period) == 4:
        return [period]
    if period[5] == "Q":
        return [period, year]
    return [period, f"{year}-Q{(int(period[5:7]) - 1) // 3 + 1}", year]


def of_moment(iso: str) -> list[str]:
    """The month, quarter and year (China time) an instant falls in."""
    local = clock.parse_iso(iso).astimezone(clock.CST)
    return containing(local.strftime("%Y-%m"))

"""Time: UTC instants stored; days and months counted in China Standard Time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "Asia/Shanghai")


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def cst_day(moment: datetime) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%d")


def cst_day_end(day: str) -> datetime:
    """The end of a day (24:00 China Standard Time), as an instant: when a deadline of that day passes."""
    return datetime.fromisoformat(day).replace(tzinfo=CST) + timedelta(days=1)


def seconds_until(moment: datetime) -> int:
    """Whole seconds from now to `moment`, at least 1: a deadline already passed is due at once, never waited for."""
    return max(1, int((moment - now()).total_seconds()))

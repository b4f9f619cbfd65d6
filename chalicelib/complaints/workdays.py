"""Working days (工作日) of the China calendar: the State Council's holidays and make-up working days (调休).

The schedule comes from the maintained `chinesecalendar` package (pinned in requirements.txt), imported on the
first count so the API's cold start does not load it. A year the package has no schedule for yet (the State
Council publishes the next year's in November) is counted Monday to Friday, and the count says so: the case
shows which calendar counted its limit.
"""

from __future__ import annotations

from datetime import date, timedelta

OFFICIAL = "china-official"
WEEKDAYS = "weekdays-only"  # the package has no schedule for that year yet


def is_workday(day: date) -> tuple[bool, bool]:
    """Whether `day` is a working day, and whether the official schedule said so."""
    import chinese_calendar  # loaded on the first count, not at start-up

    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: date, n: int) -> tuple[date, str]:
    """The `n`th working day after `start` (the day of receipt is not counted), and the calendar that counted it."""
    day, counted, official = start, 0, True
    while counted < n:
        day += timedelta(days=1)
        works, known = is_workday(day)
        official = official and known
        counted += works
    return day, OFFICIAL if official else WEEKDAYS

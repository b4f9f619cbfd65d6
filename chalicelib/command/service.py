"""The live view: read from what other areas keep (the activity feed, the open-warning index, the statistics cells),
each a bounded Query, never a Scan of the records."""

from __future__ import annotations

from chalicelib.activity import service as activity
from chalicelib.activity.models import FeedQuery
from chalicelib.core import clock
from chalicelib.core.access import Principal, governs
from chalicelib.core.errors import NotFoundError
from chalicelib.regions.catalog import catalog, prefix
from chalicelib.statistics import store as statistics
from chalicelib.warnings import service as warnings
from chalicelib.warnings import store as warning_store

from .models import CommandQuery, CommandView, RegionWork

# One view reads the open warnings of at most this many indicators (the manual one included).
MAX_INDICATORS = 32
LEVELS = {"red": 0, "orange": 1, "yellow": 2, "blue": 3}


def overview(user: Principal, query: CommandQuery) -> CommandView:
    region = catalog().get(query.region or user.org_region)
    if not governs(user, region.code):
        raise NotFoundError("that region is outside your jurisdiction")
    day = clock.cst_day(clock.now())
    feed = activity.region_feed(user, FeedQuery(region=region.code, day=day, limit=query.feed_limit))
    open_warnings, complete = _open_warnings(prefix(region.code))
    year = f"Y{day[:4]}"
    children = statistics.children_of(region.code, year)
    rows = sorted(
        (_work(code, figures) for code, figures in children.items()),
        key=lambda w: (-w.tasks_overdue, -w.tasks_late, w.region),
    )
    return CommandView(
        region=region.code,
        name=region.name,
        day=day,
        feed=feed.items,
        warnings=[warnings.view(w) for w in open_warnings],
        warnings_complete=complete,
        work=_work(region.code, statistics.figures_of(region.code, year)),
        regions=rows,
    )


def _open_warnings(code_prefix: str) -> tuple[list[warning_store.WarningRecord], bool]:
    ids = ["manual", *sorted(i.id for i in warning_store.indicators())]
    found = []
    for indicator_id in ids[:MAX_INDICATORS]:
        found += warning_store.open_in(indicator_id, code_prefix)
    found.sort(key=lambda w: (LEVELS.get(w.level, 9), w.created_at or ""))
    return found, len(ids) <= MAX_INDICATORS


def _work(code: str, figures: dict[str, dict[str, int]]) -> RegionWork:
    tasks = figures.get("tasks", {})
    cases = {k.split("#", 1)[1]: v for k, v in figures.get("cases", {}).items() if k.startswith("state#") and v}
    try:
        name = catalog().get(code).name
    except NotFoundError:
        name = code
    return RegionWork(
        region=code,
        name=name,
        tasks_overdue=sum(v for k, v in tasks.items() if k.endswith("#overdue")),
        tasks_late=sum(v for k, v in tasks.items() if k.endswith("#late")),
        cases=cases,
    )

"""Statistics rules: whose figures one may read, periods in China time, rates derived from the counts."""

from __future__ import annotations

import os
import tempfile
from datetime import date, timedelta

from chalicelib.core import clock, storage
from chalicelib.core.access import Principal, governs
from chalicelib.core.errors import NotFoundError, Unprocessable
from chalicelib.core.ids import new_id
from chalicelib.regions.catalog import Region, catalog

from . import measures as _measures  # noqa: F401  (the families and measures declared)
from . import store
from .cells import ALL_LEVELS, FAMILIES
from .models import (
    DrilldownView,
    ExportStatisticsRequest,
    OverviewView,
    RegionFigures,
    StatisticsExportView,
    StatisticsQuery,
)
from .store import Figures

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_key(period: str, day: str) -> str:
    return {"day": f"D{day}", "month": f"M{day[:7]}", "year": f"Y{day[:4]}", "all": "T"}[period]


def previous_day(period: str, day: str) -> str | None:
    """A day inside the period before the one holding `day` (none before "all")."""
    d = date.fromisoformat(day)
    if period == "day":
        return (d - timedelta(days=1)).isoformat()
    if period == "month":
        return (d.replace(day=1) - timedelta(days=1)).isoformat()
    if period == "year":
        return date(d.year - 1, 1, 1).isoformat()
    return None


def _shown(key: str | None) -> str | None:
    return None if key is None else ("all" if key == "T" else key[1:])


def visible_region(user: Principal, code: str | None) -> Region:
    """A region of the user's jurisdiction: a county sees its county only, the ministry the nation."""
    region = catalog().get(code or user.org_region)
    if not governs(user, region.code):
        raise NotFoundError("that region is outside your jurisdiction")
    if len(region.code) == 9:
        raise Unprocessable(
            "figures are kept per county and above: ask for the township's county",
            errors=[{"field": "query.region", "message": "a township"}],
        )
    return region


def _public(figures: Figures) -> Figures:
    """The families shown (the warning job's county-day risk cells are not statistics)."""
    return {name: dict(sorted(f.items())) for name, f in sorted(figures.items()) if _shown_family(name)}


def _shown_family(name: str) -> bool:
    family = FAMILIES.get(name)
    return family is not None and family.levels == ALL_LEVELS


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def rates(figures: Figures) -> dict[str, float | None]:
    """Pass rates overall, per product and per hazard; tasks done on time; the inspections' average score."""
    out: dict[str, float | None] = {}
    samples = figures.get("samples", {})
    judged = samples.get("verdict#qualified", 0) + samples.get("verdict#unqualified", 0)
    out["samples.pass_rate"] = _ratio(samples.get("verdict#qualified", 0), judged)
    products = figures.get("products", {})
    for code in sorted({k.split("#", 1)[1] for k in products if k.startswith("sampled#")}):
        ok, bad = products.get(f"qualified#{code}", 0), products.get(f"unqualified#{code}", 0)
        out[f"products.pass_rate#{code}"] = _ratio(ok, ok + bad)
    hazards = figures.get("hazards", {})
    for analyte in sorted({k.split("#", 1)[1] for k in hazards if k.startswith("tested#")}):
        tested = hazards.get(f"tested#{analyte}", 0)
        out[f"hazards.pass_rate#{analyte}"] = _ratio(tested - hazards.get(f"unqualified#{analyte}", 0), tested)
    tasks = figures.get("tasks", {})
    on_time = sum(v for k, v in tasks.items() if k.endswith("#on_time"))
    late = sum(v for k, v in tasks.items() if k.endswith("#late"))
    out["tasks.on_time_rate"] = _ratio(on_time, on_time + late)
    insp = figures.get("inspections", {})
    scored = insp.get("scored", 0)
    out["inspections.average_score"] = round(insp.get("score_tenths", 0) / scored / 10, 1) if scored else None
    return out


def _row(region: Region, figures: Figures) -> RegionFigures:
    shown = _public(figures)
    return RegionFigures(region=region.code, name=region.name, level=region.level, figures=shown, rates=rates(shown))


def _difference(now: Figures, before: Figures) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for family in sorted(set(now) | set(before)):
        a, b = now.get(family, {}), before.get(family, {})
        out[family] = {k: a.get(k, 0) - b.get(k, 0) for k in sorted(set(a) | set(b))}
    return out


def _day(query_day: str | None) -> str:
    return query_day or clock.cst_day(clock.now())


def overview(user: Principal, query: StatisticsQuery) -> OverviewView:
    """A region's figures in a period and the previous one: two Queries, however many records there are."""
    region = visible_region(user, query.region)
    day = _day(query.on)
    key = period_key(query.period, day)
    before_day = previous_day(query.period, day)
    before_key = period_key(query.period, before_day) if before_day else None
    now = _public(store.figures_of(region.code, key))
    before = _public(store.figures_of(region.code, before_key)) if before_key else {}
    return OverviewView(
        period=query.period,
        key=_shown(key) or "",
        previous_key=_shown(before_key),
        current=_row(region, now),
        previous=_row(region, before) if before_key else None,
        change=_difference(now, before),
    )


def drilldown(user: Principal, query: StatisticsQuery) -> DrilldownView:
    """The children of a region (nation → province → city → county) with their figures: three Queries."""
    region = visible_region(user, query.region)
    day = _day(query.on)
    key = period_key(query.period, day)
    before_day = previous_day(query.period, day)
    before_key = period_key(query.period, before_day) if before_day else None
    counted = store.children_of(region.code, key)
    before = store.children_of(region.code, before_key) if before_key else {}
    children = catalog().children(region.code) if region.level in {"national", "province", "city"} else []
    known = {c.code for c in children}
    # A child the catalogue lacks (a code retired since) still shows its figures.
    extra = [catalog().find(code) or Region(code, code, region.code, "", None, None) for code in counted]
    rows = [_row(c, counted.get(c.code, {})) for c in children] + [
        _row(c, counted[c.code]) for c in extra if c.code not in known
    ]
    return DrilldownView(
        period=query.period,
        key=_shown(key) or "",
        previous_key=_shown(before_key),
        region=_row(region, store.figures_of(region.code, key)),
        children=rows,
        previous_children={code: _public(f) for code, f in sorted(before.items())},
    )


def export(user: Principal, req: ExportStatisticsRequest) -> StatisticsExportView:
    """The overview or the drill-down as an XLSX table in S3, answered with a presigned GET."""
    from .export import write_statistics_xlsx

    query = StatisticsQuery(region=req.region, period=req.period, on=req.on)
    if req.table == "overview":
        view = overview(user, query)
        rows, title_region, key = [view.current], view.current, view.key
    else:
        drill = drilldown(user, query)
        rows, title_region, key = [drill.region, *drill.children], drill.region, drill.key
    filename = f"数据统计_{title_region.region}_{req.table}_{key}.xlsx"
    object_key = f"exports/statistics/{title_region.region}/{new_id()}.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "statistics.xlsx")
        count = write_statistics_xlsx(rows, path, title=f"{title_region.name} 数据统计 {key}")
        storage.upload_file(path, object_key, XLSX)
    return StatisticsExportView(filename=filename, rows=count, download_url=storage.presigned_get(object_key, filename))

"""Counter cells: what a change adds to each region level and period, declared per record kind.

An area declares a *family* of figures (`family(...)`) and a *measure* per record kind (`@measure(kind)`): a
pure function from a record's image to its facts (family, region, day, figure, amount). A change counts as
facts(NEW) minus facts(OLD), so a state move takes 1 from the old figure and adds 1 to the new, and a fact
that did not change cancels out. Each fact lands in one cell per level (county, city, province, nation) and
period (day, month, year, all time, in China time) through `counters.count_once`, exactly once per version.

Cells are filed under their parent region (`STAT#{parent}#{period}`, sort key `{region}#{family}`): a region's
overview is one Query of its parent's partition, its drill-down (its children's figures) one Query of its own.
The nation's cells are split over shards (the change's mark picks one) so that every change in the country
does not update one item; a read sums them. Families marked `active` also list each county-day cell they touch
in a per-day index (`STATACTIVE#{day}#{shard}`) that the warning job queries instead of the records.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from chalicelib.core import clock, counters
from chalicelib.core.counters import Cell
from chalicelib.core.events import RecordChange

NATIONAL = "000000"
ROOT = "ROOT"  # the nation's parent partition
NATION_SHARDS = 8
ACTIVE_SHARDS = 4
PERIODS = ("D", "M", "Y", "T")  # day, month, year (China time), all time
ALL_LEVELS = 4  # county, city, province, nation


@dataclass(frozen=True)
class Family:
    """A group of figures kept in one cell per region and period."""

    name: str
    description: str
    periods: tuple[str, ...] = PERIODS
    levels: int = ALL_LEVELS  # how many levels, counted from the county up
    active: bool = False  # county-day cells listed per day for the warning job


@dataclass(frozen=True)
class Fact:
    """`amount` of `figure` in `family`, for `region` on `day` (YYYY-MM-DD, China time)."""

    family: str
    region: str
    day: str
    figure: str
    amount: int = 1


Measure = Callable[[dict], Iterable[Fact]]

FAMILIES: dict[str, Family] = {}
MEASURES: dict[str, list[Measure]] = {}


def family(name: str, description: str, **options: object) -> Family:
    """Declare a family of figures (e.g. a later area's `complaints`); declaring it twice is a mistake."""
    if name in FAMILIES:
        raise ValueError(f"family {name} declared twice")
    FAMILIES[name] = Family(name, description, **options)  # type: ignore[arg-type]
    return FAMILIES[name]


def measure(kind: str) -> Callable[[Measure], Measure]:
    """Declare what a record of `kind` counts: a function from its image to its facts."""

    def register(fn: Measure) -> Measure:
        MEASURES.setdefault(kind, []).append(fn)
        return fn

    return register


def cst_day(instant: str | None) -> str | None:
    """The China-time day of a stored UTC instant (or the day itself, when the value is a day already)."""
    if not instant:
        return None
    if len(instant) == 10:
        return instant
    return clock.cst_day(clock.parse_iso(instant))


def chain(region: str) -> list[str]:
    """The region's county and every level above it, nearest first (a township counts in its county)."""
    code = region[:6]
    levels = [code, code[:4] + "00", code[:2] + "0000", NATIONAL]
    out: list[str] = []
    for c in levels:
        if c not in out:
            out.append(c)
    return out


def parent_of(region: str) -> str:
    """The partition a region's cells are filed under: its parent's (the nation's is ROOT)."""
    if region == NATIONAL:
        return ROOT
    up = chain(region)
    return up[up.index(region) + 1]


def period_keys(day: str) -> dict[str, str]:
    return {"D": f"D{day}", "M": f"M{day[:7]}", "Y": f"Y{day[:4]}", "T": "T"}


def partition(parent: str, period: str) -> str:
    return f"STAT#{parent}#{period}"


def cell_sk(region: str, family_name: str, shard: int | None = None) -> str:
    return f"{region}#{family_name}" if shard is None else f"{region}#{family_name}#{shard}"


def active_partition(day: str, shard: int) -> str:
    return f"STATACTIVE#{day}#{shard}"


def active_shard(county: str) -> int:
    return zlib.crc32(county.encode()) % ACTIVE_SHARDS


def facts_of(kind: str, image: dict | None) -> list[Fact]:
    if not image:
        return []
    out: list[Fact] = []
    for fn in MEASURES.get(kind, []):
        out.extend(f for f in fn(image) if f.amount and f.region and f.day)
    return out


def cells_for(facts: Iterable[tuple[Fact, int]], *, shard: int) -> list[Cell]:
    """The facts' net amounts as one cell per level and period of their family (and the day's active index).

    Facts the old and new images share cancel out first, so a change that moves no figure writes nothing.
    """
    net: dict[tuple[str, str, str, str], int] = {}
    for fact, sign in facts:
        key = (fact.family, chain(fact.region)[0], fact.day, fact.figure)
        net[key] = net.get(key, 0) + sign * fact.amount
    cells: list[Cell] = []
    active: dict[tuple[str, str, str], None] = {}
    for (family_name, county, day, figure), amount in net.items():
        if not amount:
            continue
        fam = FAMILIES[family_name]
        keys = period_keys(day)
        for region in chain(county)[: fam.levels]:
            for period in fam.periods:
                attrs: dict[str, str | int] = {
                    "kind": "Stat",
                    "region": region,
                    "family": fam.name,
                    "period": keys[period],
                }
                cells.append(
                    Cell(
                        partition(parent_of(region), keys[period]),
                        cell_sk(region, fam.name, shard if region == NATIONAL else None),
                        {figure: amount},
                        attrs,
                    )
                )
        if fam.active:
            active[(fam.name, county, day)] = None
    for family_name, county, day in active:
        cells.append(
            Cell(
                active_partition(day, active_shard(county)),
                f"{family_name}#{county}",
                {"changes": 1},
                {"kind": "StatActive", "region": county, "family": family_name, "day": day},
            )
        )
    return cells


def change_cells(change: RecordChange) -> tuple[str, list[Cell]]:
    """The mark and the cells of one change: facts of the new image added, of the old one taken away."""
    image = change.image
    seq = int((change.new or change.old or {}).get("audit_seq") or 0)
    mark = f"STAT#{image['pk']}#{image['sk']}#v{seq}" + ("" if change.new else "#gone")
    shard = zlib.crc32(mark.encode()) % NATION_SHARDS
    signed = [(f, -1) for f in facts_of(change.kind, change.old)] + [(f, 1) for f in facts_of(change.kind, change.new)]
    return mark, cells_for(signed, shard=shard)


def count_change(change: RecordChange) -> None:
    """Stream subscriber: the change's figures counted once, however often the stream delivers it."""
    if change.kind not in MEASURES:
        return
    mark, cells = change_cells(change)
    counters.count_once(mark, cells)

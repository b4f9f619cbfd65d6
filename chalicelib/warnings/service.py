"""Risk-warning rules: indicators as data, the nightly evaluation over counter cells, delivery and handling.

The job reads the counters, never the records: for each indicator it queries the per-day index of the county
cells its family touched in the window (`STATACTIVE#{day}#{shard}`), reads those cells (BatchGetItem), sums
them per region of the indicator's level and per subject (product#hazard, a subject id, a kind of work), and
compares the value with the thresholds. Each (indicator, region, subject) is a thread of warnings: the job
opens an episode when the value reaches blue with enough sample, raises or lowers its level, and closes it
when the value falls back below blue. Writes are conditional on the version read; a re-run for the same day
finds every warning already at the level it computes and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from chalicelib.core import audit, clock
from chalicelib.core.access import OrgKind, Principal, check_access
from chalicelib.core.errors import ConflictError, ForbiddenError, InvalidStateError, Unprocessable
from chalicelib.regions.catalog import NATIONAL, catalog
from chalicelib.statistics import cells
from chalicelib.statistics import measures as _measures  # noqa: F401  (the families declared)
from chalicelib.statistics import store as counters

from . import store
from .models import (
    LEVELS,
    AcknowledgeWarningRequest,
    CloseWarningRequest,
    IndicatorPage,
    IndicatorRequest,
    IndicatorView,
    JobReport,
    ManualWarningRequest,
    RespondWarningRequest,
    UpdateIndicatorRequest,
    WarningListQuery,
    WarningPage,
    WarningView,
)

JOB = "system:warnings"
MAX_EVIDENCE_IDS = 100
LEVEL_NAMES = {"blue": "IV", "yellow": "III", "orange": "II", "red": "I"}


def _ministry(user: Principal) -> None:
    if user.org_kind != OrgKind.MINISTRY:
        raise ForbiddenError("indicators and hand-published warnings are the ministry's")


# Indicators ---------------------------------------------------------------------------------------------------


def _indicator_view(rec: store.IndicatorRecord) -> IndicatorView:
    return IndicatorView(
        id=rec.id,
        name=rec.name,
        measure=rec.measure,
        family=rec.family,
        numerator=rec.numerator,
        denominator=rec.denominator,
        scope=rec.scope,
        window_days=int(rec.window_days),
        min_sample=int(rec.min_sample),
        thresholds=dict(rec.thresholds),
        active=bool(rec.active),
        version=int(rec.version or 0),
    )


def _check_family(req: IndicatorRequest) -> None:
    if req.id == "manual":
        raise Unprocessable(
            "manual is the hand-published warnings' own", errors=[{"field": "body.id", "message": "reserved"}]
        )
    family = cells.FAMILIES.get(req.family)
    if family is None or not family.active:
        raise Unprocessable(
            f"{req.family} is no family the warning job reads",
            errors=[{"field": "body.family", "message": "not an active family"}],
        )


def _fill(rec: store.IndicatorRecord, req: IndicatorRequest) -> None:
    rec.name, rec.measure, rec.family = req.name, req.measure, req.family
    rec.numerator, rec.denominator, rec.scope = req.numerator, req.denominator, req.scope
    rec.window_days, rec.min_sample = req.window_days, req.min_sample
    rec.thresholds, rec.active = req.thresholds.model_dump(), req.active


def create_indicator(user: Principal, req: IndicatorRequest) -> IndicatorView:
    _ministry(user)
    _check_family(req)
    rec = store.IndicatorRecord(id=req.id, region=NATIONAL)
    _fill(rec, req)
    try:
        audit.commit(
            audit.Change(rec, "indicator.created", condition=store.IndicatorRecord.pk.does_not_exist()),
            actor=user.user_id,
        )
    except ConflictError:
        raise ConflictError(f"an indicator {req.id} exists: change it instead") from None
    return _indicator_view(rec)


def update_indicator(user: Principal, indicator_id: str, req: UpdateIndicatorRequest) -> IndicatorView:
    _ministry(user)
    _check_family(req)
    if req.id != indicator_id:
        raise Unprocessable("the id is the path's", errors=[{"field": "body.id", "message": "not the path's id"}])
    rec = store.get_indicator(indicator_id)
    if int(rec.version or 0) != req.version:
        raise ConflictError("the indicator changed since you read it: read it again")
    _fill(rec, req)
    audit.commit(audit.Change(rec, "indicator.changed"), actor=user.user_id)
    return _indicator_view(rec)


def list_indicators(user: Principal) -> IndicatorPage:
    _ministry(user)
    return IndicatorPage(items=[_indicator_view(r) for r in store.indicators()])


# Warnings -----------------------------------------------------------------------------------------------------


def _view(rec: store.WarningRecord) -> WarningView:
    return WarningView(
        id=rec.id,
        indicator_id=rec.indicator_id,
        origin=rec.origin,  # type: ignore[arg-type]
        title=rec.title,
        region=rec.region or "",
        subject=rec.subject,
        level=rec.level,  # type: ignore[arg-type]
        state=rec.state,  # type: ignore[arg-type]
        recurrence=bool(rec.recurrence),
        episode=int(rec.episode),
        value=float(rec.value) if rec.value is not None else None,
        evidence=dict(rec.evidence or {}),
        parties=sorted(rec.parties or ()),
        history=list(rec.history or []),
        acknowledgements=list(rec.acknowledgements or []),
        responses=list(rec.responses or []),
        instruction_ids=sorted(rec.instruction_ids or ()),
        version=int(rec.version or 0),
    )


def view(rec: store.WarningRecord) -> WarningView:
    """A warning as readers see it (for the command centre's live view)."""
    return _view(rec)


def thread_of(indicator_id: str, region: str, subject: str) -> str:
    """The thread's id: the same indicator, region and subject always name the same thread (deterministic)."""
    digest = hashlib.sha256(f"{indicator_id}|{region}|{subject}".encode()).hexdigest()[:24]
    return f"{indicator_id}~{region}~{digest}"


def visible_warning(user: Principal, warning_id: str) -> store.WarningRecord:
    rec = store.get_warning(warning_id)
    check_access(user, region=rec.region, parties=rec.parties or ())
    return rec


def get_warning(user: Principal, warning_id: str) -> WarningView:
    return _view(visible_warning(user, warning_id))


def _handling_party(user: Principal, rec: store.WarningRecord) -> None:
    if user.org_id not in (rec.parties or set()):
        raise ForbiddenError("only the agencies the warning was sent to acknowledge and respond to it")


def acknowledge(user: Principal, warning_id: str, req: AcknowledgeWarningRequest) -> WarningView:
    """签收: an agency the warning was sent to takes note of it (once per agency)."""
    rec = visible_warning(user, warning_id)
    _handling_party(user, rec)
    if int(rec.version or 0) != req.version:
        raise ConflictError("the warning changed since you read it: read it again")
    if any(a["org_id"] == user.org_id for a in rec.acknowledgements or []):
        raise InvalidStateError("your agency acknowledged this warning already")
    at = clock.iso(clock.now())
    rec.acknowledgements = [
        *(rec.acknowledgements or []),
        {"org_id": user.org_id, "by": user.user_id, "at": at, "note": req.note},
    ]
    audit.commit(audit.Change(rec, "warning.acknowledged"), actor=user.user_id)
    return _view(rec)


def respond(user: Principal, warning_id: str, req: RespondWarningRequest) -> WarningView:
    """调度/处置: what the agency did about the warning, appended to its record."""
    rec = visible_warning(user, warning_id)
    _handling_party(user, rec)
    if int(rec.version or 0) != req.version:
        raise ConflictError("the warning changed since you read it: read it again")
    if not any(a["org_id"] == user.org_id for a in rec.acknowledgements or []):
        raise InvalidStateError("acknowledge the warning before responding to it")
    at = clock.iso(clock.now())
    rec.responses = [
        *(rec.responses or []),
        {"org_id": user.org_id, "by": user.user_id, "at": at, "action": req.action, "note": req.note},
    ]
    audit.commit(audit.Change(rec, f"warning.{req.action}"), actor=user.user_id)
    return _view(rec)


def close_by_hand(user: Principal, warning_id: str, req: CloseWarningRequest) -> WarningView:
    """The ministry closes a warning (a hand-published one, typically); an indicator's opens again next night
    if its figures still reach a level, as a recurrence."""
    _ministry(user)
    rec = store.get_warning(warning_id)
    if int(rec.version or 0) != req.version:
        raise ConflictError("the warning changed since you read it: read it again")
    if rec.state != "open":
        raise InvalidStateError("the warning is closed already")
    rec.state = "closed"
    rec.history = [
        *(rec.history or []),
        {
            "at": clock.iso(clock.now()),
            "level": rec.level,
            "change": "closed",
            "by": user.user_id,
            "reason": req.reason,
        },
    ]
    audit.commit(audit.Change(rec, "warning.closed"), actor=user.user_id)
    return _view(rec)


def newest(user: Principal, query: WarningListQuery) -> WarningPage:
    """Every warning, newest first: the ministry's list (agencies find theirs in their inbox)."""
    _ministry(user)
    items, cursor = store.newest(limit=query.limit, cursor=query.cursor)
    return WarningPage(items=[_view(r) for r in items], next_cursor=cursor)


def publish_by_hand(user: Principal, req: ManualWarningRequest) -> WarningView:
    """The ministry publishes a warning by hand: a thread of the `manual` indicator, delivered the same way."""
    _ministry(user)
    region = catalog().get(req.region)
    subject = req.subject or req.title
    thread = thread_of("manual", region.code, subject)
    latest = store.latest_episode(thread)
    if latest is not None and latest.state == "open":
        raise InvalidStateError(f"a warning on this is open already: {latest.id}")
    rec = _new_episode(thread, latest, "manual", "manual", req.title, region.code, subject, req.level)
    rec.evidence = {"note": req.evidence}
    audit.commit(
        audit.Change(rec, "warning.published", condition=store.WarningRecord.pk.does_not_exist()),
        actor=user.user_id,
    )
    return _view(rec)


def _new_episode(
    thread: str,
    latest: store.WarningRecord | None,
    indicator_id: str,
    origin: str,
    title: str,
    region: str,
    subject: str,
    level: str,
) -> store.WarningRecord:
    episode = int(latest.episode) + 1 if latest is not None else 1
    return store.WarningRecord(
        id=f"{thread}.{episode}",
        thread=thread,
        episode=episode,
        indicator_id=indicator_id,
        origin=origin,
        title=title,
        subject=subject,
        level=level,
        state="open",
        recurrence=latest is not None,
        region=region,
        parties=set(store.supervision_agencies(region)) or None,
        history=[{"at": clock.iso(clock.now()), "level": level, "change": "opened"}],
        acknowledgements=[],
        responses=[],
    )


# The job ------------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    numerator: int = 0
    denominator: int = 0
    previous: int = 0
    ids: set[str] = field(default_factory=set)


def _scope_region(county: str, scope: str) -> str:
    up = cells.chain(county)
    return {"county": up[0], "city": up[min(1, len(up) - 1)], "province": up[min(2, len(up) - 1)]}[scope]


def _days(last: str, count: int) -> list[str]:
    end = date.fromisoformat(last)
    return [(end - timedelta(days=n)).isoformat() for n in range(count)]


def _cells_of(family: str, days: Iterable[str]) -> list[dict[str, Any]]:
    """The county-day cells of a family in the days: the active index, then the cells (cost ∝ active cells)."""
    keys: list[tuple[str, str]] = []
    for day in days:
        for shard in range(cells.ACTIVE_SHARDS):
            for entry in counters.active_cells(cells.active_partition(day, shard), family):
                county = str(entry["region"])
                keys.append((cells.partition(cells.parent_of(county), f"D{day}"), cells.cell_sk(county, family)))
    return counters.get_cells(keys)


def _tally(indicator: store.IndicatorRecord, day: str) -> tuple[dict[tuple[str, str], Tally], int]:
    window = int(indicator.window_days)
    current = set(_days(day, window))
    days = _days(day, window * 2 if indicator.measure == "rise" else window)
    found = _cells_of(indicator.family, days)
    tallies: dict[tuple[str, str], Tally] = {}
    num, den = f"{indicator.numerator}#", f"{indicator.denominator}#" if indicator.denominator else None
    evidence = f"ids#{indicator.numerator}#"
    for cell in found:
        region = _scope_region(str(cell["region"]), indicator.scope)
        in_window = str(cell["period"])[1:] in current
        for name, raw in cell.items():
            value = int(raw) if isinstance(raw, int | Decimal) else 0
            if name.startswith(evidence):
                subject, _, record_id = name[len(evidence) :].rpartition("#")
                if value > 0 and in_window:
                    tallies.setdefault((region, subject), Tally()).ids.add(record_id)
            elif name.startswith(num):
                tally = tallies.setdefault((region, name[len(num) :]), Tally())
                if in_window:
                    tally.numerator += value
                else:
                    tally.previous += value
            elif den and name.startswith(den) and in_window:
                tallies.setdefault((region, name[len(den) :]), Tally()).denominator += value
    return tallies, len(found)


def _judge(indicator: store.IndicatorRecord, tally: Tally) -> tuple[str | None, float | None]:
    """The level the tally reaches (None below blue or under the minimum sample) and its value."""
    minimum = int(indicator.min_sample)
    if indicator.measure == "rate":
        if tally.denominator < minimum or tally.denominator <= 0:
            return None, None
        value = tally.numerator / tally.denominator
    elif indicator.measure == "count":
        if tally.numerator < minimum:
            return None, float(tally.numerator)
        value = float(tally.numerator)
    else:
        if tally.numerator < minimum:
            return None, None
        value = tally.numerator / tally.previous if tally.previous else float(tally.numerator)
    value = round(value, 6)
    reached = [lvl for lvl in LEVELS if value >= float(indicator.thresholds[lvl])]
    return (reached[-1] if reached else None), value


def _evidence(indicator: store.IndicatorRecord, tally: Tally, day: str, value: float | None) -> dict[str, Any]:
    return {
        "window": {"from": _days(day, int(indicator.window_days))[-1], "to": day},
        "numerator": {"figure": indicator.numerator, "value": tally.numerator},
        "denominator": {"figure": indicator.denominator, "value": tally.denominator} if indicator.denominator else None,
        "previous_window": tally.previous if indicator.measure == "rise" else None,
        "value": value,
        "min_sample": int(indicator.min_sample),
        "record_ids": sorted(tally.ids)[:MAX_EVIDENCE_IDS],
    }


def run(day: str | None = None) -> JobReport:
    """Evaluate every active indicator over the window ending `day` (default: yesterday, China time)."""
    day = day or (date.fromisoformat(clock.cst_day(clock.now())) - timedelta(days=1)).isoformat()
    report = JobReport(day=day, indicators=0, cells_read=0, opened=0, raised=0, lowered=0, closed=0, unchanged=0)
    for indicator in store.indicators():
        if not indicator.active:
            continue
        report.indicators += 1
        tallies, read = _tally(indicator, day)
        report.cells_read += read
        # What is open now, in one Query: a thread below blue that has nothing open needs no read at all.
        open_now = {rec.thread: rec for rec in store.open_of(indicator.id)}
        for (region, subject), tally in sorted(tallies.items()):
            level, value = _judge(indicator, tally)
            thread = thread_of(indicator.id, region, subject)
            current = open_now.pop(thread, None)
            if level is None and current is None:
                continue
            evidence = _evidence(indicator, tally, day, value)
            _settle(indicator, thread, region, subject, level, value, evidence, report, current)
        for rec in open_now.values():  # nothing counted in the window any more: fallen back
            _settle(indicator, rec.thread, rec.region or "", rec.subject, None, None, {}, report, rec)
    return report


def _settle(
    indicator: store.IndicatorRecord,
    thread: str,
    region: str,
    subject: str,
    level: str | None,
    value: float | None,
    evidence: dict[str, Any],
    report: JobReport,
    current: store.WarningRecord | None,
) -> None:
    """Bring one thread to the level computed: `current` is its open episode, if any (from the open list)."""
    # Only a thread to open reads its latest episode: the episode number and whether it is a recurrence.
    latest = current if current is not None else store.latest_episode(thread) if level is not None else None
    now = clock.iso(clock.now())
    is_open = latest is not None and latest.state == "open"
    if level is None:
        if not is_open:
            report.unchanged += int(latest is not None)
            return
        assert latest is not None
        latest.state = "closed"
        latest.history = [*(latest.history or []), {"at": now, "level": latest.level, "change": "closed"}]
        if evidence:
            latest.evidence, latest.value = evidence, value
        _write(latest, "warning.closed")
        report.closed += 1
        return
    if not is_open:
        title = f"{indicator.name}: {subject or region} ({LEVEL_NAMES[level]})"
        rec = _new_episode(thread, latest, indicator.id, "indicator", title, region, subject, level)
        rec.value, rec.evidence = value, evidence
        _write(rec, "warning.opened", new=True)
        report.opened += 1
        return
    assert latest is not None
    if latest.level == level:
        report.unchanged += 1
        return
    change = "raised" if LEVELS.index(level) > LEVELS.index(latest.level) else "lowered"
    latest.history = [*(latest.history or []), {"at": now, "level": level, "change": change, "from": latest.level}]
    latest.level, latest.value, latest.evidence = level, value, evidence
    _write(latest, f"warning.{change}")
    setattr(report, change, getattr(report, change) + 1)


def _write(rec: store.WarningRecord, action: str, *, new: bool = False) -> None:
    """A conditional write: a new episode only if none took its id, a change only at the version read.

    A concurrent run that got there first makes this a 409, which the job leaves: the other run wrote the same.
    """
    condition = store.WarningRecord.pk.does_not_exist() if new else None
    try:
        audit.commit(audit.Change(rec, action, condition=condition), actor=JOB)
    except ConflictError:
        return

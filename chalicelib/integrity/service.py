"""Verifying the audit chains of every record that changed on a day."""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib.core import audit, clock
from chalicelib.core.errors import ValidationFailed

from . import store
from .models import BrokenChain, IntegrityReportView


def verify_day(day: str) -> IntegrityReportView:
    """Recompute the chains of the day's changed records; rerunning it rewrites the same report."""
    broken: list[dict[str, str]] = []
    changed = audit.records_changed_on(day)
    for pk, sk in changed:
        record = audit.audited_record(pk, sk)
        if record is None:
            broken.append({"record": pk, "problem": "the record is gone but its audit entries remain"})
            continue
        report = audit.verify_chain(record)
        if not report.intact:
            broken.append({"record": pk, "problem": report.problem or "broken"})
    rec = store.IntegrityReport(day=day, checked=len(changed), broken=broken, finished_at=clock.iso(clock.now()))
    store.put(rec)
    return view(rec)


def verify_yesterday() -> IntegrityReportView:
    """Schedule entry (02:00 China Standard Time): the day that just closed."""
    return verify_day((clock.now().astimezone(clock.CST).date() - timedelta(days=1)).isoformat())


def view(rec: store.IntegrityReport) -> IntegrityReportView:
    return IntegrityReportView(
        day=rec.day,
        checked=int(rec.checked),
        finished_at=rec.finished_at,
        broken=[BrokenChain(**b) for b in rec.broken or []],
    )


def report_for(day: str) -> IntegrityReportView:
    try:
        date.fromisoformat(day)
    except ValueError:
        raise ValidationFailed("day is not a date", errors=[{"field": "day", "message": "YYYY-MM-DD"}]) from None
    return view(store.get(day))

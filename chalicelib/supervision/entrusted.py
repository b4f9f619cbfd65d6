"""Entrusted testing (委托检测, Art 30): an officer sends evidence samples to a lab, the lab tests and reports.

sent (the officer's PUT, by the phone's id) → received (the lab, its samples checked in through the testing core's
receipt, takes the task with its testing model: results are judged against the limit library as a spot check's
are) → reported (the lab's report PDF, which the officer reads). A clock (the generic clock state machine) watches
the two deadlines: a lab that has not received by the end of `receive_by`, or reported by the end of `report_by`, is
reminded; the grace period passing too marks the deadline missed, and the officer's agency hears of it. A report
with an unqualified sample hands the test over to enforcement as a spot check's failure is (its case's id is the
test's).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from chalicelib.core import audit, clock, workflows
from chalicelib.core.access import OrgKind, Principal, check_access
from chalicelib.core.config import get_settings
from chalicelib.core.errors import ConflictError, ForbiddenError, InvalidStateError, NotFoundError, Unprocessable
from chalicelib.core.events import RecordChange
from chalicelib.orgs import store as orgs
from chalicelib.testing import service as testing
from chalicelib.testing import store as samples

from . import service, store
from .models import (
    EntrustedReportRequest,
    EntrustedTestPage,
    EntrustedTestQuery,
    EntrustedTestView,
    EntrustTestRequest,
    ReceiveEntrustedRequest,
)

KIND = "EntrustedTest"
SYSTEM = "system:workflow"
_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
MAX_WAIT = 300 * 86400  # a Wait state's longest wait is a year; a later deadline is waited for in parts


def view(rec: store.EntrustedTestRecord, *, with_samples: bool = False) -> EntrustedTestView:
    marks = rec.clock or {}
    found = samples.samples_by_id(rec.samples) if with_samples else {}
    return EntrustedTestView(
        id=rec.id,
        inspection_id=rec.inspection_id,
        org_id=rec.org_id,
        sent_by=rec.sent_by,
        lab_org_id=rec.lab_org_id,
        subject_id=rec.subject_id,
        region=rec.region or "",
        sample_ids=list(rec.samples),
        receive_by=rec.receive_by,
        report_by=rec.report_by,
        note=rec.note,
        state=rec.state,  # type: ignore[arg-type]
        received_at=rec.received_at,
        reported_at=rec.reported_at,
        report_id=rec.report_id,
        unqualified_samples=list(rec.unqualified_samples or ()),
        reminded=sorted(k for k, v in marks.items() if v.get("reminded_at")),
        overdue=sorted(k for k, v in marks.items() if v.get("overdue_at")),
        case_id=rec.id if rec.unqualified_samples else None,
        samples=[testing.sample_view(found[s]) for s in rec.samples if s in found],
        version=int(rec.version or 0),
    )


def _readable(user: Principal, rec: store.EntrustedTestRecord) -> store.EntrustedTestRecord:
    check_access(user, region=rec.region, parties=rec.parties or ())
    return rec


def readable(user: Principal, test_id: str) -> store.EntrustedTestRecord:
    """The test, if the user may read it: the officer's agency, the lab, the governing agencies (404 otherwise)."""
    if not _ULID.fullmatch(test_id):
        raise NotFoundError("entrusted test not found")
    return _readable(user, store.get_test(test_id))


def get(user: Principal, test_id: str) -> EntrustedTestView:
    return view(readable(user, test_id), with_samples=True)


def listing(user: Principal, query: EntrustedTestQuery) -> EntrustedTestPage:
    """A lab's list holds the tests sent to it; an agency's, the tests its officers sent."""
    lab = user.org_kind == OrgKind.TESTING
    recs, cursor = store.tests_listed(
        lab_org_id=user.org_id if lab else None,
        org_id=None if lab else user.org_id,
        state=query.state,
        limit=query.limit,
        cursor=query.cursor,
    )
    return EntrustedTestPage(items=[view(r) for r in recs], next_cursor=cursor)


def content_hash(req: EntrustTestRequest) -> str:
    return hashlib.sha256(audit.canonical(req.model_dump(mode="json")).encode()).hexdigest()


def _existing(user: Principal, test_id: str, digest: str) -> store.EntrustedTestRecord | None:
    rec = store.find_test(test_id)
    if rec is None:
        return None
    _readable(user, rec)
    if rec.org_id != user.org_id or rec.content_hash != digest:
        raise ConflictError("an entrusted test with this id was already sent with other content: make a new id")
    return rec


def _lab(lab_org_id: str) -> orgs.AgencyRecord:
    try:
        lab = orgs.get_agency(lab_org_id)
    except NotFoundError:
        lab = None
    if lab is None or lab.org_kind != OrgKind.TESTING or not lab.active:
        raise Unprocessable(
            "an entrusted test goes to an active testing agency (检测机构)",
            errors=[{"field": "body.lab_org_id", "message": "not an active testing agency"}],
        )
    return lab


def entrust(user: Principal, test_id: str, req: EntrustTestRequest) -> tuple[EntrustedTestView, bool]:
    """PUT an entrusted test by the phone's id: the samples go to the lab (theirs to receive and test) at once."""
    service.certified(user)
    if not _ULID.fullmatch(test_id):
        raise Unprocessable(
            "the entrusted test's id is a ULID made by the phone",
            errors=[{"field": "path.test_id", "message": "not a ULID"}],
        )
    digest = content_hash(req)
    found = _existing(user, test_id, digest)
    if found is not None:
        return view(found), False
    inspection = service.own(user, req.inspection_id)
    if req.receive_by < clock.cst_day(clock.now()):
        raise Unprocessable(
            "the lab receives the samples on a day still to come",
            errors=[{"field": "body.receive_by", "message": "in the past"}],
        )
    lab = _lab(req.lab_org_id)
    taken = samples.samples_by_id(req.sample_ids)
    errors = []
    for index, sample_id in enumerate(req.sample_ids):
        sample = taken.get(sample_id)
        if sample is None or sample.task_kind != service.TASK_KIND or sample.task_id != inspection.id:
            errors.append({"field": f"body.sample_ids.{index}", "message": "not an evidence sample of the inspection"})
        elif sample.state != "sampled" or sample.unit_org_id != inspection.org_id:
            errors.append({"field": f"body.sample_ids.{index}", "message": "already sent to a lab"})
    if errors:
        raise Unprocessable("the entrusted test names samples it cannot send", errors=errors)
    rec = store.EntrustedTestRecord(
        id=test_id,
        inspection_id=inspection.id,
        org_id=user.org_id,
        sent_by=user.user_id,
        lab_org_id=lab.id,
        subject_id=inspection.subject_id,
        region=inspection.region,
        sample_ids=list(req.sample_ids),
        receive_by=req.receive_by,
        report_by=req.report_by,
        note=req.note,
        state="sent",
        clock={},
        content_hash=digest,
        parties={user.org_id, lab.id},
    )
    changes = [audit.Change(rec, "entrusted_test.sent", condition=store.EntrustedTestRecord.pk.does_not_exist())]
    for sample_id in req.sample_ids:
        sample = taken[sample_id]
        # The sample becomes the lab's to receive and test (the receipt and results check its unit).
        sample.unit_org_id = lab.id
        sample.parties = set(sample.parties or ()) | {lab.id}
        changes.append(audit.Change(sample, "sample.entrusted", detail={"lab": lab.id, "entrusted_test": test_id}))
    try:
        audit.commit(changes, actor=user.user_id)
    except ConflictError:
        again = _existing(user, test_id, digest)  # two sends crossing: the first stands
        if again is None:
            raise
        return view(again), False
    return view(rec), True


def _lab_of(user: Principal, test_id: str, version: int, state: str) -> store.EntrustedTestRecord:
    rec = readable(user, test_id)
    if rec.lab_org_id != user.org_id:
        raise ForbiddenError("only the lab entrusted does this")
    if int(rec.version or 0) != version:
        raise ConflictError("the entrusted test changed since you read it: read it again")
    if rec.state != state:
        raise InvalidStateError(f"the entrusted test is {rec.state}, not {state}")
    return rec


def receive(user: Principal, test_id: str, req: ReceiveEntrustedRequest) -> EntrustedTestView:
    """The lab takes the test with its testing model (检测模型), once each sample was received (样品接收) or rejected.

    Each received sample's test items are the model's for its product, judged against the limits the model
    resolved from the library.
    """
    rec = _lab_of(user, test_id, req.version, "sent")
    found = samples.samples_by_id(rec.samples)
    waiting = [s for s in rec.samples if found[s].state == "sampled"]
    if waiting:
        raise InvalidStateError(
            "receive each sample first (POST /samples/{sample_id}/receipt)",
            errors=[{"field": "path.test_id", "message": f"sample {s} not received"} for s in waiting],
        )
    received = [found[s] for s in rec.samples if found[s].state == "received"]
    if not received:
        raise InvalidStateError("every sample was rejected: the test has nothing to test")
    model = testing.build_model(req, 1)
    changes = []
    for index, sample in enumerate(received):
        items = testing.items_for(model, sample.product_code)
        if not items:
            raise Unprocessable(
                "the model tests nothing on a sample's product",
                errors=[{"field": "body.objects", "message": f"sample {sample.id}: product {sample.product_code}"}],
            )
        sample.items = items
        changes.append(audit.Change(sample, "sample.model_set", detail={"entrusted_test": rec.id, "n": index}))
    rec.model, rec.state, rec.received_at = model, "received", clock.iso(clock.now())
    changes.append(audit.Change(rec, "entrusted_test.received", detail={"samples": [s.id for s in received]}))
    audit.commit(changes, actor=user.user_id)
    return view(rec, with_samples=True)


def report(user: Principal, test_id: str, req: EntrustedReportRequest) -> EntrustedTestView:
    """The lab returns its test report (检测报告, a PDF attached to the test) once each received sample is judged."""
    from chalicelib.monitoring.service import check_report_attachment

    rec = _lab_of(user, test_id, req.version, "received")
    found = samples.samples_by_id(rec.samples)
    untested = [s for s in rec.samples if found[s].state == "received" and found[s].verdict == "pending"]
    if untested:
        raise InvalidStateError(
            "enter every result first (POST /results)",
            errors=[{"field": "path.test_id", "message": f"sample {s} has no verdict"} for s in untested],
        )
    check_report_attachment("entrusted_test", rec.id, req.attachment_id)
    rec.state, rec.report_id, rec.reported_at = "reported", req.attachment_id, clock.iso(clock.now())
    rec.unqualified_samples = [s for s in rec.samples if found[s].verdict == "unqualified"]  # type: ignore[misc]
    audit.commit(
        audit.Change(
            rec,
            "entrusted_test.reported",
            detail={"report": req.attachment_id, "unqualified": rec.unqualified_samples},
        ),
        actor=user.user_id,
    )
    return view(rec, with_samples=True)


def attachable(user: Principal, test_id: str) -> store.EntrustedTestRecord:
    """The report is attached to the test by the lab (both parties may attach; the report names the lab's)."""
    return readable(user, test_id)


# --- the clock ---------------------------------------------------------------------------------------------------


def run_clock(change: RecordChange) -> None:
    """Stream: an entrusted test was sent: its clock starts, once (the execution's name is the test's); reported,
    its clock stops (a re-delivery finds it stopped)."""
    if change.kind != KIND or change.new is None:
        return
    if change.state == "reported" and change.old_state != "reported":
        workflows.stop(
            get_settings().clock_state_machine_arn,
            kind=KIND,
            record_id=change.image["id"],
            transition="sent",
            cause="reported",
        )
        return
    if not change.created:
        return
    workflows.start(
        get_settings().clock_state_machine_arn,
        kind=KIND,
        record_id=change.image["id"],
        transition="sent",
        payload={"kind": KIND, "id": change.image["id"], "context": {}, "clock": {"step": "receipt"}},
    )


# The deadline each state waits on: what the lab owes, and by which day.
DEADLINES = {"receipt": ("sent", "receive_by"), "report": ("received", "report_by")}


def tick(record: dict[str, Any]) -> dict[str, Any]:
    """Task of the clock: receipt → (receive_by over) reminded → (grace over) overdue → report → (report_by over)
    reminded → (grace over) overdue, end. What the lab has done skips the rest of that deadline's steps; a report
    ends the clock; a step woken early waits again."""
    try:
        rec = store.get_test(record["id"])
    except NotFoundError:
        return _next("gone", 0, done=True)
    step = record["step"]
    grace = get_settings().spotcheck_grace_seconds
    for stage in ("receipt", "report"):
        state, field = DEADLINES[stage]
        if not step.startswith(stage):
            continue
        if rec.state != state:
            step = "report"
            continue
        end = clock.cst_day_end(getattr(rec, field))
        if step == stage:
            if clock.now() < end:
                return _next(stage, min(clock.seconds_until(end), MAX_WAIT))
            step = f"{stage}_due"
        if step == f"{stage}_due":
            _mark(rec.id, stage, "reminded")
            return _next(f"{stage}_grace", grace)
        _mark(rec.id, stage, "overdue")
        if stage == "receipt":
            step = "report"
            continue
        return _next("overdue", 0, done=True)
    return _next("done", 0, done=True)


def _next(step: str, wait: int, *, done: bool = False) -> dict[str, Any]:
    return {"step": step, "wait": wait, "done": done}


def _mark(test_id: str, stage: str, what: str) -> None:
    """A reminder to the lab or a missed deadline its agency and the officer's hear of: once per stage, however
    often the task is retried; a concurrent change by the lab is read again and kept."""

    def attempt() -> None:
        rec = store.get_test(test_id)
        marks = dict(rec.clock or {})
        entry = dict(marks.get(stage) or {})
        if entry.get(f"{what}_at"):
            return
        entry[f"{what}_at"] = clock.iso(clock.now())
        marks[stage] = entry
        rec.clock = marks
        to = [rec.lab_org_id] if what == "reminded" else [rec.org_id, rec.lab_org_id]
        audit.commit(audit.Change(rec, f"entrusted_test.{what}", detail={"stage": stage, "to": to}), actor=SYSTEM)

    audit.again_on_conflict(attempt)

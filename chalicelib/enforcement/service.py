"""Enforcement handover (移交执法, Art 27): the package, delivery, acknowledgement with escalation, the result.

A spot check's final failure (after its retest, or once the retest period lapsed) starts one execution of
infra/statemachines/handover.asl.json from the stream. It builds the handover package (the sampling record,
custody, results, retest, the draw, every file with its sha256, and the package's own hash), delivers it to the
enforcement agency of the same level (执法机构, under the agency that did the check), waits for its
acknowledgement (escalating to the level above when the deadline passes), then for the investigation result
(查处结果), which is archived and adds a bad record (不良记录) to the subject.
"""

from __future__ import annotations

import contextlib
from typing import Any

from chalicelib.attachments import store as attachments
from chalicelib.core import audit, clock, storage, workflows
from chalicelib.core.access import Principal, check_access
from chalicelib.core.config import get_settings
from chalicelib.core.errors import ConflictError, ForbiddenError, InvalidStateError, NotFoundError, Unprocessable
from chalicelib.core.events import RecordChange
from chalicelib.core.models import PageQuery
from chalicelib.inspections import store as inspections
from chalicelib.inspections.followups import decoded
from chalicelib.inspections.records import handed_over
from chalicelib.orgs import store as orgs
from chalicelib.spotchecks import store as spotchecks
from chalicelib.subjects.models import AddBadRecordRequest
from chalicelib.supervision import store as supervision
from chalicelib.testing import store as samples

from . import packages, store
from .models import (
    AcknowledgeCaseRequest,
    AgencyChoiceView,
    CasePage,
    CaseResultRequest,
    CaseView,
    ChooseAgencyRequest,
)

KIND = "EnforcementCase"
SYSTEM = "system:workflow"


def view(rec: store.CaseRecord, *, with_url: bool = False) -> CaseView:
    return CaseView(
        id=rec.id,
        source=rec.source or "sample",  # type: ignore[arg-type]
        sample_id=rec.sample_id,
        inspection_id=rec.inspection_id,
        task_id=rec.task_id,
        subject_id=rec.subject_id,
        subject_name=rec.subject_name,
        from_org_id=rec.from_org_id,
        to_org_id=rec.to_org_id,
        state=rec.state,  # type: ignore[arg-type]
        package_hash=rec.package_hash,
        files=rec.files or [],
        package_url=storage.presigned_get(rec.package_key, f"移交材料-{rec.id}.json") if with_url else None,
        escalated_to=rec.escalated_to,
        escalations=rec.escalations or [],
        reminders=int(rec.reminders or 0),
        assignment=rec.assignment,
        acknowledged_by=rec.acknowledged_by,
        acknowledged_at=rec.acknowledged_at,
        result=rec.result,
        bad_record_id=rec.bad_record_id,
        workflow_error=rec.workflow_error,
        created_at=rec.created_at or "",
        version=int(rec.version or 0),
    )


def _visible(user: Principal, case_id: str) -> store.CaseRecord:
    rec = store.get(case_id)
    check_access(user, region=rec.region, parties=rec.parties or ())
    return rec


def readable(user: Principal, case_id: str) -> store.CaseRecord:
    """The case, if the user may see it (attachments use this)."""
    return _visible(user, case_id)


def get(user: Principal, case_id: str) -> CaseView:
    return view(_visible(user, case_id), with_url=True)


def listing(user: Principal, query: PageQuery) -> CasePage:
    recs, cursor = store.received_by(user.org_id, limit=query.limit, cursor=query.cursor)
    return CasePage(items=[view(r) for r in recs], next_cursor=cursor)


# --- the package ----------------------------------------------------------------------------------


def assign_agency(doer_id: str, subject_region: str | None, choice: store.AgencyChoice | None) -> dict[str, Any]:
    """Which enforcement agency (执法机构) under the agency that did the check takes the case, and why.

    The supervision agency's explicit choice, if it still names an active enforcement agency under it; else the
    rule: one whose region is the subject's county, else one of the supervision agency's own region, else any;
    among several, the lowest agency id.
    """
    doer = orgs.get_agency(doer_id)
    children, _ = orgs.list_child_agencies(doer_id, limit=50, cursor=None)
    found = sorted((a for a in children if a.org_kind == "enforcement" and a.active), key=lambda a: a.id)
    if not found:
        raise NotFoundError(f"agency {doer_id} has no active enforcement agency under it")
    candidates = [a.id for a in found]
    if choice is not None and choice.org_id in candidates:
        return {
            "org_id": choice.org_id,
            "by": "choice",
            "chosen_by": choice.chosen_by,
            "chosen_at": choice.chosen_at,
            "note": choice.note,
            "candidates": candidates,
        }
    county = (subject_region or "")[:6]
    for rule, match in (("subject_county", county), ("own_region", doer.region)):
        picked = [a for a in found if match and a.region == match]
        if picked:
            return {"org_id": picked[0].id, "by": "rule", "rule": rule, "candidates": candidates}
    return {"org_id": found[0].id, "by": "rule", "rule": "lowest_id", "candidates": candidates}


def _subject_region(subject_id: str | None) -> str | None:
    from chalicelib.subjects import store as subjects

    if not subject_id:
        return None
    try:
        return subjects.get(subject_id).region
    except NotFoundError:
        return None


def choose_agency(user: Principal, sample_id: str, req: ChooseAgencyRequest) -> AgencyChoiceView:
    """The supervision agency that did the check names the enforcement agency for the handover (before delivery)."""
    failure = samples.get_failure(sample_id)
    task = spotchecks.get(failure.task_id)
    check_access(user, region=task.region, parties=task.parties or ())
    if user.org_id != task.assignee_org_id:
        raise ForbiddenError("only the agency that did the check chooses its enforcement agency")
    with contextlib.suppress(NotFoundError):
        store.get(sample_id)
        raise ConflictError("the case was already handed over")
    children, _ = orgs.list_child_agencies(task.assignee_org_id, limit=50, cursor=None)
    if req.org_id not in {a.id for a in children if a.org_kind == "enforcement" and a.active}:
        raise Unprocessable(
            "choose an active enforcement agency under your agency",
            errors=[{"field": "body.org_id", "message": "not an active enforcement agency under yours"}],
        )
    rec = store.choice_of(sample_id) or store.AgencyChoice(sample_id=sample_id)
    rec.org_id, rec.chosen_by, rec.chosen_at, rec.note = req.org_id, user.user_id, clock.iso(clock.now()), req.note
    rec.parties, rec.region = set(task.parties or ()) | {req.org_id}, task.region
    audit.commit(audit.Change(rec, "case.agency_chosen", detail={"org_id": req.org_id}), actor=user.user_id)
    return AgencyChoiceView(
        sample_id=sample_id, org_id=rec.org_id, chosen_by=rec.chosen_by, chosen_at=rec.chosen_at, note=rec.note
    )


def _source_of(event: dict[str, Any]) -> tuple[str, str]:
    """(kind, id) of a workflow task's source; executions started before sources existed name a sample only."""
    if "source_id" in event:
        return str(event.get("source") or "sample"), str(event["source_id"])
    return "sample", str(event["sample_id"])


def deliver(event: dict[str, Any]) -> dict[str, Any]:
    """Task: build the package, store it, and open the case in the enforcement agency's inbox (once)."""
    kind, source_id = _source_of(event)
    with contextlib.suppress(NotFoundError):
        existing = store.get(source_id)
        return {"case_id": existing.id, "package_hash": existing.package_hash}
    found = packages.source(kind, source_id)
    assignment = (
        {"org_id": found.to_org_id, "by": "own_agency", "candidates": [found.to_org_id]}
        if found.to_org_id
        else assign_agency(found.from_org_id, _subject_region(found.subject_id), store.choice_of(source_id))
    )
    key = f"handover/{source_id}/package-{found.digest[:16]}.json"
    storage.put(key, audit.canonical(found.package).encode(), "application/json")
    rec = store.CaseRecord(
        id=source_id,
        source=kind,
        sample_id=source_id if kind == "sample" else None,
        inspection_id=source_id if kind == "inspection" else None,
        task_id=found.task_id,
        subject_id=found.subject_id,
        subject_name=found.subject_name,
        from_org_id=found.from_org_id,
        to_org_id=assignment["org_id"],
        parties=set(found.parties) | {assignment["org_id"]},
        region=found.region,
        state="delivered",
        package_key=key,
        package_hash=found.digest,
        files=found.package["files"],
        assignment=assignment,
    )
    with contextlib.suppress(ConflictError):  # a retried task delivered it already
        audit.commit(
            audit.Change(
                rec,
                "case.delivered",
                detail={"package_hash": found.digest, "assignment": assignment, "source": kind},
                condition=store.CaseRecord.pk.does_not_exist(),
            ),
            actor=SYSTEM,
        )
    return {"case_id": rec.id, "package_hash": found.digest}


# --- the enforcement agency's side -----------------------------------------------------------------------


def _receiving(user: Principal, case_id: str) -> store.CaseRecord:
    rec = _visible(user, case_id)
    if user.org_id != rec.to_org_id:
        raise ForbiddenError("only the enforcement agency the case was handed to acts on it")
    return rec


def acknowledge(user: Principal, case_id: str, req: AcknowledgeCaseRequest) -> CaseView:
    """签收: the enforcement agency takes the case over."""
    return audit.again_on_conflict(lambda: _acknowledge(user, case_id, req))


def record_result(user: Principal, case_id: str, req: CaseResultRequest) -> CaseView:
    """查处结果: case number, finding, decision, penalty and files; archived, and the subject's bad record follows."""
    return audit.again_on_conflict(lambda: _record_result(user, case_id, req))


def _acknowledge(user: Principal, case_id: str, req: AcknowledgeCaseRequest) -> CaseView:
    rec = _receiving(user, case_id)
    if rec.state not in {"delivered", "awaiting_acknowledgement", "escalated"}:
        raise InvalidStateError(f"the case is already {rec.state}")
    token, stage, expected = rec.token, rec.stage, rec.state
    rec.state, rec.acknowledged_by, rec.acknowledged_at, rec.token, rec.stage = (
        "acknowledged",
        user.user_id,
        clock.iso(clock.now()),
        None,
        None,
    )
    audit.commit(
        audit.Change(rec, "case.acknowledged", detail={"note": req.note}, condition=store.CaseRecord.state == expected),
        actor=user.user_id,
    )
    if token and stage == "acknowledgement":
        workflows.answer(token, {"acknowledged_by": user.user_id})
    return view(rec)


def _record_result(user: Principal, case_id: str, req: CaseResultRequest) -> CaseView:
    rec = _receiving(user, case_id)
    if rec.state != "acknowledged":
        raise InvalidStateError("record the result of a case your agency acknowledged")
    files = []
    for index, attachment_id in enumerate(req.files):
        try:
            att = attachments.get(attachment_id)
        except NotFoundError:
            att = None
        if att is None or att.owner_kind != "case" or att.owner_id != rec.id or att.state != "attached":
            raise Unprocessable(
                "attach the files to this case first",
                errors=[{"field": f"body.files.{index}", "message": "not a file of this case"}],
            )
        files.append({"attachment_id": att.id, "filename": att.filename, "sha256": att.sha256})
    token, stage = rec.token, rec.stage
    rec.result = {
        **req.model_dump(mode="json"),
        "files": files,
        "recorded_by": user.user_id,
        "recorded_at": clock.iso(clock.now()),
    }
    rec.token, rec.stage = None, None
    audit.commit(
        audit.Change(
            rec,
            "case.result_recorded",
            detail={"case_no": req.case_no},
            condition=store.CaseRecord.state == "acknowledged",
        ),
        actor=user.user_id,
    )
    if token and stage == "result":
        workflows.answer(token, {"case_no": req.case_no})
    return view(rec)


# --- the workflow's side ---------------------------------------------------------------------------------------


def start_handover(change: RecordChange) -> None:
    """A spot check's failure became final, or an inspection handed failed items over: one execution per source."""
    if change.kind == "SampleFailure":
        if change.state != "confirmed" or change.old_state == "confirmed" or change.image.get("task_kind") != "JDCC":
            return
        kind, source_id = "sample", change.image["sample_id"]
    elif change.kind == "Inspection" and change.new is not None:
        new, old = decoded(change.new), decoded(change.old)
        if not handed_over(new.get("result") or {}) or handed_over(old.get("result") or {}):
            return
        kind, source_id = "inspection", change.new["id"]
    elif change.kind == "EntrustedTest":
        # An entrusted test of daily supervision reported with an unqualified sample (Art 30).
        if change.state != "reported" or change.old_state == "reported" or not change.image.get("unqualified_samples"):
            return
        kind, source_id = "entrusted", change.image["id"]
    else:
        return
    settings = get_settings()
    workflows.start(
        settings.handover_state_machine_arn,
        kind={"sample": "SampleFailure", "inspection": "Inspection", "entrusted": "EntrustedTest"}[kind],
        record_id=source_id,
        transition="handover",
        payload={
            "source": kind,
            "source_id": source_id,
            "timeouts": {
                "acknowledgement": settings.handover_ack_seconds,
                "grace": settings.handover_ack_seconds,
                "result": settings.investigation_seconds,
                "result_grace": settings.investigation_grace_seconds,
            },
        },
    )


def _stage_output(rec: store.CaseRecord, stage: str) -> dict[str, Any] | None:
    if stage == "acknowledgement" and rec.state in {"acknowledged", "archived"}:
        return {"acknowledged_by": rec.acknowledged_by}
    if stage == "result" and rec.result:
        return {"case_no": rec.result.get("case_no")}
    return None


def store_token(record: dict[str, Any], token: str) -> None:
    stage = record["stage"]
    for _ in range(3):
        rec = store.get(record["id"])
        output = _stage_output(rec, stage)
        if output is not None:
            workflows.send_success(token, output)
            return
        version = int(rec.version or 0)
        rec.token, rec.stage = token, stage
        if stage == "acknowledgement" and rec.state == "delivered":
            rec.state = "awaiting_acknowledgement"
        try:
            audit.commit(
                audit.Change(rec, f"case.awaiting_{stage}", condition=store.CaseRecord.version == version), actor=SYSTEM
            )
            return
        except ConflictError:
            continue
    raise ConflictError("the case kept changing while the workflow stored its token")


def escalate(record: dict[str, Any]) -> dict[str, Any]:
    """Task: a deadline passed. The acknowledgement's escalates at once; the investigation's reminds first
    (`step` "remind"), then escalates: the agency above the one that handed the case over sees it and lists it."""
    rec = store.get(record["id"])
    stage = record["stage"]
    if _stage_output(rec, stage) is not None:
        return {"escalated": False}
    now = clock.iso(clock.now())
    if record.get("step") == "remind":
        rec.reminders = int(rec.reminders or 0) + 1
        audit.commit(audit.Change(rec, "case.reminded", detail={"to": rec.to_org_id, "stage": stage}), actor=SYSTEM)
        return {"escalated": False, "reminded": rec.to_org_id}
    doer = orgs.get_agency(rec.from_org_id)
    above = doer.parent_id
    rec.escalated_to = above
    rec.reminders = int(rec.reminders or 0) + 1
    reason = (
        "not acknowledged by the deadline" if stage == "acknowledgement" else "no investigation result by the deadline"
    )
    rec.escalations = [*(rec.escalations or []), {"stage": stage, "at": now, "to": above, "reason": reason}]
    if rec.state in {"delivered", "awaiting_acknowledgement"}:
        rec.state = "escalated"
    changes = []
    if above:
        rec.parties = set(rec.parties or ()) | {above}
        entry = store.escalation_entry(rec.id, above) or store.EscalationEntry(case_id=rec.id, org_id=above)
        entry.stage, entry.escalated_at, entry.region = stage, now, rec.region
        changes.append(audit.Change(entry, "case.listed_for_escalation", detail={"to": above, "stage": stage}))
    audit.commit(
        [audit.Change(rec, "case.escalated", detail={"to": above, "stage": stage, "reason": reason}), *changes],
        actor=SYSTEM,
    )
    return {"escalated": True, "to": above}


def record_failure(record: dict[str, Any], error: dict[str, Any]) -> None:
    reason = f"{record.get('stage', 'handover')}: {str(error.get('Error') or error)[:300]}"
    try:
        rec = store.get(record["id"])
    except NotFoundError:
        # Before the case exists, its source shows what went wrong.
        source: Any = {
            "inspection": inspections.get_inspection,
            "entrusted": supervision.get_test,
        }.get(str(record.get("source")), samples.get_failure)(record["id"])
        source.workflow_error = reason
        audit.commit(audit.Change(source, "handover.failed", detail={"error": reason}), actor=SYSTEM)
        return
    rec.workflow_error = reason
    audit.commit(audit.Change(rec, "case.workflow_failed", detail={"error": reason}), actor=SYSTEM)


def archive(event: dict[str, Any]) -> dict[str, Any]:
    """Task: the result is archived in the enforcement system, and the subject's bad record (不良记录) added once."""
    from chalicelib.subjects import service as subjects

    rec = store.get(_source_of(event)[1])
    if rec.state == "archived":
        return {"archived": True, "bad_record_id": rec.bad_record_id}
    result = rec.result or {}
    changes: list[audit.Change] = []
    bad_id = None
    if rec.subject_id and (result.get("penalty") or {}).get("kind") not in {None, "none"}:
        changes, bad_id = subjects.penalty_changes(
            rec.subject_id,
            AddBadRecordRequest(
                kind="penalty",
                description=f"{result.get('decision', '')}（{result.get('case_no', '')}）"[:5000] or "行政处罚",
                occurred_on=str(result.get("decided_on")),
                source_ref=f"case:{rec.id}"[:100],
            ),
            org_id=rec.to_org_id,
        )
    rec.state, rec.bad_record_id = "archived", bad_id
    audit.commit(
        [
            *changes,
            audit.Change(
                rec, "case.archived", detail={"bad_record": bad_id}, condition=store.CaseRecord.state == "acknowledged"
            ),
        ],
        actor=SYSTEM,
    )
    return {"archived": True, "bad_record_id": bad_id}

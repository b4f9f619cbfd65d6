"""Retests (复检, Art 26): applied for within the legal period, done by another lab on the reserved sample.

A spot check's failure starts one execution (infra/statemachines/retest.asl.json) from the stream: it waits
for a retest application until the legal period ends; then for the retest's verdict (the agency assigns a
different lab, which receives the reserved sample and tests it); the final verdict follows the retest, or the
original when nobody applied. Both results stay. A final failure is then handed to enforcement.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.core import audit, clock, workflows
from chalicelib.core.access import Principal, Role, check_access
from chalicelib.core.config import get_settings
from chalicelib.core.errors import ConflictError, ForbiddenError, InvalidStateError, NotFoundError, Unprocessable
from chalicelib.core.events import RecordChange
from chalicelib.core.ids import new_id
from chalicelib.orgs import store as orgs
from chalicelib.testing import store as samples

from . import store
from .models import AssignRetestRequest, RetestApplicationRequest, RetestView

KIND = "SampleFailure"
SYSTEM = "system:workflow"


def retest_view(rec: samples.FailureRecord) -> RetestView:
    return RetestView(
        sample_id=rec.sample_id,
        task_id=rec.task_id,
        task_kind=rec.task_kind,
        state=rec.state,
        items=rec.items,
        retest=rec.retest,
        final_verdict=rec.final_verdict,
        workflow_error=rec.workflow_error,
        created_at=rec.created_at or "",
        version=int(rec.version or 0),
    )


def _failure(user: Principal, sample_id: str) -> samples.FailureRecord:
    rec = samples.get_failure(sample_id)
    subject_own = user.org_kind == "subject" and user.org_id == rec.subject_id
    if not subject_own:
        check_access(user, region=rec.region, parties=rec.parties or ())
    return rec


def get_failure(user: Principal, sample_id: str) -> RetestView:
    return retest_view(_failure(user, sample_id))


def _window_until(rec: samples.FailureRecord) -> str:
    start = clock.parse_iso(rec.created_at or clock.iso(clock.now()))
    return clock.iso(start + timedelta(seconds=get_settings().retest_window_seconds))


def apply(user: Principal, sample_id: str, req: RetestApplicationRequest) -> RetestView:
    return audit.again_on_conflict(lambda: _apply(user, sample_id, req))


def assign(user: Principal, sample_id: str, req: AssignRetestRequest) -> RetestView:
    return audit.again_on_conflict(lambda: _assign(user, sample_id, req))


def _apply(user: Principal, sample_id: str, req: RetestApplicationRequest) -> RetestView:
    """复检申请: the subject (its own account) or the agency doing the task for it, within the legal period."""
    rec = _failure(user, sample_id)
    if rec.task_kind != "JDCC":
        raise InvalidStateError("retests are for spot checks")
    task = store.get(rec.task_id)
    if user.org_kind != "subject" and (
        user.org_id != task.assignee_org_id or not user.has_any({Role.HEAD, Role.SUPERVISOR})
    ):
        raise ForbiddenError("the subject applies, or the agency doing the task applies for it")
    if rec.state != "open" or rec.final_verdict:
        raise InvalidStateError(f"the failure is {rec.final_verdict or rec.state}: no retest can be applied for")
    if rec.retest:
        raise InvalidStateError("a retest was already applied for")
    if clock.iso(clock.now()) > _window_until(rec):
        raise InvalidStateError("the legal period for a retest application has passed")
    rec.retest = {
        "state": "applied",
        "applicant": user.user_id,
        "on_behalf": user.org_kind != "subject",
        "reason": req.reason,
        "applied_at": clock.iso(clock.now()),
    }
    token, stage = rec.token, rec.stage
    rec.token, rec.stage = None, None
    audit.commit(audit.Change(rec, "retest.applied", detail={"reason": req.reason}), actor=user.user_id)
    if token and stage == "application":
        workflows.answer(token, {"applied": True})
    return retest_view(rec)


def _assign(user: Principal, sample_id: str, req: AssignRetestRequest) -> RetestView:
    """复检任务 (FJRW): the agency that received the application gives the reserved sample to another lab."""
    rec = _failure(user, sample_id)
    task = store.get(rec.task_id)
    if user.org_id != task.assignee_org_id:
        raise ForbiddenError("the agency that received the application assigns the retest")
    if not rec.retest or rec.retest.get("state") != "applied":
        raise InvalidStateError("a retest is assigned once it was applied for")
    original = samples.get_sample(rec.sample_id)
    if req.lab_org_id == original.unit_org_id:
        raise Unprocessable(
            "the retest goes to a different lab", errors=[{"field": "body.lab_org_id", "message": "the original lab"}]
        )
    try:
        lab = orgs.get_agency(req.lab_org_id)
    except NotFoundError:
        lab = None
    if lab is None or lab.org_kind != "testing" or not lab.active or (lab.region or "")[:2] != (task.region or "")[:2]:
        raise Unprocessable(
            "the retest lab is an active testing agency of the province",
            errors=[{"field": "body.lab_org_id", "message": "not eligible"}],
        )
    retest_id = new_id()
    copy = samples.SampleRecord(
        id=retest_id,
        task_kind="FJRW",
        task_id=retest_id,
        unit_org_id=lab.id,
        parties=set(original.parties or ()) | {lab.id},
        region=original.region,
        state="sampled",
        content_hash=original.content_hash,
        product_code=original.product_code,
        product_name=original.product_name,
        trace_code=original.trace_code,
        product_id=original.product_id,
        batch_id=original.batch_id,
        subject_id=original.subject_id,
        subject_name=original.subject_name,
        place=original.place,
        sampled_at=original.sampled_at,
        sampled_by=original.sampled_by,
        quantity=original.quantity,
        quantity_unit=original.quantity_unit,
        seal_no=original.seal_no,  # the reserved sample (备份样品) carries the same seal
        custody=[],
        items=original.items,
        results={},
        verdict="pending",
        unqualified_items=[],
        parent_sample_id=original.id,
    )
    rec.retest = {
        **rec.retest,
        "state": "assigned",
        "lab_org_id": lab.id,
        "retest_sample_id": retest_id,
        "assigned_by": user.user_id,
    }
    rec.parties = set(rec.parties or ()) | {lab.id}
    audit.commit(
        [
            audit.Change(
                copy,
                "sample.retest_created",
                detail={"retests": original.id},
                condition=samples.SampleRecord.pk.does_not_exist(),
            ),
            audit.Change(rec, "retest.assigned", detail={"lab": lab.id, "retest_sample": retest_id}),
        ],
        actor=user.user_id,
    )
    return retest_view(rec)


# --- stream subscribers -----------------------------------------------------------------------------------


def start_window(change: RecordChange) -> None:
    """A spot check's sample failed: its retest window opens (one execution per failure)."""
    if change.kind != KIND or not change.created or change.image.get("task_kind") != "JDCC":
        return
    settings = get_settings()
    workflows.start(
        settings.retest_state_machine_arn,
        kind=KIND,
        record_id=change.image["sample_id"],
        transition="retest",
        payload={
            "sample_id": change.image["sample_id"],
            "timeouts": {
                "application": settings.retest_window_seconds,
                "retest": settings.retest_within_seconds,
                "grace": settings.retest_within_seconds,
            },
        },
    )


def retest_tested(change: RecordChange) -> None:
    """A retest sample got its verdict: the waiting workflow learns it."""
    image = change.image
    if change.kind != "Sample" or image.get("task_kind") != "FJRW" or image.get("verdict") in {None, "pending"}:
        return
    if (change.old or {}).get("verdict") not in {None, "pending"}:
        return
    failure = samples.get_failure(str(image["parent_sample_id"]))
    if failure.final_verdict:
        return
    if failure.token and failure.stage == "retest":
        workflows.answer(failure.token, {"verdict": image["verdict"]})
    # Else the workflow is not waiting yet: when it gets there, it finds the verdict itself (store_token).


# --- state-machine tasks -------------------------------------------------------------------------------------------


def _stage_output(rec: samples.FailureRecord, stage: str) -> dict[str, Any] | None:
    retest = rec.retest or {}
    if stage == "application" and retest:
        return {"applied": True}
    if stage == "retest" and retest.get("retest_sample_id"):
        copy = samples.get_sample(retest["retest_sample_id"])
        if copy.verdict != "pending":
            return {"verdict": copy.verdict}
    return None


def store_token(record: dict[str, Any], token: str) -> None:
    stage = record["stage"]
    for _ in range(3):
        rec = samples.get_failure(record["id"])
        output = _stage_output(rec, stage)
        if output is not None:
            workflows.send_success(token, output)
            return
        if rec.state == "withdrawn":
            workflows.send_failure(token, "Withdrawn", "the failure was corrected away")
            return
        version = int(rec.version or 0)
        rec.token, rec.stage = token, stage
        try:
            audit.commit(
                audit.Change(rec, f"retest.awaiting_{stage}", condition=samples.FailureRecord.version == version),
                actor=SYSTEM,
            )
        except ConflictError:
            continue
        # The retest's verdict lands on another record (the retest sample): if it came while the token was being
        # stored, the stream found no token to answer. Look once more, so no wake-up is lost.
        late = _stage_output(rec, stage)
        if late is not None:
            workflows.answer(token, late)
        return
    raise ConflictError("the failure kept changing while the workflow stored its token")


def remind(record: dict[str, Any]) -> dict[str, Any]:
    rec = samples.get_failure(record["id"])
    if _stage_output(rec, record["stage"]) is not None:
        return {"reminded": False}
    rec.reminders = int(rec.reminders or 0) + 1
    audit.commit(audit.Change(rec, "retest.overdue", detail={"stage": record["stage"]}), actor=SYSTEM)
    return {"reminded": True}


def record_failure(record: dict[str, Any], error: dict[str, Any]) -> None:
    rec = samples.get_failure(record["id"])
    rec.workflow_error = f"{record.get('stage', 'retest')}: {str(error.get('Error') or error)[:300]}"
    audit.commit(audit.Change(rec, "retest.workflow_failed", detail={"error": rec.workflow_error}), actor=SYSTEM)


def close(event: dict[str, Any]) -> dict[str, Any]:
    """Task: the final verdict. With no application in the legal period it is the original one; else the retest's."""
    rec = samples.get_failure(event["sample_id"])
    if rec.final_verdict:
        return {"final_verdict": rec.final_verdict}
    if rec.state == "withdrawn":  # corrected away while the window ran: nothing to make final, nothing to hand over
        return {"final_verdict": None, "withdrawn": True}
    lapsed = event.get("outcome") == "lapsed"
    verdict = "unqualified" if lapsed else str(event["verdict"])
    rec.final_verdict = verdict
    rec.state = "confirmed" if verdict == "unqualified" else "cleared"
    rec.token, rec.stage = None, None
    if rec.retest and not lapsed:
        rec.retest = {**rec.retest, "state": "tested", "verdict": verdict}
    audit.commit(
        audit.Change(rec, f"failure.{rec.state}", detail={"by": "retest period lapsed" if lapsed else "retest"}),
        actor=SYSTEM,
    )
    return {"final_verdict": verdict}


def visible_failure(user: Principal, sample_id: str) -> samples.FailureRecord:
    return _failure(user, sample_id)

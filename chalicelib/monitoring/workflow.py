"""The distribution workflow's side: assignments it creates, the steps it waits on, reminders and failures.

A published task starts one execution (infra/statemachines/distribution.asl.json): it creates the lead
unit's assignment, waits for its receipt, for the distribution, then fans out one assignment per
undertaking unit (Map), waits for each unit's receipt and report, and finally for the overall report.
Every wait stores its callback token on the assignment a person must act on; the API call that acts
answers it. A step whose condition is already met when the workflow reaches it is answered at once.
"""

from __future__ import annotations

import contextlib
from typing import Any

from chalicelib.core import audit, clock, workflows
from chalicelib.core.config import get_settings
from chalicelib.core.errors import ConflictError, NotFoundError
from chalicelib.core.events import RecordChange
from chalicelib.testing import service as testing
from chalicelib.testing import store as samples

from . import store

KIND = "MonitoringAssignment"
TASK_KIND = "MonitoringTask"
SYSTEM = "system:workflow"
LEAD, UNIT = "lead", "unit"


def seconds_until(day: str) -> int:
    """Seconds from now to the end of `day` in China Standard Time (at least 1: a deadline never waits forever)."""
    return clock.seconds_until(clock.cst_day_end(day))


# --- stream subscribers ----------------------------------------------------------------------------


def start_distribution(change: RecordChange) -> None:
    """A task published (again) starts its distribution workflow once per publication; a lead acting after
    the workflow failed (its deadlines missed twice) resumes it, once per failure, from where the task stands."""
    if change.kind != TASK_KIND or change.state == change.old_state:
        return
    image = change.image
    failures = int(image.get("workflow_failures") or 0)
    if change.state == "published":
        transition = f"publish-{int(image['publications'])}"
    elif failures and change.state in {"received", "in_progress", "submitted"}:
        transition = f"resume-{failures}"
    else:
        return
    workflows.start(
        get_settings().distribution_state_machine_arn,
        kind=TASK_KIND,
        record_id=image["id"],
        transition=transition,
        payload={
            "task_id": image["id"],
            "lead_org_id": image["lead_org_id"],
            "timeouts": {"receipt": int(image["receipt_within_seconds"]), "grace": int(image["grace_seconds"])},
        },
    )
    if transition.startswith("resume"):
        task = store.get_task(image["id"])
        if task.workflow_error and int(task.workflow_failures or 0) == failures:
            task.workflow_error = None
            with contextlib.suppress(ConflictError):  # changed meanwhile: the error stays until the next change
                audit.commit(
                    audit.Change(task, "monitoring.workflow_resumed", detail={"after": failures}), actor=SYSTEM
                )


def stop_cancelled(change: RecordChange) -> None:
    """A cancelled task stops its workflow, and every open assignment shows the cancellation."""
    if change.kind != TASK_KIND or change.state != "cancelled" or change.old_state == "cancelled":
        return
    image = change.image
    if image.get("publications"):
        workflows.stop(
            get_settings().distribution_state_machine_arn,
            kind=TASK_KIND,
            record_id=image["id"],
            transition=f"publish-{int(image['publications'])}",
            cause="the issuing agency cancelled the task",
        )
    for item in store.task_partition(image["id"]):
        if isinstance(item, store.AssignmentRecord):
            _cancel_assignment(item)


def _cancel_assignment(rec: store.AssignmentRecord) -> None:
    """Close an open assignment; if it moved meanwhile, read it again (a few times, then let the stream retry)."""
    for _ in range(3):
        if rec.state in {"reported", "returned", "cancelled"}:
            return
        expected = rec.state
        rec.state, rec.token, rec.stage = "cancelled", None, None
        try:
            audit.commit(
                audit.Change(rec, "assignment.cancelled", condition=store.AssignmentRecord.state == expected),
                actor=SYSTEM,
            )
            return
        except ConflictError:
            rec = store.get_assignment(rec.task_id, rec.role, rec.org_id)
    raise ConflictError("the assignment kept changing while the task was cancelled")


def count_progress(change: RecordChange) -> None:
    """Samples reaching a milestone add to their unit's counters, exactly once per sample and milestone."""
    if change.kind != "Sample":
        return
    reached = testing.milestones(change.new, change.old)
    if reached:
        image = change.image
        samples.count_once(
            str(image["task_id"]),
            str(image["unit_org_id"]),
            str(image["id"]),
            reached,
            shards=get_settings().progress_shards,
        )


# --- state-machine tasks ---------------------------------------------------------------------------


def create_assignment(event: dict[str, Any]) -> dict[str, Any]:
    """Task: the lead's or one unit's assignment, once; a republished task reopens the lead's."""
    task = store.get_task(event["task_id"])
    role, org_id = event["role"], event["org_id"]
    if role == LEAD:
        quotas: list[dict[str, Any]] = []
        deadline = task.deadline
    else:
        plan = next((p for p in task.plan or [] if p["org_id"] == org_id), None)
        if plan is None:
            raise NotFoundError(f"{org_id} has no quota in the task's plan")
        quotas, deadline = plan["quotas"], plan["deadline"]
    try:
        rec = store.get_assignment(task.id, role, org_id)
        if role == LEAD and rec.state == "returned" and task.state == "published":
            rec.state, rec.return_reason, rec.overdue, rec.workflow_error = "assigned", None, False, None
            audit.commit(
                audit.Change(rec, "assignment.reopened", condition=store.AssignmentRecord.state == "returned"),
                actor=SYSTEM,
            )
    except NotFoundError:
        rec = store.AssignmentRecord(
            id=store.assignment_id(task.id, role, org_id),
            task_id=task.id,
            org_id=org_id,
            role=role,
            task_kind=task.task_kind,
            title=task.title,
            issuer_org_id=task.issuer_org_id,
            lead_org_id=task.lead_org_id,
            parties={task.issuer_org_id, task.lead_org_id, org_id},
            region=task.region,
            state=_initial_state(task, role),
            quotas=quotas,
            allocated=sum(int(q["samples"]) for q in quotas),
            deadline=deadline,
        )
        try:
            audit.commit(
                audit.Change(rec, "assignment.created", condition=store.AssignmentRecord.pk.does_not_exist()),
                actor=SYSTEM,
            )
        except ConflictError:
            rec = store.get_assignment(task.id, role, org_id)  # a retried task created it already
    return {"id": rec.id, "report_seconds": seconds_until(rec.deadline)}


def _initial_state(task: store.MonitoringTaskRecord, role: str) -> str:
    """A lead that received the task before the workflow got here starts out received (or reported)."""
    if role == LEAD and task.state in {"submitted", "completed"}:
        return "reported"
    if role == LEAD and task.state in {"received", "in_progress"}:
        return "received"
    return "assigned"


def _stage_output(task: store.MonitoringTaskRecord, rec: store.AssignmentRecord, stage: str) -> dict[str, Any] | None:
    """What the step waiting for `stage` would be answered with, if that already happened."""
    if rec.role == LEAD:
        if stage == "receipt" and task.state in {"received", "in_progress", "submitted", "completed"}:
            return {"received": True}
        if stage == "distribution" and task.state in {"in_progress", "submitted", "completed"}:
            return {"units": [{"org_id": p["org_id"]} for p in task.plan or []]}
        if stage == "report" and task.state in {"submitted", "completed"}:
            return {"report": task.overall_report_id}
        return None
    if stage == "receipt" and rec.state in {"received", "reported"}:
        return {"received": True}
    if stage == "report" and rec.state == "reported":
        return {"report": rec.report_id}
    return None


def _stopped(task: store.MonitoringTaskRecord, rec: store.AssignmentRecord) -> str | None:
    if task.state == "cancelled" or rec.state == "cancelled":
        return "Cancelled"
    if rec.state == "returned" or (rec.role == LEAD and task.state == "returned"):
        return "Returned"
    return None


def store_token(record: dict[str, Any], token: str) -> None:
    """Task: keep the callback token on the assignment until its unit acts (or answer at once if it has)."""
    task_id, role, org_id = store.split_assignment_id(record["id"])
    stage = record["stage"]
    for _ in range(3):
        task = store.get_task(task_id)
        rec = store.get_assignment(task_id, role, org_id)
        output = _stage_output(task, rec, stage)
        if output is not None:
            workflows.send_success(token, output)
            return
        stopped = _stopped(task, rec)
        if stopped:
            workflows.send_failure(token, stopped, f"the {role} assignment is {rec.state}, the task {task.state}")
            return
        if rec.token == token:
            return
        version = int(rec.version or 0)
        rec.token, rec.stage = token, stage
        if stage == "receipt" and rec.state == "assigned":
            rec.state = "awaiting_receipt"
        try:
            audit.commit(
                audit.Change(rec, f"assignment.awaiting_{stage}", condition=store.AssignmentRecord.version == version),
                actor=SYSTEM,
            )
        except ConflictError:
            continue  # the unit acted meanwhile: look again
        # The act this step waits for may have landed on another record (the task) while the token was being
        # stored, and found no token to answer: look once more, so no wake-up is lost.
        late = _stage_output(store.get_task(task_id), rec, stage)
        if late is not None:
            workflows.answer(token, late)
        return
    raise ConflictError("the assignment kept changing while the workflow stored its token")


def remind(record: dict[str, Any]) -> dict[str, Any]:
    """Task: a deadline passed. The unit gets a reminder, the issuing agency a warning (both through the feed)."""
    task_id, role, org_id = store.split_assignment_id(record["id"])
    stage = record["stage"]
    task = store.get_task(task_id)
    rec = store.get_assignment(task_id, role, org_id)
    if _stage_output(task, rec, stage) is not None or _stopped(task, rec):
        return {"reminded": False}
    rec.overdue, rec.reminders = True, int(rec.reminders or 0) + 1
    audit.commit(
        audit.Change(
            rec,
            "assignment.overdue",
            detail={"stage": stage, "warn": [task.issuer_org_id, org_id]},
            condition=store.AssignmentRecord.version == int(rec.version or 0),
        ),
        actor=SYSTEM,
    )
    return {"reminded": True, "stage": stage}


def record_failure(record: dict[str, Any], error: dict[str, Any]) -> None:
    """Task: whatever failed (a deadline missed after the reminder too, a step that kept failing) shows on both."""
    task_id, role, org_id = store.split_assignment_id(record["id"]) if "id" in record else (record["task_id"], LEAD, "")
    reason = f"{record.get('stage', 'workflow')}: {str(error.get('Error') or error)[:300]}"
    task = store.get_task(task_id)
    task.workflow_error = reason
    if role == LEAD:  # the execution ends failed; the lead's next action resumes it
        task.workflow_failures = int(task.workflow_failures or 0) + 1
    changes = [audit.Change(task, "monitoring.workflow_failed", detail={"error": reason, "unit": org_id or None})]
    if org_id:
        try:
            rec = store.get_assignment(task_id, role, org_id)
            rec.workflow_error = reason
            changes.append(audit.Change(rec, "assignment.workflow_failed", detail={"error": reason}))
        except NotFoundError:
            pass
    audit.commit(changes, actor=SYSTEM)

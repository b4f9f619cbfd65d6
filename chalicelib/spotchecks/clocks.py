"""The clocks of a spot-check task (Art 19): its receipt deadline and its completion deadline.

Each publication of a task starts one execution of the spot-check state machine
(`SpotCheck-{task_id}-publish-{n}`), a loop of `tick` and a wait. A deadline that passes reminds the
assignee; the grace period after it passing too escalates to the issuer and the agency above the
issuer, which joins the task's parties (its inbox, its view of the task). What happened is on the
task (`clock`, `reminders`) and in its audit chain.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import audit, clock, workflows
from chalicelib.core.config import get_settings
from chalicelib.core.events import RecordChange
from chalicelib.orgs import store as orgs

from . import store

KIND = "SpotCheck"
SYSTEM = "system:workflow"
# A publication's clock ends when the task leaves it: returned (a new publication starts a new clock),
# cancelled, or done. The receipt clock is satisfied once the task left `published`.
ENDED = {"draft", "returned", "cancelled", "completed"}
DONE = {"submitted", "completed"}
RECEIPT_STEPS = {"receipt", "receipt_due", "receipt_grace"}


def transition(publication: int) -> str:
    return f"publish-{publication}"


def start_clock(change: RecordChange) -> None:
    """Stream: a task (or a child task of a split) was published: its clock starts, once per publication."""
    if change.kind != KIND or change.state != "published" or change.old_state == "published":
        return
    image = change.image
    publication = int(image.get("publications") or 1)
    workflows.start(
        get_settings().clock_state_machine_arn,
        kind=KIND,
        record_id=image["id"],
        transition=transition(publication),
        payload={
            "kind": KIND,
            "id": image["id"],
            "context": {"publication": publication},
            "clock": {"step": "receipt"},
        },
    )


def stop_clock(rec: store.SpotCheckRecord, cause: str) -> None:
    if rec.publications:
        workflows.stop(
            get_settings().clock_state_machine_arn,
            kind=KIND,
            record_id=rec.id,
            transition=transition(int(rec.publications)),
            cause=cause,
        )


def tick(record: dict[str, Any]) -> dict[str, Any]:
    """Task of the clock: do what is due at `step`, and name the next step and how long until it.

    receipt → (receipt_due passed) reminder → receipt_grace → escalation → deadline → (deadline day over)
    reminder → deadline_grace → escalation → end. A task received skips what is left of the receipt's steps;
    a task done (report submitted, accepted) or ended (returned, cancelled, a newer publication) ends the clock.
    """
    rec = store.get(record["id"])
    step = record["step"]
    if rec.state in ENDED or int(rec.publications or 1) != int(record["context"]["publication"]):
        return _next("ended", 0, done=True)
    grace = get_settings().spotcheck_grace_seconds
    if step in RECEIPT_STEPS:
        if rec.state != "published":
            step = "deadline"
        elif step == "receipt":
            return _next("receipt_due", clock.seconds_until(clock.parse_iso(rec.receipt_due)))
        elif step == "receipt_due":
            _mark(rec.id, "receipt", "reminded")
            return _next("receipt_grace", grace)
        else:
            _mark(rec.id, "receipt", "escalated")
            step = "deadline"
    if rec.state in DONE:
        return _next("done", 0, done=True)
    if step == "deadline":
        end = clock.cst_day_end(rec.deadline)
        if clock.now() < end:
            return _next("deadline_due", clock.seconds_until(end))
        step = "deadline_due"
    if step == "deadline_due":
        _mark(rec.id, "deadline", "reminded")
        return _next("deadline_grace", grace)
    _mark(rec.id, "deadline", "escalated")
    return _next("escalated", 0, done=True)


def _next(step: str, wait: int, *, done: bool = False) -> dict[str, Any]:
    return {"step": step, "wait": wait, "done": done}


def _mark(task_id: str, stage: str, what: str) -> None:
    """Record a reminder (to the assignee) or an escalation (to the issuer and the agency above it), once per
    stage however often the task is retried; a concurrent change by the assignee is read again and kept."""

    def attempt() -> None:
        rec = store.get(task_id)
        marks = dict(rec.clock or {})
        entry = dict(marks.get(stage) or {})
        if entry.get(f"{what}_at"):
            return
        entry[f"{what}_at"] = clock.iso(clock.now())
        if what == "reminded":
            rec.reminders = int(rec.reminders or 0) + 1
            to = [rec.assignee_org_id]
        else:
            above = orgs.get_agency(rec.issuer_org_id).parent_id
            to = [rec.issuer_org_id, *([above] if above else [])]
            entry["escalated_to"] = to
            rec.parties = set(rec.parties or ()) | set(to)
        marks[stage] = entry
        rec.clock = marks
        audit.commit(audit.Change(rec, f"spotcheck.{what}", detail={"stage": stage, "to": to}), actor=SYSTEM)

    audit.again_on_conflict(attempt)

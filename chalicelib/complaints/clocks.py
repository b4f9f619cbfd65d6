"""The legal clocks of a complaint or report, and what the stream does with a case.

Each receipt of a case (its filing, or its transfer to another agency) starts one execution of the generic clock
(`Complaint-{id}-accept-{round}`): when the acceptance limit (受理期限: working days, see workdays.py) ends
undecided, the handling agency is reminded; when the grace after it ends too, the case is escalated to the agency
above, which joins its parties (its inbox, its view). A decision, or a transfer, stops the round's clock.

The stream also releases a filing that waited for its files (all verified: received; one quarantined: refused,
no case) and counts each received case once by region, product and hazard per China-time day.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.core import audit, clock, workflows
from chalicelib.core.config import get_settings
from chalicelib.core.errors import ConflictError, NotFoundError
from chalicelib.core.events import RecordChange
from chalicelib.orgs import store as orgs

from . import store

KIND = "Complaint"
SYSTEM = "system:workflow"
MAX_WAIT = 300 * 86400  # a Wait state waits at most a year: further deadlines are waited for in steps


def transition(clock_round: int) -> str:
    return f"accept-{clock_round}"


def start_clock(change: RecordChange) -> None:
    """Stream: a case was received (filed, its files verified, or transferred): its round's clock starts, once."""
    if change.kind != KIND or change.state != "received":
        return
    image, old = change.image, change.old or {}
    clock_round = int(image.get("clock_round") or 0)
    if change.old_state == "received" and int(old.get("clock_round") or 0) == clock_round:
        return
    workflows.start(
        get_settings().clock_state_machine_arn,
        kind=KIND,
        record_id=image["id"],
        transition=transition(clock_round),
        payload={"kind": KIND, "id": image["id"], "context": {"round": clock_round}, "clock": {"step": "open"}},
    )


def tick(record: dict[str, Any]) -> dict[str, Any]:
    """Task of the clock: open → (the limit's last day over) reminded → (grace over) escalated, end.

    A case decided or transferred (a newer round) ends the clock; a step woken early waits again.
    """
    try:
        rec = store.get(record["id"])
    except NotFoundError:
        return _next("gone", 0, done=True)
    if rec.state != "received" or int(rec.clock_round or 0) != int(record["context"]["round"]):
        return _next("ended", 0, done=True)
    due_end = clock.cst_day_end(str(rec.accept_due))
    if clock.now() < due_end:
        return _next("due", _wait(due_end))
    _mark(rec.id, int(rec.clock_round), "reminded")
    escalate_at = due_end + timedelta(seconds=get_settings().complaint_grace_seconds)
    if clock.now() < escalate_at:
        return _next("grace", _wait(escalate_at))
    _mark(rec.id, int(rec.clock_round), "escalated")
    return _next("escalated", 0, done=True)


def _wait(moment: Any) -> int:
    return min(clock.seconds_until(moment), MAX_WAIT)


def _next(step: str, wait: int, *, done: bool = False) -> dict[str, Any]:
    return {"step": step, "wait": wait, "done": done}


def _mark(complaint_id: str, clock_round: int, what: str) -> None:
    """The reminder (to the handling agency) or the escalation (to the agency above it), once per round."""

    def attempt() -> None:
        rec = store.get(complaint_id)
        marks = dict(rec.clock or {})
        if rec.state != "received" or int(rec.clock_round or 0) != clock_round or marks.get(f"{what}_at"):
            return
        marks[f"{what}_at"] = clock.iso(clock.now())
        to = [rec.org_id]
        if what == "escalated":
            parent = orgs.get_agency(rec.org_id).parent_id
            if parent:
                marks["escalated_to"] = parent
                rec.parties = {*(rec.parties or ()), parent}
                to = [parent]
        rec.clock = marks
        audit.commit(
            audit.Change(
                rec,
                f"complaint.{what}",
                detail={"accept_due": rec.accept_due, "to": to},
                condition=store.ComplaintRecord.state == "received",
            ),
            actor=SYSTEM,
        )

    audit.again_on_conflict(attempt)


# --- files of a filing ---------------------------------------------------------------------------------


def files_checked(change: RecordChange) -> None:
    """Stream: a file of a filing was verified or quarantined. A filing waits for all its files: all verified,
    the case is received (and routed); one quarantined, the filing is refused and no case is left behind."""
    if change.kind != "Attachment" or change.image.get("owner_kind") != "complaint":
        return
    if change.state not in {"attached", "quarantined"} or change.old_state != "pending":
        return
    from chalicelib.attachments import store as attachments

    try:
        rec = store.get(change.image["owner_id"])
    except NotFoundError:
        return
    if rec.state != "awaiting_files":
        return  # evidence added later: it does not change the case
    found = attachments.get_many([f["id"] for f in rec.files or ()])
    states = {a.state for a in found.values()}
    if "quarantined" in states:
        rec.state = "refused"
        action = "complaint.refused"
    elif states == {"attached"} and len(found) == len(rec.files or ()):
        from .service import receive

        receive(rec, clock.now())
        action = "complaint.received"
    else:
        return
    try:
        audit.commit(audit.Change(rec, action, condition=store.ComplaintRecord.state == "awaiting_files"), actor=SYSTEM)
    except ConflictError:
        return  # delivered again, or the other file's event got there first

"""Rules of dispatch instructions: who may send to whom, acknowledgement, escalation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.core import audit, clock, workflows
from chalicelib.core.access import Principal, check_access, governs
from chalicelib.core.config import get_settings
from chalicelib.core.errors import ConflictError, ForbiddenError, InvalidStateError, NotFoundError, Unprocessable
from chalicelib.core.events import RecordChange
from chalicelib.core.ids import new_id
from chalicelib.orgs import store as orgs

from . import store
from .models import AcknowledgeRequest, InstructionListQuery, InstructionPage, InstructionView, SendInstructionRequest

KIND = "Instruction"
SYSTEM = "system:workflow"


def view(rec: store.InstructionRecord) -> InstructionView:
    return InstructionView(
        id=rec.id,
        from_org_id=rec.from_org_id,
        to_org_id=rec.to_org_id,
        title=rec.title,
        body=rec.body,
        state=rec.state,
        due_at=rec.due_at,
        sent_at=rec.created_at or "",
        acknowledged_by=rec.acknowledged_by,  # type: ignore[arg-type]
        acknowledged_at=rec.acknowledged_at,
        feedback=rec.feedback,
        escalated_to=rec.escalated_to,
        workflow_error=rec.workflow_error,
        version=int(rec.version or 0),
    )


def send(user: Principal, req: SendInstructionRequest) -> InstructionView:
    target = orgs.get_agency(req.to_org_id)
    if not governs(user, target.region or ""):
        raise NotFoundError("no such agency in your jurisdiction")
    if target.id == user.org_id:
        raise Unprocessable(
            "send instructions to the agencies below yours",
            errors=[{"field": "body.to_org_id", "message": "your own agency"}],
        )
    if not target.active:
        raise Unprocessable("that agency is not active", errors=[{"field": "body.to_org_id", "message": "inactive"}])
    rec = store.InstructionRecord(
        id=new_id(),
        from_org_id=user.org_id,
        to_org_id=target.id,
        sent_by=user.user_id,
        title=req.title,
        body=req.body,
        state="sent",
        region=target.region,
        parties={user.org_id, target.id},
        respond_within_seconds=str(req.respond_within_seconds),
        due_at=clock.iso(clock.now() + timedelta(seconds=req.respond_within_seconds)),
    )
    audit.commit(audit.Change(rec, "instruction.sent"), actor=user.user_id)
    return view(rec)


def _visible(user: Principal, instruction_id: str) -> store.InstructionRecord:
    rec = store.get(instruction_id)
    check_access(user, region=rec.region, parties=rec.parties or ())
    return rec


def get(user: Principal, instruction_id: str) -> InstructionView:
    return view(_visible(user, instruction_id))


def listing(user: Principal, query: InstructionListQuery) -> InstructionPage:
    find = store.received_by if query.box == "received" else store.sent_by
    recs, cursor = find(user.org_id, limit=query.limit, cursor=query.cursor)
    return InstructionPage(items=[view(r) for r in recs], next_cursor=cursor)


def acknowledge(user: Principal, instruction_id: str, req: AcknowledgeRequest) -> InstructionView:
    """签收: the recipient acknowledges; a late acknowledgement is kept, and the escalation stands."""
    rec = _visible(user, instruction_id)
    if rec.to_org_id != user.org_id:
        raise ForbiddenError("only the receiving agency acknowledges an instruction")
    if rec.state not in {"sent", "awaiting", "overdue"}:
        raise InvalidStateError(f"the instruction is already {rec.state}")
    expected, token = rec.state, rec.ack_token
    if token:
        # Answer the workflow first: if its deadline already passed, this acknowledgement is a late one.
        try:
            workflows.send_success(token, {"acknowledged_by": user.user_id})
        except InvalidStateError:
            expected = "overdue" if store.get(instruction_id).state == "overdue" else expected
    rec.state, rec.ack_token = "acknowledged", None
    rec.acknowledged_by, rec.acknowledged_at, rec.feedback = user.user_id, clock.iso(clock.now()), req.feedback
    audit.commit(
        audit.Change(
            rec,
            "instruction.acknowledged",
            detail={"late": expected == "overdue"},
            condition=store.InstructionRecord.state == expected,
        ),
        actor=user.user_id,
    )
    return view(rec)


# --- the acknowledgement workflow's side -------------------------------------------------------


def start_acknowledgement(change: RecordChange) -> None:
    """Stream subscriber: a newly sent instruction starts its acknowledgement clock (once)."""
    if change.kind != KIND or not change.created:
        return
    image = change.image
    workflows.start(
        get_settings().ack_state_machine_arn,
        kind=KIND,
        record_id=image["id"],
        transition="ack",
        payload={"record": {"kind": KIND, "id": image["id"]}, "timeout_seconds": int(image["respond_within_seconds"])},
    )


def store_ack_token(instruction_id: str, token: str) -> None:
    """Workflow task: keep the callback token on the instruction until its recipient acknowledges.

    A retried task brings a new token, and only the newest can still be answered, so it replaces the old one.
    """
    for _ in range(3):
        rec = store.get(instruction_id)
        if rec.state == "acknowledged":
            # Acknowledged before the workflow got here: answer at once.
            workflows.send_success(token, {"acknowledged_by": rec.acknowledged_by})
            return
        if rec.state not in {"sent", "awaiting"} or rec.ack_token == token:
            return
        expected = rec.state
        rec.state, rec.ack_token = "awaiting", token
        try:
            audit.commit(
                audit.Change(rec, "instruction.awaiting", condition=store.InstructionRecord.state == expected),
                actor=SYSTEM,
            )
            return
        except ConflictError:
            continue  # changed meanwhile (acknowledged, or another retry): look again
    raise ConflictError("the instruction kept changing while the workflow stored its token")


def escalate(instruction_id: str) -> dict[str, Any]:
    """Workflow task: the deadline passed; the agency above the recipient now sees it as overdue."""
    rec = store.get(instruction_id)
    # Under load the deadline can pass before the token was even stored: "sent" is overdue too.
    if rec.state not in {"sent", "awaiting"}:
        return {"escalated": False, "state": rec.state}
    expected = rec.state
    recipient = orgs.get_agency(rec.to_org_id)
    rec.state, rec.ack_token = "overdue", None
    rec.escalated_to = recipient.parent_id
    if recipient.parent_id:
        rec.parties = set(rec.parties or ()) | {recipient.parent_id}
    audit.commit(
        audit.Change(
            rec,
            "instruction.escalated",
            detail={"to": recipient.parent_id},
            condition=store.InstructionRecord.state == expected,
        ),
        actor=SYSTEM,
    )
    return {"escalated": True, "to": recipient.parent_id}


def record_failure(instruction_id: str, error: dict[str, Any]) -> None:
    """Workflow task: whatever failed, the instruction shows it."""
    rec = store.get(instruction_id)
    rec.workflow_error = str(error.get("Error") or error)[:500]
    audit.commit(audit.Change(rec, "instruction.workflow_failed", detail={"error": rec.workflow_error}), actor=SYSTEM)


def readable(user: Principal, instruction_id: str) -> store.InstructionRecord:
    """The instruction, if the user may see it (its parties and the agencies governing its region)."""
    return _visible(user, instruction_id)

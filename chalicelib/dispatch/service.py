"""Rules of dispatch instructions: who may send to whom, acknowledgement, escalation."""

from __future__ import annotations

import json
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
from .models import (
    AcknowledgeRequest,
    CloseInstructionRequest,
    FeedbackRequest,
    FeedbackRound,
    FeedbackRoundRequest,
    InstructionListQuery,
    InstructionPage,
    InstructionView,
    SendInstructionRequest,
)

KIND = "Instruction"
FEEDBACK_KIND = "InstructionFeedback"
SYSTEM = "system:workflow"
DEFAULT_FEEDBACK_SECONDS = 7 * 86400
# The feedback reminder comes when this share of the round's time is left.
REMIND_SHARE = 0.2


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
        feedback_within_seconds=_feedback_seconds(rec),
        rounds=[FeedbackRound(**r) for r in rec.rounds or []],
        closed_by=rec.closed_by,
        closed_at=rec.closed_at,
        closing_note=rec.closing_note,
        warning_id=rec.warning_id,
        version=int(rec.version or 0),
    )


def _feedback_seconds(rec: store.InstructionRecord) -> int:
    return int(rec.feedback_within_seconds or DEFAULT_FEEDBACK_SECONDS)


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
    if req.warning_id is not None:
        warning_of(user, req.warning_id)
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
        feedback_within_seconds=str(req.feedback_within_seconds),
        warning_id=req.warning_id,
    )
    audit.commit(audit.Change(rec, "instruction.sent", detail={"warning": req.warning_id}), actor=user.user_id)
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
    # The first feedback round opens with the acknowledgement: its clock starts from the stream.
    rec.rounds = [_round(1, rec.sent_by, None, _feedback_seconds(rec))]
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


def warning_of(user: Principal, warning_id: str) -> Any:
    """The warning an instruction acts on, if the sender may read it (404 otherwise)."""
    from chalicelib.warnings import service as warnings

    try:
        return warnings.visible_warning(user, warning_id)
    except NotFoundError as exc:
        raise NotFoundError("no such warning in your jurisdiction") from exc


def _round(number: int, asked_by: str, question: str | None, seconds: int) -> dict[str, Any]:
    now = clock.now()
    return FeedbackRound(
        round=number,
        asked_at=clock.iso(now),
        asked_by=asked_by,
        question=question,
        due_at=clock.iso(now + timedelta(seconds=seconds)),
    ).model_dump()


def _open_round(rec: store.InstructionRecord) -> dict[str, Any] | None:
    rounds = list(rec.rounds or [])
    return rounds[-1] if rounds and not rounds[-1].get("answered_at") else None


def feedback(user: Principal, instruction_id: str, req: FeedbackRequest) -> InstructionView:
    """反馈: the receiving agency reports what it did, with files attached to the instruction."""
    rec = _visible(user, instruction_id)
    if rec.to_org_id != user.org_id:
        raise ForbiddenError("only the receiving agency gives feedback on an instruction")
    current = _open_round(rec)
    if rec.state != "acknowledged" or current is None:
        raise InvalidStateError(f"no feedback is asked for: the instruction is {rec.state}")
    _check_files(instruction_id, list(req.attachment_ids))
    current.update(
        answered_at=clock.iso(clock.now()),
        answered_by=user.user_id,
        note=req.note,
        attachment_ids=list(req.attachment_ids),
    )
    rec.rounds = [*list(rec.rounds or [])[:-1], current]
    rec.state = "fed_back"
    audit.commit(
        audit.Change(
            rec,
            "instruction.fed_back",
            detail={"round": current["round"], "files": len(req.attachment_ids)},
            condition=store.InstructionRecord.state == "acknowledged",
        ),
        actor=user.user_id,
    )
    return view(rec)


def _check_files(instruction_id: str, attachment_ids: list[str]) -> None:
    from chalicelib.attachments import store as attachments

    found = attachments.get_many(attachment_ids)
    errors = [
        {"field": f"body.attachment_ids.{i}", "message": "not a file attached to this instruction"}
        for i, a in enumerate(attachment_ids)
        if a not in found or (found[a].owner_kind, found[a].owner_id) != ("instruction", instruction_id)
    ]
    if errors:
        raise Unprocessable("the feedback names files that are not this instruction's", errors=errors)


def _sender(user: Principal, rec: store.InstructionRecord, what: str) -> None:
    if rec.from_org_id != user.org_id:
        raise ForbiddenError(f"only the sending agency {what}")


def ask_again(user: Principal, instruction_id: str, req: FeedbackRoundRequest) -> InstructionView:
    """The sender is not satisfied with the feedback: another round, with its own deadline."""
    rec = _visible(user, instruction_id)
    _sender(user, rec, "asks for more feedback")
    if rec.state != "fed_back":
        raise InvalidStateError(f"more feedback is asked after feedback: the instruction is {rec.state}")
    number = len(rec.rounds or []) + 1
    rec.rounds = [*list(rec.rounds or []), _round(number, user.user_id, req.note, req.feedback_within_seconds)]
    rec.state = "acknowledged"
    audit.commit(
        audit.Change(
            rec,
            "instruction.feedback_asked",
            detail={"round": number},
            condition=store.InstructionRecord.state == "fed_back",
        ),
        actor=user.user_id,
    )
    return view(rec)


def close(user: Principal, instruction_id: str, req: CloseInstructionRequest) -> InstructionView:
    """办结: the sender closes the instruction once acknowledged; an open round's clock ends at its next step."""
    rec = _visible(user, instruction_id)
    _sender(user, rec, "closes an instruction")
    if rec.state not in {"acknowledged", "fed_back"}:
        raise InvalidStateError(f"an instruction is closed once acknowledged: it is {rec.state}")
    expected = rec.state
    rec.state, rec.closed_by, rec.closed_at, rec.closing_note = "closed", user.user_id, clock.iso(clock.now()), req.note
    audit.commit(
        audit.Change(
            rec,
            "instruction.closed",
            condition=store.InstructionRecord.state == expected,
        ),
        actor=user.user_id,
    )
    return view(rec)


def link_warning(change: RecordChange) -> None:
    """Stream subscriber: an instruction (or an order to many agencies) raised from a warning is listed on it (once)."""
    if change.kind not in {KIND, "InstructionOrder"} or not change.created or not change.image.get("warning_id"):
        return
    if change.image.get("order_id"):
        return  # a receipt of an order: the order itself is listed
    from chalicelib.warnings import store as warnings

    instruction_id, warning_id = change.image["id"], change.image["warning_id"]

    def attempt() -> None:
        try:
            warning = warnings.get_warning(warning_id)
        except NotFoundError:
            return
        if instruction_id in (warning.instruction_ids or set()):
            return
        warning.instruction_ids = set(warning.instruction_ids or ()) | {instruction_id}
        audit.commit(audit.Change(warning, "warning.instructed", detail={"instruction": instruction_id}), actor=SYSTEM)

    audit.again_on_conflict(attempt)


# --- the feedback clock --------------------------------------------------------------------------------


def start_feedback_clock(change: RecordChange) -> None:
    """Stream subscriber: a feedback round newly asked starts its clock (the same name each time: once)."""
    if change.kind != KIND or change.new is None:
        return
    new_rounds = _rounds_of(change.new)
    old_count = len(_rounds_of(change.old))
    for r in new_rounds[old_count:]:
        if r.get("answered_at"):
            continue
        workflows.start(
            get_settings().clock_state_machine_arn,
            kind=FEEDBACK_KIND,
            record_id=f"{change.new['id']}-r{r['round']}",
            transition="clock",
            payload={
                "kind": FEEDBACK_KIND,
                "id": change.new["id"],
                "context": {"round": r["round"]},
                "clock": {"step": "open"},
            },
        )


def _rounds_of(image: dict[str, Any] | None) -> list[dict[str, Any]]:
    value = (image or {}).get("rounds") or []
    return list(json.loads(value) if isinstance(value, str) else value)


def tick_feedback(record: dict[str, Any]) -> dict[str, Any]:
    """Task of the clock: asked → (a fifth of the time left) reminded → (due) overdue, escalated; ends when answered."""
    try:
        rec = store.get(record["id"])
    except NotFoundError:
        return _next("gone", 0, done=True)
    number = int(record["context"]["round"])
    found = [r for r in rec.rounds or [] if int(r["round"]) == number]
    if rec.state == "closed" or not found or found[0].get("answered_at"):
        return _next("answered", 0, done=True)
    asked, due = clock.parse_iso(found[0]["asked_at"]), clock.parse_iso(found[0]["due_at"])
    remind_at = due - (due - asked) * REMIND_SHARE
    if record["step"] in {"open", "remind"}:
        if clock.now() < remind_at:
            return _next("remind", clock.seconds_until(remind_at))
        _mark_round(rec.id, number, "reminded")
    if clock.now() < due:
        return _next("due", clock.seconds_until(due))
    _mark_round(rec.id, number, "overdue")
    return _next("overdue", 0, done=True)


def _next(step: str, wait: int, *, done: bool = False) -> dict[str, Any]:
    return {"step": step, "wait": max(wait, 0), "done": done}


def _mark_round(instruction_id: str, number: int, what: str) -> None:
    """The reminder, or the overdue mark and escalation, once however often the task runs; an answer meanwhile wins."""

    def attempt() -> None:
        rec = store.get(instruction_id)
        rounds = list(rec.rounds or [])
        at = next((i for i, r in enumerate(rounds) if int(r["round"]) == number), None)
        if at is None or rec.state == "closed" or rounds[at].get("answered_at") or rounds[at].get(f"{what}_at"):
            return
        rounds[at] = {**rounds[at], f"{what}_at": clock.iso(clock.now())}
        rec.rounds = rounds
        detail: dict[str, Any] = {"round": number, "to": rec.to_org_id}
        if what == "overdue":
            parent = orgs.get_agency(rec.to_org_id).parent_id
            rec.escalated_to = parent or rec.escalated_to
            if parent:
                rec.parties = set(rec.parties or ()) | {parent}
            detail["escalated_to"] = parent
        audit.commit(audit.Change(rec, f"instruction.feedback_{what}", detail=detail), actor=SYSTEM)

    audit.again_on_conflict(attempt)


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

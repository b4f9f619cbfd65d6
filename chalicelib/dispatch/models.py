"""Requests and views of dispatch instructions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.core.models import Integer, LongText, Name, Note, PageQuery, Strict, Ulid, View


class SendInstructionRequest(Strict):
    to_org_id: Ulid
    title: Name
    body: LongText
    respond_within_seconds: Integer = Field(
        default=86400,
        ge=1,
        le=30 * 86400,
        description="acknowledgement deadline; missing it escalates to the level above",
    )
    feedback_within_seconds: Integer = Field(
        default=7 * 86400,
        ge=60,
        le=90 * 86400,
        description="feedback (反馈) deadline counted from the acknowledgement; a reminder comes before it, and missing"
        " it escalates to the level above",
    )
    warning_id: str | None = Field(
        default=None,
        max_length=200,
        description="the risk warning (风险预警) this instruction acts on: the warning then lists the instruction",
    )


class AcknowledgeRequest(Strict):
    feedback: Note | None = None


class FeedbackRequest(Strict):
    note: LongText = Field(description="what the agency did (反馈)")
    attachment_ids: list[Ulid] = Field(
        default_factory=list, max_length=20, description="files attached to this instruction (owner_kind instruction)"
    )


class FeedbackRoundRequest(Strict):
    note: LongText = Field(description="what the sender still wants to know")
    feedback_within_seconds: Integer = Field(default=7 * 86400, ge=60, le=90 * 86400)


class CloseInstructionRequest(Strict):
    note: Note | None = Field(default=None, description="the closing remark (办结意见)")


class FeedbackRound(View):
    """One round of feedback (反馈): asked (at acknowledgement, or by the sender again), answered, or overdue."""

    round: int
    asked_at: str
    asked_by: str
    question: str | None
    due_at: str
    answered_at: str | None = None
    answered_by: str | None = None
    note: str | None = None
    attachment_ids: list[str] = Field(default_factory=list)
    reminded_at: str | None = None
    overdue_at: str | None = None


class InstructionView(View):
    """Dispatch instruction (调度指令)."""

    id: str
    from_org_id: str
    to_org_id: str
    title: str
    body: str
    state: Literal["sent", "awaiting", "acknowledged", "overdue", "fed_back", "closed"] = Field(
        description="sent → awaiting → acknowledged (签收; overdue if late) → fed_back (反馈) → acknowledged again when"
        " the sender asks another round → closed (办结) by the sender"
    )
    due_at: str
    sent_at: str
    acknowledged_by: str | None
    acknowledged_at: str | None
    feedback: str | None
    escalated_to: str | None
    workflow_error: str | None
    feedback_within_seconds: int
    rounds: list[FeedbackRound]
    closed_by: str | None
    closed_at: str | None
    closing_note: str | None
    warning_id: str | None
    version: int


class InstructionListQuery(PageQuery):
    box: Literal["received", "sent"] = "received"


class InstructionPage(View):
    items: list[InstructionView]
    next_cursor: str | None = None


class SendOrderRequest(Strict):
    """One instruction to many agencies at once: each receives its own receipt (an instruction of its own)."""

    to_org_ids: list[Ulid] = Field(min_length=1, max_length=100, description="the agencies, each governed by yours")
    title: Name
    body: LongText
    respond_within_seconds: Integer = Field(default=86400, ge=1, le=30 * 86400)
    feedback_within_seconds: Integer = Field(default=7 * 86400, ge=60, le=90 * 86400)
    warning_id: str | None = Field(default=None, max_length=200)


class ReceiptView(View):
    """One agency's receipt of an order: the instruction it received, and where it stands."""

    instruction_id: str
    to_org_id: str
    state: str
    acknowledged_at: str | None
    rounds: int
    fed_back: bool
    overdue: bool = Field(description="acknowledged late, or a feedback round overdue")
    closed_at: str | None


class ReceiptRates(View):
    agencies: int
    delivered: int = Field(description="receipts made so far (the stream makes them, moments after the order)")
    acknowledged: int
    fed_back: int
    closed: int
    overdue: int
    acknowledged_rate: float | None
    fed_back_rate: float | None
    closed_rate: float | None


class OrderView(View):
    """Dispatch order (调度指令) to many agencies, with the state of each receipt and the rates."""

    id: str
    from_org_id: str
    title: str
    body: str
    sent_at: str
    warning_id: str | None
    to_org_ids: list[str]
    receipts: list[ReceiptView]
    rates: ReceiptRates
    version: int

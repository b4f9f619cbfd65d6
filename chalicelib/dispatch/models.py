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


class AcknowledgeRequest(Strict):
    feedback: Note | None = None


class InstructionView(View):
    """Dispatch instruction (调度指令)."""

    id: str
    from_org_id: str
    to_org_id: str
    title: str
    body: str
    state: Literal["sent", "awaiting", "acknowledged", "overdue"]
    due_at: str
    sent_at: str
    acknowledged_by: str | None
    acknowledged_at: str | None
    feedback: str | None
    escalated_to: str | None
    workflow_error: str | None
    version: int


class InstructionListQuery(PageQuery):
    box: Literal["received", "sent"] = "received"


class InstructionPage(View):
    items: list[InstructionView]
    next_cursor: str | None = None

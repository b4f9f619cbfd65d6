"""Requests and views of dispatch instructions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from chalicelib.core.models import PageQuery, Strict, Ulid


class SendInstructionRequest(Strict):
    to_org_id: Ulid
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    respond_within_seconds: int = Field(
        default=86400,
        ge=1,
        le=30 * 86400,
        description="acknowledgement deadline; missing it escalates to the level above",
    )


class AcknowledgeRequest(Strict):
    feedback: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class InstructionView(BaseModel):
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


class InstructionPage(BaseModel):
    items: list[InstructionView]
    next_cursor: str | None = None

"""Requests and views of enforcement cases."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from chalicelib.core.models import STORABLE, IsoDay, LongText, Name, Note, Strict, Ulid, View


class AcknowledgeCaseRequest(Strict):
    note: Note | None = None


class Penalty(Strict):
    kind: Literal["warning", "fine", "confiscation", "suspension", "revocation", "none"]
    amount_yuan: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2), STORABLE] | None = None


class CaseResultRequest(Strict):
    """查处结果: the investigation's outcome, archived in the enforcement system."""

    case_no: Name = Field(description="the enforcement system's case number (案号)")
    finding: LongText
    decision: LongText
    penalty: Penalty
    decided_on: IsoDay
    files: list[Ulid] = Field(default_factory=list, max_length=10, description="attachments of the case (PDFs)")


class ChooseAgencyRequest(Strict):
    """The enforcement agency the supervision agency names for a failure's handover, instead of the rule."""

    org_id: Ulid = Field(description="an active enforcement agency (执法机构) directly under your agency")
    note: Note | None = None


class AgencyChoiceView(View):
    sample_id: str
    org_id: str
    chosen_by: str
    chosen_at: str
    note: str | None


class CaseView(View):
    """Enforcement case (执法案件): what was handed over, and what became of it."""

    id: str = Field(description="the case's id: its source's (the failed sample's, the inspection's, or the test's)")
    source: Literal["sample", "inspection", "entrusted"] = Field(
        description="what was handed over: a spot check's final failure, an on-site inspection's failed items, or an "
        "entrusted test (委托检测) of daily supervision reported with an unqualified sample"
    )
    sample_id: str | None = None
    inspection_id: str | None = Field(default=None, description="the on-site inspection (基地巡查) handed over")
    task_id: str | None = None
    subject_id: str | None
    subject_name: str | None
    from_org_id: str
    to_org_id: str
    state: Literal["delivered", "awaiting_acknowledgement", "acknowledged", "escalated", "archived"]
    package_hash: str
    files: list[dict[str, Any]]
    package_url: str | None = None
    escalated_to: str | None
    escalations: list[dict[str, Any]] = Field(
        default_factory=list, description="each escalation: stage, at (when), to (the agency above), reason"
    )
    reminders: int = 0
    assignment: dict[str, Any] | None = Field(
        default=None, description="why this enforcement agency: by rule (which) or by choice (who, when)"
    )
    acknowledged_by: str | None
    acknowledged_at: str | None
    result: dict[str, Any] | None
    bad_record_id: str | None
    workflow_error: str | None
    created_at: str
    version: int


class CasePage(View):
    items: list[CaseView]
    next_cursor: str | None = None


class EvidenceView(View):
    """The evidence chain (证据链) of one sample, each link with the hashes that prove it unchanged."""

    sample_id: str
    intact: bool = Field(description="every audit chain verifies, the draw replays, the package hashes as recorded")
    links: list[dict[str, Any]]

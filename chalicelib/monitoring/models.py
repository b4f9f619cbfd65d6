"""Requests and views of risk-monitoring tasks, assignments, quotas, reports and progress."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from chalicelib.core.models import Integer, IsoDay, LongText, Name, Note, PageQuery, RegionCode, Strict, Ulid, View
from chalicelib.testing.models import ModelView, ProductCode

TaskKind = Literal["LXJC", "ZXJC"]
TaskState = Literal["draft", "published", "received", "returned", "in_progress", "submitted", "completed", "cancelled"]


class Scope(Strict):
    products: list[ProductCode] = Field(min_length=1, max_length=100, description="products to monitor")
    regions: list[RegionCode] = Field(min_length=1, max_length=100, description="where samples are taken")
    samples: Integer = Field(ge=1, le=100000, strict=True, description="samples the task asks for in all")


class CreateTaskRequest(Strict):
    """Risk-monitoring task (风险监测任务): routine (例行监测, LXJC) or special (专项监测, ZXJC)."""

    task_kind: TaskKind
    title: Name
    description: LongText | None = None
    lead_org_id: Ulid = Field(description="the lead unit (牵头单位): a testing agency")
    deadline: IsoDay = Field(description="the day the overall report is due")
    scope: Scope
    receipt_within_seconds: Integer = Field(
        default=3 * 86400, ge=1, le=30 * 86400, strict=True, description="each unit must receive its part within this"
    )
    grace_seconds: Integer = Field(
        default=2 * 86400, ge=1, le=30 * 86400, strict=True, description="after a reminder, how long before it fails"
    )


class UpdateTaskRequest(Strict):
    version: Integer = Field(ge=0, strict=True)
    title: Name | None = None
    description: LongText | None = None
    lead_org_id: Ulid | None = None
    deadline: IsoDay | None = None
    scope: Scope | None = None


class Quota(Strict):
    """One line of an undertaking unit's quota: which product, where, how many samples."""

    product_code: ProductCode
    region: RegionCode
    samples: Integer = Field(ge=1, le=100000, strict=True)


class UnitPlan(Strict):
    org_id: Ulid
    quotas: list[Quota] = Field(min_length=1, max_length=200)
    deadline: IsoDay


class DistributeRequest(Strict):
    version: Integer = Field(ge=0, strict=True)
    units: list[UnitPlan] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _each_unit_once(self) -> DistributeRequest:
        if len({u.org_id for u in self.units}) != len(self.units):
            raise ValueError("each undertaking unit once")
        return self


class ReportRequest(Strict):
    version: Integer = Field(ge=0, strict=True)
    attachment_id: Ulid = Field(description="the report PDF, uploaded as an attachment of this assignment/task")
    summary: Note | None = None


class TaskView(View):
    """Risk-monitoring task (风险监测任务)."""

    id: str
    task_kind: TaskKind
    title: str
    description: str | None
    issuer_org_id: str
    lead_org_id: str
    state: TaskState
    deadline: str
    scope: dict[str, Any]
    receipt_within_seconds: int
    grace_seconds: int
    model: ModelView | None
    plan: list[dict[str, Any]] | None
    return_reason: str | None
    cancel_reason: str | None
    overall_report_id: str | None
    workflow_error: str | None
    created_at: str
    version: int


class TaskPage(View):
    items: list[TaskView]
    next_cursor: str | None = None


class TaskListQuery(PageQuery):
    box: Literal["issued", "led"] = "issued"


class AssignmentView(View):
    """A unit's part of a task (牵头单位 or 承担单位)."""

    id: str
    task_id: str
    org_id: str
    role: Literal["lead", "unit"]
    task_kind: str
    title: str
    issuer_org_id: str
    lead_org_id: str
    state: Literal["assigned", "awaiting_receipt", "received", "returned", "reported", "cancelled"]
    quotas: list[dict[str, Any]]
    allocated: int
    deadline: str
    overdue: bool
    reminders: int
    return_reason: str | None
    report_id: str | None
    workflow_error: str | None
    version: int


class AssignmentPage(View):
    items: list[AssignmentView]
    next_cursor: str | None = None


class UnitProgress(View):
    org_id: str
    role: str
    state: str
    allocated: int
    sampled: int
    received: int
    tested: int
    reported: bool
    unqualified: int
    overdue: bool


class ProgressView(View):
    """Quota reconciliation: per unit, allocated / sampled / received / tested / reported, and failures."""

    task_id: str
    state: str
    units: list[UnitProgress]
    totals: dict[str, int]


class ExportView(View):
    filename: str
    rows: int
    download_url: str


class PrefillQuery(Strict):
    code: str = Field(min_length=1, max_length=200, description="the scanned traceability code, either form")


class PrefillView(View):
    """What a scanned code fills in on the sampling form, and whether it falls in the sampler's quota."""

    code: str
    product_code: str
    product_name: str
    product_id: str
    batch_id: str | None
    subject_id: str
    subject_name: str
    in_quota: bool
    expected_items: list[str]


class FailureView(View):
    """Failure event (不合格): an unqualified sample, for follow-up."""

    sample_id: str
    task_id: str
    unit_org_id: str
    product_code: str
    product_name: str
    subject_id: str | None
    place_region: str | None
    items: list[dict[str, Any]]
    state: str
    created_at: str


class FailureListQuery(PageQuery):
    unit_org_id: Ulid | None = Field(
        default=None, description="one undertaking unit's failures (a unit always gets its own, whatever it asks)"
    )


class FailurePage(View):
    items: list[FailureView]
    next_cursor: str | None = None

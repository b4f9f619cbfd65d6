"""Requests and views of inspection plans (巡查计划), assessment tasks (考核任务) and performance (绩效考核)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.core.models import Integer, Name, Note, PageQuery, RegionCode, Strict, Ulid, View
from chalicelib.inspections.models import BaseCategory, TemplateCode

# A period in China time: a year (2026), a quarter (2026-Q4) or a month (2026-12).
Period = Annotated[str, StringConstraints(pattern=r"^20\d{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?$")]
UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")]
PlanState = Literal["draft", "published"]


class PlanTemplate(Strict):
    """The checklist (检查规范) the plan's inspections use: a published version of your province or the nation."""

    code: TemplateCode
    number: Integer = Field(ge=1, le=9999, strict=True)


class PlanScope(Strict):
    """What is inspected: named subjects and subject categories; key supervision objects (重点监管对象) first."""

    subject_ids: list[Ulid] = Field(default_factory=list, max_length=100, json_schema_extra={"uniqueItems": True})
    categories: list[BaseCategory] = Field(default_factory=list, max_length=3, json_schema_extra={"uniqueItems": True})
    key_objects_first: bool = Field(default=True, description="list the named key objects first")


class PlanTarget(Strict):
    """Assessment target (考核指标) of one supervisor: inspections in the period, of which of key objects."""

    user_id: UserId
    inspections: Integer = Field(ge=1, le=10000, strict=True)
    key_objects: Integer = Field(default=0, ge=0, le=10000, strict=True)


class CreatePlanRequest(Strict):
    title: Name
    period: Period = Field(description="2026 (a year), 2026-Q4 (a quarter) or 2026-12 (a month), China time")
    regions: list[RegionCode] = Field(
        min_length=1, max_length=50, json_schema_extra={"uniqueItems": True}, description="areas of your jurisdiction"
    )
    scope: PlanScope = Field(default_factory=PlanScope)
    template: PlanTemplate
    targets: list[PlanTarget] = Field(min_length=1, max_length=200, description="one per supervisor")
    note: Note | None = None


class EditPlanRequest(Strict):
    version: Integer = Field(ge=0, strict=True, description="the version of the plan you read")
    title: Name | None = None
    period: Period | None = None
    regions: list[RegionCode] | None = Field(default=None, min_length=1, max_length=50)
    scope: PlanScope | None = None
    template: PlanTemplate | None = None
    targets: list[PlanTarget] | None = Field(default=None, min_length=1, max_length=200)
    note: Note | None = None


class PlanSubject(View):
    id: str
    name: str
    region: str
    key_object: bool = Field(description="a key supervision object (重点监管对象) when the plan was written")


class PlanScopeView(View):
    subjects: list[PlanSubject]
    categories: list[str]
    key_objects_first: bool


class PlanTargetView(View):
    user_id: str
    name: str
    township: str | None = Field(description="a township supervisor's township: their task covers it only")
    inspections: int
    key_objects: int


class PlanView(View):
    """Inspection plan (巡查计划). A supervisor sees only their own target and the subjects of their area."""

    id: str
    org_id: str
    title: str
    period: str
    period_start: str
    period_end: str
    regions: list[str]
    scope: PlanScopeView
    template: PlanTemplate
    targets: list[PlanTargetView]
    note: str | None = None
    state: PlanState
    created_by: str
    published_at: str | None = None
    version: int


class PlanSummary(View):
    id: str
    title: str
    period: str
    state: PlanState
    targets: int
    version: int


class PlanPage(View):
    items: list[PlanSummary]
    next_cursor: str | None = None


class PlanTaskView(View):
    """Assessment task (考核任务): a supervisor's share of a published plan; received (接收) by them."""

    plan_id: str
    user_id: str
    name: str
    org_id: str
    title: str
    period: str
    period_start: str
    period_end: str
    township: str | None
    areas: list[str]
    subjects: list[PlanSubject]
    categories: list[str]
    template: PlanTemplate
    target: int
    target_key: int
    state: Literal["assigned", "received"]
    received_at: str | None = None
    reminded_at: str | None = Field(default=None, description="when the supervisor, below target, was reminded")
    done: int | None = Field(default=None, description="inspections done in the period (the head's list)")
    key_done: int | None = None
    version: int


class PlanTaskPage(View):
    items: list[PlanTaskView]
    next_cursor: str | None = None


class PerformanceQuery(Strict):
    period: Period
    user_id: UserId | None = Field(default=None, description="one supervisor's row (a supervisor sees only theirs)")


class PerformanceRow(View):
    """One supervisor's completion in the period (绩效考核, Art 8)."""

    user_id: str
    name: str | None
    target: int = Field(description="inspections the plans of the period (and of the months and quarters in it) set")
    target_key: int
    done: int
    key_done: int = Field(description="inspections of key supervision objects (重点监管对象)")
    completion: float | None = Field(description="done / target, 0-1 (may pass 1); null without a target")
    on_time: int = Field(description="inspections received within the on-time window of when they were done")
    on_time_rate: float | None
    average_score: float | None
    failed_items: int
    handed_over: int = Field(description="inspections with items handed to enforcement (移交执法)")
    actions_open: int
    actions_overdue: int
    actions_closed: int


class PerformanceView(View):
    org_id: str
    period: str
    on_time_hours: int = Field(description="an inspection is on time if received within this many hours of done_at")
    rows: list[PerformanceRow]


class PerformanceExportRequest(Strict):
    period: Period


class PerformanceInspectionQuery(PageQuery):
    period: Period
    user_id: UserId | None = Field(default=None, description="the supervisor; yourself if left out")


class PerformanceExportView(View):
    filename: str
    rows: int
    download_url: str

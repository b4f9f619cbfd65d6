"""Requests and views of spot-check tasks (监督抽查任务) and their cascade down the levels."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from chalicelib.core.models import (
    STORABLE,
    Integer,
    IsoDay,
    LongText,
    Name,
    Note,
    PageQuery,
    RegionCode,
    Strict,
    Ulid,
    View,
)
from chalicelib.testing.models import ModelView, ProductCode

Urgency = Literal["normal", "urgent", "critical"]
SpotState = Literal[
    "draft", "published", "received", "returned", "distributed", "in_progress", "submitted", "completed", "cancelled"
]

# Urgency (紧急程度) sets the deadlines: how long a receiving agency has to receive, and the default completion.
RECEIPT_SECONDS: dict[str, int] = {"normal": 3 * 86400, "urgent": 86400, "critical": 4 * 3600}
COMPLETION_DAYS: dict[str, int] = {"normal": 30, "urgent": 15, "critical": 5}


class CreateSpotCheckRequest(Strict):
    """Spot-check task (监督抽查任务, JDCC): what to check, where, how many units, how urgently."""

    title: Name
    urgency: Urgency = "normal"
    assignee_org_id: Ulid = Field(description="the lower-level supervision agency it is published to")
    products: list[ProductCode] = Field(min_length=1, max_length=50)
    hazards: list[Name] = Field(min_length=1, max_length=100, description="hazards (检测项目) to check, e.g. 腐霉利")
    regions: list[RegionCode] = Field(min_length=1, max_length=100)
    units: Integer = Field(ge=1, le=100000, strict=True, description="how many subjects (受检单位) to check")
    standards: list[Name] = Field(min_length=1, max_length=20, description="judgement and method standards")
    deadline: IsoDay | None = Field(default=None, description="default: set by the urgency")
    description: LongText | None = None


class ChildPlan(Strict):
    org_id: Ulid = Field(description="a lower-level supervision agency")
    units: Integer = Field(ge=1, le=100000, strict=True)
    regions: list[RegionCode] = Field(min_length=1, max_length=100)


class SplitRequest(Strict):
    """实施方案 and 下发: the receiving agency's plan, splitting the units among the agencies below it."""

    version: Integer = Field(ge=0, strict=True)
    plan: LongText
    # One transaction holds the task and each child with their audit entries: DynamoDB takes 100 items.
    children: list[ChildPlan] = Field(min_length=1, max_length=49)

    @model_validator(mode="after")
    def _each_once(self) -> SplitRequest:
        if len({c.org_id for c in self.children}) != len(self.children):
            raise ValueError("each lower agency once")
        return self


class AssignRequest(Strict):
    """实施方案: the receiving agency does the task itself, with a testing agency (检测机构)."""

    version: Integer = Field(ge=0, strict=True)
    plan: LongText
    lab_org_id: Ulid


class SpotCheckView(View):
    """Spot-check task (监督抽查任务)."""

    id: str
    task_kind: Literal["JDCC"] = "JDCC"
    title: str
    urgency: str
    issuer_org_id: str
    assignee_org_id: str
    parent_id: str | None
    root_id: str
    depth: int
    state: SpotState
    products: list[str]
    hazards: list[str]
    regions: list[str]
    units: int
    standards: list[str]
    deadline: str
    receipt_due: str | None
    description: str | None
    plan: str | None
    children: list[dict[str, Any]]
    lab_org_id: str | None
    draw_id: str | None
    model: ModelView | None = None
    report_id: str | None = None
    return_reason: str | None
    cancel_reason: str | None
    accepted: dict[str, Any] | None = Field(default=None, description="the issuer's acceptance (验收): by, at, note")
    clock: dict[str, Any] = Field(
        default_factory=dict,
        description="per deadline (receipt, deadline): when the assignee was reminded, when and to whom it escalated",
    )
    reminders: int = 0
    progress: dict[str, Any] | None = Field(
        default=None,
        description="a distributed task: its children by state and their figures summed; a task done here (one "
        "task read alone): its samples sampled, received, tested and unqualified, live",
    )
    created_at: str
    version: int


class AcceptReportRequest(Strict):
    """验收: the issuing agency accepts the summary analysis report, and the task is completed."""

    version: Integer = Field(ge=0, strict=True)
    note: Note | None = None


class SpotCheckPage(View):
    items: list[SpotCheckView]
    next_cursor: str | None = None


class SpotCheckListQuery(PageQuery):
    box: Literal["issued", "received"] = "received"


class ConflictRequest(Strict):
    """回避申报: a sampler declares a conflict of interest in this task; the draw leaves them out."""

    subject_id: Ulid | None = None
    reason: Note


class DrawRequest(Strict):
    """双随机抽取: how many samplers (in pairs) and subjects to draw; key supervision objects come on top."""

    samplers: Integer = Field(ge=2, le=200, strict=True, description="an even number: samplers work in pairs")
    subjects: Annotated[int, Field(ge=0, le=100000, strict=True), STORABLE] | None = Field(
        default=None, description="default: the task's units"
    )

    @model_validator(mode="after")
    def _pairs(self) -> DrawRequest:
        if self.samplers % 2:
            raise ValueError("samplers work in pairs: ask for an even number")
        return self


class RecusalRequest(Strict):
    sampler_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    reason: Name


class ReassignmentRequest(Strict):
    """改派: the doing agency moves a drawn subject to another team (a sampler is ill, a team is overloaded)."""

    subject_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    team: Integer = Field(ge=1, le=100, strict=True, description="the team that samples it from now on")
    reason: Name


class DrawView(View):
    """Double-random draw (双随机抽取): the commitment first; the seed and result once it is made."""

    id: str
    task_id: str
    org_id: str
    state: Literal["committed", "performed"]
    algorithm: str
    commitment: str = Field(description="SHA-256 of the seed, shown before the draw")
    seed: str | None = Field(description="revealed with the result")
    subjects_hash: str
    samplers_hash: str
    key_objects_hash: str
    subject_count: int
    sampler_count: int
    candidates: dict[str, Any]
    input_sha256: str
    input_url: str | None = Field(default=None, description="the frozen lists (JSON), published with the commitment")
    recusals: list[dict[str, Any]]
    result: dict[str, Any] | None
    reassignments: list[dict[str, Any]] = Field(
        default_factory=list, description="subjects moved to another team after the draw: who, when, why, from, to"
    )
    teams: list[dict[str, Any]] | None = Field(
        default=None, description="the teams as they stand: the result's, after recusals and reassignments"
    )
    published: bool
    created_at: str
    version: int


class ReplayView(View):
    """Anyone's check of a draw: the seed against its commitment, the lists against their hashes, the result."""

    draw_id: str
    algorithm: str
    seed: str
    matches: bool
    checks: dict[str, bool]
    result: dict[str, Any]
    input_url: str = Field(description="the frozen candidate lists and counts (JSON), to replay it yourself")


class PublicTask(View):
    """What the draw was for, as the public sees it."""

    title: str
    region: str
    region_name: str
    products: list[str]
    units: int


class PublicPoolSubject(View):
    rank: int = Field(description="1-based place in the pool's order")
    key: str = Field(description="HMAC-SHA256(seed, 'subject:' + id), hex: a subject who knows its id checks it")
    name: str = Field(description="redacted")
    drawn: bool


class PublicPoolSampler(View):
    rank: int
    key: str = Field(description="HMAC-SHA256(seed, 'sampler:' + id), hex")
    name: str = Field(description="redacted")
    slot: int | None = Field(description="the slot held as it stands (slots 1 and 2 are team 1), none if not seated")


class PublicSubject(View):
    number: int = Field(description="place in the assignment order: key objects first, then the drawn ones")
    name: str
    key_object: bool
    rank: int | None = Field(description="rank in the subject pool; none for a key object")
    drawn_team: int
    team: int = Field(description="as it stands, after reassignments")


class PublicMember(View):
    rank: int
    name: str


class PublicTeamSubject(View):
    number: int
    name: str


class PublicTeam(View):
    number: int
    samplers: list[PublicMember]
    subjects: list[PublicTeamSubject]


class PublicReplacement(View):
    recused: int = Field(description="the recused sampler's rank")
    recused_name: str
    reason: str
    replacement: int = Field(description="the replacement's rank: the next one in the order")
    replacement_name: str
    team: int


class PublicReassignment(View):
    subject: int = Field(description="the subject's number in the assignment order")
    name: str
    from_team: int
    to_team: int
    reason: str
    at: str


class PublicDrawView(View):
    """一公开: a published draw for anyone, with redacted names and no internal id, in an ordinal form that is
    checked without ids (see chalicelib/spotchecks/public.py)."""

    task: PublicTask
    algorithm: str
    commitment: str
    seed: str
    subjects_hash: str
    samplers_hash: str
    key_objects_hash: str
    subject_count: int
    sampler_count: int
    candidates: dict[str, Any] = Field(description="list sizes and how many were left out, and why")
    subject_pool: list[PublicPoolSubject]
    sampler_pool: list[PublicPoolSampler]
    subjects: list[PublicSubject]
    teams: list[PublicTeam]
    replacements: list[PublicReplacement]
    reassignments: list[PublicReassignment]
    subjects_short: int
    samplers_short: int
    matches: bool = Field(description="the platform's replay from the ids, and the public form's own consistency")
    checks: dict[str, bool]


class SpotReportRequest(Strict):
    version: Integer = Field(ge=0, strict=True)
    attachment_id: Ulid = Field(description="the summary analysis report (汇总分析报告), a PDF attached to the task")


class RetestApplicationRequest(Strict):
    """复检申请: why the subject contests the result."""

    reason: LongText


class AssignRetestRequest(Strict):
    """复检任务 (FJRW): the reserved sample goes to a different lab."""

    lab_org_id: Ulid


class RetestView(View):
    """A spot check's failure and its retest (复检): the application, the retest lab, the final verdict."""

    sample_id: str
    task_id: str
    task_kind: str
    state: Literal["open", "withdrawn", "confirmed", "cleared"]
    items: list[dict[str, Any]]
    retest: dict[str, Any] | None
    final_verdict: str | None
    workflow_error: str | None
    created_at: str
    version: int

"""Requests and views of inspection templates (检查规范) and of the on-site inspections (基地巡查) made with them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, ConfigDict, Field, RootModel, StringConstraints

from chalicelib.core.models import STORABLE, Integer, LongText, Name, Note, Number, PageQuery, Strict, Ulid, View

# The kinds of base (基地) a template applies to, named as a subject's industry is (chalicelib/subjects/models.py):
# planting 种植, livestock 畜禽, fishery 水产 (aquaculture).
BaseCategory = Literal["planting", "livestock", "fishery"]
# check: pass 合格 / fail 不合格 / not applicable 不适用; number: a measured value with unit and bounds;
# choice: one of the item's options; text; photo: at least one photo; signature: the signer's name and image.
AnswerType = Literal["check", "number", "choice", "text", "photo", "signature"]
TemplateCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9-]{1,39}$")]
# An item's key is its identity across versions: answers, scores and later inspections name it.
ItemKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Bound = Annotated[float, Field(ge=-1e9, le=1e9), STORABLE] | None
Unit = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=r"\S")]
TemplateState = Literal["draft", "published"]


class ChoiceOption(Strict):
    value: ItemKey
    label: Name


class TemplateItem(Strict):
    """Inspection item (检查项): one question of the checklist."""

    key: ItemKey
    label: Name
    type: AnswerType
    required: bool = True
    weight: Integer = Field(default=1, ge=0, le=100, description="its share of the score (check items only)")
    critical: bool = Field(default=False, description="a failed critical item fails the inspection whatever the score")
    basis: Name | None = Field(default=None, description="the legal basis (法条), e.g. 《农产品质量安全法》第三十八条")
    hint: Note | None = None
    unit: Unit | None = Field(default=None, description="number items: the unit of the value")
    minimum: Bound = Field(default=None, description="number items: the smallest value accepted")
    maximum: Bound = Field(default=None, description="number items: the largest value accepted")
    options: list[ChoiceOption] | None = Field(default=None, max_length=20, description="choice items")


class TemplateSection(Strict):
    """Section (检查类别) of a template: a titled group of items."""

    key: ItemKey
    title: Name
    items: list[TemplateItem] = Field(min_length=1, max_length=100)


class Scoring(Strict):
    """Score = the weights of passed check items / the weights of the answered, applicable ones × 100."""

    method: Literal["weighted_pass_rate"] = "weighted_pass_rate"
    pass_mark: Integer = Field(default=60, ge=0, le=100, description="the lowest score that passes")


class TemplateContent(Strict):
    title: Name
    categories: list[BaseCategory] = Field(min_length=1, max_length=3)
    sections: list[TemplateSection] = Field(min_length=1, max_length=30)
    scoring: Scoring = Field(default_factory=Scoring)


class CreateTemplateRequest(Strict):
    """A new draft: of a new code (everything given), or the next version of a code (what is left out is copied)."""

    code: TemplateCode
    title: Name | None = None
    categories: list[BaseCategory] | None = Field(default=None, min_length=1, max_length=3)
    sections: list[TemplateSection] | None = Field(default=None, min_length=1, max_length=30)
    scoring: Scoring | None = None


class EditTemplateRequest(Strict):
    version: Integer = Field(ge=0, strict=True, description="the version of the record you read")
    title: Name | None = None
    categories: list[BaseCategory] | None = Field(default=None, min_length=1, max_length=3)
    sections: list[TemplateSection] | None = Field(default=None, min_length=1, max_length=30)
    scoring: Scoring | None = None


class TemplateListQuery(PageQuery):
    scope: Literal["province", "national"] = Field(
        default="province", description="province: your province's templates (national ones for a national agency)"
    )


class TemplateSummary(View):
    code: str
    number: int = Field(description="the template's version number: 1, 2, …")
    scope: str = Field(description="00: national; otherwise the two-digit province code")
    state: TemplateState
    title: str
    categories: list[str]
    published_at: str | None = None


class TemplateView(TemplateSummary):
    """Inspection template version (检查规范版本): immutable once published."""

    sections: list[TemplateSection]
    scoring: Scoring
    owner_org_id: str
    created_at: str
    published_by: str | None = None
    version: int = Field(description="the record's version, for optimistic locking")


class TemplatePage(View):
    items: list[TemplateSummary]
    next_cursor: str | None = None


class AnswersSchema(RootModel[dict[str, Any]]):
    """The JSON Schema (draft 2020-12) of a version's answers document, as a phone validates it offline."""

    model_config = ConfigDict(defer_build=True)


class CheckAnswersRequest(Strict):
    """An answers document to check against a version (dry run: nothing is stored)."""

    answers: dict[str, Any] = Field(description="item key → answer; the shape is the version's answers schema")


class CorrectiveAction(View):
    """Corrective action (整改): what, by when, and whether a re-inspection (复查) follows."""

    what: str
    due: str
    reinspect: bool


class FailedItem(View):
    key: str
    label: str
    critical: bool
    corrective_action: CorrectiveAction | None = None
    handover: bool = False


class CheckResult(View):
    """The scored result of an answers document."""

    code: str
    number: int
    score: float | None = Field(description="0-100, one decimal; null when no weighted check item applies")
    outcome: Literal["pass", "fail"] | None = Field(
        description="fail: below the pass mark, or a critical item failed; null when there is no score"
    )
    answered: int
    passed: int
    failed: int
    not_applicable: int
    failed_items: list[FailedItem]


# --- on-site inspection records (基地巡查) -----------------------------------------------------------

InspectionFlag = Literal["far_from_bases"]


class InspectionPosition(Strict):
    """Where the phone was when the inspection was done (inside China's bounds, as a base's location is)."""

    lng: Number = Field(ge=73, le=136, strict=True)
    lat: Number = Field(ge=3, le=54, strict=True)
    accuracy_m: Annotated[float, Field(ge=0, le=100000, strict=True), STORABLE] | None = None


class RecordInspectionRequest(Strict):
    """An on-site inspection (基地巡查) as the phone made it, sent when it had a signal (maybe days later)."""

    subject_id: Ulid
    template_code: TemplateCode
    template_number: Integer = Field(ge=1, le=9999, strict=True, description="the published version inspected with")
    done_at: AwareDatetime = Field(description="when the inspection was done, with its offset")
    position: InspectionPosition
    answers: dict[str, Any] = Field(description="item key → answer; the shape is the version's answers schema")
    opinion: LongText | None = Field(default=None, description="the inspector's opinion (巡查意见)")
    attachment_ids: list[Ulid] = Field(default_factory=list, max_length=50)
    replaces_version: Annotated[int, Field(ge=1, strict=True), STORABLE] | None = Field(
        default=None, description="an edit: the version of the stored record it replaces"
    )
    reinspection_of: Ulid | None = Field(
        default=None,
        description="a re-inspection (复查): the earlier inspection of the same subject by your agency whose "
        "corrective actions it closes (rectified where the item now passes)",
    )
    complaint_id: Ulid | None = Field(
        default=None,
        description="the complaint or report (投诉举报) it was started from: a case your agency handles, received or "
        "accepted (the case then records the inspection among its actions)",
    )
    plan_id: Ulid | None = Field(
        default=None,
        description="the inspection plan (巡查计划) done under: you hold a task of it, and the inspection falls in "
        "its period and area. Without it, the inspection still counts towards your period's figures",
    )


class InspectionFile(View):
    """A file the inspection names: arrived and checked (attached), quarantined, pending upload, or not sent yet."""

    attachment_id: str
    field: str = Field(description="where the inspection names it (answers.<item>.photos, attachment_ids, ...)")
    state: Literal["pending", "attached", "quarantined", "missing"]
    sha256: str | None = Field(description="the uploaded bytes' hash; before the upload, the one the phone declared")


class InspectionListQuery(PageQuery):
    subject_id: Ulid | None = Field(default=None, description="the subject's inspections; else your agency's")


class InspectionView(View):
    """On-site inspection record (基地巡查记录)."""

    id: str
    subject_id: str
    template_code: str
    template_number: int
    org_id: str = Field(description="the supervision agency the inspection belongs to")
    inspected_by: str
    region: str
    done_at: str
    received_at: str = Field(description="when the platform first received it (set by the server)")
    position: InspectionPosition
    answers: dict[str, Any]
    opinion: str | None = None
    attachment_ids: list[str]
    result: CheckResult = Field(description="the score and outcome the answers earn against the version")
    flags: list[InspectionFlag]
    files: list[InspectionFile] = Field(description="each file the inspection names, and whether it has arrived")
    case_id: str | None = Field(
        default=None, description="the enforcement case (执法案件) its handed-over items went to: GET /cases/{case_id}"
    )
    reinspection_of: str | None = Field(default=None, description="the inspection this one re-inspects")
    handover_error: str | None = Field(default=None, description="why its handover could not be delivered, if so")
    plan_id: str | None = Field(default=None, description="the inspection plan (巡查计划) it was done under")
    complaint_id: str | None = Field(default=None, description="the complaint or report (投诉举报) it was started from")
    key_object: bool = Field(default=False, description="the subject was a key supervision object on receipt")
    on_time: bool = Field(default=False, description="received within the on-time window of done_at (绩效考核)")
    version: int = Field(description="1 when first received; each edit adds one")
    updated_at: str


class InspectionSummary(View):
    id: str
    subject_id: str
    template_code: str
    template_number: int
    org_id: str
    done_at: str
    score: float | None
    outcome: Literal["pass", "fail"] | None
    flags: list[InspectionFlag]
    version: int


class InspectionPage(View):
    items: list[InspectionSummary]
    next_cursor: str | None = None


# --- follow-up: corrective actions (整改) ------------------------------------------------------------


class CorrectiveActionView(View):
    """A failed item's corrective action (整改): due at the end of its China-time day; closed by the re-inspection."""

    inspection_id: str
    item_key: str
    label: str
    subject_id: str
    org_id: str
    inspected_by: str
    region: str
    what: str
    due: str
    reinspect: bool
    state: Literal["open", "overdue", "closed"]
    reminded_at: str | None = Field(default=None, description="when the inspector was reminded it falls due")
    overdue_at: str | None = Field(default=None, description="when it went overdue (the agency's head sees it)")
    closed_at: str | None = None
    closed_by: str | None = Field(default=None, description="the re-inspection (复查) that closed it")
    outcome: Literal["rectified", "not_rectified"] | None = None
    version: int


class CorrectiveActionPage(View):
    items: list[CorrectiveActionView]
    next_cursor: str | None = None


class CorrectiveActionQuery(PageQuery):
    state: Literal["open", "overdue", "closed"] | None = Field(default=None, description="one state; else all")

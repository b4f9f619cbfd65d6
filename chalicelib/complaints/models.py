"""Requests and views of complaints and reports (投诉举报): the public's filing and tracking, the agency's handling."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, RootModel, StringConstraints, model_validator

from chalicelib.core.models import (
    Filename,
    Integer,
    IsoDay,
    LongText,
    Name,
    Note,
    PageQuery,
    Phone,
    RegionCode,
    Sha256,
    Strict,
    Ulid,
    View,
)
from chalicelib.subjects.models import Point

Kind = Literal["complaint", "report"]  # 投诉 (one's own grievance) | 举报 (a tip about a violation)
Hazard = Literal[
    "pesticide_residue", "veterinary_drug", "illegal_additive", "spoilage", "counterfeit_label", "unlicensed", "other"
]
PhotoType = Literal["image/jpeg", "image/png", "video/mp4"]
State = Literal[
    "awaiting_files", "refused", "received", "accepted", "rejected", "answered", "objected", "closed", "transferred_out"
]
Secret = Annotated[str, StringConstraints(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
CodeText = Annotated[str, StringConstraints(min_length=4, max_length=200), AfterValidator(str.strip)]
Address = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"\S"), AfterValidator(str.strip)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=5000, pattern=r"\S"), AfterValidator(str.strip)]
MAX_FILES = 9


class SubjectRef(Strict):
    """Who the filing is about: a name as the filer knows it, or a scanned code (trace or identity code)."""

    name: Name | None = None
    code: CodeText | None = Field(default=None, description="a product's trace code or a subject's identity code")


class ComplaintPlace(Strict):
    """Where it happened: the region (county or township) and address, optionally a map point."""

    region: RegionCode
    address: Address
    point: Point | None = Field(default=None, description="where on the map, if the filer shared it")


class Filer(Strict):
    """A named filer (实名): a name and a phone number, seen only by the handling agency's assigned staff."""

    name: Name
    phone: Phone


class FileDeclared(Strict):
    filename: Filename
    content_type: PhotoType
    size: Integer = Field(gt=0, description="bytes; at most the complaint upload limit")
    sha256: Sha256 | None = None


class FileComplaintRequest(Strict):
    kind: Kind
    subject: SubjectRef | None = None
    place: ComplaintPlace | None = None
    what: Text = Field(description="what happened, at most 5,000 characters")
    happened_on: IsoDay | None = None
    hazard: Hazard | None = None
    filer: Filer | None = Field(default=None, description="absent for an anonymous report; a complaint is named")
    files: list[FileDeclared] = Field(default_factory=list, max_length=MAX_FILES)

    @model_validator(mode="after")
    def _named_complaint(self) -> FileComplaintRequest:
        if self.kind == "complaint" and self.filer is None:
            raise ValueError("a complaint (投诉) is a consumer's own grievance: give a name and phone number")
        if not (self.subject and (self.subject.code or self.subject.name)) and self.place is None:
            raise ValueError("say who (a name or a code) or where (a place) it is about")
        return self


class UploadForm(View):
    filename: str
    attachment_id: str
    upload: dict[str, Any] = Field(description="POST the file to `url` as multipart form with these `fields`")


class FilingReceipt(View):
    """What the filer keeps: the tracking number and the secret (shown once), or the case this repeats."""

    tracking_no: str
    secret: str | None = Field(description="shown once; only its hash is kept. None when the filing repeated one")
    link: str | None = Field(description="the tracking page; the secret travels in the fragment, never to a server")
    state: str
    duplicate_of: str | None = None
    accept_due: str | None = None
    uploads: list[UploadForm] = Field(default_factory=list)


class DecisionView(View):
    decision: Literal["accept", "reject"]
    reason: str | None
    at: str


class AnswerView(View):
    result: str
    text: str
    at: str


class PublicComplaintView(View):
    """What the filer sees of their case (by tracking number and secret)."""

    tracking_no: str
    kind: str
    state: str
    received_at: str
    agency: str
    accept_due: str | None
    decision: DecisionView | None
    answer: AnswerView | None
    rating: str | None
    files: list[dict[str, Any]]


class RateRequest(Strict):
    secret: Secret
    rating: Literal["satisfied", "unsatisfied"]
    objection: Text | None = Field(default=None, description="why the answer is wrong: an objection asks to reopen")


class PublicUploadRequest(Strict):
    secret: Secret
    file: FileDeclared


class ActionRecordView(View):
    kind: str
    ref_id: str | None
    note: str | None
    by: str
    at: str


class TransferView(View):
    from_org_id: str
    to_org_id: str | None
    reason: str
    note: str | None
    by: str
    at: str


class ComplaintView(View):
    """Complaint or report (投诉举报) as the handling agency sees it: never who filed it."""

    id: str
    kind: str
    state: str
    subject_id: str | None
    subject_name: str | None
    code: str | None
    place: dict[str, Any] | None
    region: str
    org_id: str
    what: str
    happened_on: str | None
    hazard: str | None
    anonymous: bool
    received_at: str | None
    accept_due: str | None
    calendar: str | None
    clock: dict[str, Any]
    assignees: list[str]
    decision: DecisionView | None
    actions: list[ActionRecordView]
    answer: AnswerView | None
    rating: str | None
    objection: str | None
    reopened: int
    duplicates: int
    transfers: list[TransferView]
    routing: dict[str, Any]
    version: int


class SubjectComplaintView(View):
    """What a subject's own account sees: that a complaint about it came in, and how it ended. Never who, nor what."""

    id: str
    kind: str
    state: str
    received_at: str | None
    result: str | None


class ComplaintRead(RootModel[ComplaintView | SubjectComplaintView]):
    """One case: the staff's view, or for a subject's own account the summary of a case about it."""


class ComplaintPage(View):
    items: list[ComplaintView | SubjectComplaintView]
    next_cursor: str | None = None


class ComplaintListQuery(PageQuery):
    state: State | None = None


class DecideRequest(Strict):
    version: Integer = Field(ge=0, strict=True, description="the version you read")
    decision: Literal["accept", "reject"]
    reason: Note | None = Field(default=None, description="required for a rejection (不予受理)")

    @model_validator(mode="after")
    def _reason(self) -> DecideRequest:
        if self.decision == "reject" and not self.reason:
            raise ValueError("a rejection states its reason")
        return self


class TransferRequest(Strict):
    version: Integer = Field(ge=0, strict=True)
    reason: Literal["wrong_jurisdiction", "other_department"]
    to_org_id: Ulid | None = Field(
        default=None, description="the agency that takes it; none for a department off the platform"
    )
    note: Note | None = None

    @model_validator(mode="after")
    def _target(self) -> TransferRequest:
        if self.reason == "wrong_jurisdiction" and not self.to_org_id:
            raise ValueError("a case of another jurisdiction is transferred to that jurisdiction's agency")
        if self.reason == "other_department" and not (self.to_org_id or self.note):
            raise ValueError("name the department the case goes to")
        return self


class AssigneesRequest(Strict):
    version: Integer = Field(ge=0, strict=True)
    user_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=128)]] = Field(min_length=1, max_length=5)


class ActionRequest(Strict):
    version: Integer = Field(ge=0, strict=True)
    kind: Literal["inspection", "spot_check", "monitoring", "mediation", "handover"]
    ref_id: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = Field(
        default=None, description="the inspection, spot check, monitoring task or enforcement case it started"
    )
    note: Note | None = None


class AnswerRequest(Strict):
    version: Integer = Field(ge=0, strict=True)
    result: Literal[
        "substantiated", "partly_substantiated", "unsubstantiated", "mediated", "mediation_failed", "case_opened"
    ]
    text: LongText


class ReviewObjectionRequest(Strict):
    version: Integer = Field(ge=0, strict=True)
    justified: bool
    note: Note | None = None


class FilerView(View):
    """The filer's identity (举报人信息): a work secret, each read audited."""

    complaint_id: str
    anonymous: bool
    name: str | None
    phone: str | None

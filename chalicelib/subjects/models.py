"""Requests and views of subjects, bases and bad records."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.core.models import (
    STORABLE,
    Integer,
    IsoDay,
    LongText,
    Name,
    Number,
    PageQuery,
    Phone,
    RegionCode,
    Strict,
    View,
)

Category = Literal["production", "operation", "production_and_operation", "agricultural_inputs"]
Form = Literal["enterprise", "individual", "family_farm", "cooperative"]
NumberKind = Literal["uscc", "id_card"]
Industry = Literal["planting", "livestock", "fishery", "processing", "trade", "inputs"]
SubjectNumber = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJ-NPQRTUWXY]{17}[0-9A-HJ-NPQRTUWXY]$")]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"\S")]


class RegisterSubjectRequest(Strict):
    """Registration (入驻) of a subject in the region it operates in."""

    name: Name
    category: Category
    form: Form
    number_kind: NumberKind = Field(description="uscc: unified social credit code; id_card: the person's ID number")
    number: SubjectNumber
    legal_representative: Name
    contact_phone: Phone
    region: RegionCode = Field(description="county or township")
    address: LongText
    industry: Industry


class CaptureSubjectRequest(Strict):
    """A subject found on site but not registered (Art 6, 28): what the supervisor can see and ask."""

    name: Name
    category: Category
    form: Form
    region: RegionCode = Field(description="county or township")
    address: LongText
    contact_phone: Phone | None = None
    legal_representative: Name | None = None
    industry: Industry | None = None


class CompleteRegistrationRequest(Strict):
    """Registration of a captured subject: the same record, so what was recorded against it stays with it."""

    name: Name
    category: Category
    form: Form
    number_kind: NumberKind
    number: SubjectNumber
    legal_representative: Name
    contact_phone: Phone
    address: LongText
    industry: Industry


class ChangeSubjectRequest(Strict):
    """Change record (变更): contact data of a subject."""

    version: Integer = Field(ge=1)
    name: Name | None = None
    legal_representative: Name | None = None
    contact_phone: Phone | None = None
    address: LongText | None = None
    industry: Industry | None = None


class ReviewRequest(Strict):
    """Admission review (入驻审核)."""

    decision: Literal["approve", "reject"]
    reasons: list[Reason] = Field(default_factory=list, max_length=20)


class StatusRequest(Strict):
    """Revocation (撤销) or cancellation (注销), with the reason."""

    reason: Reason


class KeyObjectRequest(Strict):
    """Key supervision object (重点监管对象) flag."""

    key_object: bool
    reason: Reason


class SubjectView(View):
    """Production and operation subject (生产经营主体)."""

    id: str
    name: str
    category: str
    form: str
    number_kind: str
    number: str
    legal_representative: str | None
    contact_phone: str | None
    region: str
    address: str
    industry: str | None
    state: Literal["temporary", "pending", "approved", "rejected", "revoked", "cancelled"]
    identity_code: str | None
    key_object: bool
    key_object_reason: str | None
    bad_records: int
    review: dict[str, object] | None
    status_reason: str | None
    version: int


class SubjectListQuery(PageQuery):
    region: RegionCode = Field(description="a county: its subjects, townships included")
    state: Literal["temporary", "pending", "approved", "rejected", "revoked", "cancelled"] | None = None


class SubjectPage(View):
    items: list[SubjectView]
    next_cursor: str | None = None


class Point(Strict):
    lng: Number = Field(ge=73, le=136, strict=True)
    lat: Number = Field(ge=3, le=54, strict=True)


class AddBaseRequest(Strict):
    name: Name
    location: Point
    polygon: list[Point] | None = Field(default=None, min_length=3, max_length=500)
    area_mu: Annotated[float, Field(gt=0, le=10_000_000, strict=True), STORABLE] | None = Field(
        default=None, description="area in mu (亩)"
    )
    products: list[Name] = Field(default_factory=list, max_length=50)


class BaseView(View):
    """Production base (基地)."""

    id: str
    subject_id: str
    name: str
    location: Point
    polygon: list[Point] | None
    area_mu: float | None
    products: list[str]


class BasePage(View):
    items: list[BaseView]
    next_cursor: str | None = None


class AddBadRecordRequest(Strict):
    kind: Literal["failed_test", "penalty", "violation", "complaint_upheld"]
    description: LongText
    occurred_on: IsoDay
    source_ref: Annotated[str, StringConstraints(max_length=100)] | None = None


class BadRecordView(View):
    """Bad record (不良记录)."""

    id: str
    subject_id: str
    kind: str
    description: str
    occurred_on: str
    source_ref: str | None
    recorded_by_org: str


class BadRecordPage(View):
    items: list[BadRecordView]
    next_cursor: str | None = None


class CreateAccountRequest(Strict):
    """The subject's own account (主体账号), to manage its data."""

    username: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9._-]{2,63}$")]
    name: Name
    phone: Phone | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,24}$")] | None = None
    subject: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = Field(
        default=None, description="the OIDC subject where the issuer is the agencies' own provider (China)"
    )


class SubjectAccountView(View):
    user_id: str
    username: str
    subject_id: str


class InvitationView(View):
    """Invitation (邀请入驻) of a captured subject to register."""

    subject: SubjectView
    link: str
    qr_svg: str = Field(description="the invitation link as a QR (SVG), to show on the supervisor's phone")

"""Requests and views of agencies and users."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from chalicelib.core.access import Role
from chalicelib.core.models import Email, Integer, IsoDay, Name, PageQuery, Phone, RegionCode, Strict, Ulid, View


def _distinct_roles(roles: list[Role]) -> list[Role]:
    if len(set(roles)) != len(roles):
        raise ValueError("each role once")
    return roles


AgencyKind = Literal["supervision", "testing", "enforcement", "ministry", "entrusted_service"]
Username = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9._-]{2,63}$")]
CreditCode = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")]


class CreateAgencyRequest(Strict):
    name: Name
    kind: AgencyKind
    region: RegionCode
    parent_id: Ulid | None = Field(default=None, description="defaults to the creating admin's agency")
    credit_code: CreditCode | None = None
    contact_phone: Phone | None = None
    address: Annotated[str, StringConstraints(max_length=300)] | None = None


class UpdateAgencyRequest(Strict):
    version: Integer = Field(ge=1, description="the version you read; a stale version is a 409")
    name: Name | None = None
    contact_phone: Phone | None = None
    address: Annotated[str, StringConstraints(max_length=300)] | None = None
    active: bool | None = None


class AgencyView(View):
    """Agency (机构)."""

    id: str
    name: str
    kind: str
    level: str
    region: str
    region_name: str
    parent_id: str | None
    credit_code: str | None
    contact_phone: str | None
    address: str | None
    active: bool
    version: int


class AgencyListQuery(PageQuery):
    region: RegionCode | None = Field(default=None, description="defaults to your own agency's region")
    parent_id: Ulid | None = None


class Certificate(Strict):
    """Enforcement certificate (执法证)."""

    number: Annotated[str, StringConstraints(min_length=4, max_length=40)]
    valid_until: IsoDay


class CreateUserRequest(Strict):
    username: Username
    name: Name
    roles: list[Role] = Field(min_length=1, max_length=9, json_schema_extra={"uniqueItems": True})
    phone: Phone | None = None
    email: Email | None = None
    township: RegionCode | None = Field(default=None, description="a township supervisor's township (乡镇)")
    certificate: Certificate | None = None
    subject: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = Field(
        default=None, description="the OIDC subject where the issuer is the agency's own provider"
    )

    @field_validator("roles")
    @classmethod
    def _distinct(cls, roles: list[Role]) -> list[Role]:
        return _distinct_roles(roles)


class UpdateUserRequest(Strict):
    version: Integer = Field(ge=1)
    name: Name | None = None
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=9, json_schema_extra={"uniqueItems": True})

    @field_validator("roles")
    @classmethod
    def _distinct(cls, roles: list[Role] | None) -> list[Role] | None:
        return None if roles is None else _distinct_roles(roles)

    township: RegionCode | None = None
    certificate: Certificate | None = None
    active: bool | None = None


class UserView(View):
    """User (用户)."""

    id: str
    username: str
    name: str
    org_id: str
    org_kind: str
    region: str
    roles: list[str]
    phone: str | None
    email: str | None
    township: str | None
    certificate: Certificate | None
    active: bool
    version: int


class MeView(View):
    user: UserView
    agency: AgencyView


class AgencyPage(View):
    items: list[AgencyView]
    next_cursor: str | None = None


class UserPage(View):
    items: list[UserView]
    next_cursor: str | None = None


class CreateInstrumentKeyRequest(Strict):
    name: Name = Field(description="which instrument, e.g. its model and serial number")


class InstrumentKeyView(View):
    """Instrument key (仪器密钥): the machine credential a lab instrument pushes results with."""

    id: str
    org_id: str
    name: str
    state: Literal["active", "revoked"]
    created_at: str


class IssuedInstrumentKey(View):
    key: InstrumentKeyView
    authorization: str = Field(description="the Authorization header value; shown this once, stored only hashed")


class InstrumentKeyPage(View):
    items: list[InstrumentKeyView]
    next_cursor: str | None = None

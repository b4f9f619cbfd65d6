"""Data access for agencies and users: the only module of this area that touches the table."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UnicodeSetAttribute

from chalicelib.core.db import Entity, fetch, query_page
from chalicelib.regions.catalog import prefix


class AgencyRecord(Entity, discriminator="Agency"):
    """Agency (机构): supervision, testing, enforcement, ministry or entrusted service."""

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    org_kind = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    credit_code = UnicodeAttribute(null=True)
    contact_phone = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)

    def derive_keys(self) -> None:
        assert self.region is not None
        self.pk = f"ORG#{self.id}"
        self.sk = "ORG"
        self.gsi1pk = agencies_partition(self.region)
        self.gsi1sk = f"{self.region}#{self.id}"
        self.gsi2pk = f"ORGCHILD#{self.parent_id or '-'}"
        self.gsi2sk = f"{self.region}#{self.id}"


class UserRecord(Entity, discriminator="User"):
    """User (用户) of an agency; its id is the identity provider's subject."""

    id = UnicodeAttribute()
    username = UnicodeAttribute()
    name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    org_id = UnicodeAttribute()
    org_kind = UnicodeAttribute()
    roles = UnicodeSetAttribute()
    township = UnicodeAttribute(null=True)
    cert_no = UnicodeAttribute(null=True)
    cert_valid_until = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)

    def derive_keys(self) -> None:
        self.pk = f"USER#{self.id}"
        self.sk = "USER"
        self.gsi1pk = f"ORGUSERS#{self.org_id}"
        self.gsi1sk = self.username


def agencies_partition(region: str) -> str:
    """Agencies are listed per province (national ones under 00), ordered by region code."""
    return f"ORGS#{(prefix(region) or '00')[:2]}"


def get_agency(agency_id: str) -> AgencyRecord:
    return fetch(AgencyRecord, f"ORG#{agency_id}", "ORG", what="agency")


def get_user(user_id: str) -> UserRecord:
    return fetch(UserRecord, f"USER#{user_id}", "USER", what="user")


def list_agencies_in(region: str, *, limit: int, cursor: str | None) -> tuple[list[AgencyRecord], str | None]:
    part = agencies_partition(region)
    return query_page(
        AgencyRecord,
        ("gsi1pk", part),
        index=AgencyRecord.gsi1,
        range_key_condition=AgencyRecord.gsi1sk.startswith(prefix(region)) if prefix(region) else None,
        limit=limit,
        cursor=cursor,
    )


def list_child_agencies(parent_id: str, *, limit: int, cursor: str | None) -> tuple[list[AgencyRecord], str | None]:
    return query_page(
        AgencyRecord, ("gsi2pk", f"ORGCHILD#{parent_id}"), index=AgencyRecord.gsi2, limit=limit, cursor=cursor
    )


def list_users_of(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[UserRecord], str | None]:
    return query_page(UserRecord, ("gsi1pk", f"ORGUSERS#{org_id}"), index=UserRecord.gsi1, limit=limit, cursor=cursor)


def agencies_by_id(ids: list[str]) -> dict[str, AgencyRecord]:
    """Many agencies at once: one BatchGetItem per 100."""
    keys = [(f"ORG#{i}", "ORG") for i in sorted(set(ids))]
    return {a.id: a for a in AgencyRecord.batch_get(keys) if isinstance(a, AgencyRecord)} if keys else {}


class InstrumentKeyRecord(Entity, discriminator="InstrumentKey"):
    """Machine credential (仪器密钥) of a lab instrument: it acts as its lab, never as a person."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    secret_sha256 = UnicodeAttribute()
    state = UnicodeAttribute()
    created_by = UnicodeAttribute()
    revoked_by = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"IKEY#{self.id}"
        self.sk = "IKEY"
        self.gsi1pk = f"IKEYS#{self.org_id}"
        self.gsi1sk = self.id


def get_instrument_key(key_id: str) -> InstrumentKeyRecord:
    return fetch(InstrumentKeyRecord, f"IKEY#{key_id}", "IKEY", what="instrument key")


def instrument_keys_of(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[InstrumentKeyRecord], str | None]:
    return query_page(
        InstrumentKeyRecord, ("gsi1pk", f"IKEYS#{org_id}"), index=InstrumentKeyRecord.gsi1, limit=limit, cursor=cursor
    )

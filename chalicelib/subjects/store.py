"""Data access for subjects, their bases and bad records: the only module of this area that touches the table."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)

from chalicelib.core.db import Entity, fetch, query_page
from chalicelib.core.errors import NotFoundError


def county_of(region: str) -> str:
    """Subjects are listed per county: a township's subjects are its county's."""
    return region[:6]


class SubjectRecord(Entity, discriminator="Subject"):
    """Production and operation subject (生产经营主体)."""

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    category = UnicodeAttribute()
    form = UnicodeAttribute()
    number_kind = UnicodeAttribute()
    number = UnicodeAttribute()
    legal_representative = UnicodeAttribute(null=True)
    contact_phone = UnicodeAttribute(null=True)
    address = UnicodeAttribute()
    industry = UnicodeAttribute(null=True)
    state = UnicodeAttribute()
    registered_by = UnicodeAttribute()
    parties = UnicodeSetAttribute()
    identity_code = UnicodeAttribute(null=True)
    review = JSONAttribute(null=True)
    key_object = BooleanAttribute(default=False)
    key_object_reason = UnicodeAttribute(null=True)
    bad_records = NumberAttribute(default=0)
    status_reason = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        assert self.region is not None
        self.pk = f"SUBJ#{self.id}"
        self.sk = "SUBJ"
        self.gsi1pk = f"SUBJS#{county_of(self.region)}"
        self.gsi1sk = f"{self.state}#{self.created_at}#{self.id}"


class SubjectNumberClaim(Entity, discriminator="SubjectNumber"):
    """One subject per unified social credit code or ID number: claimed in the registering transaction."""

    number = UnicodeAttribute()
    subject_id = UnicodeAttribute()

    def derive_keys(self) -> None:
        self.pk = f"SUBJNO#{self.number}"
        self.sk = "SUBJNO"


class BaseRecord(Entity, discriminator="Base"):
    """Production base (基地) of a subject, with its location."""

    id = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    name = UnicodeAttribute()
    lng = NumberAttribute()
    lat = NumberAttribute()
    polygon = JSONAttribute(null=True)
    area_mu = NumberAttribute(null=True)
    products = UnicodeSetAttribute(null=True)
    parties = UnicodeSetAttribute()

    def derive_keys(self) -> None:
        self.pk = f"SUBJ#{self.subject_id}"
        self.sk = f"BASE#{self.id}"
        self.gsi1pk = f"BASE#{self.id}"
        self.gsi1sk = "BASE"


class BadRecord(Entity, discriminator="BadRecord"):
    """Bad record (不良记录) of a subject: a failed check, a penalty, a violation found on site."""

    id = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    kind_of_record = UnicodeAttribute()
    description = UnicodeAttribute()
    occurred_on = UnicodeAttribute()
    source_ref = UnicodeAttribute(null=True)
    recorded_by_org = UnicodeAttribute()
    parties = UnicodeSetAttribute()

    def derive_keys(self) -> None:
        self.pk = f"SUBJ#{self.subject_id}"
        self.sk = f"BAD#{self.occurred_on}#{self.id}"


def get(subject_id: str) -> SubjectRecord:
    return fetch(SubjectRecord, f"SUBJ#{subject_id}", "SUBJ", what="subject")


def get_base(base_id: str) -> BaseRecord:
    """One Query on the base's own index entry (its key lives under its subject)."""
    items, _ = query_page(BaseRecord, ("gsi1pk", f"BASE#{base_id}"), index=BaseRecord.gsi1, limit=1)
    if not items:
        raise NotFoundError("base not found")
    return items[0]


def in_county(
    county: str, state: str | None, *, limit: int, cursor: str | None
) -> tuple[list[SubjectRecord], str | None]:
    condition = SubjectRecord.gsi1sk.startswith(f"{state}#") if state else None
    return query_page(
        SubjectRecord,
        ("gsi1pk", f"SUBJS#{county}"),
        index=SubjectRecord.gsi1,
        range_key_condition=condition,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


def bases_of(subject_id: str, *, limit: int, cursor: str | None) -> tuple[list[BaseRecord], str | None]:
    return query_page(
        BaseRecord,
        ("pk", f"SUBJ#{subject_id}"),
        range_key_condition=BaseRecord.sk.startswith("BASE#"),
        limit=limit,
        cursor=cursor,
    )


def bad_records_of(subject_id: str, *, limit: int, cursor: str | None) -> tuple[list[BadRecord], str | None]:
    return query_page(
        BadRecord,
        ("pk", f"SUBJ#{subject_id}"),
        range_key_condition=BadRecord.sk.startswith("BAD#"),
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


class Counter(Entity, discriminator="Counter"):
    """A sequence (e.g. of temporary subject numbers per county), advanced atomically."""

    value = NumberAttribute(default=0)

    def derive_keys(self) -> None:
        """Keys are given when the counter is named."""


def next_in_sequence(name: str) -> int:
    """One UpdateItem: the next number of a named sequence, never handed out twice."""
    counter = Counter(pk=f"SEQ#{name}", sk="SEQ")
    counter.update(actions=[Counter.value.add(1)], add_version_condition=False)
    return int(counter.value)

"""Data access for inspection templates (检查规范), one partition per code, and on-site inspections (基地巡查)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import PynamoDBConnectionError

from chalicelib.core.db import Entity, fetch, query_page
from chalicelib.core.errors import NotFoundError, ServiceUnavailable

NATIONAL_SCOPE = "00"


class TemplateRecord(Entity, discriminator="InspectionTemplate"):
    """Inspection template version (检查规范版本): a draft until published, then never changed."""

    code = UnicodeAttribute()
    number = NumberAttribute()
    scope = UnicodeAttribute()  # "00" national, else the province's two digits
    state = UnicodeAttribute()  # draft | published
    title = UnicodeAttribute()
    categories = UnicodeSetAttribute()
    content = JSONAttribute()  # {"sections": [...], "scoring": {...}}, as the request models dump them
    owner_org_id = UnicodeAttribute()
    created_by = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)
    published_by = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"ITPL#{self.code}"
        self.sk = version_key(int(self.number))
        self.gsi1pk = f"ITPLS#{self.scope}"
        self.gsi1sk = f"{self.code}#{version_key(int(self.number))}"


def version_key(number: int) -> str:
    return f"V#{number:04d}"


def get(code: str, number: int) -> TemplateRecord:
    return fetch(TemplateRecord, f"ITPL#{code}", version_key(number), what="inspection template")


def latest(code: str) -> TemplateRecord | None:
    """The code's newest version (draft or published), or None for a code not used yet: one Query of one item."""
    try:
        found = TemplateRecord.query(
            f"ITPL#{code}", TemplateRecord.sk.startswith("V#"), scan_index_forward=False, limit=1
        )
        return next((item for item in found if isinstance(item, TemplateRecord)), None)
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def of_scope(scope: str, *, limit: int, cursor: str | None) -> tuple[list[TemplateRecord], str | None]:
    """A scope's template versions, by code, then version."""
    return query_page(
        TemplateRecord, ("gsi1pk", f"ITPLS#{scope}"), index=TemplateRecord.gsi1, limit=limit, cursor=cursor
    )


class InspectionRecord(Entity, discriminator="Inspection"):
    """On-site inspection record (基地巡查记录): its id made by the phone; each edit is a new audited state."""

    id = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    template_code = UnicodeAttribute()
    template_number = NumberAttribute()
    org_id = UnicodeAttribute()  # the supervision agency it belongs to
    inspected_by = UnicodeAttribute()
    done_at = UnicodeAttribute()  # the phone's time, UTC
    received_at = UnicodeAttribute()  # the server's time of the first receipt
    position = JSONAttribute()
    answers = JSONAttribute()
    opinion = UnicodeAttribute(null=True)
    attachment_ids = ListAttribute(of=UnicodeAttribute, default=list)
    result = JSONAttribute()  # the CheckResult the answers earn
    flags = ListAttribute(of=UnicodeAttribute, default=list)
    content_hash = UnicodeAttribute()  # of the request as sent: a resend with the same content is a no-op

    @property
    def parties(self) -> set[str]:
        """Who may attach files to it: its agency."""
        return {self.org_id}

    def derive_keys(self) -> None:
        self.pk = f"INSP#{self.id}"
        self.sk = "INSP"
        # Both lists newest first by when the inspection was done; the id breaks ties.
        self.gsi1pk = f"INSPS#SUBJ#{self.subject_id}"
        self.gsi1sk = f"{self.done_at}#{self.id}"
        self.gsi2pk = f"INSPS#ORG#{self.org_id}"
        self.gsi2sk = f"{self.done_at}#{self.id}"


def get_inspection(inspection_id: str) -> InspectionRecord:
    return fetch(InspectionRecord, f"INSP#{inspection_id}", "INSP", what="inspection")


def find_inspection(inspection_id: str) -> InspectionRecord | None:
    try:
        return get_inspection(inspection_id)
    except NotFoundError:
        return None


def inspections_of_subject(
    subject_id: str, *, limit: int, cursor: str | None
) -> tuple[list[InspectionRecord], str | None]:
    return query_page(
        InspectionRecord,
        ("gsi1pk", f"INSPS#SUBJ#{subject_id}"),
        index=InspectionRecord.gsi1,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


def inspections_of_org(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[InspectionRecord], str | None]:
    return query_page(
        InspectionRecord,
        ("gsi2pk", f"INSPS#ORG#{org_id}"),
        index=InspectionRecord.gsi2,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )

"""Data access for inspection templates (检查规范): one partition per code, one item per version."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import PynamoDBConnectionError

from chalicelib.core.db import Entity, fetch, query_page
from chalicelib.core.errors import ServiceUnavailable

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

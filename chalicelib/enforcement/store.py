"""Data access for enforcement cases (执法案件)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute

from chalicelib.core.db import Entity, fetch, query_page


class CaseRecord(Entity, discriminator="EnforcementCase"):
    """A case handed over (移交) to an enforcement agency: its package, acknowledgement and investigation result."""

    id = UnicodeAttribute()
    sample_id = UnicodeAttribute()
    task_id = UnicodeAttribute()
    subject_id = UnicodeAttribute(null=True)
    subject_name = UnicodeAttribute(null=True)
    from_org_id = UnicodeAttribute()
    to_org_id = UnicodeAttribute()
    parties = UnicodeSetAttribute()
    state = UnicodeAttribute()
    package_key = UnicodeAttribute()
    package_hash = UnicodeAttribute()
    files = JSONAttribute(default=list)
    stage = UnicodeAttribute(null=True)
    token = UnicodeAttribute(null=True)
    escalated_to = UnicodeAttribute(null=True)
    acknowledged_by = UnicodeAttribute(null=True)
    acknowledged_at = UnicodeAttribute(null=True)
    result = JSONAttribute(null=True)
    bad_record_id = UnicodeAttribute(null=True)
    reminders = NumberAttribute(default=0)
    workflow_error = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"CASE#{self.id}"
        self.sk = "CASE"
        self.gsi1pk = f"CASES_TO#{self.to_org_id}"
        self.gsi1sk = self.created_at or ""


def get(case_id: str) -> CaseRecord:
    return fetch(CaseRecord, f"CASE#{case_id}", "CASE", what="case")


def received_by(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[CaseRecord], str | None]:
    return query_page(
        CaseRecord,
        ("gsi1pk", f"CASES_TO#{org_id}"),
        index=CaseRecord.gsi1,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )

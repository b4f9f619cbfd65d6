"""Data access for enforcement cases (执法案件)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute

from chalicelib.core.db import Entity, fetch, query_page
from chalicelib.core.errors import NotFoundError


class CaseRecord(Entity, discriminator="EnforcementCase"):
    """A case handed over (移交) to an enforcement agency: its package, acknowledgement and investigation result."""

    id = UnicodeAttribute()  # its source's id: one case per source
    source = UnicodeAttribute(null=True)  # sample (a spot check's failure; also when absent) | inspection | entrusted
    sample_id = UnicodeAttribute(null=True)
    inspection_id = UnicodeAttribute(null=True)
    task_id = UnicodeAttribute(null=True)
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
    escalations = JSONAttribute(default=list)
    assignment = JSONAttribute(null=True)
    workflow_error = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"CASE#{self.id}"
        self.sk = "CASE"
        self.gsi1pk = f"CASES_TO#{self.to_org_id}"
        self.gsi1sk = self.created_at or ""


class EscalationEntry(Entity, discriminator="EnforcementCaseEscalation"):
    """A case escalated (上报) to an agency: files it in that agency's case list beside the cases handed to it.

    One per case and agency (a second escalation to the same agency moves it to the top), written in the
    escalation's transaction.
    """

    case_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    stage = UnicodeAttribute()
    escalated_at = UnicodeAttribute()

    def derive_keys(self) -> None:
        self.pk = f"CASE#{self.case_id}"
        self.sk = f"ESCALATED#{self.org_id}"
        self.gsi1pk = f"CASES_TO#{self.org_id}"
        self.gsi1sk = self.escalated_at


class AgencyChoice(Entity, discriminator="EnforcementAgencyChoice"):
    """The enforcement agency a supervision agency chose for a failure's handover, before it is delivered."""

    sample_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    chosen_by = UnicodeAttribute()
    chosen_at = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    parties = UnicodeSetAttribute()

    def derive_keys(self) -> None:
        self.pk = f"CASE#{self.sample_id}"
        self.sk = "CHOICE"


def get(case_id: str) -> CaseRecord:
    return fetch(CaseRecord, f"CASE#{case_id}", "CASE", what="case")


def escalation_entry(case_id: str, org_id: str) -> EscalationEntry | None:
    try:
        return fetch(EscalationEntry, f"CASE#{case_id}", f"ESCALATED#{org_id}", what="escalation")
    except NotFoundError:
        return None


def choice_of(sample_id: str) -> AgencyChoice | None:
    try:
        return fetch(AgencyChoice, f"CASE#{sample_id}", "CHOICE", what="choice")
    except NotFoundError:
        return None


def received_by(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[CaseRecord], str | None]:
    """The cases handed to the agency and those escalated to it, newest first: one Query, one BatchGetItem."""
    found, next_cursor = query_page(
        Entity,
        ("gsi1pk", f"CASES_TO#{org_id}"),
        index=Entity.gsi1,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    wanted = [e.case_id for e in found if isinstance(e, EscalationEntry)]
    escalated = (
        {c.id: c for c in CaseRecord.batch_get([(f"CASE#{i}", "CASE") for i in sorted(set(wanted))])} if wanted else {}
    )
    cases: list[CaseRecord] = []
    for item in found:
        rec = item if isinstance(item, CaseRecord) else escalated.get(getattr(item, "case_id", ""))
        if rec is not None and rec.id not in {c.id for c in cases}:
            cases.append(rec)
    return cases, next_cursor

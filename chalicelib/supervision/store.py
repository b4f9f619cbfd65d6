"""Data access for daily supervision (日常监管): officers' on-site inspections and entrusted testing tasks."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, ListAttribute, UnicodeAttribute, UnicodeSetAttribute

from chalicelib.core.db import Entity, fetch, query_page
from chalicelib.core.errors import NotFoundError


class DailyInspectionRecord(Entity, discriminator="DailyInspection"):
    """On-site inspection (现场巡查) by a certified officer: its id made by the phone, its content never edited."""

    id = UnicodeAttribute()
    task_id = UnicodeAttribute(null=True)  # the national platform's supervision task, if any
    subject_id = UnicodeAttribute()
    subject_name = UnicodeAttribute()
    captured = UnicodeAttribute(null=True)  # "yes" when the subject was captured with this record
    org_id = UnicodeAttribute()  # the officer's agency (supervision or enforcement)
    inspected_by = UnicodeAttribute()
    officers = JSONAttribute()  # [{name, cert_no}], the sender first
    done_at = UnicodeAttribute()
    received_at = UnicodeAttribute()
    position = JSONAttribute()
    findings = UnicodeAttribute()
    result = UnicodeAttribute()  # compliant | rectify | noncompliant
    flags = ListAttribute(of=UnicodeAttribute, default=list)
    attachment_ids = ListAttribute(of=UnicodeAttribute, default=list)
    sample_ids = ListAttribute(of=UnicodeAttribute, default=list)  # evidence samples (现场抽样取证)
    penalty = JSONAttribute(null=True)  # the administrative penalty (行政处罚) recorded on it
    content_hash = UnicodeAttribute()
    parties = UnicodeSetAttribute()  # the officer's agency

    @property
    def samples(self) -> list[str]:
        return [str(s) for s in self.sample_ids or ()]

    def derive_keys(self) -> None:
        self.pk = f"DSUP#{self.id}"
        self.sk = "DSUP"
        # The subject's and the agency's lists, newest first by when the inspection was done; the id breaks ties.
        self.gsi1pk, self.gsi1sk = f"DSUPS#SUBJ#{self.subject_id}", f"{self.done_at}#{self.id}"
        self.gsi2pk, self.gsi2sk = f"DSUPS#ORG#{self.org_id}", f"{self.done_at}#{self.id}"


def get_inspection(inspection_id: str) -> DailyInspectionRecord:
    return fetch(DailyInspectionRecord, f"DSUP#{inspection_id}", "DSUP", what="daily inspection")


def find_inspection(inspection_id: str) -> DailyInspectionRecord | None:
    try:
        return get_inspection(inspection_id)
    except NotFoundError:
        return None


def inspections_of_subject(
    subject_id: str, *, limit: int, cursor: str | None
) -> tuple[list[DailyInspectionRecord], str | None]:
    return query_page(
        DailyInspectionRecord,
        ("gsi1pk", f"DSUPS#SUBJ#{subject_id}"),
        index=DailyInspectionRecord.gsi1,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


def inspections_of_org(
    org_id: str, *, limit: int, cursor: str | None
) -> tuple[list[DailyInspectionRecord], str | None]:
    return query_page(
        DailyInspectionRecord,
        ("gsi2pk", f"DSUPS#ORG#{org_id}"),
        index=DailyInspectionRecord.gsi2,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


class EntrustedTestRecord(Entity, discriminator="EntrustedTest"):
    """Entrusted testing task (委托检测任务, Art 30): evidence samples sent to a lab; its clock watches the lab."""

    id = UnicodeAttribute()
    inspection_id = UnicodeAttribute()
    org_id = UnicodeAttribute()  # the officer's agency
    sent_by = UnicodeAttribute()
    lab_org_id = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    sample_ids = ListAttribute(of=UnicodeAttribute)
    receive_by = UnicodeAttribute()  # China-time days: due at their end
    report_by = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    state = UnicodeAttribute()  # sent | received | reported
    received_at = UnicodeAttribute(null=True)
    reported_at = UnicodeAttribute(null=True)
    report_id = UnicodeAttribute(null=True)
    model = JSONAttribute(null=True)  # the lab's testing model (检测模型)
    unqualified_samples = ListAttribute(of=UnicodeAttribute, default=list)
    clock = JSONAttribute(default=dict)  # {"receipt"|"report": {"reminded_at", "overdue_at"}}
    content_hash = UnicodeAttribute()
    parties = UnicodeSetAttribute()  # the officer's agency and the lab
    workflow_error = UnicodeAttribute(null=True)  # why its handover to enforcement could not be delivered

    @property
    def samples(self) -> list[str]:
        return [str(s) for s in self.sample_ids or ()]

    def derive_keys(self) -> None:
        self.pk = f"ETEST#{self.id}"
        self.sk = "ETEST"
        # The lab's list and the officer's agency's, by state then id (ids are ULIDs: oldest first).
        self.gsi1pk, self.gsi1sk = f"ETESTS#LAB#{self.lab_org_id}", f"{self.state}#{self.id}"
        self.gsi2pk, self.gsi2sk = f"ETESTS#ORG#{self.org_id}", f"{self.state}#{self.id}"


def get_test(test_id: str) -> EntrustedTestRecord:
    return fetch(EntrustedTestRecord, f"ETEST#{test_id}", "ETEST", what="entrusted test")


def find_test(test_id: str) -> EntrustedTestRecord | None:
    try:
        return get_test(test_id)
    except NotFoundError:
        return None


def tests_listed(
    *, lab_org_id: str | None, org_id: str | None, state: str | None, limit: int, cursor: str | None
) -> tuple[list[EntrustedTestRecord], str | None]:
    """A lab's entrusted tests (those sent to it) or an agency's (those it sent), in one state or all."""
    index, key = (
        (EntrustedTestRecord.gsi1, ("gsi1pk", f"ETESTS#LAB#{lab_org_id}"))
        if lab_org_id
        else (EntrustedTestRecord.gsi2, ("gsi2pk", f"ETESTS#ORG#{org_id}"))
    )
    sort = getattr(EntrustedTestRecord, key[0].replace("pk", "sk"))
    return query_page(
        EntrustedTestRecord,
        key,
        index=index,
        limit=limit,
        cursor=cursor,
        range_key_condition=sort.startswith(f"{state}#") if state else None,
    )

"""Data access for inspection templates (检查规范), one partition per code, and on-site inspections (基地巡查)."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.exceptions import PynamoDBConnectionError

from chalicelib.core.db import Entity, fetch, query_all, query_page
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
    reinspection_of = UnicodeAttribute(null=True)  # the inspection whose corrective actions this one re-inspects
    complaint_id = UnicodeAttribute(null=True)  # the complaint or report (投诉举报) it was started from
    workflow_error = UnicodeAttribute(null=True)  # why its handover to enforcement could not be delivered
    # For performance (绩效考核): counted from the stream without reading the subject or the settings again.
    plan_id = UnicodeAttribute(null=True)  # the inspection plan (巡查计划) it was done under, if it names one
    key_object = BooleanAttribute(null=True)  # the subject was a key supervision object (重点监管对象) on receipt
    on_time = BooleanAttribute(null=True)  # received within the on-time window of done_at

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


def get_action(inspection_id: str, item_key: str) -> CorrectiveActionRecord:
    return fetch(CorrectiveActionRecord, f"INSP#{inspection_id}", f"CA#{item_key}", what="corrective action")


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


class CorrectiveActionRecord(Entity, discriminator="CorrectiveAction"):
    """Corrective action (整改) a failed item of an inspection set: one per inspection and item, in its partition.

    Opened from the stream when the inspection arrives; a clock reminds before it is due and marks it overdue
    after; the re-inspection (复查) that names the inspection closes it, rectified or not.
    """

    inspection_id = UnicodeAttribute()
    item_key = UnicodeAttribute()
    label = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    inspected_by = UnicodeAttribute()
    what = UnicodeAttribute()
    due = UnicodeAttribute()  # a China-time date: due at the end of that day
    reinspect = BooleanAttribute()
    state = UnicodeAttribute()  # open | overdue | closed
    reminded_at = UnicodeAttribute(null=True)
    overdue_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)  # the re-inspection's id
    outcome = UnicodeAttribute(null=True)  # rectified | not_rectified
    parties = UnicodeSetAttribute()  # the agency: its inbox hears of the reminder and of the overdue mark
    done_at = UnicodeAttribute(null=True)  # the inspection's: the performance period the action counts in

    def derive_keys(self) -> None:
        self.pk = f"INSP#{self.inspection_id}"
        self.sk = f"CA#{self.item_key}"
        # The agency's and the inspector's lists, by state, then by when they fall due.
        order = f"{self.state}#{self.due}#{self.inspection_id}#{self.item_key}"
        self.gsi1pk, self.gsi1sk = f"CAS#ORG#{self.org_id}", order
        self.gsi2pk, self.gsi2sk = f"CAS#USER#{self.inspected_by}", order


def actions_of(inspection_id: str) -> list[CorrectiveActionRecord]:
    """An inspection's corrective actions, by item key: one Query (an inspection has at most a few hundred items)."""
    actions = CorrectiveActionRecord.sk.startswith("CA#")
    return list(query_all(CorrectiveActionRecord, f"INSP#{inspection_id}", range_key_condition=actions))


def actions_listed(
    *, org_id: str | None, user_id: str | None, state: str | None, limit: int, cursor: str | None
) -> tuple[list[CorrectiveActionRecord], str | None]:
    """An agency's (or one inspector's) corrective actions in one state, soonest due first; all states without one."""
    index, key = (
        (CorrectiveActionRecord.gsi1, ("gsi1pk", f"CAS#ORG#{org_id}"))
        if org_id
        else (CorrectiveActionRecord.gsi2, ("gsi2pk", f"CAS#USER#{user_id}"))
    )
    sort = key[0].replace("pk", "sk")
    return query_page(
        CorrectiveActionRecord,
        key,
        index=index,
        limit=limit,
        cursor=cursor,
        range_key_condition=getattr(CorrectiveActionRecord, sort).startswith(f"{state}#") if state else None,
    )

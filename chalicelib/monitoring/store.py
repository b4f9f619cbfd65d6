"""Data access for risk-monitoring tasks and their assignments: one partition per task."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import PynamoDBConnectionError

from chalicelib.core.db import Entity, fetch, query_all, query_page
from chalicelib.core.errors import ServiceUnavailable


class MonitoringTaskRecord(Entity, discriminator="MonitoringTask"):
    """Risk-monitoring task (风险监测任务): routine (例行监测, LXJC) or special (专项监测, ZXJC)."""

    id = UnicodeAttribute()
    task_kind = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    issuer_org_id = UnicodeAttribute()
    lead_org_id = UnicodeAttribute()
    created_by = UnicodeAttribute()
    state = UnicodeAttribute()
    parties = UnicodeSetAttribute()
    deadline = UnicodeAttribute()
    receipt_within_seconds = NumberAttribute()
    grace_seconds = NumberAttribute()
    scope = JSONAttribute()
    publications = NumberAttribute(default=0)
    model = JSONAttribute(null=True)
    model_version = NumberAttribute(default=0)
    plan = JSONAttribute(null=True)
    return_reason = UnicodeAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    overall_report_id = UnicodeAttribute(null=True)
    accepted_by = UnicodeAttribute(null=True)
    workflow_error = UnicodeAttribute(null=True)
    workflow_failures = NumberAttribute(default=0)  # executions that ended failed; the next lead action resumes

    def derive_keys(self) -> None:
        self.pk = f"MTASK#{self.id}"
        self.sk = "TASK"
        self.gsi1pk = f"MTASKS_BY#{self.issuer_org_id}"
        self.gsi1sk = self.created_at or ""
        # A lead sees a task once it is published to it, not while the issuer drafts it.
        if self.state != "draft" or self.publications:
            self.gsi2pk = f"MTASKS_LEAD#{self.lead_org_id}"
            self.gsi2sk = self.created_at or ""


class AssignmentRecord(Entity, discriminator="MonitoringAssignment"):
    """A unit's part of a task: the lead unit (牵头单位) or an undertaking unit (承担单位) with its quota."""

    id = UnicodeAttribute()
    task_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    role = UnicodeAttribute()
    task_kind = UnicodeAttribute()
    title = UnicodeAttribute()
    issuer_org_id = UnicodeAttribute()
    lead_org_id = UnicodeAttribute()
    parties = UnicodeSetAttribute()
    state = UnicodeAttribute()
    quotas = JSONAttribute(default=list)
    allocated = NumberAttribute(default=0)
    deadline = UnicodeAttribute()
    stage = UnicodeAttribute(null=True)
    token = UnicodeAttribute(null=True)
    overdue = BooleanAttribute(default=False)
    reminders = NumberAttribute(default=0)
    return_reason = UnicodeAttribute(null=True)
    report_id = UnicodeAttribute(null=True)
    workflow_error = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"MTASK#{self.task_id}"
        self.sk = f"UNIT#{self.role}#{self.org_id}"
        self.gsi1pk = f"ASSIGN_TO#{self.org_id}"
        self.gsi1sk = self.created_at or ""


def assignment_id(task_id: str, role: str, org_id: str) -> str:
    return f"{task_id}.{role}.{org_id}"


def split_assignment_id(value: str) -> tuple[str, str, str]:
    task_id, role, org_id = value.split(".", 2)
    return task_id, role, org_id


def get_task(task_id: str) -> MonitoringTaskRecord:
    return fetch(MonitoringTaskRecord, f"MTASK#{task_id}", "TASK", what="monitoring task")


def get_assignment(task_id: str, role: str, org_id: str) -> AssignmentRecord:
    return fetch(AssignmentRecord, f"MTASK#{task_id}", f"UNIT#{role}#{org_id}", what="assignment")


def task_partition(task_id: str) -> list[Entity]:
    """The task, its assignments and progress counters in one Query (audit entries sort before them)."""
    try:
        return list(query_all(Entity, f"MTASK#{task_id}", range_key_condition=Entity.sk >= "PROGRESS#"))
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def issued_by(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[MonitoringTaskRecord], str | None]:
    return query_page(
        MonitoringTaskRecord,
        ("gsi1pk", f"MTASKS_BY#{org_id}"),
        index=MonitoringTaskRecord.gsi1,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


def led_by(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[MonitoringTaskRecord], str | None]:
    return query_page(
        MonitoringTaskRecord,
        ("gsi2pk", f"MTASKS_LEAD#{org_id}"),
        index=MonitoringTaskRecord.gsi2,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


def assigned_to(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[AssignmentRecord], str | None]:
    return query_page(
        AssignmentRecord,
        ("gsi1pk", f"ASSIGN_TO#{org_id}"),
        index=AssignmentRecord.gsi1,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )

"""Data access for inspection plans (巡查计划), their assignments (考核任务) and the performance counter cells."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import PynamoDBConnectionError

from chalicelib.core.db import Entity, decode_cursor, encode_cursor, fetch, query_all, query_page
from chalicelib.core.errors import NotFoundError, ServiceUnavailable
from chalicelib.orgs.store import UserRecord
from chalicelib.subjects.store import SubjectRecord


class PlanRecord(Entity, discriminator="InspectionPlan"):
    """Inspection plan (巡查计划): a draft its agency edits, then published (发布) and never changed."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    title = UnicodeAttribute()
    period = UnicodeAttribute()  # 2026 | 2026-Q4 | 2026-12, in China time
    period_start = UnicodeAttribute()  # UTC instants of the period's China-time bounds, [start, end)
    period_end = UnicodeAttribute()
    regions = ListAttribute(of=UnicodeAttribute)
    scope = JSONAttribute()  # {"subjects": [{id, name, region, key_object}], "categories": [...], "key_objects_first"}
    template_code = UnicodeAttribute()
    template_number = NumberAttribute()
    targets = JSONAttribute()  # [{user_id, name, township, inspections, key_objects}]
    note = UnicodeAttribute(null=True)
    state = UnicodeAttribute()  # draft | published
    created_by = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)
    published_by = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"PLAN#{self.id}"
        self.sk = "PLAN"
        # The agency's plans, newest period first (a year sorts before its quarters and months: "2026" < "2026-")
        self.gsi1pk = f"PLANS#ORG#{self.org_id}"
        self.gsi1sk = f"{self.period}#{self.id}"


class AssignmentRecord(Entity, discriminator="PlanAssignment"):
    """Assessment task (考核任务): one supervisor's share of a published plan, made once from the stream."""

    plan_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    name = UnicodeAttribute()
    org_id = UnicodeAttribute()
    title = UnicodeAttribute()
    period = UnicodeAttribute()
    period_start = UnicodeAttribute()
    period_end = UnicodeAttribute()
    township = UnicodeAttribute(null=True)  # a township supervisor's: the task covers that township only
    areas = ListAttribute(of=UnicodeAttribute)  # the regions it covers
    subjects = JSONAttribute()  # the plan's named subjects inside its areas, key objects first if the plan says so
    categories = UnicodeSetAttribute(null=True)
    template_code = UnicodeAttribute()
    template_number = NumberAttribute()
    target = NumberAttribute()
    target_key = NumberAttribute()
    state = UnicodeAttribute()  # assigned | received
    received_at = UnicodeAttribute(null=True)
    reminded_at = UnicodeAttribute(null=True)  # below target as the period's end neared
    parties = UnicodeSetAttribute()  # the agency: its inbox hears of the task and of the reminder

    def derive_keys(self) -> None:
        self.pk = f"PLAN#{self.plan_id}"
        self.sk = f"ASG#{self.user_id}"
        self.gsi1pk = f"ASGS#USER#{self.user_id}"
        self.gsi1sk = f"{self.period_start}#{self.plan_id}"


class PerformanceCell(Entity, discriminator="PerformanceCell"):
    """Counters of one supervisor in one agency and period (month, quarter, year): kept by the stream, not audited."""

    org_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    period = UnicodeAttribute()
    name = UnicodeAttribute(null=True)  # from the plans' targets
    target = NumberAttribute(default=0)
    target_key = NumberAttribute(default=0)
    done = NumberAttribute(default=0)
    key_done = NumberAttribute(default=0)
    on_time = NumberAttribute(default=0)
    scored = NumberAttribute(default=0)
    score_tenths = NumberAttribute(default=0)
    failed_items = NumberAttribute(default=0)
    handed_over = NumberAttribute(default=0)
    actions_open = NumberAttribute(default=0)
    actions_overdue = NumberAttribute(default=0)
    actions_closed = NumberAttribute(default=0)

    def derive_keys(self) -> None:
        self.pk = cell_pk(self.org_id, self.period)
        self.sk = cell_sk(self.user_id)


def cell_pk(org_id: str, period: str) -> str:
    return f"PERF#{org_id}#{period}"


def cell_sk(user_id: str) -> str:
    return f"USER#{user_id}"


def get_plan(plan_id: str) -> PlanRecord:
    return fetch(PlanRecord, f"PLAN#{plan_id}", "PLAN", what="inspection plan")


def plans_of(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[PlanRecord], str | None]:
    return query_page(
        PlanRecord,
        ("gsi1pk", f"PLANS#ORG#{org_id}"),
        index=PlanRecord.gsi1,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


def get_assignment(plan_id: str, user_id: str) -> AssignmentRecord:
    return fetch(AssignmentRecord, f"PLAN#{plan_id}", f"ASG#{user_id}", what="assignment")


def find_assignment(plan_id: str, user_id: str) -> AssignmentRecord | None:
    try:
        return get_assignment(plan_id, user_id)
    except NotFoundError:
        return None


def assignments_of_plan(plan_id: str) -> list[AssignmentRecord]:
    """A plan's assignments, by user id: one Query (a plan names at most 200 supervisors)."""
    try:
        return list(
            query_all(AssignmentRecord, f"PLAN#{plan_id}", range_key_condition=AssignmentRecord.sk.startswith("ASG#"))
        )
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def assignments_of_user(user_id: str, *, limit: int, cursor: str | None) -> tuple[list[AssignmentRecord], str | None]:
    return query_page(
        AssignmentRecord,
        ("gsi1pk", f"ASGS#USER#{user_id}"),
        index=AssignmentRecord.gsi1,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


def cells(org_id: str, period: str, user_id: str | None = None) -> list[PerformanceCell]:
    """The period's cells of an agency (one supervisor's only, if named): one Query, whatever the inspections."""
    condition = PerformanceCell.sk == cell_sk(user_id) if user_id else PerformanceCell.sk.startswith("USER#")
    try:
        return list(query_all(PerformanceCell, cell_pk(org_id, period), range_key_condition=condition))
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def users_by_id(ids: list[str]) -> dict[str, UserRecord]:
    """Many users at once: one BatchGetItem per 100."""
    keys = [(f"USER#{i}", "USER") for i in sorted(set(ids))]
    try:
        return {u.id: u for u in UserRecord.batch_get(keys) if isinstance(u, UserRecord)} if keys else {}
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def subjects_by_id(ids: list[str]) -> dict[str, SubjectRecord]:
    keys = [(f"SUBJ#{i}", "SUBJ") for i in sorted(set(ids))]
    try:
        return {s.id: s for s in SubjectRecord.batch_get(keys) if isinstance(s, SubjectRecord)} if keys else {}
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def inspections_by(
    org_id: str, user_id: str, start: str, end: str, *, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    """One supervisor's inspections in [start, end), newest first: the agency's list (gsi2) between the bounds,
    filtered to the inspector. One Query a page; a page may hold fewer than `limit` items (the filter runs after it)."""
    from chalicelib.inspections.store import InspectionRecord

    partition = ("gsi2pk", f"INSPS#ORG#{org_id}")
    try:
        result: Any = InspectionRecord.gsi2.query(
            partition[1],
            range_key_condition=InspectionRecord.gsi2sk.between(start, end),
            filter_condition=InspectionRecord.inspected_by == user_id,
            page_size=limit,
            last_evaluated_key=decode_cursor(cursor, partition=partition),
            scan_index_forward=False,
        )
        # One page only: the iterator would fetch on until `limit` items passed the filter (calls without bound).
        page = next(result.page_iter)
        items = [result._map_fn(raw) for raw in page.get("Items", [])]
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc
    return [i for i in items if isinstance(i, InspectionRecord)], encode_cursor(result.page_iter.last_evaluated_key)

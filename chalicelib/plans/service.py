"""Rules of inspection plans (巡查计划, Art 4) and their assessment tasks (考核任务, Art 5).

An agency's head or admin writes a plan for a period (China time), over areas of its jurisdiction, naming the
subjects and categories to inspect, the published checklist version to use and each supervisor's target; a draft
changes freely, a published plan never. Publishing hands each named supervisor an assessment task (from the
stream, see distribution.py), which they receive. A township supervisor's task covers their township only: the
plan's subjects outside it are never shown to them. Plans are their agency's own: anyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import audit, clock
from chalicelib.core.access import OrgKind, Principal, Role
from chalicelib.core.db import expect
from chalicelib.core.errors import DomainError, ForbiddenError, NotFoundError, Unprocessable
from chalicelib.core.ids import new_id
from chalicelib.core.models import VersionedRequest
from chalicelib.inspections import service as templates
from chalicelib.regions.catalog import catalog, contains

from . import periods, store
from .models import (
    CreatePlanRequest,
    EditPlanRequest,
    PlanPage,
    PlanScope,
    PlanScopeView,
    PlanSubject,
    PlanSummary,
    PlanTarget,
    PlanTargetView,
    PlanTaskPage,
    PlanTaskView,
    PlanTemplate,
    PlanView,
)

PLANNERS = {Role.HEAD, Role.ADMIN}
INSPECTOR_ROLES = {Role.SUPERVISOR, Role.HEAD}


def is_planner(user: Principal) -> bool:
    return user.has_any(PLANNERS)


def _agency(user: Principal) -> None:
    if user.org_kind != OrgKind.SUPERVISION:
        raise ForbiddenError("inspection plans are written by supervision agencies")


def in_area(region: str, township: str | None) -> bool:
    """Whether a subject's region is inside a township supervisor's township (everything is, for anyone else)."""
    return township is None or contains(township, region)


# --- checks of a plan's content ---------------------------------------------------------------------


def _fault(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def _regions(user: Principal, regions: list[str]) -> list[dict[str, str]]:
    faults = []
    for i, code in enumerate(regions):
        if catalog().find(code) is None or not contains(user.org_region, code):
            faults.append(_fault(f"body.regions.{i}", "not a region of your jurisdiction"))
    if len(set(regions)) != len(regions):
        faults.append(_fault("body.regions", "a region is named twice"))
    return faults


def _template(user: Principal, template: PlanTemplate) -> list[dict[str, str]]:
    try:
        templates.published_version(user, template.code, template.number)
    except DomainError as exc:
        return [_fault("body.template", f"no published version of yours or the nation's: {exc}")]
    return []


def _subjects(
    user: Principal, scope: PlanScope, regions: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    found = store.subjects_by_id(scope.subject_ids)
    subjects, faults = [], []
    for i, subject_id in enumerate(scope.subject_ids):
        rec = found.get(subject_id)
        if rec is None or not contains(user.org_region, rec.region or ""):
            faults.append(_fault(f"body.scope.subject_ids.{i}", "no such subject in your jurisdiction"))
        elif not any(contains(r, rec.region or "") for r in regions):
            faults.append(_fault(f"body.scope.subject_ids.{i}", "the subject is outside the plan's regions"))
        else:
            subjects.append({"id": rec.id, "name": rec.name, "region": rec.region, "key_object": bool(rec.key_object)})
    if len(set(scope.subject_ids)) != len(scope.subject_ids):
        faults.append(_fault("body.scope.subject_ids", "a subject is named twice"))
    if scope.key_objects_first:
        subjects.sort(key=lambda s: not s["key_object"])  # stable: the order given, key objects first
    return subjects, faults


def _targets(
    user: Principal, targets: list[PlanTarget], regions: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    found = store.users_by_id([t.user_id for t in targets])
    out, faults, seen = [], [], set()
    for i, target in enumerate(targets):
        at = f"body.targets.{i}"
        rec = found.get(target.user_id)
        if target.user_id in seen:
            faults.append(_fault(f"{at}.user_id", "a supervisor is named twice"))
        seen.add(target.user_id)
        if rec is None or rec.org_id != user.org_id or not rec.active:
            faults.append(_fault(f"{at}.user_id", "not an active user of your agency"))
            continue
        if not set(rec.roles or ()) & {str(r) for r in INSPECTOR_ROLES}:
            faults.append(_fault(f"{at}.user_id", "not a supervisor"))
        if rec.township and not any(contains(r, rec.township) for r in regions):
            faults.append(_fault(f"{at}.user_id", "a township supervisor whose township is outside the plan's regions"))
        if target.key_objects > target.inspections:
            faults.append(_fault(f"{at}.key_objects", "more key-object inspections than inspections"))
        out.append(
            {
                "user_id": rec.id,
                "name": rec.name,
                "township": rec.township,
                "inspections": target.inspections,
                "key_objects": target.key_objects,
            }
        )
    return out, faults


def _content(user: Principal, req: CreatePlanRequest) -> dict[str, Any]:
    """The plan's stored content, or a 422 naming each field that breaks a rule the schema cannot state."""
    faults = _regions(user, req.regions) + _template(user, req.template)
    subjects, subject_faults = _subjects(user, req.scope, req.regions)
    targets, target_faults = _targets(user, req.targets, req.regions)
    faults += subject_faults + target_faults
    if faults:
        raise Unprocessable("the plan breaks a rule of inspection plans", errors=faults)
    start, end = periods.bounds(req.period)
    return {
        "title": req.title,
        "period": req.period,
        "period_start": clock.iso(start),
        "period_end": clock.iso(end),
        "regions": list(req.regions),
        "scope": {
            "subjects": subjects,
            "categories": list(req.scope.categories),
            "key_objects_first": req.scope.key_objects_first,
        },
        "template_code": req.template.code,
        "template_number": req.template.number,
        "targets": targets,
        "note": req.note,
    }


# --- views --------------------------------------------------------------------------------------------


def _mine(user: Principal, rec: store.PlanRecord) -> dict[str, Any] | None:
    return next((t for t in rec.targets if t["user_id"] == user.user_id), None)


def view(user: Principal, rec: store.PlanRecord) -> PlanView:
    """The plan as the user may see it: whole for its planners; a supervisor's own target and area only."""
    targets, township = rec.targets, None
    if not is_planner(user):
        mine = _mine(user, rec)
        targets, township = ([mine] if mine else []), (mine or {}).get("township")
    subjects = [s for s in rec.scope["subjects"] if in_area(s["region"], township)]
    return PlanView(
        id=rec.id,
        org_id=rec.org_id,
        title=rec.title,
        period=rec.period,
        period_start=rec.period_start,
        period_end=rec.period_end,
        regions=[township] if township else list(rec.regions),
        scope=PlanScopeView(
            subjects=[PlanSubject(**s) for s in subjects],
            categories=list(rec.scope["categories"]),
            key_objects_first=bool(rec.scope["key_objects_first"]),
        ),
        template=PlanTemplate(code=rec.template_code, number=int(rec.template_number)),
        targets=[PlanTargetView(**t) for t in targets],
        note=rec.note,
        state=rec.state,  # type: ignore[arg-type]
        created_by=rec.created_by,
        published_at=rec.published_at,
        version=int(rec.version or 0),
    )


def assignment_view(rec: store.AssignmentRecord, cell: store.PerformanceCell | None = None) -> PlanTaskView:
    return PlanTaskView(
        plan_id=rec.plan_id,
        user_id=rec.user_id,
        name=rec.name,
        org_id=rec.org_id,
        title=rec.title,
        period=rec.period,
        period_start=rec.period_start,
        period_end=rec.period_end,
        township=rec.township,
        areas=list(rec.areas),
        subjects=[PlanSubject(**s) for s in rec.subjects],
        categories=sorted(rec.categories or ()),
        template=PlanTemplate(code=rec.template_code, number=int(rec.template_number)),
        target=int(rec.target),
        target_key=int(rec.target_key),
        state=rec.state,  # type: ignore[arg-type]
        received_at=rec.received_at,
        reminded_at=rec.reminded_at,
        done=None if cell is None else int(cell.done),
        key_done=None if cell is None else int(cell.key_done),
        version=int(rec.version or 0),
    )


# --- reads --------------------------------------------------------------------------------------------


def _get(plan_id: str) -> store.PlanRecord:
    if not (plan_id.isalnum() and len(plan_id) == 26):
        raise NotFoundError("inspection plan not found")
    return store.get_plan(plan_id)


def readable(user: Principal, plan_id: str) -> store.PlanRecord:
    """The plan, for its agency's planners, or a supervisor it names once published; a 404 for anyone else."""
    rec = _get(plan_id)
    if rec.org_id != user.org_id:
        raise NotFoundError("inspection plan not found")
    if not is_planner(user) and (rec.state != "published" or _mine(user, rec) is None):
        raise NotFoundError("inspection plan not found")
    return rec


def _planned(user: Principal, plan_id: str) -> store.PlanRecord:
    _agency(user)
    rec = _get(plan_id)
    if rec.org_id != user.org_id:
        raise NotFoundError("inspection plan not found")
    return rec


def get_plan(user: Principal, plan_id: str) -> PlanView:
    return view(user, readable(user, plan_id))


def list_plans(user: Principal, query: Any) -> PlanPage:
    items, cursor = store.plans_of(user.org_id, limit=query.limit, cursor=query.cursor)
    return PlanPage(
        items=[
            PlanSummary(
                id=r.id,
                title=r.title,
                period=r.period,
                state=r.state,  # type: ignore[arg-type]
                targets=len(r.targets),
                version=int(r.version or 0),
            )
            for r in items
        ],
        next_cursor=cursor,
    )


# --- writes -------------------------------------------------------------------------------------------


def create_plan(user: Principal, req: CreatePlanRequest) -> PlanView:
    _agency(user)
    rec = store.PlanRecord(
        id=new_id(),
        org_id=user.org_id,
        region=user.org_region,
        state="draft",
        created_by=user.user_id,
        **_content(user, req),
    )
    audit.commit(audit.Change(rec, "plan.created", condition=store.PlanRecord.pk.does_not_exist()), actor=user.user_id)
    return view(user, rec)


def edit_plan(user: Principal, plan_id: str, req: EditPlanRequest) -> PlanView:
    rec = _planned(user, plan_id)
    expect(rec, req.version, {"draft"}, "the plan")
    current = {
        "title": rec.title,
        "period": rec.period,
        "regions": list(rec.regions),
        "scope": {
            "subject_ids": [s["id"] for s in rec.scope["subjects"]],
            "categories": rec.scope["categories"],
            "key_objects_first": rec.scope["key_objects_first"],
        },
        "template": {"code": rec.template_code, "number": int(rec.template_number)},
        "targets": [
            {"user_id": t["user_id"], "inspections": t["inspections"], "key_objects": t["key_objects"]}
            for t in rec.targets
        ],
        "note": rec.note,
    }
    given = req.model_dump(exclude={"version"}, exclude_none=True)
    merged = CreatePlanRequest.model_validate({**current, **given})
    for name, value in _content(user, merged).items():
        setattr(rec, name, value)
    audit.commit(audit.Change(rec, "plan.edited", condition=store.PlanRecord.state == "draft"), actor=user.user_id)
    return view(user, rec)


def publish_plan(user: Principal, plan_id: str, req: VersionedRequest) -> PlanView:
    """Publish (发布): the plan never changes again; the stream hands each supervisor their task."""
    rec = _planned(user, plan_id)
    expect(rec, req.version, {"draft"}, "the plan")
    if clock.parse_iso(rec.period_end) <= clock.now():
        raise Unprocessable(
            "the plan's period is over", errors=[_fault("period", f"{rec.period} ended at {rec.period_end}")]
        )
    rec.state, rec.published_at, rec.published_by = "published", clock.iso(clock.now()), user.user_id
    audit.commit(
        audit.Change(
            rec,
            "plan.published",
            detail={"targets": len(rec.targets)},
            condition=store.PlanRecord.state == "draft",
        ),
        actor=user.user_id,
    )
    return view(user, rec)


# --- assessment tasks -----------------------------------------------------------------------------


def plan_assignments(user: Principal, plan_id: str) -> PlanTaskPage:
    """A plan's tasks with each supervisor's inspections done in the period; a supervisor sees their own only."""
    plan = readable(user, plan_id)
    found = store.assignments_of_plan(plan.id)
    if not is_planner(user):
        found = [a for a in found if a.user_id == user.user_id]
    cells = {c.user_id: c for c in store.cells(plan.org_id, plan.period, None if is_planner(user) else user.user_id)}
    return PlanTaskPage(items=[assignment_view(a, cells.get(a.user_id)) for a in found])


def my_assignments(user: Principal, query: Any) -> PlanTaskPage:
    items, cursor = store.assignments_of_user(user.user_id, limit=query.limit, cursor=query.cursor)
    return PlanTaskPage(items=[assignment_view(a) for a in items], next_cursor=cursor)


def receive(user: Principal, plan_id: str) -> PlanTaskView:
    """Receive (接收) one's task of a plan (Art 5): once; asked again, the task as received, nothing written."""
    if not (plan_id.isalnum() and len(plan_id) == 26):
        raise NotFoundError("no task of yours under this plan")
    rec = store.find_assignment(plan_id, user.user_id)
    if rec is None:
        raise NotFoundError("no task of yours under this plan")
    if rec.state == "received":
        return assignment_view(rec)
    rec.state, rec.received_at = "received", clock.iso(clock.now())
    audit.commit(
        audit.Change(rec, "assignment.received", condition=store.AssignmentRecord.state == "assigned"),
        actor=user.user_id,
    )
    return assignment_view(rec)

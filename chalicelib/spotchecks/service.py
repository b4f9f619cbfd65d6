"""Rules of spot-check tasks (Art 19): written, published down, received, split among lower agencies or done.

A task published to an agency is received there; that agency either splits it among the agencies below
it (child tasks with their share of the units) or does it itself with a testing agency. The tasks of one
cascade form a tree (parent_id, root_id); each agency sees the tasks it issued or received, and the
governing agencies above see everything in their jurisdiction.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from chalicelib.core import audit, clock
from chalicelib.core.access import Principal, check_access, governs
from chalicelib.core.db import expect
from chalicelib.core.errors import ConflictError, ForbiddenError, InvalidStateError, NotFoundError, Unprocessable
from chalicelib.core.ids import new_id
from chalicelib.core.models import ReasonRequest, VersionedRequest
from chalicelib.orgs import store as orgs
from chalicelib.regions.catalog import contains
from chalicelib.testing import service as testing
from chalicelib.testing import store as testing_store
from chalicelib.testing.models import ConfigureModelRequest, CreateSampleRequest, SamplePage, SampleView

from . import cascade, store
from .models import (
    COMPLETION_DAYS,
    RECEIPT_SECONDS,
    AcceptReportRequest,
    AssignRequest,
    ConflictRequest,
    CreateSpotCheckRequest,
    SplitRequest,
    SpotCheckListQuery,
    SpotCheckPage,
    SpotCheckView,
    SpotReportRequest,
)

CANCELLABLE = {"draft", "published", "received", "returned", "distributed", "in_progress"}


def view(rec: store.SpotCheckRecord) -> SpotCheckView:
    return SpotCheckView(
        id=rec.id,
        title=rec.title,
        urgency=rec.urgency,
        issuer_org_id=rec.issuer_org_id,
        assignee_org_id=rec.assignee_org_id,
        parent_id=rec.parent_id,
        root_id=rec.root_id,
        depth=int(rec.depth or 0),
        state=rec.state,  # type: ignore[arg-type]
        products=list(rec.products or []),
        hazards=list(rec.hazards or []),
        regions=list(rec.regions or []),
        units=int(rec.units),
        standards=list(rec.standards or []),
        deadline=rec.deadline,
        receipt_due=rec.receipt_due,
        description=rec.description,
        plan=rec.plan,
        children=rec.children or [],
        lab_org_id=rec.lab_org_id,
        draw_id=rec.draw_id,
        model=testing.model_view(rec.model),
        report_id=rec.report_id,
        return_reason=rec.return_reason,
        cancel_reason=rec.cancel_reason,
        accepted=rec.accepted,
        clock=rec.clock or {},
        reminders=int(rec.reminders or 0),
        progress=rec.progress,
        created_at=rec.created_at or "",
        version=int(rec.version or 0),
    )


def visible(user: Principal, task_id: str) -> store.SpotCheckRecord:
    rec = store.get(task_id)
    parties = rec.parties if rec.state != "draft" else {rec.issuer_org_id}
    check_access(user, region=rec.region, parties=parties or ())
    return rec


def get(user: Principal, task_id: str) -> SpotCheckView:
    """One task; a task done here shows its samples' figures as they stand (its counters, one Query)."""
    rec = visible(user, task_id)
    shown = view(rec)
    if rec.state in {"in_progress", "submitted", "completed"} and not rec.children:
        shown.progress = cascade.figures(rec.id)
    return shown


def listing(user: Principal, query: SpotCheckListQuery) -> SpotCheckPage:
    find = store.issued_by if query.box == "issued" else store.received_by
    recs, cursor = find(user.org_id, limit=query.limit, cursor=query.cursor)
    return SpotCheckPage(items=[view(r) for r in recs], next_cursor=cursor)


def _agency_below(
    user: Principal, org_id: str, field: str, found: orgs.AgencyRecord | None = None
) -> orgs.AgencyRecord:
    """An active supervision agency in the user's jurisdiction (read unless already at hand)."""
    org = found
    if org is None:
        with contextlib.suppress(NotFoundError):
            org = orgs.get_agency(org_id)
    if org is None or not governs(user, org.region or ""):
        raise NotFoundError("no such agency in your jurisdiction")
    if org.org_kind != "supervision" or not org.active:
        raise Unprocessable(
            "that is not an active supervision agency", errors=[{"field": field, "message": org.org_kind}]
        )
    return org


def _regions_within(regions: list[str], outer: list[str], field: str) -> None:
    for index, region in enumerate(regions):
        if not any(contains(o, region) for o in outer):
            raise Unprocessable(
                "regions lie within the task's", errors=[{"field": f"{field}.{index}", "message": "outside"}]
            )


def create(user: Principal, req: CreateSpotCheckRequest) -> SpotCheckView:
    if not user.governs_region:
        raise ForbiddenError("spot checks are issued by supervision agencies")
    assignee = _agency_below(user, req.assignee_org_id, "body.assignee_org_id")
    if assignee.id == user.org_id:
        raise Unprocessable(
            "publish to an agency below yours", errors=[{"field": "body.assignee_org_id", "message": "your own agency"}]
        )
    _regions_within(req.regions, [assignee.region or ""], "body.regions")
    today = clock.cst_day(clock.now())
    deadline = req.deadline or clock.cst_day(clock.now() + timedelta(days=COMPLETION_DAYS[req.urgency]))
    if deadline < today:
        raise Unprocessable("the deadline has passed", errors=[{"field": "body.deadline", "message": "in the past"}])
    task_id = new_id()
    rec = store.SpotCheckRecord(
        id=task_id,
        title=req.title,
        urgency=req.urgency,
        issuer_org_id=user.org_id,
        assignee_org_id=assignee.id,
        parent_id=None,
        root_id=task_id,
        depth=0,
        state="draft",
        parties={user.org_id, assignee.id},
        region=assignee.region,
        products=list(req.products),
        hazards=list(req.hazards),
        regions=list(req.regions),
        units=req.units,
        standards=list(req.standards),
        deadline=deadline,
        description=req.description,
        children=[],
        created_by=user.user_id,
    )
    audit.commit(audit.Change(rec, "spotcheck.drafted"), actor=user.user_id)
    return view(rec)


def _issuer(user: Principal, task_id: str) -> store.SpotCheckRecord:
    rec = visible(user, task_id)
    if rec.issuer_org_id != user.org_id:
        raise ForbiddenError("only the issuing agency does this")
    return rec


def _assignee(user: Principal, task_id: str) -> store.SpotCheckRecord:
    rec = visible(user, task_id)
    if rec.assignee_org_id != user.org_id:
        raise ForbiddenError("only the agency the task was published to does this")
    return rec


def _receipt_due(urgency: str) -> str:
    return clock.iso(clock.now() + timedelta(seconds=RECEIPT_SECONDS[urgency]))


def publish(user: Principal, task_id: str, req: VersionedRequest) -> SpotCheckView:
    rec = _issuer(user, task_id)
    expect(rec, req.version, {"draft", "returned"}, "the task")
    rec.state, rec.receipt_due, rec.return_reason = "published", _receipt_due(rec.urgency), None
    rec.publications = int(rec.publications or 0) + 1
    audit.commit(audit.Change(rec, "spotcheck.published", detail={"to": rec.assignee_org_id}), actor=user.user_id)
    return view(rec)


def receive(user: Principal, task_id: str, req: VersionedRequest) -> SpotCheckView:
    rec = _assignee(user, task_id)
    expect(rec, req.version, {"published"}, "the task")
    rec.state = "received"
    audit.commit(
        audit.Change(rec, "spotcheck.received", detail={"late": clock.iso(clock.now()) > (rec.receipt_due or "")}),
        actor=user.user_id,
    )
    return view(rec)


def return_task(user: Principal, task_id: str, req: ReasonRequest) -> SpotCheckView:
    rec = _assignee(user, task_id)
    expect(rec, req.version, {"published", "received"}, "the task")
    rec.state, rec.return_reason = "returned", req.reason
    audit.commit(audit.Change(rec, "spotcheck.returned", detail={"reason": req.reason}), actor=user.user_id)
    return view(rec)


def cancel(user: Principal, task_id: str, req: ReasonRequest) -> SpotCheckView:
    """撤销: the issuer cancels, also after distribution or once under way; the stream then cancels the child
    tasks below it and stops the clocks (cascade.py). Samples taken stay, and take no more results."""
    rec = _issuer(user, task_id)
    expect(rec, req.version, CANCELLABLE, "the task")
    rec.state, rec.cancel_reason = "cancelled", req.reason
    audit.commit(audit.Change(rec, "spotcheck.cancelled", detail={"reason": req.reason}), actor=user.user_id)
    return view(rec)


def split(user: Principal, task_id: str, req: SplitRequest) -> SpotCheckView:
    """下发: child tasks to the agencies below, each with its share of the units and regions, published at once."""
    rec = _assignee(user, task_id)
    expect(rec, req.version, {"received"}, "the task")
    if sum(c.units for c in req.children) > int(rec.units):
        raise Unprocessable(
            f"the shares add up to more than the task's {int(rec.units)} units",
            errors=[{"field": "body.children", "message": "too many units"}],
        )
    changes, children = [], []
    found = orgs.agencies_by_id([c.org_id for c in req.children])
    for index, child in enumerate(req.children):
        where = f"body.children.{index}"
        org = _agency_below(user, child.org_id, f"{where}.org_id", found.get(child.org_id))
        if org.id == user.org_id:
            raise Unprocessable(
                "split among the agencies below yours",
                errors=[{"field": f"{where}.org_id", "message": "your own agency"}],
            )
        _regions_within(child.regions, [str(r) for r in rec.regions or []], f"{where}.regions")
        _regions_within(child.regions, [org.region or ""], f"{where}.regions")
        kid = store.SpotCheckRecord(
            id=new_id(),
            title=rec.title,
            urgency=rec.urgency,
            issuer_org_id=user.org_id,
            assignee_org_id=org.id,
            parent_id=rec.id,
            root_id=rec.root_id,
            depth=int(rec.depth or 0) + 1,
            state="published",
            parties={user.org_id, org.id},
            region=org.region,
            products=list(rec.products or []),
            hazards=list(rec.hazards or []),
            regions=list(child.regions),
            units=child.units,
            standards=list(rec.standards or []),
            deadline=rec.deadline,
            receipt_due=_receipt_due(rec.urgency),
            publications=1,
            description=rec.description,
            children=[],
            created_by=user.user_id,
        )
        changes.append(
            audit.Change(
                kid,
                "spotcheck.published",
                detail={"parent": rec.id, "to": org.id},
                condition=store.SpotCheckRecord.pk.does_not_exist(),
            )
        )
        children.append(
            {
                "id": kid.id,
                "org_id": org.id,
                "org_name": org.name,
                "units": child.units,
                "regions": list(child.regions),
                "state": "published",
            }
        )
    rec.state, rec.plan, rec.children = "distributed", req.plan, children
    rec.progress = cascade.total(children)
    audit.commit(
        [audit.Change(rec, "spotcheck.split", detail={"children": [c["id"] for c in children]}), *changes],
        actor=user.user_id,
    )
    return view(rec)


def assign(user: Principal, task_id: str, req: AssignRequest) -> SpotCheckView:
    """The receiving agency does the task itself: its samplers sample, the named testing agency tests."""
    rec = _assignee(user, task_id)
    expect(rec, req.version, {"received"}, "the task")
    lab = _lab(rec, req.lab_org_id)
    rec.state, rec.plan, rec.lab_org_id = "in_progress", req.plan, lab.id
    rec.parties = set(rec.parties or ()) | {lab.id}
    audit.commit(audit.Change(rec, "spotcheck.assigned", detail={"lab": lab.id}), actor=user.user_id)
    return view(rec)


def _lab(rec: store.SpotCheckRecord, lab_id: str) -> orgs.AgencyRecord:
    """A testing agency of the task's province: a county may send its samples to the city's or province's lab."""
    try:
        lab = orgs.get_agency(lab_id)
    except NotFoundError:
        lab = None
    if lab is None or (lab.region or "")[:2] != (rec.region or "")[:2]:
        raise NotFoundError("no such testing agency in the task's province")
    if lab.org_kind != "testing" or not lab.active:
        raise Unprocessable(
            "that is not an active testing agency", errors=[{"field": "body.lab_org_id", "message": lab.org_kind}]
        )
    return lab


def declare_conflict(user: Principal, task_id: str, req: ConflictRequest) -> SpotCheckView:
    """回避申报: a sampler of the doing agency declares a conflict of interest before the draw."""
    rec = visible(user, task_id)
    if rec.assignee_org_id != user.org_id or rec.state != "in_progress":
        raise InvalidStateError("conflicts are declared in a task your agency is doing")
    if rec.draw_id:
        raise InvalidStateError("the draw is done: a drawn sampler recuses through the draw instead")
    conflict = store.ConflictRecord(
        task_id=rec.id, user_id=user.user_id, subject_id=req.subject_id, reason=req.reason, region=rec.region
    )
    audit.commit(
        audit.Change(conflict, "spotcheck.conflict_declared", detail={"subject": req.subject_id}), actor=user.user_id
    )
    return view(rec)


# --- testing (Art 21-25): the lab's model, sampling by the drawn teams, the summary report ---------------------


def _lab_of(user: Principal, task_id: str) -> store.SpotCheckRecord:
    rec = visible(user, task_id)
    if rec.lab_org_id != user.org_id:
        raise ForbiddenError("only the task's testing agency does this")
    return rec


def configure_model(user: Principal, task_id: str, req: ConfigureModelRequest) -> SpotCheckView:
    """检测模型 (Art 23, as Art 12): the lab's objects, methods, items and limits for this task."""
    rec = _lab_of(user, task_id)
    expect(rec, req.version, {"in_progress"}, "the task")
    products = {str(p) for p in rec.products or []}
    for index, obj in enumerate(req.objects):
        if obj.product_code not in products:
            raise Unprocessable(
                "test objects come from the task's products",
                errors=[{"field": f"body.objects.{index}.product_code", "message": "not in the task"}],
            )
    version = int((rec.model or {}).get("version", 0)) + 1
    rec.model = testing.build_model(req, version)
    audit.commit(audit.Change(rec, "spotcheck.model_configured", detail={"model_version": version}), actor=user.user_id)
    return view(rec)


def take_sample(user: Principal, task_id: str, req: CreateSampleRequest) -> tuple[SampleView, bool]:
    """抽样 (Art 21): a drawn sampler samples a drawn subject, scanned or by hand; the task's lab will test it."""
    from . import draws

    rec = visible(user, task_id)
    existing = testing.existing_sample(req)
    if existing is not None:
        if existing.task_id != rec.id or existing.sampled_by != user.user_id:
            raise ConflictError("a sample with this id was already sent by someone else or for another task")
        return testing.sample_view(existing), False
    if rec.state != "in_progress" or not rec.draw_id or not rec.model or not rec.lab_org_id:
        raise InvalidStateError("sampling follows the draw and the lab's testing model")
    drawn = draws.drawn(rec.draw_id)
    if user.user_id not in drawn.samplers:
        raise ForbiddenError("only the samplers the draw picked sample for this task")
    found = testing.identify(req)
    if req.subject_id and not found.subject_id:
        found = testing.with_subject(found, req.subject_id)
    field = "body.trace_code" if req.trace_code else "body.subject_id"
    team = drawn.team_of.get(found.subject_id or "")
    if team is None:
        raise Unprocessable(
            "that subject was not drawn for this task", errors=[{"field": field, "message": "not drawn"}]
        )
    if user.user_id not in drawn.members.get(team, frozenset()):
        raise Unprocessable(
            f"that subject was drawn for team {team}, not yours: its team samples it, or the agency reassigns it",
            errors=[{"field": field, "message": f"drawn for team {team}"}],
        )
    if found.product_code not in {str(p) for p in rec.products or []}:
        raise Unprocessable(
            "that product is not checked by this task",
            errors=[{"field": "body.product_code", "message": "not in the task"}],
        )
    ctx = testing.SampleContext(
        task_kind="JDCC",
        task_id=rec.id,
        unit_org_id=rec.lab_org_id,
        region=rec.region or "",
        parties=frozenset(rec.parties or ()),
        items=rec.model["items"],
    )
    return testing.sample_view(testing.create_sample(user, ctx, found, req)), True


def submit_report(user: Principal, task_id: str, req: SpotReportRequest) -> SpotCheckView:
    """汇总分析报告 (Art 25): the lab uploads its summary analysis report to the issuing agency."""
    from chalicelib.monitoring.service import check_report_attachment

    rec = _lab_of(user, task_id)
    expect(rec, req.version, {"in_progress"}, "the task")
    check_report_attachment("spotcheck", rec.id, req.attachment_id)
    rec.state, rec.report_id = "submitted", req.attachment_id
    audit.commit(audit.Change(rec, "spotcheck.reported", detail={"report": req.attachment_id}), actor=user.user_id)
    return view(rec)


def accept(user: Principal, task_id: str, req: AcceptReportRequest) -> SpotCheckView:
    """验收: the issuing agency accepts the lab's summary analysis report; the task is completed, and its parent,
    if any, follows (cascade.py)."""
    rec = _issuer(user, task_id)
    expect(rec, req.version, {"submitted"}, "the task")
    rec.state = "completed"
    rec.accepted = {"by": user.user_id, "at": clock.iso(clock.now()), "note": req.note}
    audit.commit(audit.Change(rec, "spotcheck.completed", detail={"report": rec.report_id}), actor=user.user_id)
    return view(rec)


def samples_of(user: Principal, task_id: str, limit: int, cursor: str | None) -> SamplePage:
    rec = visible(user, task_id)
    recs, next_cursor = testing_store.samples_of_task(rec.id, limit=limit, cursor=cursor)
    return SamplePage(items=[testing.sample_view(r) for r in recs], next_cursor=next_cursor)

"""Rules of risk-monitoring tasks (Art 9-18): who issues, receives, configures, distributes, samples, reports."""

from __future__ import annotations

from typing import Any

from chalicelib.core import audit, clock, workflows
from chalicelib.core.access import Principal, check_access, governs
from chalicelib.core.db import expect
from chalicelib.core.errors import (
    ConflictError,
    ForbiddenError,
    InvalidStateError,
    NotFoundError,
    Unprocessable,
)
from chalicelib.core.ids import new_id
from chalicelib.core.models import ReasonRequest, VersionedRequest
from chalicelib.orgs import store as orgs
from chalicelib.regions.catalog import contains
from chalicelib.testing import imports
from chalicelib.testing import service as testing
from chalicelib.testing import store as samples
from chalicelib.testing.models import (
    ConfigureModelRequest,
    CreateImportRequest,
    CreateSampleRequest,
    ImportTicket,
    SampleListQuery,
    SamplePage,
    SampleView,
)

from . import store
from .models import (
    AssignmentPage,
    AssignmentView,
    CreateTaskRequest,
    DistributeRequest,
    FailureListQuery,
    FailurePage,
    FailureView,
    PrefillView,
    ProgressView,
    ReportRequest,
    TaskListQuery,
    TaskPage,
    TaskView,
    UnitProgress,
    UpdateTaskRequest,
)

LEAD, UNIT = "lead", "unit"
# States in which the task's issuer may still change or withdraw it.
EDITABLE = {"draft", "returned"}
CANCELLABLE = {"draft", "published", "received", "returned", "in_progress"}


def task_view(rec: store.MonitoringTaskRecord) -> TaskView:
    return TaskView(
        id=rec.id,
        task_kind=rec.task_kind,  # type: ignore[arg-type]
        title=rec.title,
        description=rec.description,
        issuer_org_id=rec.issuer_org_id,
        lead_org_id=rec.lead_org_id,
        state=rec.state,  # type: ignore[arg-type]
        deadline=rec.deadline,
        scope=rec.scope,
        receipt_within_seconds=int(rec.receipt_within_seconds),
        grace_seconds=int(rec.grace_seconds),
        model=testing.model_view(rec.model),
        plan=rec.plan,
        return_reason=rec.return_reason,
        cancel_reason=rec.cancel_reason,
        overall_report_id=rec.overall_report_id,
        workflow_error=rec.workflow_error,
        created_at=rec.created_at or "",
        version=int(rec.version or 0),
    )


def assignment_view(rec: store.AssignmentRecord) -> AssignmentView:
    return AssignmentView(
        id=rec.id,
        task_id=rec.task_id,
        org_id=rec.org_id,
        role=rec.role,  # type: ignore[arg-type]
        task_kind=rec.task_kind,
        title=rec.title,
        issuer_org_id=rec.issuer_org_id,
        lead_org_id=rec.lead_org_id,
        state=rec.state,  # type: ignore[arg-type]
        quotas=rec.quotas or [],
        allocated=int(rec.allocated or 0),
        deadline=rec.deadline,
        overdue=bool(rec.overdue),
        reminders=int(rec.reminders or 0),
        return_reason=rec.return_reason,
        report_id=rec.report_id,
        workflow_error=rec.workflow_error,
        version=int(rec.version or 0),
    )


# --- reading ---------------------------------------------------------------------------------------


def _visible(user: Principal, task_id: str) -> store.MonitoringTaskRecord:
    rec = store.get_task(task_id)
    # A lead sees the task once it is published to it; until then it is the issuer's draft.
    parties = rec.parties if rec.state != "draft" else {rec.issuer_org_id}
    check_access(user, region=rec.region, parties=parties or ())
    return rec


def readable(user: Principal, task_id: str) -> store.MonitoringTaskRecord:
    """The task, if the user may see it (attachments use this for the overall report)."""
    return _visible(user, task_id)


def get_task(user: Principal, task_id: str) -> TaskView:
    return task_view(_visible(user, task_id))


def list_tasks(user: Principal, query: TaskListQuery) -> TaskPage:
    find = store.issued_by if query.box == "issued" else store.led_by
    recs, cursor = find(user.org_id, limit=query.limit, cursor=query.cursor)
    return TaskPage(items=[task_view(r) for r in recs], next_cursor=cursor)


def _assignment(user: Principal, assignment_id: str) -> store.AssignmentRecord:
    try:
        task_id, role, org_id = store.split_assignment_id(assignment_id)
    except ValueError:
        raise NotFoundError("assignment not found") from None
    rec = store.get_assignment(task_id, role, org_id)
    check_access(user, region=rec.region, parties=rec.parties or ())
    return rec


def readable_assignment(user: Principal, assignment_id: str) -> store.AssignmentRecord:
    return _assignment(user, assignment_id)


def get_assignment(user: Principal, assignment_id: str) -> AssignmentView:
    return assignment_view(_assignment(user, assignment_id))


def my_assignments(user: Principal, limit: int, cursor: str | None) -> AssignmentPage:
    recs, next_cursor = store.assigned_to(user.org_id, limit=limit, cursor=cursor)
    return AssignmentPage(items=[assignment_view(r) for r in recs], next_cursor=next_cursor)


# --- the issuer's side (Art 9) ---------------------------------------------------------------------


def _lead_lab(user: Principal, org_id: str) -> orgs.AgencyRecord:
    try:
        lab = orgs.get_agency(org_id)
    except NotFoundError:
        lab = None
    if lab is None or not governs(user, lab.region or ""):
        raise NotFoundError("no such testing agency in your jurisdiction")
    if lab.org_kind != "testing" or not lab.active:
        raise Unprocessable(
            "the lead unit must be an active testing agency",
            errors=[{"field": "body.lead_org_id", "message": lab.org_kind}],
        )
    return lab


def _check_scope_regions(user: Principal, regions: list[str]) -> None:
    for index, region in enumerate(regions):
        if not governs(user, region):
            raise Unprocessable(
                "monitoring regions must lie in your jurisdiction",
                errors=[{"field": f"body.scope.regions.{index}", "message": "outside your jurisdiction"}],
            )


def create_task(user: Principal, req: CreateTaskRequest) -> TaskView:
    if not user.governs_region:
        raise ForbiddenError("monitoring tasks are issued by supervision agencies")
    lead = _lead_lab(user, req.lead_org_id)
    _check_scope_regions(user, req.scope.regions)
    _check_deadline(req.deadline)
    rec = store.MonitoringTaskRecord(
        id=new_id(),
        task_kind=req.task_kind,
        title=req.title,
        description=req.description,
        issuer_org_id=user.org_id,
        lead_org_id=lead.id,
        created_by=user.user_id,
        state="draft",
        parties={user.org_id, lead.id},
        region=user.org_region,
        deadline=req.deadline,
        receipt_within_seconds=req.receipt_within_seconds,
        grace_seconds=req.grace_seconds,
        scope=req.scope.model_dump(),
        publications=0,
    )
    audit.commit(audit.Change(rec, "monitoring.drafted"), actor=user.user_id)
    return task_view(rec)


def _check_deadline(day: str) -> None:
    if day < clock.cst_day(clock.now()):
        raise Unprocessable("the deadline has passed", errors=[{"field": "body.deadline", "message": "in the past"}])


def _issuer(user: Principal, task_id: str) -> store.MonitoringTaskRecord:
    rec = _visible(user, task_id)
    if rec.issuer_org_id != user.org_id:
        raise ForbiddenError("only the issuing agency does this")
    return rec


def update_task(user: Principal, task_id: str, req: UpdateTaskRequest) -> TaskView:
    rec = _issuer(user, task_id)
    expect(rec, req.version, EDITABLE, "the task")
    if req.lead_org_id is not None and req.lead_org_id != rec.lead_org_id:
        lead = _lead_lab(user, req.lead_org_id)
        rec.lead_org_id = lead.id
        rec.parties = {rec.issuer_org_id, lead.id}
    if req.scope is not None:
        _check_scope_regions(user, req.scope.regions)
        rec.scope = req.scope.model_dump()
    if req.deadline is not None:
        _check_deadline(req.deadline)
        rec.deadline = req.deadline
    rec.title = req.title or rec.title
    rec.description = req.description if req.description is not None else rec.description
    audit.commit(
        audit.Change(rec, "monitoring.edited", condition=_at_version(store.MonitoringTaskRecord, req.version)),
        actor=user.user_id,
    )
    return task_view(rec)


def _at_version(model: Any, version: int) -> Any:
    return model.version == version


def publish_task(user: Principal, task_id: str, req: VersionedRequest) -> TaskView:
    """下发: to the lead unit; the stream starts the distribution workflow."""
    rec = _issuer(user, task_id)
    expect(rec, req.version, EDITABLE, "the task")
    _check_deadline(rec.deadline)
    rec.state = "published"
    rec.publications = int(rec.publications or 0) + 1
    rec.return_reason = None
    rec.workflow_error = None
    audit.commit(
        audit.Change(
            rec,
            "monitoring.published",
            detail={"to": rec.lead_org_id},
            condition=_at_version(store.MonitoringTaskRecord, req.version),
        ),
        actor=user.user_id,
    )
    return task_view(rec)


def cancel_task(user: Principal, task_id: str, req: ReasonRequest) -> TaskView:
    rec = _issuer(user, task_id)
    expect(rec, req.version, CANCELLABLE, "the task")
    rec.state, rec.cancel_reason = "cancelled", req.reason
    audit.commit(
        audit.Change(
            rec,
            "monitoring.cancelled",
            detail={"reason": req.reason},
            condition=_at_version(store.MonitoringTaskRecord, req.version),
        ),
        actor=user.user_id,
    )
    return task_view(rec)


def accept_overall_report(user: Principal, task_id: str, req: VersionedRequest) -> TaskView:
    """The issuing agency takes the overall report: the task is completed."""
    rec = _issuer(user, task_id)
    expect(rec, req.version, {"submitted"}, "the task")
    rec.state, rec.accepted_by = "completed", user.user_id
    audit.commit(
        audit.Change(rec, "monitoring.completed", condition=_at_version(store.MonitoringTaskRecord, req.version)),
        actor=user.user_id,
    )
    return task_view(rec)


# --- the lead unit's side (Art 11-13, 18) ------------------------------------------------------------


def _lead(user: Principal, task_id: str) -> store.MonitoringTaskRecord:
    rec = _visible(user, task_id)
    if rec.lead_org_id != user.org_id:
        raise ForbiddenError("only the task's lead unit does this")
    return rec


def _lead_assignment(rec: store.MonitoringTaskRecord) -> store.AssignmentRecord | None:
    try:
        return store.get_assignment(rec.id, LEAD, rec.lead_org_id)
    except NotFoundError:
        return None  # the workflow has not created it yet; its first wait will see the task's state


def _answer(assignment: store.AssignmentRecord | None, stage: str, output: dict[str, Any]) -> None:
    """Answer the workflow step waiting on this assignment, if it is waiting for this stage."""
    if assignment is not None and assignment.token and assignment.stage == stage:
        workflows.answer(assignment.token, output)


def _fail(assignment: store.AssignmentRecord | None, error: str, cause: str) -> None:
    if assignment is not None and assignment.token:
        workflows.refuse(assignment.token, error, cause)


def receive_task(user: Principal, task_id: str, req: VersionedRequest) -> TaskView:
    """接收任务 (Art 11)."""
    rec = _lead(user, task_id)
    expect(rec, req.version, {"published"}, "the task")
    rec.state = "received"
    assignment = _lead_assignment(rec)
    changes = [audit.Change(rec, "monitoring.received", condition=_at_version(store.MonitoringTaskRecord, req.version))]
    if assignment is not None and assignment.state in {"assigned", "awaiting_receipt"}:
        assignment.state = "received"
        changes.append(audit.Change(assignment, "assignment.received"))
    audit.commit(changes, actor=user.user_id)
    _answer(assignment, "receipt", {"received_by": user.user_id})
    return task_view(rec)


def return_task(user: Principal, task_id: str, req: ReasonRequest) -> TaskView:
    """退回: the lead unit sends the task back to its issuer with a reason; the issuer may edit and publish again."""
    rec = _lead(user, task_id)
    expect(rec, req.version, {"published", "received"}, "the task")
    rec.state, rec.return_reason = "returned", req.reason
    assignment = _lead_assignment(rec)
    changes = [
        audit.Change(
            rec,
            "monitoring.returned",
            detail={"reason": req.reason},
            condition=_at_version(store.MonitoringTaskRecord, req.version),
        )
    ]
    if assignment is not None:
        assignment.state, assignment.return_reason = "returned", req.reason
        changes.append(audit.Change(assignment, "assignment.returned"))
    audit.commit(changes, actor=user.user_id)
    _fail(assignment, "Returned", req.reason)
    return task_view(rec)


def configure_model(user: Principal, task_id: str, req: ConfigureModelRequest) -> TaskView:
    """配置监测模型 (Art 12): objects, standards, items and limits, resolved from the library and kept."""
    rec = _lead(user, task_id)
    expect(rec, req.version, {"received"}, "the task")
    scope_products = set(rec.scope["products"])
    for index, obj in enumerate(req.objects):
        if obj.product_code not in scope_products:
            raise Unprocessable(
                "test objects come from the task's products",
                errors=[{"field": f"body.objects.{index}.product_code", "message": "not in the task's scope"}],
            )
    version = int(rec.model_version or 0) + 1
    rec.model = testing.build_model(req, version)
    rec.model_version = version
    audit.commit(
        audit.Change(
            rec,
            "monitoring.model_configured",
            detail={"model_version": version},
            condition=_at_version(store.MonitoringTaskRecord, req.version),
        ),
        actor=user.user_id,
    )
    return task_view(rec)


def distribute(user: Principal, task_id: str, req: DistributeRequest) -> TaskView:
    """分配任务 (Art 13): a quota per undertaking unit; the workflow creates their assignments."""
    rec = _lead(user, task_id)
    expect(rec, req.version, {"received"}, "the task")
    if not rec.model:
        raise InvalidStateError("configure the monitoring model before distributing the task")
    objects = {o["product_code"] for o in rec.model["objects"]}
    scope_regions = rec.scope["regions"]
    plan = []
    labs = orgs.agencies_by_id([u.org_id for u in req.units])
    for u_index, unit in enumerate(req.units):
        where = f"body.units.{u_index}"
        lab = labs.get(unit.org_id)
        if (
            lab is None
            or lab.org_kind != "testing"
            or not lab.active
            or not _in_scope(lab.region or "", [rec.region or ""])
        ):
            raise Unprocessable(
                "undertaking units are active testing agencies of the task's jurisdiction",
                errors=[{"field": f"{where}.org_id", "message": "not an eligible lab"}],
            )
        if unit.deadline > rec.deadline:
            raise Unprocessable(
                "a unit's deadline cannot be after the task's",
                errors=[{"field": f"{where}.deadline", "message": f"after {rec.deadline}"}],
            )
        for q_index, quota in enumerate(unit.quotas):
            if quota.product_code not in objects:
                raise Unprocessable(
                    "quotas are of the model's test objects",
                    errors=[{"field": f"{where}.quotas.{q_index}.product_code", "message": "not a test object"}],
                )
            if not _in_scope(quota.region, scope_regions):
                raise Unprocessable(
                    "quotas lie in the task's regions",
                    errors=[{"field": f"{where}.quotas.{q_index}.region", "message": "outside the task's regions"}],
                )
        plan.append(
            {
                "org_id": unit.org_id,
                "org_name": lab.name,
                "deadline": unit.deadline,
                "quotas": [q.model_dump() for q in unit.quotas],
            }
        )
    _check_quotas_add_up(req, int(rec.scope["samples"]))
    rec.plan = plan
    rec.state = "in_progress"
    rec.parties = set(rec.parties or ()) | {u.org_id for u in req.units}
    assignment = _lead_assignment(rec)
    changes = [
        audit.Change(
            rec,
            "monitoring.distributed",
            detail={"units": [u["org_id"] for u in plan]},
            condition=_at_version(store.MonitoringTaskRecord, req.version),
        )
    ]
    audit.commit(changes, actor=user.user_id)
    _answer(assignment, "distribution", {"units": [{"org_id": u["org_id"]} for u in plan]})
    return task_view(rec)


def _check_quotas_add_up(req: DistributeRequest, total: int) -> None:
    """Every sample the scope asks for is given to a unit, and no more (Art 13)."""
    allotted = sum(q.samples for unit in req.units for q in unit.quotas)
    if allotted != total:
        raise Unprocessable(
            f"the quotas must add up to the {total} samples of the task's scope",
            errors=[{"field": "body.units.*.quotas", "message": f"{allotted} samples in all, not {total}"}],
        )


def _in_scope(region: str, scope: list[str]) -> bool:
    return any(contains(s, region) for s in scope)


def submit_overall_report(user: Principal, task_id: str, req: ReportRequest) -> TaskView:
    """总体报告 (Art 18): the lead uploads the overall report to the issuing agency, once every unit reported."""
    rec = _lead(user, task_id)
    expect(rec, req.version, {"in_progress"}, "the task")
    pending = [
        a.org_id
        for a in store.task_partition(rec.id)
        if isinstance(a, store.AssignmentRecord)
        and a.role == UNIT
        and a.state not in {"reported", "returned", "cancelled"}
        and not a.workflow_error  # a unit that lapsed after its reminder does not hold the task up
    ]
    if pending:
        raise InvalidStateError(f"{len(pending)} undertaking units have not reported yet: {', '.join(sorted(pending))}")
    check_report_attachment("monitoring_task", rec.id, req.attachment_id)
    rec.state, rec.overall_report_id = "submitted", req.attachment_id
    assignment = _lead_assignment(rec)
    changes = [
        audit.Change(
            rec,
            "monitoring.reported",
            detail={"report": req.attachment_id, "summary": req.summary},
            condition=_at_version(store.MonitoringTaskRecord, req.version),
        )
    ]
    if assignment is not None:
        assignment.state, assignment.report_id = "reported", req.attachment_id
        changes.append(audit.Change(assignment, "assignment.reported"))
    audit.commit(changes, actor=user.user_id)
    _answer(assignment, "report", {"report": req.attachment_id})
    return task_view(rec)


def check_report_attachment(owner_kind: str, owner_id: str, attachment_id: str) -> None:
    """A report named by a submission must be a PDF attached to that record, finished uploading."""
    from chalicelib.attachments import store as attachments

    try:
        att = attachments.get(attachment_id)
    except NotFoundError:
        att = None
    if att is None or att.owner_kind != owner_kind or att.owner_id != owner_id:
        raise Unprocessable(
            "attach the report to this record first",
            errors=[{"field": "body.attachment_id", "message": "not an attachment of this record"}],
        )
    if att.state != "attached" or att.content_type != "application/pdf":
        raise Unprocessable(
            "the report must be a PDF that finished uploading",
            errors=[{"field": "body.attachment_id", "message": att.state}],
        )


# --- the undertaking unit's side (Art 14-17) ----------------------------------------------------------


def _own_assignment(user: Principal, assignment_id: str) -> store.AssignmentRecord:
    rec = _assignment(user, assignment_id)
    if rec.org_id != user.org_id:
        raise ForbiddenError("only the assigned unit does this")
    return rec


def receive_assignment(user: Principal, assignment_id: str, req: VersionedRequest) -> AssignmentView:
    """承担单位接收 (Art 14)."""
    rec = _own_assignment(user, assignment_id)
    if rec.role != UNIT:
        raise InvalidStateError("the lead unit receives the task itself")
    expect(rec, req.version, {"assigned", "awaiting_receipt"}, "the assignment")
    expected, token, stage = rec.state, rec.token, rec.stage
    rec.state, rec.token, rec.stage = "received", None, None
    audit.commit(
        audit.Change(rec, "assignment.received", condition=store.AssignmentRecord.state == expected),
        actor=user.user_id,
    )
    if token and stage == "receipt":
        workflows.answer(token, {"received_by": user.user_id})
    return assignment_view(rec)


def return_assignment(user: Principal, assignment_id: str, req: ReasonRequest) -> AssignmentView:
    rec = _own_assignment(user, assignment_id)
    if rec.role != UNIT:
        raise InvalidStateError("the lead unit returns the task itself")
    expect(rec, req.version, {"assigned", "awaiting_receipt"}, "the assignment")
    expected, token = rec.state, rec.token
    rec.state, rec.return_reason, rec.token, rec.stage = "returned", req.reason, None, None
    audit.commit(
        audit.Change(
            rec,
            "assignment.returned",
            detail={"reason": req.reason},
            condition=store.AssignmentRecord.state == expected,
        ),
        actor=user.user_id,
    )
    if token:
        workflows.refuse(token, "Returned", req.reason)
    return assignment_view(rec)


def submit_unit_report(user: Principal, assignment_id: str, req: ReportRequest) -> AssignmentView:
    """汇总分析报告 (Art 17): the undertaking unit uploads its summary analysis report to the lead unit."""
    rec = _own_assignment(user, assignment_id)
    if rec.role != UNIT:
        raise InvalidStateError("the lead unit submits the overall report on the task")
    expect(rec, req.version, {"received"}, "the assignment")
    check_report_attachment("assignment", rec.id, req.attachment_id)
    token, stage = rec.token, rec.stage
    rec.state, rec.report_id, rec.token, rec.stage = "reported", req.attachment_id, None, None
    audit.commit(
        audit.Change(
            rec,
            "assignment.reported",
            detail={"report": req.attachment_id, "summary": req.summary},
            condition=_at_version(store.AssignmentRecord, req.version),
        ),
        actor=user.user_id,
    )
    if token and stage == "report":
        workflows.answer(token, {"report": req.attachment_id})
    return assignment_view(rec)


# --- sampling and results under a task -------------------------------------------------------------------


def _sampling_assignment(user: Principal, task: store.MonitoringTaskRecord) -> store.AssignmentRecord:
    try:
        rec = store.get_assignment(task.id, UNIT, user.org_id)
    except NotFoundError:
        raise NotFoundError("your lab has no part in this task") from None
    if task.state != "in_progress" or rec.state != "received":
        raise InvalidStateError("sampling needs a received assignment of a task in progress")
    return rec


def take_sample(user: Principal, task_id: str, req: CreateSampleRequest) -> tuple[SampleView, bool]:
    """抽样 (Art 15): scanned or typed; a resend of the same sample changes nothing. Returns (sample, created)."""
    task = _visible(user, task_id)
    existing = testing.existing_sample(req)
    if existing is not None:
        if existing.task_id != task.id or existing.unit_org_id != user.org_id:
            raise ConflictError("a sample with this id was already sent by another lab or for another task")
        return testing.sample_view(existing), False
    assignment = _sampling_assignment(user, task)
    found = testing.identify(req)
    quotas = [q for q in assignment.quotas or [] if q["product_code"] == found.product_code]
    if not quotas:
        raise Unprocessable(
            f"your quota has no product {found.product_code}",
            errors=[{"field": "body.product_code", "message": "not in your quota"}],
        )
    if not _in_scope(req.place.region, [q["region"] for q in quotas]):
        raise Unprocessable(
            "the sampling place lies outside your quota's regions for this product",
            errors=[{"field": "body.place.region", "message": "outside your quota"}],
        )
    ctx = testing.SampleContext(
        task_kind=task.task_kind,
        task_id=task.id,
        unit_org_id=user.org_id,
        region=task.region or "",
        parties=frozenset({task.issuer_org_id, task.lead_org_id, user.org_id}),
        items=(task.model or {}).get("items", []),
    )
    rec = testing.create_sample(user, ctx, found, req)
    return testing.sample_view(rec), True


def samples_of(user: Principal, task_id: str, query: SampleListQuery) -> SamplePage:
    task = _visible(user, task_id)
    if user.org_id in {task.lead_org_id, task.issuer_org_id} or governs(user, task.region or ""):
        if query.unit_org_id:
            recs, cursor = samples.samples_of_unit(task.id, query.unit_org_id, limit=query.limit, cursor=query.cursor)
        else:
            recs, cursor = samples.samples_of_task(task.id, limit=query.limit, cursor=query.cursor)
    else:
        # An undertaking unit sees its own samples only, whatever it asks for.
        recs, cursor = samples.samples_of_unit(task.id, user.org_id, limit=query.limit, cursor=query.cursor)
    return SamplePage(items=[testing.sample_view(r) for r in recs], next_cursor=cursor)


def prefill(user: Principal, task_id: str, code: str) -> PrefillView:
    """扫码: what the scanned code fills in, through scan resolution, for a sampler of a unit of this task."""
    task = _visible(user, task_id)
    assignment = _sampling_assignment(user, task)
    found = testing.identify_code(code)
    quotas = [q for q in assignment.quotas or [] if q["product_code"] == found.product_code]
    expected = [i["analyte"] for i in (task.model or {}).get("items", []) if i["product_code"] == found.product_code]
    return PrefillView(
        code=found.trace_code or code,
        product_code=found.product_code,
        product_name=found.product_name,
        product_id=found.product_id or "",
        batch_id=found.batch_id,
        subject_id=found.subject_id or "",
        subject_name=found.subject_name or "",
        in_quota=bool(quotas),
        expected_items=expected,
    )


def failures(user: Principal, task_id: str, query: FailureListQuery) -> FailurePage:
    """The task's unqualified samples, for its issuer, its lead and the agencies above (a unit sees its own).

    Each page is full: a unit's failures have their own index partition, so nothing is filtered after the read.
    """
    task = _visible(user, task_id)
    sees_all = user.org_id in {task.issuer_org_id, task.lead_org_id} or governs(user, task.region or "")
    # An undertaking unit sees its own failures only, whatever it asks for.
    unit = query.unit_org_id if sees_all else user.org_id
    if unit:
        recs, next_cursor = samples.failures_of_unit(task.id, unit, limit=query.limit, cursor=query.cursor)
    else:
        recs, next_cursor = samples.failures_of(task.id, limit=query.limit, cursor=query.cursor)
    return FailurePage(
        items=[
            FailureView(
                sample_id=r.sample_id,
                task_id=r.task_id,
                unit_org_id=r.unit_org_id,
                product_code=r.product_code,
                product_name=r.product_name,
                subject_id=r.subject_id,
                place_region=r.place_region,
                items=r.items,
                state=r.state,
                created_at=r.created_at or "",
            )
            for r in recs
        ],
        next_cursor=next_cursor,
    )


# --- progress (quota reconciliation) ----------------------------------------------------------------------


def progress(user: Principal, task_id: str) -> ProgressView:
    """Per unit: allocated, sampled, received, tested, reported, failures. One Query of the task's partition."""
    items = store.task_partition(task_id)
    task = next((i for i in items if isinstance(i, store.MonitoringTaskRecord)), None)
    if task is None:
        raise NotFoundError("monitoring task not found")
    check_access(user, region=task.region, parties={task.issuer_org_id, task.lead_org_id})
    counters = {c.org_id: c for c in samples.per_unit(i for i in items if isinstance(i, samples.ProgressCounter))}
    units = []
    for a in items:
        if not isinstance(a, store.AssignmentRecord):
            continue
        c = counters.get(a.org_id) if a.role == UNIT else None
        units.append(
            UnitProgress(
                org_id=a.org_id,
                role=a.role,
                state=a.state,
                allocated=int(a.allocated or 0),
                sampled=int(c.sampled or 0) if c else 0,
                received=int(c.received or 0) if c else 0,
                tested=int(c.tested or 0) if c else 0,
                reported=a.state == "reported",
                unqualified=int(c.unqualified or 0) if c else 0,
                overdue=bool(a.overdue),
            )
        )
    totals = {
        key: sum(int(getattr(u, key)) for u in units if u.role == UNIT)
        for key in ("allocated", "sampled", "received", "tested", "unqualified")
    }
    totals["reported"] = sum(1 for u in units if u.role == UNIT and u.reported)
    return ProgressView(task_id=task.id, state=task.state, units=units, totals=totals)


def request_import(user: Principal, assignment_id: str, req: CreateImportRequest) -> ImportTicket:
    """A result sheet for the samples the user's lab tests under this assignment."""
    rec = _own_assignment(user, assignment_id)
    if rec.role != UNIT or rec.state not in {"received", "reported"}:
        raise InvalidStateError("results are imported for a received undertaking assignment")
    return imports.request_import(
        user, task_id=rec.task_id, parties=set(rec.parties or ()), region=rec.region or "", req=req
    )


def unit_of(user: Principal, assignment_id: str) -> store.AssignmentRecord:
    """The undertaking assignment of the user's own lab (exports use it)."""
    rec = _own_assignment(user, assignment_id)
    if rec.role != UNIT:
        raise InvalidStateError("the lead unit exports per undertaking unit")
    return rec

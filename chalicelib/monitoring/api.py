"""Routes of risk-monitoring tasks (风险监测) and their assignments."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.api import Api, Budget, RequestContext, Status
from chalicelib.core.models import PageQuery, ReasonRequest, VersionedRequest
from chalicelib.orgs.authorizer import jwt_authorizer
from chalicelib.testing.models import (
    ConfigureModelRequest,
    CreateImportRequest,
    CreateSampleRequest,
    ImportTicket,
    SampleListQuery,
    SamplePage,
    SampleView,
)

from . import exports, service
from .models import (
    AssignmentPage,
    AssignmentView,
    CreateTaskRequest,
    DistributeRequest,
    ExportView,
    FailurePage,
    PrefillQuery,
    PrefillView,
    ProgressView,
    ReportRequest,
    TaskListQuery,
    TaskPage,
    TaskView,
    UpdateTaskRequest,
)

bp = Blueprint(__name__)
api = Api(bp, "monitoring", jwt_authorizer)
ISSUERS = {Role.HEAD, Role.SUPERVISOR}
LABS = {Role.LAB_MANAGER}
LAB_STAFF = {Role.LAB_MANAGER, Role.LAB_ANALYST}
TASK = "/monitoring-tasks/{task_id}"
ASSIGNMENT = "/monitoring-assignments/{assignment_id}"


@api.route(
    "/monitoring-tasks",
    "POST",
    roles=ISSUERS,
    summary="Write a risk-monitoring task (draft)",
    body=CreateTaskRequest,
    response=TaskView,
    status=201,
    budget=Budget(reads=1, writes=1),
)
def create(ctx: RequestContext) -> TaskView:
    return service.create_task(ctx.user, ctx.body)


@api.route(
    "/monitoring-tasks",
    "GET",
    roles=ALL_ROLES,
    summary="Tasks your agency issued, or leads",
    query=TaskListQuery,
    response=TaskPage,
    budget=Budget(reads=1, writes=0),
)
def listing(ctx: RequestContext) -> TaskPage:
    return service.list_tasks(ctx.user, ctx.query)


@api.route(
    TASK,
    "GET",
    roles=ALL_ROLES,
    summary="One task, with its model and plan",
    response=TaskView,
    budget=Budget(reads=1, writes=0),
)
def get(ctx: RequestContext, task_id: str) -> TaskView:
    return service.get_task(ctx.user, task_id)


@api.route(
    TASK,
    "PATCH",
    roles=ISSUERS,
    summary="Edit a draft or returned task",
    body=UpdateTaskRequest,
    response=TaskView,
    budget=Budget(reads=2, writes=1),
)
def update(ctx: RequestContext, task_id: str) -> TaskView:
    return service.update_task(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/publish",
    "POST",
    roles=ISSUERS,
    summary="Publish (下发) the task to its lead unit",
    body=VersionedRequest,
    response=TaskView,
    budget=Budget(reads=1, writes=1),
)
def publish(ctx: RequestContext, task_id: str) -> TaskView:
    return service.publish_task(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/cancel",
    "POST",
    roles=ISSUERS,
    summary="Cancel the task, with a reason",
    body=ReasonRequest,
    response=TaskView,
    budget=Budget(reads=1, writes=1),
)
def cancel(ctx: RequestContext, task_id: str) -> TaskView:
    return service.cancel_task(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/accept",
    "POST",
    roles=ISSUERS,
    summary="Take the overall report: the task is completed",
    body=VersionedRequest,
    response=TaskView,
    budget=Budget(reads=1, writes=1),
)
def accept(ctx: RequestContext, task_id: str) -> TaskView:
    return service.accept_overall_report(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/receive",
    "POST",
    roles=LABS,
    summary="The lead unit receives (接收) the task",
    body=VersionedRequest,
    response=TaskView,
    budget=Budget(reads=2, writes=2),
)
def receive(ctx: RequestContext, task_id: str) -> TaskView:
    return service.receive_task(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/return",
    "POST",
    roles=LABS,
    summary="The lead unit returns (退回) the task, with a reason",
    body=ReasonRequest,
    response=TaskView,
    budget=Budget(reads=2, writes=2),
)
def return_task(ctx: RequestContext, task_id: str) -> TaskView:
    return service.return_task(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/model",
    "PUT",
    roles=LABS,
    summary="Configure the monitoring model (监测模型): objects, items, limits",
    body=ConfigureModelRequest,
    response=TaskView,
    budget=Budget(reads=22, writes=1),
)
def configure(ctx: RequestContext, task_id: str) -> TaskView:
    return service.configure_model(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/distribute",
    "POST",
    roles=LABS,
    summary="Distribute quotas to undertaking units (承担单位)",
    body=DistributeRequest,
    response=TaskView,
    budget=Budget(reads=4, writes=2),
)
def distribute(ctx: RequestContext, task_id: str) -> TaskView:
    return service.distribute(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/overall-report",
    "POST",
    roles=LABS,
    summary="Submit the overall report (总体报告) to the issuing agency",
    body=ReportRequest,
    response=TaskView,
    budget=Budget(reads=4, writes=2),
)
def overall_report(ctx: RequestContext, task_id: str) -> TaskView:
    return service.submit_overall_report(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/progress",
    "GET",
    roles=ALL_ROLES,
    summary="Per unit: allocated, sampled, received, tested, reported, failures",
    response=ProgressView,
    budget=Budget(reads=1, writes=0),
)
def progress(ctx: RequestContext, task_id: str) -> ProgressView:
    return service.progress(ctx.user, task_id)


@api.route(
    TASK + "/samples",
    "POST",
    roles={Role.SAMPLER},
    summary="Record a sample (抽样), scanned or by hand; a resend is a no-op",
    body=CreateSampleRequest,
    response=SampleView,
    status=201,
    budget=Budget(reads=5, writes=1),
)
def take_sample(ctx: RequestContext, task_id: str) -> Any:
    view, created = service.take_sample(ctx.user, task_id, ctx.body)
    return view if created else Status(view, 200)


@api.route(
    TASK + "/samples",
    "GET",
    roles=ALL_ROLES,
    summary="The task's samples (an undertaking unit sees its own)",
    query=SampleListQuery,
    response=SamplePage,
    budget=Budget(reads=2, writes=0),
)
def samples(ctx: RequestContext, task_id: str) -> SamplePage:
    return service.samples_of(ctx.user, task_id, ctx.query)


@api.route(
    TASK + "/prefill",
    "GET",
    roles={Role.SAMPLER},
    summary="What a scanned traceability code fills in on the sampling form (扫码抽样)",
    query=PrefillQuery,
    response=PrefillView,
    budget=Budget(reads=4, writes=0),
)
def prefill(ctx: RequestContext, task_id: str) -> PrefillView:
    return service.prefill(ctx.user, task_id, ctx.query.code)


@api.route(
    TASK + "/failures",
    "GET",
    roles=ALL_ROLES,
    summary="The task's unqualified samples (failure events)",
    query=PageQuery,
    response=FailurePage,
    budget=Budget(reads=2, writes=0),
)
def failures(ctx: RequestContext, task_id: str) -> FailurePage:
    return service.failures(ctx.user, task_id, ctx.query.limit, ctx.query.cursor)


@api.route(
    "/monitoring-assignments",
    "GET",
    roles=ALL_ROLES,
    summary="Your lab's assignments, newest first",
    query=PageQuery,
    response=AssignmentPage,
    budget=Budget(reads=1, writes=0),
)
def assignments(ctx: RequestContext) -> AssignmentPage:
    return service.my_assignments(ctx.user, ctx.query.limit, ctx.query.cursor)


@api.route(
    ASSIGNMENT,
    "GET",
    roles=ALL_ROLES,
    summary="One assignment",
    response=AssignmentView,
    budget=Budget(reads=1, writes=0),
)
def assignment(ctx: RequestContext, assignment_id: str) -> AssignmentView:
    return service.get_assignment(ctx.user, assignment_id)


@api.route(
    ASSIGNMENT + "/receive",
    "POST",
    roles=LABS,
    summary="The undertaking unit receives its part",
    body=VersionedRequest,
    response=AssignmentView,
    budget=Budget(reads=1, writes=2),
)
def receive_assignment(ctx: RequestContext, assignment_id: str) -> AssignmentView:
    return service.receive_assignment(ctx.user, assignment_id, ctx.body)


@api.route(
    ASSIGNMENT + "/return",
    "POST",
    roles=LABS,
    summary="The undertaking unit returns its part, with a reason",
    body=ReasonRequest,
    response=AssignmentView,
    budget=Budget(reads=1, writes=2),
)
def return_assignment(ctx: RequestContext, assignment_id: str) -> AssignmentView:
    return service.return_assignment(ctx.user, assignment_id, ctx.body)


@api.route(
    ASSIGNMENT + "/report",
    "POST",
    roles=LABS,
    summary="Submit the summary analysis report (汇总分析报告) to the lead unit",
    body=ReportRequest,
    response=AssignmentView,
    budget=Budget(reads=2, writes=2),
)
def report(ctx: RequestContext, assignment_id: str) -> AssignmentView:
    return service.submit_unit_report(ctx.user, assignment_id, ctx.body)


@api.route(
    ASSIGNMENT + "/summary-export",
    "POST",
    roles=LAB_STAFF,
    summary="Export the result summary table (检测结果汇总表) as XLSX",
    response=ExportView,
    status=201,
    budget=Budget(reads=60, writes=8),
)
def summary_export(ctx: RequestContext, assignment_id: str) -> ExportView:
    return exports.export_summary(ctx.user, assignment_id)


@api.route(
    ASSIGNMENT + "/result-imports",
    "POST",
    roles=LAB_STAFF,
    summary="Upload a result sheet (CSV or XLSX) to import",
    body=CreateImportRequest,
    response=ImportTicket,
    status=201,
    budget=Budget(reads=1, writes=1),
)
def result_import(ctx: RequestContext, assignment_id: str) -> ImportTicket:
    return service.request_import(ctx.user, assignment_id, ctx.body)

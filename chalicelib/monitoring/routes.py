"""Routes of risk-monitoring tasks (风险监测) and their assignments.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.routes import Budget, Table

table = Table("monitoring", handlers="chalicelib.monitoring.api", models="chalicelib.monitoring.models")
ISSUERS = {Role.HEAD, Role.SUPERVISOR}
LABS = {Role.LAB_MANAGER}
LAB_STAFF = {Role.LAB_MANAGER, Role.LAB_ANALYST}
TASK = "/monitoring-tasks/{task_id}"
ASSIGNMENT = "/monitoring-assignments/{assignment_id}"

table.route(
    "POST",
    "/monitoring-tasks",
    "create",
    roles=ISSUERS,
    summary="Write a risk-monitoring task (draft)",
    body="CreateTaskRequest",
    response="TaskView",
    status=201,
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    "/monitoring-tasks",
    "listing",
    roles=ALL_ROLES,
    summary="Tasks your agency issued, or leads",
    query="TaskListQuery",
    response="TaskPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "GET",
    TASK,
    "get",
    roles=ALL_ROLES,
    summary="One task, with its model and plan",
    response="TaskView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "PATCH",
    TASK,
    "update",
    roles=ISSUERS,
    summary="Edit a draft or returned task",
    body="UpdateTaskRequest",
    response="TaskView",
    budget=Budget(reads=2, writes=1),
)

table.route(
    "POST",
    TASK + "/publish",
    "publish",
    roles=ISSUERS,
    summary="Publish (下发) the task to its lead unit",
    body="chalicelib.core.models:VersionedRequest",
    response="TaskView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    TASK + "/cancel",
    "cancel",
    roles=ISSUERS,
    summary="Cancel the task, with a reason",
    body="chalicelib.core.models:ReasonRequest",
    response="TaskView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    TASK + "/accept",
    "accept",
    roles=ISSUERS,
    summary="Take the overall report: the task is completed",
    body="chalicelib.core.models:VersionedRequest",
    response="TaskView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    TASK + "/receive",
    "receive",
    roles=LABS,
    summary="The lead unit receives (接收) the task",
    body="chalicelib.core.models:VersionedRequest",
    response="TaskView",
    budget=Budget(reads=2, writes=2),
)

table.route(
    "POST",
    TASK + "/return",
    "return_task",
    roles=LABS,
    summary="The lead unit returns (退回) the task, with a reason",
    body="chalicelib.core.models:ReasonRequest",
    response="TaskView",
    budget=Budget(reads=2, writes=2),
)

table.route(
    "PUT",
    TASK + "/model",
    "configure",
    roles=LABS,
    summary="Configure the monitoring model (监测模型): objects, items, limits",
    body="chalicelib.testing.models:ConfigureModelRequest",
    response="TaskView",
    budget=Budget(reads=22, writes=1),
)

table.route(
    "POST",
    TASK + "/distribute",
    "distribute",
    roles=LABS,
    summary="Distribute quotas to undertaking units (承担单位)",
    body="DistributeRequest",
    response="TaskView",
    budget=Budget(reads=4, writes=2),
)

table.route(
    "POST",
    TASK + "/overall-report",
    "overall_report",
    roles=LABS,
    summary="Submit the overall report (总体报告) to the issuing agency",
    body="ReportRequest",
    response="TaskView",
    budget=Budget(reads=4, writes=2),
)

table.route(
    "GET",
    TASK + "/progress",
    "progress",
    roles=ALL_ROLES,
    summary="Per unit: allocated, sampled, received, tested, reported, failures",
    response="ProgressView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    TASK + "/samples",
    "take_sample",
    roles={Role.SAMPLER},
    summary="Record a sample (抽样), scanned or by hand; a resend is a no-op",
    body="chalicelib.testing.models:CreateSampleRequest",
    response="chalicelib.testing.models:SampleView",
    status=201,
    budget=Budget(reads=5, writes=1),
)

table.route(
    "GET",
    TASK + "/samples",
    "samples",
    roles=ALL_ROLES,
    summary="The task's samples (an undertaking unit sees its own)",
    query="chalicelib.testing.models:SampleListQuery",
    response="chalicelib.testing.models:SamplePage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    TASK + "/prefill",
    "prefill",
    roles={Role.SAMPLER},
    summary="What a scanned traceability code fills in on the sampling form (扫码抽样)",
    query="PrefillQuery",
    response="PrefillView",
    budget=Budget(reads=4, writes=0),
)

table.route(
    "GET",
    TASK + "/failures",
    "failures",
    roles=ALL_ROLES,
    summary="The task's unqualified samples (failure events); an undertaking unit's own",
    query="FailureListQuery",
    response="FailurePage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/monitoring-assignments",
    "assignments",
    roles=ALL_ROLES,
    summary="Your lab's assignments, newest first",
    query="chalicelib.core.models:PageQuery",
    response="AssignmentPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "GET",
    ASSIGNMENT,
    "assignment",
    roles=ALL_ROLES,
    summary="One assignment",
    response="AssignmentView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    ASSIGNMENT + "/receive",
    "receive_assignment",
    roles=LABS,
    summary="The undertaking unit receives its part",
    body="chalicelib.core.models:VersionedRequest",
    response="AssignmentView",
    budget=Budget(reads=1, writes=2),
)

table.route(
    "POST",
    ASSIGNMENT + "/return",
    "return_assignment",
    roles=LABS,
    summary="The undertaking unit returns its part, with a reason",
    body="chalicelib.core.models:ReasonRequest",
    response="AssignmentView",
    budget=Budget(reads=1, writes=2),
)

table.route(
    "POST",
    ASSIGNMENT + "/report",
    "report",
    roles=LABS,
    summary="Submit the summary analysis report (汇总分析报告) to the lead unit",
    body="ReportRequest",
    response="AssignmentView",
    budget=Budget(reads=2, writes=2),
)

table.route(
    "POST",
    ASSIGNMENT + "/summary-export",
    "summary_export",
    roles=LAB_STAFF,
    summary="Export the result summary table (检测结果汇总表) as XLSX",
    response="ExportView",
    status=201,
    budget=Budget(reads=60, writes=8),
)

table.route(
    "POST",
    ASSIGNMENT + "/result-imports",
    "result_import",
    roles=LAB_STAFF,
    summary="Upload a result sheet (CSV or XLSX) to import",
    body="chalicelib.testing.models:CreateImportRequest",
    response="chalicelib.testing.models:ImportTicket",
    status=201,
    budget=Budget(reads=1, writes=1),
)

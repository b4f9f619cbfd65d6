"""Routes for inspection plans (巡查计划), assessment tasks (考核任务) and performance (绩效考核).

The route table, data only: the handlers (api.py) and pydantic models load when one of these routes is first called.
"""

from __future__ import annotations

from chalicelib.core.access import Role
from chalicelib.core.routes import Budget, Table

table = Table("plans", handlers="chalicelib.plans.api", models="chalicelib.plans.models")
# A supervision agency's head or admin plans (the service checks the agency's kind).
PLANNERS = {Role.HEAD, Role.ADMIN}
# Who reads a plan: its planners, and the supervisors it names (their own share only).
READERS = {Role.HEAD, Role.ADMIN, Role.SUPERVISOR}
PLAN = "/inspection-plans/{plan_id}"

table.route(
    "POST",
    "/inspection-plans",
    "create_plan",
    roles=PLANNERS,
    summary="Write an inspection plan (巡查计划): period, areas, scope, checklist and each supervisor's target",
    body="CreatePlanRequest",
    response="PlanView",
    status=201,
    budget=Budget(reads=3, writes=1),  # the template version, the named subjects, the named users (BatchGetItem)
)

table.route(
    "GET",
    "/inspection-plans",
    "list_plans",
    roles=PLANNERS,
    summary="Your agency's inspection plans, newest period first",
    query="chalicelib.core.models:PageQuery",
    response="PlanPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "GET",
    PLAN,
    "get_plan",
    roles=READERS,
    summary="One inspection plan: whole for its planners; a supervisor's own target and area",
    response="PlanView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "PATCH",
    PLAN,
    "edit_plan",
    roles=PLANNERS,
    summary="Edit a draft plan (a published one never changes: 409)",
    body="EditPlanRequest",
    response="PlanView",
    budget=Budget(reads=4, writes=1),
)

table.route(
    "POST",
    f"{PLAN}/publish",
    "publish_plan",
    roles=PLANNERS,
    summary="Publish (发布) a draft plan: each supervisor it names receives an assessment task (考核任务)",
    body="chalicelib.core.models:VersionedRequest",
    response="PlanView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    f"{PLAN}/assignments",
    "plan_assignments",
    roles=READERS,
    summary="The plan's assessment tasks with each supervisor's inspections done; a supervisor's own only",
    response="PlanTaskPage",
    budget=Budget(reads=3, writes=0),  # the plan, its tasks, the period's performance cells
)

table.route(
    "POST",
    f"{PLAN}/receive",
    "receive",
    roles={Role.SUPERVISOR, Role.HEAD},
    summary="Receive (接收) your assessment task of a plan; asked again, answered as received",
    response="PlanTaskView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    "/plan-assignments",
    "my_assignments",
    roles={Role.SUPERVISOR, Role.HEAD},
    summary="Your assessment tasks (考核任务), newest period first",
    query="chalicelib.core.models:PageQuery",
    response="PlanTaskPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "GET",
    "/inspection-performance",
    "performance",
    roles=READERS,
    summary="Each supervisor's completion in a period (绩效考核): your agency's table, or your own row",
    query="PerformanceQuery",
    response="PerformanceView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "GET",
    "/inspection-performance/inspections",
    "performance_inspections",
    roles=READERS,
    summary="The inspections behind a supervisor's row: done in the period, newest first",
    query="PerformanceInspectionQuery",
    response="chalicelib.inspections.models:InspectionPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    "/inspection-performance/export",
    "performance_export",
    roles=PLANNERS,
    summary="The period's performance table as an XLSX file (a presigned GET)",
    body="PerformanceExportRequest",
    response="PerformanceExportView",
    status=201,
    budget=Budget(reads=2, writes=1),  # the cells, the agency's name; the file put to the bucket
)

"""Handlers of the routes of risk-monitoring tasks (风险监测) and their assignments (their table: routes.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.api import RequestContext, Status
from chalicelib.testing.models import (
    ImportTicket,
    SamplePage,
)

from . import exports, service
from .models import (
    AssignmentPage,
    AssignmentView,
    ExportView,
    FailurePage,
    PrefillView,
    ProgressView,
    TaskPage,
    TaskView,
)


def create(ctx: RequestContext) -> TaskView:
    return service.create_task(ctx.user, ctx.body)


def listing(ctx: RequestContext) -> TaskPage:
    return service.list_tasks(ctx.user, ctx.query)


def get(ctx: RequestContext, task_id: str) -> TaskView:
    return service.get_task(ctx.user, task_id)


def update(ctx: RequestContext, task_id: str) -> TaskView:
    return service.update_task(ctx.user, task_id, ctx.body)


def publish(ctx: RequestContext, task_id: str) -> TaskView:
    return service.publish_task(ctx.user, task_id, ctx.body)


def cancel(ctx: RequestContext, task_id: str) -> TaskView:
    return service.cancel_task(ctx.user, task_id, ctx.body)


def accept(ctx: RequestContext, task_id: str) -> TaskView:
    return service.accept_overall_report(ctx.user, task_id, ctx.body)


def receive(ctx: RequestContext, task_id: str) -> TaskView:
    return service.receive_task(ctx.user, task_id, ctx.body)


def return_task(ctx: RequestContext, task_id: str) -> TaskView:
    return service.return_task(ctx.user, task_id, ctx.body)


def configure(ctx: RequestContext, task_id: str) -> TaskView:
    return service.configure_model(ctx.user, task_id, ctx.body)


def distribute(ctx: RequestContext, task_id: str) -> TaskView:
    return service.distribute(ctx.user, task_id, ctx.body)


def overall_report(ctx: RequestContext, task_id: str) -> TaskView:
    return service.submit_overall_report(ctx.user, task_id, ctx.body)


def progress(ctx: RequestContext, task_id: str) -> ProgressView:
    return service.progress(ctx.user, task_id)


def take_sample(ctx: RequestContext, task_id: str) -> Any:
    view, created = service.take_sample(ctx.user, task_id, ctx.body)
    return view if created else Status(view, 200)


def samples(ctx: RequestContext, task_id: str) -> SamplePage:
    return service.samples_of(ctx.user, task_id, ctx.query)


def prefill(ctx: RequestContext, task_id: str) -> PrefillView:
    return service.prefill(ctx.user, task_id, ctx.query.code)


def failures(ctx: RequestContext, task_id: str) -> FailurePage:
    return service.failures(ctx.user, task_id, ctx.query)


def assignments(ctx: RequestContext) -> AssignmentPage:
    return service.my_assignments(ctx.user, ctx.query.limit, ctx.query.cursor)


def assignment(ctx: RequestContext, assignment_id: str) -> AssignmentView:
    return service.get_assignment(ctx.user, assignment_id)


def receive_assignment(ctx: RequestContext, assignment_id: str) -> AssignmentView:
    return service.receive_assignment(ctx.user, assignment_id, ctx.body)


def return_assignment(ctx: RequestContext, assignment_id: str) -> AssignmentView:
    return service.return_assignment(ctx.user, assignment_id, ctx.body)


def report(ctx: RequestContext, assignment_id: str) -> AssignmentView:
    return service.submit_unit_report(ctx.user, assignment_id, ctx.body)


def summary_export(ctx: RequestContext, assignment_id: str) -> ExportView:
    return exports.export_summary(ctx.user, assignment_id)


def result_import(ctx: RequestContext, assignment_id: str) -> ImportTicket:
    return service.request_import(ctx.user, assignment_id, ctx.body)

"""Handlers of the routes for inspection plans, assessment tasks and performance (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext
from chalicelib.inspections.models import InspectionPage

from . import performance as figures
from . import service
from .models import PerformanceExportView, PerformanceView, PlanPage, PlanTaskPage, PlanTaskView, PlanView


def create_plan(ctx: RequestContext) -> PlanView:
    return service.create_plan(ctx.user, ctx.body)


def list_plans(ctx: RequestContext) -> PlanPage:
    return service.list_plans(ctx.user, ctx.query)


def get_plan(ctx: RequestContext, plan_id: str) -> PlanView:
    return service.get_plan(ctx.user, plan_id)


def edit_plan(ctx: RequestContext, plan_id: str) -> PlanView:
    return service.edit_plan(ctx.user, plan_id, ctx.body)


def publish_plan(ctx: RequestContext, plan_id: str) -> PlanView:
    return service.publish_plan(ctx.user, plan_id, ctx.body)


def plan_assignments(ctx: RequestContext, plan_id: str) -> PlanTaskPage:
    return service.plan_assignments(ctx.user, plan_id)


def receive(ctx: RequestContext, plan_id: str) -> PlanTaskView:
    return service.receive(ctx.user, plan_id)


def my_assignments(ctx: RequestContext) -> PlanTaskPage:
    return service.my_assignments(ctx.user, ctx.query)


def performance(ctx: RequestContext) -> PerformanceView:
    return figures.performance(ctx.user, ctx.query)


def performance_inspections(ctx: RequestContext) -> InspectionPage:
    return figures.inspections(ctx.user, ctx.query)


def performance_export(ctx: RequestContext) -> PerformanceExportView:
    return figures.export(ctx.user, ctx.body)

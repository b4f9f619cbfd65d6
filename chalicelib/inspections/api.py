"""Handlers of the routes for inspection templates and inspections (their table: routes.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.api import RequestContext, Status

from . import followups, records, service
from .models import (
    AnswersSchema,
    CheckResult,
    CorrectiveActionPage,
    InspectionPage,
    InspectionView,
    TemplatePage,
    TemplateView,
)


def create_draft(ctx: RequestContext) -> TemplateView:
    return service.create_draft(ctx.user, ctx.body)


def listing(ctx: RequestContext) -> TemplatePage:
    return service.list_templates(ctx.user, ctx.query)


def get(ctx: RequestContext, template_code: str, number: str) -> TemplateView:
    return service.get_template(ctx.user, template_code, number)


def edit_draft(ctx: RequestContext, template_code: str, number: str) -> TemplateView:
    return service.edit_draft(ctx.user, template_code, number, ctx.body)


def publish(ctx: RequestContext, template_code: str, number: str) -> TemplateView:
    return service.publish(ctx.user, template_code, number, ctx.body)


def schema(ctx: RequestContext, template_code: str, number: str) -> AnswersSchema:
    return service.get_schema(ctx.user, template_code, number)


def check(ctx: RequestContext, template_code: str, number: str) -> CheckResult:
    return service.check_answers(ctx.user, template_code, number, ctx.body)


def record_inspection(ctx: RequestContext, inspection_id: str) -> Any:
    view, created = records.record_inspection(ctx.user, inspection_id, ctx.body)
    return view if created else Status(view, 200)


def get_inspection(ctx: RequestContext, inspection_id: str) -> InspectionView:
    return records.get_inspection(ctx.user, inspection_id)


def inspections(ctx: RequestContext) -> InspectionPage:
    return records.list_inspections(ctx.user, ctx.query)


def corrective_actions(ctx: RequestContext) -> CorrectiveActionPage:
    return followups.listing(ctx.user, ctx.query)


def inspection_actions(ctx: RequestContext, inspection_id: str) -> CorrectiveActionPage:
    return followups.of_inspection(ctx.user, inspection_id)

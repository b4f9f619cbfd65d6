"""Handlers of the routes for risk warnings and their indicators (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import service
from .models import IndicatorPage, IndicatorView, WarningView


def indicators(ctx: RequestContext) -> IndicatorPage:
    return service.list_indicators(ctx.principal)


def create_indicator(ctx: RequestContext) -> IndicatorView:
    return service.create_indicator(ctx.principal, ctx.body)


def update_indicator(ctx: RequestContext, indicator_id: str) -> IndicatorView:
    return service.update_indicator(ctx.principal, indicator_id, ctx.body)


def publish(ctx: RequestContext) -> WarningView:
    return service.publish_by_hand(ctx.principal, ctx.body)


def warning(ctx: RequestContext, warning_id: str) -> WarningView:
    return service.get_warning(ctx.principal, warning_id)


def acknowledge(ctx: RequestContext, warning_id: str) -> WarningView:
    return service.acknowledge(ctx.principal, warning_id, ctx.body)


def respond(ctx: RequestContext, warning_id: str) -> WarningView:
    return service.respond(ctx.principal, warning_id, ctx.body)

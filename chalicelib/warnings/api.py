"""Handlers of the routes for risk warnings and their indicators (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import service
from .models import IndicatorPage, IndicatorView, WarningPage, WarningView


def indicators(ctx: RequestContext) -> IndicatorPage:
    return service.list_indicators(ctx.user)


def create_indicator(ctx: RequestContext) -> IndicatorView:
    return service.create_indicator(ctx.user, ctx.body)


def update_indicator(ctx: RequestContext, indicator_id: str) -> IndicatorView:
    return service.update_indicator(ctx.user, indicator_id, ctx.body)


def publish(ctx: RequestContext) -> WarningView:
    return service.publish_by_hand(ctx.user, ctx.body)


def warning(ctx: RequestContext, warning_id: str) -> WarningView:
    return service.get_warning(ctx.user, warning_id)


def acknowledge(ctx: RequestContext, warning_id: str) -> WarningView:
    return service.acknowledge(ctx.user, warning_id, ctx.body)


def respond(ctx: RequestContext, warning_id: str) -> WarningView:
    return service.respond(ctx.user, warning_id, ctx.body)


def close(ctx: RequestContext, warning_id: str) -> WarningView:
    return service.close_by_hand(ctx.user, warning_id, ctx.body)


def listing(ctx: RequestContext) -> WarningPage:
    return service.newest(ctx.user, ctx.query)

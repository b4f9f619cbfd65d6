"""Handlers of the routes for statistics (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import service
from .models import DrilldownView, OverviewView, StatisticsExportView


def overview(ctx: RequestContext) -> OverviewView:
    return service.overview(ctx.user, ctx.query)


def drilldown(ctx: RequestContext) -> DrilldownView:
    return service.drilldown(ctx.user, ctx.query)


def export(ctx: RequestContext) -> StatisticsExportView:
    return service.export(ctx.user, ctx.body)

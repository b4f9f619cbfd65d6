"""Handlers of the routes for integrity reports (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import service
from .models import IntegrityReportView


def report(ctx: RequestContext, day: str) -> IntegrityReportView:
    return service.report_for(day)

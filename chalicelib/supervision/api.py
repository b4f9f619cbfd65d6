"""Handlers of the daily-supervision routes (their table: routes.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.api import RequestContext, Status
from chalicelib.testing.models import SamplePage

from . import entrusted, service
from .models import DailyInspectionPage, DailyInspectionView, EntrustedTestPage, EntrustedTestView


def record_inspection(ctx: RequestContext, inspection_id: str) -> Any:
    view, created = service.record_inspection(ctx.user, inspection_id, ctx.body)
    return view if created else Status(view, 200)


def get_inspection(ctx: RequestContext, inspection_id: str) -> DailyInspectionView:
    return service.get_inspection(ctx.user, inspection_id)


def inspections(ctx: RequestContext) -> DailyInspectionPage:
    return service.list_inspections(ctx.user, ctx.query)


def take_sample(ctx: RequestContext, inspection_id: str) -> Any:
    view, created = service.take_sample(ctx.user, inspection_id, ctx.body)
    return view if created else Status(view, 200)


def samples(ctx: RequestContext, inspection_id: str) -> SamplePage:
    return SamplePage(items=service.samples_of(ctx.user, inspection_id), next_cursor=None)


def record_penalty(ctx: RequestContext, inspection_id: str) -> DailyInspectionView:
    return service.record_penalty(ctx.user, inspection_id, ctx.body)


def entrust(ctx: RequestContext, test_id: str) -> Any:
    view, created = entrusted.entrust(ctx.user, test_id, ctx.body)
    return view if created else Status(view, 200)


def get_test(ctx: RequestContext, test_id: str) -> EntrustedTestView:
    return entrusted.get(ctx.user, test_id)


def tests(ctx: RequestContext) -> EntrustedTestPage:
    return entrusted.listing(ctx.user, ctx.query)


def receive_test(ctx: RequestContext, test_id: str) -> EntrustedTestView:
    return entrusted.receive(ctx.user, test_id, ctx.body)


def report_test(ctx: RequestContext, test_id: str) -> EntrustedTestView:
    return entrusted.report(ctx.user, test_id, ctx.body)

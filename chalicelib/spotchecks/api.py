"""Handlers of the spot-check routes (监督抽查): tasks, cascade, conflicts of interest, the draw (table: routes.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.api import RequestContext, Status
from chalicelib.testing.models import SamplePage

from . import draws, retests, service
from .models import (
    DrawView,
    PublicDrawView,
    ReplayView,
    RetestView,
    SpotCheckPage,
    SpotCheckView,
)


def create(ctx: RequestContext) -> SpotCheckView:
    return service.create(ctx.user, ctx.body)


def listing(ctx: RequestContext) -> SpotCheckPage:
    return service.listing(ctx.user, ctx.query)


def get(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.get(ctx.user, task_id)


def publish(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.publish(ctx.user, task_id, ctx.body)


def receive(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.receive(ctx.user, task_id, ctx.body)


def return_task(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.return_task(ctx.user, task_id, ctx.body)


def cancel(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.cancel(ctx.user, task_id, ctx.body)


def split(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.split(ctx.user, task_id, ctx.body)


def assign(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.assign(ctx.user, task_id, ctx.body)


def conflict(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.declare_conflict(ctx.user, task_id, ctx.body)


def commit_draw(ctx: RequestContext, task_id: str) -> DrawView:
    return draws.commit(ctx.user, task_id, ctx.body)


def get_draw(ctx: RequestContext, draw_id: str) -> DrawView:
    return draws.get(ctx.user, draw_id)


def perform_draw(ctx: RequestContext, draw_id: str) -> DrawView:
    return draws.perform(ctx.user, draw_id)


def recuse(ctx: RequestContext, draw_id: str) -> DrawView:
    return draws.recuse(ctx.user, draw_id, ctx.body)


def reassign(ctx: RequestContext, draw_id: str) -> DrawView:
    return draws.reassign(ctx.user, draw_id, ctx.body)


def publish_draw(ctx: RequestContext, draw_id: str) -> DrawView:
    return draws.publish(ctx.user, draw_id)


def replay(ctx: RequestContext, draw_id: str) -> ReplayView:
    return draws.replay(ctx.user, draw_id)


def public_draw(ctx: RequestContext, draw_id: str) -> PublicDrawView:
    return draws.public_draw(draw_id)


def configure(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.configure_model(ctx.user, task_id, ctx.body)


def take_sample(ctx: RequestContext, task_id: str) -> Any:
    view, created = service.take_sample(ctx.user, task_id, ctx.body)
    return view if created else Status(view, 200)


def samples(ctx: RequestContext, task_id: str) -> SamplePage:
    return service.samples_of(ctx.user, task_id, ctx.query.limit, ctx.query.cursor)


def report(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.submit_report(ctx.user, task_id, ctx.body)


def accept(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.accept(ctx.user, task_id, ctx.body)


def retest(ctx: RequestContext, sample_id: str) -> RetestView:
    return retests.get_failure(ctx.user, sample_id)


def apply_retest(ctx: RequestContext, sample_id: str) -> RetestView:
    return retests.apply(ctx.user, sample_id, ctx.body)


def assign_retest(ctx: RequestContext, sample_id: str) -> RetestView:
    return retests.assign(ctx.user, sample_id, ctx.body)

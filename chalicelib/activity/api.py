"""Handlers of the routes for the activity feed and organisation inboxes (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import service
from .models import FeedPage


def region_feed(ctx: RequestContext) -> FeedPage:
    return service.region_feed(ctx.user, ctx.query)


def inbox(ctx: RequestContext) -> FeedPage:
    return service.inbox(ctx.user, ctx.query.limit, ctx.query.cursor)

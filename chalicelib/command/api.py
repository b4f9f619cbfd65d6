"""Handlers of the command centre's routes (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import service
from .models import CommandView


def overview(ctx: RequestContext) -> CommandView:
    return service.overview(ctx.user, ctx.query)

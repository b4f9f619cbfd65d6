"""Handlers of the routes for public disclosure (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import service
from .models import DisclosurePage


def public_disclosures(ctx: RequestContext) -> DisclosurePage:
    return service.listing(ctx.query)


def public_disclosures_by_code(ctx: RequestContext) -> DisclosurePage:
    return service.of_code(ctx.query)

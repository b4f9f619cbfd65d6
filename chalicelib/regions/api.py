"""Handlers of the routes for the region catalogue: public reference data (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from .catalog import NATIONAL, Region, catalog
from .models import RegionChildren, RegionView


def view(region: Region) -> RegionView:
    return RegionView(
        code=region.code, name=region.name, level=region.level, parent=region.parent, lng=region.lng, lat=region.lat
    )


def provinces(ctx: RequestContext) -> RegionChildren:
    return RegionChildren(
        region=view(catalog().get(NATIONAL)), children=[view(r) for r in catalog().children(NATIONAL)]
    )


def region(ctx: RequestContext, code: str) -> RegionChildren:
    return RegionChildren(region=view(catalog().get(code)), children=[view(r) for r in catalog().children(code)])

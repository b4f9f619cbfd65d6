"""Routes for the region catalogue: public reference data."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.api import PUBLIC, Api, Budget, RequestContext

from .catalog import NATIONAL, Region, catalog
from .models import RegionChildren, RegionView

bp = Blueprint(__name__)
api = Api(bp, "regions", authorizer=None)


def view(region: Region) -> RegionView:
    return RegionView(
        code=region.code, name=region.name, level=region.level, parent=region.parent, lng=region.lng, lat=region.lat
    )


@api.route(
    "/regions",
    "GET",
    roles=PUBLIC,
    summary="The provinces (省级行政区)",
    response=RegionChildren,
    budget=Budget(reads=0, writes=0),
)
def provinces(ctx: RequestContext) -> RegionChildren:
    return RegionChildren(
        region=view(catalog().get(NATIONAL)), children=[view(r) for r in catalog().children(NATIONAL)]
    )


@api.route(
    "/regions/{code}",
    "GET",
    roles=PUBLIC,
    summary="A region and its children",
    response=RegionChildren,
    budget=Budget(reads=0, writes=0),
)
def region(ctx: RequestContext, code: str) -> RegionChildren:
    return RegionChildren(region=view(catalog().get(code)), children=[view(r) for r in catalog().children(code)])

"""Routes for the GIS module (GIS 模块).

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import Role
from chalicelib.core.routes import Budget, Table

table = Table("gis", handlers="chalicelib.gis.api", models="chalicelib.gis.models")
# The statistics readers: governing agencies' staff, each kept to its own region by the one jurisdiction check.
READERS = {Role.HEAD, Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER, Role.MINISTRY_ANALYST}

table.route(
    "GET",
    "/gis/regions",
    "regions",
    roles=READERS,
    summary="A region's children (a county: itself) as GeoJSON points with their figures, by period, product, hazard",
    query="RegionMapQuery",
    response="FeatureCollectionView",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/gis/subjects",
    "subjects",
    roles=READERS,
    summary="A county's approved subjects (主体) and their bases (基地) as GeoJSON points, a page at a time",
    query="SubjectMapQuery",
    response="FeatureCollectionView",
    budget=Budget(reads=11, writes=0),
)

table.route(
    "GET",
    "/gis/inspections",
    "inspections",
    roles=READERS,
    summary="An agency's recent on-site inspections (巡查) as GeoJSON points where the phone was, newest first",
    query="InspectionMapQuery",
    response="FeatureCollectionView",
    budget=Budget(reads=2, writes=0),
)

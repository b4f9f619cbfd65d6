"""Routes for the region catalogue: public reference data.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.routes import PUBLIC, Budget, Table

table = Table("regions", handlers="chalicelib.regions.api", models="chalicelib.regions.models", auth=None)

table.route(
    "GET",
    "/regions",
    "provinces",
    roles=PUBLIC,
    summary="The provinces (省级行政区)",
    response="RegionChildren",
    budget=Budget(reads=0, writes=0),
)

table.route(
    "GET",
    "/regions/{code}",
    "region",
    roles=PUBLIC,
    summary="A region and its children",
    response="RegionChildren",
    budget=Budget(reads=0, writes=0),
)

"""Public routes about the API itself: health and the OpenAPI document.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.routes import PUBLIC, Budget, Table

table = Table("meta", handlers="chalicelib.core.meta_api", models="chalicelib.core.models", auth=None)

table.route(
    "GET",
    "/health",
    "health",
    roles=PUBLIC,
    summary="Liveness",
    response="chalicelib.core.meta_api:Health",
    budget=Budget(reads=0, writes=0),
)

table.route(
    "GET",
    "/openapi.json",
    "openapi",
    roles=PUBLIC,
    summary="This API's OpenAPI 3.1 document",
    budget=Budget(reads=0, writes=0),
)

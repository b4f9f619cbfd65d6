"""Routes for the activity feed and organisation inboxes.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.routes import Budget, Table

table = Table("activity", handlers="chalicelib.activity.api", models="chalicelib.activity.models")

table.route(
    "GET",
    "/activity",
    "region_feed",
    roles={Role.HEAD, Role.ADMIN, Role.DISPATCHER, Role.MINISTRY_ANALYST, Role.SUPERVISOR},
    summary="What changed in a region of your jurisdiction on a day",
    query="FeedQuery",
    response="FeedPage",
    budget=Budget(reads=8, writes=0),
)

table.route(
    "GET",
    "/inbox",
    "inbox",
    roles=ALL_ROLES,
    summary="Changes to records your agency is party to",
    query="chalicelib.core.models:PageQuery",
    response="FeedPage",
    budget=Budget(reads=1, writes=0),
)

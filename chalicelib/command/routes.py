"""Routes of the command and dispatch centre.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import Role
from chalicelib.core.routes import Budget, Table

table = Table("command", handlers="chalicelib.command.api", models="chalicelib.command.models")

table.route(
    "GET",
    "/command/overview",
    "overview",
    roles={Role.DISPATCHER, Role.MINISTRY_ANALYST, Role.HEAD},
    summary="The live view of a region of your jurisdiction: today's activity, open warnings, overdue work by region",
    query="CommandQuery",
    response="CommandView",
    # the feed's shards (8 at most), the indicators and their open warnings (32 at most), the region and its children
    budget=Budget(reads=43, writes=0),
)

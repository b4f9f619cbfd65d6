"""Routes for agencies and users.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.routes import Budget, Table

table = Table("organisations", handlers="chalicelib.orgs.api", models="chalicelib.orgs.models")
ADMIN = {Role.ADMIN}
DIRECTORY_READERS = {Role.ADMIN, Role.HEAD, Role.DISPATCHER, Role.MINISTRY_ANALYST}

table.route(
    "GET",
    "/me",
    "me",
    roles=ALL_ROLES,
    summary="The signed-in user and their agency",
    response="MeView",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "POST",
    "/agencies",
    "create_agency",
    roles=ADMIN,
    summary="Create an agency inside your jurisdiction",
    body="CreateAgencyRequest",
    response="AgencyView",
    status=201,
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    "/agencies",
    "list_agencies",
    roles=DIRECTORY_READERS,
    summary="Agencies in a region of your jurisdiction",
    query="AgencyListQuery",
    response="AgencyPage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/agencies/{agency_id}",
    "get_agency",
    roles=ALL_ROLES,
    summary="One agency",
    response="AgencyView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "PATCH",
    "/agencies/{agency_id}",
    "update_agency",
    roles=ADMIN,
    summary="Change an agency",
    body="UpdateAgencyRequest",
    response="AgencyView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    "/agencies/{agency_id}/users",
    "create_user",
    roles=ADMIN,
    summary="Create a user and their sign-in identity",
    body="CreateUserRequest",
    response="UserView",
    status=201,
    budget=Budget(reads=1, writes=2),
)

table.route(
    "GET",
    "/agencies/{agency_id}/users",
    "list_users",
    roles=DIRECTORY_READERS,
    summary="Users of an agency",
    query="chalicelib.core.models:PageQuery",
    response="UserPage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/users/{user_id}",
    "get_user",
    roles=DIRECTORY_READERS,
    summary="One user",
    response="UserView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "PATCH",
    "/users/{user_id}",
    "update_user",
    roles=ADMIN,
    summary="Change a user's roles, certificate or status",
    body="UpdateUserRequest",
    response="UserView",
    budget=Budget(reads=2, writes=2),
)

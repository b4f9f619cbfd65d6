"""Routes for dispatch instructions.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.routes import Budget, Table

table = Table("dispatch", handlers="chalicelib.dispatch.api", models="chalicelib.dispatch.models")
SENDERS = {Role.DISPATCHER, Role.HEAD}
RECEIVERS = {Role.DISPATCHER, Role.HEAD, Role.ADMIN, Role.SUPERVISOR, Role.LAB_MANAGER, Role.ENFORCEMENT_OFFICER}

table.route(
    "POST",
    "/instructions",
    "send",
    roles=SENDERS,
    summary="Send a dispatch instruction to an agency you govern",
    body="SendInstructionRequest",
    response="InstructionView",
    status=201,
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    "/instructions",
    "listing",
    roles=ALL_ROLES,
    summary="Instructions your agency received or sent",
    query="InstructionListQuery",
    response="InstructionPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "GET",
    "/instructions/{instruction_id}",
    "get",
    roles=ALL_ROLES,
    summary="One instruction",
    response="InstructionView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    "/instructions/{instruction_id}/acknowledge",
    "acknowledge",
    roles=RECEIVERS,
    summary="Acknowledge (签收) an instruction sent to your agency",
    body="AcknowledgeRequest",
    response="InstructionView",
    budget=Budget(reads=1, writes=2),
)

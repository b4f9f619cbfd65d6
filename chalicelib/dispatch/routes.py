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
    budget=Budget(reads=2, writes=1),  # the agency, and the warning it acts on
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

table.route(
    "POST",
    "/instructions/{instruction_id}/feedback",
    "feedback",
    roles=RECEIVERS,
    summary="Report back (反馈) on an instruction your agency acknowledged, with files attached to it",
    body="FeedbackRequest",
    response="InstructionView",
    budget=Budget(reads=2, writes=1),
)

table.route(
    "POST",
    "/instructions/{instruction_id}/feedback-rounds",
    "ask_again",
    roles=SENDERS,
    summary="Ask the receiving agency for another round of feedback, with its own deadline",
    body="FeedbackRoundRequest",
    response="InstructionView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    "/instructions/{instruction_id}/close",
    "close",
    roles=SENDERS,
    summary="Close (办结) an instruction your agency sent",
    body="CloseInstructionRequest",
    response="InstructionView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    "/instruction-orders",
    "send_order",
    roles=SENDERS,
    summary="Send one instruction to many agencies you govern: each gets a receipt of its own",
    body="SendOrderRequest",
    response="OrderView",
    status=201,
    budget=Budget(reads=2, writes=1),
)

table.route(
    "GET",
    "/instruction-orders/{order_id}",
    "get_order",
    roles=ALL_ROLES,
    summary="An order to many agencies: each receipt's state, and the acknowledgement, feedback and closure rates",
    response="OrderView",
    budget=Budget(reads=2, writes=0),
)

"""Routes for dispatch instructions."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.api import Api, Budget, RequestContext
from chalicelib.orgs.authorizer import jwt_authorizer

from . import service
from .models import AcknowledgeRequest, InstructionListQuery, InstructionPage, InstructionView, SendInstructionRequest

bp = Blueprint(__name__)
api = Api(bp, "dispatch", jwt_authorizer)
SENDERS = {Role.DISPATCHER, Role.HEAD}
RECEIVERS = {Role.DISPATCHER, Role.HEAD, Role.ADMIN, Role.SUPERVISOR, Role.LAB_MANAGER, Role.ENFORCEMENT_OFFICER}


@api.route(
    "/instructions",
    "POST",
    roles=SENDERS,
    summary="Send a dispatch instruction to an agency you govern",
    body=SendInstructionRequest,
    response=InstructionView,
    status=201,
    budget=Budget(reads=1, writes=1),
)
def send(ctx: RequestContext) -> InstructionView:
    return service.send(ctx.user, ctx.body)


@api.route(
    "/instructions",
    "GET",
    roles=ALL_ROLES,
    summary="Instructions your agency received or sent",
    query=InstructionListQuery,
    response=InstructionPage,
    budget=Budget(reads=1, writes=0),
)
def listing(ctx: RequestContext) -> InstructionPage:
    return service.listing(ctx.user, ctx.query)


@api.route(
    "/instructions/{instruction_id}",
    "GET",
    roles=ALL_ROLES,
    summary="One instruction",
    response=InstructionView,
    budget=Budget(reads=1, writes=0),
)
def get(ctx: RequestContext, instruction_id: str) -> InstructionView:
    return service.get(ctx.user, instruction_id)


@api.route(
    "/instructions/{instruction_id}/acknowledge",
    "POST",
    roles=RECEIVERS,
    summary="Acknowledge (签收) an instruction sent to your agency",
    body=AcknowledgeRequest,
    response=InstructionView,
    budget=Budget(reads=1, writes=2),
)
def acknowledge(ctx: RequestContext, instruction_id: str) -> InstructionView:
    return service.acknowledge(ctx.user, instruction_id, ctx.body)

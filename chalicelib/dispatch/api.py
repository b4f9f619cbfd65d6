"""Handlers of the routes for dispatch instructions (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import orders, service
from .models import InstructionPage, InstructionView, OrderView


def send(ctx: RequestContext) -> InstructionView:
    return service.send(ctx.user, ctx.body)


def listing(ctx: RequestContext) -> InstructionPage:
    return service.listing(ctx.user, ctx.query)


def get(ctx: RequestContext, instruction_id: str) -> InstructionView:
    return service.get(ctx.user, instruction_id)


def acknowledge(ctx: RequestContext, instruction_id: str) -> InstructionView:
    return service.acknowledge(ctx.user, instruction_id, ctx.body)


def feedback(ctx: RequestContext, instruction_id: str) -> InstructionView:
    return service.feedback(ctx.user, instruction_id, ctx.body)


def ask_again(ctx: RequestContext, instruction_id: str) -> InstructionView:
    return service.ask_again(ctx.user, instruction_id, ctx.body)


def close(ctx: RequestContext, instruction_id: str) -> InstructionView:
    return service.close(ctx.user, instruction_id, ctx.body)


def send_order(ctx: RequestContext) -> OrderView:
    return orders.send(ctx.user, ctx.body)


def get_order(ctx: RequestContext, order_id: str) -> OrderView:
    return orders.get(ctx.user, order_id)

"""Handlers of the routes for agencies and users (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.access import Role
from chalicelib.core.api import RequestContext

from . import service
from .models import (
    AgencyPage,
    AgencyView,
    MeView,
    UserPage,
    UserView,
)

ADMIN = {Role.ADMIN}


def me(ctx: RequestContext) -> MeView:
    return service.me(ctx.user)


def create_agency(ctx: RequestContext) -> AgencyView:
    return service.create_agency(ctx.user, ctx.body)


def list_agencies(ctx: RequestContext) -> AgencyPage:
    return service.list_agencies(ctx.user, ctx.query)


def get_agency(ctx: RequestContext, agency_id: str) -> AgencyView:
    return service.get_agency(ctx.user, agency_id)


def update_agency(ctx: RequestContext, agency_id: str) -> AgencyView:
    return service.update_agency(ctx.user, agency_id, ctx.body)


def create_user(ctx: RequestContext, agency_id: str) -> UserView:
    return service.create_user(ctx.user, agency_id, ctx.body)


def list_users(ctx: RequestContext, agency_id: str) -> UserPage:
    return service.list_users(ctx.user, agency_id, ctx.query.limit, ctx.query.cursor)


def get_user(ctx: RequestContext, user_id: str) -> UserView:
    return service.get_user(ctx.user, user_id)


def update_user(ctx: RequestContext, user_id: str) -> UserView:
    return service.update_user(ctx.user, user_id, ctx.body)

"""Routes for agencies and users."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.api import Api, Budget, RequestContext
from chalicelib.core.models import PageQuery

from . import service
from .authorizer import jwt_authorizer
from .models import (
    AgencyListQuery,
    AgencyPage,
    AgencyView,
    CreateAgencyRequest,
    CreateUserRequest,
    MeView,
    UpdateAgencyRequest,
    UpdateUserRequest,
    UserPage,
    UserView,
)

bp = Blueprint(__name__)
api = Api(bp, "organisations", jwt_authorizer)
ADMIN = {Role.ADMIN}
DIRECTORY_READERS = {Role.ADMIN, Role.HEAD, Role.DISPATCHER, Role.MINISTRY_ANALYST}


@api.route(
    "/me",
    "GET",
    roles=ALL_ROLES,
    summary="The signed-in user and their agency",
    response=MeView,
    budget=Budget(reads=2, writes=0),
)
def me(ctx: RequestContext) -> MeView:
    return service.me(ctx.user)


@api.route(
    "/agencies",
    "POST",
    roles=ADMIN,
    summary="Create an agency inside your jurisdiction",
    body=CreateAgencyRequest,
    response=AgencyView,
    status=201,
    budget=Budget(reads=1, writes=1),
)
def create_agency(ctx: RequestContext) -> AgencyView:
    return service.create_agency(ctx.user, ctx.body)


@api.route(
    "/agencies",
    "GET",
    roles=DIRECTORY_READERS,
    summary="Agencies in a region of your jurisdiction",
    query=AgencyListQuery,
    response=AgencyPage,
    budget=Budget(reads=2, writes=0),
)
def list_agencies(ctx: RequestContext) -> AgencyPage:
    return service.list_agencies(ctx.user, ctx.query)


@api.route(
    "/agencies/{agency_id}",
    "GET",
    roles=ALL_ROLES,
    summary="One agency",
    response=AgencyView,
    budget=Budget(reads=1, writes=0),
)
def get_agency(ctx: RequestContext, agency_id: str) -> AgencyView:
    return service.get_agency(ctx.user, agency_id)


@api.route(
    "/agencies/{agency_id}",
    "PATCH",
    roles=ADMIN,
    summary="Change an agency",
    body=UpdateAgencyRequest,
    response=AgencyView,
    budget=Budget(reads=1, writes=1),
)
def update_agency(ctx: RequestContext, agency_id: str) -> AgencyView:
    return service.update_agency(ctx.user, agency_id, ctx.body)


@api.route(
    "/agencies/{agency_id}/users",
    "POST",
    roles=ADMIN,
    summary="Create a user and their sign-in identity",
    body=CreateUserRequest,
    response=UserView,
    status=201,
    budget=Budget(reads=1, writes=2),
)
def create_user(ctx: RequestContext, agency_id: str) -> UserView:
    return service.create_user(ctx.user, agency_id, ctx.body)


@api.route(
    "/agencies/{agency_id}/users",
    "GET",
    roles=DIRECTORY_READERS,
    summary="Users of an agency",
    query=PageQuery,
    response=UserPage,
    budget=Budget(reads=2, writes=0),
)
def list_users(ctx: RequestContext, agency_id: str) -> UserPage:
    return service.list_users(ctx.user, agency_id, ctx.query.limit, ctx.query.cursor)


@api.route(
    "/users/{user_id}",
    "GET",
    roles=DIRECTORY_READERS,
    summary="One user",
    response=UserView,
    budget=Budget(reads=1, writes=0),
)
def get_user(ctx: RequestContext, user_id: str) -> UserView:
    return service.get_user(ctx.user, user_id)


@api.route(
    "/users/{user_id}",
    "PATCH",
    roles=ADMIN,
    summary="Change a user's roles, certificate or status",
    body=UpdateUserRequest,
    response=UserView,
    budget=Budget(reads=2, writes=2),
)
def update_user(ctx: RequestContext, user_id: str) -> UserView:
    return service.update_user(ctx.user, user_id, ctx.body)

"""Routes for the activity feed and organisation inboxes."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.api import Api, Budget, RequestContext
from chalicelib.core.models import PageQuery
from chalicelib.orgs.authorizer import jwt_authorizer

from . import service
from .models import FeedPage, FeedQuery

bp = Blueprint(__name__)
api = Api(bp, "activity", jwt_authorizer)


@api.route(
    "/activity",
    "GET",
    roles={Role.HEAD, Role.ADMIN, Role.DISPATCHER, Role.MINISTRY_ANALYST, Role.SUPERVISOR},
    summary="What changed in a region of your jurisdiction on a day",
    query=FeedQuery,
    response=FeedPage,
    budget=Budget(reads=8, writes=0),
)
def region_feed(ctx: RequestContext) -> FeedPage:
    return service.region_feed(ctx.user, ctx.query)


@api.route(
    "/inbox",
    "GET",
    roles=ALL_ROLES,
    summary="Changes to records your agency is party to",
    query=PageQuery,
    response=FeedPage,
    budget=Budget(reads=1, writes=0),
)
def inbox(ctx: RequestContext) -> FeedPage:
    return service.inbox(ctx.user, ctx.query.limit, ctx.query.cursor)

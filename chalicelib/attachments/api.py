"""Routes for attachments."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.access import ALL_ROLES
from chalicelib.core.api import Api, Budget, RequestContext
from chalicelib.orgs.authorizer import jwt_authorizer

from . import service
from .models import AttachmentListQuery, AttachmentPage, AttachmentView, CreateAttachmentRequest, UploadTicket

bp = Blueprint(__name__)
api = Api(bp, "attachments", jwt_authorizer)


@api.route(
    "/attachments",
    "POST",
    roles=ALL_ROLES,
    summary="Ask for an upload form to attach a file to a record",
    body=CreateAttachmentRequest,
    response=UploadTicket,
    status=201,
    budget=Budget(reads=1, writes=1),
)
def request_upload(ctx: RequestContext) -> UploadTicket:
    return service.request_upload(ctx.user, ctx.body)


@api.route(
    "/attachments",
    "GET",
    roles=ALL_ROLES,
    summary="Attachments of a record",
    query=AttachmentListQuery,
    response=AttachmentPage,
    budget=Budget(reads=2, writes=0),
)
def listing(ctx: RequestContext) -> AttachmentPage:
    return service.listing(ctx.user, ctx.query)


@api.route(
    "/attachments/{attachment_id}",
    "GET",
    roles=ALL_ROLES,
    summary="An attachment, with a short-lived download link once verified",
    response=AttachmentView,
    budget=Budget(reads=1, writes=0),
)
def get(ctx: RequestContext, attachment_id: str) -> AttachmentView:
    return service.get(ctx.user, attachment_id)

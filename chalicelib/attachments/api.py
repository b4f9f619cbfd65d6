"""Handlers of the routes for attachments (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import service
from .models import AttachmentPage, AttachmentView, UploadTicket


def request_upload(ctx: RequestContext) -> UploadTicket:
    return service.request_upload(ctx.user, ctx.body)


def listing(ctx: RequestContext) -> AttachmentPage:
    return service.listing(ctx.user, ctx.query)


def get(ctx: RequestContext, attachment_id: str) -> AttachmentView:
    return service.get(ctx.user, attachment_id)

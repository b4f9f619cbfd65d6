"""Handlers of the routes for complaints and reports (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import service
from .models import (
    ComplaintPage,
    ComplaintView,
    FilerView,
    FilingReceipt,
    PublicComplaintView,
    SubjectComplaintView,
    UploadForm,
)

SECRET_HEADER = "x-complaint-secret"


def file_complaint(ctx: RequestContext) -> FilingReceipt:
    return service.file_complaint(ctx.body, ctx.source_ip or "unknown")


def track(ctx: RequestContext, tracking_no: str) -> PublicComplaintView:
    return service.track(tracking_no, ctx.headers.get(SECRET_HEADER))


def public_upload(ctx: RequestContext, tracking_no: str) -> UploadForm:
    return service.public_upload(tracking_no, ctx.body)


def rate(ctx: RequestContext, tracking_no: str) -> PublicComplaintView:
    return service.rate(tracking_no, ctx.body)


def listing(ctx: RequestContext) -> ComplaintPage:
    return service.listing(ctx.user, ctx.query)


def get(ctx: RequestContext, complaint_id: str) -> ComplaintView | SubjectComplaintView:
    return service.get(ctx.user, complaint_id)


def assign(ctx: RequestContext, complaint_id: str) -> ComplaintView:
    return service.assign(ctx.user, complaint_id, ctx.body)


def decide(ctx: RequestContext, complaint_id: str) -> ComplaintView:
    return service.decide(ctx.user, complaint_id, ctx.body)


def transfer(ctx: RequestContext, complaint_id: str) -> ComplaintView:
    return service.transfer(ctx.user, complaint_id, ctx.body)


def act(ctx: RequestContext, complaint_id: str) -> ComplaintView:
    return service.act(ctx.user, complaint_id, ctx.body)


def answer(ctx: RequestContext, complaint_id: str) -> ComplaintView:
    return service.answer(ctx.user, complaint_id, ctx.body)


def review_objection(ctx: RequestContext, complaint_id: str) -> ComplaintView:
    return service.review_objection(ctx.user, complaint_id, ctx.body)


def filer(ctx: RequestContext, complaint_id: str) -> FilerView:
    return service.filer(ctx.user, complaint_id)

"""Handlers of the routes for subjects, their bases, accounts and bad records (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.access import Role
from chalicelib.core.api import RequestContext

from . import service
from .models import (
    BadRecordPage,
    BadRecordView,
    BasePage,
    BaseView,
    InvitationView,
    SubjectAccountView,
    SubjectPage,
    SubjectView,
)

FIELD = {Role.SUPERVISOR, Role.HEAD, Role.ADMIN}


def register(ctx: RequestContext) -> SubjectView:
    return service.register(ctx.user, ctx.body)


def listing(ctx: RequestContext) -> SubjectPage:
    return service.listing(ctx.user, ctx.query)


def get(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.get(ctx.user, subject_id)


def change(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.change(ctx.user, subject_id, ctx.body)


def review(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.review(ctx.user, subject_id, ctx.body)


def revoke(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.set_standing(ctx.user, subject_id, "revoked", ctx.body)


def cancel(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.set_standing(ctx.user, subject_id, "cancelled", ctx.body)


def key_object(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.flag_key_object(ctx.user, subject_id, ctx.body)


def add_bad_record(ctx: RequestContext, subject_id: str) -> BadRecordView:
    return service.add_bad_record(ctx.user, subject_id, ctx.body)


def bad_records(ctx: RequestContext, subject_id: str) -> BadRecordPage:
    return service.bad_records(ctx.user, subject_id, ctx.query.limit, ctx.query.cursor)


def add_base(ctx: RequestContext, subject_id: str) -> BaseView:
    return service.add_base(ctx.user, subject_id, ctx.body)


def bases(ctx: RequestContext, subject_id: str) -> BasePage:
    return service.bases(ctx.user, subject_id, ctx.query.limit, ctx.query.cursor)


def create_account(ctx: RequestContext, subject_id: str) -> SubjectAccountView:
    return service.create_account(ctx.user, subject_id, ctx.body)


def capture(ctx: RequestContext) -> InvitationView:
    return service.capture(ctx.user, ctx.body)


def complete_registration(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.complete_registration(ctx.user, subject_id, ctx.body)

"""Routes for subjects, their bases, accounts and bad records."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.api import Api, Budget, RequestContext
from chalicelib.core.models import PageQuery
from chalicelib.orgs.authorizer import jwt_authorizer

from . import service
from .models import (
    AddBadRecordRequest,
    AddBaseRequest,
    BadRecordPage,
    BadRecordView,
    BasePage,
    BaseView,
    CaptureSubjectRequest,
    ChangeSubjectRequest,
    CompleteRegistrationRequest,
    CreateAccountRequest,
    InvitationView,
    KeyObjectRequest,
    RegisterSubjectRequest,
    ReviewRequest,
    StatusRequest,
    SubjectAccountView,
    SubjectListQuery,
    SubjectPage,
    SubjectView,
)

bp = Blueprint(__name__)
api = Api(bp, "subjects", jwt_authorizer)
FIELD = {Role.SUPERVISOR, Role.HEAD, Role.ADMIN}
DECIDERS = {Role.HEAD, Role.ADMIN}
READERS = ALL_ROLES | {Role.SUBJECT}
OWN_OR_FIELD = FIELD | {Role.SUBJECT}


@api.route(
    "/subjects",
    "POST",
    roles=FIELD,
    summary="Register a subject (入驻) in your jurisdiction",
    body=RegisterSubjectRequest,
    response=SubjectView,
    status=201,
    budget=Budget(reads=0, writes=1),
)
def register(ctx: RequestContext) -> SubjectView:
    return service.register(ctx.user, ctx.body)


@api.route(
    "/subjects",
    "GET",
    roles=ALL_ROLES,
    summary="Subjects of a county of your jurisdiction (its townships included)",
    query=SubjectListQuery,
    response=SubjectPage,
    budget=Budget(reads=1, writes=0),
)
def listing(ctx: RequestContext) -> SubjectPage:
    return service.listing(ctx.user, ctx.query)


@api.route(
    "/subjects/{subject_id}",
    "GET",
    roles=READERS,
    summary="One subject",
    response=SubjectView,
    budget=Budget(reads=1, writes=0),
)
def get(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.get(ctx.user, subject_id)


@api.route(
    "/subjects/{subject_id}",
    "PATCH",
    roles=OWN_OR_FIELD,
    summary="Change a subject's data (变更)",
    body=ChangeSubjectRequest,
    response=SubjectView,
    budget=Budget(reads=1, writes=1),
)
def change(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.change(ctx.user, subject_id, ctx.body)


@api.route(
    "/subjects/{subject_id}/review",
    "POST",
    roles=DECIDERS,
    summary="Approve or reject admission (入驻审核)",
    body=ReviewRequest,
    response=SubjectView,
    budget=Budget(reads=1, writes=1),
)
def review(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.review(ctx.user, subject_id, ctx.body)


@api.route(
    "/subjects/{subject_id}/revoke",
    "POST",
    roles=DECIDERS,
    summary="Revoke (撤销) a subject",
    body=StatusRequest,
    response=SubjectView,
    budget=Budget(reads=1, writes=1),
)
def revoke(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.set_standing(ctx.user, subject_id, "revoked", ctx.body)


@api.route(
    "/subjects/{subject_id}/cancel",
    "POST",
    roles=DECIDERS | {Role.SUBJECT},
    summary="Cancel (注销) a subject",
    body=StatusRequest,
    response=SubjectView,
    budget=Budget(reads=1, writes=1),
)
def cancel(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.set_standing(ctx.user, subject_id, "cancelled", ctx.body)


@api.route(
    "/subjects/{subject_id}/key-object",
    "POST",
    roles=DECIDERS,
    summary="Flag or clear a key supervision object (重点监管对象)",
    body=KeyObjectRequest,
    response=SubjectView,
    budget=Budget(reads=1, writes=1),
)
def key_object(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.flag_key_object(ctx.user, subject_id, ctx.body)


@api.route(
    "/subjects/{subject_id}/bad-records",
    "POST",
    roles=FIELD,
    summary="Add a bad record (不良记录)",
    body=AddBadRecordRequest,
    response=BadRecordView,
    status=201,
    budget=Budget(reads=1, writes=1),
)
def add_bad_record(ctx: RequestContext, subject_id: str) -> BadRecordView:
    return service.add_bad_record(ctx.user, subject_id, ctx.body)


@api.route(
    "/subjects/{subject_id}/bad-records",
    "GET",
    roles=READERS,
    summary="A subject's bad records",
    query=PageQuery,
    response=BadRecordPage,
    budget=Budget(reads=2, writes=0),
)
def bad_records(ctx: RequestContext, subject_id: str) -> BadRecordPage:
    return service.bad_records(ctx.user, subject_id, ctx.query.limit, ctx.query.cursor)


@api.route(
    "/subjects/{subject_id}/bases",
    "POST",
    roles=OWN_OR_FIELD,
    summary="Add a production base (基地)",
    body=AddBaseRequest,
    response=BaseView,
    status=201,
    budget=Budget(reads=1, writes=1),
)
def add_base(ctx: RequestContext, subject_id: str) -> BaseView:
    return service.add_base(ctx.user, subject_id, ctx.body)


@api.route(
    "/subjects/{subject_id}/bases",
    "GET",
    roles=READERS,
    summary="A subject's bases",
    query=PageQuery,
    response=BasePage,
    budget=Budget(reads=2, writes=0),
)
def bases(ctx: RequestContext, subject_id: str) -> BasePage:
    return service.bases(ctx.user, subject_id, ctx.query.limit, ctx.query.cursor)


@api.route(
    "/subjects/{subject_id}/account",
    "POST",
    roles=DECIDERS,
    summary="Open the subject's own account (主体账号)",
    body=CreateAccountRequest,
    response=SubjectAccountView,
    status=201,
    budget=Budget(reads=1, writes=2),
)
def create_account(ctx: RequestContext, subject_id: str) -> SubjectAccountView:
    return service.create_account(ctx.user, subject_id, ctx.body)


@api.route(
    "/captured-subjects",
    "POST",
    roles=FIELD,
    summary="Capture an unregistered subject found on site (临时主体) and invite it to register",
    body=CaptureSubjectRequest,
    response=InvitationView,
    status=201,
    budget=Budget(reads=0, writes=2),
)
def capture(ctx: RequestContext) -> InvitationView:
    return service.capture(ctx.user, ctx.body)


@api.route(
    "/subjects/{subject_id}/registration",
    "POST",
    roles=FIELD,
    summary="Register a captured subject (same record, trail kept)",
    body=CompleteRegistrationRequest,
    response=SubjectView,
    budget=Budget(reads=1, writes=1),
)
def complete_registration(ctx: RequestContext, subject_id: str) -> SubjectView:
    return service.complete_registration(ctx.user, subject_id, ctx.body)

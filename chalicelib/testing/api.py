"""Routes of the testing core: the limit library, samples, custody, results, sheets and instruments."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.api import Api, Budget, RequestContext
from chalicelib.core.models import PageQuery
from chalicelib.orgs import instruments as instrument_keys
from chalicelib.orgs.authorizer import instrument_authorizer, jwt_authorizer
from chalicelib.orgs.models import CreateInstrumentKeyRequest, InstrumentKeyPage, InstrumentKeyView, IssuedInstrumentKey

from . import imports, results, service
from .models import (
    AddLimitRequest,
    EnterResultsRequest,
    EnterResultsView,
    ImportView,
    InstrumentResultsRequest,
    LimitListQuery,
    LimitPage,
    LimitView,
    ReceiveSampleRequest,
    SampleView,
)

bp = Blueprint(__name__)
api = Api(bp, "testing", jwt_authorizer)
machines = Api(bp, "testing", instrument_authorizer, scheme="instrument")
LAB_STAFF = {Role.LAB_MANAGER, Role.LAB_ANALYST}
KEY_KEEPERS = {Role.LAB_MANAGER, Role.ADMIN}


@api.route(
    "/limits",
    "GET",
    roles=ALL_ROLES,
    summary="The limit library (限量值) of one commodity, every version",
    query=LimitListQuery,
    response=LimitPage,
    budget=Budget(reads=1, writes=0),
)
def limits(ctx: RequestContext) -> LimitPage:
    return service.list_limits(ctx.query)


@api.route(
    "/limits",
    "POST",
    roles={Role.MINISTRY_ANALYST},
    summary="Add a limit version from a new edition of a standard",
    body=AddLimitRequest,
    response=LimitView,
    status=201,
    budget=Budget(reads=0, writes=2),
)
def add_limit(ctx: RequestContext) -> LimitView:
    return results.add_limit(ctx.user, ctx.body)


@api.route(
    "/samples/{sample_id}",
    "GET",
    roles=ALL_ROLES,
    summary="One sample with its custody, results and verdict",
    response=SampleView,
    budget=Budget(reads=1, writes=0),
)
def sample(ctx: RequestContext, sample_id: str) -> SampleView:
    return service.sample_view(service.visible_sample(ctx.user, sample_id))


@api.route(
    "/samples/{sample_id}/receipt",
    "POST",
    roles=LAB_STAFF,
    summary="Receive a sample at the lab (样品接收, chain of custody)",
    body=ReceiveSampleRequest,
    response=SampleView,
    budget=Budget(reads=1, writes=1),
)
def receive_sample(ctx: RequestContext, sample_id: str) -> SampleView:
    return service.receive_sample(ctx.user, sample_id, ctx.body)


@api.route(
    "/results",
    "POST",
    roles=LAB_STAFF,
    summary="Enter results (录入结果), one or thousands; each is judged against its limit",
    body=EnterResultsRequest,
    response=EnterResultsView,
    budget=Budget(reads=12, writes=50),
)
def enter_results(ctx: RequestContext) -> EnterResultsView:
    return results.enter_by_hand(ctx.user, ctx.body)


@api.route(
    "/result-imports/{import_id}",
    "GET",
    roles=LAB_STAFF,
    summary="A result sheet's import: summary and the row error report",
    response=ImportView,
    budget=Budget(reads=1, writes=0),
)
def result_import(ctx: RequestContext, import_id: str) -> ImportView:
    return imports.get(ctx.user, import_id)


@api.route(
    "/instrument-keys",
    "POST",
    roles=KEY_KEEPERS,
    summary="Issue a lab instrument its machine credential",
    body=CreateInstrumentKeyRequest,
    response=IssuedInstrumentKey,
    status=201,
    budget=Budget(reads=0, writes=1),
)
def issue_key(ctx: RequestContext) -> IssuedInstrumentKey:
    return instrument_keys.issue(ctx.user, ctx.body)


@api.route(
    "/instrument-keys",
    "GET",
    roles=KEY_KEEPERS,
    summary="Your lab's instrument keys",
    query=PageQuery,
    response=InstrumentKeyPage,
    budget=Budget(reads=1, writes=0),
)
def keys(ctx: RequestContext) -> InstrumentKeyPage:
    return instrument_keys.listing(ctx.user, ctx.query.limit, ctx.query.cursor)


@api.route(
    "/instrument-keys/{key_id}/revoke",
    "POST",
    roles=KEY_KEEPERS,
    summary="Revoke an instrument key (effective at once)",
    response=InstrumentKeyView,
    budget=Budget(reads=1, writes=1),
)
def revoke_key(ctx: RequestContext, key_id: str) -> InstrumentKeyView:
    return instrument_keys.revoke(ctx.user, key_id)


@machines.route(
    "/instrument/results",
    "POST",
    roles={Role.INSTRUMENT},
    summary="A lab instrument pushes a batch of results (idempotent per batch_id)",
    body=InstrumentResultsRequest,
    response=EnterResultsView,
    budget=Budget(reads=13, writes=51),
)
def instrument_results(ctx: RequestContext) -> EnterResultsView:
    return results.enter_from_instrument(ctx.user, ctx.body)

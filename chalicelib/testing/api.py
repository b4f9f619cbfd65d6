"""Handlers of the testing core's routes: limits, samples, custody, results, sheets, instruments (table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext
from chalicelib.orgs import instruments as instrument_keys
from chalicelib.orgs.models import InstrumentKeyPage, InstrumentKeyView, IssuedInstrumentKey

from . import imports, results, service
from .models import (
    EnterResultsView,
    ImportView,
    LimitPage,
    LimitView,
    SampleView,
)


def limits(ctx: RequestContext) -> LimitPage:
    return service.list_limits(ctx.query)


def add_limit(ctx: RequestContext) -> LimitView:
    return results.add_limit(ctx.user, ctx.body)


def sample(ctx: RequestContext, sample_id: str) -> SampleView:
    return service.sample_view(service.visible_sample(ctx.user, sample_id))


def receive_sample(ctx: RequestContext, sample_id: str) -> SampleView:
    return service.receive_sample(ctx.user, sample_id, ctx.body)


def enter_results(ctx: RequestContext) -> EnterResultsView:
    return results.enter_by_hand(ctx.user, ctx.body)


def result_import(ctx: RequestContext, import_id: str) -> ImportView:
    return imports.get(ctx.user, import_id)


def issue_key(ctx: RequestContext) -> IssuedInstrumentKey:
    return instrument_keys.issue(ctx.user, ctx.body)


def keys(ctx: RequestContext) -> InstrumentKeyPage:
    return instrument_keys.listing(ctx.user, ctx.query.limit, ctx.query.cursor)


def revoke_key(ctx: RequestContext, key_id: str) -> InstrumentKeyView:
    return instrument_keys.revoke(ctx.user, key_id)


def instrument_results(ctx: RequestContext) -> EnterResultsView:
    return results.enter_from_instrument(ctx.user, ctx.body)

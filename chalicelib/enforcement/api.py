"""Handlers of the routes of enforcement cases (执法案件): inbox, acknowledgement, investigation (table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import evidence as evidence_chain
from . import service
from .models import AgencyChoiceView, CasePage, CaseView, EvidenceView


def listing(ctx: RequestContext) -> CasePage:
    return service.listing(ctx.user, ctx.query)


def get(ctx: RequestContext, case_id: str) -> CaseView:
    return service.get(ctx.user, case_id)


def acknowledge(ctx: RequestContext, case_id: str) -> CaseView:
    return service.acknowledge(ctx.user, case_id, ctx.body)


def result(ctx: RequestContext, case_id: str) -> CaseView:
    return service.record_result(ctx.user, case_id, ctx.body)


def evidence(ctx: RequestContext, sample_id: str) -> EvidenceView:
    return evidence_chain.chain(ctx.user, sample_id)


def choose_agency(ctx: RequestContext, sample_id: str) -> AgencyChoiceView:
    return service.choose_agency(ctx.user, sample_id, ctx.body)

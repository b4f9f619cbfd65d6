"""Routes of enforcement cases (执法案件): the inbox, acknowledgement, the investigation result."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.api import Api, Budget, RequestContext
from chalicelib.core.models import PageQuery
from chalicelib.orgs.authorizer import jwt_authorizer

from . import evidence as evidence_chain
from . import service
from .models import AcknowledgeCaseRequest, CasePage, CaseResultRequest, CaseView, EvidenceView

bp = Blueprint(__name__)
api = Api(bp, "enforcement", jwt_authorizer)
OFFICERS = {Role.ENFORCEMENT_OFFICER, Role.ADMIN, Role.HEAD}
CASE = "/cases/{case_id}"


@api.route(
    "/cases",
    "GET",
    roles=OFFICERS,
    summary="Cases handed over to your enforcement agency, newest first",
    query=PageQuery,
    response=CasePage,
    budget=Budget(reads=1, writes=0),
)
def listing(ctx: RequestContext) -> CasePage:
    return service.listing(ctx.user, ctx.query)


@api.route(
    CASE,
    "GET",
    roles=ALL_ROLES,
    summary="One case, with its package",
    response=CaseView,
    budget=Budget(reads=1, writes=0),
)
def get(ctx: RequestContext, case_id: str) -> CaseView:
    return service.get(ctx.user, case_id)


@api.route(
    CASE + "/acknowledge",
    "POST",
    roles=OFFICERS,
    summary="Acknowledge (签收) a case handed over to your agency",
    body=AcknowledgeCaseRequest,
    response=CaseView,
    budget=Budget(reads=3, writes=4),  # read again after meeting the workflow's own write (at most 3 tries)
)
def acknowledge(ctx: RequestContext, case_id: str) -> CaseView:
    return service.acknowledge(ctx.user, case_id, ctx.body)


@api.route(
    CASE + "/result",
    "POST",
    roles={Role.ENFORCEMENT_OFFICER},
    summary="Record the investigation result (查处结果): case number, finding, decision, penalty, files",
    body=CaseResultRequest,
    response=CaseView,
    budget=Budget(reads=33, writes=4),  # per try: the case and up to 10 files; read again after a workflow's write
)
def result(ctx: RequestContext, case_id: str) -> CaseView:
    return service.record_result(ctx.user, case_id, ctx.body)


@api.route(
    "/samples/{sample_id}/evidence",
    "GET",
    roles=ALL_ROLES,
    summary="The sample's evidence chain: trace code, draw, sampling, custody, results, retest, handover, penalty",
    response=EvidenceView,
    budget=Budget(reads=16, writes=0),  # each record read and its audit trail queried, the draw and package files
)
def evidence(ctx: RequestContext, sample_id: str) -> EvidenceView:
    return evidence_chain.chain(ctx.user, sample_id)

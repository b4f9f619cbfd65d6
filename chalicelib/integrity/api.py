"""Routes for integrity reports."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.access import Role
from chalicelib.core.api import Api, Budget, RequestContext
from chalicelib.orgs.authorizer import jwt_authorizer

from . import service
from .models import IntegrityReportView

bp = Blueprint(__name__)
api = Api(bp, "integrity", jwt_authorizer)


@api.route(
    "/integrity/reports/{day}",
    "GET",
    roles={Role.MINISTRY_ANALYST},
    summary="The audit-chain check of one day (China Standard Time)",
    response=IntegrityReportView,
    budget=Budget(reads=1, writes=0),
)
def report(ctx: RequestContext, day: str) -> IntegrityReportView:
    return service.report_for(day)

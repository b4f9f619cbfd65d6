"""Routes of enforcement cases (执法案件): the inbox, acknowledgement, the investigation result.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.routes import Budget, Table

table = Table("enforcement", handlers="chalicelib.enforcement.api", models="chalicelib.enforcement.models")
OFFICERS = {Role.ENFORCEMENT_OFFICER, Role.ADMIN, Role.HEAD}
CASE = "/cases/{case_id}"

table.route(
    "GET",
    "/cases",
    "listing",
    roles=OFFICERS,
    summary="Cases handed over to your agency, and cases escalated to it, newest first",
    query="chalicelib.core.models:PageQuery",
    response="CasePage",
    budget=Budget(reads=2, writes=0),  # the agency's partition, then the cases escalated to it (one BatchGetItem)
)

table.route(
    "GET",
    CASE,
    "get",
    roles=ALL_ROLES,
    summary="One case, with its package",
    response="CaseView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    CASE + "/acknowledge",
    "acknowledge",
    roles=OFFICERS,
    summary="Acknowledge (签收) a case handed over to your agency",
    body="AcknowledgeCaseRequest",
    response="CaseView",
    budget=Budget(reads=3, writes=4),
)

table.route(
    "POST",
    CASE + "/result",
    "result",
    roles={Role.ENFORCEMENT_OFFICER},
    summary="Record the investigation result (查处结果): case number, finding, decision, penalty, files",
    body="CaseResultRequest",
    response="CaseView",
    budget=Budget(reads=33, writes=4),
)

table.route(
    "GET",
    "/samples/{sample_id}/evidence",
    "evidence",
    roles=ALL_ROLES,
    summary="The sample's evidence chain: trace code, draw, sampling, custody, results, retest, handover, penalty",
    response="EvidenceView",
    budget=Budget(reads=16, writes=0),
)

table.route(
    "PUT",
    "/samples/{sample_id}/enforcement-agency",
    "choose_agency",
    roles={Role.HEAD, Role.ADMIN},
    summary="Name the enforcement agency (执法机构) a failure is handed over to, instead of the rule (before delivery)",
    body="ChooseAgencyRequest",
    response="AgencyChoiceView",
    budget=Budget(reads=5, writes=1),  # the failure, the task, the case (absent), the agencies below, the choice
)

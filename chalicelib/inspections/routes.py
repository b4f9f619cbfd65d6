"""Routes for inspection templates (检查规范) and on-site inspections (基地巡查).

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES, SIGNED_IN_ROLES, Role
from chalicelib.core.routes import Budget, Table

table = Table("inspections", handlers="chalicelib.inspections.api", models="chalicelib.inspections.models")
# A national or provincial agency's head or admin keeps its templates (the service checks the agency's level).
KEEPERS = {Role.HEAD, Role.ADMIN}
VERSION = "/inspection-templates/{template_code}/versions/{number}"
# Inspections are made by a supervision agency's supervisors and heads (the service checks the agency's kind).
INSPECTORS = {Role.SUPERVISOR, Role.HEAD}

table.route(
    "POST",
    "/inspection-templates",
    "create_draft",
    roles=KEEPERS,
    summary="Draft an inspection template: a new code, or the next version of one of yours",
    body="CreateTemplateRequest",
    response="TemplateView",
    status=201,
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    "/inspection-templates",
    "listing",
    roles=SIGNED_IN_ROLES,
    summary="Inspection templates of your province, or the national ones",
    query="TemplateListQuery",
    response="TemplatePage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "GET",
    VERSION,
    "get",
    roles=SIGNED_IN_ROLES,
    summary="One version of an inspection template",
    response="TemplateView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "PATCH",
    VERSION,
    "edit_draft",
    roles=KEEPERS,
    summary="Edit a draft version of an inspection template",
    body="EditTemplateRequest",
    response="TemplateView",
    budget=Budget(reads=2, writes=1),
)

table.route(
    "POST",
    f"{VERSION}/publish",
    "publish",
    roles=KEEPERS,
    summary="Publish (发布) a draft version: it never changes again",
    body="chalicelib.core.models:VersionedRequest",
    response="TemplateView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    f"{VERSION}/schema",
    "schema",
    roles=SIGNED_IN_ROLES,
    summary="The JSON Schema (draft 2020-12) of the version's answers document",
    response="AnswersSchema",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    f"{VERSION}/check",
    "check",
    roles=ALL_ROLES,
    summary="Check an answers document against the version and score it (a dry run: nothing is stored)",
    body="CheckAnswersRequest",
    response="CheckResult",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "PUT",
    "/inspections/{inspection_id}",
    "record_inspection",
    roles=INSPECTORS,
    summary="Send an on-site inspection (基地巡查) by the phone's id: a resend is harmless, an edit names its version",
    body="RecordInspectionRequest",
    response="InspectionView",
    status=201,
    # the inspection, subject, template version, subject's bases, files named, the one a re-inspection follows,
    # the caller's task of the plan it names, and the complaint it was started from
    budget=Budget(reads=8, writes=1),
)

table.route(
    "GET",
    "/inspections/{inspection_id}",
    "get_inspection",
    roles=ALL_ROLES,
    summary="One on-site inspection record",
    response="InspectionView",
    budget=Budget(reads=2, writes=0),  # the record, then the files it names (one BatchGetItem)
)

table.route(
    "GET",
    "/inspections",
    "inspections",
    roles=ALL_ROLES,
    summary="On-site inspections of a subject in your jurisdiction, or your agency's; newest first",
    query="InspectionListQuery",
    response="InspectionPage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/inspections/{inspection_id}/corrective-actions",
    "inspection_actions",
    roles=ALL_ROLES,
    summary="The corrective actions (整改) an inspection's failed items set: open, overdue or closed",
    response="CorrectiveActionPage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/corrective-actions",
    "corrective_actions",
    roles={Role.SUPERVISOR, Role.HEAD, Role.ADMIN},
    summary="Corrective actions of your agency (a head's or admin's view) or the ones you set; soonest due first",
    query="CorrectiveActionQuery",
    response="CorrectiveActionPage",
    budget=Budget(reads=1, writes=0),
)

"""Routes for subjects, their bases, accounts and bad records.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.routes import Budget, Table

table = Table("subjects", handlers="chalicelib.subjects.api", models="chalicelib.subjects.models")
FIELD = {Role.SUPERVISOR, Role.HEAD, Role.ADMIN}
DECIDERS = {Role.HEAD, Role.ADMIN}
READERS = ALL_ROLES | {Role.SUBJECT}
OWN_OR_FIELD = FIELD | {Role.SUBJECT}

table.route(
    "POST",
    "/subjects",
    "register",
    roles=FIELD,
    summary="Register a subject (入驻) in your jurisdiction",
    body="RegisterSubjectRequest",
    response="SubjectView",
    status=201,
    budget=Budget(reads=0, writes=1),
)

table.route(
    "GET",
    "/subjects",
    "listing",
    roles=ALL_ROLES,
    summary="Subjects of a county of your jurisdiction (its townships included)",
    query="SubjectListQuery",
    response="SubjectPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "GET",
    "/subjects/{subject_id}",
    "get",
    roles=READERS,
    summary="One subject",
    response="SubjectView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "PATCH",
    "/subjects/{subject_id}",
    "change",
    roles=OWN_OR_FIELD,
    summary="Change a subject's data (变更)",
    body="ChangeSubjectRequest",
    response="SubjectView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    "/subjects/{subject_id}/review",
    "review",
    roles=DECIDERS,
    summary="Approve or reject admission (入驻审核)",
    body="ReviewRequest",
    response="SubjectView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    "/subjects/{subject_id}/revoke",
    "revoke",
    roles=DECIDERS,
    summary="Revoke (撤销) a subject",
    body="StatusRequest",
    response="SubjectView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    "/subjects/{subject_id}/cancel",
    "cancel",
    roles=DECIDERS | {Role.SUBJECT},
    summary="Cancel (注销) a subject",
    body="StatusRequest",
    response="SubjectView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    "/subjects/{subject_id}/key-object",
    "key_object",
    roles=DECIDERS,
    summary="Flag or clear a key supervision object (重点监管对象)",
    body="KeyObjectRequest",
    response="SubjectView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    "/subjects/{subject_id}/bad-records",
    "add_bad_record",
    roles=FIELD,
    summary="Add a bad record (不良记录)",
    body="AddBadRecordRequest",
    response="BadRecordView",
    status=201,
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    "/subjects/{subject_id}/bad-records",
    "bad_records",
    roles=READERS,
    summary="A subject's bad records",
    query="chalicelib.core.models:PageQuery",
    response="BadRecordPage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "POST",
    "/subjects/{subject_id}/bases",
    "add_base",
    roles=OWN_OR_FIELD,
    summary="Add a production base (基地)",
    body="AddBaseRequest",
    response="BaseView",
    status=201,
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    "/subjects/{subject_id}/bases",
    "bases",
    roles=READERS,
    summary="A subject's bases",
    query="chalicelib.core.models:PageQuery",
    response="BasePage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "POST",
    "/subjects/{subject_id}/account",
    "create_account",
    roles=DECIDERS,
    summary="Open the subject's own account (主体账号)",
    body="CreateAccountRequest",
    response="SubjectAccountView",
    status=201,
    budget=Budget(reads=1, writes=2),
)

table.route(
    "POST",
    "/captured-subjects",
    "capture",
    roles=FIELD,
    summary="Capture an unregistered subject found on site (临时主体) and invite it to register",
    body="CaptureSubjectRequest",
    response="InvitationView",
    status=201,
    budget=Budget(reads=0, writes=2),
)

table.route(
    "POST",
    "/subjects/{subject_id}/registration",
    "complete_registration",
    roles=FIELD,
    summary="Register a captured subject (same record, trail kept)",
    body="CompleteRegistrationRequest",
    response="SubjectView",
    budget=Budget(reads=1, writes=1),
)

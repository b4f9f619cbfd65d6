"""Routes of the testing core: the limit library, samples, custody, results, sheets and instruments.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.routes import Budget, Table

table = Table("testing", handlers="chalicelib.testing.api", models="chalicelib.testing.models")
machines = Table(
    "testing",
    handlers="chalicelib.testing.api",
    models="chalicelib.testing.models",
    auth="instrument",
    scheme="instrument",
)
LAB_STAFF = {Role.LAB_MANAGER, Role.LAB_ANALYST}
KEY_KEEPERS = {Role.LAB_MANAGER, Role.ADMIN}

table.route(
    "GET",
    "/limits",
    "limits",
    roles=ALL_ROLES,
    summary="The limit library (限量值) of one commodity, every version",
    query="LimitListQuery",
    response="LimitPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    "/limits",
    "add_limit",
    roles={Role.MINISTRY_ANALYST},
    summary="Add a limit version from a new edition of a standard",
    body="AddLimitRequest",
    response="LimitView",
    status=201,
    budget=Budget(reads=0, writes=2),
)

table.route(
    "GET",
    "/samples/{sample_id}",
    "sample",
    roles=ALL_ROLES,
    summary="One sample with its custody, results and verdict",
    response="SampleView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    "/samples/{sample_id}/receipt",
    "receive_sample",
    roles=LAB_STAFF,
    summary="Receive a sample at the lab (样品接收, chain of custody)",
    body="ReceiveSampleRequest",
    response="SampleView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    "/results",
    "enter_results",
    roles=LAB_STAFF,
    summary="Enter results (录入结果), one or thousands; each is judged against its limit",
    body="EnterResultsRequest",
    response="EnterResultsView",
    budget=Budget(reads=12, writes=50),
)

table.route(
    "GET",
    "/result-imports/{import_id}",
    "result_import",
    roles=LAB_STAFF,
    summary="A result sheet's import: summary and the row error report",
    response="ImportView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    "/instrument-keys",
    "issue_key",
    roles=KEY_KEEPERS,
    summary="Issue a lab instrument its machine credential",
    body="chalicelib.orgs.models:CreateInstrumentKeyRequest",
    response="chalicelib.orgs.models:IssuedInstrumentKey",
    status=201,
    budget=Budget(reads=0, writes=1),
)

table.route(
    "GET",
    "/instrument-keys",
    "keys",
    roles=KEY_KEEPERS,
    summary="Your lab's instrument keys",
    query="chalicelib.core.models:PageQuery",
    response="chalicelib.orgs.models:InstrumentKeyPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    "/instrument-keys/{key_id}/revoke",
    "revoke_key",
    roles=KEY_KEEPERS,
    summary="Revoke an instrument key (effective at once)",
    response="chalicelib.orgs.models:InstrumentKeyView",
    budget=Budget(reads=1, writes=1),
)

machines.route(
    "POST",
    "/instrument/results",
    "instrument_results",
    roles={Role.INSTRUMENT},
    summary="A lab instrument pushes a batch of results (idempotent per batch_id)",
    body="InstrumentResultsRequest",
    response="EnterResultsView",
    budget=Budget(reads=13, writes=51),
)

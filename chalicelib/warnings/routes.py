"""Routes for risk warnings (风险预警) and their indicators (预警指标).

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import Role
from chalicelib.core.routes import Budget, Table

table = Table("warnings", handlers="chalicelib.warnings.api", models="chalicelib.warnings.models")
MINISTRY = {Role.MINISTRY_ANALYST, Role.ADMIN}  # and the service checks the agency is the ministry
HANDLERS = {Role.HEAD, Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER}
READERS = HANDLERS | {Role.MINISTRY_ANALYST}

table.route(
    "GET",
    "/warning-indicators",
    "indicators",
    roles=MINISTRY,
    summary="The warning indicators (预警指标) the nightly job evaluates",
    response="IndicatorPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    "/warning-indicators",
    "create_indicator",
    roles=MINISTRY,
    summary="Add a warning indicator: a figure over a window, with the four levels' thresholds and a minimum sample",
    body="IndicatorRequest",
    response="IndicatorView",
    status=201,
    budget=Budget(reads=0, writes=1),
)

table.route(
    "PUT",
    "/warning-indicators/{indicator_id}",
    "update_indicator",
    roles=MINISTRY,
    summary="Change a warning indicator (its thresholds, window, minimum sample; or switch it off)",
    body="UpdateIndicatorRequest",
    response="IndicatorView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    "/warnings",
    "publish",
    roles=MINISTRY,
    summary="Publish a risk warning by hand (人工发布) to the supervision agencies of a region",
    body="ManualWarningRequest",
    response="WarningView",
    status=201,
    budget=Budget(reads=2, writes=1),
)

table.route(
    "GET",
    "/warnings/{warning_id}",
    "warning",
    roles=READERS,
    summary="A risk warning: its level, evidence, history, acknowledgements and responses",
    response="WarningView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    "/warnings/{warning_id}/acknowledge",
    "acknowledge",
    roles=HANDLERS,
    summary="Acknowledge (签收) a warning sent to your agency",
    body="AcknowledgeWarningRequest",
    response="WarningView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    "/warnings/{warning_id}/responses",
    "respond",
    roles=HANDLERS,
    summary="Record your agency's response to a warning: dispatch (调度) or disposal (处置)",
    body="RespondWarningRequest",
    response="WarningView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    "/warnings/{warning_id}/close",
    "close",
    roles=MINISTRY,
    summary="Close a warning by hand (a hand-published one; an indicator's reopens if its figures still warn)",
    body="CloseWarningRequest",
    response="WarningView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    "/warnings",
    "listing",
    roles=MINISTRY,
    summary="Every risk warning, newest first (the ministry's list; agencies see theirs in their inbox)",
    query="WarningListQuery",
    response="WarningPage",
    budget=Budget(reads=1, writes=0),
)

"""Routes for integrity reports.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import Role
from chalicelib.core.routes import Budget, Table

table = Table("integrity", handlers="chalicelib.integrity.api", models="chalicelib.integrity.models")

table.route(
    "GET",
    "/integrity/reports/{day}",
    "report",
    roles={Role.MINISTRY_ANALYST},
    summary="The audit-chain check of one day (China Standard Time)",
    response="IntegrityReportView",
    budget=Budget(reads=1, writes=0),
)

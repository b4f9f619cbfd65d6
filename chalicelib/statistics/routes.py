"""Routes for statistics (数据统计).

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import Role
from chalicelib.core.routes import Budget, Table

table = Table("statistics", handlers="chalicelib.statistics.api", models="chalicelib.statistics.models")
# Governing agencies' staff; the one jurisdiction check keeps each to its own region (a county to its county).
READERS = {Role.HEAD, Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER, Role.MINISTRY_ANALYST}

table.route(
    "GET",
    "/statistics/overview",
    "overview",
    roles=READERS,
    summary="A region's figures in a day, month, year or all time, beside the previous period's",
    query="StatisticsQuery",
    response="OverviewView",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/statistics/drilldown",
    "drilldown",
    roles=READERS,
    summary="The regions directly below one (nation → province → city → county) with their figures",
    query="StatisticsQuery",
    response="DrilldownView",
    budget=Budget(reads=3, writes=0),
)

table.route(
    "POST",
    "/statistics/exports",
    "export",
    roles=READERS,
    summary="The overview or the drill-down as an XLSX table (presigned download)",
    body="ExportStatisticsRequest",
    response="StatisticsExportView",
    status=201,
    budget=Budget(reads=3, writes=1),
)

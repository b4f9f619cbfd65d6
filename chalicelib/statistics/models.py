"""Requests and views of statistics (数据统计)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.core.models import IsoDay, RegionCode, Strict, View

Period = Literal["day", "month", "year", "all"]


class StatisticsQuery(Strict):
    region: RegionCode | None = Field(default=None, description="default: your agency's region")
    period: Period = "day"
    on: IsoDay | None = Field(default=None, description="a day inside the period (China time); default: today")


class ExportStatisticsRequest(Strict):
    table: Literal["overview", "drilldown"] = "drilldown"
    region: RegionCode | None = Field(default=None, description="default: your agency's region")
    period: Period = "month"
    on: IsoDay | None = None


class RegionFigures(View):
    region: str
    name: str
    level: str
    figures: dict[str, dict[str, int]] = Field(
        description="family -> figure -> count, e.g. samples.verdict#unqualified; see docs/api.md"
    )
    rates: dict[str, float | None] = Field(description="derived: pass rates, on-time rate, average score")


class OverviewView(View):
    period: Period
    key: str = Field(description="the period: 2026-03-01, 2026-03, 2026 or all")
    previous_key: str | None
    current: RegionFigures
    previous: RegionFigures | None = Field(description="the same region in the previous period")
    change: dict[str, dict[str, int]] = Field(description="current minus previous, per figure")


class DrilldownView(View):
    period: Period
    key: str
    previous_key: str | None
    region: RegionFigures
    children: list[RegionFigures]
    previous_children: dict[str, dict[str, dict[str, int]]] = Field(
        description="each child's figures in the previous period, by region code"
    )


class StatisticsExportView(View):
    filename: str
    rows: int
    download_url: str

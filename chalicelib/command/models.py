"""Requests and views of the command centre."""

from __future__ import annotations

from pydantic import Field

from chalicelib.activity.models import FeedItemView
from chalicelib.core.models import Integer, RegionCode, Strict, View
from chalicelib.warnings.models import WarningView


class CommandQuery(Strict):
    region: RegionCode | None = Field(default=None, description="defaults to your agency's region")
    feed_limit: Integer = Field(default=20, ge=1, le=100, description="how many of today's newest changes")


class RegionWork(View):
    """Work behind in one region this year, from the statistics counters (数据统计)."""

    region: str
    name: str
    tasks_overdue: int = Field(description="monitoring assignments and spot-check tasks overdue, not done")
    tasks_late: int = Field(description="done after their deadline")
    cases: dict[str, int] = Field(description="cases handed over to enforcement, by state")


class CommandView(View):
    """The command centre's live view of a region (指挥调度中心)."""

    region: str
    name: str
    day: str
    feed: list[FeedItemView] = Field(description="today's newest changes in the region (动态)")
    warnings: list[WarningView] = Field(description="risk warnings open in the region, the highest level first")
    warnings_complete: bool = Field(description="false when more indicators exist than one view reads")
    work: RegionWork = Field(description="the region's own figures")
    regions: list[RegionWork] = Field(description="the regions directly below, most overdue first")

"""Views of the activity feed."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chalicelib.core.models import IsoDay, PageQuery, RegionCode, View


class FeedQuery(PageQuery):
    region: RegionCode | None = Field(default=None, description="defaults to your agency's region")
    day: IsoDay | None = Field(default=None, description="China Standard Time day; defaults to today")


class FeedItemView(View):
    """Feed item (动态)."""

    at: str
    kind: str
    id: str
    action: str
    actor: str | None
    state: str | None
    region: str | None
    summary: dict[str, Any] | None


class FeedPage(View):
    items: list[FeedItemView]
    next_cursor: str | None = None

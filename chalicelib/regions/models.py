"""Views of regions."""

from __future__ import annotations

from pydantic import BaseModel


class RegionView(BaseModel):
    """Administrative division (行政区划)."""

    code: str
    name: str
    level: str
    parent: str | None
    lng: float | None
    lat: float | None


class RegionChildren(BaseModel):
    region: RegionView
    children: list[RegionView]

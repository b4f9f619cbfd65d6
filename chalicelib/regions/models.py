"""Views of regions."""

from __future__ import annotations

from chalicelib.core.models import View


class RegionView(View):
    """Administrative division (行政区划)."""

    code: str
    name: str
    level: str
    parent: str | None
    lng: float | None
    lat: float | None


class RegionChildren(View):
    region: RegionView
    children: list[RegionView]

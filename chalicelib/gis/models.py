"""Requests and views of the GIS module (GIS 模块): GeoJSON (RFC 7946) feature collections."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from chalicelib.core.models import Integer, IsoDay, RegionCode, Strict, Ulid, View
from chalicelib.statistics.models import Period
from chalicelib.testing.models import AnalyteCode, ProductCode


class RegionMapQuery(Strict):
    region: RegionCode | None = Field(default=None, description="default: your agency's region")
    period: Period = "month"
    on: IsoDay | None = Field(default=None, description="a day inside the period (China time); default: today")
    product: ProductCode | None = Field(default=None, description="keep only this product's sample figures")
    hazard: AnalyteCode | None = Field(default=None, description="keep only this hazard's (analyte's) test figures")


class SubjectMapQuery(Strict):
    region: RegionCode = Field(description="a county: its approved subjects, townships included")
    limit: Integer = Field(default=10, ge=1, le=10, description="subjects per page (each costs one Query for bases)")
    cursor: str | None = Field(default=None, max_length=2048)


class InspectionMapQuery(Strict):
    agency_id: Ulid
    limit: Integer = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2048)


class Geometry(View):
    """A GeoJSON Point ([lng, lat]) or Polygon (one closed ring)."""

    type: Literal["Point", "Polygon"]
    coordinates: list[Any]


class FeatureView(View):
    type: Literal["Feature"]
    id: str
    geometry: Geometry | None = Field(description="null when the region has no point in the catalogue")
    properties: dict[str, Any]


class DatumNote(View):
    """Which datum the coordinates are in: a foreign member, since RFC 7946 has no `crs`."""

    datum: str = Field(description="WGS-84 (RFC 7946)")
    regions: str = Field(description="how the region points were obtained")
    positions: str = Field(description="how base and inspection positions were obtained")


class FeatureCollectionView(View):
    type: Literal["FeatureCollection"]
    features: list[FeatureView]
    datum: DatumNote
    layer: Literal["regions", "subjects", "inspections"]
    region: str | None = None
    period: Period | None = None
    key: str | None = Field(default=None, description="the period: 2026-03-01, 2026-03, 2026 or all")
    totals: dict[str, dict[str, int]] | None = Field(default=None, description="the region's own figures")
    next_cursor: str | None = None

"""GIS rules: which points a user may see, where each point lies (WGS-84) and which figures it carries."""

from __future__ import annotations

import itertools
from typing import Any

import geojson

from chalicelib.core import clock
from chalicelib.core.access import Principal, check_access, governs
from chalicelib.core.errors import NotFoundError, Unprocessable
from chalicelib.inspections import store as inspections
from chalicelib.orgs import store as orgs
from chalicelib.regions.catalog import Region, catalog
from chalicelib.statistics import service as statistics
from chalicelib.statistics import store as counters
from chalicelib.statistics.cells import ALL_LEVELS, FAMILIES
from chalicelib.subjects import store as subjects

from .models import DatumNote, FeatureCollectionView, InspectionMapQuery, RegionMapQuery, SubjectMapQuery

BASES_PER_SUBJECT = 20
DATUM = DatumNote(
    datum="WGS-84 (EPSG:4326 axis order lng, lat, as RFC 7946 requires)",
    regions=(
        "the region catalogue's seat-of-government points, GCJ-02, converted to WGS-84 with the PyPI package "
        "coordTransform 0.2.1 (gcj02_to_wgs84, one-step inverse, error about 1-2 m)"
    ),
    positions="bases and inspections as the field app sent them (the phone's GPS, WGS-84), not converted",
)


def _wgs84(lng: float, lat: float) -> tuple[float, float]:
    """A GCJ-02 point in WGS-84, rounded to 6 decimals (10 cm): the catalogue's points are 5-decimal."""
    import coordTransform  # imported on first use: only the GIS routes pay for it

    x, y = coordTransform.gcj02_to_wgs84(float(lng), float(lat))
    return round(x, 6), round(y, 6)


def _region_point(region: Region) -> geojson.Point | None:
    if region.lng is None or region.lat is None:
        return None
    return geojson.Point(_wgs84(region.lng, region.lat))


def _collection(features: list[geojson.Feature], **members: Any) -> FeatureCollectionView:
    """The features as a FeatureCollection, checked against RFC 7946 by the geojson package before it leaves."""
    fc = geojson.FeatureCollection(features)
    if not fc.is_valid:  # a bug, not bad input: every coordinate was checked on its way in
        raise AssertionError(f"invalid GeoJSON: {fc.errors()}")
    return FeatureCollectionView.model_validate({**fc, "datum": DATUM.model_dump(), **members})


def _filtered(figures: counters.Figures, query: RegionMapQuery) -> counters.Figures:
    """The statistics families; with a product or a hazard, only that product's or hazard's figures."""
    shown = {n: f for n, f in figures.items() if n in FAMILIES and FAMILIES[n].levels == ALL_LEVELS}
    if query.product is None and query.hazard is None:
        return {n: dict(sorted(f.items())) for n, f in sorted(shown.items())}
    out: counters.Figures = {}
    for family, code in (("products", query.product), ("hazards", query.hazard)):
        if code is not None:
            out[family] = {k: v for k, v in sorted(shown.get(family, {}).items()) if k.endswith(f"#{code}")}
    return out


def _region_feature(region: Region, figures: counters.Figures) -> geojson.Feature:
    props = {
        "kind": "region",
        "region": region.code,
        "name": region.name,
        "level": region.level,
        "figures": figures,
        "rates": statistics.rates(figures),
    }
    return geojson.Feature(id=region.code, geometry=_region_point(region), properties=props)


def region_map(user: Principal, query: RegionMapQuery) -> FeatureCollectionView:
    """A region's children at their points with their counted figures; a county shows itself. Two Queries."""
    region = statistics.visible_region(user, query.region)
    key = statistics.period_key(query.period, query.on or clock.cst_day(clock.now()))
    totals = _filtered(counters.figures_of(region.code, key), query)
    if region.level == "county":
        features = [_region_feature(region, totals)]
    else:
        counted = counters.children_of(region.code, key)
        children = catalog().children(region.code)
        known = {c.code for c in children}
        # A child the catalogue lacks (a code retired since) still shows its figures, without a point.
        extra = [catalog().find(c) or Region(c, c, region.code, "", None, None) for c in counted if c not in known]
        features = [_region_feature(c, _filtered(counted.get(c.code, {}), query)) for c in [*children, *extra]]
    return _collection(
        features,
        layer="regions",
        region=region.code,
        period=query.period,
        key="all" if key == "T" else key[1:],
        totals=totals,
    )


def _county(user: Principal, code: str) -> Region:
    region = catalog().get(code)
    if not governs(user, region.code):
        raise NotFoundError("that region is outside your jurisdiction")
    if region.level != "county":
        raise Unprocessable(
            "subjects are mapped per county", errors=[{"field": "query.region", "message": "not a county"}]
        )
    return region


def _ring(polygon: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """A base's outline as one closed GeoJSON ring, counter-clockwise (RFC 7946's right-hand rule)."""
    ring = [(float(p["lng"]), float(p["lat"])) for p in polygon]
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    twice_area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))
    return ring if twice_area >= 0 else ring[::-1]


def subject_map(user: Principal, query: SubjectMapQuery) -> FeatureCollectionView:
    """A page of a county's approved subjects: each base at its location (and its outline when registered);
    a subject without bases at its region's point. One Query for the page, one per subject for its bases."""
    county = _county(user, query.region)
    page, cursor = subjects.in_county(county.code, "approved", limit=query.limit, cursor=query.cursor)
    features: list[geojson.Feature] = []
    for subject in page:
        about = {"subject_id": subject.id, "subject_name": subject.name, "category": subject.category}
        bases, _ = subjects.bases_of(subject.id, limit=BASES_PER_SUBJECT, cursor=None)
        for base in bases:
            props = {
                "kind": "base",
                **about,
                "base_id": base.id,
                "name": base.name,
                "area_mu": base.area_mu,
                "products": sorted(base.products or []),
            }
            features.append(
                geojson.Feature(
                    id=base.id, geometry=geojson.Point((float(base.lng), float(base.lat))), properties=props
                )
            )
            if base.polygon:
                outline = geojson.Polygon([_ring(base.polygon)])
                features.append(
                    geojson.Feature(
                        id=f"{base.id}#outline", geometry=outline, properties={**props, "kind": "base_outline"}
                    )
                )
        if not bases:
            place = catalog().find(subject.region or "") or county
            props = {"kind": "subject", **about, "placed_at": place.code}
            features.append(geojson.Feature(id=subject.id, geometry=_region_point(place), properties=props))
    return _collection(features, layer="subjects", region=county.code, next_cursor=cursor)


def inspection_map(user: Principal, query: InspectionMapQuery) -> FeatureCollectionView:
    """An agency's on-site inspections, newest first, at the phone's position: a GetItem and one Query."""
    agency = orgs.get_agency(query.agency_id)
    check_access(user, region=agency.region, parties={agency.id})
    page, cursor = inspections.inspections_of_org(agency.id, limit=query.limit, cursor=query.cursor)
    features = []
    for rec in page:
        result = rec.result or {}
        props = {
            "kind": "inspection",
            "inspection_id": rec.id,
            "subject_id": rec.subject_id,
            "region": rec.region,
            "done_at": rec.done_at,
            "template": f"{rec.template_code}#{rec.template_number}",
            "score": result.get("score"),
            "outcome": result.get("outcome"),
            "accuracy_m": rec.position.get("accuracy_m"),
        }
        point = geojson.Point((float(rec.position["lng"]), float(rec.position["lat"])))
        features.append(geojson.Feature(id=rec.id, geometry=point, properties=props))
    return _collection(features, layer="inspections", region=agency.region, next_cursor=cursor)

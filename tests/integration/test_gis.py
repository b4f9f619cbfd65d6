"""The GIS module (GIS 模块, Art 32): a jurisdiction's figures, subjects, bases and inspections as GeoJSON
(RFC 7946) points, each agency within its jurisdiction, in one or a few Queries."""

from __future__ import annotations

from typing import Any

import geojson
from ulid import ULID

from tests.support.inspections import inspection_body, published
from tests.support.spotchecks import SpotWalk
from tests.support.subjects import registration
from tests.support.world import World


def _map(api: Any, world: World, user: str, path: str, status: int = 200) -> dict[str, Any]:
    got = api.get(path, token=world.token(user))
    assert got.status == status, (got.status, got.body)
    if status == 200:
        # Every answer is valid GeoJSON by the geojson package's own checks, and in WGS-84 lng/lat order.
        fc = geojson.loads(geojson.dumps(got.body))
        assert fc.is_valid, fc.errors()
        assert got.body["type"] == "FeatureCollection" and got.body["datum"]["datum"].startswith("WGS-84")
        for feature in got.body["features"]:
            if feature["geometry"] and feature["geometry"]["type"] == "Point":
                lng, lat = feature["geometry"]["coordinates"]
                assert 73 <= lng <= 136 and 3 <= lat <= 54, feature
    return dict(got.body)


def _approved(api: Any, world: World, **extra: Any) -> str:
    made = api.post("/subjects", token=world.token("lc-supervisor"), body=registration(**extra))
    assert made.status == 201, made.body
    done = api.post(f"/subjects/{made.body['id']}/review", token=world.token("lc-head"), body={"decision": "approve"})
    assert done.status == 200, done.body
    return str(made.body["id"])


def test_a_city_maps_its_counties_with_their_figures_filtered_by_product_and_hazard(api, world: World, events):
    # Given a Licheng spot check whose sample fails on procymidone, counted from the stream
    SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    events.settle()

    # When Jinan's head maps the city's year
    api.calls.reset()
    jn = _map(api, world, "jn-head", "/gis/regions?region=370100&period=year")
    # Then it costs two Queries (the counties' cells and the city's own), whatever the records
    assert api.calls.counts() == (2, 0)
    # And each county is a point in WGS-84 (converted from the catalogue's GCJ-02) with its figures
    assert "coordTransform" in jn["datum"]["regions"] and jn["layer"] == "regions"
    by_code = {f["id"]: f for f in jn["features"]}
    licheng = by_code["370112"]
    assert licheng["properties"]["name"] == "历城区" and licheng["properties"]["level"] == "county"
    assert licheng["properties"]["figures"]["samples"]["verdict#unqualified"] >= 1
    lng, lat = licheng["geometry"]["coordinates"]
    assert 116.9 < lng < 117.3 and 36.5 < lat < 36.8  # Licheng, and GCJ-02 moved by a few hundred metres
    catalogued = api.get("/regions/370100").body["children"]
    gcj = next(c for c in catalogued if c["code"] == "370112")
    assert 0 < abs(gcj["lng"] - lng) < 0.01 and 0 < abs(gcj["lat"] - lat) < 0.01  # shifted back by a few hundred m
    assert jn["totals"]["samples"]["verdict#unqualified"] >= 1

    # When the head filters by the hazard, Then only that hazard's test figures remain, with its pass rate
    hz = _map(api, world, "jn-head", "/gis/regions?region=370100&period=year&hazard=procymidone")
    props = {f["id"]: f["properties"] for f in hz["features"]}["370112"]
    assert set(props["figures"]) == {"hazards"} and props["figures"]["hazards"]["unqualified#procymidone"] >= 1
    assert props["rates"]["hazards.pass_rate#procymidone"] < 1
    # And by the product: only that product's sample figures
    pr = _map(api, world, "jn-head", "/gis/regions?region=370100&period=year&product=010408")
    props = {f["id"]: f["properties"] for f in pr["features"]}["370112"]
    assert set(props["figures"]) == {"products"} and all(k.endswith("#010408") for k in props["figures"]["products"])

    # When Licheng's head maps its own county, Then it sees itself only
    lc = _map(api, world, "lc-head", "/gis/regions?region=370112&period=year")
    assert [f["id"] for f in lc["features"]] == ["370112"]
    # And another county, or the city above it, is outside its jurisdiction (404); a lab's staff may not map (403)
    _map(api, world, "lc-head", "/gis/regions?region=370102", status=404)
    _map(api, world, "lc-head", "/gis/regions?region=370100", status=404)
    _map(api, world, "jn-lab-manager", "/gis/regions?region=370100", status=403)
    # And bad input is a 400 that names the field
    bad = api.get("/gis/regions?region=370100&hazard=BAD%20CODE", token=world.token("jn-head"))
    assert (
        bad.status == 400
        and bad.body["errors"][0]["field"] == "query.hazard"
        and bad.headers["content-type"] == "application/problem+json"
    )

    # And the ministry maps the nation: every province, Shandong with the sample
    nation = _map(api, world, "moa-analyst", "/gis/regions?region=000000&period=all")
    shandong = {f["id"]: f for f in nation["features"]}["370000"]
    assert shandong["properties"]["figures"]["samples"]["verdict#unqualified"] >= 1
    assert len(nation["features"]) >= 31


def test_a_county_maps_its_subjects_at_their_bases_and_outlines(api, world: World):
    # Given an approved Licheng subject with a base and its outline, and one without a base in a township
    with_base = _approved(api, world, name="历城区蔬菜合作社")
    outline = [{"lng": 117.10, "lat": 36.60}, {"lng": 117.10, "lat": 36.61}, {"lng": 117.11, "lat": 36.61}]
    base = api.post(
        f"/subjects/{with_base}/bases",
        token=world.token("lc-supervisor"),
        body={
            "name": "一号基地",
            "location": {"lng": 117.105, "lat": 36.605},
            "polygon": outline,
            "products": ["韭菜"],
        },
    )
    assert base.status == 201, base.body
    without = _approved(api, world, name="历城区果品合作社", region="370112001")
    # And a pending subject, which is not on the map
    pending = api.post("/subjects", token=world.token("lc-supervisor"), body=registration()).body["id"]

    # When Licheng's head maps the county's subjects
    api.calls.reset()
    got = _map(api, world, "lc-head", "/gis/subjects?region=370112&limit=10")
    # Then a page costs one Query for the subjects and one per subject for its bases
    reads, writes = api.calls.counts()
    assert writes == 0 and reads <= 11
    features = got["features"]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for f in features:
        by_kind.setdefault(f["properties"]["kind"], []).append(f)
    the_base = next(f for f in by_kind["base"] if f["properties"]["subject_id"] == with_base)
    # And the base is at its location, with its products, and its outline is a closed counter-clockwise ring
    assert the_base["geometry"]["coordinates"] == [117.105, 36.605]
    assert the_base["properties"]["products"] == ["韭菜"] and the_base["id"] == base.body["id"]
    ring = next(f for f in by_kind["base_outline"] if f["properties"]["subject_id"] == with_base)["geometry"]
    coords = ring["coordinates"][0]
    assert coords[0] == coords[-1] and len(coords) == 4
    # And the subject without a base is at its township's point
    lone = next(f for f in by_kind["subject"] if f["id"] == without)
    assert lone["properties"]["placed_at"] == "370112001" and lone["geometry"]["type"] == "Point"
    assert pending not in {f["properties"]["subject_id"] for f in features}

    # And another county's subjects are not Licheng's to map (404); a city is not a county (422)
    _map(api, world, "lc-head", "/gis/subjects?region=370102", status=404)
    _map(api, world, "jn-head", "/gis/subjects?region=370100", status=422)
    # And the ministry may map any county
    assert _map(api, world, "moa-analyst", "/gis/subjects?region=370112")["region"] == "370112"
    # And pages follow the cursor
    first = _map(api, world, "lc-head", "/gis/subjects?region=370112&limit=1")
    assert first["next_cursor"]
    second = _map(api, world, "lc-head", f"/gis/subjects?region=370112&limit=1&cursor={first['next_cursor']}")
    ids = lambda fc: {f["properties"]["subject_id"] for f in fc["features"]}  # noqa: E731
    assert not ids(first) & ids(second)


def test_an_agency_maps_its_recent_inspections_where_the_phone_was(api, world: World):
    # Given an inspection done by Licheng at (117.051, 36.68)
    sid = _approved(api, world)
    published(api, world, "SD-GIS-1")
    iid = str(ULID())
    sent = api.put(f"/inspections/{iid}", token=world.token("lc-supervisor"), body=inspection_body(sid, "SD-GIS-1"))
    assert sent.status == 201, sent.body
    lc = world.agencies["lc"].id

    # When Licheng's head maps its agency's inspections
    api.calls.reset()
    got = _map(api, world, "lc-head", f"/gis/inspections?agency_id={lc}")
    # Then a GetItem of the agency and one Query
    assert api.calls.counts() == (2, 0)
    feature = next(f for f in got["features"] if f["id"] == iid)
    assert feature["geometry"]["coordinates"] == [117.051, 36.68]
    assert feature["properties"]["subject_id"] == sid and feature["properties"]["outcome"] == "pass"
    assert feature["properties"]["accuracy_m"] == 8.5

    # And Jiangsu's head does not see that agency (404), nor does an unknown agency exist (404)
    _map(api, world, "js-head", f"/gis/inspections?agency_id={lc}", status=404)
    _map(api, world, "lc-head", f"/gis/inspections?agency_id={ULID()}", status=404)
    # And Shandong's head sees Licheng's
    assert _map(api, world, "sd-head", f"/gis/inspections?agency_id={lc}")["features"]

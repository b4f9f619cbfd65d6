"""Statistics (数据统计) kept from the stream: exact under re-delivery and partial batch failure, equal to a recount
from the records, read per region level and period in one or a few Queries, each agency within its jurisdiction."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import boto3
from boto3.dynamodb.types import TypeSerializer

from chalicelib.core import clock, counters
from chalicelib.core.db import Entity
from chalicelib.core.errors import ServiceUnavailable
from chalicelib.statistics import cells, store
from chalicelib.statistics import measures as _measures  # noqa: F401
from chalicelib.wiring import stream
from tests.support.spotchecks import SpotWalk
from tests.support.subjects import registration
from tests.support.world import World

_serialize = TypeSerializer().serialize


def _stream_record(n: int, old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    data: dict[str, Any] = {"Keys": {"pk": {"S": (new or old or {})["pk"]}, "sk": {"S": "SUBJ"}}}
    if new:
        data["NewImage"] = {k: _serialize(v) for k, v in new.items()}
    if old:
        data["OldImage"] = {k: _serialize(v) for k, v in old.items()}
    return {
        "eventID": f"e{n}",
        "eventName": "MODIFY" if old and new else ("INSERT" if new else "REMOVE"),
        "eventSource": "aws:dynamodb",
        "eventSourceARN": "arn:aws:dynamodb:cn-north-1:000000000000:table/t/stream/x",
        "dynamodb": {**data, "SequenceNumber": f"{n:021d}", "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def _subject(sid: str, region: str, state: str, seq: int, created: str) -> dict[str, Any]:
    return {
        "pk": f"SUBJ#{sid}",
        "sk": "SUBJ",
        "kind": "Subject",
        "id": sid,
        "region": region,
        "state": state,
        "audit_seq": seq,
        "created_at": created,
        "updated_at": created,
    }


def _sample(sid: str, region: str, seq: int, outcomes: dict[str, str], subject: str = "SUBJ-X") -> dict[str, Any]:
    failed = any(o == "unqualified" for o in outcomes.values())
    return {
        "pk": f"SAMPLE#{sid}",
        "sk": "SAMPLE",
        "kind": "Sample",
        "id": sid,
        "region": region,
        "place": json.dumps({"region": region}),
        "task_kind": "JDCC",
        "state": "tested" if outcomes else "sampled",
        "verdict": ("unqualified" if failed else "qualified") if outcomes else "pending",
        "product_code": "010408",
        "subject_id": subject,
        "sampled_at": "2026-03-01T03:00:00.000Z",
        "results": json.dumps({a: {"outcome": o} for a, o in outcomes.items()}),
        "audit_seq": seq,
    }


def _county_figures(region: str, period: str) -> dict[str, dict[str, int]]:
    return store.figures_of(region, period)


def _nonzero(figures: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    kept = {family: {k: v for k, v in f.items() if v} for family, f in figures.items()}
    return {family: f for family, f in kept.items() if f}


def _recount(images: list[dict[str, Any]], region: str, period: str) -> dict[str, dict[str, int]]:
    """The figures counted afresh from the records as they are now (what the stream's deltas must equal)."""
    out: dict[str, Counter[str]] = {}
    for image in images:
        for fact in cells.facts_of(str(image["kind"]), image):
            fam = cells.FAMILIES[fact.family]
            regions = cells.chain(fact.region)[: fam.levels]
            keys = cells.period_keys(fact.day)
            if region in regions and period in {keys[p] for p in fam.periods}:
                out.setdefault(fact.family, Counter())[fact.figure] += fact.amount
    return {k: dict(v) for k, v in out.items()}


def test_counters_stay_exact_when_a_batch_is_delivered_twice_and_when_it_partly_fails(aws, monkeypatch):
    # Given a batch of changes in Shenzhen's Nanshan district (440305): two subjects registered, one approved,
    # a sample tested with one hazard failing, then corrected to pass
    a1 = _subject("S-A", "440305", "pending", 1, "2026-03-01T02:00:00.000Z")
    a2 = {**a1, "state": "approved", "audit_seq": 2, "updated_at": "2026-03-02T02:00:00.000Z"}
    b1 = _subject("S-B", "440305001", "pending", 1, "2026-03-01T17:00:00.000Z")  # 2 March in China time
    s1 = _sample("SM-1", "440305", 1, {})
    s2 = _sample("SM-1", "440305", 2, {"procymidone": "unqualified", "chlorpyrifos": "qualified"})
    s3 = _sample("SM-1", "440305", 3, {"procymidone": "qualified", "chlorpyrifos": "qualified"})
    batch = [
        _stream_record(1, None, a1),
        _stream_record(2, a1, a2),
        _stream_record(3, None, b1),
        _stream_record(4, None, s1),
        _stream_record(5, s1, s2),
    ]
    dispatcher = stream()
    # only the counters: the other subscribers are not under test (restored after the test)
    monkeypatch.setattr(dispatcher, "subscribers", [cells.count_change])

    # When the table refuses the fourth record's count (a partial batch failure) the poller is told to retry it
    real = counters.transact_once
    calls = {"n": 0}

    def flaky(items: Any) -> bool:
        calls["n"] += 1
        if calls["n"] == 4:
            raise ServiceUnavailable("throttled")
        return real(items)

    monkeypatch.setattr(counters, "transact_once", flaky)
    result = dispatcher.handle({"Records": batch}, None)
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [f"{4:021d}"]
    monkeypatch.setattr(counters, "transact_once", real)
    # And the poller re-delivers from the failed record, then the whole batch again (at least once), and the
    # correction after it
    dispatcher.handle({"Records": batch[3:]}, None)
    dispatcher.handle({"Records": batch}, None)
    dispatcher.handle({"Records": [_stream_record(6, s2, s3)]}, None)
    dispatcher.handle({"Records": [_stream_record(6, s2, s3)]}, None)

    # Then each day's figures equal a recount from the records as they are now
    final = [a2, b1, s3]
    for period in ("D2026-03-01", "D2026-03-02", "M2026-03", "Y2026", "T"):
        for region in ("440305", "440300", "440000", "000000"):
            assert _nonzero(store.figures_of(region, period)) == _nonzero(_recount(final, region, period))
    month = _county_figures("440305", "M2026-03")
    assert month["subjects"] == {"state#approved": 1, "state#pending": 1}
    assert month["hazards"] == {"tested#chlorpyrifos": 1, "tested#procymidone": 1, "unqualified#procymidone": 0}
    assert month["samples"]["verdict#qualified"] == 1 and month["samples"]["verdict#unqualified"] == 0
    # And the warning job's county-day cell dropped the corrected failure and its evidence
    risk = _county_figures("440305", "D2026-03-01")["risk"]
    assert risk["failed#010408#procymidone"] == 0 and risk["ids#failed#010408#procymidone#SM-1"] == 0


def _get(api: Any, world: World, user: str, path: str, status: int = 200) -> Any:
    got = api.get(path, token=world.token(user))
    assert got.status == status, got.body
    return got.body


def test_a_county_sees_its_own_figures_a_city_drills_down_to_its_counties_and_the_ministry_sees_all(
    api, world: World, events
):
    # Given two subjects registered in Licheng (one approved) and one in Lixia, today
    made = []
    for user, region in (("lc-supervisor", "370112"), ("lc-supervisor", "370112"), ("lx-supervisor", "370102")):
        got = api.post("/subjects", token=world.token(user), body=registration(region=region))
        assert got.status == 201, got.body
        made.append(got.body["id"])
    approved = api.post(f"/subjects/{made[0]}/review", token=world.token("lc-head"), body={"decision": "approve"})
    assert approved.status == 200, approved.body
    events.settle()
    today = clock.cst_day(clock.now())

    # When Licheng's head reads its overview, Then it shows its subjects by state, beside yesterday's
    api.calls.reset()
    lc = _get(api, world, "lc-head", f"/statistics/overview?region=370112&period=day&on={today}")
    assert api.calls.counts() == (2, 0)  # this period and the previous: one Query each
    subjects = lc["current"]["figures"]["subjects"]
    assert subjects.get("state#approved", 0) >= 1 and subjects.get("state#pending", 0) >= 1
    assert lc["previous_key"] < lc["key"] == today
    # And Licheng may not read Lixia's nor Jinan's figures (404), nor a lab's staff any (403)
    _get(api, world, "lc-head", "/statistics/overview?region=370102", status=404)
    _get(api, world, "lc-head", "/statistics/drilldown?region=370100", status=404)
    _get(api, world, "jn-lab-manager", "/statistics/overview?region=370100", status=403)
    # (figures are kept per county and above: a township is a 422, a code that is no region a 404)
    _get(api, world, "lc-head", "/statistics/overview?region=370112001", status=422)
    _get(api, world, "lc-head", "/statistics/overview?region=370199", status=404)

    # When Jinan's head drills down, Then each county shows its own figures and they sum to the city's
    api.calls.reset()
    jn = _get(api, world, "jn-head", "/statistics/drilldown?region=370100&period=year")
    assert api.calls.counts() == (3, 0)
    by_code = {c["region"]: c for c in jn["children"]}
    lc_year = by_code["370112"]["figures"]["subjects"]
    lx_year = by_code["370102"]["figures"]["subjects"]
    assert sum(lx_year.values()) >= 1 and sum(lc_year.values()) >= 2
    city = jn["region"]["figures"]["subjects"]
    assert sum(city.values()) == sum(sum(c["figures"].get("subjects", {}).values()) for c in jn["children"])

    # And the ministry drills down from the nation to Shandong
    nation = _get(api, world, "moa-analyst", "/statistics/drilldown?region=000000&period=all")
    shandong = next(c for c in nation["children"] if c["region"] == "370000")
    assert sum(shandong["figures"]["subjects"].values()) >= 3


def test_a_failed_spot_check_sample_counts_by_product_and_hazard_and_its_pass_rate(api, world: World, events):
    # Given a Licheng spot check whose sample fails on procymidone
    SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    events.settle()
    # When Licheng's head reads the year, Then the sample, its product and hazard and the pass rates show it
    got = _get(api, world, "lc-head", "/statistics/overview?region=370112&period=year")
    figures, rates = got["current"]["figures"], got["current"]["rates"]
    assert figures["samples"]["verdict#unqualified"] >= 1
    assert figures["products"]["unqualified#010408"] >= 1
    assert figures["hazards"]["unqualified#procymidone"] >= 1
    assert rates["hazards.pass_rate#procymidone"] is not None and rates["hazards.pass_rate#procymidone"] < 1
    assert "risk" not in figures  # the warning job's cells are not statistics


def test_the_drilldown_exports_as_an_xlsx_table(api, world: World):
    made = api.post(
        "/statistics/exports",
        token=world.token("jn-head"),
        body={"table": "drilldown", "region": "370100", "period": "year"},
    )
    assert made.status == 201, made.body
    assert made.body["rows"] >= 3 and made.body["filename"].endswith(".xlsx")
    key = made.body["download_url"].split("?")[0].split("/exports/", 1)[1]
    body = boto3.client("s3").get_object(Bucket=_bucket(), Key=f"exports/{key}")["Body"].read()
    assert body[:2] == b"PK"
    assert api.post("/statistics/exports", token=world.token("lc-head"), body={"region": "370100"}).status == 404


def _bucket() -> str:
    from chalicelib.core.config import get_settings

    return get_settings().bucket_name


def test_cells_are_filed_under_their_parent_so_a_region_is_one_query():
    assert cells.chain("370112001") == ["370112", "370100", "370000", "000000"]
    assert cells.parent_of("370112") == "370100" and cells.parent_of("000000") == "ROOT"
    assert Entity.Meta.table_name


def test_complaints_count_where_they_are_handled_and_a_refused_filing_not_at_all(api, world: World, events):
    from tests.support.complaints import report

    # Given Licheng's figures for the day as they stand
    today = clock.cst_day(clock.now())

    def complaints() -> dict[str, int]:
        got = _get(api, world, "lc-head", f"/statistics/overview?region=370112&period=day&on={today}")
        return dict(got["current"]["figures"].get("complaints", {}))

    events.settle()
    before = complaints()
    # When the public files two reports about places in Licheng, one about a pesticide
    for extra in ({}, {"hazard": "pesticide_residue"}):
        filed = api.post("/public/complaints", body=report(**extra))
        assert filed.status == 201, filed.body
    events.settle()
    events.poller.iterators.clear()  # and the stream is delivered again
    events.settle()
    # Then Licheng's day counts each once, by kind and hazard
    after = complaints()
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    assert delta["received"] == 2 and delta["kind#report"] == 2
    assert delta["hazard#pesticide_residue"] == 1

"""Results (检测结果, Art 16): judged against their limits, entered by hand, in bulk, by sheet or by instrument."""

from __future__ import annotations

import hashlib
from typing import Any

from chalicelib.testing import store as samples
from tests.support.monitoring import CHIVES, Walk, act, model_body, upload_sheet
from tests.support.world import World


def edge_model(version: int) -> dict[str, Any]:
    """The usual model plus a content range and a minimum, to judge every kind of limit."""
    body = model_body(version)
    body["items"] += [
        {
            "product_code": CHIVES,
            "analyte": "moisture",
            "analyte_name": "水分",
            "method_standard": "GB 5009.3-2016",
            "unit": "%",
            "limit": {
                "source": "custom",
                "operator": "range",
                "low": "80",
                "high": "95",
                "judgement_standard": "企业标准",
            },
        },
        {
            "product_code": CHIVES,
            "analyte": "vitamin-c",
            "analyte_name": "维生素C",
            "method_standard": "GB 5009.86-2016",
            "unit": "mg/100g",
            "limit": {"source": "custom", "operator": "ge", "value": "10", "judgement_standard": "企业标准"},
        },
    ]
    return body


def enter(api, world, rows: list[dict[str, Any]], user: str = "jn-lab-analyst"):
    return api.post("/results", token=world.token(user), body={"results": rows})


def outcomes(api, world, sid: str) -> dict[str, str]:
    body = api.get(f"/samples/{sid}", token=world.token("jn-lab-analyst")).body
    return {r["analyte"]: r["outcome"] for r in body["results"]}


def test_judgement_at_the_edges(api, world: World):
    walk = Walk(api, world, model=edge_model).unit_receive()
    sid = walk.received_sample()
    # A unit other than the model's is refused, and nothing is entered
    wrong_unit = enter(api, world, [{"sample_id": sid, "analyte": "procymidone", "value": "200", "unit": "μg/kg"}])
    assert wrong_unit.status == 422
    assert wrong_unit.body["errors"][0]["field"] == "body.results.0.unit"
    assert "μg/kg" in wrong_unit.body["errors"][0]["message"]
    assert samples.get_sample(sid).results == {}
    # Exactly at a maximum is qualified; below the LOQ is reported as such; range ends are inclusive
    reply = enter(
        api,
        world,
        [
            {"sample_id": sid, "analyte": "procymidone", "value": "0.2", "unit": "MG/KG"},
            {"sample_id": sid, "analyte": "chlorpyrifos", "value": "0.004", "unit": "mg/kg"},
            {"sample_id": sid, "analyte": "moisture", "value": "95", "unit": "%"},
            {"sample_id": sid, "analyte": "vitamin-c", "value": "10", "unit": "mg/100g"},
        ],
    )
    assert reply.status == 200, reply.body
    assert outcomes(api, world, sid) == {
        "procymidone": "qualified",
        "chlorpyrifos": "below_loq",
        "moisture": "qualified",
        "vitamin-c": "qualified",
    }
    shown = api.get(f"/samples/{sid}", token=world.token("jn-lab-analyst")).body
    assert shown["verdict"] == "qualified"
    reported = {r["analyte"]: r["reported"] for r in shown["results"]}
    assert reported["chlorpyrifos"].startswith("<LOQ")
    limits = {r["analyte"]: r["limit"] for r in shown["results"]}
    assert limits["procymidone"]["standard"] == "GB 2763-2021" and limits["procymidone"]["text"] == "≤0.2 mg/kg"
    # Changing a result takes a reason; just over the range's top is unqualified, and the old value is kept
    changed = [{"sample_id": sid, "analyte": "moisture", "value": "95.1", "unit": "%"}]
    assert enter(api, world, changed).status == 422
    changed[0]["correction_reason"] = "复核称量误差"
    assert enter(api, world, changed).status == 200
    moisture = next(
        r
        for r in api.get(f"/samples/{sid}", token=world.token("jn-lab-analyst")).body["results"]
        if r["analyte"] == "moisture"
    )
    assert moisture["outcome"] == "unqualified"
    assert samples.get_sample(sid).results["moisture"]["replaces"] == "95"
    assert samples.get_sample(sid).verdict == "unqualified"


def test_results_need_a_received_sample_of_your_own_lab(api, world: World):
    walk = Walk(api, world).unit_receive()
    not_received = walk.take_sample()
    row = [{"sample_id": not_received, "analyte": "procymidone", "value": "0.1", "unit": "mg/kg"}]
    reply = enter(api, world, row)
    assert reply.status == 422 and "not received" in reply.body["errors"][0]["message"]
    # A test item the model does not have on this product
    sid = walk.received_sample()
    reply = enter(api, world, [{"sample_id": sid, "analyte": "deltamethrin", "value": "0.1", "unit": "mg/kg"}])
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.results.0.analyte"
    # A broken seal on arrival: the sample is rejected, kept, and takes no results
    other = walk.take_sample()
    rejected = act(
        api,
        world,
        "jn-lab-analyst",
        f"/samples/{other}/receipt",
        {"handed_over_by": "张抽样", "condition": "intact", "seal_no": "NOT-THE-SEAL"},
    )
    assert rejected["state"] == "rejected" and rejected["custody"][0]["condition"] == "seal_mismatch"


def test_three_thousand_results_in_one_request(api, world: World):
    items = [
        {
            "product_code": CHIVES,
            "analyte": f"residue-{n:02d}",
            "analyte_name": f"农药{n:02d}",
            "method_standard": "GB 23200.113-2018",
            "unit": "mg/kg",
            "loq": "0.01",
            "limit": {"source": "custom", "operator": "le", "value": "0.5", "judgement_standard": "GB 2763-2021"},
        }
        for n in range(30)
    ]

    def thirty_items(version: int) -> dict[str, Any]:
        body = model_body(version)
        body["items"] = items
        body["objects"] = body["objects"][:1]
        return body

    walk = Walk(api, world, model=thirty_items).unit_receive()
    ids = [walk.received_sample() for _ in range(100)]
    rows = [
        {"sample_id": sid, "analyte": item["analyte"], "value": "0.6" if (i, n) == (7, 3) else "0.05", "unit": "mg/kg"}
        for i, sid in enumerate(ids)
        for n, item in enumerate(items)
    ]
    assert len(rows) == 3000
    reply = enter(api, world, rows)  # the client holds it to the route's call budget
    assert reply.status == 200, reply.body
    assert reply.body["entered"] == 3000 and reply.body["unqualified_samples"] == [ids[7]]
    assert all(samples.get_sample(s).verdict == ("unqualified" if s == ids[7] else "qualified") for s in ids[:10])
    # The same request again (a retry after a timeout) changes nothing and writes nothing
    again = enter(api, world, rows)
    assert again.status == 200 and again.body["unchanged"] == 3000 and again.body["entered"] == 0
    assert again.writes == 0


def sheet(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["样品编号,检测项目,检测值,单位"] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def test_a_sheet_with_bad_rows_imports_whole_samples_only(api, world: World, events):
    walk = Walk(api, world).unit_receive()
    good, half_bad, unknown_item = (walk.received_sample() for _ in range(3))
    data = sheet(
        [
            (good, "procymidone", "0.05", "mg/kg"),
            (good, "chlorpyrifos", "ND", "mg/kg"),
            (half_bad, "procymidone", "0.05", "mg/kg"),
            (half_bad, "chlorpyrifos", "abc", "mg/kg"),
            (unknown_item, "procymidone", "0.05", "mg/kg"),
            (unknown_item, "no-such-item", "0.05", "mg/kg"),
        ]
    )
    import_id = upload_sheet(api, world, "jn-lab-analyst", walk.assignment, data, events)
    shown = api.get(f"/result-imports/{import_id}", token=world.token("jn-lab-analyst")).body
    assert shown["state"] == "imported", shown
    assert shown["sha256"] == hashlib.sha256(data).hexdigest()
    assert shown["summary"]["samples_imported"] == 1 and shown["summary"]["samples_rejected"] == 2
    # The good sample is complete; neither bad one got any result (nothing half-imported)
    assert samples.get_sample(good).verdict == "qualified"
    assert samples.get_sample(good).results["procymidone"]["raw_sha256"] == shown["sha256"]
    assert samples.get_sample(half_bad).results == {} and samples.get_sample(unknown_item).results == {}
    # The per-row report names each row that was left out, by its Excel row number
    import requests

    report = requests.get(shown["report_url"], timeout=10).content.decode("utf-8-sig")
    lines = report.strip().splitlines()[1:]
    assert sorted(int(line.split(",")[0]) for line in lines) == [4, 5, 6, 7]
    # The same sheet again changes nothing
    version = samples.get_sample(good).version
    again = upload_sheet(api, world, "jn-lab-analyst", walk.assignment, data, events)
    summary = api.get(f"/result-imports/{again}", token=world.token("jn-lab-analyst")).body["summary"]
    assert summary["samples_imported"] == 0 and summary["results_unchanged"] == 2
    assert samples.get_sample(good).version == version


def test_a_lab_instrument_pushes_results_with_its_raw_file_hash(api, world: World):
    walk = Walk(api, world).unit_receive()
    sid = walk.received_sample()
    issued = act(api, world, "jn-lab-manager", "/instrument-keys", {"name": "GC-MS 7890B #2"}, status=201)
    key = {"Authorization": issued["authorization"]}
    raw = b"Sample,Analyte,Conc\n..."
    batch = {
        "batch_id": "gcms-20261129-001",
        "file_sha256": hashlib.sha256(raw).hexdigest(),
        "instrument": "GC-MS 7890B #2",
        "results": [{"sample_id": sid, "analyte": "procymidone", "value": "0.31", "unit": "mg/kg"}],
    }
    first = api.post("/instrument/results", headers=key, body=batch)
    assert first.status == 200, first.body
    stored = samples.get_sample(sid).results["procymidone"]
    assert stored["raw_sha256"] == batch["file_sha256"] and stored["source"] == "instrument"
    assert stored["entered_by"] == f"instrument:{issued['key']['id']}"
    # The same batch again answers the same and changes nothing; the same id with other content is refused
    version = samples.get_sample(sid).version
    assert api.post("/instrument/results", headers=key, body=batch).body == first.body
    assert samples.get_sample(sid).version == version
    changed = {**batch, "results": [{**batch["results"][0], "value": "0.2"}]}
    assert api.post("/instrument/results", headers=key, body=changed).status == 409
    # A person's token is no instrument credential; a revoked key stops at once
    assert api.post("/instrument/results", token=world.token("jn-lab-manager"), body=batch).status == 401
    act(api, world, "jn-lab-manager", f"/instrument-keys/{issued['key']['id']}/revoke")
    assert api.post("/instrument/results", headers=key, body=batch).status == 401


def test_a_model_cannot_silently_take_a_superseded_limit(api, world: World):
    # Given GB 2763-2026 is in force and the library holds none of its values
    walk = Walk(api, world).receive()
    body = model_body(walk.version())
    body["items"][0]["limit"] = {"source": "library"}  # procymidone on chives, "the limit in force today"
    # When the lead configures the model, then it is told to pin an edition or give its own limit
    reply = api.request("PUT", f"/monitoring-tasks/{walk.id}/model", token=world.token("sd-lab-manager"), body=body)
    assert reply.status == 422
    assert "GB 2763-2026" in reply.body["detail"] and "pin an edition" in reply.body["detail"]
    # And pinned, the edition's value is copied into the model with the library row it came from
    body["items"][0]["limit"] = {"source": "library", "standard": "GB 2763.1-2022"}
    reply = api.request("PUT", f"/monitoring-tasks/{walk.id}/model", token=world.token("sd-lab-manager"), body=body)
    assert reply.status == 200, reply.body
    limit = reply.body["model"]["items"][0]["limit"]
    assert (limit["value"], limit["standard"]) == ("5", "GB 2763.1-2022")
    assert limit["library_id"] == "010408:procymidone:2023-05-11:GB 2763.1-2022"


def test_a_failure_corrected_away_and_back_is_withdrawn_then_reopened(api, world: World, events):
    walk = Walk(api, world).unit_receive()
    sid = walk.received_sample()
    row = {"sample_id": sid, "analyte": "procymidone", "unit": "mg/kg"}
    assert (
        enter(
            api,
            world,
            [
                {**row, "value": "0.5"},
                {"sample_id": sid, "analyte": "chlorpyrifos", "detected": False, "unit": "mg/kg"},
            ],
        ).status
        == 200
    )
    assert samples.get_failure(sid).state == "open"
    # A correction clears it: the failure event is withdrawn, and the unit's failure count goes back down
    fixed = enter(api, world, [{**row, "value": "0.1", "correction_reason": "称样量录入错误"}])
    assert fixed.status == 200 and samples.get_failure(sid).state == "withdrawn"
    events.settle()
    units = api.get(f"/monitoring-tasks/{walk.id}/progress", token=world.token("sd-head")).body["units"]
    assert next(u for u in units if u["role"] == "unit")["unqualified"] == 0
    # Corrected back again: the same failure event reopens (no conflict), counted once more
    again = enter(api, world, [{**row, "value": "0.6", "correction_reason": "复核确认"}])
    assert again.status == 200, again.body
    assert samples.get_failure(sid).state == "open" and samples.get_sample(sid).failures == 2
    events.settle()
    units = api.get(f"/monitoring-tasks/{walk.id}/progress", token=world.token("sd-head")).body["units"]
    assert next(u for u in units if u["role"] == "unit")["unqualified"] == 1
    shown = next(
        r
        for r in api.get(f"/samples/{sid}", token=world.token("jn-lab-analyst")).body["results"]
        if r["analyte"] == "procymidone"
    )
    assert shown["replaces"] == "0.1" and shown["correction_reason"] == "复核确认"

"""Risk-monitoring edges: quotas that must add up, full pages of a unit's failures, sharded progress counters."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import boto3

from chalicelib.core.config import get_settings
from chalicelib.monitoring import workflow
from chalicelib.testing import store as samples
from tests.support.calls import counting
from tests.support.monitoring import CABBAGE, CHIVES, Walk, act, assignment, sample_body, task
from tests.support.world import World

ANALYSTS = {"jn-lab": "jn-lab-analyst", "lc-lab": "lc-lab-manager"}  # Licheng's manager is its analyst too


def distribute(walk: Walk, units: list[dict[str, Any]]) -> Any:
    return walk.api.post(
        f"/monitoring-tasks/{walk.id}/distribute",
        token=walk.world.token("sd-lab-manager"),
        body={"version": walk.version(), "units": units},
    )


def unit(walk: Walk, org: str, *quotas: tuple[str, int]) -> dict[str, Any]:
    return {
        "org_id": walk.world.agencies[org].id,
        "deadline": walk.task["deadline"],
        "quotas": [{"product_code": code, "region": "370112", "samples": n} for code, n in quotas],
    }


# --- quotas add up to the scope ---------------------------------------------------------------------------------


def test_quotas_that_do_not_add_up_to_the_scope_are_refused_and_change_nothing(api, world: World):
    # Given a task whose scope asks for 4 samples, received and configured by its lead
    walk = Walk(api, world).configure()
    assert walk.task["scope"]["samples"] == 4
    before = api.get(f"/monitoring-tasks/{walk.id}", token=world.token("sd-lab-manager")).body
    for quotas in ([(CHIVES, 2), (CABBAGE, 1)], [(CHIVES, 3), (CABBAGE, 2)]):
        # When the lead distributes quotas of 3, then of 5 samples in all
        reply = distribute(walk, [unit(walk, "jn-lab", *quotas)])
        # Then it is a 422 problem naming the quotas, with the two totals
        assert reply.status == 422, reply.body
        assert reply.headers["content-type"] == "application/problem+json"
        assert reply.body["errors"][0]["field"] == "body.units.*.quotas"
        assert f"{sum(n for _, n in quotas)} samples in all, not 4" in reply.body["errors"][0]["message"]
    # ... and the task is as it was: received, same version, no plan, no new party
    after = api.get(f"/monitoring-tasks/{walk.id}", token=world.token("sd-lab-manager")).body
    assert after == before and after["state"] == "received" and after["plan"] is None
    # Split over two units, 4 in all, it is taken
    split = distribute(walk, [unit(walk, "jn-lab", (CHIVES, 1)), unit(walk, "lc-lab", (CABBAGE, 1), (CHIVES, 2))])
    assert split.status == 200, split.body
    assert split.body["state"] == "in_progress"


# --- a unit's failures come in full pages -------------------------------------------------------------------------


def two_units_sampling(api: Any, world: World) -> Walk:
    """A task with Jinan's and Licheng's labs both received and sampling chives."""
    walk = Walk(api, world).configure()
    reply = distribute(walk, [unit(walk, "jn-lab", (CHIVES, 2)), unit(walk, "lc-lab", (CHIVES, 2))])
    assert reply.status == 200, reply.body
    for org in ("jn-lab", "lc-lab"):
        # As Walk.distribute does: the assignment made here, and the stream not delivered until it is received (the
        # distribution workflow it would start runs on moto's threads and could change the assignment meanwhile).
        made = workflow.create_assignment({"task_id": walk.id, "role": "unit", "org_id": world.agencies[org].id})
        version = assignment(walk.id, "unit", org, world).version  # type: ignore[union-attr]
        act(api, world, f"{org}-manager", f"/monitoring-assignments/{made['id']}/receive", {"version": int(version)})
    return walk


def sample_tested(walk: Walk, org: str, *, fails: bool) -> str:
    """A chives sample taken by the lab's sampler, received and tested: over the procymidone limit if it fails."""
    api, world = walk.api, walk.world
    body = sample_body(product_code=CHIVES, product_name="韭菜")
    taken = api.post(f"/monitoring-tasks/{walk.id}/samples", token=world.token(f"{org}-sampler"), body=body)
    assert taken.status == 201, taken.body
    sid = str(taken.body["id"])
    custody = {"handed_over_by": "张抽样", "condition": "intact", "seal_no": body["seal_no"]}
    act(api, world, ANALYSTS[org], f"/samples/{sid}/receipt", custody)
    results = [
        {"sample_id": sid, "analyte": "procymidone", "value": "0.5" if fails else "0.05", "unit": "mg/kg"},
        {"sample_id": sid, "analyte": "chlorpyrifos", "detected": False, "unit": "mg/kg"},
    ]
    act(api, world, ANALYSTS[org], "/results", {"results": results})
    return sid


def pages(api: Any, world: World, user: str, path: str, limit: int) -> list[tuple[list[str], bool]]:
    """Every page of a failures list: the sample ids on it and whether it came with a cursor."""
    got, cursor = [], None
    while True:
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        reply = api.get(f"{path}{'&' if '?' in path else '?'}{query}", token=world.token(user))
        assert reply.status == 200, reply.body
        # One Query a page (and the task's GetItem, for the access check)
        assert api.calls.by_operation() == Counter({"dynamodb.GetItem": 1, "dynamodb.Query": 1})
        cursor = reply.body["next_cursor"]
        got.append(([f["sample_id"] for f in reply.body["items"]], cursor is not None))
        if cursor is None:
            return got


def test_a_units_failures_come_in_full_pages_with_a_cursor_only_when_more_follow(api, world: World):
    # Given 7 failures of Jinan's lab among its passes, and 4 of Licheng's taken in between
    walk = two_units_sampling(api, world)
    jn_fails, lc_fails = [], []
    for i in range(14):
        if i % 2 == 0:
            jn_fails.append(sample_tested(walk, "jn-lab", fails=True))
        else:
            sample_tested(walk, "jn-lab", fails=False)
        if i % 3 == 0 and len(lc_fails) < 4:
            lc_fails.append(sample_tested(walk, "lc-lab", fails=True))
    assert len(jn_fails) == 7 and len(lc_fails) == 4
    failures = f"/monitoring-tasks/{walk.id}/failures"

    # When Jinan's lab reads its failures 3 at a time
    got = pages(api, world, "jn-lab-manager", failures, 3)
    # Then the pages hold 3, 3 and 1, in sample-id order, with a cursor on the first two only
    assert [(len(ids), more) for ids, more in got] == [(3, True), (3, True), (1, False)]
    assert [sid for ids, _ in got for sid in ids] == sorted(jn_fails)
    # A page that ends exactly at the last failure has no cursor
    assert pages(api, world, "jn-lab-manager", failures, 7) == [(sorted(jn_fails), False)]
    # Asking for another unit's failures still gives a unit its own
    assert pages(api, world, "jn-lab-manager", f"{failures}?unit_org_id={world.agencies['lc-lab'].id}", 7) == [
        (sorted(jn_fails), False)
    ]

    # The issuer reads one unit's failures, or the whole task's, in full pages too
    lc = pages(api, world, "sd-head", f"{failures}?unit_org_id={world.agencies['lc-lab'].id}", 3)
    assert lc == [(sorted(lc_fails)[:3], True), (sorted(lc_fails)[3:], False)]
    every = pages(api, world, "sd-head", failures, 4)
    assert [len(ids) for ids, _ in every] == [4, 4, 3]
    assert [sid for ids, _ in every for sid in ids] == sorted(jn_fails + lc_fails)

    # A cursor of the whole task's list is not good for a unit's: 422, never a 500
    first = api.get(f"{failures}?limit=2", token=world.token("sd-head")).body["next_cursor"]
    wrong = api.get(f"{failures}?limit=2&cursor={first}", token=world.token("jn-lab-manager"))
    assert wrong.status == 422 and wrong.headers["content-type"] == "application/problem+json"
    bad = api.get(f"{failures}?unit_org_id=not-a-ulid", token=world.token("sd-head"))
    assert bad.status == 400 and bad.headers["content-type"] == "application/problem+json"
    assert bad.body["errors"][0]["field"] == "query.unit_org_id"


# --- progress is sharded, exact, and read in one Query ---------------------------------------------------------------


def stored_counters(task_id: str) -> list[dict[str, Any]]:
    table = os.environ["TABLE_NAME"]
    found = boto3.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :progress)",
        ExpressionAttributeValues={":pk": {"S": f"MTASK#{task_id}"}, ":progress": {"S": "PROGRESS#"}},
    )
    return list(found["Items"])


def test_progress_is_exact_after_many_results_and_a_redelivery_and_its_counters_are_sharded(api, world: World, events):
    # Given 20 samples of Jinan's lab: all received, 16 tested, 6 of them over the limit
    walk = Walk(api, world).unit_receive()
    sids = [walk.received_sample() for _ in range(20)]
    for n, sid in enumerate(sids[:16]):
        results = [
            {"sample_id": sid, "analyte": "procymidone", "value": "0.5" if n % 3 == 0 else "0.05", "unit": "mg/kg"},
            {"sample_id": sid, "analyte": "chlorpyrifos", "detected": False, "unit": "mg/kg"},
        ]
        act(api, world, "jn-lab-analyst", "/results", {"results": results})
    events.settle()
    # ... and the whole stream delivered once more from its start
    events.poller.iterators.clear()
    events.settle()

    # When the issuer reads the task's progress
    shown = api.get(f"/monitoring-tasks/{walk.id}/progress", token=world.token("sd-head"))
    # Then every sample is counted once per milestone, in one Query
    assert shown.status == 200, shown.body
    assert api.calls.by_operation() == Counter({"dynamodb.Query": 1})
    jn = next(u for u in shown.body["units"] if u["role"] == "unit")
    expected = {"sampled": 20, "received": 20, "tested": 16, "unqualified": 6}
    assert {k: jn[k] for k in expected} == expected
    assert {k: shown.body["totals"][k] for k in expected} == expected
    # ... and so does the testing core's reading of it (spot checks use it): one counter per unit, one Query
    with counting() as log:
        counters = samples.progress_of(walk.id)
    assert log.by_operation() == Counter({"dynamodb.Query": 1})
    assert [(c.org_id, {k: int(getattr(c, k)) for k in expected}) for c in counters] == [
        (world.agencies["jn-lab"].id, expected)
    ]

    # The stored counter is split into shards: each sample counted on the shard its id hashes to
    shards = get_settings().progress_shards
    items = stored_counters(walk.id)
    assert len(items) > 1
    org = world.agencies["jn-lab"].id
    by_shard = {int(i["shard"]["N"]): i for i in items}
    for shard, item in by_shard.items():
        assert item["sk"]["S"] == f"PROGRESS#{org}#{shard:02d}" and item["kind"]["S"] == "Progress"
        assert item["task_id"]["S"] == walk.id and item["org_id"]["S"] == org and 0 <= shard < shards
    assert {k: int(i["sampled"]["N"]) for k, i in by_shard.items()} == Counter(
        samples.shard_of(s, shards) for s in sids
    )
    assert task(walk.id).state == "in_progress"

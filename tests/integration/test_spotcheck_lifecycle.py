"""Every spot-check task can finish: accepted, rolled up the cascade, or cancelled with nothing left waiting;
its receipt and completion deadlines remind, then escalate, visibly on the task."""

from __future__ import annotations

import os
from datetime import timedelta

import boto3
import pytest

from chalicelib.core import clock, config, workflows
from tests.support.monitoring import act, sample_body
from tests.support.spotchecks import SpotWalk
from tests.support.world import World


def get(api, world: World, user: str, task_id: str) -> dict:
    reply = api.get(f"/spot-checks/{task_id}", token=world.token(user))
    assert reply.status == 200, reply.body
    return dict(reply.body)


def version(api, world: World, task_id: str) -> int:
    return int(get(api, world, "sd-head", task_id)["version"])


def clock_status(task_id: str, publication: int = 1) -> str:
    arn = os.environ["CLOCK_STATE_MACHINE_ARN"]
    head, _, machine = arn.rpartition(":stateMachine:")
    name = workflows.execution_name("SpotCheck", task_id, f"publish-{publication}")
    client = boto3.client("stepfunctions")
    try:
        return str(client.describe_execution(executionArn=f"{head}:execution:{machine}:{name}")["status"])
    except client.exceptions.ExecutionDoesNotExist:
        return "NOT_STARTED"


def split_city_task(api, world: World, events) -> tuple[SpotWalk, dict[str, str]]:
    """Shandong's task received by Jinan and split between Licheng and Lixia: (the city's task, child ids)."""
    root = SpotWalk(api, world, "jn").receive("jn-head")
    children = [
        {"org_id": world.agencies["lc"].id, "units": 1, "regions": ["370112"]},
        {"org_id": world.agencies["lx"].id, "units": 1, "regions": ["370102"]},
    ]
    body = {"version": root.version(), "plan": "历城区、历下区各一家", "children": children}
    split = act(api, world, "jn-head", f"/spot-checks/{root.id}/split", body)
    ids = {c["org_id"]: c["id"] for c in split["children"]}
    events.settle()
    return root, {"lc": ids[world.agencies["lc"].id], "lx": ids[world.agencies["lx"].id]}


def entry(task: dict, child_id: str) -> dict:
    return next(c for c in task["children"] if c["id"] == child_id)


def test_a_spot_check_walks_to_completed_across_three_levels(api, world: World, events):
    # Given the province's task distributed by the city to two counties
    root, kids = split_city_task(api, world, events)
    shown = get(api, world, "sd-head", root.id)
    assert shown["state"] == "distributed"
    assert shown["progress"]["children"] == 2 and shown["progress"]["by_state"] == {"published": 2}
    # A child's return shows on the parent; the city cancels it
    act(
        api,
        world,
        "lx-head",
        f"/spot-checks/{kids['lx']}/return",
        {"version": version(api, world, kids["lx"]), "reason": "辖区内无韭菜生产主体"},
    )
    assert events.wait_for(lambda: entry(get(api, world, "sd-head", root.id), kids["lx"])["state"] == "returned")
    body = {"version": version(api, world, kids["lx"]), "reason": "由历城区承担"}
    act(api, world, "jn-head", f"/spot-checks/{kids['lx']}/cancel", body)
    assert events.wait_for(lambda: entry(get(api, world, "jn-head", root.id), kids["lx"])["state"] == "cancelled")
    # When Licheng does its part: the draw, a sample tested qualified, the lab's summary report
    county = SpotWalk.of(api, world, kids["lc"])
    county.failed_sample(value="0.05")
    live = {"sampled": 1, "received": 1, "tested": 1, "unqualified": 0}
    assert events.wait_for(lambda: get(api, world, "lc-head", kids["lc"])["progress"] == live)
    assert county.reported()["state"] == "submitted"
    # The city, which issued the county's task, accepts the report: the county's task is completed
    accepted = act(
        api,
        world,
        "jn-head",
        f"/spot-checks/{kids['lc']}/accept",
        {"version": county.version(), "note": "报告规范，予以验收"},
    )
    assert accepted["state"] == "completed"
    assert (
        accepted["accepted"]["by"] == world.users["jn-head"].id and accepted["accepted"]["note"] == "报告规范，予以验收"
    )
    # Then the city's task follows its children: completed, with their progress summed
    assert events.wait_for(lambda: get(api, world, "sd-head", root.id)["state"] == "completed")
    rolled = get(api, world, "sd-head", root.id)
    assert rolled["progress"]["by_state"] == {"completed": 1, "cancelled": 1}
    assert (rolled["progress"]["sampled"], rolled["progress"]["tested"], rolled["progress"]["units"]) == (1, 1, 2)
    assert entry(rolled, kids["lc"])["progress"]["tested"] == 1
    # Nothing waits any more: every clock of the cascade has ended
    assert events.wait_for(lambda: all(clock_status(t) != "RUNNING" for t in (root.id, *kids.values())))
    # Only the issuer accepts, and only a submitted report
    again = api.post(
        f"/spot-checks/{kids['lc']}/accept", token=world.token("jn-head"), body={"version": county.version()}
    )
    assert again.status == 409, again.body


def test_a_distributed_task_cancelled_leaves_nothing_waiting(api, world: World, events):
    # Given the city's task split: Licheng under way with a sample at the lab, Lixia not yet received
    root, kids = split_city_task(api, world, events)
    county = SpotWalk.of(api, world, kids["lc"])
    sid, sample = county.received_sample()
    events.settle()
    assert clock_status(kids["lc"]) == "RUNNING" and clock_status(kids["lx"]) == "RUNNING"
    # A task under way cannot be cancelled by the agency doing it, only by its issuer
    refused = api.post(
        f"/spot-checks/{root.id}/cancel", token=world.token("jn-head"), body={"version": root.version(), "reason": "x"}
    )
    assert refused.status == 403, refused.body
    # When the province cancels its task after distribution
    cancelled = act(
        api,
        world,
        "sd-head",
        f"/spot-checks/{root.id}/cancel",
        {"version": root.version(), "reason": "上级通知暂停本次抽查"},
    )
    assert cancelled["state"] == "cancelled"
    # Then both child tasks are cancelled, with why, and the parent shows them so
    assert events.wait_for(
        lambda: {get(api, world, "sd-head", k)["state"] for k in kids.values()} == {"cancelled"}, timeout=30
    )
    child = get(api, world, "lc-head", kids["lc"])
    assert child["cancel_reason"] == "the task above it was cancelled: 上级通知暂停本次抽查"
    assert events.wait_for(lambda: get(api, world, "sd-head", root.id)["progress"]["by_state"] == {"cancelled": 2})
    # No clock of the cascade is left running
    assert events.wait_for(lambda: all(clock_status(t) != "RUNNING" for t in (root.id, *kids.values())), timeout=30)
    # The sample taken stays, and takes no results; no more samples are taken
    results = [{"sample_id": sid, "analyte": "procymidone", "value": "0.05", "unit": "mg/kg"}]
    late = api.post("/results", token=world.token("jn-lab-analyst"), body={"results": results})
    assert late.status == 409 and late.body["errors"][0]["message"].endswith("its task was cancelled"), late.body
    assert api.get(f"/samples/{sid}", token=world.token("jn-lab-analyst")).body["verdict"] == "pending"
    fresh = sample_body(product_code="010408", product_name="韭菜", subject_id=sample["subject_id"])
    more = api.post(f"/spot-checks/{kids['lc']}/samples", token=world.token("lc-supervisor"), body=fresh)
    assert more.status == 409 and more.body["type"].endswith("invalid-state"), more.body


@pytest.fixture
def quick_grace(monkeypatch):
    monkeypatch.setenv("SPOTCHECK_GRACE_SECONDS", "1")
    config.get_settings.cache_clear()
    yield
    monkeypatch.delenv("SPOTCHECK_GRACE_SECONDS")
    config.get_settings.cache_clear()


def test_missed_receipt_and_completion_deadlines_remind_then_escalate(
    api, world: World, events, quick_grace, monkeypatch
):
    moa, sd, jn = (world.agencies[k].id for k in ("moa", "sd", "jn"))
    real = clock.now()
    # Given a task published to Jinan, nobody receiving it, and four days passing (the receipt was due in three)
    unreceived = SpotWalk(api, world, "jn").publish()
    monkeypatch.setattr(clock, "now", lambda: real + timedelta(days=4))
    # Then Jinan is reminded, and after the grace period the province and the ministry above it are told
    assert events.wait_for(
        lambda: get(api, world, "sd-head", unreceived.id)["clock"].get("receipt", {}).get("escalated_at"), timeout=30
    )
    shown = get(api, world, "jn-head", unreceived.id)
    marks = shown["clock"]["receipt"]
    assert marks["reminded_at"] == marks["escalated_at"] == clock.iso(real + timedelta(days=4))
    assert marks["escalated_to"] == [sd, moa] and shown["reminders"] == 1
    assert "deadline" not in shown["clock"]  # the completion deadline is weeks away

    # The ministry sees the escalated task in its inbox, and reads it
    def in_inbox() -> bool:
        inbox = api.get("/inbox", token=world.token("moa-analyst")).body["items"]
        return any(i["id"] == unreceived.id and i["action"] == "spotcheck.escalated" for i in inbox)

    assert events.wait_for(in_inbox)
    assert get(api, world, "moa-analyst", unreceived.id)["clock"]["receipt"]["escalated_to"] == [sd, moa]
    # A received task is not reminded about its receipt; when its deadline day is over it is, then escalates
    monkeypatch.setattr(clock, "now", lambda: real)
    late = SpotWalk(api, world, "jn").receive("jn-head")
    deadline = get(api, world, "jn-head", late.id)["deadline"]
    after = clock.cst_day_end(deadline) + timedelta(hours=1)
    monkeypatch.setattr(clock, "now", lambda: after)
    assert events.wait_for(
        lambda: get(api, world, "sd-head", late.id)["clock"].get("deadline", {}).get("escalated_at"), timeout=30
    )
    shown = get(api, world, "jn-head", late.id)
    assert "receipt" not in shown["clock"] and shown["reminders"] == 1
    assert shown["clock"]["deadline"]["escalated_to"] == [sd, moa]
    assert shown["clock"]["deadline"]["reminded_at"] == clock.iso(after)
    # The clock then ends; reminding and escalating happened once each, in that order
    assert events.wait_for(lambda: clock_status(late.id) == "SUCCEEDED", timeout=30)
    from chalicelib.core import audit
    from chalicelib.core.db import query_all

    actions = [e.action for e in query_all(audit.AuditEntry, f"SPOT#{late.id}") if e.record_sk == "TASK"]
    assert [a for a in actions if a.startswith("spotcheck.") and a.split(".")[1] in {"reminded", "escalated"}] == [
        "spotcheck.reminded",
        "spotcheck.escalated",
    ]
    assert jn not in marks["escalated_to"]

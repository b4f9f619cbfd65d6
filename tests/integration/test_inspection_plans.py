"""Inspection plans (巡查计划, Art 4-5) and performance assessment (绩效考核, Art 8).

A head plans the month for two supervisors and a township supervisor; each receives their task (the township's
covers its township only); inspections are done against it; the head's table and its XLSX show each supervisor's
figures exactly, even when the stream delivers every change twice.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta
from typing import Any

import requests
from ulid import ULID

from chalicelib.core import clock
from tests.support.inspections import published
from tests.support.plans import answers, inspect, plan_body, recent, subject, this_month
from tests.support.world import TOWNSHIP, World

OTHER_TOWNSHIP = "370112002"  # 洪家楼街道


def _ok(reply: Any, status: int = 200) -> Any:
    assert reply.status == status, (reply.status, reply.body)
    return reply.body


def _published_plan(api: Any, world: World, code: str) -> tuple[dict[str, Any], dict[str, str]]:
    subjects = {
        "key": subject(api, world, "370112", key=True),
        "town": subject(api, world, TOWNSHIP),
        "other_town": subject(api, world, OTHER_TOWNSHIP),
    }
    published(api, world, code)
    head = world.token("lc-head")
    draft = _ok(
        api.post(
            "/inspection-plans",
            token=head,
            body=plan_body(world, code, [subjects["other_town"], subjects["town"], subjects["key"]]),
        ),
        201,
    )
    edited = _ok(api.patch(f"/inspection-plans/{draft['id']}", token=head, body={"version": 1, "title": "12月巡查"}))
    plan = _ok(api.post(f"/inspection-plans/{draft['id']}/publish", token=head, body={"version": edited["version"]}))
    return plan, subjects


def test_a_plan_reaches_each_supervisor_and_a_township_supervisor_sees_only_their_township(api, world: World, events):
    # Given a draft plan of Licheng's head naming three subjects (one a key object) and three supervisors
    code = f"SD-PL-{ULID()}"[:20]
    subjects = {
        "key": subject(api, world, "370112", key=True),
        "town": subject(api, world, TOWNSHIP),
        "other_town": subject(api, world, OTHER_TOWNSHIP),
    }
    published(api, world, code)
    head = world.token("lc-head")
    body = plan_body(world, code, [subjects["other_town"], subjects["town"], subjects["key"]])
    draft = _ok(api.post("/inspection-plans", token=head, body=body), 201)
    pid = draft["id"]
    # Then the key object is listed first, and a supervisor does not see a draft
    assert draft["scope"]["subjects"][0]["id"] == subjects["key"]
    assert api.get(f"/inspection-plans/{pid}", token=world.token("lc-supervisor")).status == 404
    # ... another agency does not see it at all
    assert api.get(f"/inspection-plans/{pid}", token=world.token("lx-head")).status == 404

    # When the head edits the draft and publishes it
    edited = _ok(api.patch(f"/inspection-plans/{pid}", token=head, body={"version": 1, "title": "12月巡查"}))
    plan = _ok(api.post(f"/inspection-plans/{pid}/publish", token=head, body={"version": edited["version"]}))
    assert plan["state"] == "published" and plan["title"] == "12月巡查"
    # Then the published plan never changes, and is not published twice
    assert (
        api.patch(f"/inspection-plans/{pid}", token=head, body={"version": plan["version"], "title": "x"}).status == 409
    )
    assert api.post(f"/inspection-plans/{pid}/publish", token=head, body={"version": plan["version"]}).status == 409

    # When the stream delivers the publication (twice)
    events.settle()
    events.poller.iterators.clear()
    events.settle()

    # Then each supervisor has exactly one task of it
    for user, target in (("lc-supervisor", 10), ("lc-supervisor-2", 5), ("lc-township-supervisor", 3)):
        mine = [a for a in _ok(api.get("/plan-assignments", token=world.token(user)))["items"] if a["plan_id"] == pid]
        assert [(a["user_id"], a["target"], a["state"]) for a in mine] == [(world.users[user].id, target, "assigned")]
    # ... the township supervisor's covers their township and its subject only
    [town_task] = [
        a
        for a in _ok(api.get("/plan-assignments", token=world.token("lc-township-supervisor")))["items"]
        if a["plan_id"] == pid
    ]
    assert town_task["areas"] == [TOWNSHIP] and [s["id"] for s in town_task["subjects"]] == [subjects["town"]]
    seen = _ok(api.get(f"/inspection-plans/{pid}", token=world.token("lc-township-supervisor")))
    assert [s["id"] for s in seen["scope"]["subjects"]] == [subjects["town"]] and seen["regions"] == [TOWNSHIP]
    assert [t["user_id"] for t in seen["targets"]] == [world.users["lc-township-supervisor"].id]
    # ... and the whole county's supervisor sees every subject, key object first, but only their own target
    seen = _ok(api.get(f"/inspection-plans/{pid}", token=world.token("lc-supervisor")))
    assert [s["id"] for s in seen["scope"]["subjects"]] == [subjects["key"], subjects["other_town"], subjects["town"]]
    assert [t["user_id"] for t in seen["targets"]] == [world.users["lc-supervisor"].id]

    # When each receives their task (Art 5), one of them twice
    for user in ("lc-supervisor", "lc-supervisor-2", "lc-township-supervisor"):
        got = _ok(api.post(f"/inspection-plans/{pid}/receive", token=world.token(user)))
        assert got["state"] == "received" and got["received_at"]
    again = api.post(f"/inspection-plans/{pid}/receive", token=world.token("lc-supervisor"))
    assert again.status == 200 and again.writes == 0
    # Then the head lists the plan's tasks, all received; a supervisor lists only their own
    listed = _ok(api.get(f"/inspection-plans/{pid}/assignments", token=head))["items"]
    assert sorted(a["user_id"] for a in listed) == sorted(
        world.users[u].id for u in ("lc-supervisor", "lc-supervisor-2", "lc-township-supervisor")
    )
    assert {a["state"] for a in listed} == {"received"}
    own = _ok(api.get(f"/inspection-plans/{pid}/assignments", token=world.token("lc-supervisor-2")))["items"]
    assert [a["user_id"] for a in own] == [world.users["lc-supervisor-2"].id]
    # ... and someone it does not name has no task to receive
    assert api.post(f"/inspection-plans/{pid}/receive", token=world.token("lx-supervisor")).status == 404


def test_a_plan_is_checked_before_it_is_stored(api, world: World):
    code = f"SD-PK-{ULID()}"[:20]
    published(api, world, code)
    head = world.token("lc-head")
    other = subject(api, world, "370112")
    # A region outside the agency, a user of another agency, a key target above the target: each named, nothing stored
    body = plan_body(world, code, [other], regions=["370102"])
    body["targets"][0]["user_id"] = world.users["lx-supervisor"].id
    body["targets"][1]["key_objects"] = 99
    reply = api.post("/inspection-plans", token=head, body=body)
    assert reply.status == 422, reply.body
    assert {e["field"] for e in reply.body["errors"]} >= {
        "body.regions.0",
        "body.targets.0.user_id",
        "body.targets.1.key_objects",
    }
    # A template version that is not published, and a period already over
    assert api.post("/inspection-plans", token=head, body=plan_body(world, "NO-SUCH", [other])).status == 422
    draft = _ok(api.post("/inspection-plans", token=head, body=plan_body(world, code, [], period="2020-01")), 201)
    assert api.post(f"/inspection-plans/{draft['id']}/publish", token=head, body={"version": 1}).status == 422
    # A supervisor does not plan
    assert (
        api.post("/inspection-plans", token=world.token("lc-supervisor"), body=plan_body(world, code, [])).status == 403
    )


def _expected_row(inspections: list[dict[str, Any]]) -> dict[str, Any]:
    scores = [i["result"]["score"] for i in inspections]
    return {
        "done": len(inspections),
        "key_done": sum(i["key_object"] for i in inspections),
        "on_time": sum(i["on_time"] for i in inspections),
        "average_score": round(sum(scores) / len(scores), 1) if scores else None,
        "failed_items": sum(i["result"]["failed"] for i in inspections),
        "handed_over": sum(bool(i["case_id"]) for i in inspections),
        "actions_open": sum(i["result"]["failed"] for i in inspections),
    }


def test_inspections_against_the_plan_make_the_heads_table_and_its_xlsx_exact_under_redelivery(
    api, world: World, events
):
    # Given a published plan of this month, received by its supervisors
    code = f"SD-PP-{ULID()}"[:20]
    plan, subjects = _published_plan(api, world, code)
    pid = plan["id"]
    events.settle()
    for user in ("lc-supervisor", "lc-supervisor-2", "lc-township-supervisor"):
        _ok(api.post(f"/inspection-plans/{pid}/receive", token=world.token(user)))

    # When the supervisors inspect: under the plan, and (supervisor 2) without naming it; one sent late
    done: dict[str, list[str]] = {"lc-supervisor": [], "lc-supervisor-2": [], "lc-township-supervisor": []}
    sends = [
        ("lc-supervisor", "key", recent(1), answers(), pid),
        ("lc-supervisor", "town", recent(30), answers(fail=True), pid),  # received 30 hours after: late
        ("lc-supervisor-2", "other_town", recent(2), answers(fail=True, handover=True), None),
        ("lc-township-supervisor", "town", recent(3), answers(fail=True), pid),
    ]
    for user, which, when, given, plan_id in sends:
        extra = {"answers": given, **({"plan_id": plan_id} if plan_id else {})}
        iid, reply = inspect(api, world, user, subjects[which], code, when, **extra)
        _ok(reply, 201)
        assert reply.body["plan_id"] == plan_id and reply.body["key_object"] == (which == "key")
        done[user].append(iid)
    # ... and an inspection under the plan outside the township supervisor's township, or outside the period, is
    # refused, naming the plan
    _, reply = inspect(api, world, "lc-township-supervisor", subjects["other_town"], code, recent(1), plan_id=pid)
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.plan_id"
    before = clock.now() - timedelta(days=400)
    _, reply = inspect(api, world, "lc-supervisor", subjects["key"], code, before, plan_id=pid)
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.plan_id"

    # ... and the stream delivers everything, then everything again
    def opened() -> bool:
        found = _ok(api.get("/corrective-actions?state=open", token=world.token("lc-head")))["items"]
        return len({a["inspection_id"] for a in found} & {i for ids in done.values() for i in ids}) == 3

    assert events.wait_for(opened, timeout=30)
    events.settle()
    events.poller.iterators.clear()
    events.settle()

    # Then the head's table of the month shows each supervisor's figures, to the inspection, in one Query
    shown = _ok(api.get(f"/inspection-performance?period={this_month()}", token=world.token("lc-head")))
    assert api.calls.by_operation() == Counter({"dynamodb.Query": 1})
    rows = {r["user_id"]: r for r in shown["rows"]}
    # (every plan of the agency published for the month adds its targets: this module publishes more than one)
    targets: Counter[tuple[str, str]] = Counter()
    for listed in _ok(api.get("/inspection-plans", token=world.token("lc-head")))["items"]:
        if listed["state"] == "published" and listed["period"] == this_month():
            for t in _ok(api.get(f"/inspection-plans/{listed['id']}", token=world.token("lc-head")))["targets"]:
                targets[(t["user_id"], "inspections")] += t["inspections"]
                targets[(t["user_id"], "key_objects")] += t["key_objects"]
    for user, ids in done.items():
        records = [_ok(api.get(f"/inspections/{i}", token=world.token("lc-head"))) for i in ids]
        expected = _expected_row(records)
        row = rows[world.users[user].id]
        assert {k: row[k] for k in expected} == expected, user
        uid = world.users[user].id
        assert (row["target"], row["target_key"]) == (targets[(uid, "inspections")], targets[(uid, "key_objects")])
        assert row["completion"] == round(len(ids) / row["target"], 3)
        assert row["name"] == world.users[user].name
    # ... the late one is not on time, the handed-over one counts
    mine = rows[world.users["lc-supervisor"].id]
    assert (mine["done"], mine["key_done"], mine["on_time"], mine["on_time_rate"]) == (2, 1, 1, 0.5)
    assert (mine["average_score"], mine["failed_items"], mine["actions_open"]) == (90.0, 1, 1)
    assert rows[world.users["lc-supervisor-2"].id]["handed_over"] == 1
    # ... the quarter and the year hold the same figures (a month's plan counts in them too)
    quarter = f"{this_month()[:4]}-Q{(int(this_month()[5:]) - 1) // 3 + 1}"
    for period in (quarter, this_month()[:4]):
        again = {
            r["user_id"]: r
            for r in _ok(api.get(f"/inspection-performance?period={period}", token=world.token("lc-head")))["rows"]
        }
        assert again[mine["user_id"]]["done"] >= mine["done"] and again[mine["user_id"]]["target"] >= mine["target"]

    # ... a supervisor sees their own row only; another agency's head sees none of Licheng's
    own = _ok(api.get(f"/inspection-performance?period={this_month()}", token=world.token("lc-supervisor-2")))
    assert [r["user_id"] for r in own["rows"]] == [world.users["lc-supervisor-2"].id]
    other = f"/inspection-performance?period={this_month()}&user_id={world.users['lc-supervisor'].id}"
    assert api.get(other, token=world.token("lc-supervisor-2")).status == 404
    assert _ok(api.get(f"/inspection-performance?period={this_month()}", token=world.token("lx-head")))["rows"] == []

    # ... and the drill-down lists the inspections behind a row
    path = f"/inspection-performance/inspections?period={this_month()}&user_id={world.users['lc-supervisor'].id}"
    assert sorted(i["id"] for i in _ok(api.get(path, token=world.token("lc-head")))["items"]) == sorted(
        done["lc-supervisor"]
    )
    # ... and the plan's task list shows what each has done
    tasks = {
        a["user_id"]: a
        for a in _ok(api.get(f"/inspection-plans/{pid}/assignments", token=world.token("lc-head")))["items"]
    }
    assert tasks[world.users["lc-supervisor"].id]["done"] == 2

    # When the head exports the table
    export = _ok(
        api.post("/inspection-performance/export", token=world.token("lc-head"), body={"period": this_month()}), 201
    )
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(requests.get(export["download_url"], timeout=10).content), read_only=True)
    sheet = list(book.active.iter_rows(values_only=True))
    # Then it holds the same rows as the table, cell for cell
    assert export["rows"] == len(shown["rows"]) == len(sheet) - 2
    columns = [
        "name",
        "user_id",
        "target",
        "target_key",
        "done",
        "completion",
        "key_done",
        "on_time",
        "on_time_rate",
        "average_score",
        "failed_items",
        "handed_over",
        "actions_open",
        "actions_overdue",
        "actions_closed",
    ]
    for n, (line, row) in enumerate(zip(sheet[2:], shown["rows"], strict=True), start=1):
        assert line[0] == n
        assert list(line[1:]) == [row[c] for c in columns]


def test_a_supervisor_below_target_is_reminded_before_the_period_ends(api, world: World, events, monkeypatch):
    # Given a plan of this month published to the three supervisors, and the period's end two hours away
    code = f"SD-PR-{ULID()}"[:20]
    end = clock.parse_iso(f"{periods_end(this_month())}")
    monkeypatch.setattr(clock, "now", lambda: end - timedelta(hours=2))
    plan, _ = _published_plan(api, world, code)

    # When the stream hands out the tasks and their clocks tick
    def reminded() -> list[dict[str, Any]]:
        tasks = _ok(api.get(f"/inspection-plans/{plan['id']}/assignments", token=world.token("lc-head")))["items"]
        return [t for t in tasks if t["reminded_at"]]

    # Then each supervisor, none of whom has done an inspection under it, is reminded once
    assert events.wait_for(lambda: len(reminded()) == 3, timeout=30)
    assert {t["user_id"] for t in reminded()} == {
        world.users[u].id for u in ("lc-supervisor", "lc-supervisor-2", "lc-township-supervisor")
    }
    own = _ok(api.get("/plan-assignments", token=world.token("lc-township-supervisor")))["items"]
    assert next(t for t in own if t["plan_id"] == plan["id"])["reminded_at"]


def periods_end(period: str) -> str:
    from chalicelib.plans.periods import bounds

    return clock.iso(bounds(period)[1])

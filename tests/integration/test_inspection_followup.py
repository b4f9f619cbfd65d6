"""Follow-up of an inspection's failed items: corrective actions (整改) that go overdue and close on re-inspection
(复查), and items handed to enforcement (移交执法) through the handover machinery, acknowledged."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import requests
from ulid import ULID

from chalicelib.core import clock, workflows
from chalicelib.core.config import get_settings
from chalicelib.inspections import followups
from tests.support.inspections import good_answers, inspection_body, published
from tests.support.subjects import registration
from tests.support.world import World

ITEM = "pesticide_waste"


def _subject(api: Any, world: World) -> str:
    made = api.post("/subjects", token=world.token("lc-supervisor"), body=registration())
    assert made.status == 201, made.body
    return str(made.body["id"])


def _actions(api: Any, world: World, user: str, path: str) -> list[dict[str, Any]]:
    shown = api.get(path, token=world.token(user))
    assert shown.status == 200, shown.body
    return list(shown.body["items"])


def _clock_status(inspection_id: str) -> str:
    import boto3

    arn = get_settings().clock_state_machine_arn
    head, _, machine = arn.rpartition(":stateMachine:")
    name = workflows.execution_name(followups.KIND, followups.clock_id(inspection_id, ITEM), "clock")
    found = boto3.client("stepfunctions").describe_execution(executionArn=f"{head}:execution:{machine}:{name}")
    return str(found["status"])


def _all_pass() -> dict[str, Any]:
    answers = good_answers()
    answers[ITEM] = {"result": "pass"}
    return answers


def test_a_corrective_action_reminds_goes_overdue_for_the_head_then_closes_on_reinspection(
    api, world: World, events, monkeypatch
):
    # Given a Licheng subject and a published template; a supervisor's inspection fails an item with a corrective
    # action due today; and that day is over by the time the record arrives (the phone was offline)
    sid = _subject(api, world)
    published(api, world, "SD-FU-1")
    real = clock.now()
    today = clock.cst_day(real)
    answers = good_answers()
    answers[ITEM]["corrective_action"] = {"what": "设置废弃物回收桶", "due": today, "reinspect": True}
    later = clock.cst_day_end(today) + timedelta(hours=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    first = str(ULID())
    sent = api.put(
        f"/inspections/{first}",
        token=world.token("lc-supervisor"),
        body=inspection_body(sid, "SD-FU-1", answers=answers),
    )
    assert sent.status == 201, sent.body

    # Then the action is opened from the stream, its inspector reminded, and it goes overdue
    path = f"/inspections/{first}/corrective-actions"

    def overdue() -> list[dict[str, Any]]:
        return [a for a in _actions(api, world, "lc-supervisor", path) if a["state"] == "overdue"]

    assert events.wait_for(overdue, timeout=30)
    [action] = _actions(api, world, "lc-supervisor", path)
    assert (action["item_key"], action["what"], action["due"], action["reinspect"]) == (
        ITEM,
        "设置废弃物回收桶",
        today,
        True,
    )
    assert action["reminded_at"] == action["overdue_at"] == clock.iso(later)
    # ... and the delivered stream once more opens nothing twice
    events.poller.iterators.clear()
    events.settle()
    assert len(_actions(api, world, "lc-supervisor", path)) == 1
    # The head sees it among the agency's overdue actions, and in the agency's inbox
    listed = _actions(api, world, "lc-head", "/corrective-actions?state=overdue")
    assert [(a["inspection_id"], a["item_key"]) for a in listed if a["inspection_id"] == first] == [(first, ITEM)]
    assert first not in {a["inspection_id"] for a in _actions(api, world, "lc-head", "/corrective-actions?state=open")}

    def told() -> bool:
        inbox = api.get("/inbox", token=world.token("lc-head")).body["items"]
        return any(i["action"] == "corrective_action.overdue" for i in inbox)

    assert events.wait_for(told)
    # The clock ended after marking it: once reminded, once overdue
    assert events.wait_for(lambda: _clock_status(first) == "SUCCEEDED", timeout=30)
    # Another county's head sees none of it
    assert api.get(path, token=world.token("lx-head")).status == 404
    assert first not in {a["inspection_id"] for a in _actions(api, world, "lx-head", "/corrective-actions")}

    # When the supervisor re-inspects, naming the first inspection, and the item now passes
    again = str(ULID())
    body = inspection_body(sid, "SD-FU-1", answers=_all_pass(), reinspection_of=first)
    body["done_at"] = clock.iso(later - timedelta(minutes=30))
    sent = api.put(f"/inspections/{again}", token=world.token("lc-supervisor"), body=body)
    assert sent.status == 201, sent.body
    assert sent.body["reinspection_of"] == first
    # Then the action is closed, rectified, by that re-inspection; the head's overdue list no longer has it
    assert events.wait_for(lambda: _actions(api, world, "lc-head", path)[0]["state"] == "closed")
    [closed] = _actions(api, world, "lc-head", path)
    assert (closed["outcome"], closed["closed_by"]) == ("rectified", again)
    assert first not in {
        a["inspection_id"] for a in _actions(api, world, "lc-head", "/corrective-actions?state=overdue")
    }
    assert first in {a["inspection_id"] for a in _actions(api, world, "lc-head", "/corrective-actions?state=closed")}


def test_an_action_not_yet_due_waits_and_a_reinspection_still_failing_closes_it_not_rectified(
    api, world: World, events
):
    sid = _subject(api, world)
    published(api, world, "SD-FU-2")
    first = str(ULID())
    answers = good_answers()
    answers[ITEM]["corrective_action"] = {
        "what": "回收桶",
        "due": clock.cst_day(clock.now() + timedelta(days=30)),
        "reinspect": True,
    }
    sent = api.put(
        f"/inspections/{first}",
        token=world.token("lc-supervisor"),
        body=inspection_body(sid, "SD-FU-2", answers=answers),
    )
    assert sent.status == 201, sent.body
    path = f"/inspections/{first}/corrective-actions"
    # The action is open, nobody reminded yet; its clock waits
    assert events.wait_for(lambda: _actions(api, world, "lc-supervisor", path))
    assert events.wait_for(lambda: _clock_status(first) == "RUNNING")
    [action] = _actions(api, world, "lc-supervisor", path)
    assert (action["state"], action["reminded_at"], action["overdue_at"]) == ("open", None, None)
    assert first in {
        a["inspection_id"] for a in _actions(api, world, "lc-supervisor", "/corrective-actions?state=open")
    }

    # A re-inspection must be of the same subject, by the same agency, after the first
    other = _subject(api, world)
    wrong = api.put(
        f"/inspections/{ULID()}",
        token=world.token("lc-supervisor"),
        body=inspection_body(other, "SD-FU-2", answers=_all_pass(), reinspection_of=first),
    )
    assert wrong.status == 422, wrong.body
    assert {e["field"] for e in wrong.body["errors"]} == {"body.reinspection_of"}
    unknown = api.put(
        f"/inspections/{ULID()}",
        token=world.token("lc-supervisor"),
        body=inspection_body(sid, "SD-FU-2", answers=_all_pass(), reinspection_of=str(ULID())),
    )
    assert unknown.status == 422, unknown.body

    # When the re-inspection finds the item failing still (with a new action)
    again = str(ULID())
    failing = good_answers()
    failing[ITEM]["corrective_action"] = {"what": "限期三日", "due": "2027-01-10", "reinspect": True}
    body = inspection_body(sid, "SD-FU-2", answers=failing, reinspection_of=first)
    body["done_at"] = clock.iso(clock.now())
    assert api.put(f"/inspections/{again}", token=world.token("lc-supervisor"), body=body).status == 201
    # Then the first action is closed, not rectified, its clock stopped; the re-inspection's own action is open
    assert events.wait_for(lambda: _actions(api, world, "lc-supervisor", path)[0]["state"] == "closed")
    [closed] = _actions(api, world, "lc-supervisor", path)
    assert (closed["outcome"], closed["closed_by"]) == ("not_rectified", again)
    assert events.wait_for(lambda: _clock_status(first) == "ABORTED")
    assert events.wait_for(lambda: _actions(api, world, "lc-supervisor", f"/inspections/{again}/corrective-actions"))
    [new] = _actions(api, world, "lc-supervisor", f"/inspections/{again}/corrective-actions")
    assert (new["state"], new["what"], new["due"]) == ("open", "限期三日", "2027-01-10")


def test_a_failed_item_handed_to_enforcement_becomes_a_case_that_is_acknowledged(api, world: World, events):
    # Given an inspection whose critical item failed and was handed over to enforcement (移交执法)
    sid = _subject(api, world)
    published(api, world, "SD-FU-3")
    iid = str(ULID())
    answers = good_answers()
    answers["preharvest_interval"] = {"result": "fail", "photos": [str(ULID())], "handover": True}
    body = inspection_body(sid, "SD-FU-3", answers=answers)
    sent = api.put(f"/inspections/{iid}", token=world.token("lc-supervisor"), body=body)
    assert sent.status == 201, sent.body
    assert sent.body["case_id"] == iid and sent.body["result"]["outcome"] == "fail"

    # Then the stream hands it to Licheng's enforcement agency: a case with the hashed package of the inspection
    def case() -> dict[str, Any] | None:
        found = api.get(f"/cases/{iid}", token=world.token("lc-enf-admin"))
        return found.body if found.status == 200 else None

    delivered = events.wait_for(case, timeout=60)
    assert delivered, "no case was delivered"
    assert (delivered["source"], delivered["inspection_id"], delivered["sample_id"]) == ("inspection", iid, None)
    assert delivered["subject_id"] == sid and delivered["to_org_id"] == world.agencies["lc-enf"].id
    assert delivered["from_org_id"] == world.agencies["lc"].id and len(delivered["package_hash"]) == 64
    package_bytes = requests.get(delivered["package_url"], timeout=10).content
    assert hashlib.sha256(package_bytes).hexdigest() == delivered["package_hash"]
    package = json.loads(package_bytes)
    assert package["inspection"]["id"] == iid and package["inspection"]["answers"] == answers
    assert [i["key"] for i in package["handed_over"]] == ["preharvest_interval"]
    # ... the supervision agency sees it too; another county's does not
    assert api.get(f"/cases/{iid}", token=world.token("lc-head")).status == 200
    assert api.get(f"/cases/{iid}", token=world.token("lx-head")).status == 404
    # When the enforcement agency acknowledges it (签收)
    acked = api.post(f"/cases/{iid}/acknowledge", token=world.token("lc-officer"), body={"note": "已签收"})
    assert acked.status == 200, acked.body
    # Then the case is acknowledged, and the inspection links to it
    assert events.wait_for(lambda: (case() or {}).get("state") == "acknowledged")
    assert api.get(f"/inspections/{iid}", token=world.token("lc-head")).body["case_id"] == iid
    # A resend of the inspection (the phone's reply was lost) starts nothing new
    resent = api.put(f"/inspections/{iid}", token=world.token("lc-supervisor"), body=body)
    assert resent.status == 200, resent.body
    events.settle()
    assert (case() or {}).get("state") == "acknowledged"

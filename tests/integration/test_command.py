"""The command and dispatch centre (指挥调度中心, Art 34): a live view per jurisdiction of today's activity, the
open warnings and the work overdue by region, read from the feed, the open-warning index and the statistics."""

from __future__ import annotations

import json
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from chalicelib.core import clock
from chalicelib.statistics import cells
from chalicelib.wiring import stream
from tests.support.world import World

_serialize = TypeSerializer().serialize


def _overdue_spot_check(tid: str, region: str, n: int) -> dict[str, Any]:
    """A stream record of a spot-check task past its deadline (escalated, not completed), created today."""
    now = clock.iso(clock.now())
    image = {
        "pk": f"SPOT#{tid}",
        "sk": "TASK",
        "kind": "SpotCheck",
        "id": tid,
        "region": region,
        "state": "published",
        "clock": json.dumps({"deadline": {"escalated_at": now}}),
        "audit_seq": 1,
        "created_at": now,
        "updated_at": now,
    }
    return {
        "eventID": f"cmd-e{n}",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "eventSourceARN": "arn:aws:dynamodb:cn-north-1:000000000000:table/t/stream/x",
        "dynamodb": {
            "Keys": {"pk": {"S": image["pk"]}, "sk": {"S": "TASK"}},
            "NewImage": {k: _serialize(v) for k, v in image.items()},
            "SequenceNumber": f"{n:021d}",
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def test_the_national_and_a_provincial_centre_see_warnings_activity_and_overdue_work(
    api, world: World, events, monkeypatch
):
    # Given a warning open for Shandong, an instruction sent today, and a Licheng spot-check task overdue
    warning = api.post(
        "/warnings",
        token=world.token("moa-analyst"),
        body={"title": "草莓腐霉利超标", "level": "red", "region": "370000", "evidence": "连续3批次不合格"},
    )
    assert warning.status == 201, warning.body
    sent = api.post(
        "/instructions",
        token=world.token("sd-head"),
        body={"to_org_id": world.agencies["jn"].id, "title": "排查", "body": "排查草莓基地"},
    )
    assert sent.status == 201
    events.settle()
    dispatcher = stream()
    monkeypatch.setattr(dispatcher, "subscribers", [cells.count_change])
    dispatcher.handle({"Records": [_overdue_spot_check("CMD-T1", "370112", 1)]}, None)
    monkeypatch.undo()

    # When the ministry's dispatcher opens the national view
    nation = api.get("/command/overview", token=world.token("moa-dispatcher"))
    assert nation.status == 200, nation.body
    # Then the warning is there, and Shandong leads the provinces by overdue work
    assert warning.body["id"] in [w["id"] for w in nation.body["warnings"]]
    assert nation.body["regions"][0]["region"] == "370000" and nation.body["regions"][0]["tasks_overdue"] >= 1
    # When Shandong's head opens the province's view
    province = api.get("/command/overview", token=world.token("sd-head")).body
    # Then it shows the province's warning, today's instruction in the feed and Jinan's overdue task
    assert province["region"] == "370000" and province["work"]["tasks_overdue"] >= 1
    assert warning.body["id"] in [w["id"] for w in province["warnings"]]
    assert any(item["id"] == sent.body["id"] for item in province["feed"])
    assert {r["region"]: r["tasks_overdue"] for r in province["regions"]}["370100"] >= 1
    # And Jiangsu's head sees no Shandong warning; a region outside the jurisdiction is a 404
    jiangsu = api.get("/command/overview", token=world.token("js-head")).body
    assert warning.body["id"] not in [w["id"] for w in jiangsu["warnings"]]
    assert api.get("/command/overview?region=370000", token=world.token("js-head")).status == 404
    assert api.get("/command/overview?region=37", token=world.token("sd-head")).status == 400

"""Inspection plans (巡查计划) for tests: subjects in Licheng's townships, a plan of the current month, inspections."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ulid import ULID

from chalicelib.core import clock
from tests.support.inspections import good_answers, inspection_body
from tests.support.subjects import registration
from tests.support.world import World

# The inspection's failed item sets a corrective action due far ahead: it stays open while a test runs.
DUE = "2030-06-30"


def subject(api: Any, world: World, region: str, *, key: bool = False) -> str:
    """A registered Licheng subject in `region` (a township's code, or the county's), flagged a key object if asked."""
    made = api.post("/subjects", token=world.token("lc-supervisor"), body=registration(region=region))
    assert made.status == 201, made.body
    review = api.post(f"/subjects/{made.body['id']}/review", token=world.token("lc-head"), body={"decision": "approve"})
    assert review.status == 200, review.body
    if key:
        flagged = api.post(
            f"/subjects/{made.body['id']}/key-object",
            token=world.token("lc-head"),
            body={"key_object": True, "reason": "近三年抽检不合格"},
        )
        assert flagged.status == 200, flagged.body
    return str(made.body["id"])


def this_month() -> str:
    return clock.now().astimezone(clock.CST).strftime("%Y-%m")


def plan_body(world: World, code: str, subjects: list[str], **extra: Any) -> dict[str, Any]:
    users = world.users
    return {
        "title": "历城区12月基地巡查计划",
        "period": this_month(),
        "regions": ["370112"],
        "scope": {"subject_ids": subjects, "categories": ["planting"], "key_objects_first": True},
        "template": {"code": code, "number": 1},
        "targets": [
            {"user_id": users["lc-supervisor"].id, "inspections": 10, "key_objects": 2},
            {"user_id": users["lc-supervisor-2"].id, "inspections": 5, "key_objects": 1},
            {"user_id": users["lc-township-supervisor"].id, "inspections": 3, "key_objects": 0},
        ],
        **extra,
    }


def answers(*, fail: bool = False, handover: bool = False) -> dict[str, Any]:
    """All items passed (score 100), or one failed item (score 80) with a corrective action, or handed over too."""
    given = good_answers()
    if not fail:
        given["pesticide_waste"] = {"result": "pass"}
        return given
    given["pesticide_waste"]["corrective_action"]["due"] = DUE
    if handover:
        given["pesticide_waste"]["handover"] = True
    return given


def inspect(
    api: Any, world: World, user: str, subject_id: str, code: str, done_at: datetime, **extra: Any
) -> tuple[str, Any]:
    """An inspection sent by `user`: its id, and the reply."""
    iid = str(ULID())
    body = inspection_body(subject_id, code, done_at=done_at.isoformat(), **extra)
    return iid, api.put(f"/inspections/{iid}", token=world.token(user), body=body)


def recent(hours: float) -> datetime:
    """A moment `hours` ago, kept inside the current China-time month (a test run on the 1st still fits)."""
    start = datetime.fromisoformat(f"{this_month()}-01T00:00:00+08:00")
    return max(clock.now() - timedelta(hours=hours), start + timedelta(minutes=1))

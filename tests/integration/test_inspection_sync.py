"""A phone's offline batch of inspections (基地巡查), sent when the signal returns, then sent again whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ulid import ULID

from chalicelib.inspections import store
from tests.support.inspections import inspection_body, published
from tests.support.subjects import registration
from tests.support.world import World

BASE = {"lng": 117.05, "lat": 36.68}


def _subject(api: Any, world: World) -> str:
    token = world.token("lc-supervisor")
    made = api.post("/subjects", token=token, body=registration())
    assert made.status == 201, made.body
    sid = str(made.body["id"])
    assert api.post(f"/subjects/{sid}/bases", token=token, body={"name": "一号基地", "location": BASE}).status == 201
    return sid


def test_a_batch_sent_twice_stores_each_inspection_once_and_a_changed_resend_is_a_conflict(api, world: World, events):
    # Given a supervisor whose phone kept five inspections of one subject while it had no signal
    sid = _subject(api, world)
    published(api, world, "SD-SYNC-1")
    token = world.token("lc-supervisor")
    start = datetime.now(UTC) - timedelta(days=4)
    batch = []
    for i in range(5):
        body = inspection_body(sid, "SD-SYNC-1")
        body["done_at"] = (start + timedelta(hours=i)).isoformat()
        batch.append((str(ULID()), body))
    # When the phone sends the batch, loses the replies and sends the whole batch again
    first = [api.put(f"/inspections/{iid}", token=token, body=body) for iid, body in batch]
    again = [api.put(f"/inspections/{iid}", token=token, body=body) for iid, body in batch]
    # Then each was created once, and the resend answered with the stored records, writing nothing
    assert [r.status for r in first] == [201] * 5
    assert [r.status for r in again] == [200] * 5
    assert [r.body for r in again] == [r.body for r in first]
    assert all(r.writes == 0 for r in again)
    # And the stream, delivered twice, opens each inspection's one corrective action once
    events.settle()
    events.poller.iterators.clear()  # the stream is delivered again from the start
    events.settle()
    listed = api.get(f"/inspections?subject_id={sid}&limit=50", token=token).body["items"]
    assert sorted(i["id"] for i in listed) == sorted(iid for iid, _ in batch)
    for iid, _ in batch:
        actions = store.actions_of(iid)
        assert [a.item_key for a in actions] == ["pesticide_waste"]
    # When one of them is sent once more with changed content and no replaces_version
    iid, body = batch[2]
    changed = api.put(f"/inspections/{iid}", token=token, body={**body, "opinion": "补充：发现新问题"})
    # Then it is a 409 that changes nothing
    assert changed.status == 409, changed.body
    assert changed.headers["content-type"] == "application/problem+json"
    stored = api.get(f"/inspections/{iid}", token=token).body
    assert (stored["opinion"], stored["version"]) == (body["opinion"], 1)

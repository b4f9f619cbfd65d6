"""Risk warnings (风险预警): indicators kept as data by the ministry, a nightly job over the counters that opens,
raises, lowers and closes warnings with their evidence, delivery to the agencies of the region concerned only,
acknowledgement and response, recurrence, a re-run that changes nothing, and warnings published by hand."""

from __future__ import annotations

import json
from datetime import date, timedelta
from itertools import count
from typing import Any

from chalicelib.core import clock
from chalicelib.statistics import cells
from chalicelib.warnings import service as warnings
from chalicelib.warnings import store
from chalicelib.wiring import stream
from tests.support.world import World

PRODUCT = "019901"  # a product only this module's samples carry, so other tests' figures do not mix in
_events = count(1)


def _yesterday() -> str:
    return (date.fromisoformat(clock.cst_day(clock.now())) - timedelta(days=1)).isoformat()


class Samples:
    """Tested samples fed to the counters through the stream, as the lab's results would feed them."""

    def __init__(self, region: str, day: str) -> None:
        self.region, self.day, self.images = region, day, {}
        self.dispatcher = stream()

    def _deliver(self, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        from boto3.dynamodb.types import TypeSerializer

        ser = TypeSerializer().serialize
        n = next(_events)
        data: dict[str, Any] = {"Keys": {"pk": {"S": new["pk"]}, "sk": {"S": "SAMPLE"}}}
        data["NewImage"] = {k: ser(v) for k, v in new.items()}
        if old:
            data["OldImage"] = {k: ser(v) for k, v in old.items()}
        record = {
            "eventID": f"w{n}",
            "eventName": "MODIFY" if old else "INSERT",
            "eventSource": "aws:dynamodb",
            "dynamodb": {**data, "SequenceNumber": f"{n:021d}", "StreamViewType": "NEW_AND_OLD_IMAGES"},
        }
        counted = self.dispatcher.subscribers
        self.dispatcher.subscribers = [cells.count_change]  # the counters only: these samples are no records
        try:
            assert not self.dispatcher.handle({"Records": [record]}, None)["batchItemFailures"]
        finally:
            self.dispatcher.subscribers = counted

    def tested(self, sid: str, *, failed: bool, subject: str = "SUBJ-W") -> None:
        old = self.images.get(sid)
        seq = int(old["audit_seq"]) + 1 if old else 1
        outcome = "unqualified" if failed else "qualified"
        new = {
            "pk": f"SAMPLE#{sid}",
            "sk": "SAMPLE",
            "kind": "Sample",
            "id": sid,
            "region": self.region,
            "place": json.dumps({"region": self.region}),
            "task_kind": "JDCC",
            "state": "tested",
            "verdict": outcome,
            "product_code": PRODUCT,
            "subject_id": subject,
            "sampled_at": f"{self.day}T02:00:00.000Z",
            "results": json.dumps({"procymidone": {"outcome": outcome}}),
            "audit_seq": seq,
        }
        self._deliver(old, new)
        self.images[sid] = new


RATE = {
    "id": "procymidone-rate",
    "name": "腐霉利不合格率",
    "measure": "rate",
    "numerator": "failed",
    "denominator": "tested",
    "scope": "county",
    "window_days": 7,
    "min_sample": 4,
    "thresholds": {"blue": 0.1, "yellow": 0.25, "orange": 0.5, "red": 0.75},
}


def _thread_warning(region: str, subject: str, indicator: str = "procymidone-rate") -> Any:
    return store.latest_episode(warnings.thread_of(indicator, region, subject))


def _inbox_ids(api: Any, world: World, user: str) -> set[str]:
    got = api.get("/inbox?limit=200", token=world.token(user))
    assert got.status == 200, got.body
    return {i["id"] for i in got.body["items"] if i["kind"] == "Warning"}


def test_a_failure_pattern_opens_a_warning_raises_it_reaches_only_its_county_and_closes_when_it_falls_back(
    api, world: World, events
):
    # Given the ministry's indicator: procymidone's failure rate per county over 7 days, at least 4 tested
    made = api.post("/warning-indicators", token=world.token("moa-analyst"), body=RATE)
    assert made.status == 201, made.body
    # (a province's head may not keep indicators, nor the ministry keep one twice)
    assert api.post("/warning-indicators", token=world.token("sd-admin"), body=RATE).status == 403
    assert api.post("/warning-indicators", token=world.token("moa-analyst"), body=RATE).status == 409
    day = _yesterday()
    lc = Samples("370112", day)
    subject = f"{PRODUCT}#procymidone"

    # When 4 samples are tested in Licheng, 1 failing (25 %: yellow) and the job runs
    for n in range(4):
        lc.tested(f"W-{n}", failed=n == 0)
    report = warnings.run(day)
    events.settle()

    # Then a yellow warning is open for Licheng with its figures and the failed sample's id as evidence
    rec = _thread_warning("370112", subject)
    assert report.opened >= 1 and rec.state == "open" and rec.level == "yellow" and not rec.recurrence
    assert rec.evidence["numerator"]["value"] == 1 and rec.evidence["denominator"]["value"] == 4
    assert rec.evidence["record_ids"] == ["W-0"]
    # And it was sent to Licheng's agency only: its inbox has it, Lixia's and Jinan's do not
    assert rec.parties == {world.agencies["lc"].id}
    assert rec.id in _inbox_ids(api, world, "lc-head")
    assert rec.id not in _inbox_ids(api, world, "lx-head") and rec.id not in _inbox_ids(api, world, "jn-head")
    assert api.get(f"/warnings/{rec.id}", token=world.token("lx-head")).status == 404

    # When the job runs again for the same day, Then nothing changes
    version = int(rec.version)
    again = warnings.run(day)
    assert (again.opened, again.raised, again.lowered, again.closed) == (0, 0, 0, 0)
    assert int(_thread_warning("370112", subject).version) == version

    # When two more samples fail (3 of 6: orange), Then the warning is raised, its history says so
    lc.tested("W-4", failed=True)
    lc.tested("W-5", failed=True)
    assert warnings.run(day).raised >= 1
    rec = _thread_warning("370112", subject)
    assert rec.level == "orange" and [h["change"] for h in rec.history] == ["opened", "raised"]
    assert rec.evidence["record_ids"] == ["W-0", "W-4", "W-5"]

    # And Licheng's head acknowledges it and records the disposal; Jinan may read it but not handle it
    shown = api.get(f"/warnings/{rec.id}", token=world.token("jn-head"))
    assert shown.status == 200, shown.body
    body = {"version": shown.body["version"], "note": "已签收"}
    assert api.post(f"/warnings/{rec.id}/acknowledge", token=world.token("jn-head"), body=body).status == 403
    early = {"version": shown.body["version"], "action": "disposal", "note": "先处置"}
    assert api.post(f"/warnings/{rec.id}/responses", token=world.token("lc-head"), body=early).status == 409
    acked = api.post(f"/warnings/{rec.id}/acknowledge", token=world.token("lc-head"), body=body)
    assert acked.status == 200, acked.body
    response = {"version": acked.body["version"], "action": "disposal", "note": "已对韭菜基地开展专项检查"}
    answered = api.post(f"/warnings/{rec.id}/responses", token=world.token("lc-head"), body=response)
    assert answered.status == 200, answered.body
    assert [r["action"] for r in answered.body["responses"]] == ["disposal"]

    # When six more samples pass (3 of 12: yellow again), Then the warning is lowered
    for n in range(8, 14):
        lc.tested(f"W-{n}", failed=False)
    assert warnings.run(day).lowered >= 1
    lowered = _thread_warning("370112", subject)
    assert lowered.level == "yellow" and [h["change"] for h in lowered.history] == ["opened", "raised", "lowered"]

    # When the failures are corrected on retest (0 of 12), Then the job closes the warning
    for sid in ("W-0", "W-4", "W-5"):
        lc.tested(sid, failed=False)
    assert warnings.run(day).closed >= 1
    closed = _thread_warning("370112", subject)
    assert closed.state == "closed" and closed.id == rec.id
    assert [a["org_id"] for a in closed.acknowledgements] == [world.agencies["lc"].id]

    # When the pattern comes back, Then a new episode opens, marked a recurrence
    lc.tested("W-6", failed=True)
    lc.tested("W-7", failed=True)
    warnings.run(day)
    again_open = _thread_warning("370112", subject)
    assert again_open.episode == 2 and again_open.recurrence and again_open.state == "open"


def test_a_subjects_repeated_failures_warn_its_city_and_the_ministry_publishes_a_warning_by_hand(
    api, world: World, events
):
    body = {
        "id": "subject-repeats",
        "name": "主体重复不合格",
        "measure": "count",
        "numerator": "subject_failed",
        "scope": "city",
        "window_days": 30,
        "min_sample": 2,
        "thresholds": {"blue": 2, "yellow": 3, "orange": 5, "red": 8},
    }
    assert api.post("/warning-indicators", token=world.token("moa-analyst"), body=body).status == 201
    listed = api.get("/warning-indicators", token=world.token("moa-analyst"))
    assert {"subject-repeats", "procymidone-rate"} <= {i["id"] for i in listed.body["items"]}
    day = _yesterday()
    lx = Samples("370102", day)
    lx.tested("R-1", failed=True, subject="SUBJ-REPEAT")
    lx.tested("R-2", failed=True, subject="SUBJ-REPEAT")
    warnings.run(day)
    rec = _thread_warning("370100", "SUBJ-REPEAT", "subject-repeats")
    assert rec.level == "blue" and rec.parties == {world.agencies["jn"].id}
    assert rec.evidence["record_ids"] == ["R-1", "R-2"]

    # The ministry publishes a warning by hand to Jiangsu; a province may not
    manual = {"title": "进口韭菜腐霉利风险", "level": "red", "region": "320000", "evidence": "海关通报"}
    assert api.post("/warnings", token=world.token("sd-admin"), body=manual).status == 403
    made = api.post("/warnings", token=world.token("moa-analyst"), body=manual)
    assert made.status == 201, made.body
    assert made.body["origin"] == "manual" and made.body["parties"] == [world.agencies["js"].id]
    assert api.post("/warnings", token=world.token("moa-analyst"), body=manual).status == 409
    listed = api.get("/warnings?limit=200", token=world.token("moa-analyst"))
    assert made.body["id"] in {w["id"] for w in listed.body["items"]}
    # And closes it by hand once the risk has passed
    close = {"version": made.body["version"], "reason": "风险已消除"}
    assert api.post(f"/warnings/{made.body['id']}/close", token=world.token("js-head"), body=close).status == 403
    closed = api.post(f"/warnings/{made.body['id']}/close", token=world.token("moa-analyst"), body=close)
    assert closed.status == 200 and closed.body["state"] == "closed", closed.body

    # An indicator's thresholds change at the version read
    changed = {**body, "version": 1, "thresholds": {"blue": 3, "yellow": 4, "orange": 5, "red": 8}}
    put = api.put("/warning-indicators/subject-repeats", token=world.token("moa-analyst"), body=changed)
    assert put.status == 200, put.body
    assert api.put("/warning-indicators/subject-repeats", token=world.token("moa-analyst"), body=changed).status == 409
    # And the next run lowers nothing it cannot judge: 2 failures are below blue now, so the warning closes
    assert warnings.run(day).closed >= 1

"""Dispatch instructions (调度指令) after the acknowledgement: feedback rounds (反馈) on a clock that reminds and
escalates, another round asked by the sender, closure (办结), and an instruction raised from a risk warning."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.core import clock
from chalicelib.dispatch import store
from tests.support.world import World


def _send(api: Any, world: World, to: str, sender: str = "sd-head", **extra: Any) -> str:
    body = {"to_org_id": world.agencies[to].id, "title": "排查草莓农残", "body": "本周内完成辖区草莓基地排查", **extra}
    sent = api.post("/instructions", token=world.token(sender), body=body)
    assert sent.status == 201, sent.body
    return str(sent.body["id"])


def _acknowledged(api: Any, world: World, events: Any, to: str, user: str, **extra: Any) -> str:
    iid = _send(api, world, to, **extra)
    assert events.wait_for(lambda: store.get(iid).state == "awaiting")
    ack = api.post(f"/instructions/{iid}/acknowledge", token=world.token(user), body={})
    assert ack.status == 200, ack.body
    return iid


def _attach(api: Any, world: World, user: str, iid: str) -> str:
    made = api.post(
        "/attachments",
        token=world.token(user),
        body={
            "owner_kind": "instruction",
            "owner_id": iid,
            "filename": "排查报告.pdf",
            "content_type": "application/pdf",
            "size": 1000,
        },
    )
    assert made.status == 201, made.body
    return str(made.body["attachment"]["id"] if "attachment" in made.body else made.body["id"])


def test_feedback_rounds_then_the_sender_closes(api, world: World, events):
    # Given Jinan acknowledged the province's instruction: the first feedback round is open, due in 7 days
    iid = _acknowledged(api, world, events, "jn", "jn-admin")
    shown = api.get(f"/instructions/{iid}", token=world.token("sd-head")).body
    assert shown["state"] == "acknowledged" and len(shown["rounds"]) == 1
    assert shown["rounds"][0]["answered_at"] is None and shown["feedback_within_seconds"] == 7 * 86400
    # When Jinan reports back with a file attached to the instruction
    file_id = _attach(api, world, "jn-admin", iid)
    fed = api.post(
        f"/instructions/{iid}/feedback",
        token=world.token("jn-admin"),
        body={"note": "已排查基地12个，未发现问题", "attachment_ids": [file_id]},
    )
    assert fed.status == 200, fed.body
    assert fed.body["state"] == "fed_back" and fed.body["rounds"][0]["attachment_ids"] == [file_id]
    # Then feeding back twice is a 409, and only the sender may ask for more or close
    assert api.post(f"/instructions/{iid}/feedback", token=world.token("jn-admin"), body={"note": "再报"}).status == 409
    assert (
        api.post(f"/instructions/{iid}/feedback-rounds", token=world.token("jn-admin"), body={"note": "?"}).status
        == 403
    )
    # When the province asks for another round, Jinan answers it, and the province closes the instruction
    again = api.post(
        f"/instructions/{iid}/feedback-rounds",
        token=world.token("sd-head"),
        body={"note": "请补充抽样数量", "feedback_within_seconds": 3 * 86400},
    )
    assert again.status == 200, again.body
    assert again.body["state"] == "acknowledged" and again.body["rounds"][1]["question"] == "请补充抽样数量"
    second = api.post(f"/instructions/{iid}/feedback", token=world.token("jn-admin"), body={"note": "抽样30批次"})
    assert second.status == 200 and second.body["rounds"][1]["note"] == "抽样30批次"
    closed = api.post(f"/instructions/{iid}/close", token=world.token("sd-head"), body={"note": "办结"})
    assert closed.status == 200, closed.body
    assert closed.body["state"] == "closed" and closed.body["closed_by"] == world.users["sd-head"].id
    # And the clock of a round left open ends at its next step; nothing more happens to a closed instruction
    from chalicelib.dispatch import service

    tick = service.tick_feedback({"kind": "InstructionFeedback", "id": iid, "context": {"round": 2}, "step": "due"})
    assert tick["done"] is True
    assert api.post(f"/instructions/{iid}/close", token=world.token("sd-head"), body={}).status == 409
    assert api.post(f"/instructions/{iid}/feedback", token=world.token("jn-admin"), body={"note": "x"}).status == 409


def test_feedback_names_only_files_of_its_instruction_and_bad_input_changes_nothing(api, world: World, events):
    iid = _acknowledged(api, world, events, "jn", "jn-admin")
    other = _acknowledged(api, world, events, "jn", "jn-admin")
    foreign = _attach(api, world, "jn-admin", other)
    version = store.get(iid).version
    wrong = api.post(
        f"/instructions/{iid}/feedback", token=world.token("jn-admin"), body={"note": "x", "attachment_ids": [foreign]}
    )
    assert wrong.status == 422 and wrong.body["errors"][0]["field"] == "body.attachment_ids.0"
    assert api.post(f"/instructions/{iid}/feedback", token=world.token("jn-admin"), body={"note": ""}).status == 400
    assert store.get(iid).version == version
    # Closing an instruction not yet acknowledged is refused
    unacked = _send(api, world, "jn")
    assert api.post(f"/instructions/{unacked}/close", token=world.token("sd-head"), body={}).status == 409


def test_a_feedback_round_not_answered_reminds_then_escalates(api, world: World, events, monkeypatch):
    # Given Licheng acknowledged Jinan's instruction with a one-day feedback deadline
    world.user("jn-admin", "jn", "jn-dispatcher", ["dispatcher"])
    iid = _send(api, world, "lc", sender="jn-dispatcher", feedback_within_seconds=86400)
    assert events.wait_for(lambda: store.get(iid).state == "awaiting")
    assert api.post(f"/instructions/{iid}/acknowledge", token=world.token("lc-admin"), body={}).status == 200
    real = clock.now()
    # When two days pass without feedback
    monkeypatch.setattr(clock, "now", lambda: real + timedelta(days=2))
    assert events.wait_for(lambda: (store.get(iid).rounds or [{}])[0].get("overdue_at"), timeout=30)
    # Then the round was reminded, then marked overdue, and escalated to Licheng's parent (Jinan)
    round_one = api.get(f"/instructions/{iid}", token=world.token("jn-dispatcher")).body["rounds"][0]
    assert round_one["reminded_at"] and round_one["overdue_at"]
    assert store.get(iid).escalated_to == world.agencies["jn"].id
    # And a late feedback is still taken
    late = api.post(f"/instructions/{iid}/feedback", token=world.token("lc-admin"), body={"note": "迟报"})
    assert late.status == 200 and late.body["rounds"][0]["overdue_at"]


def test_an_instruction_raised_from_a_warning_is_listed_on_the_warning(api, world: World, events):
    # Given the ministry published a warning for Shandong
    warning = api.post(
        "/warnings",
        token=world.token("moa-analyst"),
        body={"title": "草莓腐霉利超标", "level": "orange", "region": "370000", "evidence": "连续3批次不合格"},
    )
    assert warning.status == 201, warning.body
    wid = warning.body["id"]
    # When the ministry's dispatcher sends Shandong an instruction acting on it
    iid = _send(api, world, "sd", sender="moa-dispatcher", warning_id=wid)
    # Then the instruction names the warning and, once streamed, the warning lists the instruction
    assert api.get(f"/instructions/{iid}", token=world.token("sd-head")).body["warning_id"] == wid
    assert events.wait_for(
        lambda: api.get(f"/warnings/{wid}", token=world.token("moa-analyst")).body["instruction_ids"] == [iid]
    )
    # And a warning nobody may read cannot be named
    missing = _send_status(api, world, "sd", "moa-dispatcher", warning_id="nope.1")
    assert missing == 404


def _send_status(api: Any, world: World, to: str, sender: str, **extra: Any) -> int:
    body = {"to_org_id": world.agencies[to].id, "title": "t", "body": "b", **extra}
    return int(api.post("/instructions", token=world.token(sender), body=body).status)


def test_an_order_to_many_agencies_gives_each_a_receipt_once_and_the_sender_follows_the_rates(
    api, world: World, events
):
    from chalicelib.core.events import RecordChange
    from chalicelib.dispatch import orders

    # Given the province sends one order to Jinan city and Licheng county
    jn, lc = world.agencies["jn"].id, world.agencies["lc"].id
    sent = api.post(
        "/instruction-orders",
        token=world.token("sd-head"),
        body={"to_org_ids": [jn, lc], "title": "全省草莓专项排查", "body": "各地于7日内完成排查并反馈"},
    )
    assert sent.status == 201, sent.body
    oid = sent.body["id"]
    assert sent.body["rates"]["agencies"] == 2 and sent.body["rates"]["delivered"] == 0

    def receipts() -> list[dict[str, Any]]:
        return list(api.get(f"/instruction-orders/{oid}", token=world.token("sd-head")).body["receipts"])

    # When the stream fans it out, each agency has its own receipt, waiting for its acknowledgement
    assert events.wait_for(lambda: len(receipts()) == 2 and all(r["state"] == "awaiting" for r in receipts()))
    by_org = {r["to_org_id"]: r["instruction_id"] for r in receipts()}
    inbox = api.get("/instructions?box=received", token=world.token("lc-admin")).body["items"]
    assert by_org[lc] in [i["id"] for i in inbox]
    # And the order delivered again makes no second receipt and changes none
    versions = {i: store.get(i).version for i in by_org.values()}
    image = {"id": oid, **{k: v for k, v in sent.body.items() if k in {"from_org_id", "title", "body", "to_org_ids"}}}
    image.update(
        sent_by=world.users["sd-head"].id, respond_within_seconds="86400", feedback_within_seconds=str(7 * 86400)
    )
    orders.fan_out(RecordChange(event_id="again", kind="InstructionOrder", new=image, old=None))
    assert {i: store.get(i).version for i in by_org.values()} == versions and len(receipts()) == 2
    # When Jinan acknowledges and reports back, and the province closes Jinan's receipt
    assert api.post(f"/instructions/{by_org[jn]}/acknowledge", token=world.token("jn-admin"), body={}).status == 200
    fed = api.post(f"/instructions/{by_org[jn]}/feedback", token=world.token("jn-admin"), body={"note": "已完成"})
    assert fed.status == 200, fed.body
    assert api.post(f"/instructions/{by_org[jn]}/close", token=world.token("sd-head"), body={}).status == 200
    # Then the sender sees each receipt's state and the rates
    order = api.get(f"/instruction-orders/{oid}", token=world.token("sd-head")).body
    states = {r["to_org_id"]: r["state"] for r in order["receipts"]}
    assert states == {jn: "closed", lc: "awaiting"}
    rates = order["rates"]
    assert (rates["acknowledged"], rates["fed_back"], rates["closed"]) == (1, 1, 1)
    assert rates["acknowledged_rate"] == rates["closed_rate"] == 0.5
    # And another province does not see the order; an agency outside the jurisdiction does not exist (404);
    # the sender's own agency, or one named twice, is a 422 naming it
    assert api.get(f"/instruction-orders/{oid}", token=world.token("js-head")).status == 404
    body = {"title": "t", "body": "b"}
    outside = api.post(
        "/instruction-orders", token=world.token("sd-head"), body={**body, "to_org_ids": [jn, world.agencies["js"].id]}
    )
    assert outside.status == 404
    own = api.post(
        "/instruction-orders", token=world.token("sd-head"), body={**body, "to_org_ids": [jn, world.agencies["sd"].id]}
    )
    assert own.status == 422 and [e["field"] for e in own.body["errors"]] == ["body.to_org_ids.1"]

"""Complaints and reports from the public (投诉举报): filed without an account, routed to the county's agency,
accepted within working days of the China calendar, handled, answered and followed by the filer alone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from ulid import ULID

from chalicelib.core import clock, config, workflows
from chalicelib.core.config import get_settings
from tests.support.complaints import JPEG, SCRIPT, case, complaint, photo, post_file, report, traceable, track
from tests.support.inspections import inspection_body, published
from tests.support.world import World


def _clock_status(complaint_id: str, clock_round: int) -> str | None:
    import boto3

    arn = get_settings().clock_state_machine_arn
    head, _, machine = arn.rpartition(":stateMachine:")
    name = workflows.execution_name("Complaint", complaint_id, f"accept-{clock_round}")
    try:
        found = boto3.client("stepfunctions").describe_execution(executionArn=f"{head}:execution:{machine}:{name}")
    except Exception:  # noqa: BLE001 - not started (yet)
        return None
    return str(found["status"])


def _listed(api: Any, world: World, user: str, query: str = "") -> list[str]:
    shown = api.get(f"/complaints{query}", token=world.token(user))
    assert shown.status == 200, shown.body
    return [c["id"] for c in shown.body["items"]]


def test_an_anonymous_report_about_a_trace_code_with_a_photo_is_routed_accepted_linked_answered_and_followed(
    api, world: World, events
):
    # Given a Licheng subject's product batch with its trace code
    sid, code, _ = traceable(api, world)
    # When someone reports it anonymously, scanning the code, with a photo
    filed = api.post(
        "/public/complaints",
        body=report(subject={"code": code}, place=None, hazard="pesticide_residue", files=[photo()]),
    )
    assert filed.status == 201, filed.body
    receipt = filed.body
    assert receipt["secret"] and receipt["link"].endswith(f"/complaints/{receipt['tracking_no']}#{receipt['secret']}")
    # Then the filing waits for its photo, and no agency sees it yet
    assert receipt["state"] == "awaiting_files"
    assert track(api, receipt).body["state"] == "awaiting_files"
    assert receipt["tracking_no"] not in _listed(api, world, "lc-head")
    # When the photo arrives and is verified
    [upload] = receipt["uploads"]
    post_file(upload["upload"], JPEG)
    events.settle()
    # Then the case is received by Licheng's agency (the subject's county), its acceptance due in 15 working days
    followed = track(api, receipt)
    assert followed.status == 200, followed.body
    assert (followed.body["state"], followed.body["agency"]) == ("received", "历城区农业农村局")
    assert [f["state"] for f in followed.body["files"]] == ["attached"]
    cid = receipt["tracking_no"]
    assert cid in _listed(api, world, "lc-head", "?state=received")
    shown = case(api, world, "lc-head", cid)
    assert (shown["subject_id"], shown["org_id"], shown["region"]) == (sid, world.agencies["lc"].id, "370112")
    assert shown["routing"]["rule"] == "county" and shown["anonymous"] is True and shown["kind"] == "report"
    assert shown["calendar"] == "china-official" and shown["accept_due"] > clock.cst_day(clock.now())
    assert events.wait_for(lambda: _clock_status(cid, 1) == "RUNNING")
    # The agency reads the photo through the attachment routes; the subject's code reached its product
    files = api.get(f"/attachments?owner_kind=complaint&owner_id={cid}", token=world.token("lc-head"))
    assert files.status == 200, files.body
    [file] = files.body["items"]
    assert (file["id"], file["state"], file["content_type"]) == (upload["attachment_id"], "attached", "image/jpeg")
    assert api.get(f"/attachments/{file['id']}", token=world.token("lc-head")).body["download_url"]
    assert api.get(f"/attachments/{file['id']}", token=world.token("js-head")).status == 404
    # ... and another county's agency, or another province's, does not see it
    assert api.get(f"/complaints/{cid}", token=world.token("lx-head")).status == 404
    assert api.get(f"/complaints/{cid}", token=world.token("js-head")).status == 404
    # Nobody else follows it: no secret, a wrong secret, another case's number
    assert track(api, receipt, "").status == 404
    assert track(api, receipt, "x" * 32).status == 404
    assert api.get(f"/public/complaints/{ULID()}", headers={"X-Complaint-Secret": receipt["secret"]}).status == 404

    # When the head assigns a supervisor, who accepts it in time (the clock stops)
    assigned = api.post(
        f"/complaints/{cid}/assignees",
        token=world.token("lc-head"),
        body={"version": shown["version"], "user_ids": [world.users["lc-supervisor"].id]},
    )
    assert assigned.status == 200, assigned.body
    accepted = api.post(
        f"/complaints/{cid}/decision",
        token=world.token("lc-supervisor"),
        body={"version": assigned.body["version"], "decision": "accept"},
    )
    assert accepted.status == 200, accepted.body
    assert accepted.body["state"] == "accepted"
    assert events.wait_for(lambda: _clock_status(cid, 1) == "ABORTED")
    # ... inspects the subject on site, the inspection started from the case; a record they cannot read is refused
    published(api, world, "SD-CR-1")
    iid = str(ULID())
    body = inspection_body(sid, "SD-CR-1", complaint_id=cid)
    elsewhere = api.put(
        f"/inspections/{ULID()}", token=world.token("lc-supervisor"), body={**body, "complaint_id": iid}
    )
    assert elsewhere.status == 422 and elsewhere.body["errors"][0]["field"] == "body.complaint_id", elsewhere.body
    sent = api.put(f"/inspections/{iid}", token=world.token("lc-supervisor"), body=body)
    assert sent.status == 201, sent.body
    wrong = api.post(
        f"/complaints/{cid}/actions",
        token=world.token("lc-supervisor"),
        body={"version": accepted.body["version"], "kind": "inspection", "ref_id": str(ULID())},
    )
    assert wrong.status == 422 and wrong.body["errors"][0]["field"] == "body.ref_id", wrong.body
    # Then the two are linked both ways: the inspection names the case, the case lists the inspection (once,
    # however often the stream delivers it)
    events.settle()
    events.poller.iterators.clear()
    events.settle()
    assert api.get(f"/inspections/{iid}", token=world.token("lc-supervisor")).body["complaint_id"] == cid
    linked = api.get(f"/complaints/{cid}", token=world.token("lc-supervisor"))
    assert [(a["kind"], a["ref_id"]) for a in linked.body["actions"]] == [("inspection", iid)]
    # ... and answers (办结)
    answered = api.post(
        f"/complaints/{cid}/answer",
        token=world.token("lc-supervisor"),
        body={"version": linked.body["version"], "result": "substantiated", "text": "经现场检查，责令整改并立案调查。"},
    )
    assert answered.status == 200, answered.body
    # Then the filer sees the decision and the answer with the tracking number and secret, and rates it
    followed = track(api, receipt).body
    assert followed["state"] == "answered" and followed["decision"]["decision"] == "accept"
    assert followed["answer"]["result"] == "substantiated"
    rated = api.post(f"/public/complaints/{cid}/rating", body={"secret": receipt["secret"], "rating": "satisfied"})
    assert rated.status == 200, rated.body
    assert (rated.body["state"], rated.body["rating"]) == ("closed", "satisfied")
    # A second rating changes nothing
    again = api.post(f"/public/complaints/{cid}/rating", body={"secret": receipt["secret"], "rating": "unsatisfied"})
    assert again.status == 409


def test_a_named_complaint_about_a_subject_of_another_county_is_transferred_with_its_trail(api, world: World, events):
    # Given a named complaint about a Lixia subject, bought at a Licheng market (so routed to Licheng by place)
    filed = api.post("/public/complaints", body=complaint(subject={"name": "历下区某果蔬店"}))
    assert filed.status == 201, filed.body
    receipt, cid = filed.body, filed.body["tracking_no"]
    assert receipt["state"] == "received"
    shown = case(api, world, "lc-head", cid)
    assert shown["org_id"] == world.agencies["lc"].id and shown["routing"]["rule"] == "county"
    first_due = shown["accept_due"]
    assert events.wait_for(lambda: _clock_status(cid, 1) == "RUNNING")
    # A transfer must name an agency that handles complaints
    bad = api.post(
        f"/complaints/{cid}/transfer",
        token=world.token("lc-head"),
        body={"version": shown["version"], "reason": "wrong_jurisdiction", "to_org_id": world.agencies["lc-lab"].id},
    )
    assert bad.status == 422, bad.body
    assert case(api, world, "lc-head", cid)["version"] == shown["version"]
    # When Licheng transfers it to Lixia (wrong jurisdiction)
    moved = api.post(
        f"/complaints/{cid}/transfer",
        token=world.token("lc-head"),
        body={
            "version": shown["version"],
            "reason": "wrong_jurisdiction",
            "to_org_id": world.agencies["lx"].id,
            "note": "经营者位于历下区",
        },
    )
    assert moved.status == 200, moved.body
    # Then Lixia holds it, received again with a new acceptance clock; the trail names who moved it and why
    assert (moved.body["org_id"], moved.body["region"], moved.body["state"]) == (
        world.agencies["lx"].id,
        "370102",
        "received",
    )
    [trail] = moved.body["transfers"]
    assert (trail["from_org_id"], trail["to_org_id"], trail["reason"], trail["by"]) == (
        world.agencies["lc"].id,
        world.agencies["lx"].id,
        "wrong_jurisdiction",
        world.users["lc-head"].id,
    )
    assert moved.body["accept_due"] >= first_due
    assert events.wait_for(lambda: _clock_status(cid, 1) == "ABORTED")
    assert events.wait_for(lambda: _clock_status(cid, 2) == "RUNNING")
    assert cid in _listed(api, world, "lx-head", "?state=received")
    assert cid not in _listed(api, world, "lc-head")
    assert api.get(f"/complaints/{cid}", token=world.token("lc-head")).status == 404
    # ... the filer sees the new agency
    assert track(api, receipt).body["agency"] == "历下区农业农村局"
    # ... and Lixia decides (the clock of the second round stops)
    decided = api.post(
        f"/complaints/{cid}/decision",
        token=world.token("lx-head"),
        body={"version": moved.body["version"], "decision": "reject", "reason": "已过投诉时效"},
    )
    assert decided.status == 200, decided.body
    assert decided.body["decision"]["reason"] == "已过投诉时效"
    assert events.wait_for(lambda: _clock_status(cid, 2) == "ABORTED")
    assert track(api, receipt).body["decision"]["decision"] == "reject"


@pytest.fixture
def quick_grace(monkeypatch):
    monkeypatch.setenv("COMPLAINT_GRACE_SECONDS", "1")
    config.get_settings.cache_clear()
    yield
    monkeypatch.delenv("COMPLAINT_GRACE_SECONDS")
    config.get_settings.cache_clear()


def test_an_acceptance_limit_over_the_national_day_holiday_reminds_then_escalates(
    api, world: World, events, quick_grace, monkeypatch
):
    from chalicelib import wiring

    # Given a complaint filed on Tuesday 29 September 2026, just before the National Day holiday (1-7 October,
    # with Saturday 10 October a make-up working day)
    filed_at = datetime.fromisoformat("2026-09-29T10:00:00+08:00")
    monkeypatch.setattr(clock, "now", lambda: filed_at)
    first = api.post("/public/complaints", body=complaint(phone="13900000031"))
    assert first.status == 201, first.body
    cid = first.body["tracking_no"]
    # Then its 7 working days end on 14 October (counting weekdays alone would have said 8 October)
    assert first.body["accept_due"] == "2026-10-14"
    assert case(api, world, "lc-head", cid)["calendar"] == "china-official"
    # On 9 October the clock waits still: nobody is reminded
    monkeypatch.setattr(clock, "now", lambda: datetime.fromisoformat("2026-10-09T12:00:00+08:00"))
    step = wiring.ESCALATE["Complaint"]({"kind": "Complaint", "id": cid, "context": {"round": 1}, "step": "open"})
    due_end = datetime.fromisoformat("2026-10-15T00:00:00+08:00")
    assert step["step"] == "due" and step["wait"] == int((due_end - clock.now()).total_seconds())
    assert case(api, world, "lc-head", cid)["clock"] == {}
    events.settle()

    # Given another complaint filed the same day, and nobody deciding on it before 15 October
    monkeypatch.setattr(clock, "now", lambda: filed_at)
    late = api.post("/public/complaints", body=complaint(phone="13900000032"))
    assert late.status == 201, late.body
    lid = late.body["tracking_no"]
    after = datetime.fromisoformat("2026-10-15T09:00:00+08:00")
    monkeypatch.setattr(clock, "now", lambda: after)
    # Then Licheng is reminded, and after the grace period the case is escalated to Jinan, the level above
    assert events.wait_for(lambda: case(api, world, "lc-head", lid)["clock"].get("escalated_at"), timeout=30)
    marks = case(api, world, "lc-head", lid)["clock"]
    assert marks["reminded_at"] == marks["escalated_at"] == clock.iso(after)
    assert marks["escalated_to"] == world.agencies["jn"].id
    assert events.wait_for(lambda: _clock_status(lid, 1) == "SUCCEEDED", timeout=30)

    def told(user: str, action: str) -> bool:
        inbox = api.get("/inbox", token=world.token(user)).body["items"]
        return any(i["id"] == lid and i["action"] == action for i in inbox)

    assert events.wait_for(lambda: told("jn-head", "complaint.escalated"))
    assert events.wait_for(lambda: told("lc-head", "complaint.reminded"))
    # A late decision is still taken, and says it was late
    version = case(api, world, "lc-head", lid)["version"]
    late_decision = api.post(
        f"/complaints/{lid}/decision", token=world.token("lc-head"), body={"version": version, "decision": "accept"}
    )
    assert late_decision.status == 200, late_decision.body
    from chalicelib.core import audit
    from chalicelib.core.db import query_all

    entries = [e for e in query_all(audit.AuditEntry, f"CMPL#{lid}") if e.action == "complaint.accepted"]
    assert [e.detail["in_time"] for e in entries] == [False]
    # The first one is stopped by its own decision
    version = case(api, world, "lc-head", cid)["version"]
    assert (
        api.post(
            f"/complaints/{cid}/decision", token=world.token("lc-head"), body={"version": version, "decision": "accept"}
        ).status
        == 200
    )


def test_the_public_filing_route_under_a_burst_from_one_client_is_throttled_while_others_answer(
    api, world: World, monkeypatch
):
    # Given a limit of 3 filings a day per client, and a day nobody filed on yet
    monkeypatch.setenv("COMPLAINT_DAILY_LIMIT", "3")
    config.get_settings.cache_clear()
    monkeypatch.setattr(clock, "now", lambda: datetime.fromisoformat("2027-03-02T10:00:00+08:00"))
    try:
        before = _listed(api, world, "lc-head")
        sent = [api.post("/public/complaints", body=report()) for _ in range(6)]
        # Then 3 pass and the rest are refused with a 429 problem, leaving no case behind
        assert [r.status for r in sent] == [201, 201, 201, 429, 429, 429]
        assert sent[3].headers["content-type"] == "application/problem+json"
        assert sent[3].body["type"].endswith("too-many-requests")
        assert len(_listed(api, world, "lc-head")) == len(before) + 3
        # ... while other routes still answer, the public lookup among them
        assert api.get("/me", token=world.token("lc-head")).status == 200
        assert (
            api.get(
                "/public/complaints/" + sent[0].body["tracking_no"],
                headers={"X-Complaint-Secret": sent[0].body["secret"]},
            ).status
            == 200
        )
        # The next day the client may file again
        monkeypatch.setattr(clock, "now", lambda: datetime.fromisoformat("2027-03-03T10:00:00+08:00"))
        assert api.post("/public/complaints", body=report()).status == 201
    finally:
        monkeypatch.delenv("COMPLAINT_DAILY_LIMIT")
        config.get_settings.cache_clear()


def test_a_huge_photo_a_script_posing_as_an_image_and_a_huge_text_leave_no_case_behind(api, world: World, events):
    before = _listed(api, world, "lc-head")
    # A 20 MB photo is refused before anything is stored
    big = api.post("/public/complaints", body=report(files=[photo(size=20 * 1024 * 1024)]))
    assert big.status == 413, big.body
    assert big.body["errors"][0]["field"] == "body.files.0.size"
    # A filing of 100,000 characters is refused
    long = api.post("/public/complaints", body=report(what="假" * 100_000))
    assert long.status == 400 and long.body["type"].endswith("validation"), long.body
    # A file that is not a photo or video is refused by type
    pdf = api.post("/public/complaints", body=report(files=[photo(content_type="application/pdf")]))
    assert pdf.status == 400, pdf.body
    # A script posing as an image is quarantined, and the filing it came with is refused: no case
    posing = api.post("/public/complaints", body=report(files=[photo(size=len(SCRIPT))]))
    assert posing.status == 201, posing.body
    post_file(posing.body["uploads"][0]["upload"], SCRIPT)
    events.settle()
    followed = track(api, posing.body).body
    assert followed["state"] == "refused" and [f["state"] for f in followed["files"]] == ["quarantined"]
    assert _listed(api, world, "lc-head") == before
    assert api.get(f"/complaints/{posing.body['tracking_no']}", token=world.token("lc-head")).status == 404
    # ... and its clock never started
    assert _clock_status(posing.body["tracking_no"], 1) is None
    # A number that is no tracking number, however long, is simply unknown
    odd = api.get("/public/complaints/" + "x" * 3000, headers={"X-Complaint-Secret": posing.body["secret"]})
    assert odd.status == 404, odd.body
    assert api.post("/public/complaints", body=report(happened_on="2026-02-30")).status == 400


def test_only_the_assigned_staff_read_who_filed_and_every_read_is_audited(api, world: World, events):
    from chalicelib.core import audit
    from chalicelib.core.db import query_all

    # Given a named complaint scanned from a Licheng subject's code, whose owner has an account of its own
    sid, code, _ = traceable(api, world)
    opened = api.post(
        f"/subjects/{sid}/account",
        token=world.token("lc-head"),
        body={"username": "cr-farm-owner", "name": "赵六", "phone": "+8613700000099"},
    )
    assert opened.status == 201, opened.body
    owner = world.identity.token("cr-farm-owner")
    filed = api.post("/public/complaints", body=complaint(phone="13900000077", subject={"code": code}, place=None))
    assert filed.status == 201, filed.body
    cid = filed.body["tracking_no"]
    shown = case(api, world, "lc-head", cid)
    # The case itself never carries who filed it
    assert "13900000077" not in str(shown) and "王五" not in str(shown) and shown["anonymous"] is False
    # Before anyone is assigned, nobody reads the filer: not the head, not the agency above
    path = f"/complaints/{cid}/filer"
    assert api.get(path, token=world.token("lc-head")).status == 403
    assert api.get(path, token=world.token("jn-head")).status == 403
    # When the head assigns a supervisor
    assigned = api.post(
        f"/complaints/{cid}/assignees",
        token=world.token("lc-head"),
        body={"version": shown["version"], "user_ids": [world.users["lc-supervisor"].id]},
    )
    assert assigned.status == 200, assigned.body
    # Staff of another agency cannot be assigned
    other = api.post(
        f"/complaints/{cid}/assignees",
        token=world.token("lc-head"),
        body={"version": assigned.body["version"], "user_ids": [world.users["lx-head"].id]},
    )
    assert other.status == 422, other.body
    # Then the supervisor reads the filer, and the read is in the case's audit chain
    read = api.get(path, token=world.token("lc-supervisor"))
    assert read.status == 200, read.body
    assert (read.body["name"], read.body["phone"], read.body["anonymous"]) == ("王五", "13900000077", False)
    # ... without moving the case's version: a decision sent with the version read before the read still lands
    assert case(api, world, "lc-supervisor", cid)["version"] == assigned.body["version"]
    entries = list(query_all(audit.AuditEntry, f"CMPL#{cid}"))
    reads = [e for e in entries if e.action == "complaint.filer_read"]
    assert [(e.actor, e.detail["by"]) for e in reads] == [(world.users["lc-supervisor"].id,) * 2]
    # ... and nothing else the platform keeps about the case holds the identity: not its audit chain,
    # not the activity feed or inboxes
    assert all("13900000077" not in str(e.state) and "王五" not in str(e.state) for e in entries)
    events.settle()
    for user in ("lc-head", "jn-head"):
        feed = api.get("/inbox", token=world.token(user)).body
        assert "13900000077" not in str(feed) and "王五" not in str(feed)
    # Everyone else is refused: the head and the level above (403), other counties and provinces (404),
    # the subject's own account (403: not staff)
    assert api.get(path, token=world.token("lc-head")).status == 403
    assert api.get(path, token=world.token("jn-head")).status == 403
    assert api.get(path, token=world.token("sd-head")).status == 403
    assert api.get(path, token=world.token("lx-head")).status == 404
    assert api.get(path, token=world.token("js-head")).status == 404
    assert api.get(path, token=owner).status == 403
    # The subject's own account sees that a complaint about it came in, and its outcome, never who or what
    listed = api.get("/complaints", token=owner)
    assert listed.status == 200, listed.body
    [mine] = [c for c in listed.body["items"] if c["id"] == cid]
    assert mine == {
        "id": cid,
        "kind": "complaint",
        "state": "received",
        "received_at": shown["received_at"],
        "result": None,
    }
    one = api.get(f"/complaints/{cid}", token=owner)
    assert one.status == 200 and set(one.body) == {"id", "kind", "state", "received_at", "result"}
    # ... it cannot act on it, and sees no other subject's complaints
    assert api.post(f"/complaints/{cid}/decision", token=owner, body={"version": 1, "decision": "accept"}).status == 403
    other_case = api.post("/public/complaints", body=complaint(phone="13900000078")).body["tracking_no"]
    assert api.get(f"/complaints/{other_case}", token=owner).status == 404
    # When the case is answered, the subject sees the outcome
    version = case(api, world, "lc-supervisor", cid)["version"]
    accepted = api.post(
        f"/complaints/{cid}/decision",
        token=world.token("lc-supervisor"),
        body={"version": version, "decision": "accept"},
    ).body
    mediated = api.post(
        f"/complaints/{cid}/actions",
        token=world.token("lc-supervisor"),
        body={"version": accepted["version"], "kind": "mediation", "note": "双方同意退货"},
    )
    assert mediated.status == 200, mediated.body
    done = api.post(
        f"/complaints/{cid}/answer",
        token=world.token("lc-supervisor"),
        body={"version": mediated.body["version"], "result": "mediated", "text": "调解成功，经营者退款。"},
    )
    assert done.status == 200, done.body
    assert api.get(f"/complaints/{cid}", token=owner).body["result"] == "mediated"


def test_an_objection_reopens_the_case_and_the_filer_cannot_reach_another_case(api, world: World):
    filed = api.post("/public/complaints", body=complaint(phone="13900000088"))
    receipt, cid = filed.body, filed.body["tracking_no"]
    other = api.post("/public/complaints", body=complaint(phone="13900000089")).body
    v = case(api, world, "lc-head", cid)["version"]
    v = api.post(
        f"/complaints/{cid}/decision", token=world.token("lc-head"), body={"version": v, "decision": "accept"}
    ).body["version"]
    v = api.post(
        f"/complaints/{cid}/answer",
        token=world.token("lc-head"),
        body={"version": v, "result": "unsubstantiated", "text": "未发现问题。"},
    ).body["version"]
    # The filer's secret opens nothing but their own case
    assert track(api, {"tracking_no": other["tracking_no"], "secret": receipt["secret"]}).status == 404
    assert (
        api.post(
            f"/public/complaints/{other['tracking_no']}/rating",
            body={"secret": receipt["secret"], "rating": "satisfied"},
        ).status
        == 404
    )
    assert (
        api.post(
            f"/public/complaints/{other['tracking_no']}/attachments",
            body={"secret": receipt["secret"], "file": photo()},
        ).status
        == 404
    )
    # When the filer objects to the answer
    objected = api.post(
        f"/public/complaints/{cid}/rating",
        body={"secret": receipt["secret"], "rating": "unsatisfied", "objection": "问题黄瓜仍在销售"},
    )
    assert objected.status == 200 and objected.body["state"] == "objected", objected.body
    # Then the agency finds it justified: the case is handled again, its first answer kept
    shown = case(api, world, "lc-head", cid)
    assert shown["objection"] == "问题黄瓜仍在销售"
    reopened = api.post(
        f"/complaints/{cid}/objection-review",
        token=world.token("lc-head"),
        body={"version": shown["version"], "justified": True, "note": "再次核查"},
    )
    assert reopened.status == 200, reopened.body
    assert (reopened.body["state"], reopened.body["reopened"], reopened.body["answer"]) == ("accepted", 1, None)
    assert track(api, receipt).body["state"] == "accepted"
    # ... and the filer adds a photo to it, bound by the secret
    more = api.post(f"/public/complaints/{cid}/attachments", body={"secret": receipt["secret"], "file": photo()})
    assert more.status == 201, more.body
    assert [f["state"] for f in track(api, receipt).body["files"]] == ["pending"]


def test_the_same_filing_twice_is_merged_and_counted_once(api, world: World, events):
    _, code, category = traceable(api, world)
    day = clock.cst_day(clock.now())

    def cell(figure: str) -> int:
        """Licheng's figure of the day in the statistics' complaints family (数据统计)."""
        got = api.get(f"/statistics/overview?region=370112&period=day&on={day}", token=world.token("lc-head"))
        return int(got.body["current"]["figures"].get("complaints", {}).get(figure, 0))

    events.settle()
    before = {sk: cell(sk) for sk in (f"product#{category}", "hazard#illegal_additive", "received")}
    body = complaint(phone="13900000099", subject={"code": code}, place=None, hazard="illegal_additive")
    first = api.post("/public/complaints", body=body)
    assert first.status == 201, first.body
    # When the same filer sends the same filing again (same phone, subject and text, the same day)
    second = api.post("/public/complaints", body={**body, "what": "  " + body["what"] + " "})
    # Then it is merged into the first: no new case, no new secret, the repeat counted on the case
    assert second.status == 201, second.body
    assert (second.body["duplicate_of"], second.body["secret"]) == (first.body["tracking_no"], None)
    assert case(api, world, "lc-head", first.body["tracking_no"])["duplicates"] == 1
    # Another filer's identical text is a filing of its own
    third = api.post("/public/complaints", body={**body, "filer": {"name": "钱七", "phone": "13900000100"}})
    assert third.body["duplicate_of"] is None and third.body["secret"]
    # The counters of the day count each case once, by region, product and hazard, however often the stream
    # delivers its changes
    events.settle()
    events.poller.iterators.clear()
    events.settle()
    assert {sk: cell(sk) - n for sk, n in before.items()} == {
        f"product#{category}": 2,
        "hazard#illegal_additive": 2,
        "received": 2,
    }


def test_a_filing_refused_for_a_bad_file_may_be_sent_again(api, world: World, events):
    # Given a named complaint whose photo turned out to be a script: refused
    body = complaint(phone="13900000111", files=[photo(size=len(SCRIPT))])
    first = api.post("/public/complaints", body=body)
    assert first.status == 201, first.body
    post_file(first.body["uploads"][0]["upload"], SCRIPT)
    events.settle()
    assert track(api, first.body).body["state"] == "refused"
    # When the filer sends it again the same day with a real photo
    again = api.post("/public/complaints", body={**body, "files": [photo()]})
    # Then it is a filing of its own (not merged into the refused one), and a third send is merged into it
    assert again.status == 201, again.body
    assert again.body["duplicate_of"] is None and again.body["tracking_no"] != first.body["tracking_no"]
    post_file(again.body["uploads"][0]["upload"], JPEG)
    events.settle()
    assert track(api, again.body).body["state"] == "received"
    third = api.post("/public/complaints", body={**body, "files": []})
    assert third.body["duplicate_of"] == again.body["tracking_no"]


def test_an_anonymous_filing_resent_with_its_idempotency_key_makes_no_second_case(api, world: World):
    from ulid import ULID

    # Given an anonymous report the filer's app sends with a key it made
    body, key = report(), str(ULID())
    first = api.post("/public/complaints", body=body, headers={"Idempotency-Key": key})
    assert first.status == 201, first.body
    # When the reply is lost and the app sends the same filing again with the same key
    again = api.post("/public/complaints", body=body, headers={"Idempotency-Key": key})
    # Then it gets the first answer back (the same case and secret), and the agency has one case, not two
    assert again.status == 201 and again.headers.get("idempotent-replayed") == "true"
    assert (again.body["tracking_no"], again.body["secret"]) == (first.body["tracking_no"], first.body["secret"])
    listed = api.get("/complaints?state=received&limit=100", token=world.token("lc-head")).body["items"]
    assert [c["id"] for c in listed].count(first.body["tracking_no"]) == 1
    # And the same key with another body is refused, and a short key (guessable without a sign-in) is a 400
    other = api.post("/public/complaints", body=report(), headers={"Idempotency-Key": key})
    assert other.status == 422, other.body
    short = api.post("/public/complaints", body=report(), headers={"Idempotency-Key": "abcdefgh"})
    assert short.status == 400 and short.body["errors"][0]["field"] == "Idempotency-Key"

"""Daily supervision (日常监管, Art 28-30) through the API: a certified officer's on-site inspection (现场巡查) with
evidence sampling (现场抽样取证), the entrusted test (委托检测) whose report returns, the penalty (行政处罚)
archived with the subject's bad record; who may do each, and who sees none of it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from ulid import ULID

from chalicelib.core import clock, config
from chalicelib.orgs.models import Certificate
from tests.support.monitoring import CHIVES, PDF, act, model_body, sample_body
from tests.support.spotchecks import approved_subject
from tests.support.supervision import JPEG, MP4, evidence, inspect, inspection_body, upload
from tests.support.world import World


def _subject(api: Any, world: World) -> dict[str, Any]:
    sid = approved_subject(api, world)
    return dict(api.get(f"/subjects/{sid}", token=world.token("lc-supervisor")).body)


def _model(version: int) -> dict[str, Any]:
    body = model_body(version)
    body["objects"], body["items"] = body["objects"][:1], body["items"][:2]  # chives: procymidone, chlorpyrifos
    return body


def _entrust(api: Any, world: World, user: str, inspection_id: str, sample_ids: list[str], **extra: Any) -> Any:
    today = clock.cst_day(clock.now())
    body = {
        "inspection_id": inspection_id,
        "lab_org_id": world.agencies["jn-lab"].id,
        "sample_ids": sample_ids,
        "receive_by": today,
        "report_by": clock.cst_day(clock.now() + timedelta(days=7)),
        **extra,
    }
    return api.put(f"/entrusted-tests/{ULID()}", token=world.token(user), body=body)


def test_an_officer_inspects_samples_entrusts_a_test_whose_report_returns_and_archives_a_penalty(
    api, world: World, events
):
    subject = _subject(api, world)
    officer = world.token("lc-officer")
    # Given an enforcement officer with a valid certificate, on site at a Licheng subject whose code he scans,
    # with a photo and a video the phone made ids for
    photo, video = str(ULID()), str(ULID())
    iid = str(ULID())
    body = inspection_body(identity_code=subject["identity_code"])
    body["attachment_ids"] = [photo, video]
    # When the phone sends the inspection
    sent = api.put(f"/daily-inspections/{iid}", token=officer, body=body)
    # Then it is the enforcement agency's, of the scanned subject, with the officers and their certificates
    assert sent.status == 201, sent.body
    rec = sent.body
    assert (rec["subject_id"], rec["org_id"], rec["result"], rec["task_id"]) == (
        subject["id"],
        world.agencies["lc-enf"].id,
        "noncompliant",
        "RCJG-2026-0001",
    )
    assert [o["cert_no"] for o in rec["officers"]] == ["鲁农执-0001", "鲁农执-0101"]
    assert [f["state"] for f in rec["files"]] == ["missing", "missing"]
    # And sent again (the reply was lost) it is the same record; other content under the id is a 409
    again = api.put(f"/daily-inspections/{iid}", token=officer, body=body)
    assert (again.status, again.body) == (200, rec)
    changed = api.put(f"/daily-inspections/{iid}", token=officer, body={**body, "findings": "改了"})
    assert changed.status == 409 and changed.headers["content-type"] == "application/problem+json", changed.body
    # When the photo and the video arrive under the phone's ids
    upload(api, world, "lc-officer", "daily_inspection", iid, JPEG, "image/jpeg", id=photo)
    upload(api, world, "lc-officer", "daily_inspection", iid, MP4, "video/mp4", id=video)
    events.settle()
    shown = api.get(f"/daily-inspections/{iid}", token=officer).body
    assert [(f["attachment_id"], f["state"]) for f in shown["files"]] == [(photo, "attached"), (video, "attached")]

    # When the officer takes an evidence sample of chives by hand, with a photo of the sampling
    form = evidence()
    taken = api.post(f"/daily-inspections/{iid}/samples", token=officer, body=form)
    assert taken.status == 201, taken.body
    sid = taken.body["id"]
    assert (taken.body["task_kind"], taken.body["task_id"], taken.body["subject_id"]) == ("RCJG", iid, subject["id"])
    resent = api.post(f"/daily-inspections/{iid}/samples", token=officer, body=form)
    assert (resent.status, resent.body["id"]) == (200, sid)
    upload(api, world, "lc-officer", "sample", sid, JPEG, "image/jpeg")
    listed = api.get(f"/daily-inspections/{iid}/samples", token=officer).body["items"]
    assert [s["id"] for s in listed] == [sid]
    assert api.get(f"/daily-inspections/{iid}", token=officer).body["sample_ids"] == [sid]

    # When the officer entrusts the Jinan lab with testing it
    entrusted = _entrust(api, world, "lc-officer", iid, [sid])
    assert entrusted.status == 201, entrusted.body
    tid = entrusted.body["id"]
    assert (entrusted.body["state"], entrusted.body["lab_org_id"]) == ("sent", world.agencies["jn-lab"].id)
    # Then the lab sees it among the tests sent to it; another lab does not, and cannot read it
    lab = world.token("jn-lab-manager")
    assert tid in [t["id"] for t in api.get("/entrusted-tests", token=lab).body["items"]]
    assert tid not in [t["id"] for t in api.get("/entrusted-tests", token=world.token("lc-lab-manager")).body["items"]]
    assert api.get(f"/entrusted-tests/{tid}", token=world.token("lc-lab-manager")).status == 404
    # And its clock runs from the stream
    events.settle()
    assert _clock_status(tid) == "RUNNING"

    # When the lab receives the sample, takes the test with its model, and enters results
    act(
        api,
        world,
        "jn-lab-analyst",
        f"/samples/{sid}/receipt",
        {"handed_over_by": "执法人员", "condition": "intact", "seal_no": form["seal_no"]},
    )
    version = api.get(f"/entrusted-tests/{tid}", token=lab).body["version"]
    received = act(api, world, "jn-lab-manager", f"/entrusted-tests/{tid}/receive", _model(version))
    assert received["state"] == "received"
    assert received["samples"][0]["expected_items"] == ["procymidone", "chlorpyrifos"]
    rows = [
        {"sample_id": sid, "analyte": "procymidone", "value": "0.45", "unit": "mg/kg"},
        {"sample_id": sid, "analyte": "chlorpyrifos", "detected": False, "unit": "mg/kg"},
    ]
    entered = act(api, world, "jn-lab-analyst", "/results", {"results": rows})
    assert entered["unqualified_samples"] == [sid]
    # And returns its report, a PDF attached to the test
    events.settle()
    report = upload(api, world, "jn-lab-manager", "entrusted_test", tid, PDF, "application/pdf")
    events.settle()
    version = api.get(f"/entrusted-tests/{tid}", token=lab).body["version"]
    reported = act(
        api, world, "jn-lab-manager", f"/entrusted-tests/{tid}/report", {"version": version, "attachment_id": report}
    )
    # Then the officer sees the test reported, the sample unqualified (judged against GB 2763), and the report
    seen = api.get(f"/entrusted-tests/{tid}", token=officer).body
    assert (seen["state"], seen["report_id"], seen["unqualified_samples"]) == ("reported", report, [sid])
    assert seen == {**reported, "version": seen["version"]}
    assert seen["samples"][0]["verdict"] == "unqualified"
    got = api.get(f"/attachments/{report}", token=officer)
    assert got.status == 200 and got.body["download_url"], got.body
    # And the report stops its clock: nobody is reminded of a deadline met
    assert events.wait_for(lambda: _clock_status(tid) == "ABORTED", timeout=30)
    # And the failed test opens its enforcement case (执法案件), as a spot check's failure does: the officer's own
    # enforcement agency takes it, its package naming the inspection, the sample's custody and results, the report

    def case() -> dict[str, Any] | None:
        found = api.get(f"/cases/{tid}", token=officer)
        return dict(found.body) if found.status == 200 else None

    opened = events.wait_for(case, timeout=60)
    assert opened, "no case was opened"
    assert (opened["source"], opened["to_org_id"], opened["subject_id"]) == (
        "entrusted",
        world.agencies["lc-enf"].id,
        subject["id"],
    )
    assert {f["attachment_id"] for f in opened["files"]} >= {photo, video, report}
    assert seen["case_id"] == tid
    assert tid in [c["id"] for c in api.get("/cases", token=officer).body["items"]]
    # ... once, however often the stream delivers the report again
    events.poller.iterators.clear()
    events.settle()
    assert api.get(f"/cases/{tid}", token=officer).body["package_hash"] == opened["package_hash"]

    # When the officer records the penalty, its decision attached to the inspection
    decision = upload(api, world, "lc-officer", "daily_inspection", iid, PDF, "application/pdf")
    events.settle()
    penalty = {
        "case_no": "历农罚〔2026〕18号",
        "case_name": "某合作社销售腐霉利超标韭菜案",
        "finding": "抽样检测腐霉利0.45mg/kg，超过限量",
        "decision": "没收违法所得，罚款五千元",
        "penalty": {"kind": "fine", "amount_yuan": "5000"},
        "decided_on": clock.cst_day(clock.now()),
        "files": [decision],
    }
    archived = act(api, world, "lc-officer", f"/daily-inspections/{iid}/penalty", penalty)
    # Then it is on the inspection, and the subject's bad record (不良记录) was added once
    assert archived["penalty"]["case_no"] == "历农罚〔2026〕18号" and archived["penalty"]["bad_record_id"]
    bad = api.get(f"/subjects/{subject['id']}/bad-records", token=world.token("lc-head")).body["items"]
    assert [b["id"] for b in bad] == [archived["penalty"]["bad_record_id"]]
    assert api.get(f"/subjects/{subject['id']}", token=world.token("lc-head")).body["bad_records"] == 1
    # And sent again it changes nothing; another penalty on it is a 409
    assert act(api, world, "lc-officer", f"/daily-inspections/{iid}/penalty", penalty) == archived
    other = api.post(f"/daily-inspections/{iid}/penalty", token=officer, body={**penalty, "case_no": "另一案"})
    assert other.status == 409, other.body
    assert len(api.get(f"/subjects/{subject['id']}/bad-records", token=world.token("lc-head")).body["items"]) == 1
    # And the supervision agency over the county reads the inspection; the summary shows it sampled and penalized
    listed = api.get(f"/daily-inspections?subject_id={subject['id']}", token=world.token("lc-head")).body["items"]
    assert [(i["id"], i["samples"], i["penalized"]) for i in listed] == [(iid, 1, True)]


def _clock_status(test_id: str) -> str:
    import boto3

    from chalicelib.core import workflows
    from chalicelib.core.config import get_settings

    arn = get_settings().clock_state_machine_arn
    head, _, machine = arn.rpartition(":stateMachine:")
    name = workflows.execution_name("EntrustedTest", test_id, "sent")
    found = boto3.client("stepfunctions").describe_execution(executionArn=f"{head}:execution:{machine}:{name}")
    return str(found["status"])


def test_only_an_officer_with_a_valid_certificate_opens_an_inspection(api, world: World):
    subject = _subject(api, world)
    world.user("lc-enf-admin", "lc-enf", "lc-officer-uncertified", ["enforcement_officer"])
    world.user(
        "lc-enf-admin",
        "lc-enf",
        "lc-officer-expired",
        ["enforcement_officer"],
        certificate=Certificate(number="鲁农执-0909", valid_until="2024-12-31"),
    )
    body = inspection_body(subject_id=subject["id"])
    # An officer without a certificate, or with an expired one, is refused (403) and nothing is stored
    for user, why in (("lc-officer-uncertified", "you hold none"), ("lc-officer-expired", "expired on 2024-12-31")):
        iid = str(ULID())
        refused = api.put(f"/daily-inspections/{iid}", token=world.token(user), body=body)
        assert refused.status == 403 and why in refused.body["detail"], refused.body
        assert api.get(f"/daily-inspections/{iid}", token=world.token("lc-head")).status == 404
    # An inspection made offline is judged by the day it was done: the expired certificate was valid then
    then = {**body, "done_at": "2024-12-30T10:00:00+08:00"}
    assert api.put(f"/daily-inspections/{ULID()}", token=world.token("lc-officer-expired"), body=then).status == 201
    # ... but it takes no evidence sample today
    iid = inspect(api, world, "lc-officer", subject["id"])["id"]
    late = api.post(f"/daily-inspections/{iid}/samples", token=world.token("lc-officer-expired"), body=evidence())
    assert late.status == 403, late.body
    # A lab's sampler is no officer (the route refuses the role)
    assert api.put(f"/daily-inspections/{ULID()}", token=world.token("jn-lab-sampler"), body=body).status == 403
    # A certified supervisor of the county's supervision agency may
    assert api.put(f"/daily-inspections/{ULID()}", token=world.token("lc-supervisor"), body=body).status == 201


def test_another_countys_officer_sees_none_of_it_and_a_lab_only_what_was_sent_to_it(api, world: World):
    subject = _subject(api, world)
    rec = inspect(api, world, "lc-supervisor", subject["id"])
    iid = rec["id"]
    sample = api.post(f"/daily-inspections/{iid}/samples", token=world.token("lc-supervisor"), body=evidence())
    assert sample.status == 201, sample.body
    sent = _entrust(api, world, "lc-supervisor", iid, [sample.body["id"]])
    assert sent.status == 201, sent.body
    tid = sent.body["id"]
    # Lixia's supervisor and Jiangsu's officer: the records do not exist for them
    for user in ("lx-supervisor", "js-officer"):
        token = world.token(user)
        assert api.get(f"/daily-inspections/{iid}", token=token).status == 404
        assert api.get(f"/daily-inspections/{iid}/samples", token=token).status == 404
        assert api.get(f"/entrusted-tests/{tid}", token=token).status == 404
        assert api.post(f"/daily-inspections/{iid}/samples", token=token, body=evidence()).status == 404
        assert api.get(f"/daily-inspections?subject_id={subject['id']}", token=token).status == 404
        # ... nor may they inspect the subject
        other = api.put(f"/daily-inspections/{ULID()}", token=token, body=inspection_body(subject_id=subject["id"]))
        assert other.status == 404, other.body
    # Another county's officer may not take over the id either
    assert api.put(
        f"/daily-inspections/{iid}", token=world.token("lx-supervisor"), body=inspection_body(subject_id=subject["id"])
    ).status in (404, 409)
    # Licheng's enforcement officer is of another agency: it reads the subject's list, not the supervisor's record
    listed = api.get(f"/daily-inspections?subject_id={subject['id']}", token=world.token("lc-officer")).body["items"]
    assert iid not in [i["id"] for i in listed]
    assert api.get(f"/daily-inspections/{iid}", token=world.token("lc-officer")).status == 404
    # The lab sees only what was sent to it: the Licheng lab sees neither the test nor the sample
    assert api.get(f"/entrusted-tests/{tid}", token=world.token("jn-lab-manager")).status == 200
    assert api.get(f"/entrusted-tests/{tid}", token=world.token("lc-lab-manager")).status == 404
    assert api.get(f"/samples/{sample.body['id']}", token=world.token("lc-lab-manager")).status == 404
    refused = api.post(
        f"/samples/{sample.body['id']}/receipt",
        token=world.token("lc-lab-manager"),
        body={"handed_over_by": "x", "condition": "intact", "seal_no": "x"},
    )
    assert refused.status == 404, refused.body
    # And a sample already sent is not sent again to another lab
    again = _entrust(api, world, "lc-supervisor", iid, [sample.body["id"]], lab_org_id=world.agencies["lc-lab"].id)
    assert again.status == 422 and again.body["errors"][0]["message"] == "already sent to a lab", again.body


def test_an_unregistered_subject_is_captured_with_the_inspection_once(api, world: World):
    body = inspection_body(
        capture={
            "name": "路边韭菜摊",
            "category": "operation",
            "form": "individual",
            "region": "370112",
            "address": "港沟集市",
        }
    )
    iid = str(ULID())
    token = world.token("lc-supervisor")
    sent = api.put(f"/daily-inspections/{iid}", token=token, body=body)
    assert sent.status == 201, sent.body
    assert sent.body["captured"] is True and sent.body["subject_name"] == "路边韭菜摊"
    subject = api.get(f"/subjects/{sent.body['subject_id']}", token=token).body
    assert subject["state"] == "temporary"
    # Sent again: the same record, and no second subject captured
    again = api.put(f"/daily-inspections/{iid}", token=token, body=body)
    assert (again.status, again.body["subject_id"]) == (200, sent.body["subject_id"])
    # An enforcement officer does not capture (the supervision agency registers subjects)
    refused = api.put(f"/daily-inspections/{ULID()}", token=world.token("lc-officer"), body=body)
    assert refused.status == 403, refused.body


def test_bad_requests_change_nothing(api, world: World):
    subject = _subject(api, world)
    token = world.token("lc-supervisor")
    both = inspection_body(subject_id=subject["id"], identity_code=subject["identity_code"])
    assert api.put(f"/daily-inspections/{ULID()}", token=token, body=both).status == 400
    future = {**inspection_body(subject_id=subject["id"]), "done_at": (clock.now() + timedelta(days=1)).isoformat()}
    assert api.put(f"/daily-inspections/{ULID()}", token=token, body=future).status == 422
    assert api.put(
        "/daily-inspections/not-a-ulid", token=token, body=inspection_body(subject_id=subject["id"])
    ).status in (400, 422)
    rec = inspect(api, world, "lc-supervisor", subject["id"])
    # A sample of another subject's product is not evidence of this inspection
    elsewhere = api.post(f"/daily-inspections/{rec['id']}/samples", token=token, body=evidence(subject_id=str(ULID())))
    assert elsewhere.status == 422, elsewhere.body
    # A test of a sample not of the inspection, and a report before the results
    stray = _entrust(api, world, "lc-supervisor", rec["id"], [str(ULID())])
    assert stray.status == 422 and stray.body["errors"][0]["field"] == "body.sample_ids.0", stray.body
    assert api.get(f"/daily-inspections/{rec['id']}", token=token).body["sample_ids"] == []


@pytest.fixture
def quick_grace(monkeypatch):
    monkeypatch.setenv("SPOTCHECK_GRACE_SECONDS", "1")
    config.get_settings.cache_clear()
    yield
    monkeypatch.delenv("SPOTCHECK_GRACE_SECONDS")
    config.get_settings.cache_clear()


def test_a_lab_that_does_not_receive_in_time_is_reminded_then_the_officers_agency_is_told(
    api, world: World, events, quick_grace, monkeypatch
):
    subject = _subject(api, world)
    rec = inspect(api, world, "lc-officer", subject["id"])
    sample = api.post(f"/daily-inspections/{rec['id']}/samples", token=world.token("lc-officer"), body=evidence())
    assert sample.status == 201, sample.body
    real = clock.now()
    sent = _entrust(api, world, "lc-officer", rec["id"], [sample.body["id"]])
    assert sent.status == 201, sent.body
    tid = sent.body["id"]
    # When the receipt day ends and nobody at the lab received the sample
    later = clock.cst_day_end(clock.cst_day(real)) + timedelta(hours=1)
    monkeypatch.setattr(clock, "now", lambda: later)

    def overdue() -> list[str]:
        return list(api.get(f"/entrusted-tests/{tid}", token=world.token("lc-officer")).body["overdue"])

    # Then the lab is reminded, and after the grace period the receipt is overdue for the officer's agency
    assert events.wait_for(overdue, timeout=30)
    shown = api.get(f"/entrusted-tests/{tid}", token=world.token("jn-lab-manager")).body
    assert (shown["reminded"], shown["overdue"], shown["state"]) == (["receipt"], ["receipt"], "sent")

    def told() -> bool:
        inbox = api.get("/inbox", token=world.token("lc-officer")).body["items"]
        return any(i["action"] == "entrusted_test.overdue" for i in inbox)

    assert events.wait_for(told)
    # And a re-delivered stream starts nothing twice; the marks stay once each
    events.poller.iterators.clear()
    events.settle()
    from chalicelib.core import audit
    from chalicelib.core.db import query_all

    actions = [e.action for e in query_all(audit.AuditEntry, f"ETEST#{tid}") if e.record_sk == "ETEST"]
    assert actions.count("entrusted_test.reminded") == actions.count("entrusted_test.overdue") == 1


def _received_test(api: Any, world: World, user: str, **extra: Any) -> tuple[str, str]:
    """An inspection by `user` with one evidence sample, entrusted to the Jinan lab, received with its model:
    (the test's id, the sample's id)."""
    subject = _subject(api, world)
    iid = inspect(api, world, user, subject["id"])["id"]
    form = evidence()
    taken = api.post(f"/daily-inspections/{iid}/samples", token=world.token(user), body=form)
    assert taken.status == 201, taken.body
    sent = _entrust(api, world, user, iid, [taken.body["id"]], **extra)
    assert sent.status == 201, sent.body
    tid, sid = sent.body["id"], taken.body["id"]
    receipt = {"handed_over_by": "监管人员", "condition": "intact", "seal_no": form["seal_no"]}
    act(api, world, "jn-lab-analyst", f"/samples/{sid}/receipt", receipt)
    version = api.get(f"/entrusted-tests/{tid}", token=world.token("jn-lab-manager")).body["version"]
    act(api, world, "jn-lab-manager", f"/entrusted-tests/{tid}/receive", _model(version))
    return tid, sid


def test_a_supervisors_failed_test_goes_to_the_enforcement_agency_under_the_supervision_agency(
    api, world: World, events
):
    tid, sid = _received_test(api, world, "lc-supervisor")
    lab = world.token("jn-lab-manager")
    # A report before every sample has its verdict is refused
    version = api.get(f"/entrusted-tests/{tid}", token=lab).body["version"]
    report = upload(api, world, "jn-lab-manager", "entrusted_test", tid, PDF, "application/pdf")
    events.settle()
    early = api.post(f"/entrusted-tests/{tid}/report", token=lab, body={"version": version, "attachment_id": report})
    assert early.status == 409, early.body
    rows = [
        {"sample_id": sid, "analyte": "procymidone", "value": "0.45", "unit": "mg/kg"},
        {"sample_id": sid, "analyte": "chlorpyrifos", "value": "0.05", "unit": "mg/kg"},
    ]
    act(api, world, "jn-lab-analyst", "/results", {"results": rows})
    version = api.get(f"/entrusted-tests/{tid}", token=lab).body["version"]
    act(api, world, "jn-lab-manager", f"/entrusted-tests/{tid}/report", {"version": version, "attachment_id": report})

    # Then Licheng's enforcement agency (under Licheng's supervision agency) receives the case
    def case() -> dict[str, Any] | None:
        found = api.get(f"/cases/{tid}", token=world.token("lc-officer"))
        return dict(found.body) if found.status == 200 else None

    opened = events.wait_for(case, timeout=60)
    assert opened, "no case was opened"
    assert (opened["source"], opened["from_org_id"], opened["to_org_id"]) == (
        "entrusted",
        world.agencies["lc"].id,
        world.agencies["lc-enf"].id,
    )
    assert opened["assignment"]["by"] == "rule"
    # And the supervisor reads the reported test, its sample unqualified on both items
    seen = api.get(f"/entrusted-tests/{tid}", token=world.token("lc-supervisor")).body
    assert seen["samples"][0]["unqualified_items"] == ["chlorpyrifos", "procymidone"]


def test_a_lab_that_does_not_report_in_time_is_reminded_then_the_officers_agency_is_told(
    api, world: World, events, quick_grace, monkeypatch
):
    real = clock.now()
    tid, _ = _received_test(api, world, "lc-officer", report_by=clock.cst_day(real))
    # When the report day ends with the test received and not reported
    later = clock.cst_day_end(clock.cst_day(real)) + timedelta(hours=1)
    monkeypatch.setattr(clock, "now", lambda: later)

    def overdue() -> list[str]:
        return list(api.get(f"/entrusted-tests/{tid}", token=world.token("lc-officer")).body["overdue"])

    # Then the lab was reminded of the report (not of the receipt it made), and the report is overdue
    assert events.wait_for(overdue, timeout=30)
    shown = api.get(f"/entrusted-tests/{tid}", token=world.token("lc-officer")).body
    assert (shown["reminded"], shown["overdue"], shown["state"]) == (["report"], ["report"], "received")
    assert events.wait_for(lambda: _clock_status(tid) == "SUCCEEDED", timeout=30)


def test_an_evidence_sample_scanned_from_the_subjects_batch_code_names_product_batch_and_subject(api, world: World):
    subject = _subject(api, world)
    token = world.token("lc-supervisor")
    product = api.get(f"/subjects/{subject['id']}/products", token=token).body["items"][0]
    batch = api.post(
        f"/products/{product['id']}/batches",
        token=token,
        body={"kind": "production", "quantity": 20, "unit": "kg", "produced_at": "2026-05-01T08:00:00+08:00"},
    )
    assert batch.status == 201, batch.body
    iid = inspect(api, world, "lc-supervisor", subject["id"])["id"]
    # When the supervisor scans the batch's traceability code on site
    form = sample_body(trace_code=batch.body["code_long"])
    taken = api.post(f"/daily-inspections/{iid}/samples", token=token, body=form)
    # Then the sample names the product, the batch and the subject the code names
    assert taken.status == 201, taken.body
    assert (taken.body["product_code"], taken.body["batch_id"], taken.body["subject_id"]) == (
        CHIVES,
        batch.body["id"],
        subject["id"],
    )
    # And another subject's product scanned at this inspection is no evidence of it
    other = _subject(api, world)
    elsewhere = api.get(f"/subjects/{other['id']}/products", token=token).body["items"][0]
    code = api.post(
        f"/products/{elsewhere['id']}/batches",
        token=token,
        body={"kind": "production", "quantity": 5, "unit": "kg", "produced_at": "2026-05-01T08:00:00+08:00"},
    ).body["code_long"]
    refused = api.post(f"/daily-inspections/{iid}/samples", token=token, body=sample_body(trace_code=code))
    assert refused.status == 422 and refused.body["errors"][0]["field"] == "body.trace_code", refused.body

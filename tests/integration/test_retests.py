"""Retests (复检, Art 26): applied for in time, done by another lab on the reserved sample; the verdict follows."""

from __future__ import annotations

import os

import boto3
import pytest

from chalicelib.core import config
from chalicelib.testing import store as samples
from tests.support.monitoring import act
from tests.support.spotchecks import SpotWalk
from tests.support.world import World


def status(sample_id: str) -> str:
    arn = os.environ["RETEST_STATE_MACHINE_ARN"]
    head, _, machine = arn.rpartition(":stateMachine:")
    execution = f"{head}:execution:{machine}:SampleFailure-{sample_id}-retest"
    return str(boto3.client("stepfunctions").describe_execution(executionArn=execution)["status"])


def retest(api, world: World, sid: str, value: str) -> dict:
    """The county applies for the subject, then the retest is done."""
    act(api, world, "lc-head", f"/samples/{sid}/retest-application", {"reason": "对检测结果有异议，申请复检"})
    return retest_done(api, world, sid, value)


def retest_done(api, world: World, sid: str, value: str) -> dict:
    """The county assigns the province's lab, which receives the reserved sample (same seal) and tests it."""
    assigned = act(api, world, "lc-head", f"/samples/{sid}/retest", {"lab_org_id": world.agencies["sd-lab"].id})
    copy = assigned["retest"]["retest_sample_id"]
    custody = {"handed_over_by": "历城区农业农村局", "condition": "intact", "seal_no": samples.get_sample(sid).seal_no}
    act(api, world, "sd-lab-analyst", f"/samples/{copy}/receipt", custody)
    rows = [
        {"sample_id": copy, "analyte": "procymidone", "value": value, "unit": "mg/kg"},
        {"sample_id": copy, "analyte": "chlorpyrifos", "detected": False, "unit": "mg/kg"},
    ]
    act(api, world, "sd-lab-analyst", "/results", {"results": rows})
    return assigned


def test_a_retest_that_confirms_the_failure(api, world: World, events):
    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    # The failure opens the retest window: the workflow waits for an application
    assert events.wait_for(lambda: samples.get_failure(sid).stage == "application")
    # The original lab cannot take the retest; the province's lab does, on the reserved sample
    act(api, world, "lc-head", f"/samples/{sid}/retest-application", {"reason": "对检测结果有异议"})
    same_lab = api.post(
        f"/samples/{sid}/retest", token=world.token("lc-head"), body={"lab_org_id": world.agencies["jn-lab"].id}
    )
    assert same_lab.status == 422
    assert (
        api.post(f"/samples/{sid}/retest-application", token=world.token("lc-head"), body={"reason": "again"}).status
        == 409
    )
    copy = retest_done(api, world, sid, "0.35")["retest"]["retest_sample_id"]
    # The final verdict follows the retest; original and retest results both stay
    assert events.wait_for(lambda: samples.get_failure(sid).final_verdict == "unqualified")
    shown = api.get(f"/samples/{sid}/retest", token=world.token("sd-head")).body
    assert shown["state"] == "confirmed" and shown["retest"]["verdict"] == "unqualified"
    assert samples.get_sample(sid).results["procymidone"]["value"] == "0.4"
    assert samples.get_sample(copy).results["procymidone"]["value"] == "0.35"
    assert events.wait_for(lambda: status(sid) == "SUCCEEDED")
    # Another province sees nothing of it
    assert api.get(f"/samples/{sid}/retest", token=world.token("js-head")).status == 404


def test_a_retest_that_clears_the_product(api, world: World, events):
    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    assert events.wait_for(lambda: samples.get_failure(sid).stage == "application")
    retest(api, world, sid, "0.15")
    assert events.wait_for(lambda: samples.get_failure(sid).final_verdict == "qualified")
    assert samples.get_failure(sid).state == "cleared"


@pytest.fixture
def short_window(monkeypatch):
    monkeypatch.setenv("RETEST_WINDOW_SECONDS", "1")
    config.get_settings.cache_clear()
    yield
    monkeypatch.delenv("RETEST_WINDOW_SECONDS")
    config.get_settings.cache_clear()


def test_with_no_application_in_the_legal_period_the_failure_is_final(api, world: World, events, short_window):
    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    assert events.wait_for(lambda: samples.get_failure(sid).final_verdict == "unqualified")
    assert samples.get_failure(sid).state == "confirmed" and samples.get_failure(sid).retest is None
    late = api.post(f"/samples/{sid}/retest-application", token=world.token("lc-head"), body={"reason": "迟到的申请"})
    assert late.status == 409


def handover_status(sample_id: str) -> str:
    arn = os.environ["HANDOVER_STATE_MACHINE_ARN"]
    head, _, machine = arn.rpartition(":stateMachine:")
    execution = f"{head}:execution:{machine}:SampleFailure-{sample_id}-handover"
    client = boto3.client("stepfunctions")
    try:
        return str(client.describe_execution(executionArn=execution)["status"])
    except client.exceptions.ExecutionDoesNotExist:
        return "NOT_STARTED"


def case_of(sample_id: str):
    from chalicelib.core.errors import NotFoundError
    from chalicelib.enforcement import store as cases

    try:
        return cases.get(sample_id)
    except NotFoundError:
        return None


def test_a_confirmed_failure_is_handed_to_enforcement_and_ends_in_a_penalty(api, world: World, events):
    import hashlib
    import json

    import requests

    from chalicelib.core import audit

    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    assert events.wait_for(lambda: samples.get_failure(sid).stage == "application")
    retest(api, world, sid, "0.33")
    # SC-9: the confirmed failure's package reaches the county's enforcement agency
    assert events.wait_for(lambda: (c := case_of(sid)) is not None and c.state == "awaiting_acknowledgement")
    inbox = api.get("/cases", token=world.token("lc-officer")).body["items"]
    assert [c["id"] for c in inbox if c["sample_id"] == sid] == [sid]
    case = api.get(f"/cases/{sid}", token=world.token("lc-officer")).body
    package = requests.get(case["package_url"], timeout=10).content
    assert hashlib.sha256(package).hexdigest() == case["package_hash"]
    content = json.loads(package)
    assert content["sampling"]["sample_id"] == sid and content["final_verdict"] == "unqualified"
    assert content["retest"]["verdict"] == "unqualified" and content["draw"]["seed"]
    assert audit.canonical(content) == package.decode()
    # Outside the chain nobody sees the case
    assert api.get(f"/cases/{sid}", token=world.token("js-head")).status == 404
    assert api.get(f"/cases/{sid}", token=world.token("lx-head")).status == 404
    # The enforcement agency acknowledges, investigates, and archives its result with the penalty
    act(api, world, "lc-officer", f"/cases/{sid}/acknowledge", {"note": "已签收，立案调查"})
    result = {
        "case_no": "历农执罚〔2026〕18号",
        "finding": "该批次韭菜腐霉利残留超标",
        "decision": "责令改正，罚款",
        "penalty": {"kind": "fine", "amount_yuan": "5000"},
        "decided_on": "2026-11-28",
    }
    act(api, world, "lc-officer", f"/cases/{sid}/result", result)
    assert events.wait_for(lambda: case_of(sid).state == "archived")
    assert events.wait_for(lambda: handover_status(sid) == "SUCCEEDED")
    subject = samples.get_sample(sid).subject_id
    bad = api.get(f"/subjects/{subject}/bad-records", token=world.token("lc-head")).body["items"]
    assert any(b["kind"] == "penalty" and "历农执罚" in b["description"] for b in bad)
    # One evidence chain: trace code → draw → sampling → custody → results → retest → handover → penalty, intact
    chain = api.get(f"/samples/{sid}/evidence", token=world.token("sd-head"))
    assert chain.status == 200, chain.body
    steps = [link["step"] for link in chain.body["links"]]
    assert steps == [
        "trace_code",
        "draw",
        "sampling",
        "custody",
        "results",
        "retest",
        "final_verdict",
        "handover",
        "penalty",
    ]
    assert chain.body["intact"]
    links = {link["step"]: link for link in chain.body["links"]}
    assert links["draw"]["replay_matches"] and links["draw"]["subject_was_drawn"]
    assert links["handover"]["package_matches"] and links["penalty"]["result"]["case_no"] == "历农执罚〔2026〕18号"
    assert api.get(f"/samples/{sid}/evidence", token=world.token("js-head")).status == 404


def test_a_cleared_product_is_never_handed_over(api, world: World, events):
    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    assert events.wait_for(lambda: samples.get_failure(sid).stage == "application")
    retest(api, world, sid, "0.1")
    assert events.wait_for(lambda: samples.get_failure(sid).state == "cleared")
    events.settle()
    assert case_of(sid) is None


@pytest.fixture
def quick_acknowledgement(monkeypatch):
    monkeypatch.setenv("RETEST_WINDOW_SECONDS", "1")
    monkeypatch.setenv("HANDOVER_ACK_SECONDS", "1")
    config.get_settings.cache_clear()
    yield
    monkeypatch.delenv("RETEST_WINDOW_SECONDS")
    monkeypatch.delenv("HANDOVER_ACK_SECONDS")
    config.get_settings.cache_clear()


def test_a_missed_acknowledgement_escalates_to_the_level_above(api, world: World, events, quick_acknowledgement):
    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    # No retest application in time; the case is not acknowledged in time either: the city sees it now
    assert events.wait_for(lambda: (c := case_of(sid)) is not None and c.state == "escalated", timeout=60)
    assert case_of(sid).escalated_to == world.agencies["lc"].parent_id == world.agencies["jn"].id
    assert api.get(f"/cases/{sid}", token=world.token("jn-head")).status == 200
    # A late acknowledgement still counts
    act(api, world, "lc-officer", f"/cases/{sid}/acknowledge", {"note": "迟签收"})
    assert case_of(sid).state == "acknowledged"


def test_a_handover_step_that_keeps_failing_is_retried_then_caught_and_shown(
    api, world: World, events, monkeypatch, short_window
):
    calls = []

    def broken(event, context):
        calls.append(event)
        raise RuntimeError("S3 did not answer")

    monkeypatch.setitem(events.router.handlers, "wf_deliver_case", broken)
    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    # No retest applied for in time: final, handed over; delivery fails every time, is retried, then caught
    assert events.wait_for(lambda: handover_status(sid) == "FAILED", timeout=60)
    assert len(calls) == 4
    assert samples.get_failure(sid).workflow_error.startswith("handover:")
    assert case_of(sid) is None

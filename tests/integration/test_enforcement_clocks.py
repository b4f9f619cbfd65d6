"""The handover's clocks and its addressee: a missed investigation reminds, then escalates to the level above,
which lists the case; the enforcement agency is picked by the stated rule, or by the supervision agency's choice."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import boto3
import pytest

from chalicelib.core import audit, clock, config
from chalicelib.core.db import query_all
from chalicelib.enforcement import service as enforcement
from tests.support.monitoring import act
from tests.support.spotchecks import SpotWalk, case_or_none, final_failure
from tests.support.world import World

FAKE_NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def handover_status(sample_id: str) -> str:
    arn = os.environ["HANDOVER_STATE_MACHINE_ARN"]
    head, _, machine = arn.rpartition(":stateMachine:")
    execution = f"{head}:execution:{machine}:SampleFailure-{sample_id}-handover"
    client = boto3.client("stepfunctions")
    try:
        return str(client.describe_execution(executionArn=execution)["status"])
    except client.exceptions.ExecutionDoesNotExist:
        return "NOT_STARTED"


@pytest.fixture
def quick_investigation(monkeypatch):
    """The investigation is due a second after acknowledgement; a second more to the escalation, two to failure."""
    monkeypatch.setenv("INVESTIGATION_SECONDS", "1")
    monkeypatch.setenv("INVESTIGATION_GRACE_SECONDS", "2")
    config.get_settings.cache_clear()
    yield
    monkeypatch.delenv("INVESTIGATION_SECONDS")
    monkeypatch.delenv("INVESTIGATION_GRACE_SECONDS")
    config.get_settings.cache_clear()


@pytest.fixture
def fake_clock(monkeypatch):
    """The platform's clock stands still at FAKE_NOW (the state machine's own timers still run)."""

    def freeze() -> None:
        monkeypatch.setattr(clock, "now", lambda: FAKE_NOW)

    return freeze


def test_an_investigation_not_recorded_in_time_reminds_then_escalates_and_the_city_lists_it(
    api, world: World, events, quick_investigation, fake_clock
):
    # Given a case handed to Licheng's enforcement agency, which acknowledges it
    sid = final_failure(api, world)
    assert events.wait_for(lambda: (c := case_or_none(sid)) is not None and c.state == "awaiting_acknowledgement")
    fake_clock()
    act(api, world, "lc-officer", f"/cases/{sid}/acknowledge", {"note": "已签收"})
    # When no investigation result is recorded by the deadline: first a reminder to the agency itself
    assert events.wait_for(lambda: int(case_or_none(sid).reminders or 0) >= 1, timeout=60)
    # Then, still none: escalated to the level above the county (Jinan), with when and why
    assert events.wait_for(lambda: bool(case_or_none(sid).escalations), timeout=60)
    shown = api.get(f"/cases/{sid}", token=world.token("lc-officer")).body
    jinan = world.agencies["jn"].id
    assert shown["escalations"] == [
        {"stage": "result", "at": clock.iso(FAKE_NOW), "to": jinan, "reason": "no investigation result by the deadline"}
    ]
    assert shown["reminders"] == 2 and shown["escalated_to"] == jinan and shown["state"] == "acknowledged"
    actions = [e.action for e in query_all(audit.AuditEntry, f"CASE#{sid}") if e.record_sk == "CASE"]
    assert actions.index("case.reminded") < actions.index("case.escalated")
    # The city lists the case (it was handed to Licheng's agency, escalated to Jinan) and reads why it is there
    listed = api.get("/cases", token=world.token("jn-head"))
    assert listed.status == 200, listed.body
    assert [c["id"] for c in listed.body["items"]].count(sid) == 1
    mine = next(c for c in listed.body["items"] if c["id"] == sid)
    assert mine["to_org_id"] == world.agencies["lc-enf"].id and mine["escalations"][0]["to"] == jinan
    assert api.get(f"/cases/{sid}", token=world.token("jn-head")).status == 200
    # Another county and another province still see nothing
    assert all(c["id"] != sid for c in api.get("/cases", token=world.token("lx-head")).body["items"])
    assert api.get(f"/cases/{sid}", token=world.token("js-head")).status == 404
    # No result at all after the escalation either: the execution fails, visibly on the case
    assert events.wait_for(lambda: handover_status(sid) == "FAILED", timeout=60)
    assert "States.Timeout" in (case_or_none(sid).workflow_error or "")


def test_the_rule_hands_a_case_to_the_enforcement_agency_of_the_subjects_county(world: World):
    # Given Jinan with two enforcement agencies under it: the city's own, and one for Licheng county
    world.agency("jn-admin", "jn-enf", "济南市农业综合行政执法支队", "enforcement", "370100", parent="jn")
    world.agency("jn-admin", "jn-lc-enf", "济南市农业综合行政执法支队历城大队", "enforcement", "370112", parent="jn")
    jinan, city, county = world.agencies["jn"].id, world.agencies["jn-enf"].id, world.agencies["jn-lc-enf"].id
    # When Jinan hands over a case of a subject in Licheng (a township of it), the county's agency takes it
    picked = enforcement.assign_agency(jinan, "370112001", None)
    assert picked == {"org_id": county, "by": "rule", "rule": "subject_county", "candidates": sorted([city, county])}
    # A subject in Lixia, which has no enforcement agency of its own under Jinan: the city's own
    assert enforcement.assign_agency(jinan, "370102", None)["org_id"] == city
    assert enforcement.assign_agency(jinan, "370102", None)["rule"] == "own_region"


def test_with_two_agencies_in_one_county_the_lowest_id_takes_it_by_rule(api, world: World, events):
    # Given a second enforcement agency in Licheng beside its brigade (tie: both are Licheng's)
    if "lc-enf-2" not in world.agencies:
        world.agency("jn-admin", "lc-enf-2", "历城区农产品质量安全执法中队", "enforcement", "370112", parent="lc")
    first = min(world.agencies["lc-enf"].id, world.agencies["lc-enf-2"].id)
    # When a failure becomes final and nobody chose: the rule picks, and the case says so
    sid = final_failure(api, world)
    assert events.wait_for(lambda: (c := case_or_none(sid)) is not None and c.state == "awaiting_acknowledgement")
    shown = api.get(f"/cases/{sid}", token=world.token("lc-head")).body
    assert shown["to_org_id"] == first
    assert shown["assignment"]["by"] == "rule" and shown["assignment"]["rule"] == "subject_county"


def test_a_supervision_agencys_choice_is_honoured_and_recorded(api, world: World, events):
    if "lc-enf-2" not in world.agencies:
        world.agency("jn-admin", "lc-enf-2", "历城区农产品质量安全执法中队", "enforcement", "370112", parent="lc")
    chosen = max(world.agencies["lc-enf"].id, world.agencies["lc-enf-2"].id)  # not the one the rule would take
    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    # Only an active enforcement agency under the county, and only by the county
    wrong = api.request(
        "PUT",
        f"/samples/{sid}/enforcement-agency",
        token=world.token("lc-head"),
        body={"org_id": world.agencies["js-enf"].id},
    )
    assert wrong.status == 422, wrong.body
    city = api.request(
        "PUT", f"/samples/{sid}/enforcement-agency", token=world.token("jn-head"), body={"org_id": chosen}
    )
    assert city.status == 403, city.body
    # When Licheng's head names its chosen agency before the failure is final
    body = {"org_id": chosen, "note": "属地执法中队承办"}
    reply = api.request("PUT", f"/samples/{sid}/enforcement-agency", token=world.token("lc-head"), body=body)
    assert reply.status == 200, reply.body
    from chalicelib.spotchecks import retests

    retests.close({"sample_id": sid, "outcome": "lapsed"})
    # Then the machine delivers it there, and the case says who chose
    assert events.wait_for(lambda: (c := case_or_none(sid)) is not None and c.state == "awaiting_acknowledgement")
    shown = api.get(f"/cases/{sid}", token=world.token("lc-head")).body
    assert shown["to_org_id"] == chosen
    assert shown["assignment"]["by"] == "choice"
    assert shown["assignment"]["chosen_by"] == world.users["lc-head"].id
    assert shown["assignment"]["note"] == "属地执法中队承办"
    delivered = next(e for e in query_all(audit.AuditEntry, f"CASE#{sid}") if e.action == "case.delivered")
    assert delivered.detail["assignment"]["chosen_by"] == world.users["lc-head"].id
    chose = next(e for e in query_all(audit.AuditEntry, f"CASE#{sid}") if e.action == "case.agency_chosen")
    assert chose.actor == world.users["lc-head"].id
    # Too late once delivered
    again = api.request("PUT", f"/samples/{sid}/enforcement-agency", token=world.token("lc-head"), body=body)
    assert again.status == 409

"""Complaints and reports from the public (投诉举报): filed without an account, routed to the county's agency,
accepted within working days of the China calendar, handled, answered and followed by the filer alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from ulid import ULID

from chalicelib.core import clock, config, workflows
from chalicelib.core.config import get_settings
from tests.support.complaints import JPEG, SCRIPT, case, complaint, photo, post_file, report, track, traceable
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
        "/public/complaints", body=report(subject={"code": code}, place=None, hazard="pesticide_residue", files=[photo()])
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
    # ... inspects the subject on site and links the inspection; a record they cannot read is refused
    published(api, world, "SD-CR-1")
    iid = str(ULID())
    sent = api.put(f"/inspections/{iid}", token=world.token("lc-supervisor"), body=inspection_body(sid, "SD-CR-1"))
    assert sent.status == 201, sent.body
    wrong = api.post(
        f"/complaints/{cid}/actions",
        token=world.token("lc-supervisor"),
        body={"version": accepted.body["version"], "kind": "inspection", "ref_id": str(ULID())},
    )
    assert wrong.status == 422 and wrong.body["errors"][0]["field"] == "body.ref_id", wrong.body
    linked = api.post(
        f"/complaints/{cid}/actions",
        token=world.token("lc-supervisor"),
        body={"version": accepted.body["version"], "kind": "inspection", "ref_id": iid, "note": "现场检查"},
    )
    assert linked.status == 200, linked.body
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

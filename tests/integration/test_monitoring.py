"""Risk monitoring (风险监测, Art 9-18) end to end through the API, with the distribution workflow running."""

from __future__ import annotations

import io
import os
from urllib.parse import quote

import boto3
import requests

from chalicelib.testing import store as samples
from tests.support.monitoring import (
    CABBAGE,
    CHIVES,
    act,
    assignment,
    model_body,
    new_task,
    sample_body,
    task,
    traced_batch,
    upload_pdf,
)
from tests.support.world import World


def execution_status(task_id: str, publication: int = 1) -> str:
    sfn = boto3.client("stepfunctions")
    arn = os.environ["DISTRIBUTION_STATE_MACHINE_ARN"]
    name = f"MonitoringTask-{task_id}-publish-{publication}"
    head, _, machine = arn.rpartition(":stateMachine:")
    return str(sfn.describe_execution(executionArn=f"{head}:execution:{machine}:{name}")["status"])


def test_a_routine_monitoring_task_from_issue_to_overall_report(api, world: World, events):
    lab = world.agencies
    # RM-1: the province writes a routine monitoring task and publishes it to its lead lab
    made = new_task(api, world)
    tid = made["id"]
    assert made["state"] == "draft"
    # A draft is the issuer's alone: the lead lab does not see it yet
    assert api.get(f"/monitoring-tasks/{tid}", token=world.token("sd-lab-manager")).status == 404
    published = act(api, world, "sd-head", f"/monitoring-tasks/{tid}/publish", {"version": made["version"]})
    assert published["state"] == "published"

    # The stream starts the distribution workflow, which creates the lead's assignment and waits for receipt
    assert events.wait_for(lambda: (a := assignment(tid, "lead", "sd-lab", world)) and a.state == "awaiting_receipt")
    led = api.get("/monitoring-tasks?box=led", token=world.token("sd-lab-manager")).body["items"]
    assert tid in [t["id"] for t in led]

    # RM-3: the lead receives; RM-4: configures the model (limits from the library, pinned or in force)
    received = act(api, world, "sd-lab-manager", f"/monitoring-tasks/{tid}/receive", {"version": published["version"]})
    assert received["state"] == "received"
    configured = api.request(
        "PUT",
        f"/monitoring-tasks/{tid}/model",
        token=world.token("sd-lab-manager"),
        body=model_body(received["version"]),
    )
    assert configured.status == 200, configured.body
    items = {i["analyte"]: i for i in configured.body["model"]["items"]}
    assert items["procymidone"]["limit"]["value"] == "0.2"
    assert items["procymidone"]["limit"]["standard"] == "GB 2763-2021"
    assert items["procymidone"]["limit"]["library_id"]
    assert items["deltamethrin"]["limit"]["standard"] == "GB 2763-2019"

    # RM-5: distribution with a quota per undertaking unit
    assert events.wait_for(
        lambda: task(tid).state == "received" and assignment(tid, "lead", "sd-lab", world).stage == "distribution"
    )
    distributed = act(
        api,
        world,
        "sd-lab-manager",
        f"/monitoring-tasks/{tid}/distribute",
        {
            "version": configured.body["version"],
            "units": [
                {
                    "org_id": lab["jn-lab"].id,
                    "deadline": made["deadline"],
                    "quotas": [{"product_code": CHIVES, "region": "370112", "samples": 2}],
                },
                {
                    "org_id": lab["lc-lab"].id,
                    "deadline": made["deadline"],
                    "quotas": [{"product_code": CABBAGE, "region": "370112", "samples": 2}],
                },
            ],
        },
    )
    assert distributed["state"] == "in_progress"
    # The Map fans out one assignment per unit, each waiting for its receipt
    assert events.wait_for(
        lambda: all(
            (a := assignment(tid, "unit", u, world)) and a.state == "awaiting_receipt" for u in ("jn-lab", "lc-lab")
        )
    )
    jn_id = assignment(tid, "unit", "jn-lab", world).id
    lc_id = assignment(tid, "unit", "lc-lab", world).id

    # An undertaking lab sees its own assignment only; a lab of another province sees nothing
    mine = api.get("/monitoring-assignments", token=world.token("lc-lab-manager")).body["items"]
    assert [a["id"] for a in mine if a["task_id"] == tid] == [lc_id]
    assert api.get(f"/monitoring-assignments/{jn_id}", token=world.token("lc-lab-manager")).status == 404
    assert api.get(f"/monitoring-tasks/{tid}", token=world.token("js-lab-manager")).status == 404
    assert (
        api.post(f"/monitoring-tasks/{tid}/receive", token=world.token("js-lab-manager"), body={"version": 1}).status
        == 404
    )

    # RM-6: both units receive their part
    for user, aid in (("jn-lab-manager", jn_id), ("lc-lab-manager", lc_id)):
        version = api.get(f"/monitoring-assignments/{aid}", token=world.token(user)).body["version"]
        assert (
            act(api, world, user, f"/monitoring-assignments/{aid}/receive", {"version": version})["state"] == "received"
        )

    # RM-7: sampling. Jinan's sampler scans a batch's code: product, batch and subject come from the code
    traced = traced_batch(api, world, CHIVES, "韭菜")
    code = traced["batch"]["code_short"]
    form = api.get(f"/monitoring-tasks/{tid}/prefill?code={quote(code, safe='')}", token=world.token("jn-lab-sampler"))
    assert form.status == 200, form.body
    assert form.body["product_name"] == "韭菜" and form.body["batch_id"] == traced["batch"]["id"]
    assert form.body["in_quota"] and form.body["expected_items"] == ["procymidone", "chlorpyrifos"]
    # Licheng's sampler has no chives in its quota: the same code is out of its quota
    other = api.get(f"/monitoring-tasks/{tid}/prefill?code={quote(code, safe='')}", token=world.token("lc-lab-sampler"))
    assert other.status == 200 and not other.body["in_quota"]
    scanned = sample_body(trace_code=code)
    first = api.post(f"/monitoring-tasks/{tid}/samples", token=world.token("jn-lab-sampler"), body=scanned)
    assert first.status == 201, first.body
    assert first.body["product_code"] == CHIVES and first.body["batch_id"] == traced["batch"]["id"]
    assert first.body["subject_name"] == "历城区韭菜种植合作社"
    assert first.body["expected_items"] == ["procymidone", "chlorpyrifos"]
    # A resend from a bad connection changes nothing; the same id with other content is refused
    again = api.post(f"/monitoring-tasks/{tid}/samples", token=world.token("jn-lab-sampler"), body=scanned)
    assert again.status == 200 and again.body["version"] == first.body["version"]
    assert (
        api.post(
            f"/monitoring-tasks/{tid}/samples",
            token=world.token("jn-lab-sampler"),
            body={**scanned, "seal_no": "OTHER"},
        ).status
        == 409
    )
    # A photo of the sampling goes with the sample
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"x" * 200
    ticket = api.post(
        "/attachments",
        token=world.token("jn-lab-sampler"),
        body={
            "owner_kind": "sample",
            "owner_id": first.body["id"],
            "filename": "抽样现场.jpg",
            "content_type": "image/jpeg",
            "size": len(jpeg),
        },
    )
    assert ticket.status == 201, ticket.body
    requests.post(
        ticket.body["upload"]["url"], data=ticket.body["upload"]["fields"], files={"file": ("p.jpg", jpeg)}, timeout=10
    )
    events.settle()
    photo = api.get(f"/attachments/{ticket.body['attachment']['id']}", token=world.token("sd-head")).body
    assert photo["state"] == "attached" and photo["owner_kind"] == "sample"
    # Licheng's sampler enters a cabbage with no code by hand
    typed = sample_body(product_code=CABBAGE, product_name="大白菜", subject_name="港沟集市摊位")
    by_hand = api.post(f"/monitoring-tasks/{tid}/samples", token=world.token("lc-lab-sampler"), body=typed)
    assert by_hand.status == 201, by_hand.body
    # Outside its quota a unit cannot sample: Licheng has no chives
    wrong = api.post(
        f"/monitoring-tasks/{tid}/samples",
        token=world.token("lc-lab-sampler"),
        body=sample_body(product_code=CHIVES, product_name="韭菜"),
    )
    assert wrong.status == 422

    # RM-8: the lab receives the sample (chain of custody), then enters results; a sampler may not
    sid, cid = first.body["id"], by_hand.body["id"]
    custody = {"handed_over_by": "张抽样", "condition": "intact", "seal_no": scanned["seal_no"]}
    got = act(api, world, "jn-lab-analyst", f"/samples/{sid}/receipt", custody)
    assert got["state"] == "received" and got["custody"][0]["received_by"] == world.users["jn-lab-analyst"].id
    act(api, world, "lc-lab-manager", f"/samples/{cid}/receipt", {**custody, "seal_no": typed["seal_no"]})
    results = {
        "results": [
            {"sample_id": sid, "analyte": "procymidone", "value": "0.3", "unit": "mg/kg"},
            {"sample_id": sid, "analyte": "chlorpyrifos", "detected": False, "unit": "mg/kg"},
        ]
    }
    assert api.post("/results", token=world.token("jn-lab-sampler"), body=results).status == 403
    # Another lab cannot enter results on Jinan's sample
    assert api.post("/results", token=world.token("lc-lab-manager"), body=results).status == 404
    entered = act(api, world, "jn-lab-analyst", "/results", results)
    assert entered["unqualified_samples"] == [sid]
    judged = api.get(f"/samples/{sid}", token=world.token("sd-lab-manager")).body
    assert judged["verdict"] == "unqualified" and judged["unqualified_items"] == ["procymidone"]
    outcomes = {r["analyte"]: r["outcome"] for r in judged["results"]}
    assert outcomes == {"procymidone": "unqualified", "chlorpyrifos": "not_detected"}
    # Exactly at the limit is qualified
    act(
        api,
        world,
        "lc-lab-manager",
        "/results",
        {"results": [{"sample_id": cid, "analyte": "deltamethrin", "value": 0.5, "unit": "mg/kg"}]},
    )
    assert api.get(f"/samples/{cid}", token=world.token("lc-lab-manager")).body["verdict"] == "qualified"

    # Every unqualified sample is a failure event on the stream
    assert samples.get_sample(sid).verdict == "unqualified"
    failure = samples.FailureRecord.get(f"FAIL#{sid}", "FAIL")
    assert failure.items[0]["analyte"] == "procymidone"
    events.settle()
    inbox = api.get("/inbox", token=world.token("sd-head")).body["items"]
    assert any(i["kind"] == "SampleFailure" and i["id"] == sid for i in inbox)

    failures = api.get(f"/monitoring-tasks/{tid}/failures", token=world.token("sd-head")).body["items"]
    assert [(f["sample_id"], f["items"][0]["analyte"]) for f in failures] == [(sid, "procymidone")]
    assert api.get(f"/monitoring-tasks/{tid}/failures", token=world.token("lc-lab-manager")).body["items"] == []
    # RM-9: the undertaking unit exports the result summary table
    export = act(api, world, "jn-lab-manager", f"/monitoring-assignments/{jn_id}/summary-export", status=201)
    assert export["rows"] == 2
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(requests.get(export["download_url"], timeout=10).content), read_only=True)
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert "不合格" in cells and sid in cells

    # ... and uploads its summary analysis report to the lead
    for user, aid in (("jn-lab-manager", jn_id), ("lc-lab-manager", lc_id)):
        pdf = upload_pdf(api, world, user, "assignment", aid, events)
        version = api.get(f"/monitoring-assignments/{aid}", token=world.token(user)).body["version"]
        act(api, world, user, f"/monitoring-assignments/{aid}/report", {"version": version, "attachment_id": pdf})

    # The progress view: per unit, allocated / sampled / received / tested / reported, and failures
    events.settle()
    progress = api.get(f"/monitoring-tasks/{tid}/progress", token=world.token("sd-head")).body
    assert progress["totals"] == {
        "allocated": 4,
        "sampled": 2,
        "received": 2,
        "tested": 2,
        "unqualified": 1,
        "reported": 2,
    }
    # RM-10: the lead sees the units' reports, and writes the overall report for the issuer
    assert events.wait_for(lambda: assignment(tid, "lead", "sd-lab", world).stage == "report")
    overall = upload_pdf(api, world, "sd-lab-manager", "monitoring_task", tid, events)
    current = api.get(f"/monitoring-tasks/{tid}", token=world.token("sd-lab-manager")).body
    submitted = act(
        api,
        world,
        "sd-lab-manager",
        f"/monitoring-tasks/{tid}/overall-report",
        {"version": current["version"], "attachment_id": overall},
    )
    assert submitted["state"] == "submitted"
    # The issuing agency holds the overall report, and the workflow ends
    held = api.get(f"/monitoring-tasks/{tid}", token=world.token("sd-head")).body
    assert held["overall_report_id"] == overall
    report = api.get(f"/attachments/{overall}", token=world.token("sd-head")).body
    assert report["state"] == "attached" and report["download_url"]
    assert events.wait_for(lambda: execution_status(tid) == "SUCCEEDED")
    done = act(api, world, "sd-head", f"/monitoring-tasks/{tid}/accept", {"version": held["version"]})
    assert done["state"] == "completed"

"""A spot check (监督抽查, Chapter 4) end to end through the API: province → city → county, the verifiable draw,
sampling, a failure, the subject's retest application, the retest confirming it, the handover to enforcement,
the penalty, and the evidence chain that proves it all."""

from __future__ import annotations

import hashlib

from chalicelib.enforcement import store as cases
from chalicelib.testing import store as samples
from tests.support.monitoring import CHIVES, act, model_body, sample_body
from tests.support.spotchecks import approved_subject
from tests.support.world import World


def test_from_the_province_to_the_penalty(api, world: World, events):
    agencies = world.agencies
    subjects = [approved_subject(api, world) for _ in range(2)]
    # SC-1: the province publishes to Jinan; Jinan receives and sends Licheng its share
    task = act(
        api,
        world,
        "sd-head",
        "/spot-checks",
        {
            "title": "韭菜腐霉利专项监督抽查",
            "urgency": "urgent",
            "assignee_org_id": agencies["jn"].id,
            "products": [CHIVES],
            "hazards": ["腐霉利"],
            "regions": ["370100"],
            "units": 2,
            "standards": ["GB 2763-2021"],
        },
        status=201,
    )
    task = act(api, world, "sd-head", f"/spot-checks/{task['id']}/publish", {"version": task["version"]})
    task = act(api, world, "jn-head", f"/spot-checks/{task['id']}/receive", {"version": task["version"]})
    split = act(
        api,
        world,
        "jn-head",
        f"/spot-checks/{task['id']}/split",
        {
            "version": task["version"],
            "plan": "历城区抽2家",
            "children": [{"org_id": agencies["lc"].id, "units": 2, "regions": ["370112"]}],
        },
    )
    county = api.get(f"/spot-checks/{split['children'][0]['id']}", token=world.token("lc-head")).body
    county = act(api, world, "lc-head", f"/spot-checks/{county['id']}/receive", {"version": county["version"]})
    county = act(
        api,
        world,
        "lc-head",
        f"/spot-checks/{county['id']}/assign",
        {"version": county["version"], "plan": "双随机抽取2家，2名执法人员", "lab_org_id": agencies["jn-lab"].id},
    )
    # SC-2: the county draws; the seed's hash is shown first, the seed with the result; the replay matches
    committed = act(
        api, world, "lc-head", f"/spot-checks/{county['id']}/draw", {"samplers": 2, "subjects": 1}, status=201
    )
    assert committed["seed"] is None
    drawn = act(api, world, "lc-head", f"/draws/{committed['id']}/perform")
    assert hashlib.sha256(bytes.fromhex(drawn["seed"])).hexdigest() == committed["commitment"]
    assert api.get(f"/draws/{committed['id']}/replay", token=world.token("sd-head")).body["matches"]
    act(api, world, "lc-head", f"/draws/{committed['id']}/publish")
    assert api.get(f"/public/draws/{committed['id']}").body["matches"]
    subject = drawn["result"]["subjects"][0]["subject_id"]
    assert subject in subjects or drawn["result"]["subjects"][0]["key_object"]
    sampler = next(u for u, rec in world.users.items() if rec.id == drawn["result"]["samplers"][0])
    # SC-3..SC-6: the lab's model; the drawn sampler samples the drawn subject; the lab receives and tests it
    body = model_body(api.get(f"/spot-checks/{county['id']}", token=world.token("jn-lab-manager")).body["version"])
    body["objects"], body["items"] = body["objects"][:1], body["items"][:2]
    assert (
        api.request("PUT", f"/spot-checks/{county['id']}/model", token=world.token("jn-lab-manager"), body=body).status
        == 200
    )
    form = sample_body(product_code=CHIVES, product_name="韭菜", subject_id=subject)
    sid = act(api, world, sampler, f"/spot-checks/{county['id']}/samples", form, status=201)["id"]
    act(
        api,
        world,
        "jn-lab-analyst",
        f"/samples/{sid}/receipt",
        {"handed_over_by": sampler, "condition": "intact", "seal_no": form["seal_no"]},
    )
    rows = [
        {"sample_id": sid, "analyte": "procymidone", "value": "0.45", "unit": "mg/kg"},
        {"sample_id": sid, "analyte": "chlorpyrifos", "detected": False, "unit": "mg/kg"},
    ]
    assert act(api, world, "jn-lab-analyst", "/results", {"results": rows})["unqualified_samples"] == [sid]
    # SC-8: the subject itself applies for a retest in time, through its own account
    assert events.wait_for(lambda: samples.get_failure(sid).stage == "application")
    act(
        api,
        world,
        "lc-head",
        f"/subjects/{subject}/account",
        {"username": "spot-farm", "name": "王场长", "phone": "+8613600000099"},
        status=201,
    )
    owner = world.identity.token("spot-farm")
    applied = api.post(
        f"/samples/{sid}/retest-application", token=owner, body={"reason": "对腐霉利检测结果有异议，申请复检"}
    )
    assert applied.status == 200, applied.body
    assert applied.body["retest"]["on_behalf"] is False
    # The county gives the reserved sample to another lab, which confirms the failure
    copy = act(api, world, "lc-head", f"/samples/{sid}/retest", {"lab_org_id": agencies["sd-lab"].id})["retest"][
        "retest_sample_id"
    ]
    act(
        api,
        world,
        "sd-lab-analyst",
        f"/samples/{copy}/receipt",
        {"handed_over_by": "历城区农业农村局", "condition": "intact", "seal_no": form["seal_no"]},
    )
    rows = [{**r, "sample_id": copy} for r in rows]
    rows[0]["value"] = "0.41"
    act(api, world, "sd-lab-analyst", "/results", {"results": rows})
    assert events.wait_for(lambda: samples.get_failure(sid).final_verdict == "unqualified")
    # SC-9: the package reaches Licheng's enforcement agency, which acknowledges and archives the penalty
    assert events.wait_for(lambda: _case_state(sid) == "awaiting_acknowledgement")
    assert cases.get(sid).to_org_id == agencies["lc-enf"].id
    act(api, world, "lc-officer", f"/cases/{sid}/acknowledge", {"note": "签收"})
    act(
        api,
        world,
        "lc-officer",
        f"/cases/{sid}/result",
        {
            "case_no": "历农执罚〔2026〕27号",
            "finding": "韭菜腐霉利残留超标",
            "decision": "没收违法所得并罚款",
            "penalty": {"kind": "fine", "amount_yuan": "8000"},
            "decided_on": "2026-11-29",
        },
    )
    assert events.wait_for(lambda: _case_state(sid) == "archived")
    # The evidence chain verifies, from the trace code to the penalty
    chain = api.get(f"/samples/{sid}/evidence", token=world.token("sd-head")).body
    broken = [link for link in chain["links"] if link.get("intact") is False or link.get("replay_matches") is False]
    assert chain["intact"], [(b["step"], b.get("problem"), b.get("audit_entries")) for b in broken]
    assert [link["step"] for link in chain["links"]][-3:] == ["final_verdict", "handover", "penalty"]
    # Nobody outside the chain sees the samples, the draw or the case
    for path in (f"/samples/{sid}", f"/draws/{committed['id']}", f"/cases/{sid}", f"/samples/{sid}/evidence"):
        assert api.get(path, token=world.token("js-head")).status == 404
        assert api.get(path, token=world.token("lx-head")).status == 404


def _case_state(sample_id: str) -> str | None:
    try:
        return str(cases.get(sample_id).state)
    except Exception:  # noqa: BLE001 - not delivered yet
        return None

"""The local stack's demo subjects: drawn from a seed, loaded through the services, and loaded twice adds nothing.

The whole demo (200+ subjects) takes too long under the test fixtures; its plan is checked whole, and Jinan's
twelve counties are loaded (as `make run` loads every staffed county).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from ulid import ULID

from chalicelib.codes.formats import is_id_number, is_uscc
from chalicelib.core import clock
from chalicelib.orgs import store as orgs_store
from chalicelib.regions.catalog import catalog
from infra.local import demo as demo_module
from tests.support import env
from tests.support.world import Identity

STAFFED = [c for city in demo_module.DETAILED_CITIES for c in catalog().children(city)]


def table_items() -> int:
    pages = boto3.client("dynamodb").get_paginator("scan")
    return sum(p["Count"] for p in pages.paginate(TableName=env.TEST_ENV["TABLE_NAME"], Select="COUNT"))


def test_the_plan_covers_every_staffed_county_with_valid_numbers():
    plans = demo_module._Planner().subjects([(c.code, c) for c in STAFFED])
    assert plans == demo_module._Planner().subjects([(c.code, c) for c in STAFFED])  # the seed alone decides
    assert len(plans) >= 200 and {p.request.region for p in plans} == {c.code for c in STAFFED}
    assert len({p.request.number for p in plans}) == len(plans) == len({p.request.name for p in plans})
    for p in plans:
        number = p.request.number
        assert is_id_number(number) if p.request.number_kind == "id_card" else is_uscc(number)
    fates = Counter(p.fate for p in plans)
    assert fates["pending"] >= 3 and fates["rejected"] >= 1 and all(p.reasons for p in plans if p.fate == "rejected")
    approved = [p for p in plans if p.fate == "approved"]
    assert all(p.bases and p.products for p in approved) and not any(p.bases for p in plans if p not in approved)
    assert 0.05 <= sum(bool(p.key_reason) for p in approved) / len(approved) <= 0.15
    assert 3 <= sum(bool(p.bad_record) for p in approved) <= 12
    assert {p.request.form for p in plans} == {"enterprise", "individual", "family_farm", "cooperative"}
    codes: dict[str, str] = {}
    for product in (product for p in approved for product in p.products):
        assert codes.setdefault(product.name, product.code) == product.code
        assert len({b.produced_at for b in product.batches}) == len(product.batches)


def load_jinan(pool_id: str) -> demo_module.Demo:
    loader = demo_module._Loader(pool_id)
    loader.ministry()
    loader.templates()
    loader.province()
    loader.city("370100", "济南市")
    loader.subjects()
    loader.monitoring()
    return loader.demo


@pytest.fixture(scope="module")
def jinan(aws: Identity) -> demo_module.Demo:
    started = time.monotonic()
    loaded = load_jinan(aws.pool_id)
    print(f"Jinan's demo loaded in {time.monotonic() - started:.1f} s: {loaded.counts()}")
    return loaded


def test_approved_subjects_have_bases_products_and_batches(jinan):
    subjects = list(jinan.subjects.values())
    assert {s.region for s in subjects} == {c.code for c in catalog().children("370100")}
    assert any(s.state == "pending" for s in subjects)
    approved = {s.id for s in subjects if s.state == "approved"}
    assert {b.subject_id for b in jinan.bases} == approved == {p.subject_id for p in jinan.products}
    assert {b.product_id for b in jinan.batches} == {p.id for p in jinan.products}
    assert len({b.code_long for b in jinan.batches}) == len(jinan.batches)
    assert any(b.base_id for b in jinan.batches) and any(b.kind == "circulation" for b in jinan.batches)


def test_a_demo_batch_scans_for_its_supervisor_the_public_and_its_subject(api, aws, jinan):
    account, number = next(iter(jinan.accounts.items()))
    subject = jinan.subjects[number]
    batch = next(b for b in jinan.batches if b.subject_id == subject.id and b.base_id)
    reply = api.get(f"/scan?code={quote(batch.code_short, safe='')}", token=aws.token("jn-licheng-supervisor"))
    assert reply.status == 200, reply.body
    assert reply.body["subject"]["id"] == subject.id and reply.body["batch"]["id"] == batch.id
    assert reply.body["base"]["id"] == batch.base_id
    assert api.get(f"/public/scan?code={quote(batch.link, safe='')}").status == 200
    own = api.get(f"/subjects/{subject.id}", token=aws.token(account))
    assert own.status == 200 and own.body["number"] == number
    assert account in {u.username for u in jinan.featured()}


def test_loading_twice_adds_nothing(aws, jinan):
    before = table_items()
    again = load_jinan(aws.pool_id)
    assert table_items() == before
    assert again.counts() == jinan.counts()
    assert {b.code_long for b in again.batches} == {b.code_long for b in jinan.batches}


def test_a_monitoring_task_is_under_way(api, aws, jinan):
    tasks = api.get("/monitoring-tasks?box=led", token=aws.token("sd-lab-manager")).body["items"]
    task = next(t for t in tasks if t["title"] == demo_module.MONITORING_TITLE)
    assert task["state"] == "in_progress" and task["model"]["items"]
    mine = api.get("/monitoring-assignments", token=aws.token("jn-lab-manager")).body["items"]
    assert [a["state"] for a in mine if a["task_id"] == task["id"]] == ["received"]
    samples = api.get(f"/monitoring-tasks/{task['id']}/samples", token=aws.token("jn-lab-manager")).body["items"]
    assert sorted(s["verdict"] for s in samples) == ["qualified", "unqualified"]
    assert all(s["trace_code"] and s["subject_id"] for s in samples)


# The users the README's spot-check walk names, and the roles it needs them in.
SPOT_CHECK_CAST = {
    "sd-head": {"head"},
    "jn-head": {"head"},
    "jn-licheng-head": {"head"},
    "jn-licheng-supervisor": {"supervisor", "sampler"},
    "jn-licheng-supervisor2": {"supervisor", "sampler"},
    "jn-licheng-supervisor3": {"supervisor", "sampler"},
    "jn-licheng-supervisor4": {"supervisor", "sampler"},
    "jn-lab-manager": {"lab_manager"},
    "jn-lab-analyst": {"lab_analyst"},
    "sd-lab-analyst": {"lab_analyst"},
    "jn-licheng-officer": {"enforcement_officer"},
    "farm-tangwang": {"subject"},
}


def test_the_spot_check_walk_has_its_cast(jinan):
    for username, roles in SPOT_CHECK_CAST.items():
        assert username in jinan.users, username
        assert roles <= set(jinan.users[username].roles), (username, jinan.users[username].roles)
    licheng = jinan.agencies["jn-licheng"]
    assert {jinan.users[u].agency for u in SPOT_CHECK_CAST if u.startswith("jn-licheng-s")} == {licheng.name}
    assert jinan.subjects[jinan.accounts["farm-tangwang"]].region == demo_module.SPOT_CHECK_COUNTY
    today = time.strftime("%Y-%m-%d")
    users, _ = orgs_store.list_users_of(licheng.id, limit=100, cursor=None)
    certified = [u for u in users if "sampler" in (u.roles or ()) and u.cert_no and (u.cert_valid_until or "") > today]
    assert len(certified) >= 4  # two teams of two


def test_the_readme_spot_check_walk_works_on_the_demo(api, aws, jinan, events):
    """The README's spot-check walk, on the demo as it stands: the province's task reaches Licheng through Jinan,
    Licheng draws from its own staff and subjects, a chives sample fails, the county applies for a retest for the
    subject, another lab confirms it, the case reaches Licheng's brigade, which records the penalty, and the
    evidence chain verifies."""
    from chalicelib.enforcement import store as cases
    from chalicelib.testing import store as samples

    def act(user: str, path: str, body: dict | None = None, status: int = 200, method: str = "POST") -> dict:
        reply = api.request(method, path, token=aws.token(user), body=body or {})
        assert reply.status == status, (path, reply.status, reply.body)
        return dict(reply.body)

    agencies = jinan.agencies
    listed = {
        a["name"]: a["id"]
        for region in ("370000", "370100", "370112")
        for a in api.get(f"/agencies?region={region}&limit=100", token=aws.token("sd-head")).body["items"]
    }
    for key in ("jn", "jn-lab", "jn-licheng", "sd-lab"):  # the README finds the agencies' ids so
        assert listed[agencies[key].name] == agencies[key].id
    task = act("sd-head", "/spot-checks", demo_module.SPOT_CHECK_TASK | {"assignee_org_id": agencies["jn"].id}, 201)
    task = act("sd-head", f"/spot-checks/{task['id']}/publish", {"version": task["version"]})
    task = act("jn-head", f"/spot-checks/{task['id']}/receive", {"version": task["version"]})
    child = {"org_id": agencies["jn-licheng"].id, "units": 2, "regions": ["370112"]}
    split = act(
        "jn-head",
        f"/spot-checks/{task['id']}/split",
        {"version": task["version"], "plan": "历城区抽2家", "children": [child]},
    )
    inbox = api.get("/spot-checks", token=aws.token("jn-licheng-head")).body["items"]
    county = next(t for t in inbox if t["id"] == split["children"][0]["id"])
    county = act("jn-licheng-head", f"/spot-checks/{county['id']}/receive", {"version": county["version"]})
    plan = {"version": county["version"], "plan": "双随机抽取2家，2组抽样人员", "lab_org_id": agencies["jn-lab"].id}
    county = act("jn-licheng-head", f"/spot-checks/{county['id']}/assign", plan)
    committed = act("jn-licheng-head", f"/spot-checks/{county['id']}/draw", {"samplers": 4, "subjects": 2}, 201)
    assert committed["seed"] is None and committed["candidates"]["samplers"] == 4
    drawn = act("jn-licheng-head", f"/draws/{committed['id']}/perform")
    team = drawn["result"]["teams"][0]
    staff = api.get(f"/agencies/{agencies['jn-licheng'].id}/users?limit=100", token=aws.token("jn-licheng-head"))
    sampler = next(u["username"] for u in staff.body["items"] if u["id"] == team["samplers"][0])
    subject = team["subjects"][0]
    version = api.get(f"/spot-checks/{county['id']}", token=aws.token("jn-lab-manager")).body["version"]
    act(
        "jn-lab-manager",
        f"/spot-checks/{county['id']}/model",
        demo_module.SPOT_CHECK_MODEL | {"version": version},
        method="PUT",
    )
    form = {**demo_module.SPOT_CHECK_SAMPLE, "id": str(ULID()), "subject_id": subject}
    sid = act(sampler, f"/spot-checks/{county['id']}/samples", form, 201)["id"]
    act(
        "jn-lab-analyst",
        f"/samples/{sid}/receipt",
        {"handed_over_by": sampler, "condition": "intact", "seal_no": form["seal_no"]},
    )
    rows = [{"sample_id": sid, "analyte": "procymidone", "value": 0.45, "unit": "mg/kg"}]
    assert act("jn-lab-analyst", "/results", {"results": rows})["unqualified_samples"] == [sid]
    assert events.wait_for(lambda: samples.get_failure(sid).stage == "application")
    act("jn-licheng-head", f"/samples/{sid}/retest-application", {"reason": "受检单位对检测结果有异议，申请复检"})
    copy = act("jn-licheng-head", f"/samples/{sid}/retest", {"lab_org_id": agencies["sd-lab"].id})["retest"][
        "retest_sample_id"
    ]
    act(
        "sd-lab-analyst",
        f"/samples/{copy}/receipt",
        {"handed_over_by": "历城区农业农村局", "condition": "intact", "seal_no": form["seal_no"]},
    )
    act("sd-lab-analyst", "/results", {"results": [{**rows[0], "sample_id": copy, "value": 0.41}]})
    assert events.wait_for(lambda: samples.get_failure(sid).final_verdict == "unqualified")

    def case_state() -> str | None:
        try:
            return str(cases.get(sid).state)
        except Exception:  # noqa: BLE001 - not delivered yet
            return None

    assert events.wait_for(lambda: case_state() == "awaiting_acknowledgement")
    listed = api.get("/cases", token=aws.token("jn-licheng-officer")).body["items"]
    assert [c["id"] for c in listed] == [sid]
    act("jn-licheng-officer", f"/cases/{sid}/acknowledge", {"note": "签收"})
    act("jn-licheng-officer", f"/cases/{sid}/result", demo_module.SPOT_CHECK_PENALTY)
    assert events.wait_for(lambda: case_state() == "archived")
    chain = api.get(f"/samples/{sid}/evidence", token=aws.token("sd-head")).body
    assert chain["intact"] and [link["step"] for link in chain["links"]][-3:] == [
        "final_verdict",
        "handover",
        "penalty",
    ]


def _act(api: Any, aws: Identity, user: str | None, method: str, path: str, body: dict | None = None, **kw: Any) -> Any:
    reply = api.request(method, path, token=aws.token(user) if user else None, body=body, **kw)
    assert reply.status in (200, 201), (method, path, reply.status, reply.body)
    return reply.body


def _ulid() -> str:
    return str(ULID())


def _licheng_staff(api: Any, aws: Identity) -> dict[str, str]:
    """What the README reads first: Licheng's id from the head's /me, then its users' ids by username."""
    org = _act(api, aws, "jn-licheng-head", "GET", "/me")["agency"]["id"]
    users = _act(api, aws, "jn-licheng-head", "GET", f"/agencies/{org}/users?limit=100")["items"]
    return {u["username"]: u["id"] for u in users}


def _first_approved(api: Any, aws: Identity) -> str:
    listed = _act(api, aws, "jn-licheng-supervisor", "GET", "/subjects?region=370112&state=approved&limit=5")
    return str(listed["items"][0]["id"])


def test_the_readme_base_inspection_walk_works_on_the_demo(api, aws, jinan, events):
    """The README's base inspection (基地巡查): Licheng's head writes the month's plan for two of her supervisors and
    publishes it, a supervisor receives the task and sends an inspection with the national checklist, and the
    head's performance table counts it."""
    staff = _licheng_staff(api, aws)
    period = clock.now().astimezone(clock.CST).strftime("%Y-%m")
    targets = [
        {"user_id": staff[user], **target}
        for user, target in zip(
            ("jn-licheng-supervisor", "jn-licheng-supervisor2"), demo_module.PLAN_TARGETS, strict=True
        )
    ]
    plan = _act(
        api,
        aws,
        "jn-licheng-head",
        "POST",
        "/inspection-plans",
        demo_module.PLAN | {"period": period, "targets": targets},
    )
    assert plan["state"] == "draft"
    published = _act(
        api, aws, "jn-licheng-head", "POST", f"/inspection-plans/{plan['id']}/publish", {"version": plan["version"]}
    )
    assert published["state"] == "published"

    def task() -> dict | None:
        mine = _act(api, aws, "jn-licheng-supervisor", "GET", "/plan-assignments")["items"]
        return next((t for t in mine if t["plan_id"] == plan["id"]), None)

    assert events.wait_for(task)
    received = _act(api, aws, "jn-licheng-supervisor", "POST", f"/inspection-plans/{plan['id']}/receive")
    assert (received["state"], received["target"]) == ("received", 10)
    schema = _act(api, aws, "jn-licheng-supervisor", "GET", "/inspection-templates/CN-BASE-DEFAULT/versions/1/schema")
    answers = demo_module.BASE_INSPECTION_ANSWERS | {
        "site_photos": {"photos": [_ulid()]},
        "signature": {"signer": demo_module.SIGNER, "attachment_id": _ulid(), "sha256": demo_module.SIGNATURE_SHA256},
    }
    assert set(schema["required"]) <= set(answers)
    checked = _act(
        api,
        aws,
        "jn-licheng-supervisor",
        "POST",
        "/inspection-templates/CN-BASE-DEFAULT/versions/1/check",
        {"answers": answers},
    )
    assert (checked["score"], checked["outcome"]) == (100, "pass")
    subject = _first_approved(api, aws)
    body = {
        "plan_id": plan["id"],
        "subject_id": subject,
        "template_code": "CN-BASE-DEFAULT",
        "template_number": 1,
        "done_at": clock.iso(clock.now()),
        "position": demo_module.BASE_INSPECTION_POSITION,
        "answers": answers,
    }
    iid = _ulid()
    sent = _act(api, aws, "jn-licheng-supervisor", "PUT", f"/inspections/{iid}", body)
    assert sent["plan_id"] == plan["id"] and sent["on_time"] and sent["result"]["score"] == 100

    def row() -> dict | None:
        table = _act(api, aws, "jn-licheng-head", "GET", f"/inspection-performance?period={period}")["rows"]
        found = next(r for r in table if r["user_id"] == staff["jn-licheng-supervisor"])
        return found if found["done"] else None

    done = events.wait_for(row)
    assert done and (done["target"], done["done"], done["average_score"]) == (10, 1, 100)
    table = _act(api, aws, "jn-licheng-head", "GET", f"/inspection-performance?period={period}")["rows"]
    colleague = next(r for r in table if r["user_id"] == staff["jn-licheng-supervisor2"])
    assert (colleague["name"], colleague["target"], colleague["done"]) == ("历城区监管员、抽样员2", 5, 0)
    tasks = _act(api, aws, "jn-licheng-head", "GET", f"/inspection-plans/{plan['id']}/assignments")["items"]
    assert {t["user_id"]: t["state"] for t in tasks} == {
        staff["jn-licheng-supervisor"]: "received",
        staff["jn-licheng-supervisor2"]: "assigned",
    }


def test_the_readme_daily_supervision_walk_works_on_the_demo(api, aws, jinan):
    """The README's daily supervision (日常监管): Licheng's certified enforcement officer inspects a subject by
    scanning its identity code, takes an evidence sample, entrusts Jinan's lab with it, the lab receives and tests
    it (unqualified), and the officer records the penalty, archived with the subject's bad record."""
    subject = _act(api, aws, "jn-licheng-supervisor", "GET", "/subjects?region=370112&state=approved&limit=5")
    sid = subject["items"][1]["id"]
    code = _act(api, aws, "jn-licheng-supervisor", "GET", f"/subjects/{sid}")["identity_code"]
    lab = _act(api, aws, "jn-lab-manager", "GET", "/me")["agency"]["id"]
    iid, sample, test = _ulid(), _ulid(), _ulid()
    now = clock.iso(clock.now())
    body = demo_module.DAILY_INSPECTION | {"identity_code": code, "done_at": now}
    inspection = _act(api, aws, "jn-licheng-officer", "PUT", f"/daily-inspections/{iid}", body)
    assert inspection["subject_id"] == sid and inspection["officers"][0]["cert_no"]
    taken = demo_module.EVIDENCE_SAMPLE | {"id": sample, "sampled_at": now}
    assert (
        _act(api, aws, "jn-licheng-officer", "POST", f"/daily-inspections/{iid}/samples", taken)["task_kind"] == "RCJG"
    )
    today = clock.cst_day(clock.now())
    entrust = {
        "inspection_id": iid,
        "lab_org_id": lab,
        "sample_ids": [sample],
        "receive_by": today,
        "report_by": clock.cst_day(clock.now() + timedelta(days=7)),
    }
    assert _act(api, aws, "jn-licheng-officer", "PUT", f"/entrusted-tests/{test}", entrust)["state"] == "sent"
    assert test in [t["id"] for t in _act(api, aws, "jn-lab-manager", "GET", "/entrusted-tests?state=sent")["items"]]
    receipt = {"handed_over_by": "张明", "condition": "intact", "seal_no": demo_module.EVIDENCE_SAMPLE["seal_no"]}
    _act(api, aws, "jn-lab-analyst", "POST", f"/samples/{sample}/receipt", receipt)
    version = _act(api, aws, "jn-lab-manager", "GET", f"/entrusted-tests/{test}")["version"]
    model = demo_module.SPOT_CHECK_MODEL | {"version": version}
    assert _act(api, aws, "jn-lab-manager", "POST", f"/entrusted-tests/{test}/receive", model)["state"] == "received"
    rows = [{"sample_id": sample, "analyte": "procymidone", "value": 0.45, "unit": "mg/kg"}]
    assert _act(api, aws, "jn-lab-analyst", "POST", "/results", {"results": rows})["unqualified_samples"] == [sample]
    seen = _act(api, aws, "jn-licheng-officer", "GET", f"/entrusted-tests/{test}")
    assert [s["verdict"] for s in seen["samples"]] == ["unqualified"]
    penalty = demo_module.DAILY_PENALTY | {"decided_on": today}
    archived = _act(api, aws, "jn-licheng-officer", "POST", f"/daily-inspections/{iid}/penalty", penalty)
    assert archived["penalty"]["bad_record_id"]
    bad = _act(api, aws, "jn-licheng-supervisor", "GET", f"/subjects/{sid}/bad-records")["items"]
    assert f"daily_inspection:{iid}" in [b["source_ref"] for b in bad]


def test_the_readme_complaint_walk_works_on_the_demo(api, aws, jinan):
    """The README's complaint (投诉): filed without an account, followed with its tracking number and secret; Licheng's
    head assigns a supervisor, who accepts and answers it; the filer sees the answer and rates it."""
    receipt = _act(api, aws, None, "POST", "/public/complaints", demo_module.COMPLAINT)
    number, secret = receipt["tracking_no"], receipt["secret"]
    followed = _act(api, aws, None, "GET", f"/public/complaints/{number}", headers={"X-Complaint-Secret": secret})
    assert (followed["state"], followed["agency"]) == ("received", jinan.agencies["jn-licheng"].name)
    listed = _act(api, aws, "jn-licheng-head", "GET", "/complaints?state=received")["items"]
    assert number in [c["id"] for c in listed]
    case = _act(api, aws, "jn-licheng-head", "GET", f"/complaints/{number}")
    staff = _licheng_staff(api, aws)
    assigned = {"version": case["version"], "user_ids": [staff["jn-licheng-supervisor"]]}
    case = _act(api, aws, "jn-licheng-head", "POST", f"/complaints/{number}/assignees", assigned)
    decision = {"version": case["version"], "decision": "accept"}
    case = _act(api, aws, "jn-licheng-supervisor", "POST", f"/complaints/{number}/decision", decision)
    answer = demo_module.COMPLAINT_ANSWER | {"version": case["version"]}
    assert (
        _act(api, aws, "jn-licheng-supervisor", "POST", f"/complaints/{number}/answer", answer)["state"] == "answered"
    )
    followed = _act(api, aws, None, "GET", f"/public/complaints/{number}", headers={"X-Complaint-Secret": secret})
    assert followed["answer"]["text"] == demo_module.COMPLAINT_ANSWER["text"]
    rated = _act(
        api, aws, None, "POST", f"/public/complaints/{number}/rating", {"secret": secret, "rating": "satisfied"}
    )
    assert rated["state"] == "closed"
    filer = _act(api, aws, "jn-licheng-supervisor", "GET", f"/complaints/{number}/filer")
    assert filer["phone"] == demo_module.COMPLAINT["filer"]["phone"]


README_BODIES = (
    demo_module.PLAN,
    demo_module.PLAN_TARGETS,
    demo_module.BASE_INSPECTION_ANSWERS,
    demo_module.DAILY_INSPECTION,
    demo_module.EVIDENCE_SAMPLE,
    demo_module.DAILY_PENALTY,
    demo_module.COMPLAINT,
    demo_module.COMPLAINT_ANSWER,
)


def _fields(value: Any) -> list[str]:
    """Each "key": value pair of a body as the README writes it (JSON, one space after the colon)."""
    if isinstance(value, dict):
        pairs = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items()]
        return [p for p in pairs if not p.endswith(("{", "["))] + [f for v in value.values() for f in _fields(v)]
    if isinstance(value, list | tuple):
        return [f for v in value for f in _fields(v)]
    return []


def test_the_readme_sends_the_bodies_the_walks_send():
    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").split())
    missing = [f for body in README_BODIES for f in _fields(body) if f not in readme]
    assert not missing, missing

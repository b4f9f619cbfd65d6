"""The local stack's demo subjects: drawn from a seed, loaded through the services, and loaded twice adds nothing.

The whole demo (200+ subjects) takes too long under the test fixtures; its plan is checked whole, and Jinan's
twelve counties are loaded (as `make run` loads every staffed county).
"""

from __future__ import annotations

import time
from collections import Counter
from urllib.parse import quote

import boto3
import pytest

from chalicelib.codes.formats import is_id_number, is_uscc
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


def test_a_county_can_make_a_draw_from_demo_users_alone(api, aws, jinan):
    """Given the demo, when the province's spot check reaches Licheng through Jinan, then Licheng can commit a draw:
    the candidates freeze with its four certified samplers and its approved subjects."""

    def act(user: str, path: str, body: dict, status: int = 200) -> dict:
        reply = api.post(path, token=aws.token(user), body=body)
        assert reply.status == status, (path, reply.status, reply.body)
        return reply.body

    agencies = jinan.agencies
    task = act(
        "sd-head",
        "/spot-checks",
        {
            "title": "韭菜腐霉利专项监督抽查（演示）",
            "assignee_org_id": agencies["jn"].id,
            "products": ["010408"],
            "hazards": ["腐霉利"],
            "regions": ["370100"],
            "units": 3,
            "standards": ["GB 2763-2021"],
        },
        status=201,
    )
    task = act("sd-head", f"/spot-checks/{task['id']}/publish", {"version": task["version"]})
    task = act("jn-head", f"/spot-checks/{task['id']}/receive", {"version": task["version"]})
    child = {"org_id": agencies["jn-licheng"].id, "units": 3, "regions": ["370112"]}
    split = act(
        "jn-head",
        f"/spot-checks/{task['id']}/split",
        {"version": task["version"], "plan": "历城区", "children": [child]},
    )
    county = api.get(f"/spot-checks/{split['children'][0]['id']}", token=aws.token("jn-licheng-head")).body
    county = act("jn-licheng-head", f"/spot-checks/{county['id']}/receive", {"version": county["version"]})
    plan = {"version": county["version"], "plan": "双随机", "lab_org_id": agencies["jn-lab"].id}
    county = act("jn-licheng-head", f"/spot-checks/{county['id']}/assign", plan)
    committed = act("jn-licheng-head", f"/spot-checks/{county['id']}/draw", {"samplers": 4, "subjects": 3}, status=201)
    assert committed["seed"] is None and committed["candidates"]["samplers"] == 4
    assert committed["candidates"]["subjects"] >= 3

"""Supervisory spot checks (监督抽查, Art 19-20): the cascade from province to county, and who sees what."""

from __future__ import annotations

from typing import Any

from tests.support.monitoring import CHIVES, act
from tests.support.world import World


def spot(api, world: World, **extra: Any) -> dict[str, Any]:
    body = {
        "title": "2026年韭菜腐霉利专项监督抽查",
        "urgency": "urgent",
        "assignee_org_id": world.agencies["jn"].id,
        "products": [CHIVES],
        "hazards": ["腐霉利", "毒死蜱"],
        "regions": ["370100"],
        "units": 4,
        "standards": ["GB 2763-2021", "GB 23200.113-2018"],
        **extra,
    }
    made = api.post("/spot-checks", token=world.token("sd-head"), body=body)
    assert made.status == 201, made.body
    return dict(made.body)


def test_a_task_cascades_from_province_to_city_to_county(api, world: World):
    # SC-1: the province writes an urgent task for Jinan; urgency sets the deadlines
    task = spot(api, world)
    assert task["state"] == "draft" and task["urgency"] == "urgent"
    published = act(api, world, "sd-head", f"/spot-checks/{task['id']}/publish", {"version": task["version"]})
    assert published["receipt_due"] and published["deadline"] == task["deadline"]
    # The city receives it and splits it between two counties, each with its share of the units
    got = act(api, world, "jn-head", f"/spot-checks/{task['id']}/receive", {"version": published["version"]})
    too_many = api.post(
        f"/spot-checks/{task['id']}/split",
        token=world.token("jn-head"),
        body={
            "version": got["version"],
            "plan": "历城、历下各抽2家",
            "children": [{"org_id": world.agencies["lc"].id, "units": 5, "regions": ["370112"]}],
        },
    )
    assert too_many.status == 422
    split = act(
        api,
        world,
        "jn-head",
        f"/spot-checks/{task['id']}/split",
        {
            "version": got["version"],
            "plan": "历城、历下各抽2家，7日内完成抽样",
            "children": [
                {"org_id": world.agencies["lc"].id, "units": 2, "regions": ["370112"]},
                {"org_id": world.agencies["lx"].id, "units": 2, "regions": ["370102"]},
            ],
        },
    )
    assert split["state"] == "distributed" and len(split["children"]) == 2
    lc_task = next(c["id"] for c in split["children"] if c["org_id"] == world.agencies["lc"].id)
    lx_task = next(c["id"] for c in split["children"] if c["org_id"] == world.agencies["lx"].id)
    child = api.get(f"/spot-checks/{lc_task}", token=world.token("lc-head")).body
    assert (child["parent_id"], child["root_id"], child["depth"], child["units"]) == (task["id"], task["id"], 1, 2)
    assert child["state"] == "published"
    # The county receives its part and does it with a testing agency
    child = act(api, world, "lc-head", f"/spot-checks/{lc_task}/receive", {"version": child["version"]})
    doing = act(
        api,
        world,
        "lc-head",
        f"/spot-checks/{lc_task}/assign",
        {
            "version": child["version"],
            "plan": "双随机抽取2家主体，2名执法人员",
            "lab_org_id": world.agencies["jn-lab"].id,
        },
    )
    assert doing["state"] == "in_progress" and doing["lab_org_id"] == world.agencies["jn-lab"].id
    # Who sees what: the chain above sees it; a sibling county and another province do not
    assert api.get(f"/spot-checks/{lc_task}", token=world.token("sd-head")).status == 200
    assert api.get(f"/spot-checks/{lc_task}", token=world.token("jn-lab-manager")).status == 200
    assert api.get(f"/spot-checks/{lc_task}", token=world.token("lx-head")).status == 404
    assert api.get(f"/spot-checks/{lx_task}", token=world.token("lc-head")).status == 404
    assert api.get(f"/spot-checks/{task['id']}", token=world.token("js-head")).status == 404
    # A task is received once; receiving it again is a 409
    assert (
        api.post(
            f"/spot-checks/{lc_task}/receive", token=world.token("lc-head"), body={"version": doing["version"]}
        ).status
        == 409
    )
    received = api.get("/spot-checks?box=received", token=world.token("lx-head")).body["items"]
    assert [t["id"] for t in received] == [lx_task]

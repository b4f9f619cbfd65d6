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


def approved_subjects(api, world: World, n: int) -> list[str]:
    """`n` subjects approved in Licheng, each producing chives (the task's product)."""
    from tests.support.spotchecks import approved_subject

    return [approved_subject(api, world) for _ in range(n)]


def test_the_county_draws_verifiably_and_anyone_can_replay_it(api, world: World):
    import hashlib
    import json

    import requests

    from chalicelib.spotchecks import draw
    from tests.support.spotchecks import SpotWalk

    walk = SpotWalk(api, world, "lc", ("370112",)).doing("lc-head")
    subjects = approved_subjects(api, world, 4)
    act(api, world, "lc-head", f"/subjects/{subjects[0]}/key-object", {"key_object": True, "reason": "上年抽检不合格"})
    # A sampler with a conflict of interest declares it before the draw
    act(api, world, "lc-sampler-4", f"/spot-checks/{walk.id}/conflicts", {"reason": "近亲属在受检单位任职"}, status=201)

    # SC-2: the county freezes the candidates and commits to a seed: its hash is shown, the seed is not
    committed = act(api, world, "lc-head", f"/spot-checks/{walk.id}/draw", {"samplers": 2, "subjects": 2}, status=201)
    assert committed["state"] == "committed" and committed["seed"] is None and committed["result"] is None
    assert len(committed["commitment"]) == 64
    # The frozen lists are published with the commitment, and hash as shown
    frozen_before = json.loads(requests.get(committed["input_url"], timeout=10).content)
    assert draw.list_hash(frozen_before["subjects"]) == committed["subjects_hash"]
    # Expired certificates and the declared conflict are left out; the key object comes in directly
    cands = committed["candidates"]
    assert cands["samplers"] >= 3 and cands["key_objects"] >= 1
    assert (
        cands["samplers_left_out"]["expired_certificate"] >= 1
        and cands["samplers_left_out"]["conflict_of_interest"] == 1
    )
    # A draw is never redone silently
    assert api.post(f"/spot-checks/{walk.id}/draw", token=world.token("lc-head"), body={"samplers": 2}).status == 409
    did = committed["id"]
    # Only the chain of the task sees the draw
    assert api.get(f"/draws/{did}", token=world.token("sd-head")).status == 200
    assert api.get(f"/draws/{did}", token=world.token("lx-head")).status == 404
    assert api.get(f"/draws/{did}", token=world.token("js-head")).status == 404
    assert api.get(f"/public/draws/{did}").status == 404  # not published yet

    # The draw: the seed is revealed with the result, and it hashes to the commitment shown before
    made = act(api, world, "lc-head", f"/draws/{did}/perform")
    assert hashlib.sha256(bytes.fromhex(made["seed"])).hexdigest() == committed["commitment"]
    drawn = made["result"]["subjects"]
    assert drawn[0] == {"subject_id": subjects[0], "key_object": True, "team": 1}
    assert len(drawn) == 3 and len(made["result"]["samplers"]) == 2
    assert world.users["lc-sampler-4"].id not in made["result"]["samplers"]
    assert world.users["lc-sampler-3"].id not in made["result"]["samplers"]
    assert api.post(f"/draws/{did}/perform", token=world.token("lc-head")).status == 409

    # A drawn sampler recuses: the next one in the draw's order takes the slot, logged
    leaving = made["result"]["samplers"][0]
    username = next(u for u, rec in world.users.items() if rec.id == leaving)
    after = act(
        api, world, username, f"/draws/{did}/recusals", {"sampler_id": leaving, "reason": "与受检单位负责人系亲属"}
    )
    assert leaving not in after["result"]["samplers"] and after["result"]["replacements"][0]["sampler_id"] == leaving
    assert after["recusals"][0]["reason"] == "与受检单位负责人系亲属"

    # Anyone replays it: the endpoint does, and so can a verifier with the published lists and the algorithm
    replay = api.get(f"/draws/{did}/replay", token=world.token("sd-head")).body
    assert replay["matches"] and all(replay["checks"].values())
    frozen = json.loads(requests.get(replay["input_url"], timeout=10).content)
    inputs = draw.DrawInput(
        **{**frozen, "recusals": tuple(draw.Recusal(leaving, "与受检单位负责人系亲属") for _ in [0])}
    )
    mine = draw.perform(replay["seed"], inputs)
    assert [s.subject_id for s in mine.subjects] == [s["subject_id"] for s in replay["result"]["subjects"]]
    assert list(mine.samplers) == replay["result"]["samplers"]

    # 一公开: published, the draw answers the public
    act(api, world, "lc-head", f"/draws/{did}/publish")
    public = api.get(f"/public/draws/{did}")
    assert public.status == 200 and public.body["matches"]


def test_drawn_teams_sample_drawn_subjects_and_the_lab_tests_and_reports(api, world: World):
    from chalicelib.attachments import service as attachments
    from tests.support.monitoring import model_body, sample_body, upload_pdf_direct
    from tests.support.spotchecks import SpotWalk

    walk = SpotWalk(api, world, "lc", ("370112",))
    approved_subjects(api, world, 2)
    made = walk.performed()
    task_id = walk.id
    # SC-5: the testing agency configures its model (as for monitoring)
    body = model_body(api.get(f"/spot-checks/{task_id}", token=world.token("jn-lab-manager")).body["version"])
    body["objects"] = body["objects"][:1]
    body["items"] = body["items"][:2]
    configured = api.request("PUT", f"/spot-checks/{task_id}/model", token=world.token("jn-lab-manager"), body=body)
    assert configured.status == 200, configured.body
    # SC-3: a drawn sampler samples a drawn subject by hand; others cannot
    sampler = next(u for u, rec in world.users.items() if rec.id == made["result"]["samplers"][0])
    subject = made["result"]["subjects"][0]["subject_id"]
    sample = sample_body(product_code=CHIVES, product_name="韭菜", subject_id=subject)
    taken = api.post(f"/spot-checks/{task_id}/samples", token=world.token(sampler), body=sample)
    assert taken.status == 201, taken.body
    assert taken.body["task_kind"] == "JDCC" and taken.body["subject_id"] == subject
    not_drawn = next(
        u
        for u in ("lc-supervisor", "lc-sampler-2", "lc-sampler-5")
        if world.users[u].id not in made["result"]["samplers"]
    )
    assert (
        api.post(
            f"/spot-checks/{task_id}/samples",
            token=world.token(not_drawn),
            body=sample_body(product_code=CHIVES, product_name="韭菜", subject_id=subject),
        ).status
        == 403
    )
    other = approved_subjects(api, world, 1)[0]  # registered after the lists were frozen: not drawn
    assert (
        api.post(
            f"/spot-checks/{task_id}/samples",
            token=world.token(sampler),
            body=sample_body(product_code=CHIVES, product_name="韭菜", subject_id=other),
        ).status
        == 422
    )
    # SC-4 / SC-6: the lab confirms receipt (chain of custody), tests and enters results
    sid = taken.body["id"]
    act(
        api,
        world,
        "jn-lab-analyst",
        f"/samples/{sid}/receipt",
        {"handed_over_by": sampler, "condition": "intact", "seal_no": sample["seal_no"]},
    )
    entered = act(
        api,
        world,
        "jn-lab-analyst",
        "/results",
        {
            "results": [
                {"sample_id": sid, "analyte": "procymidone", "value": "0.4", "unit": "mg/kg"},
                {"sample_id": sid, "analyte": "chlorpyrifos", "detected": False, "unit": "mg/kg"},
            ]
        },
    )
    assert entered["unqualified_samples"] == [sid]
    # The lab's test report goes with the sample; its summary analysis report goes to the issuing agency (SC-7)
    upload_pdf_direct(api, world, "jn-lab-manager", "sample", sid, attachments)
    summary = upload_pdf_direct(api, world, "jn-lab-manager", "spotcheck", task_id, attachments)
    version = api.get(f"/spot-checks/{task_id}", token=world.token("jn-lab-manager")).body["version"]
    reported = act(
        api, world, "jn-lab-manager", f"/spot-checks/{task_id}/report", {"version": version, "attachment_id": summary}
    )
    assert reported["state"] == "submitted" and reported["report_id"] == summary
    # Another province's agency sees none of it
    assert api.get(f"/samples/{sid}", token=world.token("js-head")).status == 404
    assert api.get(f"/spot-checks/{task_id}/samples", token=world.token("lx-head")).status == 404
    listed = api.get(f"/spot-checks/{task_id}/samples", token=world.token("sd-head")).body["items"]
    assert [s["id"] for s in listed] == [sid]


def test_only_subjects_producing_the_tasks_products_are_candidates(api, world: World):
    import json

    import requests

    from tests.support.spotchecks import SpotWalk, approved_subject

    # Given Licheng's approved subjects: two grow chives (the task's product), one only strawberries, one has no
    # product at all, and a key supervision object that grows no chives
    growers = [approved_subject(api, world) for _ in range(2)]
    strawberries = approved_subject(api, world, products=("0113",))
    nothing = approved_subject(api, world, products=())
    key_object = approved_subject(api, world, products=("0113",))
    act(api, world, "lc-head", f"/subjects/{key_object}/key-object", {"key_object": True, "reason": "上年抽检不合格"})
    walk = SpotWalk(api, world, "lc", ("370112",)).doing("lc-head")

    # When the county freezes its candidates and draws more subjects than there are
    body = {"samplers": 2, "subjects": 1000}
    committed = act(api, world, "lc-head", f"/spot-checks/{walk.id}/draw", body, status=201)
    made = act(api, world, "lc-head", f"/draws/{committed['id']}/perform")

    # Then the chives growers are candidates, frozen and drawn; the others are not, and are counted as left out
    frozen = json.loads(requests.get(committed["input_url"], timeout=10).content)
    left_out = {strawberries, nothing, key_object}
    assert set(growers) <= set(frozen["subjects"]) and not left_out & set(frozen["subjects"] + frozen["key_objects"])
    assert committed["candidates"]["subjects_left_out"]["no_product_in_scope"] >= 3
    drawn = {s["subject_id"] for s in made["result"]["subjects"]}
    assert set(growers) <= drawn and not drawn & left_out
    # and every subject drawn (other tests' included) has a chives product to sample
    for subject in drawn:
        products = api.get(f"/subjects/{subject}/products", token=world.token("lc-head")).body["items"]
        assert CHIVES in {p["category_code"] for p in products}


def two_teams_ready(api, world: World) -> tuple[str, dict[str, Any]]:
    """A Licheng task drawn with two teams of two (two subjects drawn, key objects on top), its lab's model set."""
    from tests.support.monitoring import model_body
    from tests.support.spotchecks import SpotWalk

    walk = SpotWalk(api, world, "lc", ("370112",)).doing("lc-head")
    approved_subjects(api, world, 2)
    committed = act(api, world, "lc-head", f"/spot-checks/{walk.id}/draw", {"samplers": 4, "subjects": 2}, status=201)
    made = act(api, world, "lc-head", f"/draws/{committed['id']}/perform")
    body = model_body(walk.version())
    body["objects"], body["items"] = body["objects"][:1], body["items"][:2]
    reply = api.request("PUT", f"/spot-checks/{walk.id}/model", token=world.token("jn-lab-manager"), body=body)
    assert reply.status == 200, reply.body
    return walk.id, dict(made)


def test_a_team_samples_its_own_subjects_and_a_logged_reassignment_moves_one(api, world: World):
    from chalicelib.core.audit import AuditEntry
    from chalicelib.core.db import query_all
    from tests.support.monitoring import sample_body

    # Given a draw of two teams, each with its subjects
    task_id, made = two_teams_ready(api, world)
    team1, team2 = made["teams"]
    assert team1["subjects"] and team2["subjects"]
    username = {rec.id: u for u, rec in world.users.items()}
    sampler = username[team1["samplers"][0]]
    theirs = team2["subjects"][0]
    form = lambda: sample_body(product_code=CHIVES, product_name="韭菜", subject_id=theirs)  # noqa: E731

    # When a sampler of team 1 samples team 2's subject: refused, naming the field
    refused = api.post(f"/spot-checks/{task_id}/samples", token=world.token(sampler), body=form())
    assert refused.status == 422 and refused.headers["content-type"] == "application/problem+json"
    assert refused.body["errors"] == [{"field": "body.subject_id", "message": "drawn for team 2"}]

    # Bad reassignments are 4xx problems: a team the draw did not form, the team it is on already, no reason
    path = f"/draws/{made['id']}/reassignments"
    for body, field in (
        ({"subject_id": theirs, "team": 3, "reason": "组员病假"}, "body.team"),
        ({"subject_id": theirs, "team": 2, "reason": "组员病假"}, "body.team"),
        ({"subject_id": "01NOTDRAWN", "team": 1, "reason": "组员病假"}, "body.subject_id"),
    ):
        reply = api.post(path, token=world.token("lc-head"), body=body)
        assert reply.status == 422 and reply.body["errors"][0]["field"] == field, reply.body
    assert api.post(path, token=world.token("lc-head"), body={"subject_id": theirs, "team": "x"}).status == 400
    # Only the doing agency reassigns
    outside = api.post(path, token=world.token("sd-head"), body={"subject_id": theirs, "team": 1, "reason": "x"})
    assert outside.status == 403

    # When the county reassigns the subject to team 1, because a sampler of team 2 is ill
    moved = act(api, world, "lc-head", path, {"subject_id": theirs, "team": 1, "reason": "二组组员病假"})

    # Then the move is logged on the draw and in its audit trail, and the teams as they stand show it
    entry = moved["reassignments"][0]
    assert (entry["subject_id"], entry["from_team"], entry["to_team"]) == (theirs, 2, 1)
    assert entry["reason"] == "二组组员病假"
    assert entry["by"] == world.users["lc-head"].id and entry["at"]
    assert theirs in moved["teams"][0]["subjects"] and theirs not in moved["teams"][1]["subjects"]
    assert moved["result"] == made["result"]  # the draw itself stays as drawn: its replay still matches
    assert api.get(f"/draws/{made['id']}/replay", token=world.token("sd-head")).body["matches"]
    trail = list(query_all(AuditEntry, f"DRAW#{made['id']}"))
    assert trail[-1].action == "draw.reassigned" and trail[-1].detail["reason"] == "二组组员病假"

    # And team 1 samples it now; team 2 no longer may
    taken = api.post(f"/spot-checks/{task_id}/samples", token=world.token(sampler), body=form())
    assert taken.status == 201, taken.body
    other = api.post(f"/spot-checks/{task_id}/samples", token=world.token(username[team2["samplers"][0]]), body=form())
    assert other.status == 422 and other.body["errors"][0]["message"] == "drawn for team 1"


def test_the_public_draw_shows_redacted_names_no_internal_id_and_still_checks(api, world: World):
    import re

    from chalicelib.orgs import store as orgs
    from chalicelib.orgs.models import Certificate
    from chalicelib.spotchecks import public
    from chalicelib.subjects import store as subjects

    # Given a Licheng draw of two teams (a fifth certified sampler next in line), with a recusal and a
    # reassignment, published
    six = Certificate(number="鲁农执-0006", valid_until="2030-12-31")
    world.user("lc-admin", "lc", "lc-sampler-6", ["sampler"], certificate=six, phone="13800000006")
    task_id, made = two_teams_ready(api, world)
    did = made["id"]
    seated = made["result"]["samplers"]
    act(api, world, "lc-head", f"/draws/{did}/recusals", {"sampler_id": seated[0], "reason": "与受检单位负责人系亲属"})
    made = act(
        api,
        world,
        "lc-head",
        f"/draws/{did}/reassignments",
        {"subject_id": made["teams"][1]["subjects"][0], "team": 1, "reason": "二组组员病假"},
    )
    act(api, world, "lc-head", f"/draws/{did}/publish")

    # When anyone opens it, without a token
    reply = api.get(f"/public/draws/{did}")
    assert reply.status == 200, reply.body
    shown = reply.body

    # Then no value is an internal id (of any agency, user or subject of the world) nor shaped like a ULID,
    # and no phone or certificate number is there
    county, _ = subjects.in_county("370112", None, limit=1000, cursor=None)
    staff = [u for a in world.agencies.values() for u in orgs.list_users_of(a.id, limit=200, cursor=None)[0]]
    ids = {a.id for a in world.agencies.values()} | {u.id for u in world.users.values()}
    ids |= {r.id for r in [*staff, *county]} | {task_id, did}
    personal = {x for u in staff for x in (u.phone, u.cert_no, u.email, u.username) if x}
    personal |= {x for r in county for x in (r.contact_phone, r.number, r.legal_representative) if x}
    ulid = re.compile(r"(?<![0-9A-Z])[0-9A-HJKMNP-TV-Z]{26}(?![0-9A-Z])")
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)

    def strings(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [s for k, v in value.items() for s in (k, *strings(v))]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) else []

    everything = strings(shown)
    assert not ids & set(everything)
    assert not [s for s in everything if ulid.search(s) or uuid.search(s) or any(i in s for i in ids | personal)]

    # and names are redacted: subjects as 济南**社, samplers as 张*
    by_id = {r.id: r for r in county}
    drawn = [s["subject_id"] for s in made["result"]["subjects"]]
    assert [s["name"] for s in shown["subjects"]] == [public.subject_name(by_id[s].name, by_id[s].form) for s in drawn]
    assert all("*" in s["name"] and s["name"] != by_id[i].name for s, i in zip(shown["subjects"], drawn, strict=True))
    users = {u.id: u for u in staff}
    team_names = [m["name"] for t in shown["teams"] for m in t["samplers"]]
    assert team_names == [public.mask_person(users[i].name) for t in made["teams"] for i in t["samplers"]]
    assert all(n.endswith("*") for n in team_names)

    # And it still checks: the replay, the public form on its own, and each candidate's own key
    assert shown["matches"] and shown["checks"]["public_form_consistent"] and public.consistent(shown)
    me = drawn[-1]
    assert (
        public.key_of(shown["seed"], "subject", me) in {c["key"] for c in shown["subject_pool"]}
        or next(s for s in shown["subjects"] if s["number"] == len(drawn))["key_object"]
    )
    mine = public.key_of(shown["seed"], "sampler", seated[1])
    assert next(c for c in shown["sampler_pool"] if c["key"] == mine)["slot"] == 2
    assert shown["replacements"][0]["reason"] == "与受检单位负责人系亲属"
    assert shown["reassignments"][0]["reason"] == "二组组员病假"
    # a public form altered (two subjects' places swapped) no longer checks
    tampered = {
        **shown,
        "subject_pool": [shown["subject_pool"][1], shown["subject_pool"][0], *shown["subject_pool"][2:]],
    }
    assert not public.consistent(tampered)

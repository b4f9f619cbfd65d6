"""Subjects (生产经营主体): registration, admission review, standing, bases, key objects, bad records, accounts."""

from chalicelib.subjects import store
from tests.support.subjects import registration
from tests.support.world import World


def register(api, world: World, **extra):
    reply = api.post("/subjects", token=world.token("lc-supervisor"), body=registration(**extra))
    assert reply.status == 201, reply.body
    return reply.body


def approve(api, world: World, subject_id: str):
    reply = api.post(f"/subjects/{subject_id}/review", token=world.token("lc-head"), body={"decision": "approve"})
    assert reply.status == 200, reply.body
    return reply.body


def test_a_registered_subject_waits_for_review_then_gets_its_identity_code(api, world: World):
    subject = register(api, world)
    assert subject["state"] == "pending" and subject["identity_code"] is None
    approved = approve(api, world, subject["id"])
    assert approved["state"] == "approved"
    assert approved["identity_code"] == f"1.2.156.326.8.1.0.0.3.{subject['number']}"


def test_the_same_number_registers_once(api, world: World):
    body = registration()
    assert api.post("/subjects", token=world.token("lc-supervisor"), body=body).status == 201
    again = api.post("/subjects", token=world.token("lc-supervisor"), body={**body, "name": "另一个名字"})
    assert again.status == 409 and again.body["type"].endswith("/already-exists")


def test_a_retried_registration_creates_one_subject(api, world: World):
    body = registration(name="重试合作社")
    headers = {"Idempotency-Key": "register-retry-0001"}
    first = api.post("/subjects", token=world.token("lc-supervisor"), body=body, headers=headers)
    again = api.post("/subjects", token=world.token("lc-supervisor"), body=body, headers=headers)
    assert first.status == again.status == 201 and first.body["id"] == again.body["id"]
    pending = api.get("/subjects?region=370112&state=pending&limit=200", token=world.token("lc-head")).body["items"]
    assert [s["name"] for s in pending].count("重试合作社") == 1


def test_a_wrong_check_character_is_refused(api, world: World):
    body = registration()
    body["number"] = body["number"][:-1] + ("0" if body["number"][-1] != "0" else "1")
    reply = api.post("/subjects", token=world.token("lc-supervisor"), body=body)
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.number"


def test_two_reviewers_at_once_one_wins(api, world: World):
    from chalicelib.core.errors import ConflictError
    from chalicelib.subjects import service
    from chalicelib.subjects.models import ReviewRequest

    subject = register(api, world)
    world.user("lc-admin", "lc", "lc-head-2", ["head"])
    # Both reviewers opened the pending subject before either decided.
    first_view, second_view = store.get(subject["id"]), store.get(subject["id"])
    service.decide(world.principal("lc-head"), first_view, ReviewRequest(decision="approve"))
    try:
        service.decide(world.principal("lc-head-2"), second_view, ReviewRequest(decision="reject", reasons=["x"]))
        raise AssertionError("the second decision was accepted")
    except ConflictError as exc:
        assert exc.status == 409
    assert store.get(subject["id"]).state == "approved"
    # Over HTTP, a decision on a decided subject is a 409 too.
    late = api.post(f"/subjects/{subject['id']}/review", token=world.token("lc-head-2"), body={"decision": "approve"})
    assert late.status == 409


def test_a_rejection_states_its_reasons(api, world: World):
    subject = register(api, world)
    bare = api.post(f"/subjects/{subject['id']}/review", token=world.token("lc-head"), body={"decision": "reject"})
    assert bare.status == 422
    done = api.post(
        f"/subjects/{subject['id']}/review",
        token=world.token("lc-head"),
        body={"decision": "reject", "reasons": ["无生产基地证明"]},
    )
    assert done.body["state"] == "rejected" and done.body["review"]["reasons"] == ["无生产基地证明"]


def test_another_county_neither_sees_nor_changes_the_subject(api, world: World):
    subject = approve(api, world, register(api, world)["id"])
    outsider = world.token("lx-supervisor")
    assert api.get(f"/subjects/{subject['id']}", token=outsider).status == 404
    assert (
        api.patch(
            f"/subjects/{subject['id']}", token=outsider, body={"version": subject["version"], "address": "x"}
        ).status
        == 404
    )
    assert api.get("/subjects?region=370112", token=outsider).status == 404
    assert api.get(f"/subjects/{subject['id']}", token=world.token("jn-admin")).status == 200


def test_changes_keep_the_old_values_and_standing_moves_once(api, world: World):
    subject = approve(api, world, register(api, world)["id"])
    changed = api.patch(
        f"/subjects/{subject['id']}",
        token=world.token("lc-supervisor"),
        body={"version": subject["version"], "contact_phone": "13900000009"},
    )
    assert changed.status == 200 and changed.body["contact_phone"] == "13900000009"
    revoked = api.post(f"/subjects/{subject['id']}/revoke", token=world.token("lc-head"), body={"reason": "停产"})
    assert revoked.body["state"] == "revoked"
    again = api.post(f"/subjects/{subject['id']}/cancel", token=world.token("lc-head"), body={"reason": "x"})
    assert again.status == 409


def test_key_objects_bases_and_bad_records(api, world: World):
    subject = approve(api, world, register(api, world)["id"])
    sid = subject["id"]
    flagged = api.post(
        f"/subjects/{sid}/key-object",
        token=world.token("lc-head"),
        body={"key_object": True, "reason": "上年抽检不合格"},
    )
    assert flagged.body["key_object"] is True
    base = api.post(
        f"/subjects/{sid}/bases",
        token=world.token("lc-supervisor"),
        body={"name": "港沟草莓基地", "location": {"lng": 117.21, "lat": 36.65}, "area_mu": 120, "products": ["草莓"]},
    )
    assert base.status == 201
    assert [b["name"] for b in api.get(f"/subjects/{sid}/bases", token=world.token("lc-head")).body["items"]] == [
        "港沟草莓基地"
    ]
    bad = api.post(
        f"/subjects/{sid}/bad-records",
        token=world.token("lc-supervisor"),
        body={"kind": "failed_test", "description": "草莓腐霉利超标", "occurred_on": "2026-05-01"},
    )
    assert bad.status == 201
    listed = api.get(f"/subjects/{sid}/bad-records", token=world.token("lc-head")).body["items"]
    assert [b["description"] for b in listed] == ["草莓腐霉利超标"]
    assert api.get(f"/subjects/{sid}", token=world.token("lc-head")).body["bad_records"] == 1


def test_a_subject_account_sees_only_its_own_subject(api, world: World):
    mine = approve(api, world, register(api, world)["id"])
    other = approve(api, world, register(api, world, name="另一家农场")["id"])
    opened = api.post(
        f"/subjects/{mine['id']}/account",
        token=world.token("lc-head"),
        body={"username": "farm-owner-1", "name": "李四", "phone": "+8613700000001"},
    )
    assert opened.status == 201, opened.body
    token = world.identity.token("farm-owner-1")
    assert api.get(f"/subjects/{mine['id']}", token=token).status == 200
    assert api.get(f"/subjects/{other['id']}", token=token).status == 404
    assert api.get("/subjects?region=370112", token=token).status == 403
    base = api.post(
        f"/subjects/{mine['id']}/bases", token=token, body={"name": "自有基地", "location": {"lng": 117.2, "lat": 36.6}}
    )
    assert base.status == 201
    # When the subject is revoked, its account no longer signs in.
    api.post(f"/subjects/{mine['id']}/revoke", token=world.token("lc-head"), body={"reason": "违法"})
    assert api.get(f"/subjects/{mine['id']}", token=token).status == 403


def test_a_subject_found_on_site_is_captured_invited_and_registered_with_its_trail(api, world: World):
    from urllib.parse import quote

    from chalicelib.core import audit

    captured = api.post(
        "/captured-subjects",
        token=world.token("lc-supervisor"),
        body={
            "name": "路边草莓摊",
            "category": "operation",
            "form": "individual",
            "region": "370112",
            "address": "港沟街道集市",
        },
    )
    assert captured.status == 201, captured.body
    subject = captured.body["subject"]
    assert subject["state"] == "temporary"
    assert subject["identity_code"].startswith("1.2.156.326.8.1.4.1.1.0370112")
    assert captured.body["link"].endswith(f"/register?invite={subject['id']}")
    assert captured.body["qr_svg"].startswith("<?xml") or "<svg" in captured.body["qr_svg"]
    # Its temporary code scans to it, and a second capture gets the next number.
    scanned = api.get("/scan?code=" + quote(subject["identity_code"], safe=""), token=world.token("lc-head"))
    assert scanned.body["subject"]["temporary"] is True
    second = api.post(
        "/captured-subjects",
        token=world.token("lc-supervisor"),
        body={"name": "另一摊位", "category": "operation", "form": "individual", "region": "370112", "address": "集市"},
    )
    assert int(second.body["subject"]["number"][-11:]) == int(subject["number"][-11:]) + 1
    # It registers: the same record, so its audit trail goes on and the old code still finds it.
    body = registration(name="王氏草莓家庭农场")
    body.pop("region")
    body["form"] = "family_farm"
    registered = api.post(f"/subjects/{subject['id']}/registration", token=world.token("lc-supervisor"), body=body)
    assert registered.status == 200, registered.body
    assert registered.body["id"] == subject["id"] and registered.body["state"] == "pending"
    approved = approve(api, world, subject["id"])
    assert approved["identity_code"].startswith("1.2.156.326.8.1.0.0.2.")
    chain = audit.verify_chain(store.get(subject["id"]))
    assert chain.intact and chain.length == 3
    again = api.get("/scan?code=" + quote(subject["identity_code"], safe=""), token=world.token("lc-head"))
    assert again.body["subject"]["id"] == subject["id"] and again.body["subject"]["state"] == "approved"
    assert (
        api.post(f"/subjects/{subject['id']}/registration", token=world.token("lc-supervisor"), body=body).status == 409
    )


def test_base_photos_go_through_the_attachment_checks(api, world: World, events):
    import requests

    subject = approve(api, world, register(api, world)["id"])
    base = api.post(
        f"/subjects/{subject['id']}/bases",
        token=world.token("lc-supervisor"),
        body={"name": "大棚一号", "location": {"lng": 117.2, "lat": 36.6}},
    ).body
    results = {}
    for name, data in {"real": b"\xff\xd8\xff\xe0" + b"j" * 100, "fake": b"GIF89a not a jpeg"}.items():
        ticket = api.post(
            "/attachments",
            token=world.token("lc-supervisor"),
            body={
                "owner_kind": "base",
                "owner_id": base["id"],
                "filename": f"{name}.jpg",
                "content_type": "image/jpeg",
                "size": len(data),
            },
        )
        assert ticket.status == 201, ticket.body
        form = ticket.body["upload"]
        assert requests.post(form["url"], data=form["fields"], files={"file": ("x", data)}, timeout=10).ok
        results[name] = ticket.body["attachment"]["id"]
    events.settle()
    listed = api.get(f"/attachments?owner_kind=base&owner_id={base['id']}", token=world.token("lc-head")).body
    states = {a["filename"]: a["state"] for a in listed["items"]}
    assert states == {"real.jpg": "attached", "fake.jpg": "quarantined"}
    assert (
        api.get(f"/attachments?owner_kind=base&owner_id={base['id']}", token=world.token("lx-supervisor")).status == 404
    )


def test_a_captured_subject_can_be_rejected_and_its_bases_are_checked_at_night(api, world: World):
    from chalicelib.core import clock
    from chalicelib.integrity import service as integrity

    captured = api.post(
        "/captured-subjects",
        token=world.token("lc-supervisor"),
        body={"name": "临时摊位", "category": "operation", "form": "individual", "region": "370112", "address": "集市"},
    )
    sid = captured.body["subject"]["id"]
    body = registration(name="待拒绝的摊位")
    body.pop("region")
    assert api.post(f"/subjects/{sid}/registration", token=world.token("lc-supervisor"), body=body).status == 200
    rejected = api.post(
        f"/subjects/{sid}/review", token=world.token("lc-head"), body={"decision": "reject", "reasons": ["材料不全"]}
    )
    assert rejected.status == 200 and rejected.body["state"] == "rejected"
    # A subject and its base share a partition; the nightly check verifies both chains.
    subject = approve(api, world, register(api, world)["id"])
    api.post(
        f"/subjects/{subject['id']}/bases",
        token=world.token("lc-supervisor"),
        body={"name": "夜检基地", "location": {"lng": 117.2, "lat": 36.6}},
    )
    report = integrity.verify_day(clock.cst_day(clock.now()))
    from chalicelib.core import audit

    checked = audit.records_changed_on(clock.cst_day(clock.now()))
    assert (f"SUBJ#{subject['id']}", "SUBJ") in checked
    assert any(pk == f"SUBJ#{subject['id']}" and sk.startswith("BASE#") for pk, sk in checked)
    assert report.checked == len(checked)

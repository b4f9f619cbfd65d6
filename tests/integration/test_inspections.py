"""On-site inspections (基地巡查): sent offline-first by the phone's id, resent, edited, checked, flagged, fenced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ulid import ULID

from chalicelib.core.audit import AuditEntry
from chalicelib.core.db import query_all
from chalicelib.inspections import store
from tests.support.inspections import SIGNATURE_PNG, good_answers, inspection_body, published, template_body
from tests.support.subjects import registration
from tests.support.world import World

BASE = {"lng": 117.05, "lat": 36.68}


def _subject_with_base(api: Any, world: World) -> str:
    """A Licheng subject with one base (基地) at BASE."""
    made = api.post("/subjects", token=world.token("lc-supervisor"), body=registration())
    assert made.status == 201, made.body
    sid = str(made.body["id"])
    base = api.post(
        f"/subjects/{sid}/bases", token=world.token("lc-supervisor"), body={"name": "一号基地", "location": BASE}
    )
    assert base.status == 201, base.body
    return sid


def _body(sid: str, code: str, **extra: Any) -> dict[str, Any]:
    return inspection_body(sid, code, **extra)


def _fields(reply: Any) -> dict[str, str]:
    assert reply.headers["content-type"] == "application/problem+json", reply.body
    return {e["field"]: e["message"] for e in reply.body["errors"]}


def test_a_resend_is_harmless_other_content_is_a_conflict_and_an_edit_names_its_version(api, world: World):
    # Given a Licheng subject with a base and a published Shandong template
    sid = _subject_with_base(api, world)
    published(api, world, "SD-INSP-1")
    iid, token = str(ULID()), world.token("lc-supervisor")
    body = _body(sid, "SD-INSP-1")
    # When a supervisor sends the inspection the phone made
    first = api.put(f"/inspections/{iid}", token=token, body=body)
    # Then it is stored as version 1, scored against the version, near the base, received now
    assert first.status == 201, first.body
    assert (first.body["version"], first.body["flags"], first.body["org_id"]) == (1, [], world.agencies["lc"].id)
    assert first.body["result"]["outcome"] == "pass" and first.body["result"]["failed"] == 1
    assert first.body["received_at"] > first.body["done_at"]
    # When the phone sends it again (its reply was lost)
    again = api.put(f"/inspections/{iid}", token=token, body=body)
    # Then it is answered with the stored record, and nothing is duplicated
    assert again.status == 200, again.body
    assert again.body == first.body
    listed = api.get(f"/inspections?subject_id={sid}", token=token).body["items"]
    assert [i["id"] for i in listed] == [iid]
    assert [i["id"] for i in api.get("/inspections", token=token).body["items"]].count(iid) == 1
    # When it is resent with changed content and no version
    changed = {**body, "opinion": "复核后：废弃物回收已整改"}
    conflict = api.put(f"/inspections/{iid}", token=token, body=changed)
    # Then it is a 409 problem
    assert conflict.status == 409, conflict.body
    assert conflict.headers["content-type"] == "application/problem+json"
    # When the edit names the stored version it replaces
    edited = api.put(f"/inspections/{iid}", token=token, body={**changed, "replaces_version": 1})
    # Then it is version 2, the received time kept, and a stale edit is refused
    assert edited.status == 200, edited.body
    assert (edited.body["version"], edited.body["opinion"]) == (2, "复核后：废弃物回收已整改")
    assert edited.body["received_at"] == first.body["received_at"]
    stale = api.put(f"/inspections/{iid}", token=token, body={**changed, "opinion": "再改", "replaces_version": 1})
    assert stale.status == 409, stale.body
    # And the edit sent again (its reply lost) is answered with version 2, not refused as stale
    resent = api.put(f"/inspections/{iid}", token=token, body={**changed, "replaces_version": 1})
    assert (resent.status, resent.body["version"]) == (200, 2), resent.body
    # And another agency over the subject may not take the id over
    taken = api.put(f"/inspections/{iid}", token=world.token("jn-head"), body={**changed, "replaces_version": 2})
    assert taken.status == 409, taken.body
    # And the stored item is filed under its id and both lists, its first content kept in its audit chain
    rec = store.get_inspection(iid)
    assert (rec.pk, rec.sk, rec.gsi1pk, rec.gsi2pk) == (
        f"INSP#{iid}",
        "INSP",
        f"INSPS#SUBJ#{sid}",
        f"INSPS#ORG#{world.agencies['lc'].id}",
    )
    assert rec.gsi1sk == rec.gsi2sk == f"{rec.done_at}#{iid}"
    assert int(rec.audit_seq) == 2
    chain = list(query_all(AuditEntry, rec.pk, range_key_condition=AuditEntry.sk.startswith("AUDIT#INSP#")))
    assert [(e.action, e.state["opinion"]["S"]) for e in chain] == [
        ("inspection.recorded", body["opinion"]),
        ("inspection.edited", changed["opinion"]),
    ]
    read = api.get(f"/inspections/{iid}", token=world.token("lc-head"))
    assert read.status == 200 and read.body["version"] == 2, read.body


def test_answers_not_matching_the_template_are_422_naming_the_item(api, world: World):
    # Given a subject and a published template
    sid = _subject_with_base(api, world)
    published(api, world, "SD-INSP-2")
    answers = good_answers()
    answers["greenhouse_area"] = {"value": 9000}
    del answers["signature"]
    # When the inspection's answers break the version's schema
    reply = api.put(
        f"/inspections/{ULID()}", token=world.token("lc-supervisor"), body=_body(sid, "SD-INSP-2", answers=answers)
    )
    # Then it is a 422 naming each item, and nothing is stored
    assert reply.status == 422, reply.body
    assert {"body.answers.greenhouse_area", "body.answers.signature"} <= set(_fields(reply))


def test_a_draft_template_a_future_time_and_a_bad_id_are_refused(api, world: World):
    # Given a subject, a draft template and a published one
    sid = _subject_with_base(api, world)
    token = world.token("lc-supervisor")
    made = api.post(
        "/inspection-templates",
        token=world.token("sd-head"),
        body=template_body("SD-INSP-3"),
    )
    assert made.status == 201, made.body
    # Then an inspection with the draft, one done in the future, and one whose id is no ULID are refused
    draft = api.put(f"/inspections/{ULID()}", token=token, body=_body(sid, "SD-INSP-3"))
    assert draft.status in (409, 422), draft.body
    published(api, world, "SD-INSP-4")
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    late = api.put(f"/inspections/{ULID()}", token=token, body=_body(sid, "SD-INSP-4", done_at=future))
    assert late.status == 422 and "body.done_at" in _fields(late), late.body
    bad = api.put("/inspections/not-a-ulid", token=token, body=_body(sid, "SD-INSP-4"))
    assert bad.status == 400 and "path.inspection_id" in _fields(bad), bad.body


def test_a_position_far_from_every_base_is_flagged_not_refused(api, world: World):
    # Given a subject whose only base is at BASE
    sid = _subject_with_base(api, world)
    published(api, world, "SD-INSP-5")
    far = {"lng": BASE["lng"] + 0.1, "lat": BASE["lat"], "accuracy_m": 5}  # about 9 km east
    # When the inspection is sent from 9 km away
    reply = api.put(
        f"/inspections/{ULID()}", token=world.token("lc-supervisor"), body=_body(sid, "SD-INSP-5", position=far)
    )
    # Then it is stored, flagged
    assert reply.status == 201, reply.body
    assert reply.body["flags"] == ["far_from_bases"]


def test_another_provinces_user_finds_nothing(api, world: World):
    # Given a Licheng inspection
    sid = _subject_with_base(api, world)
    published(api, world, "SD-INSP-6")
    iid = str(ULID())
    body = _body(sid, "SD-INSP-6")
    assert api.put(f"/inspections/{iid}", token=world.token("lc-supervisor"), body=body).status == 201
    # When Jiangsu's head reads it, lists the subject's, or sends an inspection of the subject
    outsider = world.token("js-head")
    # Then each is a 404, as if none existed
    assert api.get(f"/inspections/{iid}", token=outsider).status == 404
    assert api.get(f"/inspections?subject_id={sid}", token=outsider).status == 404
    assert api.put(f"/inspections/{ULID()}", token=outsider, body=body).status == 404
    assert api.put(f"/inspections/{iid}", token=outsider, body=body).status == 404


def _ask_upload(api: Any, world: World, iid: str, attachment_id: str, data: bytes, **extra: Any) -> Any:
    body = {
        "owner_kind": "inspection",
        "owner_id": iid,
        "id": attachment_id,
        "filename": "签字.png",
        "content_type": "image/png",
        "size": len(data),
        **extra,
    }
    return api.post("/attachments", token=world.token("lc-supervisor"), body=body)


def _upload(ticket: Any, data: bytes) -> None:
    import requests

    form = ticket.body["upload"]
    assert requests.post(form["url"], data=form["fields"], files={"file": ("x", data)}, timeout=10).ok


def test_the_phone_sends_the_record_then_its_files_under_the_ids_it_made_and_a_signature_must_be_the_image_hashed(
    api, world: World, events
):
    # Given an inspection made offline: its photos and the signature named by ids the phone made, the signature hashed
    sid = _subject_with_base(api, world)
    published(api, world, "SD-INSP-FILES")
    iid, token = str(ULID()), world.token("lc-supervisor")
    body = _body(sid, "SD-INSP-FILES")
    signature = body["answers"]["signature"]
    photo = body["answers"]["pesticide_waste"]["photos"][0]
    # When the record arrives before its files
    sent = api.put(f"/inspections/{iid}", token=token, body=body)
    # Then it is stored, every file it names shown as not yet sent
    assert sent.status == 201, sent.body
    files = {f["attachment_id"]: f for f in sent.body["files"]}
    assert files[signature["attachment_id"]] == {
        "attachment_id": signature["attachment_id"],
        "field": "answers.signature.attachment_id",
        "state": "missing",
        "sha256": signature["sha256"],
    }
    assert files[photo]["field"] == "answers.pesticide_waste.photos"
    # When the phone uploads the signature image it hashed, and a "photo" that is a script, under their ids
    png = SIGNATURE_PNG
    ticket = _ask_upload(api, world, iid, signature["attachment_id"], png, sha256=signature["sha256"])
    assert ticket.status == 201, ticket.body
    asked_again = _ask_upload(api, world, iid, signature["attachment_id"], png, sha256=signature["sha256"])
    assert asked_again.status == 201 and asked_again.body["attachment"]["id"] == signature["attachment_id"]
    script = b"#!/bin/sh\nrm -rf /\n"
    photo_ticket = _ask_upload(api, world, iid, photo, script, filename="现场.jpg", content_type="image/jpeg")
    assert photo_ticket.status == 201, photo_ticket.body
    _upload(ticket, png)
    _upload(photo_ticket, script)
    events.settle()
    # Then the signature is attached with the hash on the record, and the script is quarantined
    files = {f["attachment_id"]: f for f in api.get(f"/inspections/{iid}", token=token).body["files"]}
    assert (files[signature["attachment_id"]]["state"], files[signature["attachment_id"]]["sha256"]) == (
        "attached",
        signature["sha256"],
    )
    assert files[photo]["state"] == "quarantined"
    # And the id of a file already taken by another file is a conflict, never a second file
    other = _ask_upload(api, world, iid, signature["attachment_id"], b"\x89PNG\r\n\x1a\nother", sha256="1" * 64)
    assert other.status == 409, other.body


def test_a_signature_whose_bytes_are_not_the_image_signed_is_quarantined(api, world: World, events):
    sid = _subject_with_base(api, world)
    published(api, world, "SD-INSP-SIG")
    iid = str(ULID())
    body = _body(sid, "SD-INSP-SIG")
    assert api.put(f"/inspections/{iid}", token=world.token("lc-supervisor"), body=body).status == 201
    signature = body["answers"]["signature"]
    forged = b"\x89PNG\r\n\x1a\n" + b"another person's signature"
    ticket = _ask_upload(api, world, iid, signature["attachment_id"], forged, sha256=signature["sha256"])
    _upload(ticket, forged)
    events.settle()
    got = api.get(f"/attachments/{signature['attachment_id']}", token=world.token("lc-head")).body
    assert (got["state"], got["problem"]) == (
        "quarantined",
        "the bytes are not the file declared (their SHA-256 differs)",
    )


def test_an_inspection_naming_another_records_file_or_of_an_ended_subject_is_refused(api, world: World, events):
    sid = _subject_with_base(api, world)
    published(api, world, "SD-INSP-OWN")
    token = world.token("lc-supervisor")
    first, second = str(ULID()), str(ULID())
    body = _body(sid, "SD-INSP-OWN")
    assert api.put(f"/inspections/{first}", token=token, body=body).status == 201
    photo = body["answers"]["pesticide_waste"]["photos"][0]
    assert _ask_upload(api, world, first, photo, SIGNATURE_PNG).status == 201
    # When another inspection names the first one's photo
    reused = _body(sid, "SD-INSP-OWN")
    reused["answers"]["pesticide_waste"]["photos"] = [photo]
    refused = api.put(f"/inspections/{second}", token=token, body=reused)
    # Then it is refused naming the item, and nothing is stored
    assert refused.status == 422, refused.body
    assert _fields(refused) == {"body.answers.pesticide_waste.photos": f"{photo} is attached to another record"}
    assert api.get(f"/inspections/{second}", token=token).status == 404
    # When the subject's registration is revoked, Then a new inspection of it is refused, naming the subject
    approved = api.post(f"/subjects/{sid}/review", token=world.token("lc-head"), body={"decision": "approve"})
    assert approved.status == 200, approved.body
    revoked = api.post(f"/subjects/{sid}/revoke", token=world.token("lc-head"), body={"reason": "停产"})
    assert revoked.body["state"] == "revoked", revoked.body
    ended = api.put(f"/inspections/{second}", token=token, body=_body(sid, "SD-INSP-OWN"))
    assert ended.status == 422, ended.body
    assert list(_fields(ended)) == ["body.subject_id"]

"""Audit chains, the activity feed, attachments and the nightly integrity check, as operators see them."""

import base64
import hashlib
import json

import boto3
import requests

from chalicelib.attachments import store as attachments
from chalicelib.core import audit, clock
from chalicelib.core.db import Entity
from chalicelib.integrity import service as integrity
from chalicelib.orgs import store as orgs
from tests.support.world import World


def test_every_change_is_chained_and_tampering_is_detected(api, world: World):
    lc = world.agencies["lc"].id
    api.patch(f"/agencies/{lc}", token=world.token("jn-admin"), body={"version": 1, "address": "历城区山大路"})
    record = orgs.get_agency(lc)
    report = audit.verify_chain(record)
    assert report.intact and report.length == 2
    # Someone edits the table behind the platform's back.
    boto3.client("dynamodb").update_item(
        TableName="agritrace-main",
        Key={"pk": {"S": record.pk}, "sk": {"S": "ORG"}},
        UpdateExpression="SET address = :a",
        ExpressionAttributeValues={":a": {"S": "伪造地址"}},
    )
    tampered = audit.verify_chain(orgs.get_agency(lc))
    assert not tampered.intact and "differs" in (tampered.problem or "")
    # The nightly job reports it for the day of the change.
    day = clock.cst_day(clock.now())
    report_view = integrity.verify_day(day)
    assert report_view.checked >= 10
    assert record.pk in [b.record for b in report_view.broken]
    assert orgs.get_agency(world.agencies["jn"].id).pk not in [b.record for b in report_view.broken]
    shown = api.get(f"/integrity/reports/{day}", token=world.token("moa-analyst"))
    assert shown.status == 200 and record.pk in [b["record"] for b in shown.body["broken"]]


def test_a_changed_audit_entry_breaks_the_chain(world: World):
    record = orgs.get_agency(world.agencies["lx"].id)
    entry = next(iter(audit.AuditEntry.query(record.pk, audit.AuditEntry.sk.startswith("AUDIT#"))))
    entry.actor = "someone-else"
    entry.save(add_version_condition=False)
    assert not audit.verify_chain(Entity.get(record.pk, record.sk)).intact


def test_changes_reach_the_feeds_of_every_level_above_once(api, world: World, events):
    made = api.post(
        "/agencies",
        token=world.token("lc-admin"),
        body={"name": "港沟街道农产品质量安全监管站", "kind": "supervision", "region": "370112"},
    )
    assert made.status == 201
    events.settle()
    events.poller.iterators.clear()  # the stream is delivered again from the start: nothing doubles
    events.settle()
    for viewer, region in [
        ("lc-head", "370112"),
        ("sd-head", "370100"),
        ("sd-head", "370000"),
        ("moa-analyst", "000000"),
    ]:
        feed = api.get(f"/activity?region={region}&limit=200", token=world.token(viewer))
        assert feed.status == 200, feed.body
        hits = [i for i in feed.body["items"] if i["id"] == made.body["id"]]
        assert len(hits) == 1 and hits[0]["action"] == "agency.created", (viewer, region, hits)
    assert api.get("/activity?region=370000", token=world.token("js-head")).status == 404
    assert api.get("/activity?region=370112", token=world.token("lx-supervisor")).status == 404


def _instruction(api, world: World) -> str:
    body = {"to_org_id": world.agencies["jn"].id, "title": "附件", "body": "见附件"}
    return api.post("/instructions", token=world.token("sd-head"), body=body).body["id"]


def _ask_upload(api, world: World, owner: str, filename: str, content_type: str, size: int):
    body = {
        "owner_kind": "instruction",
        "owner_id": owner,
        "filename": filename,
        "content_type": content_type,
        "size": size,
    }
    return api.post("/attachments", token=world.token("sd-head"), body=body)


def _upload(api, world: World, content_type: str, data: bytes, events):
    owner = _instruction(api, world)
    ticket = _ask_upload(api, world, owner, "现场.jpg", content_type, len(data))
    assert ticket.status == 201, ticket.body
    form = ticket.body["upload"]
    assert form["fields"]["key"].startswith("uploads/instruction/")
    posted = requests.post(form["url"], data=form["fields"], files={"file": ("x", data)}, timeout=10)
    assert posted.status_code in (200, 204), posted.text
    events.settle()
    return ticket.body["attachment"]["id"], owner


def test_a_real_photo_is_attached_with_its_hash(api, world: World, events):
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"x" * 200
    att_id, _ = _upload(api, world, "image/jpeg", jpeg, events)
    shown = api.get(f"/attachments/{att_id}", token=world.token("jn-admin"))
    assert shown.body["state"] == "attached"
    assert shown.body["sha256"] == hashlib.sha256(jpeg).hexdigest()
    assert shown.body["download_url"]
    assert api.get(f"/attachments/{att_id}", token=world.token("js-head")).status == 404


def test_bytes_that_are_not_the_declared_type_end_in_quarantine(api, world: World, events):
    att_id, _ = _upload(api, world, "image/jpeg", b"MZ\x90\x00 this is an executable", events)
    rec = attachments.get(att_id)
    assert rec.state == "quarantined" and rec.key.startswith("quarantine/")
    shown = api.get(f"/attachments/{att_id}", token=world.token("sd-head")).body
    assert shown["download_url"] is None and "not image/jpeg" in shown["problem"]
    s3 = boto3.client("s3")
    left = s3.list_objects_v2(Bucket="agritrace-files", Prefix="uploads/").get("Contents", [])
    assert att_id not in " ".join(o["Key"] for o in left)


def test_upload_policy_binds_key_type_and_size(api, world: World):
    owner = _instruction(api, world)
    ticket = _ask_upload(api, world, owner, "r.pdf", "application/pdf", 5000).body
    policy = json.loads(base64.b64decode(ticket["upload"]["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"Content-Type": "application/pdf"} in conditions
    assert ["content-length-range", 1, 5000] in conditions
    assert {"key": ticket["upload"]["fields"]["key"]} in conditions
    too_big = _ask_upload(api, world, owner, "v.mp4", "video/mp4", 10**10)
    assert too_big.status == 400 and too_big.body["errors"][0]["field"] == "body.size"


def test_governing_agencies_list_the_files_they_may_read_but_do_not_attach(api, world: World, events):
    # Jinan city sends Licheng county an instruction; Shandong province governs both.
    world.user("jn-admin", "jn", "jn-head-2", ["head"])
    sent = api.post(
        "/instructions",
        token=world.token("jn-head-2"),
        body={"to_org_id": world.agencies["lc"].id, "title": "t", "body": "b"},
    ).body
    listed = api.get(f"/attachments?owner_kind=instruction&owner_id={sent['id']}", token=world.token("sd-head"))
    assert listed.status == 200
    attach = api.post(
        "/attachments",
        token=world.token("sd-head"),
        body={
            "owner_kind": "instruction",
            "owner_id": sent["id"],
            "filename": "x.pdf",
            "content_type": "application/pdf",
            "size": 10,
        },
    )
    assert attach.status == 403


def test_a_national_day_reads_newest_first_across_its_shards(api, world: World, events):
    for n in range(12):
        api.post(
            "/agencies",
            token=world.token("sd-admin"),
            body={"name": f"shard-{n}", "kind": "testing", "region": "370000"},
        )
    events.settle()
    token = world.token("moa-analyst")
    seen, cursor = [], None
    while True:
        page = api.get("/activity?region=000000&limit=5" + (f"&cursor={cursor}" if cursor else ""), token=token).body
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    stamps = [i["at"] for i in seen]
    assert stamps == sorted(stamps, reverse=True)
    keys = [(i["id"], i["action"], i["at"]) for i in seen]
    assert len(keys) == len(set(keys))
    names = [i["summary"]["name"] for i in seen if i["summary"] and i["summary"].get("name", "").startswith("shard-")]
    assert names[:12] == [f"shard-{n}" for n in reversed(range(12))]

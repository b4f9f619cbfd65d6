"""Products, batches and codes: what a supervisor's phone gets from one scan, and what the public sees."""

from urllib.parse import quote

import boto3
import numpy as np
import png
import requests
import zxingcpp

from chalicelib.core.config import get_settings
from tests.support.subjects import registration
from tests.support.world import World


def approved_subject(api, world: World, **extra) -> dict:
    made = api.post("/subjects", token=world.token("lc-supervisor"), body=registration(**extra)).body
    return api.post(f"/subjects/{made['id']}/review", token=world.token("lc-head"), body={"decision": "approve"}).body


def batch_of(api, world: World, subject: dict, produced_at: str = "2026-05-01T08:30:00+08:00") -> tuple[dict, dict]:
    token = world.token("lc-supervisor")
    base = api.post(
        f"/subjects/{subject['id']}/bases",
        token=token,
        body={"name": "港沟基地", "location": {"lng": 117.21, "lat": 36.65}},
    ).body
    product = api.post(
        f"/subjects/{subject['id']}/products", token=token, body={"name": "草莓", "category_code": "0113"}
    ).body
    batch = api.post(
        f"/products/{product['id']}/batches",
        token=token,
        body={"kind": "production", "quantity": 500, "unit": "kg", "produced_at": produced_at, "base_id": base["id"]},
    )
    assert batch.status == 201, batch.body
    return product, batch.body


def scan(api, token: str, code: str):
    return api.get(f"/scan?code={quote(code, safe='')}", token=token)


def test_every_form_of_a_batch_code_resolves_in_two_calls(api, world: World):
    subject = approved_subject(api, world)
    _, batch = batch_of(api, world, subject)
    assert batch["code_long"] == f"1.2.156.326.8.1.2.0.3.{subject['number']}.0113.20260501083000"
    assert batch["code_short"] == f"103{subject['number']}011320260501083000" + "00"
    token = world.token("lc-supervisor")
    for form in (batch["code_long"], batch["code_short"], batch["link"], f"  {batch['code_short'].lower()} "):
        reply = scan(api, token, form)
        assert reply.status == 200, (form, reply.body)
        assert reply.reads <= 2
        body = reply.body
        assert body["subject"]["id"] == subject["id"] and body["subject"]["key_object"] is False
        assert body["product"]["name"] == "草莓" and body["batch"]["id"] == batch["id"]
        assert body["base"]["name"] == "港沟基地"


def test_scanning_a_subject_identity_opens_the_subject(api, world: World):
    subject = approved_subject(api, world)
    body = scan(api, world.token("lc-supervisor"), subject["identity_code"]).body
    assert body["subject"]["id"] == subject["id"] and body["product"] is None and body["code_kind"]


def test_malformed_unknown_and_foreign_codes(api, world: World):
    token = world.token("lc-supervisor")
    bad = scan(api, token, "1.2.156.326.8.1.9.0.0.123")
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "code"
    assert scan(api, token, "hello").status == 422
    subject = approved_subject(api, world)
    never_issued = subject["identity_code"].replace(".8.1.0.0.3.", ".8.1.0.1.3.")
    assert scan(api, token, never_issued).status == 404
    assert scan(api, world.token("lx-supervisor"), subject["identity_code"]).status == 404


def test_the_served_qr_decodes_to_the_link_that_resolves(api, world: World):
    subject = approved_subject(api, world)
    _, batch = batch_of(api, world, subject, produced_at="2026-05-02T09:00:00+08:00")
    qr = api.get(f"/codes/qr?code={quote(batch['code_short'], safe='')}&format=png", token=world.token("lc-head"))
    assert qr.status == 200, qr.body
    image = requests.get(qr.body["url"], timeout=10)
    assert image.status_code == 200
    width, height, rows, _ = png.Reader(bytes=image.content).asRGBA8()
    pixels = np.array([list(r) for r in rows], dtype=np.uint8).reshape(height, width, 4)[:, :, :3]
    decoded = zxingcpp.read_barcodes(np.ascontiguousarray(pixels))
    assert [d.text for d in decoded] == [qr.body["link"]]
    assert qr.body["link"].startswith(get_settings().public_base_url + "/c/")
    assert scan(api, world.token("lc-head"), decoded[0].text).body["batch"]["id"] == batch["id"]
    # Made once: asking again serves the same stored image.
    again = api.get(f"/codes/qr?code={quote(batch['code_short'], safe='')}&format=png", token=world.token("lc-head"))
    assert again.writes == 0
    keys = boto3.client("s3").list_objects_v2(Bucket="agritrace-files", Prefix="qr/")["KeyCount"]
    assert keys == 1


def test_the_public_sees_the_product_not_the_subjects_particulars(api, world: World):
    subject = approved_subject(api, world, name="唐王草莓合作社")
    _, batch = batch_of(api, world, subject, produced_at="2026-05-03T07:00:00+08:00")
    public = api.get(f"/public/scan?code={quote(batch['link'], safe='')}")
    assert public.status == 200, public.body
    assert public.body == {
        "code_kind": public.body["code_kind"],
        "product": "草莓",
        "category_code": "0113",
        "batch_kind": "production",
        "produced_on": "2026-05-03",
        "subject": "唐王草莓合作社",
        "region": "山东省 济南市 历城区",
        "disclosures": public.body["disclosures"],
    }
    # And it links the subject's published results and penalties (一公开), a list of its own
    assert public.body["disclosures"].startswith("/public/disclosures/by-code?code=")
    assert api.get(public.body["disclosures"]).status == 200
    # The link printed in the QR is itself the public lookup.
    path = "/c/" + quote(batch["code_short"], safe="")
    assert batch["link"].endswith(path) and api.get(path).body == public.body
    pending = api.post("/subjects", token=world.token("lc-supervisor"), body=registration()).body
    assert api.get("/public/scan?code=" + quote(f"1.2.156.326.8.1.0.0.3.{pending['number']}")).status == 404


def test_a_code_is_issued_once_and_labels_are_counted(api, world: World):
    subject = approved_subject(api, world)
    product, batch = batch_of(api, world, subject, produced_at="2026-05-04T10:00:00+08:00")
    twin = api.post(
        f"/products/{product['id']}/batches",
        token=world.token("lc-supervisor"),
        body={"kind": "production", "quantity": 1, "unit": "kg", "produced_at": "2026-05-04T10:00:00+08:00"},
    )
    assert twin.status == 409
    printed = api.post(f"/batches/{batch['id']}/labels", token=world.token("lc-supervisor"), body={"copies": 30})
    assert printed.status == 200, printed.body
    assert len(printed.body["pages"]) == 2 and printed.body["printed"] == 30
    sheet = requests.get(printed.body["pages"][0], timeout=10).text
    assert batch["code_short"] in sheet
    again = api.post(f"/batches/{batch['id']}/labels", token=world.token("lc-supervisor"), body={"copies": 1})
    assert again.body["printed"] == 31
    assert (
        api.post(f"/batches/{batch['id']}/labels", token=world.token("lx-supervisor"), body={"copies": 1}).status == 404
    )


def test_qr_and_batches_keep_to_the_subjects_they_belong_to(api, world: World):
    mine = approved_subject(api, world)
    product, batch = batch_of(api, world, mine, produced_at="2026-05-05T10:00:00+08:00")
    code = quote(batch["code_short"], safe="")
    assert api.get(f"/codes/qr?code={code}", token=world.token("lx-supervisor")).status == 404
    qr = api.get(f"/codes/qr?code={code}", token=world.token("lc-supervisor"))
    assert qr.body["link"] == batch["link"]  # printed in the short form, as on labels
    other = approved_subject(api, world)
    foreign_base = api.post(
        f"/subjects/{other['id']}/bases",
        token=world.token("lc-supervisor"),
        body={"name": "别家基地", "location": {"lng": 117.2, "lat": 36.6}},
    ).body
    wrong = api.post(
        f"/products/{product['id']}/batches",
        token=world.token("lc-supervisor"),
        body={
            "kind": "production",
            "quantity": 1,
            "unit": "kg",
            "produced_at": "2026-05-06T10:00:00+08:00",
            "base_id": foreign_base["id"],
        },
    )
    assert wrong.status == 422 and wrong.body["errors"][0]["field"] == "body.base_id"

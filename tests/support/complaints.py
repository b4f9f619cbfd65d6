"""Complaints and reports (投诉举报) for tests: a traceable product, filings, and files posted to S3."""

from __future__ import annotations

from itertools import count
from typing import Any

import requests

from tests.support.subjects import registration
from tests.support.world import World

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
SCRIPT = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"
_n = count(1)


def traceable(api: Any, world: World, region: str = "370112", user: str = "lc-supervisor", head: str = "lc-head"):
    """An approved subject with a product and a batch: (subject id, the batch's trace code, product category)."""
    made = api.post("/subjects", token=world.token(user), body=registration(region=region))
    assert made.status == 201, made.body
    sid = made.body["id"]
    assert api.post(f"/subjects/{sid}/review", token=world.token(head), body={"decision": "approve"}).status == 200
    product = api.post(
        f"/subjects/{sid}/products", token=world.token(user), body={"name": "草莓", "category_code": "0113"}
    ).body
    batch = api.post(
        f"/products/{product['id']}/batches",
        token=world.token(user),
        body={"kind": "production", "quantity": 1, "unit": "kg", "produced_at": "2026-05-01T08:00:00+08:00"},
    )
    assert batch.status == 201, batch.body
    return sid, batch.body["code_short"], "0113"


def report(**extra: Any) -> dict[str, Any]:
    """An anonymous report (举报) about a place in Licheng, with a text of its own."""
    return {
        "kind": "report",
        "place": {"region": "370112", "address": "港沟街道集市", "point": {"lng": 117.2, "lat": 36.6}},
        "what": f"摊位销售的韭菜疑似农药残留超标（{next(_n)}）",
        **extra,
    }


def complaint(phone: str = "13900000001", **extra: Any) -> dict[str, Any]:
    """A named complaint (投诉) about a subject by name, bought at a place in Licheng."""
    return {
        "kind": "complaint",
        "subject": {"name": "某蔬菜合作社"},
        "place": {"region": "370112", "address": "洪家楼农贸市场"},
        "what": f"买到的黄瓜有刺鼻气味，食用后不适（{next(_n)}）",
        "happened_on": "2026-05-02",
        "hazard": "pesticide_residue",
        "filer": {"name": "王五", "phone": phone},
        **extra,
    }


def photo(size: int = len(JPEG), content_type: str = "image/jpeg") -> dict[str, Any]:
    return {"filename": "现场.jpg", "content_type": content_type, "size": size}


def post_file(form: dict[str, Any], data: bytes) -> None:
    posted = requests.post(form["url"], data=form["fields"], files={"file": ("f", data)}, timeout=10)
    assert posted.status_code in (200, 204), posted.text


def track(api: Any, receipt: dict[str, Any], secret: str | None = None) -> Any:
    return api.get(
        f"/public/complaints/{receipt['tracking_no']}",
        headers={"X-Complaint-Secret": secret if secret is not None else receipt["secret"]},
    )


def case(api: Any, world: World, user: str, complaint_id: str) -> dict[str, Any]:
    shown = api.get(f"/complaints/{complaint_id}", token=world.token(user))
    assert shown.status == 200, shown.body
    return dict(shown.body)

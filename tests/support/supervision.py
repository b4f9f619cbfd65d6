"""Daily supervision (日常监管) through the API, for tests: officers' inspections, evidence samples, files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from ulid import ULID

from tests.support.monitoring import CHIVES, sample_body
from tests.support.world import World

JPEG = b"\xff\xd8\xff\xe0" + b"photo of the site" * 20
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"video of the site" * 20


def inspection_body(**subject: Any) -> dict[str, Any]:
    """An officer's on-site inspection (现场巡查) two hours ago, near Licheng's bases; the subject as given."""
    return {
        "task_id": "RCJG-2026-0001",
        **subject,
        "officers": [{"name": "李四", "cert_no": "鲁农执-0101"}],
        "done_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "position": {"lng": 117.15, "lat": 36.68, "accuracy_m": 6.0},
        "findings": "韭菜地块发现疑似违规使用腐霉利的包装物",
        "result": "noncompliant",
        "attachment_ids": [],
    }


def inspect(api: Any, world: World, user: str, subject_id: str, **extra: Any) -> dict[str, Any]:
    iid = str(ULID())
    sent = api.put(
        f"/daily-inspections/{iid}", token=world.token(user), body={**inspection_body(subject_id=subject_id), **extra}
    )
    assert sent.status == 201, sent.body
    return dict(sent.body)


def evidence(**extra: Any) -> dict[str, Any]:
    """An evidence sample of chives, typed by hand."""
    return sample_body(product_code=CHIVES, product_name="韭菜", **extra)


def upload(
    api: Any, world: World, user: str, owner_kind: str, owner_id: str, data: bytes, content_type: str, **extra: Any
) -> str:
    """Ask for an upload (under the phone's id, if given) and post the bytes to S3; returns the attachment id."""
    ticket = api.post(
        "/attachments",
        token=world.token(user),
        body={
            "owner_kind": owner_kind,
            "owner_id": owner_id,
            "filename": "file" + {"image/jpeg": ".jpg", "video/mp4": ".mp4"}.get(content_type, ".pdf"),
            "content_type": content_type,
            "size": len(data),
            **extra,
        },
    )
    assert ticket.status == 201, ticket.body
    form = ticket.body["upload"]
    posted = requests.post(form["url"], data=form["fields"], files={"file": ("f", data)}, timeout=10)
    assert posted.status_code in (200, 204), posted.text
    return str(ticket.body["attachment"]["id"])

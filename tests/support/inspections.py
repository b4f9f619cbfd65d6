"""A small provincial inspection template (检查规范) and answers to it, for the tests of the inspection area."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from ulid import ULID

from tests.support.world import World


def template_body(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "title": "山东省蔬菜基地巡查规范",
        "categories": ["planting"],
        "scoring": {"pass_mark": 80},
        "sections": [
            {
                "key": "records",
                "title": "生产记录",
                "items": [
                    {"key": "pesticide_records", "label": "农药使用记录完整", "type": "check", "weight": 3},
                    {
                        "key": "preharvest_interval",
                        "label": "执行农药安全间隔期",
                        "type": "check",
                        "weight": 5,
                        "critical": True,
                    },
                    {"key": "pesticide_waste", "label": "农药包装废弃物回收", "type": "check", "weight": 2},
                ],
            },
            {
                "key": "site",
                "title": "现场",
                "items": [
                    {
                        "key": "greenhouse_area",
                        "label": "大棚面积",
                        "type": "number",
                        "unit": "亩",
                        "minimum": 0,
                        "maximum": 500,
                    },
                    {
                        "key": "irrigation",
                        "label": "灌溉水源",
                        "type": "choice",
                        "options": [{"value": "well", "label": "井水"}, {"value": "river", "label": "河水"}],
                    },
                    {"key": "opinion", "label": "巡查意见", "type": "text"},
                    {"key": "site_photos", "label": "现场照片", "type": "photo", "required": False},
                    {"key": "signature", "label": "负责人签字", "type": "signature"},
                ],
            },
        ],
    }


# A signature image as the phone would hold it: a PNG's first bytes are enough for the type check.
SIGNATURE_PNG = b"\x89PNG\r\n\x1a\n" + b"signature of the responsible person"


def photo() -> str:
    return str(ULID())


def good_answers() -> dict[str, Any]:
    """Every required item answered; one failed item with its photo and corrective action (整改)."""
    return {
        "pesticide_records": {"result": "pass"},
        "preharvest_interval": {"result": "pass", "photos": [photo()]},
        "pesticide_waste": {
            "result": "fail",
            "photos": [photo()],
            "corrective_action": {"what": "设置农药包装废弃物回收桶", "due": "2026-07-01", "reinspect": True},
        },
        "greenhouse_area": {"value": 120.5},
        "irrigation": {"value": "well"},
        "opinion": {"value": "总体规范，废弃物回收需整改"},
        "signature": {"signer": "张三", "attachment_id": photo(), "sha256": hashlib.sha256(SIGNATURE_PNG).hexdigest()},
    }


def published(api: Any, world: World, code: str, user: str = "sd-head") -> dict[str, Any]:
    """A Shandong template of that code, drafted and published as version 1."""
    made = api.post("/inspection-templates", token=world.token(user), body=template_body(code))
    assert made.status == 201, made.body
    done = api.post(
        f"/inspection-templates/{code}/versions/1/publish",
        token=world.token(user),
        body={"version": made.body["version"]},
    )
    assert done.status == 200, done.body
    return dict(done.body)


def inspection_body(subject_id: str, code: str, **extra: Any) -> dict[str, Any]:
    """An on-site inspection (基地巡查) of the subject with version 1 of `code`, two days ago, near (117.05, 36.68)."""
    done = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    return {
        "subject_id": subject_id,
        "template_code": code,
        "template_number": 1,
        "done_at": done,
        "position": {"lng": 117.051, "lat": 36.68, "accuracy_m": 8.5},
        "answers": good_answers(),
        "opinion": "总体规范，废弃物回收需整改",
        **extra,
    }

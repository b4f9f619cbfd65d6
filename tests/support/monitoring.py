"""Walking a risk-monitoring task through the API, for tests: tasks, uploads, samples."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
from ulid import ULID

from chalicelib.core import clock
from chalicelib.monitoring import store
from tests.support.subjects import registration
from tests.support.world import World

CHIVES, CABBAGE = "010408", "010402"  # 韭菜, 大白菜 (NY/T 3177 classes, as the limit library uses)
PDF = b"%PDF-1.4\n% summary analysis report\n" + b"x" * 300


def day(offset: int) -> str:
    return clock.cst_day(clock.now() + timedelta(days=offset))


def new_task(api: Any, world: World, *, receipt: int = 3600, grace: int = 3600, **extra: Any) -> dict[str, Any]:
    body = {
        "task_kind": "LXJC",
        "title": "2026年第四季度韭菜白菜例行监测",
        "lead_org_id": world.agencies["sd-lab"].id,
        "deadline": day(30),
        "scope": {"products": [CHIVES, CABBAGE], "regions": ["370100"], "samples": 4},
        "receipt_within_seconds": receipt,
        "grace_seconds": grace,
        **extra,
    }
    made = api.post("/monitoring-tasks", token=world.token("sd-head"), body=body)
    assert made.status == 201, made.body
    return dict(made.body)


def act(api: Any, world: World, user: str, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
    reply = api.post(path, token=world.token(user), body=body or {})
    assert reply.status == status, (path, reply.status, reply.body)
    return reply.body


def task(task_id: str) -> store.MonitoringTaskRecord:
    return store.get_task(task_id)


def assignment(task_id: str, role: str, org: str, world: World) -> store.AssignmentRecord | None:
    try:
        return store.get_assignment(task_id, role, world.agencies[org].id)
    except Exception:  # noqa: BLE001 - not created yet
        return None


def model_body(version: int) -> dict[str, Any]:
    return {
        "name": "韭菜白菜农残监测模型",
        "version": version,
        "objects": [
            {"product_code": CHIVES, "product_name": "韭菜"},
            {"product_code": CABBAGE, "product_name": "大白菜"},
        ],
        "items": [
            {
                "product_code": CHIVES,
                "analyte": "procymidone",
                "analyte_name": "腐霉利",
                "method_standard": "GB 23200.113-2018",
                "unit": "mg/kg",
                "lod": "0.005",
                "loq": "0.01",
                "limit": {"source": "library", "standard": "GB 2763-2021"},
            },
            {
                "product_code": CHIVES,
                "analyte": "chlorpyrifos",
                "analyte_name": "毒死蜱",
                "method_standard": "GB 23200.113-2018",
                "unit": "mg/kg",
                "loq": "0.01",
                "limit": {"source": "custom", "operator": "le", "value": "0.02", "judgement_standard": "专项限值"},
            },
            {
                "product_code": CABBAGE,
                "analyte": "deltamethrin",
                "analyte_name": "溴氰菊酯",
                "method_standard": "GB 23200.113-2018",
                "unit": "mg/kg",
                "loq": "0.01",
                "limit": {"source": "library"},
            },
        ],
    }


def upload_pdf(api: Any, world: World, user: str, owner_kind: str, owner_id: str, events: Any) -> str:
    ticket = api.post(
        "/attachments",
        token=world.token(user),
        body={
            "owner_kind": owner_kind,
            "owner_id": owner_id,
            "filename": "汇总分析报告.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
        },
    )
    assert ticket.status == 201, ticket.body
    form = ticket.body["upload"]
    posted = requests.post(form["url"], data=form["fields"], files={"file": ("r.pdf", PDF)}, timeout=10)
    assert posted.status_code in (200, 204), posted.text
    events.settle()
    return str(ticket.body["attachment"]["id"])


def upload_sheet(api: Any, world: World, user: str, assignment_id: str, data: bytes, events: Any) -> str:
    ticket = api.post(
        f"/monitoring-assignments/{assignment_id}/result-imports",
        token=world.token(user),
        body={"filename": "结果.csv", "content_type": "text/csv", "size": len(data)},
    )
    assert ticket.status == 201, ticket.body
    form = ticket.body["upload"]
    posted = requests.post(form["url"], data=form["fields"], files={"file": ("r.csv", data)}, timeout=10)
    assert posted.status_code in (200, 204), posted.text
    events.settle()
    return str(ticket.body["result_import"]["id"])


def traced_batch(api: Any, world: World, product_code: str, name: str) -> dict[str, Any]:
    """An approved subject in Licheng with a product and a batch carrying a traceability code."""
    pending = api.post("/subjects", token=world.token("lc-supervisor"), body=registration(name="历城区韭菜种植合作社"))
    assert pending.status == 201, pending.body
    approved = api.post(
        f"/subjects/{pending.body['id']}/review", token=world.token("lc-head"), body={"decision": "approve"}
    )
    assert approved.status == 200, approved.body
    product = api.post(
        f"/subjects/{pending.body['id']}/products",
        token=world.token("lc-supervisor"),
        body={"name": name, "category_code": product_code},
    ).body
    batch = api.post(
        f"/products/{product['id']}/batches",
        token=world.token("lc-supervisor"),
        body={"kind": "production", "quantity": 500, "unit": "kg", "produced_at": "2026-11-20T08:00:00+08:00"},
    ).body
    return {"subject": approved.body, "product": product, "batch": batch}


def sample_body(**extra: Any) -> dict[str, Any]:
    return {
        "id": str(ULID()),
        "place": {"address": "历城区港沟街道韭菜基地", "region": "370112", "lng": 117.15, "lat": 36.68},
        "sampled_at": clock.iso(clock.now()),
        "quantity": 1.5,
        "quantity_unit": "kg",
        "seal_no": f"FQ-{ULID()}"[:20],
        **extra,
    }

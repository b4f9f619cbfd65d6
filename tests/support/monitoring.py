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
                "limit": {"source": "library", "standard": "GB 2763-2019"},
            },
        ],
    }


def _post_pdf(api: Any, world: World, user: str, owner_kind: str, owner_id: str) -> tuple[str, str]:
    """Ask for an upload of a PDF attached to a record and post it to S3; returns (attachment id, object key)."""
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
    return str(ticket.body["attachment"]["id"]), str(form["fields"]["key"])


def upload_pdf(api: Any, world: World, user: str, owner_kind: str, owner_id: str, events: Any) -> str:
    """Upload a PDF; the S3 notification checks it as on AWS."""
    attachment_id, _ = _post_pdf(api, world, user, owner_kind, owner_id)
    events.settle()
    return attachment_id


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


class Walk:
    """A task taken step by step through the API without the workflow running (assignments made directly).

    For tests that need a task in a given state and do not test the state machine itself.
    """

    def __init__(self, api: Any, world: World, model: Any = model_body) -> None:
        self.api, self.world, self.model = api, world, model
        self.task = new_task(api, world)
        self.id = self.task["id"]

    def _act(self, user: str, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        return act(self.api, self.world, user, path, body, status)

    def version(self) -> int:
        return int(task(self.id).version or 0)

    def publish(self) -> Walk:
        self._act("sd-head", f"/monitoring-tasks/{self.id}/publish", {"version": self.version()})
        return self

    def receive(self) -> Walk:
        self.publish()._act("sd-lab-manager", f"/monitoring-tasks/{self.id}/receive", {"version": self.version()})
        return self

    def configure(self) -> Walk:
        self.receive()
        reply = self.api.request(
            "PUT",
            f"/monitoring-tasks/{self.id}/model",
            token=self.world.token("sd-lab-manager"),
            body=self.model(self.version()),
        )
        assert reply.status == 200, reply.body
        return self

    def quotas(self) -> list[dict[str, Any]]:
        """The scope's samples shared out over the model's test objects, so that they add up."""
        objects = [o["product_code"] for o in (task(self.id).model or {})["objects"]]
        share, extra = divmod(int(self.task["scope"]["samples"]), len(objects))
        return [
            {"product_code": code, "region": "370112", "samples": share + (1 if i < extra else 0)}
            for i, code in enumerate(objects)
        ]

    def distribute(self) -> Walk:
        from chalicelib.monitoring import workflow

        self.configure()._act(
            "sd-lab-manager",
            f"/monitoring-tasks/{self.id}/distribute",
            {
                "version": self.version(),
                "units": [
                    {
                        "org_id": self.world.agencies["jn-lab"].id,
                        "deadline": self.task["deadline"],
                        "quotas": self.quotas(),
                    }
                ],
            },
        )
        self.assignment = workflow.create_assignment(
            {"task_id": self.id, "role": "unit", "org_id": self.world.agencies["jn-lab"].id}
        )["id"]
        return self

    def unit_receive(self) -> Walk:
        self.distribute()
        version = assignment(self.id, "unit", "jn-lab", self.world).version  # type: ignore[union-attr]
        self._act("jn-lab-manager", f"/monitoring-assignments/{self.assignment}/receive", {"version": int(version)})
        return self

    def take_sample(self, **extra: Any) -> str:
        body = sample_body(product_code=CHIVES, product_name="韭菜", **extra)
        reply = self.api.post(
            f"/monitoring-tasks/{self.id}/samples", token=self.world.token("jn-lab-sampler"), body=body
        )
        assert reply.status == 201, reply.body
        self.seal = body["seal_no"]
        return str(reply.body["id"])

    def received_sample(self, **extra: Any) -> str:
        sid = self.take_sample(**extra)
        custody = {"handed_over_by": "张抽样", "condition": "intact", "seal_no": self.seal}
        self._act("jn-lab-analyst", f"/samples/{sid}/receipt", custody)
        return sid

    def unit_report(self) -> Walk:
        from chalicelib.attachments import service as attachments

        pdf = upload_pdf_direct(self.api, self.world, "jn-lab-manager", "assignment", self.assignment, attachments)
        version = assignment(self.id, "unit", "jn-lab", self.world).version  # type: ignore[union-attr]
        self._act(
            "jn-lab-manager",
            f"/monitoring-assignments/{self.assignment}/report",
            {"version": int(version), "attachment_id": pdf},
        )
        return self

    def overall_pdf(self) -> str:
        from chalicelib.attachments import service as attachments

        return upload_pdf_direct(self.api, self.world, "sd-lab-manager", "monitoring_task", self.id, attachments)

    def submit(self) -> Walk:
        pdf = self.overall_pdf()
        self._act(
            "sd-lab-manager",
            f"/monitoring-tasks/{self.id}/overall-report",
            {"version": self.version(), "attachment_id": pdf},
        )
        return self


def upload_pdf_direct(api: Any, world: World, user: str, owner_kind: str, owner_id: str, attachments: Any) -> str:
    """Upload a PDF and run the upload check in-line (for tests without the event sources)."""
    import os

    attachment_id, key = _post_pdf(api, world, user, owner_kind, owner_id)
    attachments.verify_upload(os.environ["BUCKET_NAME"], key)
    return attachment_id

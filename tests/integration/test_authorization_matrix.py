"""The authorization matrix: every route, every way in. A new route must join it or the suite fails.

For each non-public route: no token and bad tokens are 401; a role the route does not allow is 403;
a record of another jurisdiction is 404; the right user with a valid request succeeds within the
route's AWS-call budget (checked by the API client on every successful request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from ulid import ULID

import app  # noqa: F401 - registers every route
from chalicelib.core.api import ROUTES, RouteSpec
from chalicelib.integrity import service as integrity
from chalicelib.plans import distribution as plans_distribution
from chalicelib.plans import store as plans_store
from tests.support.inspections import good_answers, inspection_body, published, template_body
from tests.support.monitoring import CHIVES, Walk, model_body, sample_body
from tests.support.plans import plan_body, this_month
from tests.support.spotchecks import SpotWalk, delivered_case
from tests.support.subjects import registration
from tests.support.supervision import evidence
from tests.support.supervision import inspection_body as daily_inspection_body
from tests.support.tokens import bad_tokens
from tests.support.world import World

Case = Callable[["Scene"], tuple[str, Any]]  # -> (path, body)


class Scene:
    """Records inside Shandong to reach from outside; built once per test."""

    def __init__(self, api: Any, world: World) -> None:
        self.api, self.world = api, world
        w = world
        sent = api.post(
            "/instructions",
            token=w.token("sd-head"),
            body={"to_org_id": w.agencies["jn"].id, "title": "检查", "body": "请核查", "respond_within_seconds": 3600},
        )
        assert sent.status == 201, sent.body
        self.instruction = sent.body["id"]
        ticket = api.post(
            "/attachments",
            token=w.token("sd-head"),
            body={
                "owner_kind": "instruction",
                "owner_id": self.instruction,
                "filename": "通知.pdf",
                "content_type": "application/pdf",
                "size": 1000,
            },
        )
        assert ticket.status == 201, ticket.body
        self.attachment = ticket.body["attachment"]["id"]
        self.day = "2026-01-01"
        self.captured = api.post(
            "/captured-subjects",
            token=w.token("lc-supervisor"),
            body={"name": "摊位", "category": "operation", "form": "individual", "region": "370112", "address": "集市"},
        ).body["subject"]
        self.pending = api.post("/subjects", token=w.token("lc-supervisor"), body=registration()).body
        approved = api.post("/subjects", token=w.token("lc-supervisor"), body=registration()).body["id"]
        self.subject = api.post(
            f"/subjects/{approved}/review", token=w.token("lc-head"), body={"decision": "approve"}
        ).body
        self.product = api.post(
            f"/subjects/{approved}/products",
            token=w.token("lc-supervisor"),
            body={"name": "草莓", "category_code": "0113"},
        ).body
        self.batch = api.post(
            f"/products/{self.product['id']}/batches",
            token=w.token("lc-supervisor"),
            body={"kind": "production", "quantity": 1, "unit": "kg", "produced_at": "2026-05-01T08:00:00+08:00"},
        ).body
        integrity.verify_day(self.day)

    def template(self) -> str:
        """A published Shandong inspection template (检查规范) of a fresh code: its version 1's path."""
        code = f"SD-{ULID()}"
        published(self.api, self.world, code)
        return f"/inspection-templates/{code}/versions/1"

    def template_draft(self) -> tuple[str, int]:
        """A Shandong template's draft version 1: its path and record version."""
        code = f"SD-{ULID()}"
        made = self.api.post("/inspection-templates", token=self.world.token("sd-head"), body=template_body(code))
        assert made.status == 201, made.body
        return f"/inspection-templates/{code}/versions/1", made.body["version"]

    def inspection_body(self) -> dict[str, Any]:
        """An inspection of the approved Licheng subject with a fresh published Shandong template."""
        return inspection_body(self.subject["id"], self.template().split("/")[2])

    def inspection(self) -> str:
        """A Licheng supervisor's on-site inspection (基地巡查) of the approved subject: its id."""
        iid = str(ULID())
        sent = self.api.put(f"/inspections/{iid}", token=self.world.token("lc-supervisor"), body=self.inspection_body())
        assert sent.status == 201, sent.body
        return iid

    def plan_draft(self) -> tuple[str, int]:
        """A draft inspection plan (巡查计划) of Licheng for this month: its id and record version."""
        code = self.template().split("/")[2]
        body = plan_body(self.world, code, [self.subject["id"]])
        made = self.api.post("/inspection-plans", token=self.world.token("lc-head"), body=body)
        assert made.status == 201, made.body
        return made.body["id"], made.body["version"]

    def plan(self) -> str:
        """A published Licheng plan with its supervisors' tasks made (as the stream makes them): its id."""
        pid, version = self.plan_draft()
        head = self.world.token("lc-head")
        done = self.api.post(f"/inspection-plans/{pid}/publish", token=head, body={"version": version})
        assert done.status == 200, done.body
        image = plans_distribution.decoded(plans_store.get_plan(pid).to_simple_dict())
        for target in image["targets"]:
            plans_distribution.assign(image, target)
        return pid

    def walk(self) -> Walk:
        """A fresh risk-monitoring task of Shandong's province, issued to its lab (built only where a case needs it)."""
        return Walk(self.api, self.world)

    def complaint(self, stage: str = "received") -> tuple[str, int]:
        """A named complaint (投诉) routed to Licheng, its supervisor assigned, brought to `stage`: (id, version).

        Filed through the service with a client of its own, so the matrix does not use up the public daily limit.
        """
        from chalicelib.complaints import service as complaints
        from chalicelib.complaints.models import FileComplaintRequest
        from tests.support.complaints import complaint

        body = complaint(phone=f"139{int(ULID()) % 10**8:08d}")
        receipt = complaints.file_complaint(FileComplaintRequest.model_validate(body), f"matrix-{ULID()}")
        cid, lc = receipt.tracking_no, self.world.token("lc-head")
        version = self.api.get(f"/complaints/{cid}", token=lc).body["version"]
        if stage == "received":
            return cid, version
        sup = self.world.users["lc-supervisor"].id
        version = self.api.post(
            f"/complaints/{cid}/assignees", token=lc, body={"version": version, "user_ids": [sup]}
        ).body["version"]
        if stage == "assigned":
            return cid, version
        version = self.api.post(
            f"/complaints/{cid}/decision", token=lc, body={"version": version, "decision": "accept"}
        ).body["version"]
        if stage == "accepted":
            return cid, version
        version = self.api.post(
            f"/complaints/{cid}/answer",
            token=lc,
            body={"version": version, "result": "substantiated", "text": "已处理"},
        ).body["version"]
        rated = self.api.post(
            f"/public/complaints/{cid}/rating",
            body={"secret": receipt.secret, "rating": "unsatisfied", "objection": "仍有问题"},
        )
        assert rated.status == 200, rated.body
        return cid, version + 1

    def instrument_key(self, user: str) -> str:
        issued = self.api.post("/instrument-keys", token=self.world.token(user), body={"name": "GC-MS 7890B #1"})
        assert issued.status == 201, issued.body
        return str(issued.body["authorization"])


def _complaint_change(s: Scene, stage: str, action: str, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    cid, version = s.complaint(stage)
    return f"/complaints/{cid}/{action}", {"version": version, **body}


def _results(sid: str) -> dict[str, Any]:
    return {"results": [{"sample_id": sid, "analyte": "procymidone", "value": "0.1", "unit": "mg/kg"}]}


def _instrument_batch(sid: str) -> dict[str, Any]:
    return {"batch_id": f"run-{sid}", "file_sha256": "ab" * 32, "instrument": "GC-MS 7890B", **_results(sid)}


# (method, path) -> how to call it on a Shandong record: the path and a valid body.
CASES: dict[tuple[str, str], Case] = {
    ("GET", "/me"): lambda s: ("/me", None),
    ("POST", "/agencies"): lambda s: ("/agencies", {"name": "测试站", "kind": "supervision", "region": "370112"}),
    ("GET", "/agencies"): lambda s: ("/agencies?region=370000", None),
    ("GET", "/agencies/{agency_id}"): lambda s: (f"/agencies/{s.world.agencies['lc'].id}", None),
    ("PATCH", "/agencies/{agency_id}"): lambda s: (
        f"/agencies/{s.world.agencies['lc'].id}",
        {"version": 1, "contact_phone": "053188888888"},
    ),
    ("POST", "/agencies/{agency_id}/users"): lambda s: (
        f"/agencies/{s.world.agencies['lc'].id}/users",
        {"username": "lc-new-admin", "name": "新管理员", "roles": ["admin"], "email": "new@example.cn"},
    ),
    ("GET", "/agencies/{agency_id}/users"): lambda s: (f"/agencies/{s.world.agencies['lc'].id}/users", None),
    ("GET", "/users/{user_id}"): lambda s: (f"/users/{s.world.users['lc-supervisor'].id}", None),
    ("PATCH", "/users/{user_id}"): lambda s: (f"/users/{s.world.users['lc-admin'].id}", {"version": 1, "name": "改名"}),
    ("GET", "/activity"): lambda s: ("/activity?region=370000", None),
    ("GET", "/inbox"): lambda s: ("/inbox", None),
    ("POST", "/instructions"): lambda s: (
        "/instructions",
        {"to_org_id": s.world.agencies["lc"].id, "title": "t", "body": "b"},
    ),
    ("GET", "/instructions"): lambda s: ("/instructions", None),
    ("GET", "/instructions/{instruction_id}"): lambda s: (f"/instructions/{s.instruction}", None),
    ("POST", "/instructions/{instruction_id}/acknowledge"): lambda s: (
        f"/instructions/{s.instruction}/acknowledge",
        {"feedback": "收到"},
    ),
    ("POST", "/attachments"): lambda s: (
        "/attachments",
        {
            "owner_kind": "instruction",
            "owner_id": s.instruction,
            "filename": "a.jpg",
            "content_type": "image/jpeg",
            "size": 10,
        },
    ),
    ("GET", "/attachments"): lambda s: (f"/attachments?owner_kind=instruction&owner_id={s.instruction}", None),
    ("GET", "/attachments/{attachment_id}"): lambda s: (f"/attachments/{s.attachment}", None),
    ("GET", "/integrity/reports/{day}"): lambda s: (f"/integrity/reports/{s.day}", None),
    ("POST", "/subjects"): lambda s: ("/subjects", registration()),
    ("GET", "/subjects"): lambda s: ("/subjects?region=370112", None),
    ("GET", "/subjects/{subject_id}"): lambda s: (f"/subjects/{s.subject['id']}", None),
    ("PATCH", "/subjects/{subject_id}"): lambda s: (
        f"/subjects/{s.subject['id']}",
        {"version": s.subject["version"], "contact_phone": "13911112222"},
    ),
    ("POST", "/subjects/{subject_id}/review"): lambda s: (
        f"/subjects/{s.pending['id']}/review",
        {"decision": "approve"},
    ),
    ("POST", "/subjects/{subject_id}/revoke"): lambda s: (f"/subjects/{s.subject['id']}/revoke", {"reason": "停产"}),
    ("POST", "/subjects/{subject_id}/cancel"): lambda s: (f"/subjects/{s.subject['id']}/cancel", {"reason": "注销"}),
    ("POST", "/subjects/{subject_id}/key-object"): lambda s: (
        f"/subjects/{s.subject['id']}/key-object",
        {"key_object": True, "reason": "风险高"},
    ),
    ("POST", "/subjects/{subject_id}/bad-records"): lambda s: (
        f"/subjects/{s.subject['id']}/bad-records",
        {"kind": "violation", "description": "现场发现违规用药", "occurred_on": "2026-06-01"},
    ),
    ("GET", "/subjects/{subject_id}/bad-records"): lambda s: (f"/subjects/{s.subject['id']}/bad-records", None),
    ("POST", "/subjects/{subject_id}/bases"): lambda s: (
        f"/subjects/{s.subject['id']}/bases",
        {"name": "基地", "location": {"lng": 117.1, "lat": 36.6}},
    ),
    ("GET", "/subjects/{subject_id}/bases"): lambda s: (f"/subjects/{s.subject['id']}/bases", None),
    ("POST", "/captured-subjects"): lambda s: (
        "/captured-subjects",
        {"name": "摊位", "category": "operation", "form": "individual", "region": "370112", "address": "集市"},
    ),
    ("POST", "/subjects/{subject_id}/registration"): lambda s: (
        f"/subjects/{s.captured['id']}/registration",
        {k: v for k, v in registration().items() if k != "region"},
    ),
    ("POST", "/subjects/{subject_id}/products"): lambda s: (
        f"/subjects/{s.subject['id']}/products",
        {"name": "韭菜", "category_code": "0112"},
    ),
    ("GET", "/subjects/{subject_id}/products"): lambda s: (f"/subjects/{s.subject['id']}/products", None),
    ("POST", "/products/{product_id}/batches"): lambda s: (
        f"/products/{s.product['id']}/batches",
        {"kind": "circulation", "quantity": 2, "unit": "kg", "produced_at": "2026-05-02T08:00:00+08:00"},
    ),
    ("GET", "/products/{product_id}/batches"): lambda s: (f"/products/{s.product['id']}/batches", None),
    ("POST", "/batches/{batch_id}/labels"): lambda s: (f"/batches/{s.batch['id']}/labels", {"copies": 2}),
    ("GET", "/scan"): lambda s: ("/scan?code=" + quote(s.batch["code_short"], safe=""), None),
    ("GET", "/codes/qr"): lambda s: ("/codes/qr?code=" + quote(s.batch["code_short"], safe=""), None),
    ("POST", "/subjects/{subject_id}/account"): lambda s: (
        f"/subjects/{s.subject['id']}/account",
        {"username": "matrix-farm", "name": "王五", "phone": "+8613600000000"},
    ),
    ("POST", "/monitoring-tasks"): lambda s: (
        "/monitoring-tasks",
        {k: v for k, v in s.walk().task.items() if k in {"task_kind", "title", "lead_org_id", "deadline", "scope"}},
    ),
    ("GET", "/monitoring-tasks"): lambda s: ("/monitoring-tasks", None),
    ("GET", "/monitoring-tasks/{task_id}"): lambda s: (f"/monitoring-tasks/{s.walk().id}", None),
    ("PATCH", "/monitoring-tasks/{task_id}"): lambda s: (
        f"/monitoring-tasks/{(w := s.walk()).id}",
        {"version": w.version(), "title": "改名"},
    ),
    ("POST", "/monitoring-tasks/{task_id}/publish"): lambda s: (
        f"/monitoring-tasks/{(w := s.walk()).id}/publish",
        {"version": w.version()},
    ),
    ("POST", "/monitoring-tasks/{task_id}/cancel"): lambda s: (
        f"/monitoring-tasks/{(w := s.walk()).id}/cancel",
        {"version": w.version(), "reason": "计划调整"},
    ),
    ("POST", "/monitoring-tasks/{task_id}/accept"): lambda s: (
        f"/monitoring-tasks/{(w := s.walk().unit_receive().unit_report().submit()).id}/accept",
        {"version": w.version()},
    ),
    ("POST", "/monitoring-tasks/{task_id}/receive"): lambda s: (
        f"/monitoring-tasks/{(w := s.walk().publish()).id}/receive",
        {"version": w.version()},
    ),
    ("POST", "/monitoring-tasks/{task_id}/return"): lambda s: (
        f"/monitoring-tasks/{(w := s.walk().publish()).id}/return",
        {"version": w.version(), "reason": "承担能力不足"},
    ),
    ("PUT", "/monitoring-tasks/{task_id}/model"): lambda s: (
        f"/monitoring-tasks/{(w := s.walk().receive()).id}/model",
        model_body(w.version()),
    ),
    ("POST", "/monitoring-tasks/{task_id}/distribute"): lambda s: (
        f"/monitoring-tasks/{(w := s.walk().configure()).id}/distribute",
        {
            "version": w.version(),
            "units": [
                {
                    "org_id": s.world.agencies["jn-lab"].id,
                    "deadline": w.task["deadline"],
                    "quotas": w.quotas(),
                }
            ],
        },
    ),
    ("POST", "/monitoring-tasks/{task_id}/overall-report"): lambda s: (
        f"/monitoring-tasks/{(w := s.walk().unit_receive().unit_report()).id}/overall-report",
        {"version": w.version(), "attachment_id": w.overall_pdf()},
    ),
    ("GET", "/monitoring-tasks/{task_id}/progress"): lambda s: (f"/monitoring-tasks/{s.walk().id}/progress", None),
    ("POST", "/monitoring-tasks/{task_id}/samples"): lambda s: (
        f"/monitoring-tasks/{s.walk().unit_receive().id}/samples",
        sample_body(product_code=CHIVES, product_name="韭菜"),
    ),
    ("GET", "/monitoring-tasks/{task_id}/samples"): lambda s: (f"/monitoring-tasks/{s.walk().id}/samples", None),
    ("GET", "/monitoring-tasks/{task_id}/prefill"): lambda s: (
        f"/monitoring-tasks/{s.walk().unit_receive().id}/prefill?code=" + quote(s.batch["code_short"], safe=""),
        None,
    ),
    ("GET", "/monitoring-tasks/{task_id}/failures"): lambda s: (f"/monitoring-tasks/{s.walk().id}/failures", None),
    ("GET", "/monitoring-assignments"): lambda s: ("/monitoring-assignments", None),
    ("GET", "/monitoring-assignments/{assignment_id}"): lambda s: (
        f"/monitoring-assignments/{s.walk().distribute().assignment}",
        None,
    ),
    ("POST", "/monitoring-assignments/{assignment_id}/receive"): lambda s: (
        f"/monitoring-assignments/{s.walk().distribute().assignment}/receive",
        {"version": 1},
    ),
    ("POST", "/monitoring-assignments/{assignment_id}/return"): lambda s: (
        f"/monitoring-assignments/{s.walk().distribute().assignment}/return",
        {"version": 1, "reason": "设备检修"},
    ),
    ("POST", "/monitoring-assignments/{assignment_id}/report"): lambda s: (
        f"/monitoring-assignments/{(w := s.walk().unit_receive()).assignment}/report",
        {"version": 2, "attachment_id": _unit_pdf(w)},
    ),
    ("POST", "/monitoring-assignments/{assignment_id}/summary-export"): lambda s: (
        f"/monitoring-assignments/{s.walk().unit_receive().assignment}/summary-export",
        None,
    ),
    ("POST", "/monitoring-assignments/{assignment_id}/result-imports"): lambda s: (
        f"/monitoring-assignments/{s.walk().unit_receive().assignment}/result-imports",
        {"filename": "结果.csv", "content_type": "text/csv", "size": 100},
    ),
    ("GET", "/limits"): lambda s: (f"/limits?commodity_code={CHIVES}", None),
    ("POST", "/inspection-templates"): lambda s: ("/inspection-templates", {"code": s.template().split("/")[2]}),
    ("GET", "/inspection-templates"): lambda s: ("/inspection-templates", None),
    ("GET", "/inspection-templates/{template_code}/versions/{number}"): lambda s: (s.template(), None),
    ("PATCH", "/inspection-templates/{template_code}/versions/{number}"): lambda s: (
        (draft := s.template_draft())[0],
        {"version": draft[1], "title": "改"},
    ),
    ("POST", "/inspection-templates/{template_code}/versions/{number}/publish"): lambda s: (
        (draft := s.template_draft())[0] + "/publish",
        {"version": draft[1]},
    ),
    ("GET", "/inspection-templates/{template_code}/versions/{number}/schema"): lambda s: (
        s.template() + "/schema",
        None,
    ),
    ("POST", "/inspection-templates/{template_code}/versions/{number}/check"): lambda s: (
        s.template() + "/check",
        {"answers": good_answers()},
    ),
    ("PUT", "/inspections/{inspection_id}"): lambda s: (f"/inspections/{ULID()}", s.inspection_body()),
    ("GET", "/inspections/{inspection_id}"): lambda s: (f"/inspections/{s.inspection()}", None),
    ("GET", "/inspections"): lambda s: (f"/inspections?subject_id={s.subject['id']}", None),
    ("GET", "/inspections/{inspection_id}/corrective-actions"): lambda s: (
        f"/inspections/{s.inspection()}/corrective-actions",
        None,
    ),
    ("GET", "/corrective-actions"): lambda s: ("/corrective-actions?state=open", None),
    ("POST", "/limits"): lambda s: (
        "/limits",
        {
            "commodity_code": CHIVES,
            "commodity": "韭菜",
            "analyte": "matrix-test",
            "analyte_name": "测试",
            "operator": "le",
            "value": "1",
            "unit": "mg/kg",
            "standard": f"TEST-{len(ROUTES)}-{id(s)}",
            "effective_from": "2026-01-01",
            "source": "authorization matrix",
        },
    ),
    ("GET", "/samples/{sample_id}"): lambda s: (f"/samples/{s.walk().unit_receive().take_sample()}", None),
    ("POST", "/samples/{sample_id}/receipt"): lambda s: (
        f"/samples/{(w := s.walk().unit_receive()).take_sample()}/receipt",
        {"handed_over_by": "张抽样", "condition": "intact", "seal_no": w.seal},
    ),
    ("POST", "/results"): lambda s: ("/results", _results(s.walk().unit_receive().received_sample())),
    ("GET", "/result-imports/{import_id}"): lambda s: (f"/result-imports/{_import(s)}", None),
    ("POST", "/instrument-keys"): lambda s: ("/instrument-keys", {"name": "ICP-MS"}),
    ("GET", "/instrument-keys"): lambda s: ("/instrument-keys", None),
    ("POST", "/instrument-keys/{key_id}/revoke"): lambda s: (
        f"/instrument-keys/{s.instrument_key('sd-lab-manager').split()[1].split('.')[0]}/revoke",
        None,
    ),
    ("POST", "/spot-checks"): lambda s: (
        "/spot-checks",
        {
            "title": "抽查",
            "assignee_org_id": s.world.agencies["jn"].id,
            "products": [CHIVES],
            "hazards": ["腐霉利"],
            "regions": ["370100"],
            "units": 2,
            "standards": ["GB 2763-2021"],
        },
    ),
    ("GET", "/spot-checks"): lambda s: ("/spot-checks", None),
    ("GET", "/spot-checks/{task_id}"): lambda s: (f"/spot-checks/{SpotWalk(s.api, s.world).id}", None),
    ("POST", "/spot-checks/{task_id}/publish"): lambda s: (
        f"/spot-checks/{(w := SpotWalk(s.api, s.world)).id}/publish",
        {"version": w.version()},
    ),
    ("POST", "/spot-checks/{task_id}/receive"): lambda s: (
        f"/spot-checks/{(w := SpotWalk(s.api, s.world).publish()).id}/receive",
        {"version": w.version()},
    ),
    ("POST", "/spot-checks/{task_id}/return"): lambda s: (
        f"/spot-checks/{(w := SpotWalk(s.api, s.world).publish()).id}/return",
        {"version": w.version(), "reason": "力量不足"},
    ),
    ("POST", "/spot-checks/{task_id}/cancel"): lambda s: (
        f"/spot-checks/{(w := SpotWalk(s.api, s.world)).id}/cancel",
        {"version": w.version(), "reason": "计划调整"},
    ),
    ("POST", "/spot-checks/{task_id}/split"): lambda s: (
        f"/spot-checks/{(w := SpotWalk(s.api, s.world).receive('jn-head')).id}/split",
        {
            "version": w.version(),
            "plan": "分解到历城",
            "children": [{"org_id": s.world.agencies["lc"].id, "units": 2, "regions": ["370112"]}],
        },
    ),
    ("POST", "/spot-checks/{task_id}/assign"): lambda s: (
        f"/spot-checks/{(w := SpotWalk(s.api, s.world).receive('jn-head')).id}/assign",
        {"version": w.version(), "plan": "自行抽查", "lab_org_id": s.world.agencies["jn-lab"].id},
    ),
    ("POST", "/spot-checks/{task_id}/conflicts"): lambda s: (
        f"/spot-checks/{SpotWalk(s.api, s.world, 'lc', ('370112',)).doing('lc-head').id}/conflicts",
        {"reason": "近亲属在受检合作社任职"},
    ),
    ("POST", "/spot-checks/{task_id}/draw"): lambda s: (
        f"/spot-checks/{SpotWalk(s.api, s.world, 'lc', ('370112',)).doing('lc-head').id}/draw",
        {"samplers": 2},
    ),
    ("GET", "/draws/{draw_id}"): lambda s: (f"/draws/{_county_walk(s).committed()['id']}", None),
    ("POST", "/draws/{draw_id}/perform"): lambda s: (f"/draws/{_county_walk(s).committed()['id']}/perform", None),
    ("POST", "/draws/{draw_id}/recusals"): lambda s: (
        f"/draws/{(d := _county_walk(s).performed())['id']}/recusals",
        {"sampler_id": d["result"]["samplers"][0], "reason": "回避"},
    ),
    ("POST", "/draws/{draw_id}/reassignments"): lambda s: (
        f"/draws/{(d := _county_walk(s).performed(samplers=4))['id']}/reassignments",
        {"subject_id": d["teams"][0]["subjects"][0], "team": 2, "reason": "组员病假"},
    ),
    ("POST", "/draws/{draw_id}/publish"): lambda s: (f"/draws/{_county_walk(s).performed()['id']}/publish", None),
    ("GET", "/draws/{draw_id}/replay"): lambda s: (f"/draws/{_county_walk(s).performed()['id']}/replay", None),
    ("PUT", "/spot-checks/{task_id}/model"): lambda s: (
        f"/spot-checks/{(w := _county_walk(s)).performed() and w.id}/model",
        {
            **model_body(0),
            "objects": model_body(0)["objects"][:1],
            "items": model_body(0)["items"][:2],
            "version": w.version(),
        },
    ),
    ("POST", "/spot-checks/{task_id}/samples"): lambda s: (
        f"/spot-checks/{(w := _county_walk(s)).id}/samples",
        sample_body(
            product_code=CHIVES,
            product_name="韭菜",
            subject_id=w.ready_to_sample()["result"]["subjects"][0]["subject_id"],
        ),
    ),
    ("GET", "/spot-checks/{task_id}/samples"): lambda s: (f"/spot-checks/{_county_walk(s).id}/samples", None),
    ("POST", "/spot-checks/{task_id}/report"): lambda s: (
        f"/spot-checks/{(w := _county_walk(s)).doing('lc-head').id}/report",
        {"version": w.version(), "attachment_id": _spot_pdf(s, w)},
    ),
    ("POST", "/spot-checks/{task_id}/accept"): lambda s: (
        f"/spot-checks/{(w := _submitted(s)).id}/accept",
        {"version": w.version(), "note": "予以验收"},
    ),
    ("GET", "/samples/{sample_id}/retest"): lambda s: (f"/samples/{_county_walk(s).failed_sample()}/retest", None),
    ("POST", "/samples/{sample_id}/retest-application"): lambda s: (
        f"/samples/{_county_walk(s).failed_sample()}/retest-application",
        {"reason": "对检测结果有异议"},
    ),
    ("POST", "/samples/{sample_id}/retest"): lambda s: (
        f"/samples/{_applied(s)}/retest",
        {"lab_org_id": s.world.agencies["sd-lab"].id},
    ),
    ("GET", "/cases"): lambda s: ("/cases", None),
    ("GET", "/samples/{sample_id}/evidence"): lambda s: (f"/samples/{_county_walk(s).failed_sample()}/evidence", None),
    ("GET", "/cases/{case_id}"): lambda s: (f"/cases/{delivered_case(s.api, s.world)}", None),
    ("POST", "/cases/{case_id}/acknowledge"): lambda s: (
        f"/cases/{delivered_case(s.api, s.world)}/acknowledge",
        {"note": "签收"},
    ),
    ("POST", "/cases/{case_id}/result"): lambda s: (f"/cases/{_acknowledged_case(s)}/result", _CASE_RESULT),
    ("PUT", "/samples/{sample_id}/enforcement-agency"): lambda s: (
        f"/samples/{_county_walk(s).failed_sample()}/enforcement-agency",
        {"org_id": s.world.agencies["lc-enf"].id, "note": "由历城区执法大队查处"},
    ),
    ("POST", "/instrument/results"): lambda s: (
        "/instrument/results",
        _instrument_batch(s.walk().unit_receive().received_sample()),
    ),
    ("PUT", "/daily-inspections/{inspection_id}"): lambda s: (
        f"/daily-inspections/{ULID()}",
        daily_inspection_body(subject_id=s.subject["id"]),
    ),
    ("GET", "/daily-inspections/{inspection_id}"): lambda s: (f"/daily-inspections/{_daily(s)}", None),
    ("GET", "/daily-inspections"): lambda s: (f"/daily-inspections?subject_id={s.subject['id']}", None),
    ("POST", "/daily-inspections/{inspection_id}/samples"): lambda s: (
        f"/daily-inspections/{_daily(s)}/samples",
        evidence(),
    ),
    ("GET", "/daily-inspections/{inspection_id}/samples"): lambda s: (
        f"/daily-inspections/{_daily(s)}/samples",
        None,
    ),
    ("POST", "/daily-inspections/{inspection_id}/penalty"): lambda s: (
        f"/daily-inspections/{_daily(s)}/penalty",
        {**_CASE_RESULT, "case_name": "销售农药残留超标韭菜案"},
    ),
    ("PUT", "/entrusted-tests/{test_id}"): lambda s: (f"/entrusted-tests/{ULID()}", _entrust_body(s)),
    ("GET", "/entrusted-tests/{test_id}"): lambda s: (f"/entrusted-tests/{_entrusted(s)}", None),
    ("GET", "/entrusted-tests"): lambda s: ("/entrusted-tests?state=sent", None),
    ("POST", "/entrusted-tests/{test_id}/receive"): lambda s: _receivable(s),
    ("POST", "/entrusted-tests/{test_id}/report"): lambda s: _reportable(s),
    ("GET", "/complaints"): lambda s: ("/complaints?state=received", None),
    ("GET", "/complaints/{complaint_id}"): lambda s: (f"/complaints/{s.complaint()[0]}", None),
    ("POST", "/complaints/{complaint_id}/assignees"): lambda s: _complaint_change(
        s, "received", "assignees", {"user_ids": [s.world.users["lc-supervisor"].id]}
    ),
    ("POST", "/complaints/{complaint_id}/decision"): lambda s: _complaint_change(
        s, "received", "decision", {"decision": "reject", "reason": "不属于农产品质量安全"}
    ),
    ("POST", "/complaints/{complaint_id}/transfer"): lambda s: _complaint_change(
        s, "received", "transfer", {"reason": "wrong_jurisdiction", "to_org_id": s.world.agencies["lx"].id}
    ),
    ("POST", "/complaints/{complaint_id}/actions"): lambda s: _complaint_change(
        s, "accepted", "actions", {"kind": "inspection", "ref_id": s.inspection()}
    ),
    ("POST", "/complaints/{complaint_id}/answer"): lambda s: _complaint_change(
        s, "accepted", "answer", {"result": "unsubstantiated", "text": "经核查未发现问题"}
    ),
    ("POST", "/complaints/{complaint_id}/objection-review"): lambda s: _complaint_change(
        s, "objected", "objection-review", {"justified": False, "note": "答复无误"}
    ),
    ("GET", "/complaints/{complaint_id}/filer"): lambda s: (f"/complaints/{s.complaint('assigned')[0]}/filer", None),
    ("POST", "/inspection-plans"): lambda s: (
        "/inspection-plans",
        plan_body(s.world, s.template().split("/")[2], [s.subject["id"]]),
    ),
    ("GET", "/inspection-plans"): lambda s: ("/inspection-plans", None),
    ("GET", "/inspection-plans/{plan_id}"): lambda s: (f"/inspection-plans/{s.plan()}", None),
    ("PATCH", "/inspection-plans/{plan_id}"): lambda s: (
        f"/inspection-plans/{(draft := s.plan_draft())[0]}",
        {"version": draft[1], "title": "改"},
    ),
    ("POST", "/inspection-plans/{plan_id}/publish"): lambda s: (
        f"/inspection-plans/{(draft := s.plan_draft())[0]}/publish",
        {"version": draft[1]},
    ),
    ("GET", "/inspection-plans/{plan_id}/assignments"): lambda s: (f"/inspection-plans/{s.plan()}/assignments", None),
    ("POST", "/inspection-plans/{plan_id}/receive"): lambda s: (f"/inspection-plans/{s.plan()}/receive", None),
    ("GET", "/plan-assignments"): lambda s: ("/plan-assignments", None),
    ("GET", "/inspection-performance"): lambda s: (f"/inspection-performance?period={this_month()}", None),
    ("GET", "/inspection-performance/inspections"): lambda s: (
        f"/inspection-performance/inspections?period={this_month()}&user_id={s.world.users['lc-supervisor'].id}",
        None,
    ),
    ("POST", "/inspection-performance/export"): lambda s: ("/inspection-performance/export", {"period": this_month()}),
    ("GET", "/statistics/overview"): lambda s: ("/statistics/overview?region=370000&period=month", None),
    ("GET", "/statistics/drilldown"): lambda s: ("/statistics/drilldown?region=370000&period=year", None),
    ("POST", "/statistics/exports"): lambda s: (
        "/statistics/exports",
        {"table": "drilldown", "region": "370000", "period": "year"},
    ),
    ("GET", "/warning-indicators"): lambda s: ("/warning-indicators", None),
    ("POST", "/warning-indicators"): lambda s: ("/warning-indicators", _indicator_body()),
    ("PUT", "/warning-indicators/{indicator_id}"): lambda s: (
        f"/warning-indicators/{(body := _indicator(s))['id']}",
        {**body, "version": 1},
    ),
    ("POST", "/warnings"): lambda s: (
        "/warnings",
        {"title": "韭菜腐霉利风险", "level": "yellow", "region": "370112", "subject": str(ULID()), "evidence": "通报"},
    ),
    ("GET", "/warnings/{warning_id}"): lambda s: (f"/warnings/{_warning(s)['id']}", None),
    ("POST", "/warnings/{warning_id}/acknowledge"): lambda s: (
        f"/warnings/{(w := _warning(s))['id']}/acknowledge",
        {"version": w["version"], "note": "签收"},
    ),
    ("POST", "/warnings/{warning_id}/responses"): lambda s: (
        f"/warnings/{(w := _acknowledged_warning(s))['id']}/responses",
        {"version": w["version"], "action": "dispatch", "note": "已调度历城区核查"},
    ),
    ("POST", "/warnings/{warning_id}/close"): lambda s: (
        f"/warnings/{(w := _warning(s))['id']}/close",
        {"version": w["version"], "reason": "风险已消除"},
    ),
    ("GET", "/warnings"): lambda s: ("/warnings", None),
    ("POST", "/instructions/{instruction_id}/feedback"): lambda s: (
        f"/instructions/{_acked_instruction(s)}/feedback",
        {"note": "已排查"},
    ),
    ("POST", "/instructions/{instruction_id}/feedback-rounds"): lambda s: (
        f"/instructions/{_fed_back_instruction(s)}/feedback-rounds",
        {"note": "请补充"},
    ),
    ("POST", "/instructions/{instruction_id}/close"): lambda s: (
        f"/instructions/{_acked_instruction(s)}/close",
        {"note": "办结"},
    ),
    ("POST", "/instruction-orders"): lambda s: (
        "/instruction-orders",
        {"to_org_ids": [s.world.agencies["jn"].id, s.world.agencies["lc"].id], "title": "t", "body": "b"},
    ),
    ("GET", "/instruction-orders/{order_id}"): lambda s: (f"/instruction-orders/{_order(s)}", None),
    ("GET", "/command/overview"): lambda s: ("/command/overview?region=370000", None),
    ("GET", "/gis/regions"): lambda s: ("/gis/regions?region=370000&period=year&hazard=procymidone", None),
    ("GET", "/gis/subjects"): lambda s: ("/gis/subjects?region=370112&limit=10", None),
    ("GET", "/gis/inspections"): lambda s: (f"/gis/inspections?agency_id={s.world.agencies['lc'].id}", None),
}


def _acked_instruction(s: Scene) -> str:
    """An instruction from the province that Jinan acknowledged: its first feedback round is open."""
    sent = s.api.post(
        "/instructions",
        token=s.world.token("sd-head"),
        body={"to_org_id": s.world.agencies["jn"].id, "title": "检查", "body": "请核查"},
    )
    assert sent.status == 201, sent.body
    acked = s.api.post(f"/instructions/{sent.body['id']}/acknowledge", token=s.world.token("jn-admin"), body={})
    assert acked.status == 200, acked.body
    return str(sent.body["id"])


def _fed_back_instruction(s: Scene) -> str:
    iid = _acked_instruction(s)
    fed = s.api.post(f"/instructions/{iid}/feedback", token=s.world.token("jn-admin"), body={"note": "已排查"})
    assert fed.status == 200, fed.body
    return iid


def _order(s: Scene) -> str:
    body = {"to_org_ids": [s.world.agencies["jn"].id], "title": "t", "body": "b"}
    made = s.api.post("/instruction-orders", token=s.world.token("sd-head"), body=body)
    assert made.status == 201, made.body
    return str(made.body["id"])


def _indicator_body() -> dict[str, Any]:
    return {
        "id": f"m-{str(ULID()).lower()}",
        "name": "韭菜不合格率",
        "measure": "rate",
        "numerator": "failed",
        "denominator": "tested",
        "window_days": 7,
        "min_sample": 5,
        "thresholds": {"blue": 0.1, "yellow": 0.2, "orange": 0.3, "red": 0.5},
        "active": False,
    }


def _indicator(s: Scene) -> dict[str, Any]:
    body = _indicator_body()
    made = s.api.post("/warning-indicators", token=s.world.token("moa-analyst"), body=body)
    assert made.status == 201, made.body
    return body


def _warning(s: Scene) -> dict[str, Any]:
    """A warning the ministry published by hand to Licheng (370112)."""
    body = {
        "title": "韭菜腐霉利风险",
        "level": "yellow",
        "region": "370112",
        "subject": str(ULID()),
        "evidence": "通报",
    }
    made = s.api.post("/warnings", token=s.world.token("moa-analyst"), body=body)
    assert made.status == 201, made.body
    return dict(made.body)


def _acknowledged_warning(s: Scene) -> dict[str, Any]:
    w = _warning(s)
    acked = s.api.post(
        f"/warnings/{w['id']}/acknowledge", token=s.world.token("lc-head"), body={"version": w["version"]}
    )
    assert acked.status == 200, acked.body
    return dict(acked.body)


def _county_walk(s: Scene) -> SpotWalk:
    return SpotWalk(s.api, s.world, "lc", ("370112",))


_CASE_RESULT = {
    "case_no": "历农执罚〔2026〕1号",
    "finding": "农药残留超标",
    "decision": "警告",
    "penalty": {"kind": "warning"},
    "decided_on": "2026-11-28",
}


def _daily(s: Scene) -> str:
    """A Licheng enforcement officer's on-site inspection (现场巡查) of the approved subject: its id."""
    iid = str(ULID())
    body = daily_inspection_body(subject_id=s.subject["id"])
    sent = s.api.put(f"/daily-inspections/{iid}", token=s.world.token("lc-officer"), body=body)
    assert sent.status == 201, sent.body
    return iid


def _entrust_body(s: Scene) -> dict[str, Any]:
    """An entrusted test (委托检测) to the Jinan lab of an evidence sample of a fresh inspection."""
    iid = _daily(s)
    taken = s.api.post(f"/daily-inspections/{iid}/samples", token=s.world.token("lc-officer"), body=evidence())
    assert taken.status == 201, taken.body
    return {
        "inspection_id": iid,
        "lab_org_id": s.world.agencies["jn-lab"].id,
        "sample_ids": [taken.body["id"]],
        "receive_by": "2099-01-01",
        "report_by": "2099-01-31",
    }


def _entrusted(s: Scene) -> str:
    tid = str(ULID())
    sent = s.api.put(f"/entrusted-tests/{tid}", token=s.world.token("lc-officer"), body=_entrust_body(s))
    assert sent.status == 201, sent.body
    return tid


def _received_sample(s: Scene, tid: str) -> tuple[str, int]:
    """The test's sample received at the Jinan lab: (its id, the test's version)."""
    shown = s.api.get(f"/entrusted-tests/{tid}", token=s.world.token("jn-lab-manager")).body
    sample = shown["samples"][0]
    body = {"handed_over_by": "执法人员", "condition": "intact", "seal_no": sample["seal_no"]}
    assert (
        s.api.post(f"/samples/{sample['id']}/receipt", token=s.world.token("jn-lab-analyst"), body=body).status == 200
    )
    return str(sample["id"]), int(shown["version"])


def _lab_model(version: int) -> dict[str, Any]:
    body = model_body(version)
    body["objects"], body["items"] = body["objects"][:1], body["items"][:2]
    return body


def _receivable(s: Scene) -> tuple[str, Any]:
    tid = _entrusted(s)
    _, version = _received_sample(s, tid)
    return f"/entrusted-tests/{tid}/receive", _lab_model(version)


def _reportable(s: Scene) -> tuple[str, Any]:
    """A test received with its model, its sample tested, and the lab's report PDF attached."""
    from chalicelib.attachments import service as attachments
    from tests.support.monitoring import upload_pdf_direct

    tid = _entrusted(s)
    sid, version = _received_sample(s, tid)
    lab = s.world.token("jn-lab-manager")
    assert s.api.post(f"/entrusted-tests/{tid}/receive", token=lab, body=_lab_model(version)).status == 200
    rows = [
        {"sample_id": sid, "analyte": "procymidone", "value": "0.1", "unit": "mg/kg"},
        {"sample_id": sid, "analyte": "chlorpyrifos", "detected": False, "unit": "mg/kg"},
    ]
    assert s.api.post("/results", token=s.world.token("jn-lab-analyst"), body={"results": rows}).status == 200
    report = upload_pdf_direct(s.api, s.world, "jn-lab-manager", "entrusted_test", tid, attachments)
    version = s.api.get(f"/entrusted-tests/{tid}", token=lab).body["version"]
    return f"/entrusted-tests/{tid}/report", {"version": version, "attachment_id": report}


def _acknowledged_case(s: Scene) -> str:
    case_id = delivered_case(s.api, s.world)
    reply = s.api.post(f"/cases/{case_id}/acknowledge", token=s.world.token("lc-officer"), body={})
    assert reply.status == 200, reply.body
    return case_id


def _applied(s: Scene) -> str:
    sid = _county_walk(s).failed_sample()
    reply = s.api.post(f"/samples/{sid}/retest-application", token=s.world.token("lc-head"), body={"reason": "异议"})
    assert reply.status == 200, reply.body
    return sid


def _submitted(s: Scene) -> SpotWalk:
    """Licheng's task with the lab's summary report submitted to the province, which issued it."""
    walk = _county_walk(s).doing("lc-head")
    body = {"version": walk.version(), "attachment_id": _spot_pdf(s, walk)}
    reply = s.api.post(f"/spot-checks/{walk.id}/report", token=s.world.token("jn-lab-manager"), body=body)
    assert reply.status == 200, reply.body
    return walk


def _spot_pdf(s: Scene, walk: SpotWalk) -> str:
    from chalicelib.attachments import service as attachments
    from tests.support.monitoring import upload_pdf_direct

    return upload_pdf_direct(s.api, s.world, "jn-lab-manager", "spotcheck", walk.id, attachments)


def _unit_pdf(walk: Walk) -> str:
    from chalicelib.attachments import service as attachments
    from tests.support.monitoring import upload_pdf_direct

    return upload_pdf_direct(walk.api, walk.world, "jn-lab-manager", "assignment", walk.assignment, attachments)


def _import(s: Scene) -> str:
    w = s.walk().unit_receive()
    ticket = s.api.post(
        f"/monitoring-assignments/{w.assignment}/result-imports",
        token=s.world.token("jn-lab-manager"),
        body={"filename": "结果.csv", "content_type": "text/csv", "size": 100},
    )
    assert ticket.status == 201, ticket.body
    return str(ticket.body["result_import"]["id"])


# Who succeeds on the Shandong record (must hold an allowed role).
HAPPY_USER = {
    ("POST", "/agencies/{agency_id}/users"): "jn-admin",
    ("PATCH", "/agencies/{agency_id}"): "jn-admin",
    ("PATCH", "/users/{user_id}"): "lc-admin",
    ("POST", "/instructions/{instruction_id}/acknowledge"): "jn-admin",
    ("POST", "/instructions"): "sd-head",
    ("POST", "/attachments"): "sd-head",
    ("GET", "/attachments"): "sd-head",
    ("GET", "/integrity/reports/{day}"): "moa-analyst",
    ("POST", "/monitoring-tasks/{task_id}/receive"): "sd-lab-manager",
    ("POST", "/monitoring-tasks/{task_id}/return"): "sd-lab-manager",
    ("PUT", "/monitoring-tasks/{task_id}/model"): "sd-lab-manager",
    ("POST", "/monitoring-tasks/{task_id}/distribute"): "sd-lab-manager",
    ("POST", "/monitoring-tasks/{task_id}/overall-report"): "sd-lab-manager",
    ("POST", "/monitoring-tasks/{task_id}/samples"): "jn-lab-sampler",
    ("GET", "/monitoring-tasks/{task_id}/prefill"): "jn-lab-sampler",
    ("POST", "/monitoring-assignments/{assignment_id}/receive"): "jn-lab-manager",
    ("POST", "/monitoring-assignments/{assignment_id}/return"): "jn-lab-manager",
    ("POST", "/monitoring-assignments/{assignment_id}/report"): "jn-lab-manager",
    ("POST", "/monitoring-assignments/{assignment_id}/summary-export"): "jn-lab-manager",
    ("POST", "/monitoring-assignments/{assignment_id}/result-imports"): "jn-lab-analyst",
    ("POST", "/limits"): "moa-analyst",
    ("POST", "/samples/{sample_id}/receipt"): "jn-lab-analyst",
    ("POST", "/results"): "jn-lab-analyst",
    ("GET", "/result-imports/{import_id}"): "jn-lab-manager",
    ("POST", "/instrument-keys"): "sd-lab-manager",
    ("GET", "/instrument-keys"): "sd-lab-manager",
    ("POST", "/instrument-keys/{key_id}/revoke"): "sd-lab-manager",
    ("POST", "/spot-checks/{task_id}/receive"): "jn-head",
    ("POST", "/spot-checks/{task_id}/return"): "jn-head",
    ("POST", "/spot-checks/{task_id}/split"): "jn-head",
    ("POST", "/spot-checks/{task_id}/assign"): "jn-head",
    ("POST", "/spot-checks/{task_id}/conflicts"): "lc-supervisor",
    ("POST", "/spot-checks/{task_id}/draw"): "lc-head",
    ("POST", "/draws/{draw_id}/perform"): "lc-head",
    ("POST", "/draws/{draw_id}/recusals"): "lc-head",
    ("POST", "/draws/{draw_id}/reassignments"): "lc-head",
    ("POST", "/draws/{draw_id}/publish"): "lc-head",
    ("PUT", "/spot-checks/{task_id}/model"): "jn-lab-manager",
    ("POST", "/spot-checks/{task_id}/samples"): "lc-supervisor",
    ("POST", "/spot-checks/{task_id}/report"): "jn-lab-manager",
    ("POST", "/spot-checks/{task_id}/accept"): "sd-head",
    ("POST", "/samples/{sample_id}/retest-application"): "lc-head",
    ("POST", "/samples/{sample_id}/retest"): "lc-head",
    ("GET", "/cases"): "lc-officer",
    ("POST", "/cases/{case_id}/acknowledge"): "lc-officer",
    ("POST", "/cases/{case_id}/result"): "lc-officer",
    ("PUT", "/samples/{sample_id}/enforcement-agency"): "lc-head",
    ("PUT", "/inspections/{inspection_id}"): "lc-supervisor",
    ("GET", "/inspections/{inspection_id}"): "lc-head",
    ("GET", "/inspections"): "lc-supervisor",
    ("GET", "/inspections/{inspection_id}/corrective-actions"): "lc-head",
    ("GET", "/corrective-actions"): "lc-head",
    ("PUT", "/daily-inspections/{inspection_id}"): "lc-officer",
    ("GET", "/daily-inspections/{inspection_id}"): "lc-head",
    ("GET", "/daily-inspections"): "lc-officer",
    ("POST", "/daily-inspections/{inspection_id}/samples"): "lc-officer",
    ("GET", "/daily-inspections/{inspection_id}/samples"): "lc-officer",
    ("POST", "/daily-inspections/{inspection_id}/penalty"): "lc-officer",
    ("PUT", "/entrusted-tests/{test_id}"): "lc-officer",
    ("GET", "/entrusted-tests/{test_id}"): "jn-lab-manager",
    ("GET", "/entrusted-tests"): "jn-lab-manager",
    ("POST", "/entrusted-tests/{test_id}/receive"): "jn-lab-manager",
    ("POST", "/entrusted-tests/{test_id}/report"): "jn-lab-manager",
    ("GET", "/complaints"): "lc-head",
    ("GET", "/complaints/{complaint_id}"): "lc-head",
    ("POST", "/complaints/{complaint_id}/assignees"): "lc-head",
    ("POST", "/complaints/{complaint_id}/decision"): "lc-supervisor",
    ("POST", "/complaints/{complaint_id}/transfer"): "lc-head",
    ("POST", "/complaints/{complaint_id}/actions"): "lc-supervisor",
    ("POST", "/complaints/{complaint_id}/answer"): "lc-head",
    ("POST", "/complaints/{complaint_id}/objection-review"): "lc-head",
    ("GET", "/complaints/{complaint_id}/filer"): "lc-supervisor",
    ("POST", "/inspection-plans"): "lc-head",
    ("GET", "/inspection-plans"): "lc-head",
    ("GET", "/inspection-plans/{plan_id}"): "lc-head",
    ("PATCH", "/inspection-plans/{plan_id}"): "lc-head",
    ("POST", "/inspection-plans/{plan_id}/publish"): "lc-head",
    ("GET", "/inspection-plans/{plan_id}/assignments"): "lc-head",
    ("POST", "/inspection-plans/{plan_id}/receive"): "lc-supervisor",
    ("GET", "/plan-assignments"): "lc-supervisor",
    ("GET", "/inspection-performance"): "lc-head",
    ("GET", "/inspection-performance/inspections"): "lc-head",
    ("POST", "/inspection-performance/export"): "lc-head",
    ("GET", "/warning-indicators"): "moa-analyst",
    ("POST", "/warning-indicators"): "moa-analyst",
    ("PUT", "/warning-indicators/{indicator_id}"): "moa-analyst",
    ("POST", "/warnings"): "moa-analyst",
    ("POST", "/warnings/{warning_id}/acknowledge"): "lc-head",
    ("POST", "/warnings/{warning_id}/responses"): "lc-head",
    ("POST", "/warnings/{warning_id}/close"): "moa-analyst",
    ("GET", "/warnings"): "moa-analyst",
    ("POST", "/instructions/{instruction_id}/feedback"): "jn-admin",
    ("POST", "/instructions/{instruction_id}/feedback-rounds"): "sd-head",
    ("POST", "/instructions/{instruction_id}/close"): "sd-head",
    ("POST", "/instruction-orders"): "sd-head",
    ("GET", "/instruction-orders/{order_id}"): "sd-head",
    ("GET", "/command/overview"): "sd-head",
}
# Routes whose records belong to nobody's jurisdiction, with the reason.
NOT_JURISDICTIONAL = {
    ("GET", "/me"): "the caller's own record",
    ("GET", "/inbox"): "the caller's own agency's inbox",
    ("GET", "/instructions"): "lists only the caller's own agency's boxes",
    ("GET", "/integrity/reports/{day}"): "a national report, for ministry analysts only",
    ("GET", "/monitoring-tasks"): "lists only the caller's own agency's tasks",
    ("GET", "/monitoring-assignments"): "lists only the caller's own lab's assignments",
    ("GET", "/limits"): "the limit library is national reference data",
    ("GET", "/inspection-templates"): "lists the national templates and the caller's own province's",
    ("POST", "/limits"): "the limit library is national, kept by ministry analysts only",
    ("POST", "/instrument-keys"): "issued to the caller's own lab",
    ("GET", "/instrument-keys"): "lists the caller's own lab's keys",
    ("GET", "/spot-checks"): "lists only the caller's own agency's tasks",
    ("GET", "/cases"): "lists only the cases handed or escalated to the caller's own agency",
    ("GET", "/corrective-actions"): "lists only the caller's own agency's (a head's) or the caller's own",
    ("GET", "/entrusted-tests"): "lists only the tests sent to the caller's own lab, or by the caller's own agency",
    ("GET", "/complaints"): "lists only the cases the caller's own agency handles (a subject account: about it)",
    ("POST", "/inspection-plans"): "a plan of the caller's own agency (what it names is checked: 422)",
    ("GET", "/inspection-plans"): "lists only the caller's own agency's plans",
    ("GET", "/plan-assignments"): "lists only the caller's own tasks",
    ("GET", "/inspection-performance"): "the caller's own agency's table (a supervisor's own row)",
    ("GET", "/inspection-performance/inspections"): "the caller's own agency's inspections (a supervisor's own)",
    ("POST", "/inspection-performance/export"): "the caller's own agency's table",
    ("GET", "/warning-indicators"): "national reference data, kept by the ministry only",
    ("POST", "/warning-indicators"): "national reference data, kept by the ministry only",
    ("PUT", "/warning-indicators/{indicator_id}"): "national reference data, kept by the ministry only",
    ("GET", "/warnings"): "the ministry's national list; agencies see theirs in their inbox",
    ("POST", "/warnings/{warning_id}/close"): "the ministry's act on any warning in the nation",
}
# Routes a lab instrument calls with its machine credential (Instrument <id>.<secret>), not a person's token.
MACHINE = {("POST", "/instrument/results")}
# Routes that create something in a region rather than read a record: outside the jurisdiction is a 403.
CREATES_IN_REGION = {
    ("POST", "/agencies"): "the region is public reference data; the act is forbidden",
    ("POST", "/subjects"): "the region is public reference data; registering there is forbidden",
    ("POST", "/captured-subjects"): "the region is public reference data; capturing there is forbidden",
    ("POST", "/warnings"): "publishing a warning by hand is the ministry's: another agency is forbidden",
}
OUTSIDERS = ["js-admin", "js-head", "js-lab-admin", "js-lab-manager", "js-lab-sampler", "js-officer"]
EVERYONE = [
    "moa-admin",
    "moa-analyst",
    "moa-dispatcher",
    "sd-admin",
    "sd-head",
    "sd-lab-analyst",
    "sd-lab-manager",
    "lc-supervisor",
    "lc-officer",
    "lc-head",
    "jn-admin",
    "lc-admin",
]


def _id(spec: RouteSpec) -> str:
    return f"{spec.method} {spec.path}"


PRIVATE = [s for s in ROUTES if not s.public]


def test_every_route_declares_roles_and_a_case():
    for spec in ROUTES:
        assert spec.public or spec.roles, f"{_id(spec)} declares no roles"
        if not spec.public:
            assert (spec.method, spec.path) in CASES, f"{_id(spec)} is missing from the authorization matrix"


def test_public_routes_answer_without_a_token(api, aws):
    for spec in (s for s in ROUTES if s.public):
        path = spec.path.replace("{code}", "370000")
        assert api.request(spec.method, path).status not in (401, 403), _id(spec)


@pytest.mark.parametrize("spec", PRIVATE, ids=_id)
def test_route_matrix(spec: RouteSpec, api, world: World):
    scene = Scene(api, world)
    path, body = CASES[(spec.method, spec.path)](scene)
    send = lambda token: api.request(spec.method, path, token=token, body=body)  # noqa: E731

    # No token, and every kind of bad token: 401, as API Gateway answers.
    assert api.request(spec.method, path, body=body).status == 401
    for why, token in bad_tokens(world.token("sd-admin")).items():
        assert send(token).status == 401, f"{why} token accepted by {_id(spec)}"

    if (spec.method, spec.path) in MACHINE:
        _machine_route(spec, scene, path, body)
        return

    # A role the route does not allow: 403.
    outsider_roles = [u for u in EVERYONE if not set(world.users[u].roles) & spec.roles]
    if outsider_roles:
        reply = send(world.token(outsider_roles[0]))
        assert reply.status == 403, (outsider_roles[0], reply.body)
        assert reply.headers["content-type"] == "application/problem+json"

    # Another province's user with an allowed role: the Shandong record does not exist for them.
    if (spec.method, spec.path) not in NOT_JURISDICTIONAL:
        allowed = [u for u in OUTSIDERS if set(world.users[u].roles) & spec.roles]
        assert allowed, f"no Jiangsu user may call {_id(spec)}: extend the world"
        reply = send(world.token(allowed[0]))
        expected = 403 if (spec.method, spec.path) in CREATES_IN_REGION else 404
        assert reply.status == expected, (allowed[0], reply.status, reply.body)

    # The right user with a valid request succeeds (and the client checks the call budget).
    user = HAPPY_USER.get((spec.method, spec.path), "sd-admin" if "admin" in spec.roles else "sd-head")
    reply = send(world.token(user))
    assert reply.status < 300, (user, reply.status, reply.body)


def _machine_route(spec: RouteSpec, scene: Scene, path: str, body: Any) -> None:
    """A person's valid token is no machine credential (401); another province's lab key finds nothing (404)."""
    api, world = scene.api, scene.world
    assert api.request(spec.method, path, token=world.token("sd-lab-manager"), body=body).status == 401
    as_key = lambda key: api.request(spec.method, path, headers={"Authorization": key}, body=body)  # noqa: E731
    good = scene.instrument_key("jn-lab-manager")
    key_id = good.split()[1].split(".")[0]
    assert as_key(good[:-4] + "AAAA").status == 401, "a wrong secret was accepted"
    reply = as_key(scene.instrument_key("js-lab-manager"))
    assert reply.status == 404, (reply.status, reply.body)
    reply = as_key(good)
    assert reply.status < 300, (reply.status, reply.body)
    # Revoked: refused at once (the authorizer's answer is not cached)
    assert api.post(f"/instrument-keys/{key_id}/revoke", token=world.token("jn-lab-manager")).status == 200
    assert as_key(good).status == 401


# Public routes with required queries: a valid request succeeds without any token (and within the budget).
PUBLIC_CASES = {
    ("GET", "/public/disclosures"): "/public/disclosures?region=370112&month=2026-01",
}


def test_public_disclosure_lists_answer_anyone(api, world: World):
    for (method, _path), path in PUBLIC_CASES.items():
        assert api.request(method, path).status == 200, path
        assert api.request(method, path, token=world.token("js-head")).status == 200, path
    subject = Scene(api, world).subject
    code = quote(subject["identity_code"], safe="")
    assert api.get(f"/public/disclosures/by-code?code={code}").status == 200

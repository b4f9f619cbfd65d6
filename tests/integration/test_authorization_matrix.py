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

import app  # noqa: F401 - registers every route
from chalicelib.core.api import ROUTES, RouteSpec
from chalicelib.integrity import service as integrity
from tests.support.subjects import registration
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
}
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
}
# Routes whose records belong to nobody's jurisdiction, with the reason.
NOT_JURISDICTIONAL = {
    ("GET", "/me"): "the caller's own record",
    ("GET", "/inbox"): "the caller's own agency's inbox",
    ("GET", "/instructions"): "lists only the caller's own agency's boxes",
    ("GET", "/integrity/reports/{day}"): "a national report, for ministry analysts only",
}
# Routes that create something in a region rather than read a record: outside the jurisdiction is a 403.
CREATES_IN_REGION = {
    ("POST", "/agencies"): "the region is public reference data; the act is forbidden",
    ("POST", "/subjects"): "the region is public reference data; registering there is forbidden",
    ("POST", "/captured-subjects"): "the region is public reference data; capturing there is forbidden",
}
OUTSIDERS = ["js-admin", "js-head", "js-lab-admin", "js-lab-manager"]
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

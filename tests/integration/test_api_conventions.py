"""What every client relies on: problem+json errors, idempotent retries, cursors, request ids."""

from chalicelib.orgs import store
from tests.support.world import World


def new_agency(n: int) -> dict:
    return {"name": f"检测站{n}", "kind": "testing", "region": "370112"}


def test_retry_with_the_same_key_creates_one_agency(api, world: World):
    headers = {"Idempotency-Key": "phone-retry-0001"}
    first = api.post("/agencies", token=world.token("lc-admin"), body=new_agency(1), headers=headers)
    again = api.post("/agencies", token=world.token("lc-admin"), body=new_agency(1), headers=headers)
    assert first.status == again.status == 201
    assert again.body == first.body
    assert again.headers.get("idempotent-replayed") == "true"
    listed = api.get("/agencies?region=370112", token=world.token("lc-admin")).body["items"]
    assert [a["name"] for a in listed].count("检测站1") == 1


def test_same_key_with_another_body_is_422_and_writes_nothing(api, world: World):
    headers = {"Idempotency-Key": "phone-retry-0002"}
    assert api.post("/agencies", token=world.token("lc-admin"), body=new_agency(2), headers=headers).status == 201
    other = api.post("/agencies", token=world.token("lc-admin"), body=new_agency(3), headers=headers)
    assert other.status == 422
    assert other.body["type"].endswith("/idempotency-key-reused")
    names = [a["name"] for a in api.get("/agencies?region=370112", token=world.token("lc-admin")).body["items"]]
    assert "检测站3" not in names


def test_bad_input_is_a_problem_with_field_errors_and_changes_nothing(api, world: World):
    token = world.token("lc-admin")
    before = api.get("/agencies?region=370112", token=token).body["items"]
    for body, field in [
        ({"name": "x", "kind": "bakery", "region": "370112"}, "body.kind"),
        ({"name": "x", "kind": "testing", "region": "37011"}, "body.region"),
        ({"name": "x", "kind": "testing", "region": "370112", "extra": 1}, "body.extra"),
    ]:
        reply = api.post("/agencies", token=token, body=body)
        assert reply.status == 400, reply.body
        assert reply.headers["content-type"] == "application/problem+json"
        assert reply.body["title"] == "请求内容不合规 / The request is not valid"
        assert field in [e["field"] for e in reply.body["errors"]]
    assert api.post("/agencies", token=token, raw=b"{not json").status == 400
    assert api.post("/agencies", token=token, raw=b"[1, 2]").status == 400
    assert api.post("/agencies", token=token, raw=b"a=b", headers={"Content-Type": "text/plain"}).status == 415
    assert api.post("/agencies", token=token, body=new_agency(4), headers={"Idempotency-Key": "short"}).status == 400
    # Well-formed but against a platform rule: 422, with the field named.
    unknown = api.post("/agencies", token=token, body={"name": "x", "kind": "testing", "region": "379999"})
    assert unknown.status == 422 and unknown.body["errors"][0]["field"] == "body.region"
    assert api.post("/agencies", token=token, body={"name": "   ", "kind": "testing", "region": "370112"}).status == 400
    assert api.get("/agencies?region=370112", token=token).body["items"] == before


def test_pages_follow_the_cursor_and_a_foreign_cursor_is_rejected(api, world: World):
    token = world.token("sd-admin")
    seen, cursor = [], None
    while True:
        page = api.get("/agencies?region=370000&limit=2" + (f"&cursor={cursor}" if cursor else ""), token=token).body
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 6
    users_cursor = api.get(f"/agencies/{world.agencies['lc'].id}/users?limit=1", token=token).body["next_cursor"]
    assert users_cursor
    assert api.get(f"/agencies?region=370000&cursor={users_cursor}", token=token).status == 422
    assert api.get("/agencies?region=370000&cursor=%%%", token=token).status == 422


def test_request_id_is_echoed_or_made(api, world: World):
    mine = api.get("/me", token=world.token("lc-head"), headers={"X-Request-Id": "trace-abc-123"})
    assert mine.headers["x-request-id"] == "trace-abc-123"
    assert api.get("/health").headers["x-request-id"]


def test_two_admins_changing_one_agency_at_once_one_wins(api, world: World):
    lc = world.agencies["lc"].id
    version = store.get_agency(lc).version
    a = api.patch(f"/agencies/{lc}", token=world.token("jn-admin"), body={"version": version, "address": "甲"})
    b = api.patch(f"/agencies/{lc}", token=world.token("sd-admin"), body={"version": version, "address": "乙"})
    assert (a.status, b.status) == (200, 409)
    assert store.get_agency(lc).address == "甲"

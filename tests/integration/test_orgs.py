"""Agencies and users through the API, as their admins would use it."""

from tests.support.world import World


def test_me_shows_user_and_agency(api, world: World):
    reply = api.get("/me", token=world.token("lc-supervisor"))
    assert reply.status == 200, reply.body
    assert reply.body["user"]["username"] == "lc-supervisor"
    assert reply.body["agency"]["region"] == "370112"
    assert reply.body["agency"]["level"] == "county"
    assert reply.headers["x-request-id"]


def test_admin_creates_a_user_who_can_then_sign_in(api, world: World):
    lc = world.agencies["lc"].id
    made = api.post(
        f"/agencies/{lc}/users",
        token=world.token("lc-admin"),
        body={
            "username": "lc-new-sampler",
            "name": "王采样",
            "roles": ["sampler"],
            "phone": "+8613800000000",
            "certificate": {"number": "鲁农执-0099", "valid_until": "2028-06-30"},
        },
    )
    assert made.status == 201, made.body
    me = api.get("/me", token=world.identity.token("lc-new-sampler"))
    assert me.status == 200 and me.body["user"]["roles"] == ["sampler"]
    assert me.body["user"]["id"] == made.body["id"]


def test_roles_must_fit_the_kind_of_agency(api, world: World):
    reply = api.post(
        f"/agencies/{world.agencies['lc'].id}/users",
        token=world.token("lc-admin"),
        body={"username": "lc-analyst", "name": "x", "roles": ["lab_analyst"], "email": "a@example.cn"},
    )
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.roles"
    twice = api.post(
        f"/agencies/{world.agencies['lc'].id}/users",
        token=world.token("lc-admin"),
        body={"username": "lc-twice", "name": "x", "roles": ["supervisor", "supervisor"], "email": "t@example.cn"},
    )
    assert twice.status == 400


def test_an_agency_above_appoints_only_the_admin_below(api, world: World):
    lc = world.agencies["lc"].id
    ok = api.post(
        f"/agencies/{lc}/users",
        token=world.token("jn-admin"),
        body={"username": "lc-admin-2", "name": "x", "roles": ["admin"], "email": "b@example.cn"},
    )
    assert ok.status == 201
    no = api.post(
        f"/agencies/{lc}/users",
        token=world.token("jn-admin"),
        body={"username": "lc-sup-9", "name": "x", "roles": ["supervisor"], "email": "c@example.cn"},
    )
    assert no.status == 403


def test_a_disabled_user_is_shut_out(api, world: World):
    world.user("lc-admin", "lc", "lc-leaving", ["head"])
    user = world.users["lc-leaving"]
    token = world.token("lc-leaving")
    off = api.patch(f"/users/{user.id}", token=world.token("lc-admin"), body={"version": user.version, "active": False})
    assert off.status == 200 and off.body["active"] is False
    assert api.get("/me", token=token).status == 403


def test_county_admin_sees_only_its_own_county(api, world: World):
    token = world.token("lc-admin")
    assert api.get("/agencies?region=370102", token=token).status == 404
    assert api.get(f"/agencies/{world.agencies['lx'].id}", token=token).status == 404
    assert api.get(f"/users/{world.users['lx-supervisor'].id}", token=token).status == 404
    mine = api.get("/agencies?region=370112", token=token).body["items"]
    assert {a["region"] for a in mine} == {"370112"}

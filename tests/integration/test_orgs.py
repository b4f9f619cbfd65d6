"""Agencies and users through the API, as their admins would use it."""

from tests.support.world import World


def test_me_shows_user_and_agency(api, world: World):
    reply = api.get("/me", token=world.token("lc-supervisor"))
    assert reply.status == 200, reply.body
    assert reply.body["user"]["username"] == "lc-supervisor"
    assert reply.body["agency"]["region"] == "370112"
    assert reply.body["agency"]["level"] == "county"
    assert reply.headers["x-request-id"]

"""CORS for the web console: the API answers it for the stage's console origins (CONSOLE_ORIGINS), and for no other."""

from __future__ import annotations

from tests.support.http import ApiClient
from tests.support.world import World

CONSOLE = "https://console.test.agritrace.cn"
ELSEWHERE = "https://evil.example.com"


def test_a_preflight_from_the_console_names_the_paths_methods_and_the_headers_it_may_send(api: ApiClient) -> None:
    # When the console's browser asks before a cross-origin POST with a token and JSON
    reply = api.request(
        "OPTIONS",
        "/results",
        headers={
            "Origin": CONSOLE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
        },
    )
    # Then the API allows that origin, the path's methods and those headers, without asking for a token
    assert reply.status == 204
    assert reply.headers["access-control-allow-origin"] == CONSOLE
    assert reply.headers["access-control-allow-methods"] == "OPTIONS, POST"
    allowed = {h.strip().lower() for h in reply.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
    assert reply.headers["vary"] == "Origin"


def test_the_public_complaint_page_may_send_its_tracking_secret(api: ApiClient) -> None:
    # When a citizen's browser asks before following a case with its tracking secret (no token)
    reply = api.request(
        "OPTIONS",
        "/public/complaints/01M999X4FFR5MQ8KJ2GBWVZMKQ",
        headers={
            "Origin": CONSOLE,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-complaint-secret",
        },
    )
    # Then the API allows the header, so the page can read the case
    assert reply.status == 204
    allowed = {h.strip().lower() for h in reply.headers["access-control-allow-headers"].split(",")}
    assert "x-complaint-secret" in allowed


def test_another_origin_gets_no_cors_headers_so_its_browser_refuses_the_call(api: ApiClient, world: World) -> None:
    preflight = api.request("OPTIONS", "/me", headers={"Origin": ELSEWHERE, "Access-Control-Request-Method": "GET"})
    assert preflight.status == 204
    assert "access-control-allow-origin" not in preflight.headers
    answer = api.request("GET", "/me", token=world.token("lc-head"), headers={"Origin": ELSEWHERE})
    assert answer.status == 200
    assert "access-control-allow-origin" not in answer.headers


def test_answers_and_problems_carry_the_consoles_origin_so_it_can_show_them(api: ApiClient, world: World) -> None:
    # Given the console's origin on each call
    headers = {"Origin": CONSOLE}
    # Then an answer, a problem of the app and the gateway's own 401 are all readable by the console
    ok = api.request("GET", "/me", token=world.token("lc-head"), headers=headers)
    assert ok.status == 200 and ok.headers["access-control-allow-origin"] == CONSOLE
    assert "X-Request-Id" in ok.headers["access-control-expose-headers"]
    missing = api.request("GET", "/subjects/01M995WHSJCXPRXBVD5A93Y88H", token=world.token("lc-head"), headers=headers)
    assert missing.status == 404
    assert missing.headers["access-control-allow-origin"] == CONSOLE
    signed_out = api.request("GET", "/me", token="not-a-token", headers=headers)
    assert signed_out.status == 401
    assert signed_out.headers["access-control-allow-origin"] == CONSOLE

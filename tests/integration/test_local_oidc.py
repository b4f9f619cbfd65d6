"""The local stack's stand-in for Cognito's hosted sign-in: OIDC code + PKCE over the user pool, moto's own tokens.

Only the local stack runs it (infra/local/console.py); the browser tests sign in through it. Here its rules are
checked one by one over HTTP, against the test world's user pool.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from infra.local.console import ConsoleConfig, ConsoleServer
from tests.support.http import ApiClient
from tests.support.world import Identity, World


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_open = urllib.request.build_opener(_NoRedirect).open


@pytest.fixture(scope="module")
def provider(aws: Identity, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    build = tmp_path_factory.mktemp("console")
    (build / "index.html").write_text("<!doctype html><title>console</title>")
    config = ConsoleConfig(
        api_url="http://127.0.0.1:9",
        issuer="https://cognito-idp.us-east-1.amazonaws.com/" + aws.pool_id,
        jwks_url="http://127.0.0.1:9/.well-known/jwks.json",
        user_pool_id=aws.pool_id,
        client_id=aws.client_id,
        endpoint_url=None,
        region="us-east-1",
    )
    server = ConsoleServer("127.0.0.1", 0, config, build=Path(build))
    server.start()
    yield server
    server.stop()


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _request(url: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    data = urlencode(form).encode() if form is not None else None
    try:
        with _open(urllib.request.Request(url, data=data), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _authorize(provider: ConsoleServer, challenge: str, **extra: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": provider.config.client_id,
        "redirect_uri": provider.url + "/callback",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "s-1",
        "scope": "openid profile",
        **extra,
    }


def _code(provider: ConsoleServer, world: World, challenge: str) -> str:
    world.token("lc-head")  # sets the world's password on the user
    status, headers, _ = _request(
        provider.url + "/oidc/authorize",
        {**_authorize(provider, challenge), "username": "lc-head", "password": "Demo-Passw0rd!"},
    )
    assert status == 302
    target = urlsplit(headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == provider.url + "/callback"
    answer = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert answer["state"] == "s-1"
    return answer["code"]


def _exchange(provider: ConsoleServer, code: str, verifier: str) -> tuple[int, dict[str, Any]]:
    status, _, body = _request(
        provider.url + "/oidc/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": provider.url + "/callback",
            "client_id": provider.config.client_id,
            "code_verifier": verifier,
        },
    )
    return status, json.loads(body)


def test_the_discovery_document_names_the_local_endpoints_and_the_pools_issuer(provider: ConsoleServer) -> None:
    status, _, body = _request(provider.url + "/oidc/.well-known/openid-configuration")
    document = json.loads(body)
    assert status == 200
    assert document["issuer"] == provider.config.issuer
    assert document["authorization_endpoint"] == provider.url + "/oidc/authorize"
    assert document["code_challenge_methods_supported"] == ["S256"]


def test_a_sign_in_without_pkce_or_for_another_origin_is_refused(provider: ConsoleServer) -> None:
    _, challenge = _pkce()
    no_pkce = _authorize(provider, challenge, code_challenge_method="plain")
    assert _request(provider.url + "/oidc/authorize?" + urlencode(no_pkce))[0] == 400
    elsewhere = _authorize(provider, challenge, redirect_uri="https://evil.example.com/callback")
    assert _request(provider.url + "/oidc/authorize?" + urlencode(elsewhere))[0] == 400
    assert _request(provider.url + "/oidc/authorize?" + urlencode(_authorize(provider, challenge)))[0] == 200


def test_a_wrong_password_shows_the_form_again_with_no_code(provider: ConsoleServer, world: World) -> None:
    world.token("lc-head")
    _, challenge = _pkce()
    status, headers, body = _request(
        provider.url + "/oidc/authorize",
        {**_authorize(provider, challenge), "username": "lc-head", "password": "wrong-Passw0rd!"},
    )
    assert status == 401 and "Location" not in headers
    assert "用户名或密码错误" in body.decode()


def test_a_code_is_exchanged_once_with_its_verifier_for_tokens_the_api_accepts(
    provider: ConsoleServer, world: World, api: ApiClient
) -> None:
    # Given a code issued for a challenge
    verifier, challenge = _pkce()
    code = _code(provider, world, challenge)
    # When it is exchanged with another verifier, it is refused, and used up
    other, _ = _pkce()
    assert _exchange(provider, code, other) == (400, {"error": "invalid_grant"})
    assert _exchange(provider, code, verifier) == (400, {"error": "invalid_grant"})
    # When a fresh code is exchanged with its verifier
    code = _code(provider, world, challenge)
    status, tokens = _exchange(provider, code, verifier)
    # Then the tokens are the pool's own, and the API signs the user in with the ID token
    assert status == 200 and tokens["token_type"] == "Bearer"
    me = api.get("/me", token=tokens["id_token"])
    assert me.status == 200 and me.body["user"]["username"] == "lc-head"
    # And the same code again is refused
    assert _exchange(provider, code, verifier)[0] == 400

"""The web console on the local stack: its built files, its config, and a small OIDC provider over moto's Cognito.

moto's Cognito has no hosted UI, so this server stands in for it, only on the local stack: the console
signs in with the OIDC authorization-code flow with PKCE (S256) as it does against the user pool's
domain; the sign-in form checks the password with moto's Cognito (AdminInitiateAuth, as infra/local/token.py
does) and the token endpoint hands back moto's own tokens for a code used once with its verifier. The
API verifies those tokens as it verifies any other. The console itself is on another origin than the
API, as in production (its bucket's website), so the API's CORS is exercised locally as well.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import mimetypes
import secrets
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "console"
OIDC = "/oidc"
CODE_SECONDS = 120
SCOPES = "openid profile"
# Cognito's user-pool domain answers its token endpoint cross-origin; the local one does the same.
TOKEN_CORS = {"Access-Control-Allow-Headers": "Content-Type", "Access-Control-Allow-Methods": "POST, OPTIONS"}

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".js")


@dataclass(frozen=True)
class Grant:
    """A code waiting for its exchange: the tokens moto gave, bound to the client, redirect and challenge."""

    tokens: dict[str, Any]
    client_id: str
    redirect_uri: str
    challenge: str
    expires: float


@dataclass
class ConsoleConfig:
    api_url: str
    issuer: str  # the `iss` of moto's tokens
    jwks_url: str
    user_pool_id: str
    client_id: str
    endpoint_url: str | None  # moto server; None: the default endpoint (the tests' mock_aws)
    region: str


class ConsoleServer:
    """Serves build/console/ and /oidc/* on one loopback port, in a thread of its own."""

    def __init__(self, host: str, port: int, config: ConsoleConfig, build: Path = BUILD) -> None:
        self.config = config
        self.build = build
        self.grants: dict[str, Grant] = {}
        self.lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"console": self})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="console", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def runtime_config(self) -> dict[str, Any]:
        """What the console reads at start (config.json): where the API is and how to sign in."""
        return {"api": self.config.api_url, "authority": self.url + OIDC, "client_id": self.config.client_id}

    def discovery(self) -> dict[str, Any]:
        base = self.url + OIDC
        return {
            "issuer": self.config.issuer,
            "authorization_endpoint": base + "/authorize",
            "token_endpoint": base + "/token",
            "jwks_uri": self.config.jwks_url,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": SCOPES.split(),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["none"],
        }

    def sign_in(self, username: str, password: str) -> dict[str, Any] | None:
        """moto's tokens for the user and password, or None when Cognito refuses them."""
        import boto3
        from botocore.exceptions import ClientError

        idp = boto3.client("cognito-idp", endpoint_url=self.config.endpoint_url, region_name=self.config.region)
        try:
            auth = idp.admin_initiate_auth(
                UserPoolId=self.config.user_pool_id,
                ClientId=self.config.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username.strip().lower(), "PASSWORD": password},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] in {"NotAuthorizedException", "UserNotFoundException"}:
                return None
            raise
        result: dict[str, Any] | None = auth.get("AuthenticationResult")
        return result

    def issue(self, grant: Grant) -> str:
        code = secrets.token_urlsafe(32)
        with self.lock:
            now = time.monotonic()
            self.grants = {k: g for k, g in self.grants.items() if g.expires > now}
            self.grants[code] = grant
        return code

    def redeem(self, code: str) -> Grant | None:
        with self.lock:  # used once: a second exchange of the same code finds nothing
            grant = self.grants.pop(code, None)
        return grant if grant is not None and grant.expires > time.monotonic() else None


def _challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class _Handler(BaseHTTPRequestHandler):
    console: ConsoleServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the stack's terminal shows the API and the events, not every asset

    # -- plumbing
    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store" if not self.path.startswith("/assets/") else "max-age=31536000")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(body).encode(), "application/json", headers)

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def _query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}

    # -- verbs
    def do_OPTIONS(self) -> None:
        if urlsplit(self.path).path == OIDC + "/token":
            self._send(204, b"", "text/plain", {"Access-Control-Allow-Origin": "*", **TOKEN_CORS})
            return
        self._send(405, b"", "text/plain")

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/config.json":
            self._json(200, self.console.runtime_config())
        elif path == OIDC + "/.well-known/openid-configuration":
            self._json(200, self.console.discovery(), {"Access-Control-Allow-Origin": "*"})
        elif path == OIDC + "/authorize":
            self._authorize_form(self._query())
        else:
            self._static(path)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == OIDC + "/authorize":
            self._authorize_submit(self._form())
        elif path == OIDC + "/token":
            self._token(self._form())
        else:
            self._send(405, b"", "text/plain")

    # -- static files: an unknown path without a file extension is a screen of the single-page app
    def _static(self, path: str) -> None:
        build = self.console.build.resolve()
        target = (build / path.lstrip("/")).resolve()
        if build not in target.parents and target != build:
            self._send(404, b"not found", "text/plain")
            return
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            if "." in path.rsplit("/", 1)[-1]:
                self._send(404, b"not found", "text/plain")
                return
            page = "field.html" if path.startswith("/field") else "index.html"
            target = build / page
        if not target.is_file():
            self._send(503, b"the console is not built: run `make console`", "text/plain; charset=utf-8")
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith(("json", "javascript")):
            kind += "; charset=utf-8"
        self._send(200, target.read_bytes(), kind)

    # -- OIDC
    def _request_fault(self, params: dict[str, str]) -> str | None:
        if params.get("response_type") != "code":
            return "unsupported_response_type"
        if params.get("client_id") != self.console.config.client_id:
            return "unauthorized_client"
        redirect = params.get("redirect_uri", "")
        # Like the app client's callback URLs: only the console's own origin.
        if not redirect.startswith(self.console.url + "/"):
            return "invalid_request: redirect_uri"
        if params.get("code_challenge_method") != "S256" or len(params.get("code_challenge", "")) < 43:
            return "invalid_request: PKCE (S256) is required"
        return None

    def _authorize_form(self, params: dict[str, str], error: str = "", status: int = 200) -> None:
        fault = self._request_fault(params)
        if fault:
            self._send(400, fault.encode(), "text/plain; charset=utf-8")
            return
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
            if k not in {"username", "password"}
        )
        alert = f'<p role="alert" class="err">{html.escape(error)}</p>' if error else ""
        page = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>登录 Sign in · agritrace</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;background:#f3f6f4;display:grid;place-items:center;
min-height:100vh;margin:0}}form{{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:18rem}}
label{{display:block;margin:.8rem 0 .2rem}}input[type=text],input[type=password]{{width:100%;padding:.5rem;
box-sizing:border-box}}button{{margin-top:1.2rem;width:100%;padding:.6rem;background:#1f6f43;color:#fff;border:0;
border-radius:4px}}.err{{color:#b00020}}small{{color:#667}}</style></head><body>
<form method="post" action="{OIDC}/authorize"><h1>登录 <small>Sign in</small></h1>
<small>本地身份服务（仅本地环境）· Local identity (local stack only)</small>{alert}{hidden}
<label for="username">用户名 Username</label><input id="username" name="username" type="text" autocomplete="username"
value="{html.escape(params.get("username", ""))}" required>
<label for="password">密码 Password</label><input id="password" name="password" type="password"
autocomplete="current-password" required>
<button type="submit">登录 Sign in</button></form></body></html>"""
        self._send(status, page.encode(), "text/html; charset=utf-8")

    def _authorize_submit(self, form: dict[str, str]) -> None:
        fault = self._request_fault(form)
        if fault:
            self._send(400, fault.encode(), "text/plain; charset=utf-8")
            return
        tokens = self.console.sign_in(form.get("username", ""), form.get("password", ""))
        if tokens is None:
            self._authorize_form(form, "用户名或密码错误 · Wrong username or password", HTTPStatus.UNAUTHORIZED)
            return
        code = self.console.issue(
            Grant(
                tokens=tokens,
                client_id=form["client_id"],
                redirect_uri=form["redirect_uri"],
                challenge=form["code_challenge"],
                expires=time.monotonic() + CODE_SECONDS,
            )
        )
        answer = {"code": code, **({"state": form["state"]} if form.get("state") else {})}
        self.send_response(302)
        self.send_header(
            "Location", form["redirect_uri"] + ("&" if "?" in form["redirect_uri"] else "?") + urlencode(answer)
        )
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _token(self, form: dict[str, str]) -> None:
        cors = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}
        if form.get("grant_type") != "authorization_code":
            self._json(400, {"error": "unsupported_grant_type"}, cors)
            return
        grant = self.console.redeem(form.get("code", ""))
        if (
            grant is None
            or grant.client_id != form.get("client_id")
            or grant.redirect_uri != form.get("redirect_uri")
            or _challenge_of(form.get("code_verifier", "")) != grant.challenge
        ):
            self._json(400, {"error": "invalid_grant"}, cors)
            return
        tokens = grant.tokens
        body = {
            "access_token": tokens["AccessToken"],
            "id_token": tokens["IdToken"],
            "token_type": "Bearer",
            "expires_in": tokens.get("ExpiresIn", 3600),
            "scope": SCOPES,
        }
        self._json(200, body, cors)

"""Calling the API as a user, through Chalice's local gateway, with the AWS calls of each request counted."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from chalice.test import Client

from chalicelib.core.api import ROUTES, RouteSpec

from .calls import CallLog


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any
    reads: int
    writes: int

    @property
    def json(self) -> Any:
        return self.body


def route_for(method: str, path: str) -> RouteSpec | None:
    bare = path.split("?", 1)[0]
    for spec in ROUTES:
        pattern = "^" + re.sub(r"{\w+}", "[^/]+", spec.path) + "$"
        if spec.method == method.upper() and re.match(pattern, bare):
            return spec
    return None


class ApiClient:
    def __init__(self, client: Client, calls: CallLog, idempotency_table: str) -> None:
        self.client = client
        self.calls = calls
        self.idempotency_table = idempotency_table
        self.log: list[tuple[str, str, int, int, int]] = []

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        self.calls.reset()
        resp = self.client.http.request(method, path, headers=hdrs, body=payload)
        reads, writes = self.calls.counts(exclude_table=self.idempotency_table)
        text = resp.body.decode() if resp.body else ""
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        headers_lower = {k.lower(): v for k, v in resp.headers.items()}
        self.log.append((method, path, resp.status_code, reads, writes))
        spec = route_for(method, path)
        # Every successful request in every test is held to its route's declared AWS-call budget.
        if spec is not None and resp.status_code < 400:
            assert reads <= spec.budget.reads and writes <= spec.budget.writes, (
                f"{method} {spec.path} made {reads} reads and {writes} writes; its budget is "
                f"{spec.budget.reads} reads and {spec.budget.writes} writes: {self.calls.by_operation()}"
            )
        return Reply(resp.status_code, headers_lower, parsed, reads, writes)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Reply:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> Reply:
        return self.request("PATCH", path, **kw)

    def put(self, path: str, **kw: Any) -> Reply:
        return self.request("PUT", path, **kw)

"""Route tables as data: what each route is, with its handler and models named, resolved on first use.

Every area declares its routes in a `routes.py` of plain data (path, method, roles, summary, the names of
its handler and pydantic models, status, call budget). The API Lambda registers them all at start-up
without importing any area's handlers, services, stores or models: those load when one of the area's
routes is first called. The OpenAPI document, `schemas/` and the authorization matrix test read the same
table (`ROUTES`), resolving the models as they go.

A reference is `"module:attribute"`; a bare name is looked up in the table's own handler or model module.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from typing import Any

PUBLIC: frozenset[str] = frozenset({"*public*"})


class Budget:
    """AWS calls one request of a route may make: reads (Get/Query) and writes."""

    __slots__ = ("reads", "writes")

    def __init__(self, reads: int = 2, writes: int = 3) -> None:
        self.reads = reads
        self.writes = writes

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Budget) and (self.reads, self.writes) == (other.reads, other.writes)

    def __hash__(self) -> int:
        return hash((self.reads, self.writes))

    def __repr__(self) -> str:
        return f"Budget(reads={self.reads}, writes={self.writes})"


def resolve(reference: str) -> Any:
    """The object a `"module:attribute"` reference names, importing its module on first use."""
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


class RouteSpec:
    """One route of the table. `body`, `query`, `response` and `handler` are resolved on first use.

    A plain class, not a dataclass: a table of data must cost next to nothing to import (making a dataclass
    costs about a millisecond at import).
    """

    __slots__ = (
        "_resolved",
        "auth",
        "body_ref",
        "budget",
        "handler_ref",
        "method",
        "path",
        "query_ref",
        "response_ref",
        "roles",
        "scheme",
        "status",
        "summary",
        "tag",
    )

    def __init__(
        self,
        *,
        path: str,
        method: str,
        roles: frozenset[str],
        summary: str,
        tag: str,
        handler_ref: str,
        body_ref: str | None = None,
        query_ref: str | None = None,
        response_ref: str | None = None,
        status: int = 200,
        budget: Budget | None = None,
        auth: str | None = "jwt",  # the authorizer: "jwt" (a person's OIDC token), "instrument", None (public)
        scheme: str = "oidc",  # the OpenAPI security scheme of that authorizer
    ) -> None:
        self.path = path
        self.method = method
        self.roles = roles
        self.summary = summary
        self.tag = tag
        self.handler_ref = handler_ref
        self.body_ref = body_ref
        self.query_ref = query_ref
        self.response_ref = response_ref
        self.status = status
        self.budget = budget or Budget()
        self.auth = auth
        self.scheme = scheme
        self._resolved: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"RouteSpec({self.method} {self.path} -> {self.handler_ref})"

    @property
    def name(self) -> str:
        return f"{self.tag}_{self.handler_ref.rpartition(':')[2]}"

    @property
    def public(self) -> bool:
        return self.roles is PUBLIC

    @property
    def writes(self) -> bool:
        return self.method in {"POST", "PUT", "PATCH", "DELETE"}

    def _get(self, what: str, reference: str | None) -> Any:
        if reference is None:
            return None
        if what not in self._resolved:
            self._resolved[what] = resolve(reference)
        return self._resolved[what]

    @property
    def handler(self) -> Any:
        return self._get("handler", self.handler_ref)

    @property
    def body(self) -> Any:
        return self._get("body", self.body_ref)

    @property
    def query(self) -> Any:
        return self._get("query", self.query_ref)

    @property
    def response(self) -> Any:
        return self._get("response", self.response_ref)


ROUTES: list[RouteSpec] = []


class Table:
    """The routes of one business area: `table.route(method, path, handler name, roles=…, summary=…, …)`."""

    def __init__(self, tag: str, *, handlers: str, models: str, auth: str | None = "jwt", scheme: str = "oidc") -> None:
        self.tag = tag
        self.handlers = handlers
        self.models = models
        self.auth = auth
        self.scheme = scheme

    def _model(self, name: str | None) -> str | None:
        if name is None:
            return None
        return name if ":" in name else f"{self.models}:{name}"

    def route(
        self,
        method: str,
        path: str,
        handler: str,
        *,
        roles: Collection[str],
        summary: str,
        body: str | None = None,
        query: str | None = None,
        response: str | None = None,
        status: int = 200,
        budget: Budget | None = None,
    ) -> RouteSpec:
        public = roles is PUBLIC
        spec = RouteSpec(
            path=path,
            method=method.upper(),
            roles=PUBLIC if public else frozenset(roles),
            summary=summary,
            tag=self.tag,
            handler_ref=handler if ":" in handler else f"{self.handlers}:{handler}",
            body_ref=self._model(body),
            query_ref=self._model(query),
            response_ref=self._model(response),
            status=status,
            budget=budget,
            auth=None if public else self.auth,
            scheme=self.scheme,
        )
        if not public and not spec.roles:
            raise ValueError(f"{spec.method} {path} declares no roles: routes are deny-by-default")
        if not public and spec.auth is None:
            raise ValueError(f"{spec.method} {path} has roles but its table has no authorizer")
        ROUTES.append(spec)
        return spec

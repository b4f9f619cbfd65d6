"""The route layer: registers the route tables; per request: parse, authorize, run one handler, map errors once."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from chalice import Chalice, Response

from . import cors
from .access import Principal, require_roles
from .errors import (
    UNSTORABLE,
    DomainError,
    PayloadTooLarge,
    Unprocessable,
    UnsupportedMediaType,
    ValidationFailed,
)
from .observability import record_request
from .routes import PUBLIC, ROUTES, Budget, RouteSpec

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

__all__ = ["PUBLIC", "ROUTES", "Budget", "RequestContext", "RouteSpec", "Status", "register"]

logger = Logger(service="agritrace")

MAX_BODY_BYTES = 6 * 1024 * 1024
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_PUBLIC_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{26,128}$")  # a ULID or a UUID, at least
_BODY_TYPES = [
    "application/json",
    "application/problem+json",
    "text/plain",
    "application/octet-stream",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/xml",
]


class RequestContext:
    """What a route handler gets: who asks, the parsed body and query, and the request's id."""

    __slots__ = ("body", "headers", "principal", "query", "request_id", "source_ip")

    def __init__(
        self,
        *,
        principal: Principal | None,
        body: Any,
        query: Any,
        request_id: str,
        headers: dict[str, str],
        source_ip: str = "",
    ) -> None:
        self.principal = principal
        self.body = body
        self.query = query
        self.request_id = request_id
        self.headers = headers
        # API Gateway's view of the caller (not a header the caller can set): public routes limit by it.
        self.source_ip = source_ip

    @property
    def user(self) -> Principal:
        assert self.principal is not None, "public routes have no principal"
        return self.principal


def _problem(error: DomainError, request_id: str) -> Response:
    return Response(
        body=json.dumps(error.problem(instance=f"urn:request:{request_id}"), ensure_ascii=False),
        status_code=error.status,
        headers={"Content-Type": "application/problem+json", "X-Request-Id": request_id},
    )


def _field_errors(exc: ValidationError, where: str) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in (where, *err["loc"]) if p != ""), "message": err["msg"]}
        for err in exc.errors(include_url=False, include_input=False)
    ]


def _parse(model: type[BaseModel] | None, data: Any, where: str) -> Any:
    if model is None:
        return None
    from pydantic import ValidationError  # loaded with the first route that has a model, not at start-up

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = _field_errors(exc, where)
        # Every fault a number the schema allows and DynamoDB cannot hold: a rule the schema does not state.
        if all(err["type"] == UNSTORABLE for err in exc.errors(include_url=False, include_input=False)):
            raise Unprocessable(f"the {where} holds a number that cannot be stored", errors=errors) from None
        raise ValidationFailed(f"the {where} is not valid", errors=errors) from None


def _read_body(request: Any) -> Any:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"at most {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        return {}
    content_type = (request.headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    if content_type not in ("application/json", "application/problem+json"):
        raise UnsupportedMediaType("send the body as application/json")
    from . import jsonbody  # with the first write, not at start-up

    return jsonbody.loads(raw)


class Status:
    """A handler's answer with another status than its route's usual one (a resend answered 200, not 201)."""

    __slots__ = ("body", "code")

    def __init__(self, body: BaseModel, code: int) -> None:
        self.body = body
        self.code = code


def _render(result: Any, status: int, request_id: str, extra_headers: dict[str, str] | None = None) -> Response:
    if isinstance(result, Status):
        result, status = result.body, result.code
    if isinstance(result, Response):
        result.headers = {**(result.headers or {}), "X-Request-Id": request_id}
        return result
    body = result.model_dump(mode="json", by_alias=True) if hasattr(result, "model_dump") else result
    return Response(
        body="" if body is None else json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Request-Id": request_id,
            **(extra_headers or {}),
        },
    )


def _serialize(result: Any) -> Any:
    if hasattr(result, "model_dump"):
        return result.model_dump(mode="json", by_alias=True)
    return result


def _new_request_id() -> str:
    import uuid  # rarely needed (API Gateway gives every request an id), and it imports `platform`

    return str(uuid.uuid4())


def register(app: Chalice, routes: list[RouteSpec], authorizers: Mapping[str, Any]) -> None:
    """One Chalice view per route of the tables; a view resolves its handler and models on its first call."""
    for spec in routes:
        app.route(
            spec.path,
            methods=[spec.method],
            authorizer=None if spec.auth is None else authorizers[spec.auth],
            content_types=_BODY_TYPES,
            name=spec.name,
        )(_view(app, spec))
    # A browser asks before a cross-origin call with a token or JSON: one public OPTIONS view per path.
    methods: dict[str, list[str]] = {}
    for spec in routes:
        methods.setdefault(spec.path, []).append(spec.method)
    for number, (path, allowed) in enumerate(methods.items()):
        app.route(path, methods=["OPTIONS"], name=f"preflight_{number}")(_preflight(app, allowed))


def _preflight(app: Chalice, methods: list[str]) -> Any:
    def preflight(**params: str) -> Response:
        request = app.current_request
        assert request is not None, "Chalice sets the request before calling a view"
        origin = cors.allowed_origin(request.headers or {})
        # Another origin gets no CORS headers: its browser then refuses to send the call.
        headers: dict[str, str | list[str]] = {**cors.preflight_headers(origin, methods)} if origin else {}
        return Response(body="", status_code=204, headers=headers)

    return preflight


def _view(app: Chalice, spec: RouteSpec) -> Any:
    def view(**params: str) -> Response:
        return dispatch(app, spec, params)

    view.__name__ = spec.name
    return view


def dispatch(app: Chalice, spec: RouteSpec, params: dict[str, str]) -> Response:
    started = time.perf_counter()
    response = _dispatch(app, spec, params)
    request = app.current_request
    origin = cors.allowed_origin(request.headers or {}) if request is not None else None
    if origin:
        response.headers = {**(response.headers or {}), **cors.response_headers(origin)}
    record_request(f"{spec.method} {spec.path}", response.status_code, (time.perf_counter() - started) * 1000)
    return response


def _dispatch(app: Chalice, spec: RouteSpec, params: dict[str, str]) -> Response:
    request = app.current_request
    assert request is not None, "Chalice sets the request before calling a view"
    headers = {k.lower(): v for k, v in (request.headers or {}).items()}
    incoming = headers.get("x-request-id", "")
    request_id = (
        incoming if _REQUEST_ID.match(incoming) else ((request.context or {}).get("requestId") or _new_request_id())
    )
    logger.append_keys(request_id=request_id, route=f"{spec.method} {spec.path}")
    try:
        principal = None
        handler = spec.handler
        if not spec.public:
            principal = Principal.from_context((request.context or {}).get("authorizer") or {})
            require_roles(principal, spec.roles)
        raw_body = _read_body(request) if spec.writes else None
        ctx = RequestContext(
            principal=principal,
            body=_parse(spec.body, raw_body, "body"),
            query=_parse(spec.query, dict(request.query_params or {}), "query"),
            request_id=request_id,
            headers=headers,
            source_ip=str(((request.context or {}).get("identity") or {}).get("sourceIp") or ""),
        )

        def work() -> dict[str, Any]:
            result = handler(ctx, **params)
            if isinstance(result, Status):
                return {"status": result.code, "body": _serialize(result.body)}
            return {"status": spec.status, "body": _serialize(result)}

        key = headers.get("idempotency-key")
        if spec.writes and key is not None:
            # Without a sign-in, the key alone names the request (with its body): it must be too long to guess,
            # since a replay answers what the first request got (a public filing's tracking secret).
            pattern = _IDEMPOTENCY_KEY if principal is not None else _PUBLIC_IDEMPOTENCY_KEY
            if not pattern.match(key):
                raise ValidationFailed(
                    "Idempotency-Key must be 8-128 letters, digits or ._:- (26-128 without signing in)",
                    errors=[{"field": "Idempotency-Key", "message": "invalid"}],
                )
            from .idempotency import run_once  # Powertools idempotency: loaded by the first keyed write

            outcome, replayed = run_once(
                key=key,
                user=principal.user_id if principal is not None else "public",
                route=f"{spec.method} {request.path}",
                body=raw_body,
                lambda_context=getattr(app, "lambda_context", None),
                work=work,
            )
            extra = {"Idempotent-Replayed": "true"} if replayed else None
            return _render(outcome["body"], outcome["status"], request_id, extra)
        result = handler(ctx, **params)
        return _render(result, spec.status, request_id)
    except DomainError as exc:
        if exc.status >= 500:
            logger.warning("dependency failure", extra={"detail": exc.detail})
        return _problem(exc, request_id)
    except Exception:  # noqa: BLE001 - a bug must still answer in problem+json, and be logged
        import traceback

        logger.error("unhandled error", extra={"trace": traceback.format_exc()})
        body = {
            "type": "about:blank",
            "title": "服务器内部错误 / Internal error",
            "status": 500,
            "instance": f"urn:request:{request_id}",
        }
        return Response(
            body=json.dumps(body, ensure_ascii=False),
            status_code=500,
            headers={"Content-Type": "application/problem+json", "X-Request-Id": request_id},
        )

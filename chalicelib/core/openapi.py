"""The OpenAPI 3.1 document, built from the route registry and its pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from .api import ROUTES, RouteSpec
from .errors import PROBLEM_BASE

REF = "#/components/schemas/{model}"
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}},
        },
    },
}


class StandardJsonSchema(GenerateJsonSchema):
    """pydantic's JSON Schema, with a decimal's digits stated in standard keywords.

    JSON Schema has no `max_digits` or `decimal_places`: pydantic drops them from a decimal (or, for a `Field`
    after a validator, writes them under its own names, which OpenAPI tools refuse; so models put them first).
    A decimal in a request is a number or a string: the number's bounds say how many digits may stand before
    the point, the string's pattern (pydantic's own) says that and how many may follow it. A float cannot say
    its decimal places (`multipleOf: 1e-9` refuses 0.03: 0.03 / 1e-9 is no integer in binary), so for numbers
    the places go unstated.
    """

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        json_schema = super().decimal_schema(schema)
        digits, places = schema.get("max_digits"), schema.get("decimal_places")
        whole = None if digits is None else digits - (places or 0)
        if whole is not None and self.mode == "validation":
            number = json_schema["anyOf"][0]
            if not {"maximum", "exclusiveMaximum"} & number.keys():
                number["exclusiveMaximum"] = 10**whole
            if not {"minimum", "exclusiveMinimum"} & number.keys():
                number["exclusiveMinimum"] = -(10**whole)
        return json_schema

    def get_decimal_pattern(self, schema: core_schema.DecimalSchema) -> str | None:
        pattern = self.build_decimal_pattern(schema)
        lower = schema.get("ge", schema.get("gt"))
        if lower is not None and lower >= 0:
            # no minus sign before a digit other than 0: "-0" is zero, "-0.5" is not allowed
            pattern = "^(?!-[0-9.]*[1-9])" + pattern.removeprefix("^")
        return pattern


def models() -> list[type[BaseModel]]:
    """The request and response models of every route, by name: a name is a schema's, so it names one model."""
    seen: dict[str, type[BaseModel]] = {}
    for spec in ROUTES:
        for model in (spec.body, spec.response):
            if model is None:
                continue
            other = seen.setdefault(model.__name__, model)
            if other is not model:
                raise ValueError(
                    f"two models named {model.__name__} ({other.__module__}, {model.__module__}): one schema name"
                )
    return sorted(seen.values(), key=lambda m: m.__name__)


def component_schemas() -> dict[str, Any]:
    pairs = [(m, "validation" if m in _bodies() else "serialization") for m in models()]
    _, defs = models_json_schema(pairs, ref_template=REF, schema_generator=StandardJsonSchema)  # type: ignore[arg-type]
    schemas = defs.get("$defs", {})
    # pydantic names two nested models of one name by their modules (a__b__Name): client generators refuse that.
    if clashes := sorted(name for name in schemas if "__" in name):
        raise ValueError(f"models of one name in different modules: {', '.join(clashes)}")
    return dict(sorted(schemas.items()))


def _bodies() -> set[type[BaseModel]]:
    return {s.body for s in ROUTES if s.body is not None}


# The repository has no LICENSE file: the code and this API are not licensed to others (npm's "UNLICENSED").
LICENSE = {"name": "Proprietary: no licence is granted (all rights reserved)", "identifier": "LicenseRef-Proprietary"}
# Where the API answers; this document is served by the API itself (GET /openapi.json) at either.
SERVERS = [
    {
        "url": "https://{domain}",
        "description": "A deployment, on the custom domain its PublicBaseUrl names (docs/deploy.md)",
        "variables": {"domain": {"default": "trace.example.cn", "description": "the deployment's domain"}},
    },
    {"url": "http://127.0.0.1:8000", "description": "The local stack (make run; another port with LOCAL_API_PORT)"},
]

ULID_SCHEMA = {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$"}
# Path parameters by name; a record id is a ULID unless said otherwise.
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "code": {"type": "string", "pattern": "^(\\d{6}|\\d{9})$"},
    "day": {"type": "string", "format": "date"},
    "template_code": {"type": "string", "pattern": "^[A-Z][A-Z0-9-]{1,39}$"},
    "number": {"type": "string", "pattern": "^[1-9][0-9]{0,3}$", "description": "a template's version number"},
    "trace_code": {"type": "string", "minLength": 1, "maxLength": 2048},
    "user_id": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[A-Za-z0-9._:@-]+$"},
    # an assignment is its task's, role's and lab's: <task ULID>.<lead|unit>.<lab ULID>
    "assignment_id": {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}\\.(lead|unit)\\.[0-9A-HJKMNP-TV-Z]{26}$"},
}


def _parameters(spec: RouteSpec) -> list[dict[str, Any]]:
    params = [
        {"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS.get(name, ULID_SCHEMA)}
        for name in re.findall(r"{(\w+)}", spec.path)
    ]
    if spec.query is not None:
        schema = spec.query.model_json_schema(ref_template=REF, schema_generator=StandardJsonSchema)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            prop = {k: v for k, v in prop.items() if k != "title"}
            params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    if spec.writes:
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{8,128}$"},
                "description": "retry safely: the same key and body give the same answer",
            }
        )
    return params


def _responses(spec: RouteSpec) -> dict[str, Any]:
    problem = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    ok: dict[str, Any] = {"description": "OK"}
    if spec.response is not None:
        ok["content"] = {"application/json": {"schema": {"$ref": REF.format(model=spec.response.__name__)}}}
    responses: dict[str, Any] = {str(spec.status): ok, "400": {"description": "Invalid request", "content": problem}}
    responses["404"] = {"description": "Not found (or not in your jurisdiction)", "content": problem}
    if not spec.public:
        responses |= {"401": {"description": "No valid token"}, "403": {"description": "Role not allowed"}}
    responses["422"] = {
        "description": "Well-formed but against a platform rule, or an Idempotency-Key reused with another body",
        "content": problem,
    }
    if spec.writes:
        responses |= {
            "409": {"description": "Conflict or wrong state", "content": problem},
            "413": {"description": "Too large", "content": problem},
        }
    return responses


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for spec in ROUTES:
        op: dict[str, Any] = {
            "operationId": spec.name,
            "summary": spec.summary,
            "tags": [spec.tag],
            "parameters": _parameters(spec),
            "responses": _responses(spec),
            "x-roles": "public" if spec.public else sorted(spec.roles),
            "x-aws-call-budget": {"reads": spec.budget.reads, "writes": spec.budget.writes},
        }
        if spec.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": REF.format(model=spec.body.__name__)}}},
            }
        # Every operation states its security; a public one states that it needs none.
        op["security"] = [] if spec.public else [{spec.scheme: []}]
        paths.setdefault(spec.path, {})[spec.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "agritrace API",
            "version": "1.0.0",
            "description": "Supervision, monitoring and enforcement (监管、监测、执法) of the national "
            "agricultural product quality-safety traceability platform. Errors: " + PROBLEM_BASE,
            "license": LICENSE,
        },
        "servers": SERVERS,
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {**component_schemas(), "Problem": PROBLEM_SCHEMA},
            "securitySchemes": {
                "oidc": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "instrument": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "a lab instrument's key: `Instrument <key id>.<secret>`",
                },
            },
        },
    }

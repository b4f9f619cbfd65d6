"""Whatever bytes a client sends to a write route, the answer is a 4xx problem+json naming what is wrong.

Both tests run over the route table, so a route added later is covered without a line here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import app  # noqa: F401 - registers every route
from chalicelib.core.api import ROUTES, RouteSpec
from tests.support.world import World

WRITES = [spec for spec in ROUTES if spec.writes]
SOME_ID = "01JAAAAAAAAAAAAAAAAAAAAAAA"

NASTY_BODIES = {
    "nested 10,000 arrays deep": b"[" * 10_000 + b"]" * 10_000,
    "nested 10,000 objects deep": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "nested 40 levels deep": b'{"a":' * 40 + b"1" + b"}" * 40,
    "invalid UTF-8": b'{"name": "\xff\xfe\xfd"}',
    "a lone surrogate": b'{"name": "\\ud800"}',
    "NaN": b'{"quantity": NaN}',
    "Infinity": b'{"quantity": -Infinity}',
    "a float too large for a double": b'{"quantity": 1e999}',
    "an integer of 5,000 digits": b'{"quantity": ' + b"9" * 5000 + b"}",
    "a key given twice": b'{"name": "a", "name": "b"}',
    "truncated": b'{"name": "a',
}

# What DynamoDB cannot store: below 1e-130, above 9.99e125, more than 38 significant digits.
UNSTORABLE = {
    "5e-324": b"5e-324",
    "1e126": b"1e126",
    "1e-131": b"1e-131",
    "39 digits": b"123456789012345678901234567890123456789",
}


def _path(spec: RouteSpec) -> str:
    path = spec.path
    while "{" in path:
        start = path.index("{")
        path = path[:start] + SOME_ID + path[path.index("}", start) + 1 :]
    return path


@pytest.fixture(scope="module")
def instrument(api, world: World) -> dict[str, str]:
    issued = api.post("/instrument-keys", token=world.token("sd-lab-manager"), body={"name": "GC-MS 7890B #1"})
    assert issued.status == 201, issued.body
    return {"Authorization": issued.body["authorization"]}


def _send(api: Any, world: World, instrument: dict[str, str], spec: RouteSpec, raw: bytes) -> Any:
    """The request as someone the route admits would send it: a user of an allowed role, or a lab instrument."""
    if spec.public:
        return api.request(spec.method, _path(spec), raw=raw)
    if spec.scheme == "instrument":
        return api.request(spec.method, _path(spec), raw=raw, headers=instrument)
    user = next(name for name, view in world.users.items() if set(view.roles) & spec.roles)
    return api.request(spec.method, _path(spec), token=world.token(user), raw=raw)


def _id(spec: RouteSpec) -> str:
    return f"{spec.method} {spec.path}"


def _problem(reply: Any) -> None:
    assert reply.headers["content-type"] == "application/problem+json", reply.body
    assert reply.body["status"] == reply.status


@pytest.mark.parametrize("spec", WRITES, ids=_id)
def test_a_malformed_body_is_400_on_body(api, world: World, instrument, spec: RouteSpec):
    # Given a user allowed the route, when they send each malformed body, then each is a 400 naming `body`.
    for what, raw in NASTY_BODIES.items():
        reply = _send(api, world, instrument, spec, raw)
        assert reply.status == 400, (what, reply.status, reply.body)
        _problem(reply)
        assert [e["field"] for e in reply.body["errors"]] == ["body"], (what, reply.body)


Builder = Callable[[Any], Any]


def _number_fields(schema: dict, defs: dict, build: Builder, at: tuple[str, ...]) -> Iterator[tuple[tuple, Builder]]:
    """Every number in a request schema: its path, and how to make a body that holds a value there."""
    if "$ref" in schema:
        yield from _number_fields(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, build, at)
        return
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from _number_fields(branch, defs, build, at)
    kind = schema.get("type")
    if kind in ("number", "integer"):
        yield at, build
    elif kind == "array":
        yield from _number_fields(schema.get("items", {}), defs, lambda v, b=build: b([v]), (*at, "0"))
    elif kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        # A tagged union's branch is chosen by its tag: the body carries every constant of the branch.
        tags = {name: sub["const"] for name, sub in properties.items() if "const" in sub}
        for name, sub in properties.items():
            yield from _number_fields(sub, defs, lambda v, b=build, n=name: b({**tags, n: v}), (*at, name))


def _numbered_routes() -> list[tuple[RouteSpec, tuple, Builder]]:
    found = []
    for spec in WRITES:
        if spec.body is None:
            continue
        schema = spec.body.model_json_schema()
        for at, build in _number_fields(schema, schema.get("$defs", {}), lambda v: v, ()):
            found.append((spec, at, build))
    return found


NUMBERED = _numbered_routes()


def test_the_number_fields_are_found():
    # The walk below would pass vacuously if it found nothing: it finds the fields a reader knows are there.
    fields = {(spec.path, ".".join(at)) for spec, at, _ in NUMBERED}
    assert ("/products/{product_id}/batches", "quantity") in fields
    assert ("/results", "results.0.value") in fields
    assert ("/monitoring-tasks/{task_id}/model", "items.0.limit.value") in fields
    assert ("/cases/{case_id}/result", "penalty.amount_yuan") in fields
    assert len(fields) >= 60


def _names(field: str, at: tuple) -> bool:
    # pydantic puts a tagged union's tag in the location (`limit.max.value`): the path must be in it, in order.
    parts = iter(field.split("."))
    return field.startswith("body.") and all(step in parts for step in at)


@pytest.mark.parametrize(
    ("spec", "at", "build"), NUMBERED, ids=[f"{_id(spec)} {'.'.join(at)}" for spec, at, _ in NUMBERED]
)
def test_a_number_dynamodb_cannot_store_is_refused_naming_the_field(api, world: World, instrument, spec, at, build):
    # Given a body holding the number at one field, when it is sent, then the answer is a 4xx naming that field.
    marker = "__number__"
    for what, number in UNSTORABLE.items():
        raw = json.dumps(build(marker)).encode().replace(f'"{marker}"'.encode(), number)
        reply = _send(api, world, instrument, spec, raw)
        assert 400 <= reply.status < 500, (what, reply.status, reply.body)
        _problem(reply)
        named = [e["field"] for e in reply.body.get("errors", []) if _names(e["field"], at)]
        assert named, (what, ".".join(at), reply.body)

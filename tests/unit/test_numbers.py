"""Every number a request carries is one of the shared storable types, so DynamoDB can hold whatever passes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, get_args, get_origin

import pytest
from pydantic import BaseModel, ValidationError

import app  # noqa: F401 - registers every route
from chalicelib.core.api import ROUTES
from chalicelib.core.models import STORABLE, Exact, Integer, Number, Strict

NUMBERS = (int, float, Decimal)


def _unshared(annotation: Any, metadata: list[Any], where: str, seen: set[type]) -> list[str]:
    """The places under `annotation` where a number is not of a shared storable type."""
    if get_origin(annotation) is Annotated:
        inner, *extra = get_args(annotation)
        return _unshared(inner, [*metadata, *extra], where, seen)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return []
        seen.add(annotation)
        return [
            problem
            for name, field in annotation.model_fields.items()
            for problem in _unshared(field.annotation, list(field.metadata), f"{annotation.__name__}.{name}", seen)
        ]
    if annotation in NUMBERS and annotation is not bool:
        return [] if STORABLE in metadata else [where]
    # A union or a container: its members keep the metadata only when they are Annotated themselves.
    return [problem for arg in get_args(annotation) for problem in _unshared(arg, [], where, seen)]


def test_every_number_of_every_request_model_is_a_shared_storable_type():
    seen: set[type] = set()
    problems = [
        problem
        for spec in ROUTES
        for model in (spec.body, spec.query)
        if model is not None
        for problem in _unshared(model, [], model.__name__, seen)
    ]
    assert len(seen) > 30, "the walk must reach the request models"
    assert problems == []


def test_a_bare_number_field_would_be_found():
    class Careless(Strict):
        count: int
        ratio: float | None = None
        fine: Integer = 1

    assert _unshared(Careless, [], "Careless", set()) == ["Careless.count", "Careless.ratio"]


class Probe(Strict):
    whole: Integer = 0
    real: Number = 0
    exact: Exact = Decimal(0)


@pytest.mark.parametrize("field", ["whole", "real", "exact"])
@pytest.mark.parametrize("value", [5e-324, 1e-131, 1e126, -1e126, 123456789012345678901234567890123456789, 10**38])
def test_numbers_dynamodb_cannot_hold_are_refused(field: str, value: Any):
    if field == "whole" and isinstance(value, float):
        pytest.skip("not an integer")
    with pytest.raises(ValidationError) as caught:
        Probe.model_validate({field: value})
    assert caught.value.errors()[0]["loc"] == (field,)


@pytest.mark.parametrize("value", [0, 1, -1, 1e-130, 9.99e125, 12345678901234567890123456789012345678, 0.1])
def test_numbers_dynamodb_holds_pass(value: Any):
    assert Probe.model_validate({"real": value}).real == float(value)
    assert Probe.model_validate({"exact": value}).exact == Decimal(str(value))

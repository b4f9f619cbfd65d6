"""Shared request and response shapes: pages, field types."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from .errors import UNSTORABLE

RegionCode = Annotated[str, StringConstraints(pattern=r"^(\d{6}|\d{9})$")]
Ulid = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]  # hex, lower case
# Free text must hold more than spaces (a schema pattern says so, unanchored); it is stored trimmed.
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"\S"), AfterValidator(str.strip)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=5000, pattern=r"\S"), AfterValidator(str.strip)]
Note = Annotated[str, StringConstraints(max_length=2000), AfterValidator(str.strip)]
Filename = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[^/\\\x00-\x1f]*[^/\\\s][^/\\\x00-\x1f]*$"),
    AfterValidator(str.strip),
]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

_N = TypeVar("_N", bound=int | float | Decimal)
# What a DynamoDB number can be: zero, or 1e-130 to 9.9999999999999999999999999999999999999e125 in magnitude,
# with at most 38 significant digits. A number outside it passes JSON Schema and fails at the table.
_SMALLEST = Decimal("1e-130")
_LARGEST = Decimal("9.9999999999999999999999999999999999999e125")
_DIGITS = 38


def _storable(value: _N) -> _N:
    number = Decimal(str(value))  # a float's str is its shortest round-tripping decimal
    if number and not _SMALLEST <= abs(number) <= _LARGEST:
        raise PydanticCustomError(
            UNSTORABLE, "the number is too small or too large to store (1e-130 to 9.99e125, or 0)"
        )
    if len(number.as_tuple().digits) > _DIGITS:
        raise PydanticCustomError(UNSTORABLE, f"the number has more than {_DIGITS} significant digits")
    return value


def _storable_input(value: object) -> object:
    # An integer of 39 digits would become a float that rounds it: refused as given, not stored rounded.
    return _storable(value) if isinstance(value, int | float | Decimal) and not isinstance(value, bool) else value


# Every number a request carries is one of these (tests/unit/test_numbers.py holds every request model to it):
# each field adds its own bounds with `Field(...)`; the shared check keeps any value the bounds allow storable.
# An optional number is written `Annotated[float, Field(<bounds>), STORABLE] | None`: bounds given after the
# validator, or on the union, would reach JSON Schema as pydantic's own keywords (`gt`, `le`), not as standard ones.
STORABLE = AfterValidator(_storable)
Integer = Annotated[int, STORABLE]
Number = Annotated[float, BeforeValidator(_storable_input), STORABLE]
Exact = Annotated[Decimal, STORABLE]


def _real_day(value: str) -> str:
    date.fromisoformat(value)  # 2026-02-30 matches the pattern but is no day
    return value


# A calendar day, YYYY-MM-DD only (pydantic's own date type would also take "0" as 1970-01-01).
IsoDay = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"),
    AfterValidator(_real_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9]{5,20}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,24}$")]


class View(BaseModel):
    """Responses. Validators are built on first use, not at import: it keeps the Lambdas' cold start short."""

    model_config = ConfigDict(defer_build=True)


class Strict(BaseModel):
    """Requests reject unknown fields: a typo is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class PageQuery(Strict):
    limit: Integer = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2048)


class VersionedRequest(Strict):
    """A state change of a record read at a version: a stale version is a 409, never a silent overwrite."""

    version: Integer = Field(ge=0, strict=True, description="the version you read")


class ReasonRequest(Strict):
    version: Integer = Field(ge=0, strict=True, description="the version you read")
    reason: Name

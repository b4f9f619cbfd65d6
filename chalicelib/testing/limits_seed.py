"""The packaged seed of the limit library (限量库): a real, sourced subset of GB 2763, one row per edition.

The file is `data/gb2763.json` beside this module, so it ships inside `chalicelib/` with the Lambda. It is read
once and checked whole: a bad row is an error at load, never a limit that quietly judges wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any

from .judgement import Limit, Operator, normalize_unit

_PRODUCT_CODE = re.compile(r"^\d{2,12}$")  # the platform's product category code (农产品分类代码)
_ANALYTE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # English common name, lower case, hyphens for spaces
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_TEXT = 200  # the library's records take names and sources of at most 200 characters
_TEXT_FIELDS = ("commodity_code", "commodity", "commodity_en", "analyte", "analyte_zh", "unit", "standard", "source")


class SeedError(ValueError):
    """The seed file is malformed; the message names the row and the field."""


@dataclass(frozen=True, slots=True)
class SeedLimit:
    """One limit value (限量值) of one edition of a standard, for one commodity and analyte."""

    commodity_code: str
    commodity: str
    commodity_en: str
    analyte: str
    analyte_zh: str
    operator: Operator
    value: Decimal
    unit: str
    standard: str
    effective_from: str  # ISO day, as the library's records and requests keep it
    source: str
    note: str = ""

    @property
    def limit(self) -> Limit:
        return Limit(self.operator, self.unit, value=self.value)


@dataclass(frozen=True, slots=True)
class Edition:
    """An edition of the standard and the day it came into force."""

    standard: str
    effective_from: str
    source: str


def load_seed() -> list[SeedLimit]:
    """Every row of the packaged seed, in file order (a fresh list; the parsed file is cached)."""
    return list(_seed()[1])


def seed_editions() -> list[Edition]:
    """The editions the seed knows of, including any whose values are not in it yet."""
    return list(_seed()[0])


@lru_cache(maxsize=1)
def _seed() -> tuple[tuple[Edition, ...], tuple[SeedLimit, ...]]:
    text = (resources.files("chalicelib.testing") / "data" / "gb2763.json").read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedError(f"gb2763.json is not JSON: {exc}") from exc
    editions, rows = parse_seed(data)
    return tuple(editions), tuple(rows)


def parse_seed(data: Any) -> tuple[list[Edition], list[SeedLimit]]:
    """Check a whole seed document and return its editions and rows; raises SeedError on the first problem."""
    if not isinstance(data, dict):
        raise SeedError("the seed must be a JSON object")
    for key in ("library", "commodity_codes_source"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise SeedError(f"the seed needs a non-empty {key!r}")
    editions = [_edition(i, e) for i, e in enumerate(_list(data, "editions"))]
    known = {e.standard: e for e in editions}
    if len(known) != len(editions):
        raise SeedError("an edition is listed twice")
    rows = [_row(i, r) for i, r in enumerate(_list(data, "rows"))]
    seen: set[tuple[str, str, str]] = set()
    for index, row in enumerate(rows):
        where = f"row {index} ({row.commodity}/{row.analyte}/{row.standard})"
        edition = known.get(row.standard)
        if edition is None:
            raise SeedError(f"{where}: {row.standard!r} is not among the editions")
        if edition.effective_from != row.effective_from:
            raise SeedError(
                f"{where}: {row.standard} came into force on {edition.effective_from}, not {row.effective_from}"
            )
        pair = (row.commodity, row.analyte, row.standard)
        if pair in seen:
            raise SeedError(f"{where}: the same commodity, analyte and edition twice")
        seen.add(pair)
    return editions, rows


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise SeedError(f"the seed needs a non-empty list {key!r}")
    return value


def _day(where: str, value: Any) -> str:
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        raise SeedError(f"{where}: effective_from must be an ISO day (YYYY-MM-DD), got {value!r}")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise SeedError(f"{where}: effective_from {value!r} is not a real day") from None
    return value


def _edition(index: int, raw: Any) -> Edition:
    where = f"edition {index}"
    if not isinstance(raw, dict):
        raise SeedError(f"{where}: must be an object")
    for key in ("standard", "source"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise SeedError(f"{where}: needs a non-empty {key!r}")
    return Edition(raw["standard"].strip(), _day(where, raw.get("effective_from")), raw["source"].strip())


def _row(index: int, raw: Any) -> SeedLimit:
    where = f"row {index}"
    if not isinstance(raw, dict):
        raise SeedError(f"{where}: must be an object")
    text: dict[str, str] = {}
    for key in _TEXT_FIELDS:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise SeedError(f"{where}: needs a non-empty {key!r}")
        text[key] = value.strip()
        if len(text[key]) > _MAX_TEXT:
            raise SeedError(f"{where}: {key} is longer than {_MAX_TEXT} characters")
    if not _PRODUCT_CODE.match(text["commodity_code"]):
        raise SeedError(f"{where}: commodity_code {text['commodity_code']!r} is not 2-12 digits")
    if not _ANALYTE.match(text["analyte"]):
        raise SeedError(f"{where}: analyte {text['analyte']!r} is not a lower-case code like 'chlorpyrifos'")
    try:
        operator = Operator(str(raw.get("operator")))
    except ValueError:
        raise SeedError(f"{where}: unknown operator {raw.get('operator')!r}") from None
    if operator == Operator.RANGE:
        raise SeedError(f"{where}: the seed holds one-value limits; a range has no single value")
    value = raw.get("value")
    # A string keeps the decimal exact; a JSON number would pass through a float first.
    if not isinstance(value, str):
        raise SeedError(f'{where}: value must be a string such as "0.02", got {value!r}')
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise SeedError(f"{where}: value {value!r} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise SeedError(f"{where}: value {value!r} must be a finite number, zero or more")
    note = raw.get("note", "")
    if not isinstance(note, str):
        raise SeedError(f"{where}: note must be text")
    row = SeedLimit(
        commodity_code=text["commodity_code"],
        commodity=text["commodity"],
        commodity_en=text["commodity_en"],
        analyte=text["analyte"],
        analyte_zh=text["analyte_zh"],
        operator=operator,
        value=amount,
        unit=normalize_unit(text["unit"]),
        standard=text["standard"],
        effective_from=_day(where, raw.get("effective_from")),
        source=text["source"],
        note=note.strip(),
    )
    try:
        _ = row.limit  # building the limit runs its own checks
    except ValueError as exc:
        raise SeedError(f"{where}: {exc}") from None
    return row

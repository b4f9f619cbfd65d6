"""Judgement (判定) of one lab result against its limit (限量值): pure rules on exact decimals, no AWS.

How a result is judged, in the order the checks run:

1. The unit must be the item's unit. Spellings are normalised ("MG/KG", "mg·kg⁻¹" → "mg/kg"), but units are
   never converted: a lab that measured in μg/kg re-enters the result in the model's unit (mg/kg), so the
   number on the report is the number that was judged.
2. Not detected (未检出, "ND") means below the method's detection limit. It is judged as if it were zero:
   against a maximum (LE, LT) it passes and the outcome is NOT_DETECTED; against a minimum (GE, GT, or a
   range whose lower end is above zero) zero fails, so a missing nutrient or active ingredient is UNQUALIFIED.
   A not-detected result carries no value; a value with detected=False is a contradiction and is refused.
3. A detected value below the limit of quantification (LOQ) is reported as "<LOQ(x)". Against a maximum it
   is BELOW_LOQ, which counts as qualified: an item spec cannot have an LOQ above a maximum limit (see
   ItemSpec), so anything under the LOQ is under the limit. Against a minimum, "too little" is the failure,
   and a value under the LOQ is still judged on the measured number (the LOQ there is usually far below the
   minimum, so it fails); the report still prints "<LOQ(x)".
4. Otherwise the value is compared exactly (Decimal, no float) with the limit: LE v ≤ L (a value exactly at
   a maximum residue limit complies, as GB 2763 MRLs are read), LT v < L, GE v ≥ L, GT v > L,
   RANGE low ≤ v ≤ high (both ends inclusive).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Literal

Verdict = Literal["pending", "qualified", "unqualified"]


class Operator(StrEnum):
    """How a value is compared with the limit."""

    LE = "le"  # value ≤ limit qualifies (maximum residue limits)
    LT = "lt"  # value < limit
    GE = "ge"  # value ≥ limit (minimum content)
    GT = "gt"  # value > limit
    RANGE = "range"  # low ≤ value ≤ high


# Operators whose failure is "too much": a result under the LOQ, or not detected, cannot fail them.
MAXIMA = frozenset({Operator.LE, Operator.LT})


class Outcome(StrEnum):
    """Result of one test item (检测项结果)."""

    QUALIFIED = "qualified"
    UNQUALIFIED = "unqualified"
    BELOW_LOQ = "below_loq"
    NOT_DETECTED = "not_detected"


class UnitMismatch(ValueError):
    """A result or limit in another unit than the item's; units are never converted."""

    def __init__(self, expected: str, got: str) -> None:
        super().__init__(
            f"the unit {got!r} is not the item's unit {expected!r}; "
            f"enter the result in {expected} (units are not converted)"
        )
        self.expected = expected
        self.got = got


# --- units -------------------------------------------------------------------------------------------

_NUMERATORS = {"mg": "mg", "μg": "μg", "ug": "μg", "ng": "ng"}
_DENOMINATORS = {"kg": "kg", "l": "L"}
_PER = re.compile(r"^(mg|μg|ug|ng)\s*/\s*(kg|l)$")  # mg/kg, mg / kg
_EXPONENT = re.compile(r"^(mg|μg|ug|ng)\s*[·⋅∙•.*]?\s*(kg|l)\s*-1$")  # mg kg-1, mg·kg⁻¹ (after NFKC), mg.kg-1
_MINUS = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2013": "-"})  # minus sign, hyphens, en dash


def normalize_unit(unit: str) -> str:
    """The canonical spelling of a unit: "MG/KG", "mg kg-1", "mg·kg⁻¹" → "mg/kg"; "ug/kg", "µg/kg" → "μg/kg".

    Unknown units come back trimmed (and NFKC-normalised), never guessed at.
    """
    # NFKC turns the micro sign µ (U+00B5) into Greek μ (U+03BC) and superscript ⁻¹ into −1 (a minus sign).
    text = unicodedata.normalize("NFKC", unit).strip()
    key = text.casefold().translate(_MINUS)
    if key == "%":
        return "%"
    match = _PER.match(key) or _EXPONENT.match(key)
    if match:
        return f"{_NUMERATORS[match[1]]}/{_DENOMINATORS[match[2]]}"
    return text


# --- limits and item specs -----------------------------------------------------------------------------


def _exact(name: str, number: object) -> Decimal:
    """A finite, non-negative exact decimal; floats are refused because 0.1 is not 0.1 in binary."""
    if isinstance(number, bool | float):
        raise ValueError(f"{name} must be an exact decimal (Decimal('0.05')), not a {type(number).__name__}")
    if isinstance(number, int | str):
        try:
            number = Decimal(number)
        except InvalidOperation:
            raise ValueError(f"{name} {number!r} is not a number") from None
    if not isinstance(number, Decimal):
        raise ValueError(f"{name} must be a Decimal, not a {type(number).__name__}")
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, not {number}")
    if number < 0:
        raise ValueError(f"{name} cannot be negative ({number})")
    return number


def _optional(name: str, number: object) -> Decimal | None:
    return None if number is None else _exact(name, number)


def _text(number: Decimal) -> str:
    """A number as the lab entered it: no exponent, trailing zeros kept (0.050 keeps its three decimals)."""
    return format(number, "f")


@dataclass(frozen=True)
class Limit:
    """Limit value (限量值) of one test item: an operator with one value, or a range with two."""

    operator: Operator
    unit: str
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "operator", Operator(self.operator))
        unit = normalize_unit(self.unit)
        if not unit:
            raise ValueError("a limit needs a unit")
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "value", _optional("the limit value", self.value))
        object.__setattr__(self, "low", _optional("the lower limit", self.low))
        object.__setattr__(self, "high", _optional("the upper limit", self.high))
        if self.operator == Operator.RANGE:
            if self.low is None or self.high is None:
                raise ValueError("a range limit needs both low and high")
            if self.value is not None:
                raise ValueError("a range limit has low and high, not a single value")
            if self.low > self.high:
                raise ValueError(f"a range limit needs low ≤ high, got {_text(self.low)}–{_text(self.high)}")
        else:
            if self.value is None:
                raise ValueError(f"a {self.operator.value} limit needs a value")
            if self.low is not None or self.high is not None:
                raise ValueError(f"a {self.operator.value} limit has one value; low and high are for ranges")

    def admits(self, value: Decimal) -> bool:
        """Whether a value meets the limit, compared exactly."""
        match self.operator:
            case Operator.LE:
                return value <= self._value
            case Operator.LT:
                return value < self._value
            case Operator.GE:
                return value >= self._value
            case Operator.GT:
                return value > self._value
            case Operator.RANGE:
                assert self.low is not None and self.high is not None  # checked in __post_init__
                return self.low <= value <= self.high
        raise AssertionError(self.operator)  # pragma: no cover - the match is exhaustive

    @property
    def _value(self) -> Decimal:
        assert self.value is not None  # checked in __post_init__ for every operator but RANGE
        return self.value


@dataclass(frozen=True)
class ItemSpec:
    """Test item (检测项) of a monitoring model: analyte, unit, limit and the method's LOD and LOQ."""

    analyte: str
    unit: str
    limit: Limit
    lod: Decimal | None = None
    loq: Decimal | None = None

    def __post_init__(self) -> None:
        if not self.analyte.strip():
            raise ValueError("a test item needs an analyte")
        unit = normalize_unit(self.unit)
        object.__setattr__(self, "unit", unit)
        if self.limit.unit != unit:
            raise UnitMismatch(unit, self.limit.unit)
        lod = _optional("the LOD", self.lod)
        loq = _optional("the LOQ", self.loq)
        object.__setattr__(self, "lod", lod)
        object.__setattr__(self, "loq", loq)
        if lod is not None and loq is not None and lod > loq:
            raise ValueError(f"the LOD ({_text(lod)}) cannot be above the LOQ ({_text(loq)})")
        # A method that cannot quantify down to a maximum limit cannot show compliance with it; without this
        # rule a result "<LOQ" would pass while possibly being over the limit.
        limit = self.limit
        if loq is not None and limit.operator in MAXIMA and limit.value is not None and loq > limit.value:
            raise ValueError(
                f"the LOQ ({_text(loq)} {unit}) is above the limit ({_text(limit.value)} {unit}): "
                "the method cannot show that a result complies"
            )


@dataclass(frozen=True)
class Judgement:
    """Judged value (判定结果) of one result, with the text a lab report prints: "0.05", "<LOQ(0.01)", "ND"."""

    outcome: Outcome
    reported: str


def judge(spec: ItemSpec, value: Decimal | None, unit: str, *, detected: bool = True) -> Judgement:
    """Judge one result of a test item; see the module docstring for the rules and their order."""
    given = normalize_unit(unit)
    if given != spec.unit:
        raise UnitMismatch(spec.unit, given)
    limit = spec.limit
    if not detected:
        if value is not None:
            raise ValueError("a result that was not detected carries no value")
        # Not detected is judged as zero: it meets any maximum, and fails any minimum above zero.
        outcome = Outcome.NOT_DETECTED if limit.admits(Decimal(0)) else Outcome.UNQUALIFIED
        return Judgement(outcome, "ND")
    if value is None:
        raise ValueError("a detected result needs a value (or record it as not detected)")
    measured = _exact("the result", value)
    if spec.loq is not None and measured < spec.loq:
        reported = f"<LOQ({_text(spec.loq)})"
        if limit.operator in MAXIMA:
            return Judgement(Outcome.BELOW_LOQ, reported)
        return Judgement(Outcome.QUALIFIED if limit.admits(measured) else Outcome.UNQUALIFIED, reported)
    return Judgement(Outcome.QUALIFIED if limit.admits(measured) else Outcome.UNQUALIFIED, _text(measured))


def sample_verdict(outcomes: Iterable[Outcome | None]) -> Verdict:
    """A sample's verdict from its items: one failure fails it at once; otherwise it waits for every item.

    None stands for an item with no result yet. A sample with no items is pending, never qualified.
    """
    seen = list(outcomes)
    if any(o == Outcome.UNQUALIFIED for o in seen):
        return "unqualified"
    if not seen or any(o is None for o in seen):
        return "pending"
    return "qualified"


_SYMBOLS = {Operator.LE: "≤", Operator.LT: "<", Operator.GE: "≥", Operator.GT: ">"}


def describe_limit(limit: Limit) -> str:
    """A limit as a report prints it: "≤0.5 mg/kg", "0.1–0.5 mg/kg", "≥12%"."""
    gap = "" if limit.unit == "%" else " "
    if limit.operator == Operator.RANGE:
        assert limit.low is not None and limit.high is not None
        return f"{_text(limit.low)}–{_text(limit.high)}{gap}{limit.unit}"
    assert limit.value is not None
    return f"{_SYMBOLS[limit.operator]}{_text(limit.value)}{gap}{limit.unit}"

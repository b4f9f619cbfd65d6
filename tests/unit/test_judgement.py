"""Judging lab results against limits: what an analyst checks on a report, exactly, with no rounding by floats."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.testing.judgement import (
    ItemSpec,
    Judgement,
    Limit,
    Operator,
    Outcome,
    UnitMismatch,
    describe_limit,
    judge,
    normalize_unit,
    sample_verdict,
)

MG = "mg/kg"


def _d(text: str | None) -> D | None:
    return None if text is None else D(text)


def mrl(value: str, *, loq: str | None = "0.01", lod: str | None = None, op: Operator = Operator.LE) -> ItemSpec:
    """A pesticide item with a maximum residue limit, as GB 2763 sets them."""
    return ItemSpec("chlorpyrifos", MG, Limit(op, MG, value=D(value)), lod=_d(lod), loq=_d(loq))


def minimum(value: str, *, op: Operator = Operator.GE, loq: str | None = "0.1") -> ItemSpec:
    """A content item with a minimum, e.g. a declared active ingredient or nutrient."""
    return ItemSpec("protein", "%", Limit(op, "%", value=D(value)), loq=_d(loq))


def band(low: str, high: str, *, loq: str | None = None) -> ItemSpec:
    return ItemSpec("moisture", "%", Limit(Operator.RANGE, "%", low=D(low), high=D(high)), loq=_d(loq))


# Maximum residue limits (LE, LT)


def test_given_a_value_exactly_at_a_maximum_residue_limit_when_judged_then_it_qualifies():
    assert judge(mrl("0.05"), D("0.05"), MG) == Judgement(Outcome.QUALIFIED, "0.05")


def test_given_a_value_just_above_the_limit_when_judged_then_it_is_unqualified():
    assert judge(mrl("0.05"), D("0.051"), MG) == Judgement(Outcome.UNQUALIFIED, "0.051")


def test_given_a_value_a_hair_above_the_limit_when_judged_then_exact_decimals_still_see_it():
    # 0.1 + 0.2 style float drift would hide this; the comparison is on Decimals.
    assert judge(mrl("0.3"), D("0.3000000001"), MG).outcome == Outcome.UNQUALIFIED


def test_given_a_strict_limit_when_the_value_is_exactly_at_it_then_it_does_not_qualify():
    assert judge(mrl("0.05", op=Operator.LT), D("0.05"), MG).outcome == Outcome.UNQUALIFIED
    assert judge(mrl("0.05", op=Operator.LT), D("0.049"), MG).outcome == Outcome.QUALIFIED


def test_given_a_value_under_the_loq_when_judged_then_it_is_reported_as_below_loq():
    assert judge(mrl("0.05", loq="0.01"), D("0.004"), MG) == Judgement(Outcome.BELOW_LOQ, "<LOQ(0.01)")


def test_given_a_value_exactly_at_the_loq_when_judged_then_it_is_a_number_on_the_report():
    assert judge(mrl("0.05", loq="0.01"), D("0.01"), MG) == Judgement(Outcome.QUALIFIED, "0.01")


def test_given_a_result_not_detected_when_judged_then_the_report_says_nd_and_it_counts_as_qualified():
    verdict = judge(mrl("0.05"), None, MG, detected=False)
    assert verdict == Judgement(Outcome.NOT_DETECTED, "ND")
    assert sample_verdict([verdict.outcome]) == "qualified"


def test_given_the_value_as_entered_when_reported_then_trailing_zeros_and_plain_notation_are_kept():
    assert judge(mrl("0.5"), D("0.050"), MG).reported == "0.050"
    assert judge(mrl("0.5"), D("1E-1"), MG).reported == "0.1"


# Minimum limits and ranges (GE, GT, RANGE)


def test_given_a_minimum_when_the_value_is_at_or_above_it_then_it_qualifies():
    assert judge(minimum("12"), D("12"), "%").outcome == Outcome.QUALIFIED
    assert judge(minimum("12"), D("11.99"), "%").outcome == Outcome.UNQUALIFIED
    assert judge(minimum("12", op=Operator.GT), D("12"), "%").outcome == Outcome.UNQUALIFIED
    assert judge(minimum("12", op=Operator.GT), D("12.01"), "%").outcome == Outcome.QUALIFIED


def test_given_a_minimum_when_the_value_is_under_the_loq_then_too_little_fails_and_the_report_says_loq():
    assert judge(minimum("12", loq="0.1"), D("0.05"), "%") == Judgement(Outcome.UNQUALIFIED, "<LOQ(0.1)")


def test_given_a_minimum_below_the_loq_when_the_measured_value_meets_it_then_it_is_judged_on_the_number():
    spec = minimum("0.01", loq="0.1")
    assert judge(spec, D("0.05"), "%") == Judgement(Outcome.QUALIFIED, "<LOQ(0.1)")


def test_given_a_minimum_when_the_analyte_is_not_detected_then_it_fails():
    assert judge(minimum("12"), None, "%", detected=False) == Judgement(Outcome.UNQUALIFIED, "ND")
    assert judge(minimum("0"), None, "%", detected=False).outcome == Outcome.NOT_DETECTED


@pytest.mark.parametrize(("value", "outcome"), [("0.1", "qualified"), ("0.3", "qualified"), ("0.5", "qualified")])
def test_given_a_range_when_the_value_is_inside_or_on_either_end_then_it_qualifies(value, outcome):
    assert judge(band("0.1", "0.5"), D(value), "%").outcome == Outcome(outcome)


@pytest.mark.parametrize("value", ["0.09", "0.51", "0"])
def test_given_a_range_when_the_value_is_outside_either_end_then_it_is_unqualified(value):
    assert judge(band("0.1", "0.5"), D(value), "%").outcome == Outcome.UNQUALIFIED


def test_given_a_range_from_zero_when_not_detected_then_it_qualifies_and_from_above_zero_it_fails():
    assert judge(band("0", "0.5"), None, "%", detected=False).outcome == Outcome.NOT_DETECTED
    assert judge(band("0.1", "0.5"), None, "%", detected=False).outcome == Outcome.UNQUALIFIED


# Units


def test_given_a_result_in_micrograms_for_an_item_in_milligrams_when_judged_then_it_is_refused_not_converted():
    with pytest.raises(UnitMismatch) as caught:
        judge(mrl("0.05"), D("50"), "μg/kg")
    assert "μg/kg" in str(caught.value) and "mg/kg" in str(caught.value)
    assert (caught.value.expected, caught.value.got) == ("mg/kg", "μg/kg")


@pytest.mark.parametrize("spelling", ["mg/kg", "MG/KG", " mg/Kg ", "mg kg-1", "mg·kg⁻¹", "mg.kg-1", "mg / kg"])
def test_given_a_spelling_of_milligrams_per_kilogram_when_entered_then_it_is_accepted(spelling):
    assert normalize_unit(spelling) == "mg/kg"
    assert judge(mrl("0.05"), D("0.02"), spelling).outcome == Outcome.QUALIFIED


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [("μg/kg", "μg/kg"), ("ug/kg", "μg/kg"), ("µg/kg", "μg/kg"), ("UG/KG", "μg/kg"), ("mg/l", "mg/L"), ("%", "%")],
)
def test_given_other_units_when_normalised_then_each_has_one_spelling(spelling, canonical):
    assert normalize_unit(spelling) == canonical


def test_given_an_unknown_unit_when_normalised_then_it_is_only_trimmed():
    assert normalize_unit("  CFU/g ") == "CFU/g"
    assert normalize_unit("ppm") == "ppm"  # not silently taken for mg/kg


def test_given_a_limit_in_another_unit_than_its_item_when_the_item_is_built_then_it_is_refused():
    with pytest.raises(UnitMismatch):
        ItemSpec("chlorpyrifos", MG, Limit(Operator.LE, "μg/kg", value=D("20")))


# Bad results


def test_given_a_negative_value_when_judged_then_it_is_refused():
    with pytest.raises(ValueError, match="negative"):
        judge(mrl("0.05"), D("-0.01"), MG)


def test_given_a_detected_result_without_a_value_when_judged_then_it_is_refused():
    with pytest.raises(ValueError, match="needs a value"):
        judge(mrl("0.05"), None, MG)


def test_given_a_not_detected_result_with_a_value_when_judged_then_the_contradiction_is_refused():
    with pytest.raises(ValueError, match="no value"):
        judge(mrl("0.05"), D("0.001"), MG, detected=False)


@pytest.mark.parametrize("bad", [0.05, D("NaN"), D("Infinity")])
def test_given_a_float_or_a_non_finite_value_when_judged_then_it_is_refused(bad):
    with pytest.raises(ValueError):
        judge(mrl("0.05"), bad, MG)


# Building limits and items


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"operator": Operator.RANGE, "low": D("0.5"), "high": D("0.1")}, "low ≤ high"),
        ({"operator": Operator.RANGE, "low": D("0.1")}, "both low and high"),
        ({"operator": Operator.RANGE, "low": D("0.1"), "high": D("0.5"), "value": D("0.3")}, "not a single value"),
        ({"operator": Operator.LE}, "needs a value"),
        ({"operator": Operator.GE, "value": D("1"), "low": D("0")}, "one value"),
        ({"operator": Operator.LE, "value": D("-1")}, "negative"),
        ({"operator": Operator.LE, "value": 0.05}, "exact decimal"),
    ],
)
def test_given_an_inconsistent_limit_when_built_then_the_message_says_what_is_wrong(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        Limit(unit=MG, **kwargs)


def test_given_an_lod_above_the_loq_when_the_item_is_built_then_it_is_refused():
    with pytest.raises(ValueError, match="LOD"):
        mrl("0.05", lod="0.02", loq="0.01")


def test_given_an_loq_above_a_maximum_limit_when_the_item_is_built_then_it_is_refused():
    with pytest.raises(ValueError, match="cannot show"):
        mrl("0.01", loq="0.02")


def test_given_a_limit_spelled_loosely_when_built_then_it_keeps_the_canonical_unit():
    assert Limit("le", "MG/KG", value=D("0.5")).unit == "mg/kg"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("limit", "text"),
    [
        (Limit(Operator.LE, MG, value=D("0.5")), "≤0.5 mg/kg"),
        (Limit(Operator.LT, MG, value=D("0.02")), "<0.02 mg/kg"),
        (Limit(Operator.GE, "%", value=D("12")), "≥12%"),
        (Limit(Operator.GT, "mg/L", value=D("1.0")), ">1.0 mg/L"),
        (Limit(Operator.RANGE, MG, low=D("0.1"), high=D("0.5")), "0.1–0.5 mg/kg"),
    ],
)
def test_given_a_limit_when_described_for_a_report_then_it_reads_as_printed(limit, text):
    assert describe_limit(limit) == text


# A sample's verdict from its items


@pytest.mark.parametrize(
    ("outcomes", "verdict"),
    [
        ([Outcome.QUALIFIED, Outcome.BELOW_LOQ, Outcome.NOT_DETECTED], "qualified"),
        ([Outcome.QUALIFIED, None], "pending"),
        ([None, Outcome.UNQUALIFIED, None], "unqualified"),
        ([Outcome.UNQUALIFIED, Outcome.QUALIFIED], "unqualified"),
        ([], "pending"),
    ],
)
def test_given_item_outcomes_when_the_sample_is_judged_then_one_failure_fails_it_and_a_gap_keeps_it_pending(
    outcomes, verdict
):
    assert sample_verdict(outcomes) == verdict
    assert sample_verdict(iter(outcomes)) == verdict  # a one-pass iterable works too


# Property: for a maximum residue limit, qualified iff value ≤ limit (for values at or above the LOQ)

amounts = st.decimals(min_value=D("0.001"), max_value=D("100"), places=3, allow_nan=False, allow_infinity=False)


@given(limit=amounts, value=amounts, loq=amounts)
def test_given_any_le_limit_when_a_value_at_or_above_the_loq_is_judged_then_it_qualifies_iff_within_the_limit(
    limit, value, loq
):
    loq = min(loq, limit)  # a valid item never has its LOQ above its maximum
    value = max(value, loq)
    result = judge(mrl(str(limit), loq=str(loq)), value, MG)
    assert (result.outcome == Outcome.QUALIFIED) == (value <= limit)
    assert result.outcome in {Outcome.QUALIFIED, Outcome.UNQUALIFIED}

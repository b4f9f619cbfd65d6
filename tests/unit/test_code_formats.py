"""Identity and trace codes: subject numbers, the long and short forms, links, and scanning anything at all."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.codes.formats import (
    KIND_OF_SHORT_TYPE,
    PRODUCT_KINDS,
    SHORT_TYPE_OF_KIND,
    USCC_ALPHABET,
    CodeKind,
    OrganisationForm,
    ShortType,
    SubjectCategory,
    TraceCode,
    code_url,
    compose_long,
    compose_short,
    id_check_char,
    is_id_number,
    is_uscc,
    parse,
    subject_identity_code,
    temp_subject_no,
    uscc_check_char,
    validate_subject_number,
)
from chalicelib.core.errors import ValidationFailed

EXAMPLE_USCC = "91350100M000100Y43"  # the example printed in GB 32100-2015's explanations
EXAMPLE_ID = "11010519491231002X"  # the example printed in GB 11643
USCC = "92370112000000120" + uscc_check_char("92370112000000120")
TEMP = temp_subject_no("370112", 42)
STAMP = datetime(2026, 5, 12, 9, 30, 5)


def _code(kind: CodeKind, **extra: object) -> TraceCode:
    subject = TEMP if kind == CodeKind.TEMP_SUBJECT_IDENTITY else USCC
    fields: dict[str, object] = {
        "category": SubjectCategory.PRODUCTION,
        "form": OrganisationForm.COOPERATIVE,
        "subject_no": subject,
    }
    if kind == CodeKind.SUBJECT_USER:
        fields["user_no"] = 7
    if kind in PRODUCT_KINDS:
        fields |= {"product_code": "01020304", "timestamp": STAMP}
    return TraceCode(kind, **(fields | extra))  # type: ignore[arg-type]


def _rejected(text: str) -> str:
    with pytest.raises(ValidationFailed) as caught:
        parse(text)
    assert [e["field"] for e in caught.value.errors] == ["code"]
    return caught.value.errors[0]["message"]


# Subject numbers


def test_given_the_standards_examples_when_checked_then_both_are_valid():
    assert uscc_check_char(EXAMPLE_USCC[:17]) == "3"
    assert validate_subject_number(EXAMPLE_USCC, "uscc") == EXAMPLE_USCC
    assert id_check_char(EXAMPLE_ID[:17]) == "X"
    assert validate_subject_number(EXAMPLE_ID, "id_card") == EXAMPLE_ID


@pytest.mark.parametrize(
    "first17", ["91370112MA3C5LK8Q", "92370112000000001", "12100000400000624", "Y1370100L01234567", "53100000500021676"]
)
def test_given_a_numbers_first_17_chars_when_its_check_char_is_added_then_it_is_a_valid_uscc(first17):
    number = first17 + uscc_check_char(first17)
    assert validate_subject_number(number, "uscc") == number
    for wrong in USCC_ALPHABET.replace(number[17], ""):
        assert not is_uscc(first17 + wrong)


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100Y44", "check character"),
        ("91350100M000I00Y43", "other than I, O, S, V and Z"),
        ("", "18 characters"),
    ],
)
def test_given_a_bad_uscc_when_validated_then_the_field_says_what_is_wrong(number, fragment):
    with pytest.raises(ValidationFailed) as caught:
        validate_subject_number(number, "uscc", field="number")
    assert caught.value.errors[0]["field"] == "number"
    assert fragment in caught.value.errors[0]["message"]


def test_given_an_id_number_typed_with_a_small_x_and_spaces_when_validated_then_it_comes_back_canonical():
    assert validate_subject_number(" 11010519491231002x ", "id_card") == EXAMPLE_ID


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("110105194912310021", "check character"),
        ("110105194913310028", "date of birth"),
        ("11010519491231002Y", "17 digits and a digit or X"),
        ("1101051949123100", "18 characters"),
    ],
)
def test_given_a_bad_id_number_when_validated_then_it_is_rejected(number, fragment):
    with pytest.raises(ValidationFailed) as caught:
        validate_subject_number(number, "id_card")
    assert caught.value.errors[0]["field"] == "subject_no"
    assert fragment in caught.value.errors[0]["message"]


def test_given_a_generated_id_number_when_checked_then_it_is_valid():
    for born in (date(1960, 2, 29), date(2001, 12, 31)):
        first17 = f"370112{born:%Y%m%d}123"
        assert is_id_number(first17 + id_check_char(first17))


def test_given_a_region_and_sequence_when_a_temporary_number_is_issued_then_it_is_18_digits_starting_with_0():
    assert temp_subject_no("370112", 42) == "037011200000000042"
    with pytest.raises(ValueError):
        temp_subject_no("3701", 1)


# Long and short forms


@pytest.mark.parametrize("kind", list(CodeKind))
def test_given_a_code_of_every_kind_when_composed_long_and_parsed_then_it_comes_back_the_same(kind):
    code = _code(kind)
    text = compose_long(code)
    assert text.startswith(f"1.2.156.326.8.1.{kind.value}.0.3.")
    assert parse(text) == code
    assert compose_long(parse(text)) == text


def test_given_each_kind_then_the_long_form_has_the_documented_layout():
    assert compose_long(_code(CodeKind.SUBJECT_IDENTITY)) == f"1.2.156.326.8.1.0.0.3.{USCC}"
    assert compose_long(_code(CodeKind.SUBJECT_USER)) == f"1.2.156.326.8.1.1.0.3.{USCC}.007"
    assert compose_long(_code(CodeKind.PRODUCT_BATCH)) == f"1.2.156.326.8.1.2.0.3.{USCC}.01020304.20260512093005"
    assert compose_long(_code(CodeKind.TEMP_SUBJECT_IDENTITY)) == f"1.2.156.326.8.1.4.0.3.{TEMP}"


@pytest.mark.parametrize("short", list(ShortType))
def test_given_every_short_type_when_composed_short_and_parsed_then_it_comes_back_the_same(short):
    code = _code(KIND_OF_SHORT_TYPE[short], serial=37)
    text = compose_short(code)
    assert text == f"{short.value}03{USCC}0102030420260512093005" + "37"
    assert parse(text) == code
    assert compose_short(parse(text)) == text


def test_given_the_short_types_then_they_map_to_batch_trace_and_voucher_kinds():
    assert SHORT_TYPE_OF_KIND == {
        CodeKind.PRODUCT_BATCH: ShortType.PRODUCTION_BATCH,
        CodeKind.PRODUCT_TRACE: ShortType.CIRCULATION_BATCH,
        CodeKind.MARKET_ENTRY_VOUCHER: ShortType.MARKET_ENTRY_VOUCHER,
    }


def test_given_a_batch_with_serial_0_when_read_from_either_form_then_both_are_one_code():
    code = _code(CodeKind.PRODUCT_BATCH)
    assert parse(compose_long(code)) == parse(compose_short(code)) == code


@pytest.mark.parametrize("kind", [CodeKind.SUBJECT_IDENTITY, CodeKind.SUBJECT_USER, CodeKind.TEMP_PRODUCT])
def test_given_a_kind_without_a_short_form_when_composed_short_then_it_is_refused(kind):
    with pytest.raises(ValidationFailed) as caught:
        compose_short(_code(kind))
    assert caught.value.errors[0]["field"] == "kind"


def test_given_a_code_with_a_serial_when_composed_long_then_it_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        compose_long(_code(CodeKind.PRODUCT_TRACE, serial=3))
    assert caught.value.errors[0]["field"] == "serial"


def test_given_a_shorter_subject_number_and_an_aware_time_when_made_then_the_code_is_padded_and_in_china_time():
    utc = datetime(2026, 5, 12, 1, 30, tzinfo=UTC)
    code = _code(CodeKind.TEMP_PRODUCT, subject_no="123456789012345", timestamp=utc)
    assert code.subject_no == "000123456789012345"
    assert compose_long(code).endswith(".000123456789012345.01020304.20260512093000")


def test_given_names_as_the_subjects_store_them_when_an_identity_code_is_made_then_it_uses_their_digits():
    code = subject_identity_code("agricultural_inputs", "family_farm", EXAMPLE_ID)
    assert code == f"1.2.156.326.8.1.0.3.2.{EXAMPLE_ID}"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"product_code": None}, "product_code"),
        ({"timestamp": None}, "timestamp"),
        ({"product_code": "1"}, "product_code"),
        ({"user_no": 1}, "user_no"),
        ({"serial": 100}, "serial"),
        ({"subject_no": EXAMPLE_USCC[:17] + "4"}, "subject_no"),
        ({"category": 4}, "category"),
    ],
)
def test_given_a_code_missing_or_breaking_a_field_when_made_then_that_field_is_named(fields, field):
    with pytest.raises(ValidationFailed) as caught:
        _code(CodeKind.PRODUCT_BATCH, **fields)
    assert field in [e["field"] for e in caught.value.errors]


# Links and scanning


def test_given_a_code_when_its_link_is_built_and_scanned_then_the_code_comes_back():
    code = _code(CodeKind.MARKET_ENTRY_VOUCHER)
    short = compose_short(code)
    assert code_url("https://trace.agritrace.cn/", short) == f"https://trace.agritrace.cn/c/{short}"
    assert parse(code_url("https://trace.agritrace.cn", short)) == code
    assert parse(code_url("https://api.example.com/prod", compose_long(code))) == code


@pytest.mark.parametrize(
    "template",
    [
        "  {long}\n",
        "{long_lower}",
        "HTTPS://other.host/c/{long}",
        "http://localhost:8000/dev/c/{long}",
        "https://trace.agritrace.cn/scan?c={long}",
        "https://trace.agritrace.cn/c/{long_encoded}",
        " https://trace.agritrace.cn/c/{long}?utm=poster ",
    ],
)
def test_given_the_ways_a_code_reaches_a_scanner_when_parsed_then_each_reads_the_same_code(template):
    code = _code(CodeKind.PRODUCT_TRACE)
    long = compose_long(code)
    text = template.format(long=long, long_lower=long.lower(), long_encoded=long.replace(".", "%2E"))
    assert parse(text) == code


BATCH = f"1.2.156.326.8.1.2.0.3.{USCC}"
SHORT = f"103{USCC}01020304" + "2026051209300500"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 3000, "longer than"),
        (f"1.2.156.326.9.1.0.0.0.{USCC}", "starts with 1.2.156.326.8.1."),
        (f"1.2.156.326.8.1.7.0.0.{USCC}", "code kind '7'"),
        (f"1.2.156.326.8.1.00.0.0.{USCC}", "code kind '00'"),
        (f"1.2.156.326.8.1.0.4.0.{USCC}", "subject category '4'"),
        (f"1.2.156.326.8.1.0.0.9.{USCC}", "organisation form '9'"),
        (f"1.2.156.326.8.1.0.0.0.{USCC}.001", "has 10 dot-separated parts, this one has 11"),
        (f"1.2.156.326.8.1.1.0.0.{USCC}.01", "user number '01'"),
        (f"{BATCH}.0102", "has 12 dot-separated parts, this one has 11"),
        (f"{BATCH}.01A2.20260512093005", "product category code '01A2'"),
        (f"{BATCH}.0102030405060.20260512093005", "product category code"),
        (f"{BATCH}.0102.20261312093005", "not a real date and time"),
        (f"{BATCH}.0102.20260230093005", "not a real date and time"),
        (f"{BATCH}.0102.2026051209300", "not 14 digits"),
        (f"{BATCH}.0102.20260512093005.", "has 12 dot-separated parts"),
        (f"1.2.156.326.8.1.0.0.0.{EXAMPLE_USCC[:17]}4", "neither a valid USCC nor a valid resident ID"),
        (f"1.2.156.326.8.1.0.0.1.{EXAMPLE_ID[:17]}1", "neither a valid USCC nor a valid resident ID"),
        (f"1.2.156.326.8.1.0.0.0.{EXAMPLE_USCC[:17]}", "not 18 digits and capital letters"),
        ("1.2.156.326.8.1.0.0.0.91350100M0001I0Y43", "not 18 digits and capital letters"),
        (f"1.2.156.326.8.1.4.0.0.{USCC}", "temporary number"),
        ("1.2.156.326.8.1.٠.0.0.037011200000000042", "code kind"),
        ("4" + SHORT[1:], "starts with its type"),
        ("0" + SHORT[1:], "starts with its type"),
        (SHORT[:21] + "1" + SHORT[-16:], "39-49 characters"),
        (SHORT[:21] + "1" * 13 + SHORT[-16:], "39-49 characters"),
        (SHORT[:-16] + "2026051309300" + "X00", "not 14 digits"),
        (SHORT[:-4] + "61" + "00", "not a real date and time"),
        (SHORT[:-2] + "A1", "serial"),
        (SHORT[:3] + EXAMPLE_USCC[:17] + "4" + SHORT[21:], "neither a valid USCC"),
        ("https://trace.agritrace.cn/c/", "holds no code"),
        ("https://trace.agritrace.cn/c/%20", "holds no code"),
        ("http://[::1/c/123", "not a valid URL"),
        ("https://trace.agritrace.cn/c/hello", "starts with its type"),
    ],
)
def test_given_a_malformed_code_when_scanned_then_it_is_rejected_on_field_code_saying_why(text, fragment):
    assert fragment in _rejected(text)


# Anything at all


_SUBJECTS = st.one_of(
    st.text(USCC_ALPHABET, min_size=17, max_size=17)
    .filter(lambda s: s[0] != "0")
    .map(lambda s: s + uscc_check_char(s)),
    st.tuples(st.integers(110000, 829999), st.dates(date(1900, 1, 1), date(2025, 12, 31)), st.integers(0, 999))
    .map(lambda t: f"{t[0]}{t[1]:%Y%m%d}{t[2]:03d}")
    .map(lambda s: s + id_check_char(s)),
    st.text("0123456789", min_size=17, max_size=17).map(lambda s: "0" + s),
)


@st.composite
def trace_codes(draw: st.DrawFn) -> TraceCode:
    kind = draw(st.sampled_from(list(CodeKind)))
    subject = draw(_SUBJECTS)
    if kind == CodeKind.TEMP_SUBJECT_IDENTITY:
        subject = "0" + draw(st.text("0123456789", min_size=17, max_size=17))
    fields: dict[str, object] = {}
    if kind == CodeKind.SUBJECT_USER:
        fields["user_no"] = draw(st.integers(0, 999))
    if kind in PRODUCT_KINDS:
        fields["product_code"] = draw(st.text("0123456789", min_size=2, max_size=12))
        fields["timestamp"] = draw(st.datetimes()).replace(microsecond=0)
    if kind in SHORT_TYPE_OF_KIND:
        fields["serial"] = draw(st.integers(0, 99))
    return TraceCode(
        kind,
        draw(st.sampled_from(list(SubjectCategory))),
        draw(st.sampled_from(list(OrganisationForm))),
        subject,
        **fields,  # type: ignore[arg-type]
    )


@given(trace_codes())
def test_given_any_valid_code_when_composed_in_each_form_then_parsing_gives_it_back(code):
    if code.serial == 0:
        assert parse(compose_long(code)) == code
    if code.short_type is not None:
        assert parse(compose_short(code)) == code


@st.composite
def mangled_codes(draw: st.DrawFn) -> str:
    """A valid code in some form, then a few random edits: what a smudged label or a bad scan gives."""
    code = draw(trace_codes())
    text = compose_short(code) if code.short_type is not None and code.serial else compose_long(code)
    if draw(st.booleans()):
        text = code_url("https://trace.agritrace.cn", text)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        junk = draw(st.text(alphabet="0123456789.AXZIx/ %?=:" + "\x00é٣", max_size=3))
        cut = draw(st.integers(0, 3))
        text = text[:at] + junk + text[at + cut :]
    return text


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), mangled_codes(), st.text().map(lambda s: "https://h/c/" + s)))
def test_given_arbitrary_text_when_scanned_then_it_is_a_code_or_a_validation_error_on_code(text):
    try:
        code = parse(text)
    except ValidationFailed as exc:
        assert [e["field"] for e in exc.errors] == ["code"]
        assert exc.errors[0]["message"]
    else:
        assert isinstance(code, TraceCode)
        if code.serial == 0:
            assert parse(compose_long(code)) == code

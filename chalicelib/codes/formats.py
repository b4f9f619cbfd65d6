"""Identity and trace codes (标识码与追溯码): subject numbers, the long and the short form, compose and parse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum
from typing import Any, Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

from chalicelib.core.clock import CST
from chalicelib.core.errors import ValidationFailed

# How the codes are laid out (REFERENCE.md, "Identity and trace codes"; where it is silent, decided here).
#
# Long form (长码), the national platform's OID, dot-separated:
#   1.2.156.326.8.1.{kind}.{category}.{form}.{subject number, 18 chars}
#     kind 1 (subject user code) adds             .{user number, 3 digits}
#     kinds 2, 3, 5, 6 (product codes) add        .{product category code, 2-12 digits}.{yyyyMMddHHmmss}
#   kind, category and form are one digit each. The subject number keeps a USCC's letters as they are (18 chars
#   of the USCC alphabet); a shorter number is left-padded with 0. The long form has no serial: two product codes
#   of one kind, subject and product need different seconds (the issuer's job), or the short form's serial.
#
# Short form (短码), no dots, for the three kinds that have a trace-code type:
#   {type, 1}{category, 1}{form, 1}{subject number, 18}{product category code, 2-12 digits}{yyyyMMddHHmmss}{serial, 2}
#   39-49 chars. Both ends are fixed-width, so the variable product code in the middle is unambiguous; category and
#   form are carried so a short code is the same TraceCode as its long one (for serial 00, they convert both ways).
#   type 1 production batch (生产批次)     <-> kind 2 product batch code (产品批次码)
#   type 2 circulation batch (流通批次)    <-> kind 3 product traceability code (产品追溯码)
#   type 3 market-entry voucher (入市凭证) <-> kind 6 market-entry traceability voucher (入市追溯凭证)
#   Kinds 0, 1, 4 and 5 have no short form.
#
# Product category code (农产品分类代码): 2 to 12 ASCII digits, kept as given (leading zeros are significant).
#
# Subject numbers: no USCC (GB 32100) or resident ID number (GB 11643) starts with 0, so:
#   - a number starting with 1-9 or a letter is a USCC or an ID number and its check character must hold
#     (at compose and at parse, for every kind);
#   - a number starting with 0 is either a shorter legacy number left-padded with 0, or a temporary number, and
#     has no check character to verify;
#   - a temporary subject (kind 4, 临时主体) holds a platform-issued number: "0" + the 6-digit region code where the
#     subject was captured + an 11-digit sequence (see temp_subject_no); kind 4 requires exactly that shape
#     (0 and 17 digits). Kind 5 (产品临时码) takes a temporary or a registered subject's number.
#
# Timestamps are naive China time (UTC+8) to the second: an aware datetime is converted, microseconds dropped.
# Scanning (parse) reads the long form, the short form and the platform's link {base}/c/{code} or {base}?c={code};
# it trims whitespace, takes lower-case letters as capitals, and raises ValidationFailed on field "code" for
# anything else.

OID_PREFIX = "1.2.156.326.8.1"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_DIGITS = frozenset("0123456789")
SUBJECT_NO_LENGTH = 18
PRODUCT_CODE_LENGTH = (2, 12)
MAX_SERIAL = 99
MAX_CODE_TEXT = 2048


class CodeKind(IntEnum):
    """Code kind (码类型)."""

    SUBJECT_IDENTITY = 0  # 主体身份码
    SUBJECT_USER = 1  # 主体用户码
    PRODUCT_BATCH = 2  # 产品批次码
    PRODUCT_TRACE = 3  # 产品追溯码
    TEMP_SUBJECT_IDENTITY = 4  # 临时身份码
    TEMP_PRODUCT = 5  # 产品临时码
    MARKET_ENTRY_VOUCHER = 6  # 入市追溯凭证


class SubjectCategory(IntEnum):
    """Subject category (主体类别)."""

    PRODUCTION = 0  # 生产
    OPERATION = 1  # 经营
    PRODUCTION_AND_OPERATION = 2  # 生产经营
    AGRICULTURAL_INPUTS = 3  # 农资


class OrganisationForm(IntEnum):
    """Organisation form (组织形式)."""

    ENTERPRISE = 0  # 企业
    INDIVIDUAL = 1  # 个人
    FAMILY_FARM = 2  # 家庭农场
    COOPERATIVE = 3  # 合作社


class ShortType(IntEnum):
    """Trace-code type (追溯码类型), the first digit of a short code."""

    PRODUCTION_BATCH = 1  # 生产批次
    CIRCULATION_BATCH = 2  # 流通批次
    MARKET_ENTRY_VOUCHER = 3  # 入市凭证


KIND_NAMES: dict[CodeKind, str] = {
    CodeKind.SUBJECT_IDENTITY: "subject identity code (主体身份码)",
    CodeKind.SUBJECT_USER: "subject user code (主体用户码)",
    CodeKind.PRODUCT_BATCH: "product batch code (产品批次码)",
    CodeKind.PRODUCT_TRACE: "product traceability code (产品追溯码)",
    CodeKind.TEMP_SUBJECT_IDENTITY: "temporary subject identity code (临时身份码)",
    CodeKind.TEMP_PRODUCT: "temporary product code (产品临时码)",
    CodeKind.MARKET_ENTRY_VOUCHER: "market-entry traceability voucher (入市追溯凭证)",
}
PRODUCT_KINDS = frozenset(
    {CodeKind.PRODUCT_BATCH, CodeKind.PRODUCT_TRACE, CodeKind.TEMP_PRODUCT, CodeKind.MARKET_ENTRY_VOUCHER}
)
SHORT_TYPE_OF_KIND: dict[CodeKind, ShortType] = {
    CodeKind.PRODUCT_BATCH: ShortType.PRODUCTION_BATCH,
    CodeKind.PRODUCT_TRACE: ShortType.CIRCULATION_BATCH,
    CodeKind.MARKET_ENTRY_VOUCHER: ShortType.MARKET_ENTRY_VOUCHER,
}
KIND_OF_SHORT_TYPE: dict[ShortType, CodeKind] = {short: kind for kind, short in SHORT_TYPE_OF_KIND.items()}
_SHORT_MIN = 3 + SUBJECT_NO_LENGTH + PRODUCT_CODE_LENGTH[0] + 14 + 2
_SHORT_MAX = 3 + SUBJECT_NO_LENGTH + PRODUCT_CODE_LENGTH[1] + 14 + 2


def _is_digits(value: str) -> bool:
    return bool(value) and all(ch in _DIGITS for ch in value)


def uscc_check_char(first17: str) -> str:
    """Check character of a unified social credit code (统一社会信用代码, GB 32100-2015) from its first 17 chars."""
    if len(first17) != 17 or any(ch not in _USCC_VALUES for ch in first17):
        raise ValueError("17 characters of the USCC alphabet expected")
    total = sum(_USCC_VALUES[ch] * weight for ch, weight in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def id_check_char(first17: str) -> str:
    """Check character of a resident ID number (公民身份号码, GB 11643) from its first 17 digits."""
    if len(first17) != 17 or not _is_digits(first17):
        raise ValueError("17 digits expected")
    total = sum(int(ch) * weight for ch, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _uscc_problem(value: str) -> str | None:
    if len(value) != SUBJECT_NO_LENGTH:
        return f"a unified social credit code (统一社会信用代码) has 18 characters, not {len(value)}"
    if any(ch not in _USCC_VALUES for ch in value):
        return "a unified social credit code uses digits and capital letters other than I, O, S, V and Z"
    if uscc_check_char(value[:17]) != value[17]:
        return "the unified social credit code's check character (校验码) is wrong"
    return None


def _id_problem(value: str) -> str | None:
    if len(value) != SUBJECT_NO_LENGTH:
        return f"a resident ID number (公民身份号码) has 18 characters, not {len(value)}"
    if not _is_digits(value[:17]) or not (value[17] in _DIGITS or value[17] == "X"):
        return "a resident ID number is 17 digits and a digit or X"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "the resident ID number's date of birth is not a real day"
    if id_check_char(value[:17]) != value[17]:
        return "the resident ID number's check character (校验码) is wrong"
    return None


def is_uscc(value: str) -> bool:
    return _uscc_problem(value) is None


def is_id_number(value: str) -> bool:
    return _id_problem(value) is None


def validate_subject_number(value: str, kind: Literal["uscc", "id_card"], *, field: str = "subject_no") -> str:
    """A subject's USCC or resident ID number, trimmed and in capitals; ValidationFailed on `field` if not valid."""
    number = value.strip().upper()
    problem = _uscc_problem(number) if kind == "uscc" else _id_problem(number)
    if problem:
        raise ValidationFailed(problem, errors=[{"field": field, "message": problem}])
    return number


def temp_subject_no(region_code: str, sequence: int) -> str:
    """Platform-issued number of a temporary subject (临时主体): 0, the 6-digit region code, an 11-digit sequence."""
    if len(region_code) != 6 or not _is_digits(region_code) or not 0 <= sequence < 10**11:
        raise ValueError("a 6-digit region code and a sequence below 10**11 expected")
    return f"0{region_code}{sequence:011d}"


@dataclass(frozen=True)
class TraceCode:
    """One identity or trace code (标识码/追溯码), whichever form it was read from; validated when made."""

    kind: CodeKind
    category: SubjectCategory
    form: OrganisationForm
    subject_no: str
    user_no: int | None = None
    product_code: str | None = None
    timestamp: datetime | None = None
    serial: int = 0

    def __post_init__(self) -> None:
        fields, problems = _normalise(
            self.kind,
            self.category,
            self.form,
            self.subject_no,
            self.user_no,
            self.product_code,
            self.timestamp,
            self.serial,
        )
        if problems:
            raise ValidationFailed("the code is not valid", errors=[{"field": f, "message": m} for f, m in problems])
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @property
    def short_type(self) -> ShortType | None:
        return SHORT_TYPE_OF_KIND.get(self.kind)


def _normalise(
    kind: Any, category: Any, form: Any, subject_no: Any, user_no: Any, product_code: Any, timestamp: Any, serial: Any
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The fields in canonical shape, and what is wrong with them (field, message); shared by make and parse."""
    problems: list[tuple[str, str]] = []
    fields: dict[str, Any] = {}
    enums: tuple[tuple[str, type[IntEnum], Any], ...] = (
        ("kind", CodeKind, kind),
        ("category", SubjectCategory, category),
        ("form", OrganisationForm, form),
    )
    for name, enum, value in enums:
        try:
            # Names are taken too ("production", "family_farm"): the subjects' records store them.
            fields[name] = enum[value.upper()] if isinstance(value, str) else enum(value)
        except (KeyError, ValueError, TypeError):
            top = max(enum).value
            problems.append((name, f"the {name} {value!r} is unknown; it is a digit 0-{top}"))
    if problems:
        return fields, problems
    kind = fields["kind"]
    name = KIND_NAMES[kind]

    number = subject_no.strip().upper() if isinstance(subject_no, str) else ""
    if not number or len(number) > SUBJECT_NO_LENGTH or any(ch not in _USCC_VALUES for ch in number):
        problems.append(("subject_no", "the subject number is 1-18 digits and capitals other than I, O, S, V, Z"))
    else:
        number = number.rjust(SUBJECT_NO_LENGTH, "0")
        fields["subject_no"] = number
        if kind == CodeKind.TEMP_SUBJECT_IDENTITY:
            if not (number[0] == "0" and _is_digits(number)):
                problems.append(("subject_no", f"a {name} holds a temporary number: 0 and 17 digits"))
        elif number[0] != "0" and not (is_uscc(number) or is_id_number(number)):
            problems.append(("subject_no", "the subject number is neither a valid USCC nor a valid resident ID number"))

    if kind == CodeKind.SUBJECT_USER:
        if type(user_no) is not int or not 0 <= user_no <= 999:
            problems.append(("user_no", f"a {name} has a user number 0-999"))
    elif user_no is not None:
        problems.append(("user_no", f"a {name} has no user number"))

    if kind in PRODUCT_KINDS:
        low, high = PRODUCT_CODE_LENGTH
        if not isinstance(product_code, str) or not (low <= len(product_code) <= high and _is_digits(product_code)):
            problems.append(("product_code", f"a {name} has a product category code of {low}-{high} digits"))
        if not isinstance(timestamp, datetime):
            problems.append(("timestamp", f"a {name} has a timestamp"))
        else:
            if timestamp.tzinfo is not None:
                timestamp = timestamp.astimezone(CST).replace(tzinfo=None)
            fields["timestamp"] = timestamp.replace(microsecond=0)
    else:
        if product_code is not None:
            problems.append(("product_code", f"a {name} has no product category code"))
        if timestamp is not None:
            problems.append(("timestamp", f"a {name} has no timestamp"))

    if type(serial) is not int or not 0 <= serial <= MAX_SERIAL:
        problems.append(("serial", f"the serial is 0-{MAX_SERIAL}"))
    elif serial and kind not in SHORT_TYPE_OF_KIND:
        problems.append(("serial", f"a {name} has no short form, so no serial"))
    return fields, problems


def _stamp(moment: datetime) -> str:
    return f"{moment.year:04d}{moment.month:02d}{moment.day:02d}{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"


def compose_long(code: TraceCode) -> str:
    """The long OID form (长码) the national platform reads."""
    if code.serial:
        message = "the long form has no serial; issue serial 0 or print the short form"
        raise ValidationFailed(message, errors=[{"field": "serial", "message": message}])
    parts = [OID_PREFIX, str(code.kind.value), str(code.category.value), str(code.form.value), code.subject_no]
    if code.kind == CodeKind.SUBJECT_USER:
        parts.append(f"{code.user_no:03d}")
    if code.kind in PRODUCT_KINDS:
        assert code.product_code is not None and code.timestamp is not None  # TraceCode checked it
        parts += [code.product_code, _stamp(code.timestamp)]
    return ".".join(parts)


def compose_short(code: TraceCode) -> str:
    """The short form (短码), for production batches, circulation batches and market-entry vouchers only."""
    short = code.short_type
    if short is None:
        message = f"a {KIND_NAMES[code.kind]} has no short form"
        raise ValidationFailed(message, errors=[{"field": "kind", "message": message}])
    assert code.product_code is not None and code.timestamp is not None  # TraceCode checked it
    head = f"{short.value}{code.category.value}{code.form.value}{code.subject_no}"
    return f"{head}{code.product_code}{_stamp(code.timestamp)}{code.serial:02d}"


def subject_identity_code(
    category: SubjectCategory | int | str, form: OrganisationForm | int | str, number: str
) -> str:
    """The long subject identity code (主体身份码) of a registered subject."""
    return compose_long(TraceCode(CodeKind.SUBJECT_IDENTITY, category, form, number))  # type: ignore[arg-type]


def code_url(base_url: str, code_text: str) -> str:
    """The platform's link for a code, {base_url}/c/{code}: what its QR code holds."""
    return f"{base_url.rstrip('/')}/c/{quote(code_text, safe='')}"


class _Bad(Exception):
    """A scanned code is malformed; parse turns it into ValidationFailed on field "code"."""


def parse(text: str) -> TraceCode:
    """A scanned or typed code: long form, short form or the platform's link; ValidationFailed on field "code"."""
    try:
        return _parse(text)
    except _Bad as exc:
        message = str(exc)
    raise ValidationFailed(f"the code is not valid: {message}", errors=[{"field": "code", "message": message}])


def _parse(text: str) -> TraceCode:
    if not isinstance(text, str):
        raise _Bad("the code is not text")
    value = text.strip()
    if not value:
        raise _Bad("the code is empty")
    if len(value) > MAX_CODE_TEXT:
        raise _Bad(f"the code is longer than {MAX_CODE_TEXT} characters")
    if value[:8].lower().startswith(("http://", "https://")):
        value = _from_link(value).strip()
        if not value:
            raise _Bad("the link holds no code: expected …/c/{code} or …?c={code}")
    value = value.upper()
    return _parse_long(value) if "." in value else _parse_short(value)


def _from_link(link: str) -> str:
    try:
        parts = urlsplit(link)
    except ValueError:
        raise _Bad("the link is not a valid URL") from None
    found = parse_qs(parts.query).get("c")
    if found:
        return found[0]
    segment = unquote(parts.path.rsplit("/", 1)[-1])
    if not segment:
        raise _Bad("the link holds no code: expected …/c/{code} or …?c={code}")
    return segment


def _digit(value: str, what: str, top: int) -> int:
    if len(value) != 1 or not _is_digits(value) or int(value) > top:
        raise _Bad(f"the {what} {value!r} is unknown; it is one digit 0-{top}")
    return int(value)


def _timestamp(value: str) -> datetime:
    if len(value) != 14 or not _is_digits(value):
        raise _Bad(f"the timestamp {value!r} is not 14 digits (yyyyMMddHHmmss)")
    try:
        return datetime(
            int(value[:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]), int(value[10:12]), int(value[12:14])
        )
    except ValueError:
        raise _Bad(f"the timestamp {value} is not a real date and time (yyyyMMddHHmmss)") from None


def _subject(value: str) -> str:
    if len(value) != SUBJECT_NO_LENGTH or any(ch not in _USCC_VALUES for ch in value):
        raise _Bad(f"the subject number {value!r} is not 18 digits and capital letters other than I, O, S, V, Z")
    return value


def _product_code(value: str) -> str:
    low, high = PRODUCT_CODE_LENGTH
    if not (low <= len(value) <= high and _is_digits(value)):
        raise _Bad(f"the product category code {value!r} is not {low}-{high} digits")
    return value


def _make(**fields: Any) -> TraceCode:
    fields.setdefault("user_no", None)
    fields.setdefault("product_code", None)
    fields.setdefault("timestamp", None)
    fields.setdefault("serial", 0)
    _, problems = _normalise(**fields)
    if problems:
        raise _Bad("; ".join(message for _, message in problems))
    return TraceCode(**fields)


def _parse_long(value: str) -> TraceCode:
    if not value.startswith(OID_PREFIX + "."):
        raise _Bad(f"a long code starts with {OID_PREFIX}.")
    parts = value[len(OID_PREFIX) + 1 :].split(".")
    kind = CodeKind(_digit(parts[0], "code kind", max(CodeKind).value))
    expected = 4 + (kind == CodeKind.SUBJECT_USER) + 2 * (kind in PRODUCT_KINDS)
    if len(parts) != expected:
        head = len(OID_PREFIX.split("."))
        raise _Bad(f"a {KIND_NAMES[kind]} has {head + expected} dot-separated parts, this one has {head + len(parts)}")
    fields: dict[str, Any] = {
        "kind": kind,
        "category": _digit(parts[1], "subject category", max(SubjectCategory).value),
        "form": _digit(parts[2], "organisation form", max(OrganisationForm).value),
        "subject_no": _subject(parts[3]),
    }
    if kind == CodeKind.SUBJECT_USER:
        if len(parts[4]) != 3 or not _is_digits(parts[4]):
            raise _Bad(f"the user number {parts[4]!r} is not 3 digits")
        fields["user_no"] = int(parts[4])
    if kind in PRODUCT_KINDS:
        fields["product_code"] = _product_code(parts[-2])
        fields["timestamp"] = _timestamp(parts[-1])
    return _make(**fields)


def _parse_short(value: str) -> TraceCode:
    if value[0] not in "123":
        raise _Bad("a short code starts with its type: 1 production batch, 2 circulation batch, 3 market-entry voucher")
    if not _SHORT_MIN <= len(value) <= _SHORT_MAX:
        raise _Bad(f"a short code has {_SHORT_MIN}-{_SHORT_MAX} characters, this one has {len(value)}")
    return _make(
        kind=KIND_OF_SHORT_TYPE[ShortType(int(value[0]))],
        category=_digit(value[1], "subject category", max(SubjectCategory).value),
        form=_digit(value[2], "organisation form", max(OrganisationForm).value),
        subject_no=_subject(value[3:21]),
        product_code=_product_code(value[21:-16]),
        timestamp=_timestamp(value[-16:-2]),
        serial=_serial(value[-2:]),
    )


def _serial(value: str) -> int:
    if not _is_digits(value):
        raise _Bad(f"the serial {value!r} is not 2 digits")
    return int(value)

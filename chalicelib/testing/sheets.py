"""Lab result sheets (检测结果表): an uploaded CSV or XLSX read into result rows and row errors; pure logic, no AWS."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

MAX_ROWS = 20000  # data rows; a whole province's monitoring round is a few thousand results

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the Excel 97-2003 compound file, which we do not read

# Header text (normalised by `_header_key`) -> field. Chinese lab software and hand-made sheets
# name the same column in several ways.
ALIASES: dict[str, str] = {
    "sample_id": "sample_id",
    "样品编号": "sample_id",
    "analyte": "analyte",
    "item": "analyte",
    "检测项目": "analyte",
    "检测项": "analyte",
    "value": "value",
    "result": "value",
    "检测值": "value",
    "检测结果": "value",
    "结果": "value",
    "unit": "unit",
    "单位": "unit",
    "method": "method",
    "检测方法": "method",
    "tested_at": "tested_at",
    "检测时间": "tested_at",
}
REQUIRED = ("sample_id", "analyte", "value", "unit")
NOT_DETECTED = frozenset({"nd", "n.d.", "未检出"})

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # a text file has none of these; a binary one does
_BRACKETED = re.compile(r"\(.*?\)|\[.*?\]")  # "检测值(mg/kg)": the unit in the header is not part of its name
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class SheetRow:
    """One result of a sheet (检测结果): a test item's value for a sample."""

    row_no: int
    sample_id: str
    analyte: str
    value: Decimal | None  # None: not detected (未检出)
    unit: str
    detected: bool
    method: str | None = None
    tested_at: str | None = None  # ISO date or datetime


@dataclass(frozen=True)
class RowError:
    """Why a row of the sheet was left out: its Excel row number, the column and the cell as written."""

    row_no: int
    field: str
    message: str
    raw: str = ""
    sample_id: str = ""  # the sample the row names, if it names one: its other rows can be held back


@dataclass(frozen=True)
class ParsedSheet:
    rows: list[SheetRow]
    errors: list[RowError]
    sha256: str  # of the uploaded bytes


class SheetUnreadable(ValueError):
    """The file as a whole cannot be read as a result sheet: no row of it is taken."""


class _Bad(Exception):
    """A cell that cannot be taken, with the message for the lab."""


def parse_sheet(data: bytes, filename: str) -> ParsedSheet:
    """Read a result sheet; the format comes from the bytes (an XLSX is a zip), the name only words the errors."""
    if not data:
        raise SheetUnreadable(f"{filename}: 文件为空 / the file is empty")
    if data.startswith(XLS_MAGIC):
        raise SheetUnreadable(
            f"{filename}: 旧版 .xls 文件，请另存为 .xlsx 或 CSV / an Excel 97-2003 .xls file: save it as .xlsx or CSV"
        )
    if data.startswith(XLSX_MAGIC):
        records: Iterator[tuple[int, Sequence[Any]]] = _xlsx_records(data, filename)
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise SheetUnreadable(f"{filename}: 不是 XLSX 工作簿 / named .xlsx but is not an XLSX workbook")
    else:
        records = _csv_records(data, filename)
    try:
        rows, errors = _read(records, filename)
    except csv.Error as exc:  # a field over the csv module's size limit, a quote never closed at the end
        raise SheetUnreadable(f"{filename}: CSV 格式错误 / not a well-formed CSV file") from exc
    return ParsedSheet(rows=rows, errors=errors, sha256=hashlib.sha256(data).hexdigest())


def error_report_csv(errors: Sequence[RowError]) -> bytes:
    """The row errors as a CSV the lab opens in Excel: UTF-8 with a BOM, or Excel shows the Chinese as mojibake."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行号 row", "字段 field", "问题 problem", "原值 raw"])
    for e in errors:
        writer.writerow([e.row_no, e.field, e.message, _inert(e.raw)])
    return out.getvalue().encode("utf-8-sig")


def _inert(raw: str) -> str:
    # The raw cell comes from an uploaded file: Excel would run "=HYPERLINK(...)" as a formula.
    if raw.startswith(_FORMULA_START) and not _NUMBER.fullmatch(raw):
        return "'" + raw
    return raw


# --- reading the two formats into (Excel row number, cells) ---------------------------------------


def _csv_records(data: bytes, filename: str) -> Iterator[tuple[int, Sequence[Any]]]:
    text = _decode(data, filename)
    if _CONTROL.search(text):
        raise SheetUnreadable(f"{filename}: 不是 CSV 或 XLSX 文件 / neither a CSV nor an XLSX file")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)  # ties (none at all) go to the comma
    # newline="": a quoted cell may hold a line break, and Excel shows such a record as one row
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    yield from enumerate(reader, start=1)


def _decode(data: bytes, filename: str) -> str:
    # Excel's "CSV UTF-8" has a BOM; its plain "CSV" on a Chinese Windows is GBK, which GB18030 contains.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetUnreadable(f"{filename}: 不是 CSV 或 XLSX 文件 / neither a CSV nor an XLSX file")


def _xlsx_records(data: bytes, filename: str) -> Iterator[tuple[int, Sequence[Any]]]:
    from openpyxl import load_workbook  # lazily: only sheet imports need it, and it costs ~130 ms at cold start

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no default style", unsupported extensions: nothing the lab can act on
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # any zip that is no workbook: BadZipFile, KeyError, InvalidFileException...
        raise SheetUnreadable(f"{filename}: 无法读取的 XLSX 工作簿 / not a readable XLSX workbook") from exc
    try:
        if not workbook.worksheets:
            raise SheetUnreadable(f"{filename}: 工作簿中没有工作表 / the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        # The stored dimension may be wrong (some writers put A1:A1), and read-only mode would stop at it.
        sheet.reset_dimensions()
        try:
            yield from enumerate(sheet.iter_rows(values_only=True), start=1)
        except Exception as exc:  # broken sheet XML inside a valid zip: ParseError, KeyError, ValueError...
            raise SheetUnreadable(f"{filename}: 无法读取的 XLSX 工作簿 / not a readable XLSX workbook") from exc
    finally:
        workbook.close()


# --- rows -----------------------------------------------------------------------------------------


def _read(records: Iterable[tuple[int, Sequence[Any]]], filename: str) -> tuple[list[SheetRow], list[RowError]]:
    columns: dict[str, int] | None = None
    rows: list[SheetRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    count = 0
    for row_no, cells in records:
        if all(_text(c) == "" for c in cells):
            continue
        if columns is None:
            columns = _columns(cells, filename)
            continue
        count += 1
        if count > MAX_ROWS:
            raise SheetUnreadable(f"{filename}: 超过 {MAX_ROWS} 行 / more than {MAX_ROWS} rows")
        row, row_errors = _row(row_no, cells, columns, seen)
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    if columns is None:
        raise SheetUnreadable(f"{filename}: 没有表头行 / no header row")
    if count == 0:
        raise SheetUnreadable(f"{filename}: 表头下没有数据 / no rows under the header")
    return rows, errors


def _columns(header: Sequence[Any], filename: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = _header_field(_text(cell))
        if field is None:
            continue
        if field in columns:
            raise SheetUnreadable(
                f"{filename}: 第 {columns[field] + 1} 列和第 {index + 1} 列都是 {field} / "
                f"columns {columns[field] + 1} and {index + 1} both give {field}"
            )
        columns[field] = index
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        names = ", ".join(missing)
        raise SheetUnreadable(f"{filename}: 缺少必需的列 {names} / missing required column {names}")
    return columns


def _header_field(text: str) -> str | None:
    """The field a header names: "样品编号", "Sample ID", "检测值(mg/kg)", or both ("样品编号\\nSample ID")."""
    text = _BRACKETED.sub("", unicodedata.normalize("NFKC", text))
    for candidate in (text, *re.split(r"[/\n|]", text), *text.split()):
        key = re.sub(r"[\s\-_]+", "_", candidate.strip().casefold()).strip("_")
        if key in ALIASES:
            return ALIASES[key]
    return None


def _row(
    row_no: int, cells: Sequence[Any], columns: dict[str, int], seen: dict[tuple[str, str], int]
) -> tuple[SheetRow | None, list[RowError]]:
    def cell(field: str) -> Any:
        index = columns.get(field)
        return cells[index] if index is not None and index < len(cells) else None

    errors: list[RowError] = []

    sample_id, analyte = _text(cell("sample_id")), _text(cell("analyte"))

    def bad(field: str, message: str) -> None:
        errors.append(RowError(row_no, field, message, _text(cell(field)), sample_id))

    if not sample_id:
        bad("sample_id", "样品编号为空 / sample ID is empty")
    if not analyte:
        bad("analyte", "检测项目为空 / test item is empty")
    value: Decimal | None = None
    try:
        value = _value(cell("value"))
    except _Bad as exc:
        bad("value", str(exc))
    unit = _text(cell("unit"))
    if value is not None and not unit:
        bad("unit", "有检出值但单位为空 / unit is empty for a detected value")
    tested_at: str | None = None
    try:
        tested_at = _tested_at(cell("tested_at"))
    except _Bad as exc:
        bad("tested_at", str(exc))
    if sample_id and analyte:
        # One result per sample and test item: a second one is an error whatever the first one's fate,
        # since the sheet does not say which of the two the lab meant.
        key = (sample_id.casefold(), analyte.casefold())
        if key in seen:
            errors.append(
                RowError(
                    row_no,
                    "analyte",
                    f"与第 {seen[key]} 行重复（同一样品、同一检测项目） / duplicate of row {seen[key]} "
                    "(same sample and test item)",
                    f"{sample_id} / {analyte}",
                    sample_id,
                )
            )
        else:
            seen[key] = row_no
    if errors:
        return None, errors
    method = _text(cell("method")) or None
    row = SheetRow(row_no, sample_id, analyte, value, unit, value is not None, method, tested_at)
    return row, []


# --- cells ----------------------------------------------------------------------------------------


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a sample number typed into an XLSX cell is a number there
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    return str(cell).strip()


def _value(cell: Any) -> Decimal | None:
    """The measured value, or None for not detected (ND, 未检出)."""
    if isinstance(cell, bool):
        raise _Bad("检测值不是数字 / value is not a number")
    if isinstance(cell, int):
        number = Decimal(cell)
    elif isinstance(cell, float):
        if not math.isfinite(cell):
            raise _Bad("检测值不是数字 / value is not a number")
        number = Decimal(str(cell))  # the decimal the cell shows, not the binary float's expansion
    elif isinstance(cell, str) or cell is None:
        # NFKC: full-width digits and points from a Chinese input method are still numbers
        text = "".join(unicodedata.normalize("NFKC", cell or "").split())
        if not text:
            raise _Bad("检测值为空 / value is empty")
        if text.casefold() in NOT_DETECTED:
            return None
        if not _NUMBER.fullmatch(text):
            raise _Bad("检测值不是数字或“未检出” / value is not a number or ND")
        number = Decimal(text)
    else:
        raise _Bad("检测值不是数字 / value is not a number")
    if number < 0:
        raise _Bad("检测值为负数 / value is negative")
    return abs(number)  # "-0" is 0


def _tested_at(cell: Any) -> str | None:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, datetime):
        # A cell formatted as a date holds midnight: the lab wrote a day.
        return cell.date().isoformat() if cell.time() == time() and cell.tzinfo is None else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, str):
        text = cell.strip()
        for parse in (date.fromisoformat, datetime.fromisoformat):
            try:
                return parse(text).isoformat()
            except ValueError:
                continue
    raise _Bad("检测时间不是 ISO 日期或时间（如 2024-05-01） / tested_at is not an ISO date or datetime")

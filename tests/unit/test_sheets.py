"""Lab result sheets: what a lab manager checks after uploading a CSV or XLSX of results."""

from __future__ import annotations

import csv
import hashlib
import io
import random
import subprocess
import sys
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from chalicelib.testing.sheets import MAX_ROWS, RowError, SheetRow, SheetUnreadable, error_report_csv, parse_sheet

HEADER_ZH = ["样品编号", "检测项目", "检测值", "单位", "检测方法", "检测时间", "备注"]
HEADER_EN = ["Sample_ID", "Item", "VALUE", "unit", "Method", "tested_at", "remark"]
METHOD = "GB 23200.113-2018"

# As a lab types them into a CSV; the XLSX version below holds the same results as typed cells.
CSV_ROWS = [
    ["SD2405-001", "毒死蜱", "0.05", "mg/kg", METHOD, "2024-05-01", ""],
    ["SD2405-001", "克百威", "未检出", "mg/kg", METHOD, "2024-05-01", "低于检出限"],
    ["", "", "", "", "", "", ""],  # a blank line the lab left between two samples
    ["SD2405-002", "腐霉利", "5E-2", "mg/kg", "", "2024-05-02T10:30:00", ""],
    ["SD2405-002", "铅", "ND", "mg/kg", "", "", ""],
    ["SD2405-003", "镉", " 1 ", "μg/kg", METHOD, "", ""],
]
XLSX_ROWS: list[list[object]] = [
    ["SD2405-001", "毒死蜱", 0.05, "mg/kg", METHOD, datetime(2024, 5, 1), None],
    ["SD2405-001", "克百威", "未检出", "mg/kg", METHOD, datetime(2024, 5, 1), "低于检出限"],
    [None] * 7,
    ["SD2405-002", "腐霉利", 0.05, "mg/kg", None, datetime(2024, 5, 2, 10, 30), None],
    ["SD2405-002", "铅", "ND", "mg/kg", None, None, None],
    ["SD2405-003", "镉", 1, "μg/kg", METHOD, None, None],
]
EXPECTED = [
    SheetRow(2, "SD2405-001", "毒死蜱", Decimal("0.05"), "mg/kg", True, METHOD, "2024-05-01"),
    SheetRow(3, "SD2405-001", "克百威", None, "mg/kg", False, METHOD, "2024-05-01"),
    SheetRow(5, "SD2405-002", "腐霉利", Decimal("0.05"), "mg/kg", True, None, "2024-05-02T10:30:00"),
    SheetRow(6, "SD2405-002", "铅", None, "mg/kg", False, None, None),
    SheetRow(7, "SD2405-003", "镉", Decimal("1"), "μg/kg", True, METHOD, None),
]


def _csv(rows: list[list[str]], header: list[str] = HEADER_ZH, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode(encoding)


def _xlsx(rows: list[list[object]], header: list[str] = HEADER_ZH) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _errors(errors: list[RowError]) -> list[tuple[int, str]]:
    return [(e.row_no, e.field) for e in errors]


# --- good sheets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_csv(CSV_ROWS, encoding="utf-8-sig"), id="csv-utf8-bom (Excel: CSV UTF-8)"),
        pytest.param(_csv(CSV_ROWS, encoding="utf-8"), id="csv-utf8"),
        pytest.param(_csv(CSV_ROWS, encoding="gb18030"), id="csv-gb18030 (Excel on Chinese Windows: CSV)"),
        pytest.param(_csv(CSV_ROWS, header=HEADER_EN), id="csv-english-headers"),
        pytest.param(_xlsx(XLSX_ROWS), id="xlsx"),
        pytest.param(_xlsx(XLSX_ROWS, header=HEADER_EN), id="xlsx-english-headers"),
    ],
)
def test_given_a_good_sheet_in_any_format_when_parsed_then_every_result_comes_through_with_its_excel_row(data):
    parsed = parse_sheet(data, "检测结果.csv" if data[:2] != b"PK" else "检测结果.xlsx")

    assert parsed.errors == []
    assert parsed.rows == EXPECTED
    assert parsed.sha256 == hashlib.sha256(data).hexdigest()


def test_given_nd_in_any_spelling_when_parsed_then_the_results_are_not_detected_without_a_value():
    rows = [[f"S{i}", "毒死蜱", text, "mg/kg"] for i, text in enumerate(["未检出", "ND", "nd", "N.D.", " n.d. "])]

    parsed = parse_sheet(_csv(rows, header=HEADER_ZH[:4]), "nd.csv")

    assert parsed.errors == []
    assert [(r.value, r.detected) for r in parsed.rows] == [(None, False)] * 5


def test_given_the_format_named_wrongly_when_parsed_then_the_content_decides():
    parsed = parse_sheet(_xlsx(XLSX_ROWS), "results.csv")

    assert parsed.rows == EXPECTED


def test_given_bilingual_headers_with_units_when_parsed_then_the_columns_are_found():
    header = ["样品编号\nSample ID", "检测项目 / Test item", "检测值(mg/kg)", "单位 Unit"]

    parsed = parse_sheet(_csv([["S1", "铅", "0.1", "mg/kg"]], header=header), "r.csv")

    assert parsed.rows == [SheetRow(2, "S1", "铅", Decimal("0.1"), "mg/kg", True)]


# --- bad rows -------------------------------------------------------------------------------------


def test_given_bad_rows_when_parsed_then_each_is_reported_at_its_excel_row_and_the_good_rows_still_come_through():
    rows = [
        ["S1", "毒死蜱", "0.02", "mg/kg", "", "2024-05-01", ""],  # row 2: good
        ["S1", "克百威", "阳性", "mg/kg", "", "", ""],  # row 3: text value
        ["S2", "毒死蜱", "-0.1", "mg/kg", "", "", ""],  # row 4: negative
        ["", "毒死蜱", "0.01", "mg/kg", "", "", ""],  # row 5: no sample
        ["", "", "", "", "", "", ""],  # row 6: blank, skipped
        ["S1", "毒死蜱", "0.03", "mg/kg", "", "", ""],  # row 7: the same sample and item as row 2
        ["S3", "铅", "0.2", "mg/kg", "", "2024/05/01", ""],  # row 8: not an ISO date
        ["S3", "镉", "", "mg/kg", "", "", ""],  # row 9: no value
        ["S3", "汞", "NaN", "mg/kg", "", "", ""],  # row 10: not a number
        ["S4", "铅", "0.1", "", "", "", ""],  # row 11: a value without its unit
        ["S4", "镉", "未检出", "", "", "", ""],  # row 12: good: nothing detected needs no unit
    ]

    parsed = parse_sheet(_csv(rows), "results.csv")

    assert [r.row_no for r in parsed.rows] == [2, 12]
    assert _errors(parsed.errors) == [
        (3, "value"),
        (4, "value"),
        (5, "sample_id"),
        (7, "analyte"),
        (8, "tested_at"),
        (9, "value"),
        (10, "value"),
        (11, "unit"),
    ]
    by_row = {e.row_no: e for e in parsed.errors}
    assert by_row[3].raw == "阳性"
    assert (by_row[3].sample_id, by_row[5].sample_id, by_row[7].sample_id) == ("S1", "", "S1")
    assert "negative" in by_row[4].message
    assert "duplicate of row 2" in by_row[7].message
    assert by_row[8].raw == "2024/05/01"


def test_given_bad_rows_in_an_xlsx_when_parsed_then_the_row_numbers_are_those_excel_shows():
    rows: list[list[object]] = [
        ["S1", "毒死蜱", 0.02, "mg/kg", None, datetime(2024, 5, 1), None],
        [None] * 7,
        [None] * 7,
        ["S1", "克百威", "阳性", "mg/kg", None, None, None],
        ["S2", "毒死蜱", -0.1, "mg/kg", None, None, None],
        ["S2", "铅", 0.3, "mg/kg", None, 45413, None],  # a date typed as a bare serial number
        [None, "镉", 0.1, "mg/kg", None, None, None],
    ]

    parsed = parse_sheet(_xlsx(rows), "results.xlsx")

    assert [r.row_no for r in parsed.rows] == [2]
    assert _errors(parsed.errors) == [(5, "value"), (6, "value"), (7, "tested_at"), (8, "sample_id")]


def test_given_a_formula_in_an_uploaded_cell_when_reported_then_excel_shows_it_as_text():
    parsed = parse_sheet(_csv([["S1", "铅", '=HYPERLINK("http://x")', "mg/kg"]], header=HEADER_ZH[:4]), "r.csv")

    [line] = list(csv.reader(io.StringIO(error_report_csv(parsed.errors).decode("utf-8-sig"))))[1:]
    assert line[3] == '\'=HYPERLINK("http://x")'


def test_given_row_errors_when_reported_then_the_csv_opens_in_excel_with_one_line_per_error():
    errors = [
        RowError(3, "value", "检测值不是数字或“未检出” / value is not a number or ND", "阳性"),
        RowError(4, "value", "检测值为负数 / value is negative", "-0.1"),
        RowError(7, "analyte", "duplicate of row 2", "S1 / 毒死蜱"),
    ]

    report = error_report_csv(errors)

    assert report.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    lines = report.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + len(errors)
    header, *body = list(csv.reader(lines))
    assert header == ["行号 row", "字段 field", "问题 problem", "原值 raw"]
    assert body[0] == ["3", "value", "检测值不是数字或“未检出” / value is not a number or ND", "阳性"]
    assert body[1][3] == "-0.1"  # a negative number is no formula: shown as typed


# --- unreadable files -----------------------------------------------------------------------------


def test_given_a_sheet_without_the_unit_column_when_parsed_then_it_is_refused_naming_the_column():
    with pytest.raises(SheetUnreadable, match="unit"):
        parse_sheet(_csv([["S1", "铅", "0.1"]], header=["样品编号", "检测项目", "检测值"]), "r.csv")


@pytest.mark.parametrize("filename", ["results.csv", "results.xlsx", "results.bin"])
def test_given_a_random_binary_file_when_parsed_then_it_is_refused(filename):
    data = random.Random(7).randbytes(4096)

    with pytest.raises(SheetUnreadable):
        parse_sheet(data, filename)


def test_given_a_zip_that_is_no_workbook_when_parsed_then_it_is_refused():
    with pytest.raises(SheetUnreadable, match="XLSX"):
        parse_sheet(b"PK\x03\x04" + random.Random(8).randbytes(2048), "results.xlsx")


@pytest.mark.parametrize(
    "data", [b"", b"\xef\xbb\xbf", "样品编号,检测项目,检测值,单位\n\n".encode()], ids=["empty", "bom", "header-only"]
)
def test_given_an_empty_sheet_when_parsed_then_it_is_refused(data):
    with pytest.raises(SheetUnreadable):
        parse_sheet(data, "results.csv")


def test_given_more_rows_than_the_limit_when_parsed_then_the_sheet_is_refused():
    rows = [[f"S{i}", "铅", "0.1", "mg/kg"] for i in range(MAX_ROWS + 1)]

    with pytest.raises(SheetUnreadable, match=str(MAX_ROWS)):
        parse_sheet(_csv(rows, header=HEADER_ZH[:4]), "results.csv")


def test_given_the_api_when_it_imports_the_sheet_reader_then_openpyxl_is_not_loaded():
    code = "import sys, chalicelib.testing.sheets; print('openpyxl' in sys.modules)"

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    assert out.strip() == "False"

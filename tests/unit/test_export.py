"""Result summary table: what a lab manager sees when opening the exported 检测结果汇总表 in Excel."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from chalicelib.testing.export import COLUMNS, LABELS, SummaryRow, summary_filename, write_summary_xlsx
from chalicelib.testing.judgement import Outcome

TITLE = "2024年第二季度蔬菜农药残留例行监测 检测结果汇总表"
ANALYTES = [("毒死蜱", "0.02", "qualified"), ("克百威", "未检出", "qualified"), ("腐霉利", "5.3", "unqualified")]


def _rows(n: int) -> Iterator[SummaryRow]:
    """n result lines, three test items a sample; a generator, as the export gets them from the table."""
    for i in range(n):
        sample, (analyte, value, outcome) = i // 3 + 1, ANALYTES[i % 3]
        yield SummaryRow(
            sample_id=f"SD2405-{sample:05d}",
            sample_name="韭菜",
            trace_code=f"37010220240501{sample:06d}" if sample % 2 else None,
            sampled_at="2024-05-01 09:30",
            place="济南市历城区 唐王街道 绿源蔬菜基地",
            subject_name="济南绿源蔬菜专业合作社" if sample % 2 else None,
            analyte=analyte,
            value=value,
            unit="mg/kg",
            limit="0.02" if analyte != "腐霉利" else "0.2",
            standard="GB 2763-2021",
            outcome=outcome,
            verdict="unqualified" if sample % 5 == 0 else "qualified",
        )


def _values(path: Path) -> list[tuple[object, ...]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def test_given_1000_results_when_exported_then_excel_shows_title_headers_and_every_row_in_order(tmp_path):
    path = tmp_path / "summary.xlsx"

    written = write_summary_xlsx(_rows(1000), str(path), title=TITLE)

    assert written == 1000
    title, header, *data = _values(path)
    assert title[0] == TITLE
    assert header == tuple(f"{zh}\n{en}" for zh, en in COLUMNS)
    assert header[0] == "序号\nNo." and header[-1] == "样品结论\nSample verdict"
    assert len(data) == 1000
    assert [row[0] for row in data] == list(range(1, 1001))
    assert data[0] == (
        1,
        "SD2405-00001",
        "韭菜",
        "37010220240501000001",
        "2024-05-01 09:30",
        "济南市历城区 唐王街道 绿源蔬菜基地",
        "济南绿源蔬菜专业合作社",
        "毒死蜱",
        "0.02",
        "mg/kg",
        "0.02",
        "GB 2763-2021",
        "合格",
        "合格",
    )
    # row 1000 is sample 334's first item; 334 is even: no trace code, no subject on record
    assert data[-1][:9] == (1000, "SD2405-00334", "韭菜", None, "2024-05-01 09:30", data[-1][5], None, "毒死蜱", "0.02")


def test_given_an_unqualified_item_when_exported_then_its_verdict_is_red_and_the_header_stays_in_view(tmp_path):
    path = tmp_path / "summary.xlsx"

    write_summary_xlsx(_rows(15), str(path), title=TITLE)

    sheet = load_workbook(path).worksheets[0]
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:N17"
    assert "A1:N1" in {str(r) for r in sheet.merged_cells.ranges}
    qualified, unqualified = sheet["M3"], sheet["M5"]  # 毒死蜱 0.02, 腐霉利 5.3
    assert (qualified.value, unqualified.value) == ("合格", "不合格")
    assert unqualified.font.color.rgb.endswith("9C0006") and unqualified.fill.fgColor.rgb.endswith("FFC7CE")
    assert qualified.font.color is None or not str(qualified.font.color.rgb).endswith("9C0006")
    assert sheet["N15"].value == "不合格"  # sample 5's verdict
    assert sheet["N15"].font.color.rgb.endswith("9C0006")


def test_given_every_outcome_the_judgement_gives_when_exported_then_the_table_shows_it_in_chinese():
    assert {o: LABELS[o] for o in Outcome} == {
        "qualified": "合格",
        "unqualified": "不合格",
        "below_loq": "低于定量限",
        "not_detected": "未检出",
    }


def test_given_rows_already_labelled_in_chinese_when_exported_then_failures_are_red_all_the_same(tmp_path):
    path = tmp_path / "summary.xlsx"
    row = next(_rows(1))
    labelled = SummaryRow(**{**row.__dict__, "outcome": "不合格", "verdict": "待检"})

    write_summary_xlsx(iter([labelled]), str(path), title=TITLE)

    outcome, verdict = load_workbook(path).worksheets[0]["M3":"N3"][0]
    assert (outcome.value, verdict.value) == ("不合格", "待检")
    assert outcome.font.color.rgb.endswith("9C0006")
    assert verdict.font.color is None or not str(verdict.font.color.rgb).endswith("9C0006")


def test_given_a_lab_text_that_looks_like_a_formula_when_exported_then_it_stays_text(tmp_path):
    path = tmp_path / "summary.xlsx"
    row = next(_rows(1))
    hostile = SummaryRow(**{**row.__dict__, "sample_name": '=HYPERLINK("http://x","点我")', "value": "0.050"})

    write_summary_xlsx(iter([hostile]), str(path), title="=1+1 汇总")

    sheet = load_workbook(path).worksheets[0]
    assert (sheet["A1"].value, sheet["A1"].data_type) == ("=1+1 汇总", "s")
    cells = sheet[3]
    assert (cells[2].value, cells[2].data_type) == ('=HYPERLINK("http://x","点我")', "s")
    assert cells[8].value == "0.050"  # the digits the lab reported, trailing zero included


def test_given_no_results_when_exported_then_the_table_has_its_title_and_headers_only(tmp_path):
    path = tmp_path / "summary.xlsx"

    assert write_summary_xlsx(iter(()), str(path), title=TITLE) == 0
    assert len(_values(path)) == 2


def test_given_the_results_fail_midway_when_exporting_then_no_file_and_no_temp_file_is_left(tmp_path):
    def failing() -> Iterator[SummaryRow]:
        yield from _rows(5)
        raise RuntimeError("the table read failed")

    with pytest.raises(RuntimeError, match="table read failed"):
        write_summary_xlsx(failing(), str(tmp_path / "summary.xlsx"), title=TITLE)

    assert list(tmp_path.iterdir()) == []


def test_given_titles_with_slashes_and_spaces_when_naming_the_file_then_the_name_is_safe_and_readable():
    name = summary_filename("2024年第二季度 蔬菜/水果 例行监测", "济南市农产品质量安全检测中心", "2024-05-01")

    assert name == "检测结果汇总表_济南市农产品质量安全检测中心_2024年第二季度_蔬菜_水果_例行监测_2024-05-01.xlsx"


def test_given_very_long_titles_when_naming_the_file_then_it_fits_a_file_system():
    name = summary_filename("监测" * 200, "检测中心" * 100, "2024-05-01")

    assert name.endswith("_2024-05-01.xlsx") and "/" not in name
    assert len(name.encode("utf-8")) <= 255


def test_given_the_api_when_it_imports_the_exporter_then_xlsxwriter_is_not_loaded():
    code = "import sys, chalicelib.testing.export; print('xlsxwriter' in sys.modules, 'openpyxl' in sys.modules)"

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    assert out.strip() == "False False"

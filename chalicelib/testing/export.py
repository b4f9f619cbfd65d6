"""Result summary table (检测结果汇总表): result rows streamed into an XLSX file, never all held in memory."""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.testing.judgement import Outcome

COLUMNS: list[tuple[str, str]] = [
    ("序号", "No."),
    ("样品编号", "Sample ID"),
    ("样品名称", "Sample"),
    ("产品追溯码", "Trace code"),
    ("抽样时间", "Sampled at"),
    ("抽样地点", "Place"),
    ("受检单位", "Subject"),
    ("检测项目", "Test item"),
    ("检测值", "Result"),
    ("单位", "Unit"),
    ("限量值", "Limit"),
    ("判定标准", "Standard"),
    ("单项判定", "Item verdict"),
    ("样品结论", "Sample verdict"),
]
# In Excel's character widths; a Chinese character takes about two.
WIDTHS = (7, 28, 16, 30, 20, 30, 30, 18, 10, 9, 10, 30, 10, 10)
# Item outcomes and sample verdicts as the table shows them (the same words as
# chalicelib.monitoring.exports); a text that is no code, a label already, is shown as it is.
LABELS: dict[str, str] = {
    Outcome.QUALIFIED: "合格",
    Outcome.UNQUALIFIED: "不合格",
    Outcome.BELOW_LOQ: "低于定量限",
    Outcome.NOT_DETECTED: "未检出",
    "pending": "待检",
}
FAILED = LABELS[Outcome.UNQUALIFIED]  # red, whether the row gave the code or its label

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+|\s+')  # not in a file name on Windows, macOS or in an S3 key
# UTF-8 bytes of each part (a Chinese character is 3): the whole name stays under the 255 bytes file systems allow.
_ORG_BYTES, _TASK_BYTES, _DAY_BYTES = 72, 108, 20


@dataclass(frozen=True)
class SummaryRow:
    """One line of the summary: a sample's result for one test item, with the sample's verdict, as text."""

    sample_id: str
    sample_name: str
    trace_code: str | None
    sampled_at: str
    place: str
    subject_name: str | None
    analyte: str
    value: str  # as reported ("0.050", "未检出"): the digits the lab wrote are the result
    unit: str
    limit: str
    standard: str
    outcome: str  # an Outcome ("qualified", "unqualified", "below_loq", "not_detected")
    verdict: str  # a sample Verdict ("pending", "qualified", "unqualified")


def write_summary_xlsx(rows: Iterable[SummaryRow], path: str, *, title: str) -> int:
    """Write the summary to `path`, one row at a time, and answer the number of result rows written.

    XlsxWriter's constant_memory mode writes each row to a temp file beside `path` as soon as the next
    row starts, so memory stays flat however many rows there are; the disk needs about twice the
    sheet's uncompressed XML. The cells are written as strings, never as formulas: their text comes
    from the labs.
    """
    from xlsxwriter import Workbook  # lazily: only exports need it

    # The temp file beside the output: same file system, and the Lambda's /tmp is the one that is writable.
    workbook = Workbook(path, {"constant_memory": True, "tmpdir": os.path.dirname(os.path.abspath(path))})
    try:
        count = _write(workbook, rows, title)
    except BaseException:
        # Closing removes XlsxWriter's temp file (a warm Lambda keeps its /tmp); the partial file
        # that closing writes is no summary.
        with contextlib.suppress(Exception):
            workbook.close()
        with contextlib.suppress(OSError):
            os.remove(path)
        raise
    workbook.close()
    return count


def _write(workbook: Any, rows: Iterable[SummaryRow], title: str) -> int:
    sheet = workbook.add_worksheet("检测结果汇总")
    title_format = workbook.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    header_format = workbook.add_format(
        {"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter", "border": 1, "bg_color": "#D9E1F2"}
    )
    cell_format = workbook.add_format({"border": 1})
    red_format = workbook.add_format({"border": 1, "font_color": "#9C0006", "bg_color": "#FFC7CE", "bold": True})

    last_col = len(COLUMNS) - 1
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width)
    # constant_memory: rows must be written top to bottom, each finished before the next starts.
    sheet.set_row(0, 28)
    sheet.merge_range(0, 0, 0, last_col, "", title_format)
    sheet.write_string(0, 0, title, title_format)  # merge_range's own write would take "=..." for a formula
    sheet.set_row(1, 32)
    for col, (zh, en) in enumerate(COLUMNS):
        sheet.write_string(1, col, f"{zh}\n{en}", header_format)
    sheet.freeze_panes(2, 0)

    count = 0
    for count, row in enumerate(rows, start=1):
        r = count + 1
        sheet.write_number(r, 0, count, cell_format)
        cells = (
            row.sample_id,
            row.sample_name,
            row.trace_code or "",
            row.sampled_at,
            row.place,
            row.subject_name or "",
            row.analyte,
            row.value,
            row.unit,
            row.limit,
            row.standard,
        )
        for col, text in enumerate(cells, start=1):
            if text:
                sheet.write_string(r, col, text, cell_format)
            else:  # a blank cell, not an empty string: Excel's filter lists it under (Blanks)
                sheet.write_blank(r, col, None, cell_format)
        for col, code in ((12, row.outcome), (13, row.verdict)):
            shown = LABELS.get(code, code)
            sheet.write_string(r, col, shown, red_format if shown == FAILED else cell_format)

    sheet.autofilter(1, 0, max(count + 1, 1), last_col)
    if count:
        # "Number stored as text" on every result and limit: they are text on purpose (significant digits).
        sheet.ignore_errors({"number_stored_as_text": f"B3:L{count + 2}"})
    return count


def summary_filename(task_title: str, org_name: str, day: str) -> str:
    """A file name for the summary: "检测结果汇总表_{org}_{task}_{day}.xlsx", with nothing a file system refuses."""
    parts = ["检测结果汇总表", _safe(org_name, _ORG_BYTES), _safe(task_title, _TASK_BYTES), _safe(day, _DAY_BYTES)]
    return "_".join(p for p in parts if p) + ".xlsx"


def _safe(text: str, max_bytes: int) -> str:
    text = _UNSAFE.sub("_", unicodedata.normalize("NFKC", text)).strip("._")
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1]
    return text.rstrip("._")

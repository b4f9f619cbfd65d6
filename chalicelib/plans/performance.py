"""Performance assessment (绩效考核, Art 8): each supervisor's completion per period, from counters the stream keeps.

Cells are keyed per agency × period × supervisor (`PERF#{org}#{period}` / `USER#{user}`), for the month, the
quarter and the year (China time) alike, so the head's table is one Query whatever the number of inspections:

- a published plan adds each target to the cells of its period and the periods that contain it;
- an inspection adds to the cells of the month, quarter and year it was done in: done, of a key supervision
  object (重点监管对象, as the subject was flagged when the record arrived), on time, its score, its failed items,
  whether it handed items to enforcement; an edit takes back what its previous state added and adds the new;
- a corrective action (整改) adds to open, overdue or closed in the periods of the inspection that set it, and
  moves from one to the other as its state changes.

Each change is counted once per version of its record (core.counters.count_once): a re-delivery adds nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from typing import Any

from chalicelib.core import clock, storage
from chalicelib.core.access import Principal
from chalicelib.core.config import get_settings
from chalicelib.core.counters import Cell, count_once
from chalicelib.core.errors import NotFoundError
from chalicelib.core.events import RecordChange
from chalicelib.core.ids import new_id
from chalicelib.inspections.followups import decoded
from chalicelib.inspections.models import InspectionPage
from chalicelib.inspections.records import summary
from chalicelib.orgs import store as orgs

from . import periods, service, store
from .models import (
    PerformanceExportRequest,
    PerformanceExportView,
    PerformanceInspectionQuery,
    PerformanceQuery,
    PerformanceRow,
    PerformanceView,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACTION_FIGURES = {"open": "actions_open", "overdue": "actions_overdue", "closed": "actions_closed"}


# --- counting, from the stream -------------------------------------------------------------------------


def _cells(org_id: str, user_id: str, in_periods: Iterable[str], deltas: dict[str, int], **attrs: str) -> list[Cell]:
    return [
        Cell(
            store.cell_pk(org_id, period),
            store.cell_sk(user_id),
            deltas,
            {"kind": "PerformanceCell", "org_id": org_id, "user_id": user_id, "period": period, **attrs},
        )
        for period in in_periods
    ]


def count_targets(plan: dict[str, Any]) -> None:
    """A published plan's targets, added once (the plan is published once: its version names the change)."""
    cells = []
    for target in plan["targets"]:
        deltas = {"target": int(target["inspections"]), "target_key": int(target["key_objects"])}
        within = periods.containing(plan["period"])
        cells += _cells(plan["org_id"], target["user_id"], within, deltas, name=target["name"])
    count_once(f"InspectionPlan#{plan['id']}#v{plan['audit_seq']}", cells)


def inspection_figures(image: dict[str, Any]) -> dict[str, int]:
    """What one state of an inspection adds to its inspector's cells."""
    result = image.get("result") or {}
    score = result.get("score")
    failed = result.get("failed_items") or []
    return {
        "done": 1,
        "key_done": int(bool(image.get("key_object"))),
        "on_time": int(bool(image.get("on_time"))),
        "scored": int(score is not None),
        "score_tenths": round(float(score) * 10) if score is not None else 0,
        "failed_items": len(failed),
        "handed_over": int(any(f.get("handover") for f in failed)),
    }


def _inspection_cells(image: dict[str, Any], sign: int) -> list[Cell]:
    if not image:
        return []
    figures = {name: sign * value for name, value in inspection_figures(image).items()}
    return _cells(image["org_id"], image["inspected_by"], periods.of_moment(image["done_at"]), figures)


def _action_cells(image: dict[str, Any] | None, sign: int) -> list[Cell]:
    if not image or image.get("state") not in ACTION_FIGURES:
        return []
    # The periods of the inspection that set it; an action opened before they were kept, those of its due day.
    moment = image.get("done_at") or clock.iso(clock.cst_day_end(image["due"]))
    deltas = {ACTION_FIGURES[image["state"]]: sign}
    return _cells(image["org_id"], image["inspected_by"], periods.of_moment(moment), deltas)


def count(change: RecordChange) -> None:
    """Stream: an inspection or a corrective action changed; its old state's figures out, its new state's in."""
    if change.kind == "Inspection":
        new, old = decoded(change.new), decoded(change.old)
        cells = _inspection_cells(new, 1) + _inspection_cells(old, -1)
    elif change.kind == "CorrectiveAction":
        cells = _action_cells(change.new, 1) + _action_cells(change.old, -1)
    else:
        return
    version = change.image.get("audit_seq")
    key = change.image.get("pk", "")
    # A state that adds what the one before took back (an edit of the photos) merges to nothing: no write at all.
    count_once(f"{change.kind}#{key}#{change.image.get('sk', '')}#v{version}", cells)


# --- reading -------------------------------------------------------------------------------------------


def _whose(user: Principal, user_id: str | None) -> str | None:
    """Whose rows the user may read: a head's or admin's whole agency (or one supervisor), else their own."""
    if service.is_planner(user):
        return user_id
    if user_id not in (None, user.user_id):
        raise NotFoundError("no such supervisor in your agency's figures")
    return user.user_id


def _ratio(part: int, whole: int, digits: int = 3) -> float | None:
    return round(part / whole, digits) if whole else None


def row(cell: store.PerformanceCell) -> PerformanceRow:
    done, scored = int(cell.done), int(cell.scored)
    return PerformanceRow(
        user_id=cell.user_id,
        name=cell.name,
        target=int(cell.target),
        target_key=int(cell.target_key),
        done=done,
        key_done=int(cell.key_done),
        completion=_ratio(done, int(cell.target)),
        on_time=int(cell.on_time),
        on_time_rate=_ratio(int(cell.on_time), done),
        average_score=round(int(cell.score_tenths) / scored / 10, 1) if scored else None,
        failed_items=int(cell.failed_items),
        handed_over=int(cell.handed_over),
        actions_open=int(cell.actions_open),
        actions_overdue=int(cell.actions_overdue),
        actions_closed=int(cell.actions_closed),
    )


def performance(user: Principal, query: PerformanceQuery) -> PerformanceView:
    """The period's table of the user's agency: one Query of its cells, sorted by supervisor."""
    service._agency(user)
    rows = [row(c) for c in store.cells(user.org_id, query.period, _whose(user, query.user_id))]
    return PerformanceView(
        org_id=user.org_id,
        period=query.period,
        on_time_hours=get_settings().inspection_on_time_hours,
        rows=sorted(rows, key=lambda r: (r.name or "", r.user_id)),
    )


def inspections(user: Principal, query: PerformanceInspectionQuery) -> InspectionPage:
    """The drill-down: one supervisor's inspections of the period, newest first (one Query a page)."""
    service._agency(user)
    whose = _whose(user, query.user_id) or user.user_id
    start, end = periods.bounds(query.period)
    items, cursor = store.inspections_by(
        user.org_id, whose, clock.iso(start), clock.iso(end), limit=query.limit, cursor=query.cursor
    )
    return InspectionPage(items=[summary(r) for r in items], next_cursor=cursor)


# --- the table as XLSX -------------------------------------------------------------------------------

COLUMNS: list[tuple[str, str]] = [
    ("序号", "No."),
    ("巡查人员", "Supervisor"),
    ("用户ID", "User ID"),
    ("任务数", "Target"),
    ("重点对象任务数", "Key target"),
    ("完成数", "Done"),
    ("完成率", "Completion"),
    ("重点对象完成数", "Key done"),
    ("及时上传数", "On time"),
    ("及时率", "On-time rate"),
    ("平均得分", "Average score"),
    ("不合格项", "Failed items"),
    ("移交执法", "Handed over"),
    ("整改中", "Actions open"),
    ("整改逾期", "Actions overdue"),
    ("整改完成", "Actions closed"),
]
WIDTHS = (7, 16, 30, 9, 12, 9, 10, 12, 11, 10, 10, 10, 10, 10, 10, 10)


def row_cells(n: int, r: PerformanceRow) -> list[Any]:
    """One line of the table, as its cells (text, numbers, or None for a blank)."""
    return [
        n,
        r.name or "",
        r.user_id,
        r.target,
        r.target_key,
        r.done,
        r.completion,
        r.key_done,
        r.on_time,
        r.on_time_rate,
        r.average_score,
        r.failed_items,
        r.handed_over,
        r.actions_open,
        r.actions_overdue,
        r.actions_closed,
    ]


def write_xlsx(rows: Iterable[PerformanceRow], path: str, *, title: str) -> int:
    """The table, one row at a time (XlsxWriter's constant_memory, as the result summary is written)."""
    from xlsxwriter import Workbook

    workbook = Workbook(path, {"constant_memory": True, "tmpdir": os.path.dirname(os.path.abspath(path))})
    try:
        sheet = workbook.add_worksheet("巡查绩效")
        bold = workbook.add_format({"bold": True, "font_size": 14})
        header = workbook.add_format({"bold": True, "text_wrap": True, "border": 1, "bg_color": "#D9E1F2"})
        cell = workbook.add_format({"border": 1})
        for col, width in enumerate(WIDTHS):
            sheet.set_column(col, col, width)
        sheet.write_string(0, 0, title, bold)
        for col, (zh, en) in enumerate(COLUMNS):
            sheet.write_string(1, col, f"{zh}\n{en}", header)
        count = 0
        for count, r in enumerate(rows, start=1):
            for col, value in enumerate(row_cells(count, r)):
                if value is None:
                    sheet.write_blank(count + 1, col, None, cell)
                elif isinstance(value, str):
                    sheet.write_string(count + 1, col, value, cell)  # names are text, never formulas
                else:
                    sheet.write_number(count + 1, col, value, cell)
        sheet.freeze_panes(2, 0)
    finally:
        workbook.close()
    return count


def export(user: Principal, req: PerformanceExportRequest) -> PerformanceExportView:
    """The head's table as an XLSX file in the bucket, with a presigned GET to fetch it."""
    table = performance(user, PerformanceQuery(period=req.period))
    agency = orgs.get_agency(user.org_id)
    filename = f"巡查绩效_{req.period}.xlsx"
    key = f"exports/performance/{user.org_id}/{req.period}/{new_id()}.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "performance.xlsx")
        rows = write_xlsx(table.rows, path, title=f"{agency.name} {req.period} 基地巡查绩效考核表")
        storage.upload_file(path, key, XLSX)
    return PerformanceExportView(filename=filename, rows=rows, download_url=storage.presigned_get(key, filename))

"""Result sheets (结果导入): uploaded through a presigned POST, imported by the S3 event, reported row by row."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from chalicelib.core import audit, storage
from chalicelib.core.access import Principal, check_access
from chalicelib.core.config import get_settings
from chalicelib.core.errors import NotFoundError, PayloadTooLarge
from chalicelib.core.ids import new_id

from . import service, store
from .models import CreateImportRequest, ImportTicket, ImportView, ResultEntry

logger = Logger(service="agritrace")
PREFIX = "imports/"
REPORT_PREFIX = "reports/imports/"
SYSTEM = "system:imports"
_ROW_FIELD = re.compile(r"^rows\.(\d+)\.?(.*)$")


def view(rec: store.ImportRecord, *, with_url: bool = False) -> ImportView:
    return ImportView(
        id=rec.id,
        task_id=rec.task_id,
        unit_org_id=rec.unit_org_id,
        filename=rec.filename,
        state=rec.state,  # type: ignore[arg-type]
        sha256=rec.sha256,
        summary=rec.summary,
        problem=rec.problem,
        report_url=storage.presigned_get(rec.report_key, f"{rec.filename}.errors.csv")
        if with_url and rec.report_key
        else None,
    )


def request_import(
    user: Principal, *, task_id: str, parties: set[str], region: str, req: CreateImportRequest
) -> ImportTicket:
    """A ticket to upload one sheet of the user's lab's results for a task."""
    limit = get_settings().max_upload_bytes
    if req.size > limit:
        raise PayloadTooLarge(f"files are at most {limit} bytes")
    import_id = new_id()
    rec = store.ImportRecord(
        id=import_id,
        task_id=task_id,
        unit_org_id=user.org_id,
        parties=parties,
        region=region,
        uploaded_by=user.user_id,
        filename=req.filename,
        content_type=req.content_type,
        declared_size=req.size,
        key=f"{PREFIX}{task_id}/{user.org_id}/{import_id}",
        state="pending",
    )
    audit.commit(audit.Change(rec, "results_import.requested"), actor=user.user_id)
    return ImportTicket(result_import=view(rec), upload=storage.presigned_post(rec.key, req.content_type, req.size))


def get(user: Principal, import_id: str) -> ImportView:
    rec = store.get_import(import_id)
    check_access(user, region=rec.region, parties=rec.parties or ())
    return view(rec, with_url=True)


def import_sheet(bucket: str, raw_key: str) -> str:
    """S3 event: validate every row, import each sample whose rows are all good, report the rest. Idempotent."""
    key = unquote_plus(raw_key)
    try:
        rec = store.get_import(key.rsplit("/", 1)[-1])
    except NotFoundError:
        logger.warning("result sheet without an import record", extra={"key": key})
        return "orphan"
    if rec.state != "pending" or rec.key != key:
        return rec.state
    try:
        data = storage.read(bucket, key, max_bytes=get_settings().max_upload_bytes)
    except NotFoundError:
        return rec.state
    except PayloadTooLarge as exc:
        return _finish(rec, state="failed", problem=exc.detail)
    from .sheets import SheetUnreadable, error_report_csv, parse_sheet

    try:
        sheet = parse_sheet(data, rec.filename)
    except SheetUnreadable as exc:
        return _finish(rec, state="failed", problem=str(exc))
    rec.sha256 = sheet.sha256
    errors: list[Any] = list(sheet.errors)
    entries: list[tuple[int, ResultEntry]] = []
    for row in sheet.rows:
        try:
            entries.append(
                (
                    row.row_no,
                    ResultEntry(
                        sample_id=row.sample_id,
                        analyte=row.analyte,
                        value=row.value,
                        detected=row.detected,
                        unit=row.unit,
                        method=row.method,
                        tested_at=row.tested_at,
                    ),
                )
            )
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            errors.append(_row_error(row.row_no, ".".join(str(p) for p in first["loc"]) or "row", first["msg"]))
    samples = {
        sid: s
        for sid, s in store.samples_by_id({e.sample_id for _, e in entries}).items()
        if s.unit_org_id == rec.unit_org_id and s.task_id == rec.task_id
    }
    _, problems = service.check_results([e for _, e in entries], samples, field="rows")
    bad_samples: set[str] = set()
    for problem in problems:
        index, field = _ROW_FIELD.match(problem["field"]).groups()  # type: ignore[union-attr]
        row_no, entry = entries[int(index)]
        errors.append(_row_error(row_no, field or "row", problem["message"]))
        bad_samples.add(entry.sample_id)
    # A row that could not even be read still names its sample: that sample waits for a clean sheet.
    bad_samples |= {e.sample_id for e in sheet.errors if e.sample_id}
    error_rows = {e.row_no for e in errors}
    good: dict[str, list[ResultEntry]] = {}
    for row_no, entry in entries:
        if entry.sample_id in bad_samples:
            if row_no not in error_rows:
                errors.append(_row_error(row_no, "sample_id", "not imported: another row of this sample has errors"))
            continue
        good.setdefault(entry.sample_id, []).append(entry)
    source = service.Source(actor=f"import:{rec.uploaded_by}", kind="sheet", raw_sha256=sheet.sha256)
    done = service.commit_results([(samples[sid], group) for sid, group in good.items()], source)
    summary = service.summarize(done)
    errors.sort(key=lambda e: (e.row_no, e.field))
    if errors:
        rec.report_key = f"{REPORT_PREFIX}{rec.id}.csv"
        storage.put(rec.report_key, error_report_csv(errors), "text/csv; charset=utf-8")
    rec.summary = {
        "rows": len(sheet.rows) + len({e.row_no for e in sheet.errors}),
        "rows_with_errors": len({e.row_no for e in errors}),
        "samples_imported": sum(1 for p in done if p.changed),
        "samples_unchanged": sum(1 for p in done if not p.changed),
        "samples_rejected": len(bad_samples),
        "results_entered": summary.entered,
        "results_unchanged": summary.unchanged,
        "unqualified_samples": summary.unqualified_samples,
    }
    return _finish(rec, state="imported", problem=None)


def _row_error(row_no: int, field: str, message: str) -> Any:
    from .sheets import RowError

    return RowError(row_no=row_no, field=field, message=message)


def _finish(rec: store.ImportRecord, *, state: str, problem: str | None) -> str:
    rec.state, rec.problem = state, problem
    audit.commit(
        audit.Change(
            rec,
            f"results_import.{state}",
            detail={"summary": rec.summary, "problem": problem},
            condition=store.ImportRecord.state == "pending",
        ),
        actor=SYSTEM,
    )
    return state

"""The result summary table (检测结果汇总表, Art 17): streamed from the samples to XLSX, stored in S3."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from chalicelib.core import clock, storage
from chalicelib.core.access import Principal
from chalicelib.core.ids import new_id
from chalicelib.orgs import store as orgs
from chalicelib.testing import service as testing
from chalicelib.testing.export import SummaryRow, summary_filename, write_summary_xlsx
from chalicelib.testing.judgement import describe_limit
from chalicelib.testing.store import SampleRecord

from . import service
from .models import ExportView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VERDICTS = {"qualified": "合格", "unqualified": "不合格", "pending": "待检"}
OUTCOMES = {"qualified": "合格", "unqualified": "不合格", "below_loq": "低于定量限", "not_detected": "未检出"}


def summary_rows(samples: Iterable[SampleRecord]) -> Iterator[SummaryRow]:
    """One row per sample and test item, in the order the samples come (page by page, never all at once)."""
    for sample in samples:
        results = sample.results or {}
        place = sample.place or {}
        for item in sample.items:
            result = results.get(item["analyte"])
            yield SummaryRow(
                sample_id=sample.id,
                sample_name=sample.product_name,
                trace_code=sample.trace_code,
                sampled_at=sample.sampled_at,
                place=str(place.get("address", "")),
                subject_name=sample.subject_name,
                analyte=item["analyte_name"],
                value=result["reported"] if result else "",
                unit=item["unit"],
                limit=result["limit"]["text"] if result else _limit_text(item),
                standard=item["limit"]["standard"],
                outcome=OUTCOMES.get(result["outcome"], result["outcome"]) if result else "待检",
                verdict=VERDICTS.get(sample.verdict, sample.verdict),
            )


def _limit_text(item: dict[str, Any]) -> str:
    return describe_limit(testing.item_spec(item).limit)


def export_summary(user: Principal, assignment_id: str) -> ExportView:
    rec = service.unit_of(user, assignment_id)
    org = orgs.get_agency(rec.org_id)
    filename = summary_filename(rec.title, org.name, clock.cst_day(clock.now()))
    key = f"exports/{rec.task_id}/{rec.org_id}/{new_id()}.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "summary.xlsx")
        rows = write_summary_xlsx(
            summary_rows(testing.every_sample(rec.task_id, rec.org_id)), path, title=f"{rec.title} 检测结果汇总表"
        )
        storage.upload_file(path, key, XLSX)
    return ExportView(filename=filename, rows=rows, download_url=storage.presigned_get(key, filename))

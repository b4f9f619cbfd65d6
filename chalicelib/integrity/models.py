"""Views of integrity reports."""

from __future__ import annotations

from chalicelib.core.models import View


class BrokenChain(View):
    record: str
    problem: str


class IntegrityReportView(View):
    """Integrity report (完整性校验报告)."""

    day: str
    checked: int
    broken: list[BrokenChain]
    finished_at: str

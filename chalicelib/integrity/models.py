"""Views of integrity reports."""

from __future__ import annotations

from pydantic import BaseModel


class BrokenChain(BaseModel):
    record: str
    problem: str


class IntegrityReportView(BaseModel):
    """Integrity report (完整性校验报告)."""

    day: str
    checked: int
    broken: list[BrokenChain]
    finished_at: str

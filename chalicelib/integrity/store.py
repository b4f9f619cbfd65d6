"""Data access for integrity reports."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.core.db import Entity, fetch


class IntegrityReport(Entity, discriminator="IntegrityReport"):
    """Integrity report (完整性校验报告) of one day's audited changes."""

    day = UnicodeAttribute()
    checked = NumberAttribute()
    broken = JSONAttribute()
    finished_at = UnicodeAttribute()

    def derive_keys(self) -> None:
        self.pk = "INTEGRITY"
        self.sk = f"DAY#{self.day}"


def get(day: str) -> IntegrityReport:
    return fetch(IntegrityReport, "INTEGRITY", f"DAY#{day}", what="integrity report")


def put(report: IntegrityReport) -> None:
    report.derive_keys()
    report.save(add_version_condition=False)

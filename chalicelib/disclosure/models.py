"""Requests and views of public disclosure (一公开)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.codes.models import CodeText
from chalicelib.core.models import Integer, RegionCode, Strict, View

Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class DisclosureListQuery(Strict):
    region: RegionCode = Field(description="a county")
    month: Month | None = Field(default=None, description="YYYY-MM, China time, of publication; default: this month")
    limit: Integer = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2048)


class SubjectDisclosureQuery(Strict):
    code: CodeText
    limit: Integer = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2048)


class PublishedPenalty(View):
    kind: str
    amount_yuan: str | None


class TestItemShown(View):
    analyte: str | None = None
    value: str | None = None
    unit: str | None = None
    outcome: str | None = None
    limit: str | None = Field(default=None, description="the limit as text, e.g. ≤0.2 mg/kg")


class PublicationView(View):
    """A published spot-check result (抽检结果公告) or penalty (行政处罚公示): redacted, no person in it."""

    id: str
    category: Literal["spot_check_result", "penalty"]
    subject: str = Field(description="an individual's (个体) name masked (张*); an organisation's in full")
    region: str
    region_name: str
    published_at: str = Field(description="the legal point: the verdict became final, or the penalty was decided")
    product: str | None = None
    product_code: str | None = None
    sampled_on: str | None = None
    verdict: Literal["qualified", "unqualified"] | None = None
    retested: bool | None = None
    unqualified_items: list[TestItemShown] = Field(default_factory=list)
    source: Literal["enforcement_case", "daily_supervision"] | None = None
    case_no: str | None = None
    penalty: PublishedPenalty | None = None
    decided_on: str | None = None


class DisclosurePage(View):
    region: str | None = None
    month: str | None = None
    items: list[PublicationView]
    next_cursor: str | None = None

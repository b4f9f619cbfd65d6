"""Requests and views of risk warnings (风险预警) and their indicators."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from chalicelib.core.models import STORABLE, Integer, Name, Note, Number, RegionCode, Strict, View

Level = Literal["blue", "yellow", "orange", "red"]  # IV, III, II, I
LEVELS: tuple[Level, ...] = ("blue", "yellow", "orange", "red")
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Figure = Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")]


class Thresholds(Strict):
    """The least value of each level: blue (IV) ≤ yellow (III) ≤ orange (II) ≤ red (I)."""

    blue: Annotated[float, Field(ge=0, le=1e9), STORABLE]
    yellow: Annotated[float, Field(ge=0, le=1e9), STORABLE]
    orange: Annotated[float, Field(ge=0, le=1e9), STORABLE]
    red: Annotated[float, Field(ge=0, le=1e9), STORABLE]

    @model_validator(mode="after")
    def _ascending(self) -> Thresholds:
        if not self.blue <= self.yellow <= self.orange <= self.red:
            raise ValueError("thresholds must rise from blue to yellow, orange and red")
        return self


class IndicatorRequest(Strict):
    """An indicator: a figure of the counters' risk family over a window of days, per region of a level."""

    id: Slug
    name: Name
    measure: Literal["rate", "count", "rise"] = Field(
        description="rate: numerator/denominator; count: numerator; rise: this window's numerator / the previous one's"
    )
    family: Figure = "risk"
    numerator: Figure = Field(description="e.g. failed, subject_failed, overdue")
    denominator: Figure | None = Field(default=None, description="for a rate, e.g. tested")
    scope: Literal["county", "city", "province"] = "county"
    window_days: Integer = Field(ge=1, le=92)
    min_sample: Integer = Field(ge=1, le=1_000_000, description="the least denominator (rate) or numerator to judge")
    thresholds: Thresholds
    active: bool = True

    @model_validator(mode="after")
    def _denominator(self) -> IndicatorRequest:
        if (self.measure == "rate") != (self.denominator is not None):
            raise ValueError("a rate needs a denominator, and only a rate has one")
        return self


class UpdateIndicatorRequest(IndicatorRequest):
    version: Integer = Field(ge=0, strict=True, description="the version you read")


class IndicatorView(View):
    id: str
    name: str
    measure: str
    family: str
    numerator: str
    denominator: str | None
    scope: str
    window_days: int
    min_sample: int
    thresholds: dict[str, float]
    active: bool
    version: int


class IndicatorPage(View):
    items: list[IndicatorView]


class ManualWarningRequest(Strict):
    """A warning the ministry publishes by hand (人工发布)."""

    title: Name
    level: Level
    region: RegionCode
    subject: Name | None = Field(default=None, description="what it is about: a product#hazard, a subject id …")
    evidence: Note


class AcknowledgeWarningRequest(Strict):
    version: Integer = Field(ge=0, strict=True)
    note: Note | None = None


class RespondWarningRequest(Strict):
    version: Integer = Field(ge=0, strict=True)
    action: Literal["dispatch", "disposal"] = Field(description="调度 (dispatch) or 处置 (disposal)")
    note: Note


class CloseWarningRequest(Strict):
    version: Integer = Field(ge=0, strict=True)
    reason: Name


class WarningListQuery(Strict):
    limit: Integer = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2048)


class WarningView(View):
    id: str
    indicator_id: str
    origin: Literal["indicator", "manual"]
    title: str
    region: str
    subject: str
    level: Level
    state: Literal["open", "closed"]
    recurrence: bool = Field(description="reopened for the same indicator, region and subject (as RASFF checks)")
    episode: int
    value: Number | None
    evidence: dict[str, Any]
    parties: list[str] = Field(description="the supervision agencies it was sent to")
    history: list[dict[str, Any]]
    acknowledgements: list[dict[str, Any]]
    responses: list[dict[str, Any]]
    instruction_ids: list[str] = Field(
        default_factory=list, description="dispatch instructions (调度指令) raised from it"
    )
    version: int


class JobReport(View):
    day: str
    indicators: int
    cells_read: int
    opened: int
    raised: int
    lowered: int
    closed: int
    unchanged: int


class WarningPage(View):
    items: list[WarningView]
    next_cursor: str | None

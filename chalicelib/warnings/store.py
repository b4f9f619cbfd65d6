"""Data access for warning indicators and warnings: the only module of this area that touches the table."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import PynamoDBConnectionError

from chalicelib.core.db import Entity, fetch, query_all, query_page
from chalicelib.core.errors import NotFoundError, ServiceUnavailable


class IndicatorRecord(Entity, discriminator="WarningIndicator"):
    """Warning indicator (预警指标): what the nightly job measures, and the levels' thresholds."""

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    measure = UnicodeAttribute()
    family = UnicodeAttribute()
    numerator = UnicodeAttribute()
    denominator = UnicodeAttribute(null=True)
    scope = UnicodeAttribute()
    window_days = NumberAttribute()
    min_sample = NumberAttribute()
    thresholds = JSONAttribute()
    active = BooleanAttribute(default=True)

    def derive_keys(self) -> None:
        self.pk = f"WIND#{self.id}"
        self.sk = "WIND"
        self.gsi1pk = "WINDS"
        self.gsi1sk = self.id


class WarningRecord(Entity, discriminator="Warning"):
    """Risk warning (风险预警): one episode of an indicator's subject in a region, opened, raised, lowered, closed.

    Its partition is its thread (indicator, region, subject): each reopening is the next episode in it, so the
    latest episode is one Query and a reopening knows it is a recurrence.
    """

    id = UnicodeAttribute()
    thread = UnicodeAttribute()
    episode = NumberAttribute()
    indicator_id = UnicodeAttribute()
    origin = UnicodeAttribute()
    title = UnicodeAttribute()
    subject = UnicodeAttribute()
    level = UnicodeAttribute()
    state = UnicodeAttribute()
    recurrence = BooleanAttribute(default=False)
    value = NumberAttribute(null=True)
    evidence = JSONAttribute(default=dict)
    parties = UnicodeSetAttribute(null=True)
    history = JSONAttribute(default=list)
    acknowledgements = JSONAttribute(default=list)
    responses = JSONAttribute(default=list)
    instruction_ids = UnicodeSetAttribute(null=True)  # dispatch instructions (调度指令) raised from it

    def derive_keys(self) -> None:
        self.pk = f"WARN#{self.thread}"
        self.sk = f"EP#{int(self.episode):05d}"
        # The job's list of what is open per indicator; closed warnings leave it.
        if self.state == "open":
            self.gsi1pk, self.gsi1sk = f"WARNS_OPEN#{self.indicator_id}", f"{self.region}#{self.thread}"
        else:
            self.gsi1pk = self.gsi1sk = None
        self.gsi2pk, self.gsi2sk = "WARNS", f"{self.created_at}#{self.id}"


def split_id(warning_id: str) -> tuple[str, int]:
    thread, _, episode = warning_id.rpartition(".")
    if not thread or not episode.isdigit():
        raise NotFoundError("warning not found")
    return thread, int(episode)


def get_indicator(indicator_id: str) -> IndicatorRecord:
    return fetch(IndicatorRecord, f"WIND#{indicator_id}", "WIND", what="indicator")


def find_indicator(indicator_id: str) -> IndicatorRecord | None:
    try:
        return get_indicator(indicator_id)
    except NotFoundError:
        return None


def indicators() -> list[IndicatorRecord]:
    """Every indicator (a few dozen at most: one Query)."""
    try:
        return list(query_all(IndicatorRecord, "WINDS", index=IndicatorRecord.gsi1))
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def get_warning(warning_id: str) -> WarningRecord:
    thread, episode = split_id(warning_id)
    return fetch(WarningRecord, f"WARN#{thread}", f"EP#{episode:05d}", what="warning")


def latest_episode(thread: str) -> WarningRecord | None:
    items, _ = query_page(
        WarningRecord,
        ("pk", f"WARN#{thread}"),
        range_key_condition=WarningRecord.sk.startswith("EP#"),
        limit=1,
        newest_first=True,
    )
    return items[0] if items else None


def open_of(indicator_id: str) -> list[WarningRecord]:
    """The warnings of an indicator open now (the job closes those whose figures fell back)."""
    try:
        return list(query_all(WarningRecord, f"WARNS_OPEN#{indicator_id}", index=WarningRecord.gsi1))
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def newest(*, limit: int, cursor: str | None) -> tuple[list[WarningRecord], str | None]:
    return query_page(
        WarningRecord, ("gsi2pk", "WARNS"), index=WarningRecord.gsi2, limit=limit, cursor=cursor, newest_first=True
    )


def supervision_agencies(region: str) -> list[str]:
    """The active supervision agencies (监管机构) of exactly this region: one Query of its province's agencies."""
    from chalicelib.orgs.store import AgencyRecord, agencies_partition

    try:
        found = query_all(
            AgencyRecord,
            agencies_partition(region),
            index=AgencyRecord.gsi1,
            range_key_condition=AgencyRecord.gsi1sk.startswith(f"{region}#"),
        )
        return sorted(a.id for a in found if a.org_kind == "supervision" and a.active)
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def open_in(indicator_id: str, region_prefix: str) -> list[WarningRecord]:
    """The warnings of an indicator open now in the regions a code prefix names ('' for the nation): one Query."""
    condition = WarningRecord.gsi1sk.startswith(region_prefix) if region_prefix else None
    try:
        return list(
            query_all(
                WarningRecord, f"WARNS_OPEN#{indicator_id}", index=WarningRecord.gsi1, range_key_condition=condition
            )
        )
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc

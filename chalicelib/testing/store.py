"""Data access for the testing core: the limit library, samples, failures, result imports, progress counters."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import PynamoDBConnectionError

from chalicelib.core import counters
from chalicelib.core.db import Entity, fetch, full_page, query_all, query_page
from chalicelib.core.errors import ServiceUnavailable


class LimitRecord(Entity, discriminator="Limit"):
    """One version of a limit value (限量值) in the library: commodity × analyte, from an edition of a standard."""

    id = UnicodeAttribute()
    commodity_code = UnicodeAttribute()
    commodity = UnicodeAttribute()
    analyte = UnicodeAttribute()
    analyte_name = UnicodeAttribute()
    operator = UnicodeAttribute()
    value = UnicodeAttribute(null=True)
    low = UnicodeAttribute(null=True)
    high = UnicodeAttribute(null=True)
    unit = UnicodeAttribute()
    standard = UnicodeAttribute()
    effective_from = UnicodeAttribute()
    source = UnicodeAttribute()
    added_by = UnicodeAttribute()

    def derive_keys(self) -> None:
        self.pk = f"LIMIT#{self.commodity_code}#{self.analyte}"
        self.sk = f"V#{self.effective_from}#{self.standard}"
        self.gsi1pk = f"LIMITS#{self.commodity_code}"
        self.gsi1sk = f"{self.analyte}#{self.effective_from}#{self.standard}"


class EditionRecord(Entity, discriminator="LimitEdition"):
    """An edition of a limit standard (e.g. GB 2763-2026) and the day it came into force, values known or not."""

    standard = UnicodeAttribute()
    effective_from = UnicodeAttribute()
    source = UnicodeAttribute()

    def derive_keys(self) -> None:
        self.pk = "LIMIT_EDITIONS"
        self.sk = f"{self.effective_from}#{self.standard}"


def editions() -> list[EditionRecord]:
    """Every edition the library knows, oldest first (one Query of a small partition)."""
    try:
        return list(query_all(EditionRecord, "LIMIT_EDITIONS"))
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def limit_id(commodity_code: str, analyte: str, effective_from: str, standard: str) -> str:
    return f"{commodity_code}:{analyte}:{effective_from}:{standard}"


def library_of(commodity_code: str) -> list[LimitRecord]:
    """Every version of every limit of one commodity, by analyte then effective date (one Query)."""
    try:
        return list(query_all(LimitRecord, f"LIMITS#{commodity_code}", index=LimitRecord.gsi1))
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def limits_of(commodity_code: str, *, limit: int, cursor: str | None) -> tuple[list[LimitRecord], str | None]:
    return query_page(
        LimitRecord, ("gsi1pk", f"LIMITS#{commodity_code}"), index=LimitRecord.gsi1, limit=limit, cursor=cursor
    )


class SampleRecord(Entity, discriminator="Sample"):
    """Sample (样品): taken in the field, handed to a lab, tested item by item; its id is made by the phone."""

    id = UnicodeAttribute()
    task_kind = UnicodeAttribute()
    task_id = UnicodeAttribute()
    unit_org_id = UnicodeAttribute()
    parties = UnicodeSetAttribute()
    state = UnicodeAttribute()
    content_hash = UnicodeAttribute()
    product_code = UnicodeAttribute()
    product_name = UnicodeAttribute()
    trace_code = UnicodeAttribute(null=True)
    product_id = UnicodeAttribute(null=True)
    batch_id = UnicodeAttribute(null=True)
    subject_id = UnicodeAttribute(null=True)
    subject_name = UnicodeAttribute(null=True)
    place = JSONAttribute()
    sampled_at = UnicodeAttribute()
    sampled_by = UnicodeAttribute()
    quantity = UnicodeAttribute()
    quantity_unit = UnicodeAttribute()
    seal_no = UnicodeAttribute()
    custody = JSONAttribute(default=list)
    items = JSONAttribute()
    results = JSONAttribute(default=dict)
    verdict = UnicodeAttribute(default="pending")
    unqualified_items = JSONAttribute(default=list)
    failures = NumberAttribute(default=0)  # how many times the sample became unqualified (corrections can undo it)
    parent_sample_id = UnicodeAttribute(null=True)  # a retest sample (复检样品): the sample it retests

    def derive_keys(self) -> None:
        self.pk = f"SAMPLE#{self.id}"
        self.sk = "SAMPLE"
        self.gsi1pk = f"SAMPLES#{self.task_id}#{self.unit_org_id}"
        self.gsi1sk = self.id
        self.gsi2pk = f"SAMPLES#{self.task_id}"
        self.gsi2sk = f"{self.unit_org_id}#{self.id}"


class FailureRecord(Entity, discriminator="SampleFailure"):
    """Failure event (不合格): one per unqualified sample, the record later workflows start from."""

    id = UnicodeAttribute()
    sample_id = UnicodeAttribute()
    task_kind = UnicodeAttribute()
    task_id = UnicodeAttribute()
    unit_org_id = UnicodeAttribute()
    parties = UnicodeSetAttribute()
    state = UnicodeAttribute(default="open")
    product_code = UnicodeAttribute()
    product_name = UnicodeAttribute()
    subject_id = UnicodeAttribute(null=True)
    place_region = UnicodeAttribute(null=True)
    items = JSONAttribute()
    # A spot check's failure may be retested (复检): the application, the retest and the final verdict.
    retest = JSONAttribute(null=True)
    final_verdict = UnicodeAttribute(null=True)
    stage = UnicodeAttribute(null=True)
    token = UnicodeAttribute(null=True)
    reminders = NumberAttribute(default=0)
    workflow_error = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"FAIL#{self.sample_id}"
        self.sk = "FAIL"
        self.gsi1pk = f"FAILS#{self.task_id}"
        self.gsi1sk = self.sample_id
        self.gsi2pk = f"FAILS#{self.task_id}#{self.unit_org_id}"
        self.gsi2sk = self.sample_id


class ImportRecord(Entity, discriminator="ResultImport"):
    """A result sheet (结果导入) uploaded to S3 and imported by the upload handler, with its row report."""

    id = UnicodeAttribute()
    task_id = UnicodeAttribute()
    unit_org_id = UnicodeAttribute()
    parties = UnicodeSetAttribute()
    uploaded_by = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    declared_size = NumberAttribute()
    key = UnicodeAttribute()
    state = UnicodeAttribute()
    sha256 = UnicodeAttribute(null=True)
    summary = JSONAttribute(null=True)
    report_key = UnicodeAttribute(null=True)
    problem = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"IMPORT#{self.id}"
        self.sk = "IMPORT"
        self.gsi1pk = f"IMPORTS#{self.task_id}#{self.unit_org_id}"
        self.gsi1sk = self.created_at or ""


FIGURES = ("sampled", "received", "tested", "unqualified")


class ProgressCounter(Entity, discriminator="Progress"):
    """Per task and unit: how many samples reached each milestone. Kept by the stream, never audited.

    A unit's counter is split over shards, each sample counted on the one its id hashes to, so that the stream's
    concurrent batches do not all write (and conflict on) one item; a read sums the shards of the task's partition.
    """

    task_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    shard = NumberAttribute(null=True)  # none on a counter written before the shards
    sampled = NumberAttribute(default=0)
    received = NumberAttribute(default=0)
    tested = NumberAttribute(default=0)
    unqualified = NumberAttribute(default=0)

    def derive_keys(self) -> None:
        self.pk = f"MTASK#{self.task_id}"
        self.sk = f"PROGRESS#{self.org_id}" if self.shard is None else f"PROGRESS#{self.org_id}#{int(self.shard):02d}"


def shard_of(sample_id: str, shards: int) -> int:
    """The progress shard a sample is counted on: always the same, so a correction undoes what its sample added."""
    return zlib.crc32(sample_id.encode()) % shards


def per_unit(counters: Iterable[ProgressCounter]) -> list[ProgressCounter]:
    """The shards of each unit's counter summed into one counter per unit (not stored), in the order read."""
    units: dict[str, ProgressCounter] = {}
    for c in counters:
        total = units.setdefault(c.org_id, ProgressCounter(task_id=c.task_id, org_id=c.org_id))
        for name in FIGURES:
            setattr(total, name, int(getattr(total, name) or 0) + int(getattr(c, name) or 0))
    return list(units.values())


def get_sample(sample_id: str) -> SampleRecord:
    return fetch(SampleRecord, f"SAMPLE#{sample_id}", "SAMPLE", what="sample")


def samples_by_id(ids: Iterable[str]) -> dict[str, SampleRecord]:
    """Many samples at once: one BatchGetItem per 100."""
    keys = [(f"SAMPLE#{i}", "SAMPLE") for i in sorted(set(ids))]
    try:
        found = list(SampleRecord.batch_get(keys)) if keys else []
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc
    return {s.id: s for s in found if isinstance(s, SampleRecord)}


# Where the task a sample was taken under keeps its record (a retest's sample belongs to its failure, not a task).
TASK_KEYS = {"JDCC": ("SPOT#{}", "TASK"), "FJRW": None, "RCJG": None}  # RCJG: daily supervision, never cancelled
MONITORING_TASK_KEY = ("MTASK#{}", "TASK")


def cancelled_tasks(samples: Iterable[SampleRecord]) -> set[str]:
    """The ids of the tasks, among those the samples were taken under, that were cancelled: one BatchGetItem."""
    keys = set()
    for sample in samples:
        key = TASK_KEYS.get(sample.task_kind, MONITORING_TASK_KEY)
        if key is not None:
            keys.add((key[0].format(sample.task_id), key[1]))
    try:
        found = list(Entity.batch_get(sorted(keys))) if keys else []
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc
    return {str(getattr(t, "id", "")) for t in found if getattr(t, "state", None) == "cancelled"}


def samples_of_unit(
    task_id: str, org_id: str, *, limit: int, cursor: str | None
) -> tuple[list[SampleRecord], str | None]:
    return query_page(
        SampleRecord, ("gsi1pk", f"SAMPLES#{task_id}#{org_id}"), index=SampleRecord.gsi1, limit=limit, cursor=cursor
    )


def samples_of_task(task_id: str, *, limit: int, cursor: str | None) -> tuple[list[SampleRecord], str | None]:
    return query_page(
        SampleRecord, ("gsi2pk", f"SAMPLES#{task_id}"), index=SampleRecord.gsi2, limit=limit, cursor=cursor
    )


def every_sample_of_unit(task_id: str, org_id: str) -> Iterable[SampleRecord]:
    """All of one unit's samples, page by page (exports stream them)."""
    return query_all(SampleRecord, f"SAMPLES#{task_id}#{org_id}", index=SampleRecord.gsi1)


def failures_of(task_id: str, *, limit: int, cursor: str | None) -> tuple[list[FailureRecord], str | None]:
    """A page of the task's failure events, in sample-id order (one Query)."""
    return full_page(
        FailureRecord, ("gsi1pk", f"FAILS#{task_id}"), index=FailureRecord.gsi1, limit=limit, cursor=cursor
    )


def failures_of_unit(
    task_id: str, org_id: str, *, limit: int, cursor: str | None
) -> tuple[list[FailureRecord], str | None]:
    """A page of one undertaking unit's failure events under the task, in sample-id order (one Query)."""
    return full_page(
        FailureRecord,
        ("gsi2pk", f"FAILS#{task_id}#{org_id}"),
        index=FailureRecord.gsi2,
        limit=limit,
        cursor=cursor,
    )


def get_failure(sample_id: str) -> FailureRecord:
    return fetch(FailureRecord, f"FAIL#{sample_id}", "FAIL", what="failure")


def get_import(import_id: str) -> ImportRecord:
    return fetch(ImportRecord, f"IMPORT#{import_id}", "IMPORT", what="result import")


def progress_of(task_id: str) -> list[ProgressCounter]:
    """One counter per unit of the task, its shards summed (one Query of the task's counters)."""
    try:
        return per_unit(
            query_all(
                ProgressCounter, f"MTASK#{task_id}", range_key_condition=ProgressCounter.sk.startswith("PROGRESS#")
            )
        )
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


@dataclass(frozen=True)
class Milestone:
    """One change to a unit's counters: `mark` names it once per sample, so a re-delivery adds nothing."""

    mark: str
    counter: str
    delta: int = 1


def count_once(task_id: str, org_id: str, sample_id: str, milestones: Sequence[Milestone], *, shards: int) -> bool:
    """Apply the milestones to the unit's counters (the sample's shard of them), unless they were counted already.

    The marks and the update are one transaction, so at-least-once delivery counts exactly once.
    """
    counter = ProgressCounter(task_id=task_id, org_id=org_id, shard=shard_of(sample_id, shards))
    counter.derive_keys()
    table = Entity.Meta.table_name
    marks = [
        {
            "Put": {
                "TableName": table,
                "Item": {"pk": {"S": f"COUNTED#{sample_id}"}, "sk": {"S": m.mark}, "kind": {"S": "Counted"}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        for m in milestones
    ]
    names = {f"#m{i}": m.counter for i, m in enumerate(milestones)}
    values = {f":d{i}": {"N": str(m.delta)} for i, m in enumerate(milestones)}
    update = {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": counter.pk}, "sk": {"S": counter.sk}},
            "UpdateExpression": "SET #kind = :kind, #task = :task, #org = :org, #shard = :shard ADD "
            + ", ".join(f"#m{i} :d{i}" for i in range(len(milestones))),
            "ExpressionAttributeNames": {
                **names,
                "#kind": "kind",
                "#task": "task_id",
                "#org": "org_id",
                "#shard": "shard",
            },
            "ExpressionAttributeValues": {
                **values,
                ":kind": {"S": "Progress"},
                ":task": {"S": task_id},
                ":org": {"S": org_id},
                ":shard": {"N": str(counter.shard)},
            },
        }
    }
    return counters.transact_once([*marks, update])


class InstrumentBatchRecord(Entity, discriminator="InstrumentBatch"):
    """A batch an instrument pushed: kept so a resend answers the same, and a changed resend is refused."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    batch_id = UnicodeAttribute()
    content_hash = UnicodeAttribute()
    file_sha256 = UnicodeAttribute()
    outcome = JSONAttribute()

    def derive_keys(self) -> None:
        self.pk = f"IBATCH#{self.id}"
        self.sk = "IBATCH"


def get_instrument_batch(key: str) -> InstrumentBatchRecord:
    return fetch(InstrumentBatchRecord, f"IBATCH#{key}", "IBATCH", what="instrument batch")

"""Rules of the testing core: the limit library, models, sampling, custody, results and their judgement.

The task areas (risk monitoring, later spot checks and retests) decide who may act on a task; this
module holds what is true of every sample whatever task it belongs to.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chalicelib.core import audit, clock
from chalicelib.core.access import Principal, check_access
from chalicelib.core.errors import ConflictError, ForbiddenError, InvalidStateError, NotFoundError, Unprocessable

from . import judgement, store
from .models import (
    AddLimitRequest,
    ConfigureModelRequest,
    CreateSampleRequest,
    CustodyView,
    EnterResultsView,
    LimitListQuery,
    LimitPage,
    LimitView,
    ModelItemView,
    ModelView,
    ReceiveSampleRequest,
    ResultEntry,
    ResultOutcome,
    ResultView,
    SampleView,
    TestObject,
)

SYSTEM = "system:testing"
# Samples per transaction: each is two items (the sample and its audit entry), a failure adds two more.
CHUNK = 20


# --- the limit library ---------------------------------------------------------------------------


def limit_view(rec: store.LimitRecord) -> LimitView:
    return LimitView(
        id=rec.id,
        commodity_code=rec.commodity_code,
        commodity=rec.commodity,
        analyte=rec.analyte,
        analyte_name=rec.analyte_name,
        operator=rec.operator,
        value=rec.value,
        low=rec.low,
        high=rec.high,
        unit=rec.unit,
        standard=rec.standard,
        effective_from=rec.effective_from,
        source=rec.source,
    )


def _limit_of(operator: str, value: Decimal | None, low: Decimal | None, high: Decimal | None, unit: str) -> Any:
    try:
        return judgement.Limit(operator=judgement.Operator(operator), unit=unit, value=value, low=low, high=high)
    except ValueError as exc:
        raise Unprocessable(str(exc), errors=[{"field": "body.operator", "message": str(exc)}]) from None


def add_limit(actor: str, req: AddLimitRequest) -> LimitView:
    """A new version of a limit; versions are never changed, so results keep the limit they were judged by."""
    _limit_of(req.operator, req.value, req.low, req.high, req.unit)
    add_edition(actor, req.standard, req.effective_from, req.source)
    rec = store.LimitRecord(
        id=store.limit_id(req.commodity_code, req.analyte, req.effective_from, req.standard),
        commodity_code=req.commodity_code,
        commodity=req.commodity,
        analyte=req.analyte,
        analyte_name=req.analyte_name,
        operator=req.operator,
        value=_text(req.value),
        low=_text(req.low),
        high=_text(req.high),
        unit=judgement.normalize_unit(req.unit),
        standard=req.standard,
        effective_from=req.effective_from,
        source=req.source,
        added_by=actor,
    )
    try:
        audit.commit(audit.Change(rec, "limit.added", condition=store.LimitRecord.pk.does_not_exist()), actor=actor)
    except ConflictError:
        raise ConflictError("this edition of that limit is already in the library") from None
    return limit_view(rec)


def add_edition(actor: str, standard: str, effective_from: str, source: str) -> None:
    """Record an edition once (a later row of the same edition finds it there)."""
    rec = store.EditionRecord(standard=standard, effective_from=effective_from, source=source)
    with contextlib.suppress(ConflictError):
        audit.commit(audit.Change(rec, "limit.edition", condition=store.EditionRecord.pk.does_not_exist()), actor=actor)


def seed_limits(actor: str = SYSTEM) -> int:
    """Load the packaged GB 2763 subset and its editions into the library; what is there is left alone."""
    from .limits_seed import load_seed, seed_editions

    for edition in seed_editions():
        add_edition(actor, edition.standard, edition.effective_from, edition.source)
    added = 0
    for row in load_seed():
        req = AddLimitRequest(
            commodity_code=row.commodity_code,
            commodity=row.commodity,
            analyte=row.analyte,
            analyte_name=row.analyte_zh,
            operator=row.operator,  # type: ignore[arg-type]
            value=row.value,
            unit=row.unit,
            standard=row.standard,
            effective_from=row.effective_from,
            source=row.source,
        )
        try:
            add_limit(actor, req)
            added += 1
        except ConflictError:
            continue
    return added


def list_limits(query: LimitListQuery) -> LimitPage:
    recs, cursor = store.limits_of(query.commodity_code, limit=query.limit, cursor=query.cursor)
    return LimitPage(items=[limit_view(r) for r in recs], next_cursor=cursor)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


_EDITION = re.compile(r"^(?P<family>.+?)(?:\.(?P<part>\d+))?-(?P<year>\d{4})$")


def _family(standard: str) -> tuple[str, bool]:
    """("GB 2763", False) for GB 2763-2021; ("GB 2763", True) for its supplement GB 2763.1-2022."""
    match = _EDITION.match(standard)
    if not match:
        return standard, False
    return match.group("family"), match.group("part") is not None


def in_force(rows: list[store.LimitRecord], known: list[store.EditionRecord], on_day: str) -> store.LimitRecord | str:
    """The row in force on a day, or why there is none.

    The edition in force is the latest one of the standard's family that started on or before the day,
    with the supplements issued after it; a pair that edition has no row for is unknown, not unchanged
    (a superseded value is never used silently).
    """
    family = _family(rows[0].standard)[0] if rows else ""
    editions = [e for e in known if _family(e.standard)[0] == family and e.effective_from <= on_day]
    bases = [e for e in editions if not _family(e.standard)[1]]
    if not bases:
        return f"no {family} edition was in force on {on_day}"
    base = bases[-1]
    current = {base.standard} | {
        e.standard for e in editions if _family(e.standard)[1] and e.effective_from >= base.effective_from
    }
    chosen = [r for r in rows if r.standard in current]
    if not chosen:
        return f"the library has no {base.standard} value (in force since {base.effective_from}) for this pair"
    return max(chosen, key=lambda r: r.effective_from)


def resolve_limit(
    library: list[store.LimitRecord],
    known: list[store.EditionRecord],
    product_code: str,
    analyte: str,
    standard: str | None,
    on_day: str,
) -> store.LimitRecord:
    """The library version a model item refers to: a pinned edition, or the one in force on the day."""
    versions = sorted((v for v in library if v.analyte == analyte), key=lambda v: v.effective_from)
    if standard:
        found: store.LimitRecord | str = next(
            (v for v in versions if v.standard == standard), f"the library has no {standard} value for this pair"
        )
    elif versions:
        found = in_force(versions, known, on_day)
    else:
        found = "the library has no limit for this pair"
    if isinstance(found, str):
        raise Unprocessable(
            f"{analyte} on {product_code}: {found}; pin an edition that has one, or give a custom limit",
            errors=[{"field": "body.items", "message": f"{product_code}/{analyte}: {found}"}],
        )
    return found


def build_model(req: ConfigureModelRequest, version: int) -> dict[str, Any]:
    """The stored model: every item with its limit resolved and copied, so later library versions change nothing."""
    today = clock.cst_day(clock.now())
    libraries: dict[str, list[store.LimitRecord]] = {}
    known: list[store.EditionRecord] | None = None
    items = []
    for index, item in enumerate(req.items):
        where = f"body.items.{index}"
        unit = judgement.normalize_unit(item.unit)
        if item.limit.source == "library":
            if item.product_code not in libraries:
                libraries[item.product_code] = store.library_of(item.product_code)
            if known is None and not item.limit.standard:
                known = store.editions()
            rec = resolve_limit(
                libraries[item.product_code], known or [], item.product_code, item.analyte, item.limit.standard, today
            )
            limit: dict[str, Any] = {
                "operator": rec.operator,
                "value": rec.value,
                "low": rec.low,
                "high": rec.high,
                "unit": rec.unit,
                "standard": rec.standard,
                "library_id": rec.id,
            }
        else:
            custom = item.limit
            limit = {
                "operator": custom.operator,
                "value": _text(custom.value),
                "low": _text(custom.low),
                "high": _text(custom.high),
                "unit": unit,
                "standard": custom.judgement_standard,
                "library_id": None,
            }
        spec_limit = {k: limit[k] for k in ("operator", "value", "low", "high", "unit")}
        try:
            item_spec(
                {
                    "analyte": item.analyte,
                    "unit": unit,
                    "lod": _text(item.lod),
                    "loq": _text(item.loq),
                    "limit": spec_limit,
                }
            )
        except (ValueError, judgement.UnitMismatch) as exc:
            raise Unprocessable(str(exc), errors=[{"field": where, "message": str(exc)}]) from None
        items.append(
            {
                "product_code": item.product_code,
                "analyte": item.analyte,
                "analyte_name": item.analyte_name,
                "method_standard": item.method_standard,
                "unit": unit,
                "lod": _text(item.lod),
                "loq": _text(item.loq),
                "limit": limit,
            }
        )
    return {
        "name": req.name,
        "version": version,
        "objects": [o.model_dump() for o in req.objects],
        "items": items,
    }


def model_view(model: dict[str, Any] | None) -> ModelView | None:
    if not model:
        return None
    return ModelView(
        name=model["name"],
        version=int(model["version"]),
        objects=[TestObject.model_validate(o) for o in model["objects"]],
        items=[ModelItemView.model_validate(i) for i in model["items"]],
    )


def item_spec(item: dict[str, Any]) -> judgement.ItemSpec:
    limit = item["limit"]
    return judgement.ItemSpec(
        analyte=item["analyte"],
        unit=item["unit"],
        limit=judgement.Limit(
            operator=judgement.Operator(limit["operator"]),
            unit=limit["unit"],
            value=_decimal(limit.get("value")),
            low=_decimal(limit.get("low")),
            high=_decimal(limit.get("high")),
        ),
        lod=_decimal(item.get("lod")),
        loq=_decimal(item.get("loq")),
    )


def items_for(model: dict[str, Any], product_code: str) -> list[dict[str, Any]]:
    return [i for i in model["items"] if i["product_code"] == product_code]


# --- samples ---------------------------------------------------------------------------------------


def sample_view(rec: store.SampleRecord) -> SampleView:
    results = rec.results or {}
    return SampleView(
        id=rec.id,
        task_kind=rec.task_kind,
        task_id=rec.task_id,
        unit_org_id=rec.unit_org_id,
        state=rec.state,  # type: ignore[arg-type]
        product_code=rec.product_code,
        product_name=rec.product_name,
        trace_code=rec.trace_code,
        product_id=rec.product_id,
        batch_id=rec.batch_id,
        subject_id=rec.subject_id,
        subject_name=rec.subject_name,
        place=rec.place,
        sampled_at=rec.sampled_at,
        sampled_by=rec.sampled_by,
        quantity=rec.quantity,
        quantity_unit=rec.quantity_unit,
        seal_no=rec.seal_no,
        custody=[CustodyView.model_validate(c) for c in rec.custody or []],
        expected_items=[i["analyte"] for i in rec.items],
        results=[ResultView.model_validate(results[i["analyte"]]) for i in rec.items if i["analyte"] in results],
        verdict=rec.verdict,  # type: ignore[arg-type]
        unqualified_items=list(rec.unqualified_items or []),
        version=int(rec.version or 0),
    )


def content_hash(req: CreateSampleRequest) -> str:
    return hashlib.sha256(audit.canonical(req.model_dump(mode="json")).encode()).hexdigest()


@dataclass(frozen=True)
class SampleContext:
    """What the task side vouches for when a sample is taken under it."""

    task_kind: str
    task_id: str
    unit_org_id: str
    region: str
    parties: frozenset[str]
    items: list[dict[str, Any]]


@dataclass(frozen=True)
class Identified:
    product_code: str
    product_name: str
    product_id: str | None = None
    batch_id: str | None = None
    subject_id: str | None = None
    subject_name: str | None = None
    trace_code: str | None = None


def identify(req: CreateSampleRequest) -> Identified:
    """Product, batch and subject from the scanned code (through scan resolution), or as typed by hand."""
    if not req.trace_code:
        assert req.product_code and req.product_name
        return Identified(req.product_code, req.product_name, subject_name=req.subject_name)
    return identify_code(req.trace_code)


def with_subject(found: Identified, subject_id: str) -> Identified:
    """A sample entered by hand for a registered subject: its name from the subject record."""
    from chalicelib.subjects import store as subjects

    subject = subjects.get(subject_id)
    return dataclasses.replace(found, subject_id=subject.id, subject_name=subject.name)


def identify_code(text: str) -> Identified:
    """The product, batch and subject a scanned traceability code names (a subject's identity code is a 422)."""
    from chalicelib.codes import service as codes

    found = codes.identify(text)
    product = found.get("product")
    if product is None:
        raise Unprocessable(
            "that code names a subject, not a product: scan the product's traceability code",
            errors=[{"field": "body.trace_code", "message": "not a product code"}],
        )
    batch = found.get("batch")
    subject = found["subject"]
    return Identified(
        product_code=product.category_code,
        product_name=product.name,
        product_id=product.id,
        batch_id=batch.id if batch else None,
        subject_id=subject.id,
        subject_name=subject.name,
        trace_code=found["code"],
    )


def existing_sample(req: CreateSampleRequest) -> store.SampleRecord | None:
    """A resend of a sample already stored: the same content is a no-op, other content is a 409."""
    try:
        rec = store.get_sample(req.id)
    except NotFoundError:
        return None
    if rec.content_hash != content_hash(req):
        raise ConflictError("a sample with this id was already sent with other content")
    return rec


def create_sample(
    user: Principal, ctx: SampleContext, found: Identified, req: CreateSampleRequest
) -> store.SampleRecord:
    items = items_for_sample(ctx.items, found.product_code)
    rec = store.SampleRecord(
        id=req.id,
        task_kind=ctx.task_kind,
        task_id=ctx.task_id,
        unit_org_id=ctx.unit_org_id,
        parties=set(ctx.parties),
        region=ctx.region,
        state="sampled",
        content_hash=content_hash(req),
        product_code=found.product_code,
        product_name=found.product_name,
        trace_code=found.trace_code,
        product_id=found.product_id,
        batch_id=found.batch_id,
        subject_id=found.subject_id,
        subject_name=found.subject_name or req.subject_name,
        place=req.place.model_dump(),
        sampled_at=req.sampled_at,
        sampled_by=user.user_id,
        quantity=format(req.quantity.normalize(), "f"),
        quantity_unit=req.quantity_unit,
        seal_no=req.seal_no,
        custody=[],
        items=items,
        results={},
        verdict="pending",
        unqualified_items=[],
    )
    try:
        audit.commit(
            audit.Change(rec, "sample.taken", condition=store.SampleRecord.pk.does_not_exist()), actor=user.user_id
        )
    except ConflictError:
        # Two resends crossing: whichever landed first stands, and this one is judged against it.
        again = existing_sample(req)
        if again is None:
            raise
        return again
    return rec


def items_for_sample(model_items: list[dict[str, Any]], product_code: str) -> list[dict[str, Any]]:
    items = [i for i in model_items if i["product_code"] == product_code]
    if not items:
        raise Unprocessable(
            f"the task's model tests nothing on product {product_code}",
            errors=[{"field": "body.product_code", "message": "not a test object of this task"}],
        )
    return items


def visible_sample(user: Principal, sample_id: str) -> store.SampleRecord:
    rec = store.get_sample(sample_id)
    check_access(user, region=rec.region, parties=rec.parties or ())
    return rec


def receive_sample(user: Principal, sample_id: str, req: ReceiveSampleRequest) -> SampleView:
    """样品接收: the testing lab takes the sample over; a broken seal or spoiled sample is rejected, and kept."""
    rec = visible_sample(user, sample_id)
    if user.org_id != rec.unit_org_id:
        raise ForbiddenError("only the lab that tests the sample receives it")
    if rec.state != "sampled":
        raise InvalidStateError(f"the sample is already {rec.state}")
    seal_ok = req.seal_no.strip() == rec.seal_no.strip()
    accepted = seal_ok and req.condition == "intact"
    entry = {
        "handed_over_by": req.handed_over_by,
        "received_by": user.user_id,
        "received_at": clock.iso(clock.now()),
        "condition": req.condition if seal_ok else "seal_mismatch",
        "seal_no": req.seal_no,
        "note": req.note,
    }
    rec.custody = [*(rec.custody or []), entry]
    rec.state = "received" if accepted else "rejected"
    audit.commit(
        audit.Change(rec, f"sample.{rec.state}", detail=entry, condition=store.SampleRecord.state == "sampled"),
        actor=user.user_id,
    )
    return sample_view(rec)


# --- results -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where results come from: a person, a sheet, or an instrument (with its raw file's hash)."""

    actor: str
    kind: str  # manual | sheet | instrument
    raw_sha256: str | None = None
    instrument: str | None = None


def _same_result(old: dict[str, Any], entry: ResultEntry) -> bool:
    return (
        old.get("value") == _text(entry.value)
        and bool(old.get("detected")) == entry.detected
        and judgement.normalize_unit(old.get("unit", "")) == judgement.normalize_unit(entry.unit)
    )


def judge_entry(item: dict[str, Any], entry: ResultEntry) -> judgement.Judgement:
    return judgement.judge(item_spec(item), entry.value, entry.unit, detected=entry.detected)


@dataclass
class Planned:
    sample: store.SampleRecord
    entries: list[ResultEntry]
    changed: int = 0
    unchanged: int = 0


class ResultProblems(Unprocessable):
    pass


def check_results(
    entries: Sequence[ResultEntry],
    samples: dict[str, store.SampleRecord],
    *,
    field: str = "body.results",
) -> tuple[dict[str, list[ResultEntry]], list[dict[str, str]]]:
    """Every entry against its sample: known sample, received, expected item, right unit. Returns problems."""
    by_sample: dict[str, list[ResultEntry]] = {}
    problems: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(entries):
        where = f"{field}.{index}"
        sample = samples.get(entry.sample_id)
        if sample is None:
            problems.append({"field": f"{where}.sample_id", "message": "no such sample of your lab"})
            continue
        if sample.state not in {"received", "tested"}:
            problems.append({"field": f"{where}.sample_id", "message": f"the sample is {sample.state}, not received"})
            continue
        item = next((i for i in sample.items if i["analyte"] == entry.analyte), None)
        if item is None:
            problems.append({"field": f"{where}.analyte", "message": f"{entry.analyte} is not tested on this sample"})
            continue
        if (entry.sample_id, entry.analyte) in seen:
            problems.append({"field": f"{where}.analyte", "message": "the same item twice in one request"})
            continue
        seen.add((entry.sample_id, entry.analyte))
        try:
            judge_entry(item, entry)
        except judgement.UnitMismatch as exc:
            problems.append({"field": f"{where}.unit", "message": str(exc)})
            continue
        except ValueError as exc:
            problems.append({"field": f"{where}.value", "message": str(exc)})
            continue
        old = (sample.results or {}).get(entry.analyte)
        if old and not _same_result(old, entry) and not entry.correction_reason:
            problems.append(
                {"field": f"{where}.value", "message": "this item already has another result: give a correction_reason"}
            )
            continue
        by_sample.setdefault(entry.sample_id, []).append(entry)
    return by_sample, problems


def apply_results(sample: store.SampleRecord, entries: Iterable[ResultEntry], source: Source) -> Planned:
    """Judge and set each result on the sample (in memory); the sample's verdict follows its items."""
    planned = Planned(sample, list(entries))
    results = dict(sample.results or {})
    at = clock.iso(clock.now())
    for entry in planned.entries:
        old = results.get(entry.analyte)
        if old and _same_result(old, entry):
            planned.unchanged += 1
            continue
        item = next(i for i in sample.items if i["analyte"] == entry.analyte)
        verdict = judge_entry(item, entry)
        results[entry.analyte] = {
            "analyte": entry.analyte,
            "value": _text(entry.value),
            "detected": entry.detected,
            "unit": judgement.normalize_unit(entry.unit),
            "outcome": verdict.outcome.value,
            "reported": verdict.reported,
            "limit": {**item["limit"], "text": judgement.describe_limit(item_spec(item).limit)},
            "method": entry.method or item.get("method_standard"),
            "tested_at": entry.tested_at,
            "entered_by": source.actor,
            "entered_at": at,
            "source": source.kind,
            "raw_sha256": source.raw_sha256,
            "instrument": source.instrument,
            "replaces": old.get("value") if old else None,
            "correction_reason": entry.correction_reason if old else None,
        }
        planned.changed += 1
    sample.results = results
    outcomes = [
        judgement.Outcome(results[i["analyte"]]["outcome"]) if i["analyte"] in results else None for i in sample.items
    ]
    sample.verdict = judgement.sample_verdict(outcomes)
    sample.unqualified_items = sorted(a for a, r in results.items() if r["outcome"] == judgement.Outcome.UNQUALIFIED)
    if sample.verdict != "pending":
        sample.state = "tested"
    return planned


def _changes(planned: Planned, before: tuple[str, str]) -> list[audit.Change]:
    """The sample's change and, when its verdict turns, its failure event opened, reopened or withdrawn."""
    sample = planned.sample
    _, verdict = before
    failed_now, failed_before = sample.verdict == "unqualified", verdict == "unqualified"
    failure: store.FailureRecord | None = None
    if failed_now and not failed_before:
        sample.failures = int(sample.failures or 0) + 1
        if sample.failures == 1:
            failure = store.FailureRecord(
                id=sample.id,
                sample_id=sample.id,
                task_kind=sample.task_kind,
                task_id=sample.task_id,
                unit_org_id=sample.unit_org_id,
                parties=set(sample.parties or ()),
                region=sample.region,
                product_code=sample.product_code,
                product_name=sample.product_name,
                subject_id=sample.subject_id,
                place_region=(sample.place or {}).get("region"),
            )
        else:
            failure = store.get_failure(sample.id)
        failure.state = "open"
        failure.items = [sample.results[a] for a in sample.unqualified_items]
    elif failed_before and not failed_now:
        failure = store.get_failure(sample.id)
        failure.state = "withdrawn"
    changes = [
        audit.Change(
            sample,
            "sample.results_entered",
            detail={"items": [e.analyte for e in planned.entries], "verdict": sample.verdict},
            condition=store.SampleRecord.version == int(sample.version or 0),
        )
    ]
    if failure is not None:
        first = failure.version is None
        changes.append(
            audit.Change(
                failure,
                "sample.failed" if failure.state == "open" else "sample.failure_withdrawn",
                detail={"items": sample.unqualified_items, "failures": int(sample.failures or 0)},
                condition=store.FailureRecord.pk.does_not_exist() if first else None,
            )
        )
    return changes


def enter_results(
    user: Principal,
    entries: Sequence[ResultEntry],
    source: Source,
    *,
    allowed: Any,
) -> EnterResultsView:
    """Bulk entry: read every sample at once, check everything first (a bad entry changes nothing), then write.

    `allowed(sample)` is the task side's word on whether this user's lab may enter results on it.
    Each sample's results commit atomically with their audit entry (and its failure event); a retry
    of the same request finds the same values and changes nothing.
    """
    samples = {k: v for k, v in store.samples_by_id({e.sample_id for e in entries}).items() if allowed(v)}
    if not samples:
        raise NotFoundError("none of these samples is one your lab tests")
    cancelled = store.cancelled_tasks(samples.values())
    if cancelled:
        shut = sorted(sid for sid, s in samples.items() if s.task_id in cancelled)
        raise InvalidStateError(
            f"{len(shut)} of these samples belong to a cancelled task: it takes no results",
            errors=[
                {"field": "body.results", "message": f"sample {sid}: its task was cancelled"} for sid in shut[:200]
            ],
        )
    by_sample, problems = check_results(entries, samples)
    if problems:
        raise ResultProblems(f"{len(problems)} of {len(entries)} results cannot be entered", errors=problems[:200])
    outcomes = commit_results([(samples[sid], group) for sid, group in by_sample.items()], source)
    return summarize(outcomes)


# DynamoDB takes at most 100 items and 4 MB per transaction. A sample is written with its audit entry (which
# holds the whole sample again) and perhaps its failure event: about three times its size. Keep well under.
TRANSACTION_BYTES = 3_000_000


def _chunks(groups: Sequence[tuple[store.SampleRecord, list[ResultEntry]]]) -> list[list[Any]]:
    """Samples in transaction-sized chunks: at most CHUNK samples and about TRANSACTION_BYTES of items each."""
    chunks: list[list[Any]] = []
    size = 0
    for group in groups:
        weight = 3 * (len(audit.canonical(group[0].results or {})) + 2_000 + 600 * len(group[1]))
        if not chunks or len(chunks[-1]) >= CHUNK or size + weight > TRANSACTION_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(group)
        size += weight
    return chunks


def commit_results(groups: Sequence[tuple[store.SampleRecord, list[ResultEntry]]], source: Source) -> list[Planned]:
    """Write checked results, a chunk of samples per transaction; a chunk that meets a concurrent change is re-read."""
    done: list[Planned] = []
    for chunk in _chunks(groups):
        for attempt in range(3):
            planned = []
            for sample, group in chunk:
                before = (sample.state, sample.verdict)
                planned.append((apply_results(sample, group, source), before))
            work = [(p, b) for p, b in planned if p.changed]
            if not work:
                done.extend(p for p, _ in planned)
                break
            try:
                audit.commit([c for p, b in work for c in _changes(p, b)], actor=source.actor)
                done.extend(p for p, _ in planned)
                break
            except ConflictError:
                if attempt == 2:
                    raise
                fresh = store.samples_by_id(s.id for s, _ in chunk)
                chunk = [(fresh[s.id], e) for s, e in chunk]
    return done


def summarize(done: Sequence[Planned]) -> EnterResultsView:
    return EnterResultsView(
        samples=[
            ResultOutcome(
                sample_id=p.sample.id,
                outcome="entered" if p.changed else "unchanged",
                verdict=p.sample.verdict,
                entered=p.changed,
                unchanged=p.unchanged,
            )
            for p in done
        ],
        entered=sum(p.changed for p in done),
        unchanged=sum(p.unchanged for p in done),
        unqualified_samples=sorted(p.sample.id for p in done if p.sample.verdict == "unqualified"),
    )


# --- milestones, for the progress view --------------------------------------------------------------


def milestones(change_new: dict[str, Any] | None, change_old: dict[str, Any] | None) -> list[store.Milestone]:
    """What a sample's change adds to its unit's counters: each milestone once, a failure undone by a correction."""
    if not change_new:
        return []
    old = change_old or {}
    reached = []
    if not change_old:
        reached.append(store.Milestone("sampled", "sampled"))
    if change_new.get("state") in {"received", "tested"} and old.get("state") in {None, "sampled"}:
        reached.append(store.Milestone("received", "received"))
    if change_new.get("verdict") not in {None, "pending"} and old.get("verdict") in {None, "pending"}:
        reached.append(store.Milestone("tested", "tested"))
    failures = int(change_new.get("failures") or 0)
    if change_new.get("verdict") == "unqualified" and old.get("verdict") != "unqualified":
        reached.append(store.Milestone(f"unqualified#{failures}", "unqualified"))
    elif old.get("verdict") == "unqualified" and change_new.get("verdict") != "unqualified":
        reached.append(store.Milestone(f"cleared#{failures}", "unqualified", -1))
    return reached


def every_sample(task_id: str, org_id: str) -> Iterator[store.SampleRecord]:
    yield from store.every_sample_of_unit(task_id, org_id)

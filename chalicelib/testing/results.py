"""Who enters results: analysts by hand, instruments by batch (with the raw file's hash); who adds limits."""

from __future__ import annotations

import contextlib
import hashlib

from chalicelib.core import audit
from chalicelib.core.access import Principal
from chalicelib.core.errors import ConflictError, ForbiddenError, NotFoundError, Unprocessable

from . import service, store
from .models import (
    MAX_SAMPLES_PER_REQUEST,
    AddLimitRequest,
    EnterResultsRequest,
    EnterResultsView,
    InstrumentResultsRequest,
    LimitView,
    ResultEntry,
)


def add_limit(user: Principal, req: AddLimitRequest) -> LimitView:
    if user.org_kind != "ministry":
        raise ForbiddenError("the ministry maintains the limit library")
    return service.add_limit(user.user_id, req)


def _enter(user: Principal, entries: list[ResultEntry], source: service.Source) -> EnterResultsView:
    if len({e.sample_id for e in entries}) > MAX_SAMPLES_PER_REQUEST:
        raise Unprocessable(
            f"at most {MAX_SAMPLES_PER_REQUEST} samples per request",
            errors=[{"field": "body.results", "message": "too many samples"}],
        )
    # Only the lab that received a sample enters its results; others' samples do not exist for it.
    return service.enter_results(user, entries, source, allowed=lambda s: s.unit_org_id == user.org_id)


def enter_by_hand(user: Principal, req: EnterResultsRequest) -> EnterResultsView:
    return _enter(user, req.results, service.Source(actor=user.user_id, kind="manual"))


def enter_from_instrument(user: Principal, req: InstrumentResultsRequest) -> EnterResultsView:
    """An instrument's batch: the same batch again returns what it did; the same id with other content is a 409."""
    digest = hashlib.sha256(audit.canonical(req.model_dump(mode="json")).encode()).hexdigest()
    batch_key = f"{user.org_id}:{req.batch_id}"
    try:
        done = store.get_instrument_batch(batch_key)
        if done.content_hash != digest:
            raise ConflictError("this batch_id was already sent with other content")
        return EnterResultsView.model_validate(done.outcome)
    except NotFoundError:
        pass
    source = service.Source(
        actor=user.user_id, kind="instrument", raw_sha256=req.file_sha256, instrument=req.instrument
    )
    outcome = _enter(user, req.results, source)
    batch = store.InstrumentBatchRecord(
        id=batch_key,
        org_id=user.org_id,
        batch_id=req.batch_id,
        content_hash=digest,
        file_sha256=req.file_sha256,
        outcome=outcome.model_dump(mode="json"),
        region=user.org_region,
    )
    # If the same batch raced itself, its results were the same, so both answers hold.
    with contextlib.suppress(ConflictError):
        audit.commit(
            audit.Change(batch, "instrument.batch", condition=store.InstrumentBatchRecord.pk.does_not_exist()),
            actor=user.user_id,
        )
    return outcome

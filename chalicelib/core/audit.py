"""State changes and their audit records, committed together and hash-chained per record."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PynamoDBConnectionError, TransactWriteError
from pynamodb.transactions import TransactWrite

from . import clock
from .db import Entity, query_all
from .errors import ConflictError, PayloadTooLarge, ServiceUnavailable

T = TypeVar("T")
GENESIS = "0" * 64
AUDIT_DAY_SHARDS = 8
# Attributes that change because the record is being audited, not because of the change itself.
_UNHASHED = {"version", "audit_head"}


class AuditEntry(Entity, discriminator="Audit"):
    """Audit record (审计记录): one state of one record, linked to the one before by its hash."""

    seq = NumberAttribute()
    record_pk = UnicodeAttribute()
    record_sk = UnicodeAttribute()
    action = UnicodeAttribute()
    actor = UnicodeAttribute()
    at = UnicodeAttribute()
    detail = JSONAttribute(null=True)
    state = JSONAttribute()
    state_hash = UnicodeAttribute()
    prev_hash = UnicodeAttribute()
    hash = UnicodeAttribute()

    def derive_keys(self) -> None:
        self.pk = self.record_pk
        # The record's sort key is part of the entry's: a subject and its bases share a partition.
        self.sk = f"AUDIT#{self.record_sk}#{int(self.seq):08d}"
        shard = zlib.crc32(self.record_pk.encode()) % AUDIT_DAY_SHARDS
        self.gsi2pk = f"AUDITDAY#{clock.cst_day(clock.parse_iso(self.at))}#{shard}"
        self.gsi2sk = f"{self.record_pk}#{self.record_sk}#{int(self.seq):08d}"


@lru_cache(maxsize=1)
def _connection() -> Connection:
    # One client per container: building a botocore client costs more than the write itself.
    return Connection(region=Entity.Meta.region)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def snapshot(record: Entity) -> dict[str, Any]:
    """The record's business state as stored (DynamoDB JSON), without the audit bookkeeping.

    DynamoDB sets have no order, and Python's set order changes from process to process: they are kept sorted,
    so the same state always reads and hashes the same.
    """
    return _ordered({k: v for k, v in record.serialize().items() if k not in _UNHASHED})


def _ordered(state: dict[str, Any]) -> dict[str, Any]:
    return {k: _ordered_value(v) for k, v in state.items()}


def _ordered_value(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in {"SS", "NS", "BS"}:
            kind, items = next(iter(value.items()))
            return {kind: sorted(items)}
        return {k: _ordered_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ordered_value(v) for v in value]
    return value


def link_hash(entry: AuditEntry) -> str:
    payload = {
        "record": entry.record_pk,
        "seq": int(entry.seq),
        "action": entry.action,
        "actor": entry.actor,
        "at": entry.at,
        "detail": entry.detail,
        "state_hash": entry.state_hash,
        "prev": entry.prev_hash,
    }
    return hashlib.sha256(canonical(payload).encode()).hexdigest()


@dataclass
class Change:
    """One record to write, why, and the condition its current stored state must meet."""

    record: Entity
    action: str
    detail: dict[str, Any] | None = None
    condition: Any = None


_BOOKKEEPING = ("audit_seq", "audit_head", "updated_at", "created_at", "last_action", "last_actor")


def _bookkeeping(record: Entity) -> dict[str, Any]:
    return {name: getattr(record, name) for name in _BOOKKEEPING}


def _entry_for(change: Change, actor: str, at: str) -> AuditEntry:
    record = change.record
    record.updated_at = at
    record.created_at = record.created_at or at
    record.derive_keys()
    seq = int(record.audit_seq or 0) + 1
    record.audit_seq = seq
    record.last_action, record.last_actor = change.action, actor
    state = snapshot(record)
    entry = AuditEntry(
        record_pk=record.pk,
        record_sk=record.sk,
        seq=seq,
        action=change.action,
        actor=actor,
        at=at,
        detail=change.detail,
        state=state,
        state_hash=hashlib.sha256(canonical(state).encode()).hexdigest(),
        prev_hash=record.audit_head or GENESIS,
        region=record.region,
    )
    entry.hash = link_hash(entry)
    entry.derive_keys()
    record.audit_head = entry.hash
    return entry


def commit(changes: Sequence[Change] | Change, *, actor: str, claims: Iterable[Entity] = ()) -> None:
    """Write every change and its audit entry in one transaction; a stale or unmet condition is a 409.

    `claims` are items that must not exist yet (a unique number, a code): taken in the same transaction.
    """
    changes = [changes] if isinstance(changes, Change) else list(changes)
    at = clock.iso(clock.now())
    before = [_bookkeeping(c.record) for c in changes]
    entries = [_entry_for(c, actor, at) for c in changes]
    try:
        with TransactWrite(connection=_connection()) as tx:
            for change, entry in zip(changes, entries, strict=True):
                tx.save(change.record, condition=change.condition)
                tx.save(entry, condition=AuditEntry.pk.does_not_exist())
            for claim in claims:
                claim.derive_keys()
                tx.save(claim, condition=Entity.pk.does_not_exist())
    except TransactWriteError as exc:
        for change, saved in zip(changes, before, strict=True):
            for name, value in saved.items():
                setattr(change.record, name, value)
        reasons = {getattr(r, "code", None) for r in (exc.cancellation_reasons or []) if r is not None}
        if getattr(exc, "cause_response_code", None) == "ValidationException":
            # Not a conflict: the change is larger than DynamoDB takes (4 MB a transaction, 400 KB an item).
            raise PayloadTooLarge("the change is too large to store at once: send it in smaller parts") from exc
        if reasons & {"ConditionalCheckFailed", "TransactionConflict"} or not reasons:
            raise ConflictError("the record changed since it was read, or is not in the expected state") from exc
        raise ServiceUnavailable("the table did not accept the change") from exc
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def again_on_conflict(action: Callable[[], T], attempts: int = 3) -> T:
    """Run a read-check-write again when its write meets a concurrent one (a workflow storing its token on the same
    record): each attempt reads afresh, so a real state conflict still ends in a 409 after the last one."""
    for attempt in range(attempts):
        try:
            return action()
        except ConflictError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@dataclass
class ChainReport:
    record_pk: str
    length: int
    intact: bool
    problem: str | None = None


def verify_chain(record: Entity) -> ChainReport:
    """Recompute every link of a record's audit chain and compare the head with the record."""
    prev = GENESIS
    count = 0
    last: AuditEntry | None = None
    for entry in query_all(AuditEntry, record.pk, range_key_condition=AuditEntry.sk.startswith(f"AUDIT#{record.sk}#")):
        count += 1
        if int(entry.seq) != count:
            return ChainReport(record.pk, count, False, f"entry {count} is missing")
        if entry.prev_hash != prev:
            return ChainReport(record.pk, count, False, f"entry {count} does not link to the one before")
        if link_hash(entry) != entry.hash:
            return ChainReport(record.pk, count, False, f"entry {count} was altered")
        if hashlib.sha256(canonical(entry.state).encode()).hexdigest() != entry.state_hash:
            return ChainReport(record.pk, count, False, f"entry {count}'s state was altered")
        prev, last = entry.hash, entry
    if last is None:
        return ChainReport(
            record.pk, 0, int(record.audit_seq or 0) == 0, None if not record.audit_seq else "no audit entries"
        )
    if record.audit_head != last.hash or int(record.audit_seq or 0) != count:
        return ChainReport(record.pk, count, False, "the record's head does not match its last audit entry")
    if snapshot(record) != _ordered(last.state):
        return ChainReport(record.pk, count, False, "the record differs from its last audited state")
    return ChainReport(record.pk, count, True)


def audited_record(pk: str, sk: str) -> Entity | None:
    """The record an audit chain belongs to, whatever its kind, or None if it is gone."""
    try:
        return Entity.get(pk, sk)
    except DoesNotExist:
        return None


def records_changed_on(day: str) -> list[tuple[str, str]]:
    """(pk, sk) of every record with an audit entry on `day` (China Standard Time), from the day's shards."""
    seen: set[tuple[str, str]] = set()
    for shard in range(AUDIT_DAY_SHARDS):
        for item in query_all(AuditEntry, f"AUDITDAY#{day}#{shard}", index=Entity.gsi2):
            seen.add((item.record_pk, item.record_sk))  # a subject and its bases share a pk, not a record
    return sorted(seen)

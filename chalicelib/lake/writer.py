"""Writes each stream batch's audited changes to the lake: one object per batch, kind and day.

The national scale path (BD-3, BD-4): the table answers the platform's own questions by key; ad-hoc national
questions (which counties failed most on a hazard this quarter, say) go to Athena over these files instead of
scanning the table. Each change is one JSON line: the record's image as stored (JSON attributes stay JSON text,
table keys are left out), plus `change_seq` (the stream's sequence number), `change_op` (insert, modify,
remove) and `change_at` (when the record changed). A record's current state is its line with the highest
`audit_seq`. Objects are `lake/kind={Kind}/day={YYYY-MM-DD}/{first sequence number of the batch}.jsonl`: a
batch delivered again writes the same names with the same lines, so it overwrites rather than duplicates.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from chalicelib.core import clock, storage
from chalicelib.core.events import RecordChange

PREFIX = "lake/"
# Key attributes of the single table: how the record is stored, not what it says.
KEYS = {"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk", "gsi4pk", "gsi4sk"}


def op(change: RecordChange) -> str:
    if change.new is None:
        return "remove"
    return "insert" if change.created else "modify"


def day_of(change: RecordChange) -> str:
    """The China-time day the change happened (its record's `updated_at`), the partition it lands in."""
    image = change.image
    at = image.get("updated_at") or image.get("created_at")
    moment = clock.parse_iso(at) if isinstance(at, str) and at else clock.now()
    return clock.cst_day(moment)


def line(seq: str, change: RecordChange) -> dict[str, Any]:
    image = change.image
    row = {k: v for k, v in image.items() if k not in KEYS and not k.startswith("gsi")}
    row.update(change_seq=seq, change_op=op(change), change_at=image.get("updated_at") or image.get("created_at"))
    return row


def key_of(kind: str, day: str, first_seq: str) -> str:
    return f"{PREFIX}kind={kind}/day={day}/{first_seq}.jsonl"


def write_batch(first_seq: str, changes: list[tuple[str, RecordChange]]) -> list[str]:
    """Stream sink: the batch's changes grouped by kind and day, one object each; the keys written."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for seq, change in changes:
        text = json.dumps(line(seq, change), ensure_ascii=False, sort_keys=True, default=str)
        groups[(change.kind, day_of(change))].append(text)
    written = []
    for (kind, day), lines in sorted(groups.items()):
        key = key_of(kind, day, first_seq)
        storage.put(key, ("\n".join(lines) + "\n").encode(), "application/x-ndjson")
        written.append(key)
    return written

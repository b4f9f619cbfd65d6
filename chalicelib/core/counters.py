"""Counters kept from the stream, exact under at-least-once delivery.

A change adds to one or more counter cells (an item each: `ADD` of its deltas) in the same transaction as
a mark that says the change was counted; a second delivery of the same change finds the mark and adds
nothing. The mark names the change, not the record: `{kind}#{id}#v{version}` counts each version once, so
a record moving from one state to another can take 1 from the old state's figure and add 1 to the new.

A transaction holds at most 100 items; a change touching more cells is split into parts, each with its own
mark (`{mark}#{part}`), so a retry after a partial failure applies only the parts that did not land.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from .db import Entity
from .errors import ServiceUnavailable

MAX_CELLS_PER_PART = 99  # 100 items per transaction, one of them the mark


@dataclass(frozen=True)
class Cell:
    """One counter item: its keys, what to add, and what it is (set on every write, for reads and indexes)."""

    pk: str
    sk: str
    deltas: Mapping[str, int]
    attrs: Mapping[str, str | int] = field(default_factory=dict)


def count_once(mark: str, cells: Sequence[Cell]) -> int:
    """Apply the cells' deltas unless this change was counted already; returns how many parts were applied.

    Cells with the same keys are merged first (their deltas added), so one change may name a cell twice.
    """
    merged = _merge(cells)
    if not merged:
        return 0
    parts = [merged[i : i + MAX_CELLS_PER_PART] for i in range(0, len(merged), MAX_CELLS_PER_PART)]
    applied = 0
    for n, part in enumerate(parts):
        part_mark = mark if len(parts) == 1 else f"{mark}#{n}"
        applied += _apply(part_mark, part)
    return applied


def _merge(cells: Sequence[Cell]) -> list[Cell]:
    by_key: dict[tuple[str, str], Cell] = {}
    for cell in cells:
        key = (cell.pk, cell.sk)
        seen = by_key.get(key)
        if seen is None:
            by_key[key] = Cell(cell.pk, cell.sk, dict(cell.deltas), dict(cell.attrs))
            continue
        deltas = dict(seen.deltas)
        for name, delta in cell.deltas.items():
            deltas[name] = deltas.get(name, 0) + delta
        by_key[key] = Cell(seen.pk, seen.sk, deltas, {**seen.attrs, **cell.attrs})
    return [c for c in by_key.values() if any(c.deltas.values())]


def _apply(mark: str, cells: Sequence[Cell]) -> int:
    table = Entity.Meta.table_name
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table,
                "Item": {"pk": {"S": f"COUNTED#{mark}"}, "sk": {"S": "COUNTED"}, "kind": {"S": "Counted"}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
    ]
    items.extend({"Update": _update(table, cell)} for cell in cells)
    return int(transact_once(items))


def transact_once(items: Sequence[dict[str, Any]]) -> bool:
    """Write the items in one transaction; False when a mark's condition says it was written before."""
    try:
        _dynamodb().transact_write_items(TransactItems=list(items))
    except ClientError as exc:
        reasons = {r.get("Code") for r in exc.response.get("CancellationReasons", [])}
        if exc.response["Error"]["Code"] == "TransactionCanceledException" and "ConditionalCheckFailed" in reasons:
            return False
        raise ServiceUnavailable("the table did not accept the count") from exc
    except BotoCoreError as exc:
        raise ServiceUnavailable("the table did not answer") from exc
    return True


def _update(table: str, cell: Cell) -> dict[str, Any]:
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    adds, sets = [], []
    for i, (name, delta) in enumerate(sorted(cell.deltas.items())):
        if delta:
            names[f"#d{i}"], values[f":d{i}"] = name, {"N": str(delta)}
            adds.append(f"#d{i} :d{i}")
    for i, (name, value) in enumerate(sorted(cell.attrs.items())):
        names[f"#a{i}"] = name
        values[f":a{i}"] = {"N": str(value)} if isinstance(value, int) else {"S": value}
        sets.append(f"#a{i} = :a{i}")
    expression = (f"SET {', '.join(sets)} " if sets else "") + f"ADD {', '.join(adds)}"
    return {
        "TableName": table,
        "Key": {"pk": {"S": cell.pk}, "sk": {"S": cell.sk}},
        "UpdateExpression": expression,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


@lru_cache(maxsize=1)
def _dynamodb() -> Any:
    return boto3.client("dynamodb")

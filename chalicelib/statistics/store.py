"""Reads of counter cells: one Query per region and period (a region's own cells, or its children's)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.db import Entity
from chalicelib.core.errors import ServiceUnavailable

from .cells import parent_of, partition

Figures = dict[str, dict[str, int]]  # family -> figure -> value
_deserialize = TypeDeserializer().deserialize
_META = {"pk", "sk", "kind", "region", "family", "period", "day"}


def _query(pk: str, prefix: str | None = None) -> Iterator[dict[str, Any]]:
    """Every item of a partition (optionally under a sort-key prefix), page by page."""
    args: dict[str, Any] = {
        "TableName": Entity.Meta.table_name,
        "KeyConditionExpression": "pk = :pk" + (" AND begins_with(sk, :prefix)" if prefix else ""),
        "ExpressionAttributeValues": {":pk": {"S": pk}, **({":prefix": {"S": prefix}} if prefix else {})},
    }
    try:
        while True:
            page = _dynamodb().query(**args)
            for item in page.get("Items", []):
                yield {k: _deserialize(v) for k, v in item.items()}
            if "LastEvaluatedKey" not in page:
                return
            args["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    except (ClientError, BotoCoreError) as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def _add(into: Figures, item: dict[str, Any]) -> None:
    family = into.setdefault(str(item["family"]), {})
    for name, value in item.items():
        if name not in _META:
            family[name] = family.get(name, 0) + int(value)


def figures_of(region: str, period: str) -> Figures:
    """A region's figures in one period: one Query of its parent's partition (the nation's shards summed)."""
    out: Figures = {}
    for item in _query(partition(parent_of(region), period), f"{region}#"):
        _add(out, item)
    return out


def children_of(region: str, period: str) -> dict[str, Figures]:
    """The figures of every region directly below `region` that has any: one Query of its partition."""
    out: dict[str, Figures] = {}
    for item in _query(partition(region, period)):
        _add(out.setdefault(str(item["region"]), {}), item)
    return out


def active_cells(pk: str, family: str) -> list[dict[str, Any]]:
    """The active-cell index of one day and shard, for one family (the warning job's input)."""
    return list(_query(pk, f"{family}#"))


def get_cells(keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Counter cells by key, 100 per BatchGetItem, unprocessed keys retried."""
    out: list[dict[str, Any]] = []
    table = Entity.Meta.table_name
    for i in range(0, len(keys), 100):
        pending: dict[str, Any] = {
            table: {"Keys": [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in keys[i : i + 100]]}
        }
        try:
            while pending:
                got = _dynamodb().batch_get_item(RequestItems=pending)
                out.extend({k: _deserialize(v) for k, v in item.items()} for item in got["Responses"].get(table, []))
                pending = got.get("UnprocessedKeys") or {}
        except (ClientError, BotoCoreError) as exc:
            raise ServiceUnavailable("the table did not answer") from exc
    return out


@lru_cache(maxsize=1)
def _dynamodb() -> Any:
    return boto3.client("dynamodb")

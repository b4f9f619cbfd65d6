"""The main table: one pynamodb base with generic keys, and the reads every area shares."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from typing import Any, TypeVar

from pynamodb.attributes import (
    DiscriminatorAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DoesNotExist, PynamoDBConnectionError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from .config import get_settings
from .errors import ConflictError, InvalidStateError, NotFoundError, ServiceUnavailable, Unprocessable

_settings = get_settings()

M = TypeVar("M", bound="Entity")


class _Meta:
    table_name = _settings.table_name
    region = _settings.aws_region


class Gsi1(GlobalSecondaryIndex["Entity"]):
    """Lists by jurisdiction or parent: gsi1pk = a list's partition, gsi1sk = region or time order."""

    class Meta(_Meta):
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex["Entity"]):
    """Second list per record: assignee inboxes, audit days."""

    class Meta(_Meta):
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Entity(Model):
    """Every item of the main table. Subclasses derive their keys in `derive_keys` only."""

    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    version = VersionAttribute()
    region = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    audit_seq = NumberAttribute(default=0)
    audit_head = UnicodeAttribute(null=True)
    last_action = UnicodeAttribute(null=True)
    last_actor = UnicodeAttribute(null=True)

    gsi1 = Gsi1()
    gsi2 = Gsi2()

    def derive_keys(self) -> None:
        """Set pk/sk and index keys from the record's own attributes."""
        raise NotImplementedError


def fetch(model: type[M], pk: str, sk: str, *, what: str = "record") -> M:
    """One GetItem; a missing item (or one of another kind) is a 404."""
    try:
        item = model.get(pk, sk)
    except DoesNotExist:
        raise NotFoundError(f"{what} not found") from None
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc
    if not isinstance(item, model):
        raise NotFoundError(f"{what} not found")
    return item


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, partition: tuple[str, str]) -> dict[str, Any] | None:
    """An opaque cursor is only good for the partition it came from; anything else is a 400."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        attr, value = partition
        if not isinstance(key, dict) or key.get(attr, {}).get("S") != value:
            raise ValueError("cursor of another list")
    except (ValueError, binascii.Error, UnicodeDecodeError, AttributeError) as exc:
        raise Unprocessable(
            "cursor is not valid here", errors=[{"field": "query.cursor", "message": "invalid"}]
        ) from exc
    return key


def query_page(
    model: type[M],
    partition: tuple[str, str],
    *,
    index: GlobalSecondaryIndex | None = None,
    range_key_condition: Any = None,
    limit: int = 50,
    cursor: str | None = None,
    newest_first: bool = False,
) -> tuple[list[M], str | None]:
    """One page of a Query: the items and the opaque cursor of the next page."""
    _, value = partition
    start = decode_cursor(cursor, partition=partition)
    source: Any = index if index is not None else model
    try:
        result = source.query(
            value,
            range_key_condition=range_key_condition,
            limit=limit,
            page_size=limit,
            last_evaluated_key=start,
            scan_index_forward=not newest_first,
        )
        items = [item for item in result if isinstance(item, model)]
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc
    return items, encode_cursor(result.last_evaluated_key)


def full_page(
    model: type[M],
    partition: tuple[str, str],
    *,
    index: GlobalSecondaryIndex | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[M], str | None]:
    """One page of a partition of `model` items only: `limit` items unless it is the last, a cursor only if more follow.

    One Query asks for `limit + 1` items: the extra one, left out, says whether there is a next page, which then
    starts after the page's last item (its key is what DynamoDB's LastEvaluatedKey would be).
    """
    _, value = partition
    start = decode_cursor(cursor, partition=partition)
    source: Any = index if index is not None else model
    try:
        result = source.query(value, limit=limit + 1, page_size=limit + 1, last_evaluated_key=start)
        items = [item for item in result if isinstance(item, model)]
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc
    if len(items) <= limit:
        return items, None
    last = items[limit - 1]
    names = ["pk", "sk", *(index.Meta.attributes if index is not None else ())]
    return items[:limit], encode_cursor({name: {"S": getattr(last, name)} for name in names})


def query_all(
    model: type[M], partition_value: str, *, index: Any = None, range_key_condition: Any = None
) -> Iterable[M]:
    """Every item of one partition (for jobs walking a bounded partition such as a chain)."""
    source: Any = index if index is not None else model
    for item in source.query(partition_value, range_key_condition=range_key_condition):
        if isinstance(item, model):
            yield item


def expect(record: Entity, version: int, states: set[str], what: str) -> None:
    """A change asked of a record read at `version`: stale is a 409, the wrong state too (never an overwrite)."""
    if int(record.version or 0) != version:
        raise ConflictError(f"{what} changed since you read it: read it again")
    state = getattr(record, "state", None)
    if state not in states:
        raise InvalidStateError(f"{what} is {state}; this needs it {' or '.join(sorted(states))}")

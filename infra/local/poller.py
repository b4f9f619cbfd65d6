"""Feed the table's stream to the stream handler the way Lambda's event source mapping does.

moto's own stream -> Lambda mappings call the function inside the write and recurse when the
handler writes to its own table (see DESIGN.md), so the stream is read through the Streams API:
batches, partial batch failures retried from the lowest failed record, bisection, a retry limit,
then the on-failure destination.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3

Handler = Callable[[dict[str, Any], Any], dict[str, Any] | None]


class StreamPoller:
    def __init__(
        self,
        stream_arn: str,
        handler: Handler,
        *,
        batch_size: int = 100,
        max_retries: int = 5,
        on_failure: Callable[[list[dict[str, Any]]], None] | None = None,
        context: Any = None,
    ) -> None:
        self.stream_arn = stream_arn
        self.handler = handler
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.on_failure = on_failure or (lambda records: self.dead_letters.extend(records))
        self.dead_letters: list[dict[str, Any]] = []
        self.client = boto3.client("dynamodbstreams")
        self.iterators: dict[str, str | None] = {}
        self.errors: list[str] = []
        self.context = context
        self.backlog: dict[str, list[dict[str, Any]]] = {}

    def _shards(self) -> list[str]:
        desc = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        return [s["ShardId"] for s in desc.get("Shards", [])]

    def _fetch(self, shard: str) -> list[dict[str, Any]]:
        if shard not in self.iterators:
            self.iterators[shard] = self.client.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        iterator = self.iterators[shard]
        if iterator is None:
            return []
        out = self.client.get_records(ShardIterator=iterator, Limit=1000)
        self.iterators[shard] = out.get("NextShardIterator")
        return [self._lambda_shaped(r) for r in out.get("Records", [])]

    def _lambda_shaped(self, record: dict[str, Any]) -> dict[str, Any]:
        record = dict(record)
        data = dict(record.get("dynamodb", {}))
        stamp = data.get("ApproximateCreationDateTime")
        if isinstance(stamp, datetime):
            data["ApproximateCreationDateTime"] = stamp.timestamp()
        record["dynamodb"] = data
        record["eventSourceARN"] = self.stream_arn
        return record

    def poll_once(self) -> int:
        """Deliver what is waiting on every shard; returns the number of records handed to the handler."""
        delivered = 0
        for shard in self._shards():
            backlog = self.backlog.setdefault(shard, [])
            backlog.extend(self._fetch(shard))
            while backlog:
                batch = backlog[: self.batch_size]
                self._deliver(batch, attempt=0)
                del backlog[: len(batch)]
                delivered += len(batch)
        return delivered

    def _deliver(self, batch: list[dict[str, Any]], attempt: int) -> None:
        try:
            response = self.handler({"Records": batch}, self.context) or {}
            failures = [f["itemIdentifier"] for f in response.get("batchItemFailures", [])]
        except Exception:  # noqa: BLE001 - a crashed invocation fails the whole batch, as on Lambda
            self.errors.append(traceback.format_exc())
            failures = [batch[0]["dynamodb"]["SequenceNumber"]]
            if len(batch) > 1 and attempt < self.max_retries:
                half = len(batch) // 2  # bisect on function error
                self._deliver(batch[:half], attempt + 1)
                self._deliver(batch[half:], attempt + 1)
                return
        if not failures:
            return
        first = min(failures, key=int)
        rest = [r for r in batch if int(r["dynamodb"]["SequenceNumber"]) >= int(first)]
        if attempt >= self.max_retries:
            self.on_failure(rest)
            return
        self._deliver(rest, attempt + 1)

    def drain(self, rounds: int = 20) -> int:
        total = 0
        for _ in range(rounds):
            got = self.poll_once()
            total += got
            if not got:
                break
        return total

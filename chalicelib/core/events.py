"""The table's stream as change events: one dispatcher, partial batch failures, idempotent subscribers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .observability import record_stream_batch

if TYPE_CHECKING:  # the batch utilities load only in the stream Lambda, not in the API's cold start
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord


@dataclass(frozen=True)
class RecordChange:
    """One audited change of one record, as the stream delivered it."""

    event_id: str
    kind: str
    new: dict[str, Any] | None
    old: dict[str, Any] | None

    @property
    def image(self) -> dict[str, Any]:
        return self.new or self.old or {}

    @property
    def state(self) -> str | None:
        return self.image.get("state")

    @property
    def old_state(self) -> str | None:
        return (self.old or {}).get("state")

    @property
    def created(self) -> bool:
        return self.old is None and self.new is not None


Subscriber = Callable[[RecordChange], None]
# A sink takes the changes of one batch at once: the batch's first sequence number (the same each time the
# batch is delivered again), then each change with its own sequence number, in stream order.
BatchSink = Callable[[str, list[tuple[str, RecordChange]]], object]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, set, tuple)):
        return [_plain(v) for v in value]
    return value


def to_change(record: DynamoDBRecord) -> RecordChange | None:
    """The audited change a stream record carries, or None for bookkeeping items (audit, feed)."""
    data = record.dynamodb
    new = _plain(data.new_image) if data and data.new_image else None
    old = _plain(data.old_image) if data and data.old_image else None
    image = new or old or {}
    # Only records written through audit.commit carry a sequence; their audit entries and feed items do not.
    if not image.get("audit_seq") or image.get("kind") in {"Audit", None}:
        return None
    if new and old and new.get("audit_seq") == old.get("audit_seq"):
        return None
    return RecordChange(event_id=record.event_id or "", kind=str(image["kind"]), new=new, old=old)


class StreamDispatcher:
    def __init__(self, subscribers: Sequence[Subscriber], sinks: Sequence[BatchSink] = ()) -> None:
        from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

        self.subscribers = list(subscribers)
        self.sinks = list(sinks)
        self.processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
        # The batch's changes by sequence number, as the handler parsed them: the sinks take them from here.
        self._parsed: dict[str, RecordChange] = {}

    def record_handler(self, record: DynamoDBRecord) -> None:
        change = to_change(record)
        if change is None:
            return
        if self.sinks and record.dynamodb and record.dynamodb.sequence_number:
            self._parsed[record.dynamodb.sequence_number] = change
        for subscriber in self.subscribers:
            subscriber(change)

    def handle(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """Lambda entry: a failed record is reported back so the poller retries from it, never skipped."""
        from aws_lambda_powertools.utilities.batch import process_partial_response

        self._parsed = {}
        result = process_partial_response(
            event=event, record_handler=self.record_handler, processor=self.processor, context=context
        )
        record_stream_batch(len(event.get("Records", [])), len(result.get("batchItemFailures", [])))
        if self.sinks:
            self._sink(event, {str(f["itemIdentifier"]) for f in result.get("batchItemFailures", [])})
        return dict(result)

    def _sink(self, event: dict[str, Any], failed: set[str]) -> None:
        """The batch's changes up to its first failed record go to the sinks; the poller re-delivers from there.

        A sink failing fails the whole invocation, so the batch comes again (the subscribers are idempotent).
        """
        done: list[tuple[str, RecordChange]] = []
        first = ""
        for raw in event.get("Records", []):
            seq = str((raw.get("dynamodb") or {}).get("SequenceNumber") or "")
            first = first or seq
            if seq in failed:
                break
            if seq in self._parsed:
                done.append((seq, self._parsed[seq]))
        if done:
            for sink in self.sinks:
                sink(first, done)

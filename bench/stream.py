"""Stream handler throughput: audited changes fed through the table's stream to `on_table_change`.

Under the moto decorator, N agencies are committed through `chalicelib.core.audit.commit` (a record
and its audit entry per change, several changes per transaction, so that making them is quick) in
county regions all over Shandong. Then the stream poller of the local stack (`infra.local.poller`,
wired by `infra.local.events.LocalEvents` as the deployment wires the event source mapping) drains
the stream into the app's handler, timed. Every stream record is delivered: the changes, their audit
entries and the feed items the handler itself writes (the handler skips the latter two).

moto's DynamoDB and Streams, in-process and in pure Python, take most of the time: the figures
compare runs of this bench with each other, they are not what Lambda on DynamoDB would do.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.support import env

env.apply()

from moto import mock_aws  # noqa: E402

from infra.local.events import LocalEvents  # noqa: E402
from tests.support.calls import counting  # noqa: E402
from tests.support.world import stand_up  # noqa: E402

CHANGES_PER_COMMIT = 25  # 50 items: a record and its audit entry each; DynamoDB takes 100 per transaction


@dataclass
class Throughput:
    changes: int
    create_seconds: float
    delivered: int
    invocations: int
    handed: int  # records handed to the handler, retries included
    seconds: float
    handler_seconds: float
    calls: Counter[str]
    cpu_seconds: float
    errors: int
    dead_letters: int

    @property
    def feed_records(self) -> int:
        """Stream records of the feed items the handler wrote: everything but the changes and their entries."""
        return self.delivered - 2 * self.changes

    @property
    def per_second(self) -> float:
        return self.delivered / self.seconds if self.seconds else 0.0

    @property
    def changes_per_second(self) -> float:
        return self.changes / self.seconds if self.seconds else 0.0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


def county_codes() -> Iterator[str]:
    from chalicelib.regions.catalog import catalog

    cat = catalog()
    counties = [c.code for city in cat.children("370000") for c in cat.children(city.code) if c.level == "county"]
    return itertools.cycle(counties or ["370112"])


@contextmanager
def without_transaction_backups() -> Iterator[None]:
    """moto deep-copies the whole table for every item of every transaction, to roll back on failure:
    quadratic in the table's size (2,000 changes would take many minutes). Nothing fails while the bench
    makes its changes, so while it does, that copy is skipped; every other copy moto makes stays as it is."""
    import copy

    import moto.dynamodb.models as backend
    from moto.dynamodb.models.table import Table

    class NoTableCopy:
        @staticmethod
        def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    backend.copy = NoTableCopy  # type: ignore[assignment]
    try:
        yield
    finally:
        backend.copy = copy  # type: ignore[assignment]


def make_changes(n: int) -> None:
    """N agencies, committed as the services commit: `audit.commit`, a record and its audit entry each."""
    from chalicelib.core import audit
    from chalicelib.core.ids import new_id
    from chalicelib.orgs.store import AgencyRecord

    regions = county_codes()
    for start in range(0, n, CHANGES_PER_COMMIT):
        changes = [
            audit.Change(
                AgencyRecord(
                    id=new_id(),
                    name=f"基准测试站{i:05d}",
                    org_kind="testing",
                    region=next(regions),
                    parent_id=None,
                    active=True,
                ),
                "agency.created",
            )
            for i in range(start, min(n, start + CHANGES_PER_COMMIT))
        ]
        audit.commit(changes, actor="bench")


def measure(n: int = 2000) -> Throughput:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        _identity, stream_arn = stand_up()
        events = LocalEvents(stream_arn)
        poller = events.poller
        start = time.perf_counter()
        with without_transaction_backups():
            make_changes(n)
        created = time.perf_counter() - start

        handler = poller.handler
        handled = {"invocations": 0, "records": 0, "seconds": 0.0}

        def timed(event: dict[str, Any], context: Any) -> dict[str, Any] | None:
            begin = time.perf_counter()
            try:
                return handler(event, context)
            finally:
                handled["seconds"] += time.perf_counter() - begin
                handled["invocations"] += 1
                handled["records"] += len(event["Records"])

        poller.handler = timed
        with counting() as calls:
            start, cpu = time.perf_counter(), time.process_time()
            delivered = 0
            while got := poller.drain():
                delivered += got
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            ops = calls.by_operation()
    return Throughput(
        changes=n,
        create_seconds=created,
        delivered=delivered,
        invocations=int(handled["invocations"]),
        handed=int(handled["records"]),
        seconds=seconds,
        handler_seconds=float(handled["seconds"]),
        calls=ops,
        cpu_seconds=cpu,
        errors=len(poller.errors),
        dead_letters=len(poller.dead_letters),
    )


def report(t: Throughput) -> str:
    calls = ", ".join(f"{op} {n}" for op, n in t.calls.most_common())
    return "\n".join(
        [
            "== Stream handler throughput (moto decorator mode, in-process) ==",
            f"audited changes made    : {t.changes} in {t.create_seconds:.1f} s"
            f" ({CHANGES_PER_COMMIT} per transaction; not part of the figures below)",
            f"stream records drained  : {t.delivered} (changes, their audit entries, and the feed items written"
            f" while draining) in {t.seconds:.2f} s, {t.invocations} handler invocations ({t.handed} records handed)",
            f"throughput              : {t.per_second:,.0f} stream records/s = {t.changes_per_second:,.0f}"
            f" audited changes/s (CPU {t.cpu_seconds:.2f} s of {t.seconds:.2f} s wall; other load on the machine"
            " widens the gap)",
            f"inside the handler      : {t.handler_seconds:.2f} s = {t.handler_seconds / t.seconds:.0%} of the drain,"
            f" {t.handed / t.handler_seconds:,.0f} records/s; the rest is the poller's GetRecords (moto serialising,"
            " botocore parsing)",
            f"AWS calls               : {t.total_calls} = {t.total_calls / t.delivered:.3f} per stream record,"
            f" {t.total_calls / t.changes:.3f} per audited change ({calls})",
            f"feed items written      : {t.feed_records} ({t.feed_records / t.changes:.1f} per change, one"
            f" BatchWriteItem per change); handler errors {t.errors}, dead letters {t.dead_letters}",
            "note: moto (pure-Python DynamoDB and Streams in this process) dominates these times; compare runs of"
            " this bench with each other, not with DynamoDB on AWS.",
        ]
    )

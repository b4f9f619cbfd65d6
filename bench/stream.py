"""Stream handler throughput: audited changes fed through the table's stream to `on_table_change`.

Under the moto decorator, N agencies are committed through `chalicelib.core.audit.commit` (a record
and its audit entry per change, several changes per transaction, so that making them is quick) in
county regions all over Shandong. Then the stream poller of the local stack (`infra.local.poller`,
wired by `infra.local.events.LocalEvents` as the deployment wires the event source mapping) drains
the stream into the app's handler, timed. Every stream record is delivered: the changes, their audit
entries and the feed items the handler itself writes (the handler skips the latter two).

A second part (`measure_subscribers`) covers the risk-monitoring and testing subscribers: tasks walked
through the API to the unit's receipt (`start_distribution` starts a workflow per publication), then
samples taken, received and tested through the API (`count_progress`: one TransactWriteItems per
change that reaches a milestone). Each batch is drained on its own through the app's dispatcher, whose
subscribers are wrapped to count each one's calls and time; the progress counters are read back to
check that every sample was counted once per milestone.

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

from chalicelib.core.events import RecordChange, Subscriber  # noqa: E402
from infra.local.events import LocalEvents  # noqa: E402
from infra.local.poller import StreamPoller  # noqa: E402
from tests.support.calls import CallLog, counting  # noqa: E402
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


@dataclass
class Drained:
    """One drain of the stream into the handler: what it delivered, in how long, with which AWS calls."""

    delivered: int
    invocations: int
    handed: int  # records handed to the handler, retries included
    seconds: float
    handler_seconds: float
    cpu_seconds: float
    calls: Counter[str]
    kinds: Counter[str]  # stream records by the `kind` of their item (first delivery only)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


def drain_timed(poller: StreamPoller) -> Drained:
    """Drain the stream until nothing is left, timing the whole and the handler's share, counting calls."""
    handler = poller.handler
    handled = {"invocations": 0, "records": 0, "seconds": 0.0}
    kinds: Counter[str] = Counter()
    seen: set[str] = set()

    def timed(event: dict[str, Any], context: Any) -> dict[str, Any] | None:
        for record in event["Records"]:
            data = record.get("dynamodb", {})
            if data.get("SequenceNumber") not in seen:
                seen.add(data.get("SequenceNumber"))
                image = data.get("NewImage") or data.get("OldImage") or {}
                kinds[image.get("kind", {}).get("S", "no kind")] += 1
        begin = time.perf_counter()
        try:
            return handler(event, context)
        finally:
            handled["seconds"] += time.perf_counter() - begin
            handled["invocations"] += 1
            handled["records"] += len(event["Records"])

    poller.handler = timed
    try:
        with counting() as calls:
            start, cpu = time.perf_counter(), time.process_time()
            delivered = 0
            while got := poller.drain():
                delivered += got
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            ops = calls.by_operation()
    finally:
        poller.handler = handler
    return Drained(
        delivered=delivered,
        invocations=int(handled["invocations"]),
        handed=int(handled["records"]),
        seconds=seconds,
        handler_seconds=float(handled["seconds"]),
        cpu_seconds=cpu,
        calls=ops,
        kinds=kinds,
    )


def measure(n: int = 2000) -> Throughput:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        _identity, stream_arn = stand_up()
        events = LocalEvents(stream_arn)
        poller = events.poller
        start = time.perf_counter()
        with without_transaction_backups():
            make_changes(n)
        created = time.perf_counter() - start
        drained = drain_timed(poller)
    return Throughput(
        changes=n,
        create_seconds=created,
        delivered=drained.delivered,
        invocations=drained.invocations,
        handed=drained.handed,
        seconds=drained.seconds,
        handler_seconds=drained.handler_seconds,
        calls=drained.calls,
        cpu_seconds=drained.cpu_seconds,
        errors=len(poller.errors),
        dead_letters=len(poller.dead_letters),
    )


# --- the testing-core and risk-monitoring subscribers -------------------------------------------------

TASKS = 20  # risk-monitoring tasks walked to the unit's receipt
SAMPLES = 500
UNQUALIFIED_EVERY = 50  # one sample in 50 over its limit: a failure record, an "unqualified" milestone
# Assumed DynamoDB latencies on AWS, in ms (not measured): the stream estimate's only inputs besides the counts.
ASSUMED_MS = {"dynamodb.BatchWriteItem": (5, 10), "dynamodb.TransactWriteItems": (10, 20)}


@dataclass
class SubscriberFigure:
    name: str
    acted: int  # changes it made at least one AWS call for
    seconds: float
    calls: Counter[str]


@dataclass
class Batch:
    """One kind of work drained on its own: the changes it made, the drain, each subscriber's share."""

    label: str
    kinds: Counter[str]  # audited changes the handler dispatched, by record kind
    drained: Drained
    subscribers: list[SubscriberFigure]
    errors: int
    dead_letters: int

    @property
    def changes(self) -> int:
        return sum(self.kinds.values())


@dataclass
class SubscriberThroughput:
    tasks: int
    samples: int
    items: int
    setup_seconds: float
    batches: list[Batch]
    progress: dict[str, int]  # the unit's counters after the drain: each sample counted once per milestone
    progress_items: int  # the counter items they are summed from (the unit's shards)


@contextmanager
def per_subscriber(calls: CallLog) -> Iterator[tuple[Counter[str], dict[str, SubscriberFigure]]]:
    """Wrap the app's own dispatcher's subscribers: the changes it dispatches by kind, each one's calls and time."""
    from chalicelib import wiring

    dispatcher = wiring.stream()
    original = list(dispatcher.subscribers)
    kinds: Counter[str] = Counter()
    figures = {fn.__name__: SubscriberFigure(fn.__name__, 0, 0.0, Counter()) for fn in original}

    def counted(change: RecordChange) -> None:
        kinds[change.kind] += 1

    def wrap(fn: Subscriber) -> Subscriber:
        figure = figures[fn.__name__]

        def subscriber(change: RecordChange) -> None:
            before, begin = len(calls.calls), time.perf_counter()
            try:
                fn(change)
            finally:
                figure.seconds += time.perf_counter() - begin
                made = calls.calls[before:]
                figure.acted += bool(made)
                figure.calls.update(op if service == "dynamodb" else f"{service}.{op}" for service, op, _ in made)

        return subscriber

    dispatcher.subscribers = [counted, *(wrap(fn) for fn in original)]
    try:
        yield kinds, figures
    finally:
        dispatcher.subscribers = original


def drain_batch(label: str, poller: StreamPoller) -> Batch:
    errors, dead = len(poller.errors), len(poller.dead_letters)
    with counting() as calls, per_subscriber(calls) as (kinds, figures):
        # The handler's calls are counted by the subscribers' log; the drain counts everything again.
        drained = drain_timed(poller)
    return Batch(
        label=label,
        kinds=kinds,
        drained=drained,
        subscribers=list(figures.values()),
        errors=len(poller.errors) - errors,
        dead_letters=len(poller.dead_letters) - dead,
    )


def measure_subscribers(samples: int = SAMPLES, tasks: int = TASKS) -> SubscriberThroughput:
    """Tasks walked through the API, then samples taken, received and tested; each batch drained on its own.

    Step Functions only record their executions here (`StartExecution` is the subscriber's call; the
    workflow's own work is not the stream handler's), and moto's transaction rollback restores only the
    items a transaction names, as the tests run (`count_progress` writes one transaction per change).
    """
    from chalice.test import Client

    from bench.bulk import thirty_items
    from chalicelib.testing import store
    from chalicelib.testing.models import MAX_RESULTS_PER_REQUEST, MAX_SAMPLES_PER_REQUEST
    from infra.local import gateway, server
    from tests.support.http import ApiClient
    from tests.support.monitoring import Walk
    from tests.support.world import build_world

    items = 2
    gateway.install()
    server.cheap_transaction_rollback()
    with mock_aws():
        identity, stream_arn = stand_up()
        events = LocalEvents(stream_arn)
        world = build_world(identity)
        events.settle()  # the world's own changes, not measured
        import app as application

        with counting() as calls, Client(application.app, stage_name="local") as client:
            api = ApiClient(client, calls, env.TEST_ENV["IDEMPOTENCY_TABLE_NAME"])
            start = time.perf_counter()
            walks = [Walk(api, world, model=thirty_items(items)).unit_receive() for _ in range(tasks)]
            setup = time.perf_counter() - start
            batches = [drain_batch(f"{tasks} risk-monitoring tasks to the unit's receipt", events.poller)]

            start = time.perf_counter()
            walk = walks[0]
            ids = [walk.received_sample() for _ in range(samples)]
            per_request = min(MAX_SAMPLES_PER_REQUEST, MAX_RESULTS_PER_REQUEST // items)
            for first in range(0, samples, per_request):
                rows = [
                    {
                        "sample_id": sid,
                        "analyte": f"residue-{n:02d}",
                        "value": "0.6" if (i % UNQUALIFIED_EVERY, n) == (7, 0) else "0.05",
                        "unit": "mg/kg",
                    }
                    for i, sid in enumerate(ids[first : first + per_request], start=first)
                    for n in range(items)
                ]
                reply = api.post("/results", token=world.token("jn-lab-analyst"), body={"results": rows})
                if reply.status != 200:
                    raise RuntimeError(f"POST /results answered {reply.status}: {reply.body}")
            setup += time.perf_counter() - start
            batches.append(
                drain_batch(f"{samples} samples taken, received and tested ({items} results each)", events.poller)
            )
        counters = store.progress_of(walk.id)
        progress = {m: sum(int(getattr(c, m) or 0) for c in counters) for m in store.FIGURES}
        stored = store.ProgressCounter.query(
            f"MTASK#{walk.id}", range_key_condition=store.ProgressCounter.sk.startswith("PROGRESS#")
        )
        progress_items = sum(1 for _ in stored)
    return SubscriberThroughput(tasks, samples, items, setup, batches, progress, progress_items)


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


def _ops(ops: Counter[str], fmt: str = "") -> str:
    return ", ".join(f"{op} {n:{fmt}}" for op, n in ops.most_common()) or "none"


def report_subscribers(t: SubscriberThroughput) -> str:
    lines = [
        "== Stream handler throughput, new subscribers: risk-monitoring tasks, samples (moto, in-process) ==",
        f"made through the API    : {t.tasks} tasks walked to the unit's receipt, then {t.samples} samples of one of"
        f" them taken, received and given {t.items} results each (one in {UNQUALIFIED_EVERY} over its limit), in"
        f" {t.setup_seconds:.0f} s (not part of the figures); each batch drained on its own",
    ]
    for b in t.batches:
        d = b.drained
        changes = ", ".join(f"{kind} {n}" for kind, n in b.kinds.most_common())
        lines += [
            f"-- {b.label}",
            f"   audited changes      : {b.changes} ({changes}) -> {d.delivered} stream records in {d.seconds:.2f} s,"
            f" {d.invocations} invocations; records by item kind: {_ops(d.kinds)}",
            f"   throughput           : {d.delivered / d.seconds:,.0f} stream records/s = {b.changes / d.seconds:,.0f}"
            f" changes/s (CPU {d.cpu_seconds:.2f} s); inside the handler {d.handler_seconds:.2f} s ="
            f" {d.handler_seconds / d.seconds:.0%}, {d.handed / d.handler_seconds:,.0f} records/s",
            f"   AWS calls            : {d.total_calls} = {d.total_calls / d.delivered:.3f} per stream record,"
            f" {d.total_calls / b.changes:.2f} per change ({_ops(d.calls)}); handler errors {b.errors},"
            f" dead letters {b.dead_letters}",
        ]
        for s in b.subscribers:
            if s.acted or s.calls:
                lines.append(
                    f"   {s.name:<21}: acted on {s.acted} of {b.changes} changes, {sum(s.calls.values())} calls"
                    f" ({_ops(s.calls)}), {s.seconds:.2f} s"
                )
        idle = [s.name for s in b.subscribers if not s.acted and not s.calls]
        if idle:
            lines.append(f"   no call              : {', '.join(idle)}")
    # Per sample change, the handler's DynamoDB writes and what they would cost at the assumed latencies.
    sample_batch = t.batches[-1]
    per_change = {
        op.removeprefix("dynamodb."): n / sample_batch.changes
        for op, n in sample_batch.drained.calls.items()
        if op in ASSUMED_MS
    }
    low = sum(n * ASSUMED_MS[f"dynamodb.{op}"][0] for op, n in per_change.items())
    high = sum(n * ASSUMED_MS[f"dynamodb.{op}"][1] for op, n in per_change.items())
    assumed = ", ".join(f"{op.removeprefix('dynamodb.')} {a}-{b} ms" for op, (a, b) in ASSUMED_MS.items())
    lines.append(
        f"ESTIMATE for AWS (not measured): per sample change {_ops(Counter(per_change), '.2f')} at an assumed"
        f" {assumed} = {low:.0f}-{high:.0f} ms: ~{1000 / high:.0f}-{1000 / low:.0f} sample changes/s per shard"
        " (a shard's records are handled one after another)"
    )
    counted = ", ".join(f"{m} {n}" for m, n in t.progress.items())
    lines.append(
        f"progress counters       : {counted} (expected {t.samples} sampled, received and tested, each sample once),"
        f" summed from {t.progress_items} counter items (the unit's shards)"
    )
    return "\n".join(lines)

"""Bulk result entry: one `POST /results` carrying samples × items results, timed, its AWS calls counted.

The app runs under moto as the integration tests run it: tables from infra/, the tests' world of
agencies and users, the Chalice test client through the local gateway, moto transactions whose
rollback restores only the items they name (`infra.local.server.cheap_transaction_rollback`). A
risk-monitoring task is walked through the API to the unit's receipt (`tests.support.monitoring.Walk`)
with a model of `items` test items, `samples` samples are taken and received, then ONE request
enters every result, as an analyst would by hand.
The same request is sent again (a client's retry after a timeout): it must find every value in place
and write nothing.

Inside the request, the service's steps are timed by wrapping them where the route reaches them:
reading the samples (`store.samples_by_id`, BatchGetItem), checking every entry against its sample
and limit (`service.check_results`), and judging and writing (`service.commit_results`, one
TransactWriteItems per `service.CHUNK` samples); the time spent inside AWS calls (moto, in-process)
is summed apart. What is left of the request is the gateway, the authorizer, parsing and validating
the body (pydantic) and serialising the answer.

moto answers in-process, so its times say little about DynamoDB's: the report ends with an estimate
for AWS from the number of calls and an assumed latency per call, labelled as such.
"""

from __future__ import annotations

import gc
import json
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.support import env

env.apply()

from moto import mock_aws  # noqa: E402

from infra.local import gateway, server  # noqa: E402
from tests.support.calls import CallLog, counting  # noqa: E402
from tests.support.http import ApiClient  # noqa: E402
from tests.support.world import World, build_world, stand_up  # noqa: E402

IDEMPOTENCY_TABLE = env.TEST_ENV["IDEMPOTENCY_TABLE_NAME"]
BATCH_GET_KEYS = 100  # DynamoDB's limit per BatchGetItem, which `store.samples_by_id` pages by
# Assumed DynamoDB latencies on AWS, in ms (not measured here): the estimate's only inputs besides the counts.
ASSUMED_TRANSACT_MS = (10, 20)  # a TransactWriteItems of ~40 items
ASSUMED_BATCH_GET_MS = (5, 15)  # a BatchGetItem of up to 100 keys
API_LAMBDA_MB = (1024, 1536)  # .chalice/config.json: the default, and the prod stage
FULL_VCPU_MB = 1769  # a full vCPU at 1,769 MB, in proportion below
GATEWAY_TIMEOUT_S = 29  # API Gateway's integration timeout (the Lambda's own is 30 s)
PHASES = ("read", "check", "commit", "aws")
TRANSACTION_LIMIT = 4 * 1024 * 1024  # DynamoDB: the items of one transaction, together (moto does not check it)
ITEM_LIMIT = 400 * 1024  # DynamoDB: one item (moto checks it)


@dataclass
class Sent:
    """One request: its status and answer, times, and the AWS calls of the request's own thread."""

    status: int
    wall: float
    cpu: float
    operations: Counter[str]
    reads: int
    writes: int
    authorizer: int
    entered: int
    unchanged: int
    unqualified: int
    service: float  # inside `results.enter_by_hand`
    phases: dict[str, float] = field(default_factory=dict)  # seconds in each of PHASES
    over_budget: bool = False

    @property
    def outside_service(self) -> float:
        """Gateway, authorizer, body parsing and validation, answer serialisation."""
        return self.wall - self.service


@dataclass
class BulkResult:
    samples: int
    items: int
    setup_seconds: float
    request_bytes: int
    first: Sent
    retry: Sent
    sample_bytes: list[int]  # approximate DynamoDB size of each sample item after the request
    audit_bytes: list[int]  # and of its newest audit entry (which holds the sample's whole state)
    chunk: int  # samples per TransactWriteItems

    @property
    def results(self) -> int:
        return self.samples * self.items

    @property
    def transactions(self) -> int:
        return math.ceil(self.samples / self.chunk)

    @property
    def batch_gets(self) -> int:
        return math.ceil(self.samples / BATCH_GET_KEYS)

    @property
    def largest_transaction(self) -> int:
        """Bytes of the samples and audit entries of the largest chunk (failure records left out)."""
        sizes = [a + b for a, b in zip(self.sample_bytes, self.audit_bytes, strict=True)]
        return max((sum(sizes[i : i + self.chunk]) for i in range(0, len(sizes), self.chunk)), default=0)

    @property
    def write_units(self) -> int:
        """Write capacity units of the first request: a transactional write costs 2 per KB of each item."""
        return sum(2 * math.ceil(b / 1024) for b in [*self.sample_bytes, *self.audit_bytes])


def thirty_items(count: int) -> Callable[[int], dict[str, Any]]:
    """The tests' model with one test object and `count` residue items under a custom limit of 0.5 mg/kg."""
    from tests.support.monitoring import CHIVES, model_body

    items = [
        {
            "product_code": CHIVES,
            "analyte": f"residue-{n:02d}",
            "analyte_name": f"农药{n:02d}",
            "method_standard": "GB 23200.113-2018",
            "unit": "mg/kg",
            "loq": "0.01",
            "limit": {"source": "custom", "operator": "le", "value": "0.5", "judgement_standard": "GB 2763-2021"},
        }
        for n in range(count)
    ]

    def model(version: int) -> dict[str, Any]:
        body = model_body(version)
        body["items"] = items
        body["objects"] = body["objects"][:1]
        return body

    return model


@contextmanager
def timed_phases() -> Iterator[dict[str, float]]:
    """Seconds spent in the service's steps and in AWS calls on this thread, while the block runs."""
    from botocore.client import BaseClient

    from chalicelib.testing import results, service, store

    spent: dict[str, float] = defaultdict(float)
    targets = [
        (store, "samples_by_id", "read"),
        (service, "check_results", "check"),
        (service, "commit_results", "commit"),
        (results, "enter_by_hand", "service"),
        (BaseClient, "_make_api_call", "aws"),
    ]
    main = threading.current_thread()
    originals = []
    for owner, name, label in targets:
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def timed(*args: Any, _original: Any = original, _label: str = label, **kwargs: Any) -> Any:
            if threading.current_thread() is not main:
                return _original(*args, **kwargs)
            begin = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] += time.perf_counter() - begin

        setattr(owner, name, timed)
    try:
        yield spent
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)


def send(api: ApiClient, world: World, rows: list[dict[str, Any]]) -> Sent:
    over = False
    with timed_phases() as spent:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            reply = api.post("/results", token=world.token("jn-lab-analyst"), body={"results": rows})
            body: dict[str, Any] = reply.body if isinstance(reply.body, dict) else {}
        except AssertionError:  # the tests' client holds every success to its budget; here OVER is a finding
            over, body = True, {}
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    _method, _path, status, reads, writes = api.log[-1]
    ops: Counter[str] = Counter(
        op if service == "dynamodb" else f"{service}.{op}"
        for service, op, table in api.calls.calls
        if table != IDEMPOTENCY_TABLE
    )
    return Sent(
        status=status,
        wall=wall,
        cpu=cpu,
        operations=ops,
        reads=reads,
        writes=writes,
        authorizer=len(api.calls.authorizer_calls),
        entered=int(body.get("entered", 0)),
        unchanged=int(body.get("unchanged", 0)),
        unqualified=len(body.get("unqualified_samples", [])),
        service=spent.get("service", 0.0),
        phases={p: spent.get(p, 0.0) for p in PHASES},
        over_budget=over,
    )


def _value_size(value: dict[str, Any]) -> int:
    ((kind, v),) = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        return (len(v.lstrip("-").replace(".", "").lstrip("0")) + 1) // 2 + 1
    if kind == "B":
        return len(v)
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(x) + 1 for k, x in v.items())
    if kind == "L":
        return 3 + sum(_value_size(x) + 1 for x in v)
    if kind in {"SS", "NS", "BS"}:
        return sum(_value_size({kind[0]: x}) for x in v)
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it for capacity (names plus values; numbers approximated)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def stored_sizes(sample_ids: list[str]) -> tuple[list[int], list[int]]:
    """Each sample item's size, and its newest audit entry's."""
    import boto3

    table = env.TEST_ENV["TABLE_NAME"]
    ddb = boto3.client("dynamodb")
    samples, audits = [], []
    for sid in sample_ids:
        key = {"pk": {"S": f"SAMPLE#{sid}"}, "sk": {"S": "SAMPLE"}}
        samples.append(item_size(ddb.get_item(TableName=table, Key=key)["Item"]))
        newest = ddb.query(
            TableName=table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :audit)",
            ExpressionAttributeValues={":pk": {"S": f"SAMPLE#{sid}"}, ":audit": {"S": "AUDIT#"}},
            ScanIndexForward=False,
            Limit=1,
        )["Items"]
        audits.append(item_size(newest[0]) if newest else 0)
    return samples, audits


def measure(samples: int = 100, items: int = 30) -> BulkResult:
    from chalice.test import Client

    from chalicelib.testing import service
    from tests.support.monitoring import Walk

    gateway.install()
    server.cheap_transaction_rollback()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        identity, _stream_arn = stand_up()
        import app as application

        world = build_world(identity)
        calls: CallLog
        with counting() as calls, Client(application.app, stage_name="local") as client:
            api = ApiClient(client, calls, IDEMPOTENCY_TABLE)
            start = time.perf_counter()
            walk = Walk(api, world, model=thirty_items(items)).unit_receive()
            ids = [walk.received_sample() for _ in range(samples)]
            setup = time.perf_counter() - start
            analytes = [f"residue-{n:02d}" for n in range(items)]
            # One result over its limit, on the eighth sample, as in the integration test.
            rows = [
                {"sample_id": sid, "analyte": a, "value": "0.6" if (i, n) == (7, 3) else "0.05", "unit": "mg/kg"}
                for i, sid in enumerate(ids)
                for n, a in enumerate(analytes)
            ]
            # What this process made before (earlier sections, the setup) is not the request's: frozen, so that
            # a full collection during a request walks the request's objects only, as in a Lambda's heap.
            gc.collect()
            gc.freeze()
            try:
                first = send(api, world, rows)
                retry = send(api, world, rows)
            finally:
                gc.unfreeze()
        sample_bytes, audit_bytes = stored_sizes(ids)
    return BulkResult(
        samples=samples,
        items=items,
        setup_seconds=setup,
        request_bytes=len(json.dumps({"results": rows}).encode()),
        first=first,
        retry=retry,
        sample_bytes=sample_bytes,
        audit_bytes=audit_bytes,
        chunk=service.CHUNK,
    )


def _ops(ops: Counter[str]) -> str:
    return ", ".join(f"{op} ×{n}" for op, n in sorted(ops.items())) or "none"


def _line(label: str, s: Sent) -> str:
    p = s.phases
    budget = " OVER BUDGET" if s.over_budget else ""
    return (
        f"{label:<24}: {s.status}{budget}, {s.wall:.2f} s wall, {s.cpu:.2f} s CPU; entered {s.entered},"
        f" unchanged {s.unchanged}; reads {s.reads}, writes {s.writes} ({_ops(s.operations)});"
        f" authorizer {s.authorizer} calls\n"
        f"{'':<24}  service {s.service:.2f} s = read {p['read']:.2f} + check {p['check']:.2f}"
        f" + commit {p['commit']:.2f} (+ the rest {max(0.0, s.service - p['read'] - p['check'] - p['commit']):.2f});"
        f" of it inside AWS calls (moto) {p['aws']:.2f} s; outside the service {s.outside_service:.2f} s"
        " (gateway, authorizer, parsing and validating the body, the answer)"
    )


def report(r: BulkResult) -> str:
    f = r.first
    kib = 1024
    avg_sample = sum(r.sample_bytes) / len(r.sample_bytes) if r.sample_bytes else 0
    avg_audit = sum(r.audit_bytes) / len(r.audit_bytes) if r.audit_bytes else 0
    transact_ms = tuple(r.transactions * ms for ms in ASSUMED_TRANSACT_MS)
    get_ms = tuple(r.batch_gets * ms for ms in ASSUMED_BATCH_GET_MS)
    # The app's own work: the request's time outside AWS calls, scaled to the Lambda's share of a vCPU.
    own = f.wall - f.phases["aws"]
    scaled = [(mb, own / min(1.0, mb / FULL_VCPU_MB)) for mb in API_LAMBDA_MB]
    low = transact_ms[0] / 1000 + get_ms[0] / 1000 + scaled[-1][1]
    high = transact_ms[1] / 1000 + get_ms[1] / 1000 + scaled[0][1]
    return "\n".join(
        [
            "== Bulk result entry: one POST /results (moto decorator mode, in-process; cheap transaction rollback) ==",
            f"request                 : {r.samples} samples × {r.items} items = {r.results:,} results,"
            f" {r.request_bytes / kib:,.0f} KiB of JSON (setup through the API, not timed: {r.setup_seconds:.0f} s)",
            _line("first request", f),
            _line("same request again", r.retry),
            f"per result              : {f.wall / r.results * 1000:.2f} ms wall, {f.cpu / r.results * 1000:.2f} ms CPU"
            f" ({r.results / f.wall:,.0f} results/s); {f.unqualified} sample(s) unqualified",
            f"items written           : ~{avg_sample / kib:.1f} KiB a sample, ~{avg_audit / kib:.1f} KiB its audit"
            f" entry (the whole state); ~{r.write_units:,} write units for the request (transactional: 2 per KB"
            " per item)",
            f"limits                  : largest transaction ~{r.largest_transaction / kib:,.0f} KiB of"
            f" {TRANSACTION_LIMIT // kib:,}; linearly in the items, {r.chunk} samples pass the 4 MB transaction limit"
            f" at ~{TRANSACTION_LIMIT / (r.chunk * (avg_sample + avg_audit) / r.items):.0f} items a sample, an audit"
            f" entry the 400 KB item limit at ~{ITEM_LIMIT / (max(avg_sample, avg_audit) / r.items):.0f}",
            f"ESTIMATE for AWS (not measured): DynamoDB calls: ceil({r.samples}/{r.chunk}) = {r.transactions}"
            f" TransactWriteItems × {ASSUMED_TRANSACT_MS[0]}-{ASSUMED_TRANSACT_MS[1]} ms (assumed) ="
            f" {transact_ms[0]}-{transact_ms[1]} ms, ceil({r.samples}/{BATCH_GET_KEYS}) = {r.batch_gets}"
            f" BatchGetItem × {ASSUMED_BATCH_GET_MS[0]}-{ASSUMED_BATCH_GET_MS[1]} ms (assumed) ="
            f" {get_ms[0]}-{get_ms[1]} ms, sequential; the app's own work (this request's {own:.2f} s outside"
            f" AWS calls, on one core here) at "
            + ", ".join(f"{mb} MB ~{s:.2f} s" for mb, s in scaled)
            + f": in all ~{low:.1f}-{high:.1f} s against API Gateway's {GATEWAY_TIMEOUT_S} s",
        ]
    )

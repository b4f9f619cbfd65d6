"""The performance view (绩效考核) with 100 and with 10,000 inspections: its AWS calls and time, which must not grow.

Under moto with the tests' world and helpers, as bench/calls.py runs them. A Licheng plan of the current month
targets one supervisor; 100 inspections are sent through the API (`PUT /inspections/{id}`) and their changes
delivered by the stream poller, as the deployment wires them; then 9,900 more inspection changes are fed to the
same subscriber (`plans.performance.count`) as the stream would deliver them (images of records of the same shape,
not stored records: sending 10,000 through the API under moto would take most of an hour and measure moto). At each
size the head's `GET /inspection-performance` and `POST /inspection-performance/export` are called `runs` times:
the calls each request makes on its own thread (tests.support.calls) and the median wall time.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.support import env

env.apply()

from moto import mock_aws  # noqa: E402
from ulid import ULID  # noqa: E402

from chalicelib.core import clock  # noqa: E402
from chalicelib.core.events import RecordChange  # noqa: E402
from infra.local import gateway, server  # noqa: E402
from infra.local.events import LocalEvents  # noqa: E402
from tests.support.calls import counting  # noqa: E402
from tests.support.http import ApiClient  # noqa: E402
from tests.support.inspections import published  # noqa: E402
from tests.support.plans import answers, inspect, plan_body, recent, subject, this_month  # noqa: E402
from tests.support.world import build_world, stand_up  # noqa: E402

IDEMPOTENCY_TABLE = env.TEST_ENV["IDEMPOTENCY_TABLE_NAME"]
SENT = 100  # through the API


@dataclass
class Size:
    inspections: int
    done: int  # what the head's row says
    view_ops: Counter[str] = field(default_factory=Counter)
    view_ms: float = 0.0
    export_ops: Counter[str] = field(default_factory=Counter)
    export_ms: float = 0.0


@dataclass
class PerformanceBench:
    sizes: list[Size]
    feed_seconds: float  # feeding the 9,900 changes to the subscriber
    feed_calls: Counter[str]


def _timed(api: ApiClient, runs: int, call: Any) -> tuple[Counter[str], float]:
    times, ops = [], Counter[str]()
    for _ in range(runs):
        began = time.perf_counter()
        reply = call()
        times.append((time.perf_counter() - began) * 1000)
        assert reply.status < 300, reply.body
        ops = api.calls.by_operation()
    return ops, statistics.median(times)


def _image(template: dict[str, Any], n: int) -> dict[str, Any]:
    """A stream image of an inspection like the stored one, under a new id, done a little earlier."""
    iid = str(ULID())
    done_at = clock.iso(recent(2 + (n % 500) / 100))
    return {**template, "id": iid, "pk": f"INSP#{iid}", "done_at": done_at, "audit_seq": 1}


def _size(api: ApiClient, world: Any, n: int, runs: int) -> Size:
    head = world.token("lc-head")
    view_ops, view_ms = _timed(api, runs, lambda: api.get(f"/inspection-performance?period={this_month()}", token=head))
    row = next(
        r
        for r in api.get(f"/inspection-performance?period={this_month()}", token=head).body["rows"]
        if r["user_id"] == world.users["lc-supervisor"].id
    )
    export_ops, export_ms = _timed(
        api, runs, lambda: api.post("/inspection-performance/export", token=head, body={"period": this_month()})
    )
    return Size(n, row["done"], view_ops, view_ms, export_ops, export_ms)


def measure(total: int = 10_000, runs: int = 5) -> PerformanceBench:
    from chalice.test import Client

    from chalicelib.inspections.store import get_inspection
    from chalicelib.plans import performance

    gateway.install()
    # As the tests run moto: one DynamoDB call at a time (the state machines' threads write too), and a
    # transaction's rollback restoring only its own items (moto copies the whole table otherwise: minutes here).
    server.serialize_dynamodb()
    server.cheap_transaction_rollback()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        identity, stream_arn = stand_up()
        import app as application

        events = LocalEvents(stream_arn)
        world = build_world(identity)
        events.settle()
        with counting() as calls, Client(application.app, stage_name="local") as client:
            api = ApiClient(client, calls, IDEMPOTENCY_TABLE)
            code = f"SD-BP-{ULID()}"[:20]
            published(api, world, code)
            sid = subject(api, world, "370112", key=True)
            head = world.token("lc-head")
            draft = api.post("/inspection-plans", token=head, body=plan_body(world, code, [sid])).body
            plan = api.post(f"/inspection-plans/{draft['id']}/publish", token=head, body={"version": 1}).body
            events.settle()
            last = ""
            for n in range(SENT):
                last, reply = inspect(
                    api,
                    world,
                    "lc-supervisor",
                    sid,
                    code,
                    recent(2 + n / 100),
                    answers=answers(fail=n % 3 == 0),
                    plan_id=plan["id"],
                )
                assert reply.status == 201, reply.body
            events.settle()
            sizes = [_size(api, world, SENT, runs)]

            # The rest, as the stream would deliver their changes.
            stored = get_inspection(last)
            template = dict(stored.to_simple_dict())
            template.update({"result": json.dumps(stored.result), "answers": "{}", "kind": "Inspection"})
            began = time.perf_counter()
            with counting() as feed:
                for n in range(total - SENT):
                    performance.count(RecordChange(f"bench-{n}", "Inspection", _image(template, n), None))
            feed_seconds = time.perf_counter() - began
            sizes.append(_size(api, world, total, runs))
    return PerformanceBench(sizes, feed_seconds, feed.by_operation())


def _ops(ops: Counter[str]) -> str:
    return " ".join(f"{op}x{n}" if n > 1 else op for op, n in sorted(ops.items()))


def report(r: PerformanceBench) -> str:
    lines = [
        "## Performance view (绩效考核): AWS calls with 100 and with 10,000 inspections",
        "",
        "| inspections | row's done | GET /inspection-performance calls | median ms | POST …/export calls | ms |",
        "|---|---|---|---|---|---|",
    ]
    for s in r.sizes:
        lines.append(
            f"| {s.inspections:,} | {s.done:,} | {_ops(s.view_ops)} | {s.view_ms:.1f} | {_ops(s.export_ops)} "
            f"| {s.export_ms:.1f} |"
        )
    fed = r.sizes[-1].inspections - r.sizes[0].inspections
    lines.append("")
    lines.append(
        f"Feeding {fed:,} inspection changes to the counter: {r.feed_seconds:.1f} s "
        f"({r.feed_seconds / fed * 1000:.2f} ms a change), {_ops(r.feed_calls)}"
    )
    same = r.sizes[0].view_ops == r.sizes[-1].view_ops and r.sizes[0].export_ops == r.sizes[-1].export_ops
    lines.append(f"calls equal at both sizes: {'yes' if same else 'NO'}")
    return "\n".join(lines)

"""One phone syncs its offline inspections (基地巡查): `n` PUTs by the phone's ids, then the whole batch again.

A supervisor's phone kept `n` inspections while it had no signal, each under the ULID it made, and sends them
when the connection returns; its replies are lost and it sends the whole batch once more, as a phone does when it
cannot tell what arrived. The app runs under moto as the integration tests run it (tables from infra/, the tests'
world, the Chalice test client through the local gateway). Counted per request, on the request's own thread:
reads and writes (idempotency table excluded). Then the stream is drained once (each inspection's activity feed
entries, its corrective action opened and its clock started: the state machines are created but not run, so a
StartExecution is counted, not executed) and its calls are counted per inspection.

What must hold: the first send writes one transaction per inspection; the resend writes nothing and answers 200
with the stored record; one changed resend is a 409.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support import env

env.apply()

from moto import mock_aws  # noqa: E402

from infra.local import gateway, server  # noqa: E402
from infra.local.events import LocalEvents  # noqa: E402
from tests.support.calls import counting  # noqa: E402
from tests.support.http import ApiClient  # noqa: E402
from tests.support.world import build_world, stand_up  # noqa: E402

IDEMPOTENCY_TABLE = env.TEST_ENV["IDEMPOTENCY_TABLE_NAME"]
CODE = "BENCH-SYNC"
BASE = {"lng": 117.05, "lat": 36.68}  # the subject's one base; the inspections are made next to it


@dataclass
class Pass:
    """One pass over the batch: statuses, calls and time."""

    statuses: Counter[int] = field(default_factory=Counter)
    reads: int = 0
    writes: int = 0
    max_reads: int = 0
    seconds: float = 0.0


@dataclass
class SyncResult:
    n: int
    first: Pass
    resend: Pass
    changed_status: int
    stream_records: int
    stream_calls: Counter[str]
    stream_seconds: float
    stored: int


def _bodies(subject_id: str, n: int) -> list[tuple[str, dict[str, Any]]]:
    from ulid import ULID

    from tests.support.inspections import inspection_body

    start = datetime.now(UTC) - timedelta(days=3)
    out = []
    for i in range(n):
        body = inspection_body(subject_id, CODE)
        body["done_at"] = (start + timedelta(minutes=5 * i)).isoformat()
        out.append((str(ULID()), body))
    return out


def _send(api: ApiClient, token: str, batch: list[tuple[str, dict[str, Any]]]) -> Pass:
    p = Pass()
    begin = time.perf_counter()
    for iid, body in batch:
        reply = api.put(f"/inspections/{iid}", token=token, body=body)
        p.statuses[reply.status] += 1
        p.reads += reply.reads
        p.writes += reply.writes
        p.max_reads = max(p.max_reads, reply.reads)
    p.seconds = time.perf_counter() - begin
    return p


def measure(n: int = 500) -> SyncResult:
    from chalice.test import Client

    from chalicelib.inspections import store
    from tests.support.inspections import published
    from tests.support.subjects import registration

    gateway.install()
    server.cheap_transaction_rollback()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": False}}):
        identity, stream_arn = stand_up()
        import app as application

        events = LocalEvents(stream_arn)
        world = build_world(identity)
        with counting() as calls, Client(application.app, stage_name="local") as client:
            api = ApiClient(client, calls, IDEMPOTENCY_TABLE)
            published(api, world, CODE)
            token = world.token("lc-supervisor")
            made = api.post("/subjects", token=token, body=registration())
            sid = str(made.body["id"])
            api.post(f"/subjects/{sid}/bases", token=token, body={"name": "一号基地", "location": BASE})
            events.settle()  # the setup's own changes are not the batch's
            batch = _bodies(sid, n)
            first = _send(api, token, batch)
            resend = _send(api, token, batch)
            iid, body = batch[0]
            changed = api.put(f"/inspections/{iid}", token=token, body={**body, "opinion": "改过的意见"})
        with counting() as stream_calls:
            begin = time.perf_counter()
            records = 0
            while got := events.poller.drain():
                records += got
            stream_seconds = time.perf_counter() - begin
            ops = stream_calls.by_operation()
        stored = len(store.inspections_of_subject(sid, limit=n + 10, cursor=None)[0])
    return SyncResult(n, first, resend, changed.status, records, ops, stream_seconds, stored)


def _pass(label: str, p: Pass, n: int) -> str:
    statuses = ", ".join(f"{s} ×{c}" for s, c in sorted(p.statuses.items()))
    return (
        f"{label:<8}: {statuses}; reads {p.reads} ({p.reads / n:.2f} per inspection, at most {p.max_reads}),"
        f" writes {p.writes} ({p.writes / n:.2f} per inspection);"
        f" {p.seconds:.1f} s ({1000 * p.seconds / n:.0f} ms each)"
    )


def report(r: SyncResult) -> str:
    ops = ", ".join(f"{op} ×{c}" for op, c in sorted(r.stream_calls.items()))
    total = sum(r.stream_calls.values())
    ok = r.resend.writes == 0 and r.stored == r.n and r.changed_status == 409
    return "\n".join(
        [
            f"Offline sync: one phone sends {r.n} inspections, then the same batch again",
            _pass("first", r.first, r.n),
            _pass("resend", r.resend, r.n),
            f"changed content under a sent id: {r.changed_status}; inspections stored: {r.stored}",
            f"stream: {r.stream_records} records in {r.stream_seconds:.1f} s; {total} AWS calls"
            f" ({total / r.n:.2f} per inspection): {ops}",
            "holds (resend writes nothing, nothing duplicated, changed resend 409): " + ("yes" if ok else "NO"),
        ]
    )

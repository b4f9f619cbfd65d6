"""Statistics and risk warnings at volume: what reads cost as records grow, what counting costs the stream, and
what the nightly warning job costs over a province's active cells.

1. **Counting.** 1,000 sample changes (a sample taken, then tested: 3 hazards, about one in five failing) and
   subject changes (registered, then approved: a state move) are fed to the counters' stream subscriber
   (`statistics.cells.count_change`) as the stream would deliver them; its DynamoDB calls and the cells each
   change updates are counted (200 records by default: moto takes about 0.3 s per transaction).
2. **Reads.** The overview (`GET /statistics/overview`) and drill-down (`GET /statistics/drilldown`) through the
   API, for the nation, Shandong and a city, once over the counters of 1,000 records and once over those of
   100,000. The 100,000 are not made through the API (hours under moto): their facts are summed in memory and the
   resulting cells written directly (`seed_counters`), the same cells the stream would have built. The records
   counted through the stream in part 1 are also seeded directly and the figures compared, which checks
   the seeding against the stream's path.
3. **The warning job.** 10,000 active county-day cells in Shandong (125 counties × 80 days, each with 5
   product × hazard pairs) are seeded, an indicator over an 80-day window evaluated (`warnings.service.run`),
   then run again: its calls and time, and that the re-run writes nothing.

moto's DynamoDB, in-process and in pure Python, takes most of the time: compare the call counts, which do not
depend on the machine, more than the seconds.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tests.support import env

env.apply()

from moto import mock_aws  # noqa: E402

from chalicelib.statistics import measures as _measures  # noqa: E402, F401  (the families and measures declared)
from infra.local import gateway, server  # noqa: E402
from tests.support.calls import counting  # noqa: E402
from tests.support.world import build_world, stand_up  # noqa: E402

IDEMPOTENCY_TABLE = env.TEST_ENV["IDEMPOTENCY_TABLE_NAME"]
PRODUCTS = [f"01{n:04d}" for n in range(1, 21)]
HAZARDS = ["procymidone", "chlorpyrifos", "omethoate", "carbofuran", "phorate", "cadmium", "lead", "enrofloxacin"]
YEAR = 2026


def _counties(n: int) -> list[str]:
    from chalicelib.regions.catalog import catalog

    shandong = [r for r in catalog()._by_code.values() if r.level == "county" and r.code.startswith("37")]
    return sorted(r.code for r in shandong)[:n]


def _sample(i: int, region: str, day: str, seq: int, rng: random.Random) -> dict[str, Any]:
    import json

    hazards = rng.sample(HAZARDS, 3)
    tested = seq > 1
    results = {h: {"outcome": "unqualified" if rng.random() < 0.07 else "qualified"} for h in hazards} if tested else {}
    failed = any(r["outcome"] == "unqualified" for r in results.values())
    return {
        "pk": f"SAMPLE#B{i:07d}",
        "sk": "SAMPLE",
        "kind": "Sample",
        "id": f"B{i:07d}",
        "region": region,
        "place": json.dumps({"region": region}),
        "task_kind": "LXJC",
        "state": "tested" if tested else "sampled",
        "verdict": ("unqualified" if failed else "qualified") if tested else "pending",
        "product_code": rng.choice(PRODUCTS),
        "subject_id": f"SUBJ{i % 997:04d}",
        "sampled_at": f"{day}T02:00:00.000Z",
        "results": json.dumps(results),
        "audit_seq": seq,
    }


def _records(n: int, counties: list[str], seed: int = 7) -> list[dict[str, Any]]:
    """`n` tested samples spread over the counties and the year (their final images)."""
    rng = random.Random(seed)
    start = date(YEAR, 1, 1)
    out = []
    for i in range(n):
        day = (start + timedelta(days=rng.randrange(365))).isoformat()
        taken = _sample(i, rng.choice(counties), day, 1, rng)
        tested = _sample(i, taken["region"], day, 2, random.Random(i))
        tested["product_code"] = taken["product_code"]
        out.append(tested)
    return out


def seed_counters(images: list[dict[str, Any]]) -> int:
    """The cells the stream would build from these records, written directly: facts summed, then expanded."""
    from chalicelib.core import counters
    from chalicelib.statistics import cells

    net: Counter[tuple[str, str, str, str]] = Counter()
    for image in images:
        for fact in cells.facts_of(str(image["kind"]), image):
            net[(fact.family, fact.region, fact.day, fact.figure)] += fact.amount
    facts = [(cells.Fact(f, r, d, name, amount), 1) for (f, r, d, name), amount in net.items() if amount]
    merged = counters._merge(cells.cells_for(facts, shard=0))
    return _write_cells(merged)


def _write_cells(merged: list[Any]) -> int:
    import boto3

    from chalicelib.core.db import Entity

    table = boto3.resource("dynamodb").Table(Entity.Meta.table_name)
    with table.batch_writer() as batch:
        for cell in merged:
            batch.put_item(Item={"pk": cell.pk, "sk": cell.sk, **dict(cell.attrs), **dict(cell.deltas)})
    return len(merged)


@dataclass
class Reads:
    label: str
    calls: tuple[int, int]
    seconds: float
    rows: int


@dataclass
class Volume:
    records: int
    cells: int
    seed_seconds: float
    reads: list[Reads] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass
class Counting:
    changes: int
    transactions: int
    cells: int
    other_calls: Counter[str]
    seconds: float


@dataclass
class Job:
    active_cells: int
    threads: int
    first_calls: Counter[str]
    first_seconds: float
    opened: int
    rerun_calls: Counter[str]
    rerun_seconds: float
    rerun_writes: int


@dataclass
class StatisticsResult:
    counting: Counting
    volumes: list[Volume]
    seeding_matches_stream: bool
    job: Job


QUERIES = [
    ("overview, nation, year", "moa-analyst", "/statistics/overview?region=000000&period=year&on=2026-06-30"),
    ("overview, Shandong, month", "sd-head", "/statistics/overview?region=370000&period=month&on=2026-06-30"),
    (
        "drill-down, nation → provinces, year",
        "moa-analyst",
        "/statistics/drilldown?region=000000&period=year&on=2026-06-30",
    ),
    ("drill-down, Shandong → cities, year", "sd-head", "/statistics/drilldown?region=370000&period=year&on=2026-06-30"),
    ("drill-down, Jinan → counties, day", "jn-head", "/statistics/drilldown?region=370100&period=day&on=2026-06-30"),
]


def _read_all(api: Any, world: Any) -> tuple[list[Reads], dict[str, Any]]:
    out, figures = [], {}
    for label, user, path in QUERIES:
        api.calls.reset()
        begin = time.perf_counter()
        reply = api.get(path, token=world.token(user))
        seconds = time.perf_counter() - begin
        assert reply.status == 200, reply.body
        rows = len(reply.body.get("children", [])) or 1
        out.append(Reads(label, api.calls.counts(exclude_table=IDEMPOTENCY_TABLE), seconds, rows))
        figures[label] = reply.body
    return out, figures


def _stream_count(images: list[dict[str, Any]]) -> Counting:
    """Each record's two changes (taken, then tested) fed to the counters' subscriber; calls counted."""
    from chalicelib.core import counters
    from chalicelib.core.events import RecordChange
    from chalicelib.statistics import cells

    changes = 0
    cells_written = 0
    with counting() as log:
        begin = time.perf_counter()
        for image in images:
            taken = {**image, "audit_seq": 1, "state": "sampled", "verdict": "pending", "results": "{}"}
            for old, new in ((None, taken), (taken, image)):
                change = RecordChange("e", "Sample", new, old)
                _, made = cells.change_cells(change)
                cells_written += len(counters._merge(made))
                cells.count_change(change)
                changes += 1
        seconds = time.perf_counter() - begin
    ops = log.by_operation()
    transactions = ops.pop("dynamodb.TransactWriteItems", 0)
    return Counting(changes, transactions, cells_written, ops, seconds)


def _volume(n: int, counties: list[str], *, through_stream: bool) -> tuple[Volume, Counting | None]:
    from chalice.test import Client

    from tests.support.http import ApiClient

    with mock_aws():
        identity, _ = stand_up()
        import app as application

        world = build_world(identity)
        images = _records(n, counties)
        begin = time.perf_counter()
        counted = None
        if through_stream:
            counted = _stream_count(images)
            written = counted.cells
        else:
            written = seed_counters(images)
        volume = Volume(n, written, time.perf_counter() - begin)
        with counting() as calls, Client(application.app, stage_name="local") as client:
            api = ApiClient(client, calls, IDEMPOTENCY_TABLE)
            volume.reads, volume.figures = _read_all(api, world)
    return volume, counted


def _job(counties: int = 125, days: int = 80, pairs: int = 5) -> Job:
    from chalicelib.core import counters
    from chalicelib.statistics import cells
    from chalicelib.warnings import service, store

    with mock_aws():
        stand_up()
        build_world_needed = False  # the job needs no users: agencies are looked up per region (none here)
        del build_world_needed
        rng = random.Random(11)
        codes = [f"37{c // 40 + 1:02d}{c % 40 + 1:02d}" for c in range(counties)]  # 125 county codes in Shandong
        end = date(YEAR, 6, 30)
        facts = []
        for county in codes:
            for d in range(days):
                day = (end - timedelta(days=d)).isoformat()
                for p in range(pairs):
                    key = f"{PRODUCTS[p]}#{HAZARDS[p]}"
                    tested = rng.randint(1, 4)
                    failed = 1 if rng.random() < 0.08 else 0
                    facts.append((cells.Fact("risk", county, day, f"tested#{key}", tested), 1))
                    if failed:
                        facts.append((cells.Fact("risk", county, day, f"failed#{key}", failed), 1))
                        facts.append((cells.Fact("risk", county, day, f"ids#failed#{key}#S{county}{d}{p}", 1), 1))
        merged = counters._merge(cells.cells_for(facts, shard=0))
        _write_cells(merged)
        active = sum(1 for c in merged if c.pk.startswith("STATACTIVE#"))
        from chalicelib.core.access import Principal
        from chalicelib.warnings.models import IndicatorRequest

        ministry = Principal("bench", "moa", "ministry", "000000", frozenset({"ministry_analyst"}))
        service.create_indicator(
            ministry,
            IndicatorRequest(
                id="bench-rate",
                name="不合格率",
                measure="rate",
                numerator="failed",
                denominator="tested",
                scope="county",
                window_days=days,
                min_sample=50,
                thresholds={"blue": 0.01, "yellow": 0.02, "orange": 0.03, "red": 0.05},  # type: ignore[arg-type]
            ),
        )
        with counting() as log:
            begin = time.perf_counter()
            report = service.run(end.isoformat())
            first_seconds = time.perf_counter() - begin
        first = log.by_operation()
        with counting() as log:
            begin = time.perf_counter()
            again = service.run(end.isoformat())
            rerun_seconds = time.perf_counter() - begin
        rerun = log.by_operation()
        writes = sum(c for op, c in rerun.items() if "Write" in op or "Put" in op or "Update" in op)
        threads = len(codes) * pairs
        assert again.opened == again.raised == again.lowered == again.closed == 0
        del store
        return Job(active, threads, first, first_seconds, report.opened, rerun, rerun_seconds, writes)


def _note(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


def measure(
    small: int = 1000, large: int = 100_000, through_stream: int = 200, job_counties: int = 125, job_days: int = 80
) -> StatisticsResult:
    gateway.install()
    server.cheap_transaction_rollback()
    counties = _counties(40)
    _note(f"{through_stream} records through the stream's counting")
    streamed, counted = _volume(through_stream, counties, through_stream=True)
    _note(f"the same {through_stream} seeded directly")
    seeded_same, _ = _volume(through_stream, counties, through_stream=False)
    same = all(_figures(streamed.figures[q]) == _figures(seeded_same.figures[q]) for q, _, _ in QUERIES)
    volumes = []
    for n in (small, large):
        _note(f"{n} records seeded")
        volumes.append(_volume(n, counties, through_stream=False)[0])
    _note(f"the warning job over {job_counties * job_days} active cells")
    assert counted is not None
    return StatisticsResult(counted, volumes, same, _job(job_counties, job_days))


def _figures(body: dict[str, Any]) -> Any:
    """The figures a read shows, zeros left out: the stream leaves a figure it took back at 0 (a sample's
    `verdict#pending` once tested), the direct seeding never writes it."""
    rows = [c["figures"] for c in body["children"]] if "children" in body else [body["current"]["figures"]]
    return [{fam: {k: v for k, v in figs.items() if v} for fam, figs in row.items()} for row in rows]


def _ops(ops: Counter[str]) -> str:
    return ", ".join(f"{op.split('.')[-1]} ×{c}" for op, c in sorted(ops.items())) or "none"


def report(r: StatisticsResult) -> str:
    c = r.counting
    lines = [
        f"Counting: {c.changes} sample changes through the counters' subscriber in {c.seconds:.1f} s:"
        f" {c.transactions} TransactWriteItems ({c.transactions / c.changes:.2f} per change),"
        f" {c.cells} cell updates ({c.cells / c.changes:.1f} per change, marks excluded);"
        f" other calls: {_ops(c.other_calls)}",
        "the cells seeded directly give the same figures as the stream's, every read below: "
        + ("yes" if r.seeding_matches_stream else "NO"),
    ]
    for v in r.volumes:
        lines.append(f"{v.records:,} records → {v.cells:,} counter cells (written in {v.seed_seconds:.1f} s)")
        for q in v.reads:
            lines.append(
                f"  {q.label:<40} reads {q.calls[0]} writes {q.calls[1]}; {q.rows} rows; {1000 * q.seconds:.0f} ms"
            )
    j = r.job
    lines += [
        f"Warning job over {j.active_cells:,} active county-day cells ({j.threads} threads): first run"
        f" {j.first_seconds:.1f} s, {sum(j.first_calls.values())} calls ({_ops(j.first_calls)}), {j.opened} opened",
        f"  re-run: {j.rerun_seconds:.1f} s, {sum(j.rerun_calls.values())} calls ({_ops(j.rerun_calls)}),"
        f" writes {j.rerun_writes}",
    ]
    return "\n".join(lines)

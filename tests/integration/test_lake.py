"""The national scale path: every audited change lands in the S3 lake by kind and China-time day, exactly once per
stream batch, and an Athena-style query over those files (run here with DuckDB) gives the statistics' figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import duckdb
from boto3.dynamodb.types import TypeSerializer

from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.errors import ServiceUnavailable
from chalicelib.statistics import store as statistics
from chalicelib.wiring import stream
from tests.support.spotchecks import SpotWalk
from tests.support.world import World

_serialize = TypeSerializer().serialize

# The national question, as an analyst would put it to Athena (the Glue table `samples`): unqualified samples
# per county on a China-time day, each sample at its latest version. DuckDB spells json_extract_scalar
# json_extract_string and reads the files the Glue table points at.
UNQUALIFIED_BY_COUNTY = """
WITH latest AS (
    SELECT *, row_number() OVER (PARTITION BY id ORDER BY audit_seq DESC) AS newest
    FROM read_json('{files}', format = 'newline_delimited', union_by_name = true)
)
SELECT substr(coalesce(json_extract_string(place, '$.region'), region), 1, 6) AS county, count(*) AS unqualified
FROM latest
WHERE newest = 1 AND change_op <> 'remove' AND verdict = 'unqualified'
  AND CAST(CAST(sampled_at AS TIMESTAMPTZ) AT TIME ZONE 'Asia/Shanghai' AS DATE) = DATE '{day}'
GROUP BY 1
"""


def _download(tmp: Path, prefix: str = "lake/") -> list[str]:
    """The lake's objects copied from S3 into a folder with the same layout; their keys."""
    s3 = boto3.client("s3")
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=get_settings().bucket_name, Prefix=prefix):
        for obj in page.get("Contents", []):
            target = tmp / obj["Key"]
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(get_settings().bucket_name, obj["Key"], str(target))
            keys.append(obj["Key"])
    return sorted(keys)


def _lines(tmp: Path, pattern: str) -> list[dict[str, Any]]:
    return [json.loads(text) for path in sorted(tmp.glob(pattern)) for text in path.read_text().splitlines()]


def test_an_athena_style_query_over_the_lake_gives_the_counters_figures(api, world: World, events, tmp_path):
    # Given a Licheng spot-check sample tested unqualified, and all its changes streamed
    walk = SpotWalk(api, world, "lc", ("370112",))
    failed = walk.failed_sample()
    events.settle()
    # When the lake's files are fetched and queried
    keys = _download(tmp_path)
    samples = _lines(tmp_path, "lake/kind=Sample/day=*/*.jsonl")
    # Then the sample's every change is there, under its kind and the China-time day it changed on
    mine = [row for row in samples if row["id"] == failed]
    assert [row["audit_seq"] for row in mine] == sorted({row["audit_seq"] for row in mine})
    assert mine[0]["change_op"] == "insert" and mine[-1]["verdict"] == "unqualified"
    assert not any(k in row for row in samples for k in ("pk", "sk", "gsi1pk"))
    for row in mine:
        changed = clock.cst_day(clock.parse_iso(row["change_at"]))
        assert any(k.startswith(f"lake/kind=Sample/day={changed}/") for k in keys)
    assert any(k.startswith("lake/kind=SpotCheck/") for k in keys)
    day = clock.cst_day(clock.parse_iso(mine[-1]["sampled_at"]))
    # And unqualified samples by county that day equal the statistics cell of each county
    found = duckdb.sql(UNQUALIFIED_BY_COUNTY.format(files=tmp_path / "lake/kind=Sample/*/*.jsonl", day=day)).fetchall()
    assert found and dict(found)["370112"] >= 1
    for county, unqualified in found:
        figures = statistics.figures_of(county, f"D{day}")
        assert figures["samples"]["verdict#unqualified"] == unqualified


def _record(n: int, old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    data: dict[str, Any] = {"Keys": {"pk": {"S": (new or old or {})["pk"]}, "sk": {"S": "SAMPLE"}}}
    if new:
        data["NewImage"] = {k: _serialize(v) for k, v in new.items()}
    if old:
        data["OldImage"] = {k: _serialize(v) for k, v in old.items()}
    return {
        "eventID": f"lake-e{n}",
        "eventName": "MODIFY" if old and new else ("INSERT" if new else "REMOVE"),
        "eventSource": "aws:dynamodb",
        "eventSourceARN": "arn:aws:dynamodb:cn-north-1:000000000000:table/t/stream/x",
        "dynamodb": {**data, "SequenceNumber": f"{n:021d}", "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def _sample(sid: str, seq: int, verdict: str, changed: str) -> dict[str, Any]:
    return {
        "pk": f"SAMPLE#{sid}",
        "sk": "SAMPLE",
        "gsi1pk": "SAMPLES#440305",
        "kind": "Sample",
        "id": sid,
        "region": "440305",
        "place": json.dumps({"region": "440305001"}),
        "task_kind": "JDCC",
        "state": "sampled" if verdict == "pending" else "tested",
        "verdict": verdict,
        "product_code": "010408",
        "sampled_at": "2026-03-01T03:00:00.000Z",
        "results": json.dumps({"procymidone": {"outcome": "unqualified"}} if verdict == "unqualified" else {}),
        "audit_seq": seq,
        "created_at": "2026-03-01T03:00:00.000Z",
        "updated_at": changed,
    }


def test_a_batch_delivered_again_overwrites_its_objects_and_a_partial_failure_leaves_no_duplicate(
    aws, monkeypatch, tmp_path
):
    from chalicelib.statistics import cells

    # Given Nanshan (440305) samples: one taken and then tested unqualified the next China day, one taken
    a1 = _sample("LAKE-A", 1, "pending", "2026-03-01T03:00:00.000Z")
    a2 = {**_sample("LAKE-A", 2, "unqualified", "2026-03-01T17:00:00.000Z")}  # 2 March, China time
    b1 = _sample("LAKE-B", 1, "pending", "2026-03-01T04:00:00.000Z")
    batch = [_record(101, None, a1), _record(102, a1, a2), _record(103, None, b1)]
    dispatcher = stream()
    failing = {"event": "lake-e102"}

    def flaky(change: Any) -> None:
        if change.event_id == failing["event"]:
            raise ServiceUnavailable("throttled")

    monkeypatch.setattr(dispatcher, "subscribers", [cells.count_change, flaky])
    # When the second record fails, the poller is told to retry from it, and retries from it once it is healthy
    result = dispatcher.handle({"Records": batch}, None)
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [f"{102:021d}"]
    failing["event"] = ""
    dispatcher.handle({"Records": batch[1:]}, None)
    # And the retried batch is delivered once more, as the poller may
    dispatcher.handle({"Records": batch[1:]}, None)

    # Then each batch wrote one object per kind and day, named by its first sequence number, and nothing twice
    keys = _download(tmp_path, "lake/kind=Sample/day=2026-03-0")
    assert keys == [
        f"lake/kind=Sample/day=2026-03-01/{101:021d}.jsonl",
        f"lake/kind=Sample/day=2026-03-01/{102:021d}.jsonl",
        f"lake/kind=Sample/day=2026-03-02/{102:021d}.jsonl",
    ]
    rows = _lines(tmp_path, "lake/kind=Sample/day=*/*.jsonl")
    changes = [(row["id"], row["audit_seq"]) for row in rows]
    assert sorted(changes) == [("LAKE-A", 1), ("LAKE-A", 2), ("LAKE-B", 1)]
    assert {row["change_op"] for row in rows if row["id"] == "LAKE-A"} == {"insert", "modify"}
    # And the county's unqualified samples on the sampling day equal its statistics cell
    found = dict(
        duckdb.sql(
            UNQUALIFIED_BY_COUNTY.format(files=tmp_path / "lake/kind=Sample/*/*.jsonl", day="2026-03-01")
        ).fetchall()
    )
    assert found == {"440305": 1}
    assert statistics.figures_of("440305", "D2026-03-01")["samples"]["verdict#unqualified"] == 1

"""Counters from the stream: a change counted twice adds once; a change touching many cells is split."""

from __future__ import annotations

from typing import Any

import boto3

from chalicelib.core import counters
from chalicelib.core.counters import Cell
from chalicelib.core.db import Entity


def item(pk: str, sk: str) -> dict[str, Any]:
    return boto3.client("dynamodb").get_item(TableName=Entity.Meta.table_name, Key={"pk": {"S": pk}, "sk": {"S": sk}})[
        "Item"
    ]


def test_a_change_delivered_twice_adds_once_and_a_state_move_takes_from_one_figure_to_another(aws):
    created = [Cell("STAT#370112#D#2026-03-01", "SUBJECTS", {"registered": 1}, {"kind": "Stat", "region": "370112"})]
    moved = [
        Cell("STAT#370112#D#2026-03-01", "SUBJECTS", {"registered": -1}),
        Cell("STAT#370112#D#2026-03-01", "SUBJECTS", {"revoked": 1}),
    ]
    assert counters.count_once("Subject#S1#v1", created) == 1
    assert counters.count_once("Subject#S1#v1", created) == 0  # re-delivered
    assert counters.count_once("Subject#S1#v2", moved) == 1
    assert counters.count_once("Subject#S1#v2", moved) == 0
    cell = item("STAT#370112#D#2026-03-01", "SUBJECTS")
    assert (cell["registered"]["N"], cell["revoked"]["N"], cell["region"]["S"]) == ("0", "1", "370112")


def test_a_change_over_more_cells_than_a_transaction_holds_lands_in_parts_and_a_retry_adds_only_the_missing(aws):
    cells = [Cell(f"STAT#P{n:03d}", "X", {"n": 1}) for n in range(150)]
    # Given the first part landed before the second failed (the table refused it: a broken batch)
    assert counters._apply("Wide#1#v1#0", cells[:99]) == 1
    # When the whole change is delivered again, Then only the second part is applied
    assert counters.count_once("Wide#1#v1", cells) == 1
    assert {item(f"STAT#P{n:03d}", "X")["n"]["N"] for n in (0, 98, 99, 149)} == {"1"}
    assert counters.count_once("Wide#1#v1", cells) == 0


def test_cells_without_any_change_write_nothing(aws):
    assert counters.count_once("Empty#1#v1", [Cell("STAT#E", "X", {"n": 0})]) == 0

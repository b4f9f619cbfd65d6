"""The packaged GB 2763 seed: every row real, sourced and dated, and a bad file refused whole."""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chalicelib.testing import limits_seed
from chalicelib.testing.judgement import ItemSpec, Operator, Outcome, judge
from chalicelib.testing.limits_seed import SeedError, SeedLimit, load_seed, parse_seed, seed_editions

SEED_FILE = Path(limits_seed.__file__).with_name("data") / "gb2763.json"


def _document() -> dict[str, Any]:
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def _row(rows: list[SeedLimit], commodity: str, analyte: str, standard: str) -> SeedLimit:
    return next(r for r in rows if (r.commodity, r.analyte, r.standard) == (commodity, analyte, standard))


def test_given_the_packaged_file_when_loaded_then_every_row_loads_with_an_exact_value_and_a_known_unit():
    rows = load_seed()
    assert rows and len(rows) == len(_document()["rows"]) <= 150
    for row in rows:
        assert isinstance(row.value, Decimal) and row.value >= 0
        assert row.unit == "mg/kg"
        assert row.operator == Operator.LE  # GB 2763 MRLs are maxima; exactly at the limit complies
        assert row.commodity_code.isdigit() and 2 <= len(row.commodity_code) <= 12


def test_given_the_seed_when_read_then_every_row_names_its_edition_day_and_source():
    editions = {e.standard: e.effective_from for e in seed_editions()}
    for row in load_seed():
        assert row.standard.startswith("GB 2763")
        assert editions[row.standard] == row.effective_from
        assert row.source.strip() and ("http" in row.source)


def test_given_the_seed_when_read_then_no_commodity_analyte_and_edition_appears_twice():
    keys = [(r.commodity, r.analyte, r.standard) for r in load_seed()]
    assert len(keys) == len(set(keys))


def test_given_the_seed_when_read_then_some_pair_has_editions_with_different_values():
    values: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    for row in load_seed():
        values[(row.commodity, row.analyte)][row.standard] = row.value
    changed = {pair for pair, by_edition in values.items() if len(set(by_edition.values())) > 1}
    assert ("韭菜", "procymidone") in changed


def test_given_chives_with_0_3_mg_kg_procymidone_when_judged_by_each_edition_then_the_2023_revision_changes_it():
    # 0.2 mg/kg from 2005 until GB 2763.1-2022 raised it to 5 mg/kg on 2023-05-11.
    rows = load_seed()
    old = _row(rows, "韭菜", "procymidone", "GB 2763-2021")
    new = _row(rows, "韭菜", "procymidone", "GB 2763.1-2022")
    assert (old.value, new.value) == (Decimal("0.2"), Decimal("5"))
    assert old.effective_from < new.effective_from == "2023-05-11"
    for row, outcome in ((old, Outcome.UNQUALIFIED), (new, Outcome.QUALIFIED)):
        spec = ItemSpec(row.analyte, row.unit, row.limit, loq=Decimal("0.01"))
        assert judge(spec, Decimal("0.3"), "mg/kg").outcome == outcome


def test_given_the_editions_when_listed_then_the_2026_edition_that_replaced_2021_is_known():
    editions = {e.standard: e for e in seed_editions()}
    assert editions["GB 2763-2021"].effective_from == "2021-09-03"
    assert editions["GB 2763-2019"].effective_from == "2020-02-15"
    assert editions["GB 2763-2026"].effective_from == "2026-03-01"
    assert "2026" in _document()["coverage_note"]


def test_given_the_seed_when_loaded_twice_then_the_file_is_read_once_and_callers_get_their_own_list():
    first = load_seed()
    first.clear()
    assert load_seed()
    assert limits_seed._seed.cache_info().hits >= 1


def test_given_the_commodity_codes_when_read_then_their_source_is_named():
    assert "NY/T 3177-2018" in _document()["commodity_codes_source"]


# A bad file is refused whole, with the row and field named


def _broken(change: dict[str, Any], row: int = 0) -> dict[str, Any]:
    data = copy.deepcopy(_document())
    data["rows"][row].update(change)
    return data


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"operator": "about"}, "unknown operator"),
        ({"operator": "range"}, "one-value"),
        ({"value": "0,2"}, "not a number"),
        ({"value": 0.2}, "must be a string"),
        ({"value": "-1"}, "zero or more"),
        ({"value": "NaN"}, "zero or more"),
        ({"effective_from": "2021-9-3"}, "ISO day"),
        ({"effective_from": "2021-02-30"}, "not a real day"),
        ({"standard": " "}, "'standard'"),
        ({"source": ""}, "'source'"),
        ({"source": "x" * 201}, "longer than 200"),
        ({"analyte": "Procymidone"}, "lower-case"),
        ({"commodity_code": "01-04"}, "2-12 digits"),
        ({"standard": "GB 2763-2099"}, "not among the editions"),
        ({"effective_from": "2021-09-04"}, "came into force on"),
    ],
)
def test_given_a_bad_row_when_parsed_then_the_seed_is_refused_naming_the_problem(change, fragment):
    with pytest.raises(SeedError, match=fragment) as caught:
        parse_seed(_broken(change, row=3))
    assert "row 3" in str(caught.value)


def test_given_a_row_twice_when_parsed_then_the_duplicate_is_refused():
    data = _document()
    data["rows"].append(dict(data["rows"][0]))
    with pytest.raises(SeedError, match="twice"):
        parse_seed(data)


@pytest.mark.parametrize("key", ["library", "commodity_codes_source", "rows", "editions"])
def test_given_a_seed_without_a_required_part_when_parsed_then_it_is_refused(key):
    data = _document()
    del data[key]
    with pytest.raises(SeedError, match=key):
        parse_seed(data)

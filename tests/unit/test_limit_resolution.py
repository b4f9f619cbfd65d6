"""Which limit applies on a day: the edition in force, its supplements, and nothing superseded used silently."""

from __future__ import annotations

import pytest

from chalicelib.core.errors import Unprocessable
from chalicelib.testing import store
from chalicelib.testing.limits_seed import load_seed, seed_editions
from chalicelib.testing.service import in_force, resolve_limit

EDITIONS = [
    store.EditionRecord(standard=e.standard, effective_from=e.effective_from, source=e.source) for e in seed_editions()
]
ROWS = [
    store.LimitRecord(
        id=store.limit_id(r.commodity_code, r.analyte, r.effective_from, r.standard),
        commodity_code=r.commodity_code,
        commodity=r.commodity,
        analyte=r.analyte,
        analyte_name=r.analyte_zh,
        operator=str(r.operator),
        value=str(r.value),
        unit=r.unit,
        standard=r.standard,
        effective_from=r.effective_from,
        source=r.source,
        added_by="seed",
    )
    for r in load_seed()
]


def pair(commodity: str, analyte: str) -> list[store.LimitRecord]:
    rows = [r for r in ROWS if r.commodity_code == commodity and r.analyte == analyte]
    return sorted(rows, key=lambda r: r.effective_from)


CHIVES_PROCYMIDONE = pair("010408", "procymidone")
CABBAGE_DELTAMETHRIN = pair("010402", "deltamethrin")


@pytest.mark.parametrize(
    ("day", "standard", "value"),
    [
        ("2020-06-01", "GB 2763-2019", "0.2"),
        ("2022-01-01", "GB 2763-2021", "0.2"),
        # GB 2763.1-2022 supplements GB 2763-2021 from 2023-05-11: its value wins while 2021 is the base
        ("2024-01-01", "GB 2763.1-2022", "5"),
    ],
)
def test_the_edition_in_force_on_the_day_gives_the_limit(day, standard, value):
    found = in_force(CHIVES_PROCYMIDONE, EDITIONS, day)
    assert not isinstance(found, str)
    assert (found.standard, found.value) == (standard, value)


def test_an_edition_without_the_value_leaves_the_limit_unknown_rather_than_superseded():
    # Given GB 2763-2026 replaced 2021 and 2022.1 on 2026-03-01, and the library has none of its values
    # When a model asks for the limit in force today
    found = in_force(CHIVES_PROCYMIDONE, EDITIONS, "2026-11-29")
    # Then it is unknown: the 2022.1 value is not used silently
    assert isinstance(found, str) and "GB 2763-2026" in found
    # And a pair the 2021 edition has no row for is unknown in 2022, though 2019 had one
    assert isinstance(in_force(CABBAGE_DELTAMETHRIN, EDITIONS, "2022-01-01"), str)


def test_a_pinned_edition_is_used_as_named_and_a_missing_one_is_a_clear_422():
    library = CHIVES_PROCYMIDONE + CABBAGE_DELTAMETHRIN
    pinned = resolve_limit(library, EDITIONS, "010402", "deltamethrin", "GB 2763-2019", "2026-11-29")
    assert pinned.value == "0.5"
    with pytest.raises(Unprocessable) as refused:
        resolve_limit(library, EDITIONS, "010402", "deltamethrin", None, "2026-11-29")
    assert "GB 2763-2026" in refused.value.detail and "pin an edition" in refused.value.detail
    with pytest.raises(Unprocessable):
        resolve_limit(library, EDITIONS, "010402", "deltamethrin", "GB 2763-2021", "2026-11-29")

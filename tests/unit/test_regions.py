"""The shipped GB/T 2260 catalogue and the one jurisdiction rule built on it."""

import pytest

from chalicelib.core.errors import NotFoundError, ValidationFailed
from chalicelib.regions.catalog import NATIONAL, catalog, contains, prefix


def test_catalogue_holds_the_country_and_shandong_townships():
    cat = catalog()
    provinces = cat.children(NATIONAL)
    assert 31 <= len(provinces) <= 35
    assert cat.get("370000").name == "山东省"
    assert cat.get("370112").parent == "370100"
    assert cat.get("370112").level == "county"
    assert any(r.level == "township" for r in cat.children("370112"))
    assert cat.meta["licence"]


def test_every_region_hangs_under_an_existing_parent():
    cat = catalog()
    for province in cat.children(NATIONAL):
        for city in cat.children(province.code):
            assert city.parent == province.code
            assert city.code.startswith(prefix(province.code))


@pytest.mark.parametrize(
    ("outer", "inner", "inside"),
    [
        ("000000", "370112", True),
        ("370000", "370112", True),
        ("370100", "370112", True),
        ("370112", "370112001", True),
        ("370102", "370112", False),
        ("320000", "370112", False),
        ("370112", "370100", False),
    ],
)
def test_jurisdiction_is_a_code_prefix(outer, inner, inside):
    assert contains(outer, inner) is inside


def test_ancestors_walk_to_the_nation():
    assert [r.code for r in catalog().ancestors("370112")] == ["370112", "370100", "370000", NATIONAL]


def test_bad_and_unknown_codes_are_client_errors():
    with pytest.raises(ValidationFailed):
        catalog().get("37011")
    with pytest.raises(NotFoundError):
        catalog().get("379999")

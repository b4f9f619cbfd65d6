"""Bulk results are written in transactions DynamoDB accepts: at most 100 items and 4 MB each."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from chalicelib.testing import service, store
from chalicelib.testing.models import MAX_ITEMS_PER_PRODUCT, ConfigureModelRequest, ResultEntry

ULID = "01M8K0WATFN5DC5XKEXDNEYP16"


def sample(results: int) -> store.SampleRecord:
    full = {
        f"residue-{n:03d}": {"value": "0.01", "limit": {"text": "≤0.5 mg/kg"}, "x": "y" * 700} for n in range(results)
    }
    return store.SampleRecord(id=ULID, results=full)


def entries(n: int) -> list[ResultEntry]:
    return [
        ResultEntry(sample_id=ULID, analyte=f"residue-{i:03d}", value=Decimal("0.01"), unit="mg/kg") for i in range(n)
    ]


def test_small_samples_go_twenty_to_a_transaction():
    chunks = service._chunks([(sample(10), entries(10)) for _ in range(45)])
    assert [len(c) for c in chunks] == [20, 20, 5]


def test_large_samples_go_fewer_to_a_transaction_to_stay_under_4_mb():
    chunks = service._chunks([(sample(240), entries(240)) for _ in range(45)])
    assert all(len(c) < 20 for c in chunks) and sum(len(c) for c in chunks) == 45
    for chunk in chunks:
        assert sum(3 * (len(service.audit.canonical(s.results)) + 2_000 + 600 * len(e)) for s, e in chunk) <= 3_000_000


def test_a_model_cannot_put_more_items_on_a_product_than_a_sample_record_holds():
    item = {
        "product_code": "010408",
        "analyte_name": "农药",
        "method_standard": "GB 23200.113-2018",
        "unit": "mg/kg",
        "limit": {"source": "custom", "operator": "le", "value": "0.5", "judgement_standard": "GB 2763-2021"},
    }
    body = {
        "name": "大模型",
        "version": 1,
        "objects": [{"product_code": "010408", "product_name": "韭菜"}],
        "items": [{**item, "analyte": f"residue-{n:03d}"} for n in range(MAX_ITEMS_PER_PRODUCT + 1)],
    }
    with pytest.raises(ValidationError, match="at most 250 test items"):
        ConfigureModelRequest.model_validate(body)
    body["items"] = body["items"][:MAX_ITEMS_PER_PRODUCT]
    assert len(ConfigureModelRequest.model_validate(body).items) == MAX_ITEMS_PER_PRODUCT

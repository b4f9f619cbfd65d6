"""The local stack's demo: loaded through the services, the same on every load, and loaded twice adds nothing."""

from __future__ import annotations

import time
from collections import Counter
from urllib.parse import quote

import boto3
import pytest

from chalicelib.codes.formats import is_id_number, is_uscc
from chalicelib.regions.catalog import catalog
from infra.local import demo as demo_module
from tests.support import env
from tests.support.world import Identity


def table_items() -> int:
    pages = boto3.client("dynamodb").get_paginator("scan")
    return sum(p["Count"] for p in pages.paginate(TableName=env.TEST_ENV["TABLE_NAME"], Select="COUNT"))


@pytest.fixture(scope="module")
def demo(aws: Identity) -> demo_module.Demo:
    started = time.monotonic()
    loaded = demo_module.load(aws.pool_id)
    print(f"demo loaded in {time.monotonic() - started:.1f} s: {loaded.counts()}")
    return loaded


def test_every_staffed_county_has_subjects_and_the_queue_is_not_empty(demo):
    subjects = list(demo.subjects.values())
    assert len(subjects) >= 200
    staffed = {c.code for city in demo_module.DETAILED_CITIES for c in catalog().children(city)}
    assert {s.region for s in subjects} == staffed
    states = Counter(s.state for s in subjects)
    assert states["pending"] >= 3 and states["rejected"] >= 1 and states["approved"] >= 190
    assert all(s.review and s.review["reasons"] for s in subjects if s.state == "rejected")
    assert len({s.form for s in subjects}) == 4 and len({s.category for s in subjects}) == 4
    for s in subjects:
        assert is_id_number(s.number) if s.number_kind == "id_card" else is_uscc(s.number)
    counts = demo.counts()
    assert 10 <= counts["key_objects"] <= 40 and 3 <= counts["with_bad_records"] <= 15


def test_approved_subjects_have_bases_products_and_batches(demo):
    approved = {s.id for s in demo.subjects.values() if s.state == "approved"}
    assert {b.subject_id for b in demo.bases} == approved == {p.subject_id for p in demo.products}
    assert {b.product_id for b in demo.batches} == {p.id for p in demo.products}
    assert len({b.code_long for b in demo.batches}) == len(demo.batches)
    codes = {}
    for product in demo.products:
        assert codes.setdefault(product.name, product.category_code) == product.category_code
    kinds = Counter(b.kind for b in demo.batches)
    assert 0 < kinds["circulation"] < kinds["production"]


def test_a_demo_batch_scans_for_its_supervisor_the_public_and_its_subject(api, aws, demo):
    account, number = next(iter(demo.accounts.items()))
    subject = demo.subjects[number]
    batch = next(b for b in demo.batches if b.subject_id == subject.id)
    county = next(k for k, a in demo.agencies.items() if a.region == subject.region and k.count("-") == 1)
    reply = api.get(f"/scan?code={quote(batch.code_short, safe='')}", token=aws.token(f"{county}-supervisor"))
    assert reply.status == 200, reply.body
    assert reply.body["subject"]["id"] == subject.id and reply.body["batch"]["id"] == batch.id
    assert api.get(f"/public/scan?code={quote(batch.link, safe='')}").status == 200
    own = api.get(f"/subjects/{subject.id}", token=aws.token(account))
    assert own.status == 200 and own.body["number"] == number
    assert set(demo.accounts) <= {u.username for u in demo.featured()}


def test_the_plan_is_drawn_from_the_seed_alone():
    counties = [("k", c) for city in demo_module.DETAILED_CITIES for c in catalog().children(city)]
    first, second = demo_module._Planner().subjects(counties), demo_module._Planner().subjects(counties)
    assert first == second


def test_loading_twice_adds_nothing(aws, demo):
    before = table_items()
    again = demo_module.load(aws.pool_id)
    assert table_items() == before
    assert again.counts() == demo.counts()
    assert {b.code_long for b in again.batches} == {b.code_long for b in demo.batches}

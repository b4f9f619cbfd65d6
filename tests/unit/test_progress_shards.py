"""A unit's progress counter is split over shards: each sample always on one, and reads sum them all."""

from __future__ import annotations

from chalicelib.testing import store

TASK, JINAN, LICHENG = "01M8K0WATFN5DC5XKEXDNEYP16", "01M8K0WATFN5DC5XKEXDNEYP17", "01M8K0WATFN5DC5XKEXDNEYP18"


def counter(org: str, shard: int | None, **figures: int) -> store.ProgressCounter:
    return store.ProgressCounter(task_id=TASK, org_id=org, shard=shard, **figures)


def test_a_sample_is_always_counted_on_the_same_shard_and_samples_spread_over_them():
    sample_ids = [f"01M8K0WATFN5DC5XKEXDNE{n:04d}" for n in range(200)]
    assert [store.shard_of(s, 8) for s in sample_ids] == [store.shard_of(s, 8) for s in sample_ids]
    assert {store.shard_of(s, 8) for s in sample_ids} == set(range(8))


def test_each_shards_keys_are_derived_from_its_unit_and_number():
    shard = counter(JINAN, 3)
    shard.derive_keys()
    assert (shard.pk, shard.sk) == (f"MTASK#{TASK}", f"PROGRESS#{JINAN}#03")
    before_the_shards = counter(JINAN, None)
    before_the_shards.derive_keys()
    assert before_the_shards.sk == f"PROGRESS#{JINAN}"


def test_reads_sum_every_shard_of_each_unit_including_a_counter_from_before_the_shards():
    # Given Jinan's counter in two shards and one older unsharded item, and Licheng's in one shard
    read = [
        counter(JINAN, None, sampled=2, received=2, tested=1, unqualified=1),
        counter(JINAN, 0, sampled=3, received=1),
        counter(LICHENG, 5, sampled=1, unqualified=1),
        counter(JINAN, 7, sampled=1, tested=2, unqualified=-1),  # corrected after the shards came: on its shard
    ]
    # When they are summed, Then there is one counter per unit, in the order read
    summed = store.per_unit(read)
    figures = [(c.org_id, [int(getattr(c, f)) for f in store.FIGURES]) for c in summed]
    assert figures == [(JINAN, [6, 3, 3, 0]), (LICHENG, [1, 0, 0, 1])]

"""The double-random draw (双随机): what a citizen, an auditor or a sampler would check on a published draw."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import random
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.spotchecks import draw as draw_module
from chalicelib.spotchecks.draw import (
    POOLS,
    DrawInput,
    DrawnSubject,
    Recusal,
    Replacement,
    Team,
    canonical,
    commitment,
    draw,
    list_hash,
    new_seed,
    perform,
    rank,
    recuse,
    replay,
    verify_commitment,
    verify_lists,
)

SUBJECTS = [f"370112-{i:04d}" for i in range(1, 61)]  # 60 producers in Licheng district
SAMPLERS = [f"officer-{i:02d}" for i in range(1, 21)]  # 20 certified enforcement officers


def seed_for(label: str) -> str:
    """A fixed seed per label, so that these tests never depend on chance."""
    return hashlib.sha256(label.encode()).hexdigest()


SEED = seed_for("task 2026-A-0001")


def announce(
    seed: str = SEED,
    subjects: list[str] = SUBJECTS,
    samplers: list[str] = SAMPLERS,
    *,
    subject_count: int = 10,
    sampler_count: int = 6,
    key_objects: tuple[str, ...] = (),
) -> DrawInput:
    return DrawInput.freeze(
        commitment(seed),
        subjects,
        samplers,
        subject_count=subject_count,
        sampler_count=sampler_count,
        key_objects=key_objects,
    )


def reference_order(seed: str, pool: str, ids: list[str]) -> list[str]:
    """The order as the published text states it, written again independently with hmac.digest."""
    key = bytes.fromhex(seed)
    return [c for _, c in sorted((hmac.digest(key, f"{pool}:{c}".encode(), "sha256"), c) for c in set(ids))]


# The published text and its test vector


def test_given_the_published_test_vector_when_the_draw_is_made_then_it_gives_the_documented_result():
    seed = bytes(range(32)).hex()
    subjects = [f"S{i}" for i in range(1, 7)]
    samplers = [f"P{i}" for i in range(1, 7)]
    inputs = DrawInput.freeze(
        commitment(seed), subjects, samplers, subject_count=3, sampler_count=4, key_objects=["K1"]
    )

    result = perform(seed, inputs)

    assert commitment(seed).startswith("630dcd29") and commitment(seed).endswith("1bd710dd")
    assert hmac.digest(bytes(range(32)), b"subject:S1", "sha256").hex().startswith("6eb52a72")
    assert list_hash(subjects) == "8dc75f551f09523811d2ac2a194afccffb34eed1586cdde1df7e6271d1f34621"
    assert rank(seed, "subject", subjects) == ["S3", "S6", "S1", "S2", "S5", "S4"]
    assert rank(seed, "sampler", samplers) == ["P5", "P4", "P1", "P3", "P2", "P6"]
    assert result.teams == (
        Team(1, ("P5", "P4"), ("K1", "S6")),
        Team(2, ("P1", "P3"), ("S3", "S1")),
    )
    _, after = recuse(seed, inputs, result, "P4", "related to the producer")
    assert after.replacements == (Replacement("P4", "related to the producer", "P2", 1),)
    assert after.teams[0].samplers == ("P5", "P2")
    # The vector is printed in the module's docstring, which is what gets published.
    doc = draw_module.__doc__ or ""
    for fragment in ("S3, S6, S1, S2, S5, S4", "P5, P4, P1, P3, P2, P6", "630dcd29", "6eb52a72", "8dc75f55"):
        assert fragment in doc


@given(
    seed=st.binary(min_size=32, max_size=32).map(bytes.hex),
    pool=st.sampled_from(POOLS),
    ids=st.lists(st.text(min_size=1, max_size=6).filter(lambda s: "\n" not in s), max_size=25),
)
def test_given_any_seed_and_list_when_ranked_then_it_is_the_order_the_published_text_describes(seed, pool, ids):
    assert rank(seed, pool, ids) == reference_order(seed, pool, ids)


def test_given_a_list_when_hashed_then_the_hash_is_sha256_of_the_sorted_unique_ids_joined_by_line_feeds():
    assert canonical(["b", "a", "b", "é", "Z"]) == ["Z", "a", "b", "é"]
    assert list_hash(["b", "a", "b"]) == hashlib.sha256(b"a\nb").hexdigest()
    assert list_hash([]) == hashlib.sha256(b"").hexdigest()
    assert list_hash(["监管对象-1", "a"]) == hashlib.sha256("a\n监管对象-1".encode()).hexdigest()


# Same inputs, same draw; the list order does not matter; another seed, another draw


def test_given_the_same_seed_and_lists_when_drawn_twice_then_the_results_are_identical():
    assert perform(SEED, announce()) == perform(SEED, announce())


def test_given_the_lists_shuffled_and_with_duplicates_when_drawn_then_the_result_is_the_same():
    shuffled = random.Random(7).sample(SUBJECTS, len(SUBJECTS)) + SUBJECTS[:5]
    samplers = list(reversed(SAMPLERS)) + SAMPLERS[-3:]

    again = announce(subjects=shuffled, samplers=samplers)

    assert again == announce()
    assert perform(SEED, again) == perform(SEED, announce())
    assert rank(SEED, "subject", shuffled) == rank(SEED, "subject", SUBJECTS)


def test_given_another_seed_when_drawn_then_the_subjects_and_samplers_differ():
    other = seed_for("task 2026-A-0002")

    first, second = perform(SEED, announce()), perform(other, announce(seed=other))

    assert first.subjects != second.subjects
    assert first.samplers != second.samplers


def test_given_the_same_ids_in_both_pools_when_ranked_then_the_orders_are_independent():
    assert rank(SEED, "subject", SAMPLERS) != rank(SEED, "sampler", SAMPLERS)


def test_given_a_draw_when_published_then_each_drawn_subject_is_a_candidate_and_appears_once():
    result = perform(SEED, announce())

    ids = [s.subject_id for s in result.subjects]
    assert len(ids) == 10 == len(set(ids))
    assert set(ids) <= set(SUBJECTS)
    assert ids == rank(SEED, "subject", SUBJECTS)[:10]
    assert result.samplers == tuple(rank(SEED, "sampler", SAMPLERS)[:6])
    assert result.subjects_short == result.samplers_short == 0


# Commit and reveal; tampering shows


def test_given_a_new_seed_when_committed_then_only_that_seed_verifies():
    seed = new_seed()

    published = commitment(seed)

    assert len(seed) == 64 and len(published) == 64
    assert published == hashlib.sha256(bytes.fromhex(seed)).hexdigest()  # of the bytes, not the hex digits
    assert verify_commitment(seed, published)
    assert not verify_commitment(new_seed(), published)
    assert not verify_commitment("not a seed", published)


def test_given_a_seed_other_than_the_committed_one_when_drawing_then_the_draw_is_refused():
    with pytest.raises(ValueError, match="not the one committed to"):
        perform(seed_for("a better seed"), announce())


def test_given_a_candidate_added_after_freezing_when_checked_then_the_lists_no_longer_verify():
    inputs = announce()
    tampered = replace(inputs, subjects=(*inputs.subjects, "370112-9999"))

    assert verify_lists(inputs)
    assert not verify_lists(tampered)
    with pytest.raises(ValueError, match="does not match its published hash"):
        perform(SEED, tampered)
    assert not replay(SEED, tampered, perform(SEED, inputs))


def test_given_a_key_object_or_sampler_removed_after_freezing_when_checked_then_the_lists_no_longer_verify():
    inputs = announce(key_objects=("370112-0001",))

    assert not verify_lists(replace(inputs, key_objects=()))
    assert not verify_lists(replace(inputs, samplers=inputs.samplers[1:]))


def test_given_a_published_result_when_replayed_then_it_verifies_and_any_change_to_it_does_not():
    inputs = announce()
    result = perform(SEED, inputs)
    swapped = result.teams[0].samplers[::-1]
    outsider = next(s for s in SUBJECTS if s not in {d.subject_id for d in result.subjects})

    assert replay(SEED, inputs, result)
    assert not replay(seed_for("another"), inputs, result)
    assert not replay(SEED, inputs, replace(result, subjects=(DrawnSubject(outsider, False, 1), *result.subjects[1:])))
    assert not replay(
        SEED, inputs, replace(result, teams=(replace(result.teams[0], samplers=swapped), *result.teams[1:]))
    )
    assert not replay(SEED, replace(inputs, subject_count=11), result)


# Recusal (回避) and replacement


def test_given_a_drawn_sampler_who_recuses_when_replaced_then_the_next_in_order_takes_the_same_slot():
    inputs = announce()
    result = perform(SEED, inputs)
    order = rank(SEED, "sampler", SAMPLERS)
    leaving = result.samplers[3]  # team 2, second slot

    logged, after = recuse(SEED, inputs, result, leaving, "spouse works for the producer")

    assert logged.recusals == (Recusal(leaving, "spouse works for the producer"),)
    assert after.replacements == (Replacement(leaving, "spouse works for the producer", order[6], 2),)
    assert after.samplers == (*result.samplers[:3], order[6], *result.samplers[4:])
    assert after.teams[1].samplers == (result.samplers[2], order[6])
    assert after.teams[0] == result.teams[0] and after.teams[2] == result.teams[2]
    assert after.subjects == result.subjects
    assert replay(SEED, logged, after)
    assert not replay(SEED, inputs, after)  # the recusal must be in the published log


def test_given_recusals_in_a_row_when_replaced_then_each_takes_the_next_unused_sampler_and_the_log_replays():
    inputs = announce()
    result = perform(SEED, inputs)
    order = rank(SEED, "sampler", SAMPLERS)

    inputs, result = recuse(SEED, inputs, result, order[0], "conflict of interest")
    inputs, result = recuse(SEED, inputs, result, order[6], "enforcement certificate expired")  # the replacement
    inputs, result = recuse(SEED, inputs, result, order[4], "on sick leave")

    assert [(r.sampler_id, r.replacement, r.team) for r in result.replacements] == [
        (order[0], order[6], 1),
        (order[6], order[7], 1),
        (order[4], order[8], 3),
    ]
    assert result.samplers == (order[7], order[1], order[2], order[3], order[8], order[5])
    assert replay(SEED, inputs, result)
    assert perform(SEED, inputs) == result


def test_given_a_sampler_not_on_a_team_when_recusing_then_it_is_refused():
    inputs = announce()
    result = perform(SEED, inputs)
    benched = rank(SEED, "sampler", SAMPLERS)[10]

    with pytest.raises(ValueError, match="only a drawn sampler can recuse"):
        recuse(SEED, inputs, result, benched, "busy")
    with pytest.raises(ValueError, match="needs a reason"):
        recuse(SEED, inputs, result, result.samplers[0], "  ")


def test_given_a_recusal_left_out_of_the_result_when_recusing_again_then_the_stale_result_is_refused():
    inputs = announce()
    result = perform(SEED, inputs)
    logged, _ = recuse(SEED, inputs, result, result.samplers[0], "conflict of interest")

    with pytest.raises(ValueError, match="not the draw of these inputs"):
        recuse(SEED, logged, result, result.samplers[1], "ill")


def test_given_nobody_left_in_the_order_when_a_sampler_recuses_then_a_new_draw_is_asked_for():
    inputs = announce(samplers=SAMPLERS[:3], sampler_count=2)
    result = perform(SEED, inputs)
    inputs, result = recuse(SEED, inputs, result, result.samplers[0], "conflict of interest")

    with pytest.raises(ValueError, match="no sampler is left"):
        recuse(SEED, inputs, result, result.samplers[1], "conflict of interest")


# Key objects (重点监管对象)


def test_given_key_objects_when_drawn_then_they_come_first_flagged_and_the_random_draw_is_not_used_up():
    key = ("370112-0003", "370199-0001")  # one on the list, one not (a key object need not be a candidate)

    result = perform(SEED, announce(key_objects=key))

    assert [(s.subject_id, s.key_object) for s in result.subjects[:2]] == [(k, True) for k in sorted(key)]
    drawn = [s.subject_id for s in result.subjects[2:]]
    assert len(drawn) == 10 and not any(s.key_object for s in result.subjects[2:])
    assert "370112-0003" not in drawn
    assert drawn == rank(SEED, "subject", [s for s in SUBJECTS if s != "370112-0003"])[:10]


def test_given_every_candidate_is_asked_for_and_one_is_a_key_object_when_drawn_then_none_appears_twice():
    result = perform(SEED, announce(subject_count=60, key_objects=("370112-0003",)))

    ids = [s.subject_id for s in result.subjects]
    assert sorted(ids) == sorted(SUBJECTS) and len(ids) == len(set(ids))
    assert result.subjects_short == 1  # 59 left in the random pool for 60 asked


# Teams


def test_given_three_teams_when_subjects_are_assigned_then_they_go_round_robin_in_assignment_order():
    result = perform(SEED, announce(subject_count=7, key_objects=("370199-0001",)))
    ids = [s.subject_id for s in result.subjects]

    assert [t.samplers for t in result.teams] == [result.samplers[0:2], result.samplers[2:4], result.samplers[4:6]]
    assert [t.subjects for t in result.teams] == [tuple(ids[0::3]), tuple(ids[1::3]), tuple(ids[2::3])]
    assert result.teams[0].subjects[0] == "370199-0001"
    assert [s.team for s in result.subjects] == [1, 2, 3, 1, 2, 3, 1, 2]


# Fewer candidates than asked, odd counts, bad input


def test_given_fewer_subjects_than_asked_when_drawn_then_all_are_drawn_and_the_shortfall_is_stated():
    result = perform(SEED, announce(subjects=SUBJECTS[:4], subject_count=10))

    assert sorted(s.subject_id for s in result.subjects) == SUBJECTS[:4]
    assert result.subjects_short == 6


def test_given_an_odd_number_of_samplers_left_when_drawn_then_pairs_are_formed_and_the_rest_waits_in_line():
    inputs = announce(samplers=SAMPLERS[:5], sampler_count=8)
    order = rank(SEED, "sampler", SAMPLERS[:5])

    result = perform(SEED, inputs)

    assert result.samplers == tuple(order[:4]) and len(result.teams) == 2
    assert result.samplers_short == 4
    _, after = recuse(SEED, inputs, result, order[1], "conflict of interest")
    assert after.replacements[0].replacement == order[4]


def test_given_an_odd_sampler_count_when_announced_then_an_even_number_is_asked_for():
    with pytest.raises(ValueError, match="even number of samplers"):
        announce(sampler_count=5)
    with pytest.raises(ValueError, match="even number of samplers"):
        announce(sampler_count=0)


def test_given_a_single_sampler_when_drawn_then_no_team_can_be_formed():
    with pytest.raises(ValueError, match="a team needs two samplers"):
        perform(SEED, announce(samplers=SAMPLERS[:1], sampler_count=2))


@pytest.mark.parametrize(
    "seed",
    ["", "ab" * 31, "ab" * 33, "AB" * 32, "zz" * 32, " " + "ab" * 31 + "a", "ab " * 21 + "a"],
    ids=["empty", "short", "long", "uppercase", "not hex", "leading space", "spaced"],
)
def test_given_a_malformed_seed_when_used_then_it_is_refused_with_a_clear_message(seed):
    with pytest.raises(ValueError, match="64 lowercase hexadecimal digits"):
        commitment(seed)
    with pytest.raises(ValueError, match="64 lowercase hexadecimal digits"):
        draw(seed, "subject", SUBJECTS, 3)


def test_given_bad_draw_arguments_when_drawing_then_each_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="≥ 0"):
        draw(SEED, "subject", SUBJECTS, -1)
    with pytest.raises(ValueError, match="the pool must be one of"):
        draw(SEED, "inspector", SUBJECTS, 3)
    with pytest.raises(ValueError, match="without a line feed"):
        draw(SEED, "subject", ["a\nb"], 1)
    with pytest.raises(ValueError, match="without a line feed"):
        list_hash(["a", ""])
    with pytest.raises(ValueError, match="not a single string"):
        list_hash("370112-0001")
    with pytest.raises(ValueError, match="subject_count"):
        announce(subject_count=-1)
    with pytest.raises(ValueError, match="seed_commitment"):
        DrawInput.freeze("abc", SUBJECTS, SAMPLERS, subject_count=1, sampler_count=2)


def test_given_zero_to_draw_when_drawn_then_only_key_objects_are_checked():
    result = perform(SEED, announce(subject_count=0, key_objects=("370112-0001",)))

    assert [s.subject_id for s in result.subjects] == ["370112-0001"]
    assert draw(SEED, "subject", SUBJECTS, 0) == []


# Uniformity: every candidate has the same chance, every pair too


def test_given_4000_seeds_drawing_5_of_40_when_counted_then_every_candidate_is_drawn_equally_often():
    candidates = [f"candidate-{i:02d}" for i in range(40)]
    draws = 4000
    counts: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for i in range(draws):
        # Seeds from a fixed counter: the test is deterministic and cannot flake, yet the seeds are as good as random.
        drawn = sorted(draw(seed_for(f"uniformity {i}"), "subject", candidates, 5))
        counts.update(drawn)
        pairs.update(itertools.combinations(drawn, 2))

    expected = draws * 5 / 40  # 500
    chi_square = sum((counts[c] - expected) ** 2 / expected for c in candidates)
    # Critical value of chi-square with 39 degrees of freedom at p = 0.001. Drawing without replacement makes
    # each count vary a little less than a multinomial's, so this test errs on the side of passing a fair draw.
    assert chi_square < 72.05, chi_square
    assert min(counts.values()) > 0.85 * expected and max(counts.values()) < 1.15 * expected

    expected_pair = draws * (5 * 4) / (40 * 39)  # ≈ 51.3 for each of the 780 pairs
    pair_chi_square = sum(
        (pairs[p] - expected_pair) ** 2 / expected_pair for p in itertools.combinations(candidates, 2)
    )
    # 779 degrees of freedom at p = 0.001 (Wilson–Hilferty): ≈ 906.7. The pair counts are not independent, so
    # this is a sanity check that no two candidates tend to be drawn together or apart, not an exact test.
    assert pair_chi_square < 906.7, pair_chi_square


def test_given_many_seeds_when_candidates_are_listed_first_or_last_then_their_chance_is_the_same():
    candidates = [f"candidate-{i:02d}" for i in range(10)]
    first = sum(candidates[0] in draw(seed_for(f"position {i}"), "sampler", candidates, 2) for i in range(2000))
    last = sum(candidates[-1] in draw(seed_for(f"position {i}"), "sampler", candidates, 2) for i in range(2000))

    # Each is binomial(2000, 0.2): mean 400, standard deviation ≈ 17.9; 4.5 standard deviations is ±80.
    assert abs(first - 400) < 80 and abs(last - 400) < 80


# Properties


@given(
    seed=st.binary(min_size=32, max_size=32).map(bytes.hex),
    pool=st.sampled_from(POOLS),
    ids=st.lists(st.text(min_size=1, max_size=8).filter(lambda s: "\n" not in s), max_size=40),
    n=st.integers(min_value=0, max_value=50),
    shuffle=st.randoms(use_true_random=False),
)
def test_given_any_list_when_drawn_then_the_draw_is_a_prefix_of_the_order_of_the_right_size(
    seed, pool, ids, n, shuffle
):
    drawn = draw(seed, pool, ids, n)

    assert len(drawn) == min(n, len(set(ids)))
    assert set(drawn) <= set(ids)
    assert drawn == rank(seed, pool, ids)[:n]
    reordered = list(ids)
    shuffle.shuffle(reordered)
    assert draw(seed, pool, reordered, n) == drawn

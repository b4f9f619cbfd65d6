"""The public form of a draw (一公开): what a citizen sees and checks without any internal id."""

from __future__ import annotations

import dataclasses
import json

from chalicelib.spotchecks import draw, public

SEED = bytes(range(32)).hex()  # the test vector of draw.py's docstring


def test_names_are_redacted_as_the_public_sees_them():
    assert public.mask_person("张三") == "张*"
    assert public.mask_person("欧阳修") == "欧**"
    assert public.mask_org("济南市历城区唐王农场") == "济南**农场"
    assert public.mask_org("老王菜园") == "老***"
    assert public.subject_name("李四", "individual") == "李*"


def public_form(recusals: tuple[draw.Recusal, ...] = (), reassignments: list | None = None) -> dict:
    """The test vector's draw, in its public form (names by id), as JSON."""
    inputs = draw.DrawInput.freeze(
        draw.commitment(SEED),
        [f"S{i}" for i in range(1, 7)],
        [f"P{i}" for i in range(1, 7)],
        subject_count=3,
        sampler_count=4,
        key_objects=["K1"],
    )
    inputs = dataclasses.replace(inputs, recusals=recusals)
    result = json.loads(json.dumps(dataclasses.asdict(draw.perform(SEED, inputs))))
    form = public.build(
        seed=SEED, inputs=inputs, result=result, reassignments=reassignments or [], names={"K1": "重点**基地"}
    )
    return {"seed": SEED, "commitment": draw.commitment(SEED), "subject_count": 3, **form}


def test_the_public_form_shows_the_test_vector_by_rank_and_checks_without_ids():
    # Given the docstring's test vector, P4 recusing and K1 moved from team 1 to team 2
    moved = [{"subject_id": "K1", "from_team": 1, "to_team": 2, "reason": "一组组员病假", "at": "2026-12-01T00:00:00Z"}]
    shown = public_form((draw.Recusal("P4", "回避"),), moved)
    # Then the pools are shown by rank with their keys: S3 first, as the docstring says
    assert shown["subject_pool"][0]["key"] == public.key_of(SEED, "subject", "S3")
    assert public.key_of(SEED, "subject", "S1").startswith("6eb52a72")
    assert [c["drawn"] for c in shown["subject_pool"]] == [True, True, True, False, False, False]
    # team 1: P5 and P2 (P4 recused, P2 is rank 5), visiting S6 (K1 was moved to team 2)
    team1, team2 = shown["teams"]
    assert [m["rank"] for m in team1["samplers"]] == [1, 5] and [s["number"] for s in team1["subjects"]] == [3]
    assert [s["number"] for s in team2["subjects"]] == [1, 2, 4] and team2["subjects"][0]["name"] == "重点**基地"
    assert shown["replacements"][0] == {
        "recused": 2,
        "recused_name": "**",
        "reason": "回避",
        "replacement": 5,
        "replacement_name": "**",
        "team": 1,
    }
    # And anyone checks it from what is shown
    assert public.consistent(shown)


def test_an_altered_public_form_does_not_check():
    shown = public_form()
    assert public.consistent(shown)
    for alter in (
        lambda v: v["subject_pool"].reverse(),  # the order changed
        lambda v: v["subjects"][1].update(team=1),  # a subject moved without a logged reassignment
        lambda v: v["teams"][0]["samplers"][0].update(rank=6),  # a sampler seated out of order
        lambda v: v.update(seed="00" * 32),  # another seed than the committed one
        lambda v: v["subject_pool"][3].update(drawn=True),  # one more drawn than asked
    ):
        tampered = json.loads(json.dumps(shown))
        alter(tampered)
        assert not public.consistent(tampered)

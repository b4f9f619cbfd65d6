"""The public form of a draw (一公开): redacted names, no internal ids, and still checkable by anyone.

The public sees no id of a subject, sampler, agency or user, so it cannot recompute a candidate's key
(HMAC-SHA256(seed, pool + ":" + id), `draw.py` step 3) itself. The draw is published in an ordinal form
instead: each pool in the draw's order, every candidate with its rank, its key and its redacted name. From that
alone anyone checks that the seed is the committed one, that each pool is in ascending key order, that the
first ranks are the ones drawn (subjects) or seated (samplers, recusals moving down the order), and that the
teams are dealt as `draw.py` says, then moved only by the public reassignment log (`consistent`). A candidate
who knows their own id checks their own key, so nobody can be left out of, or slipped into, a pool unseen by
them; an auditor with access replays the whole draw from the ids (`GET /draws/{draw_id}/replay`).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from . import draw


def mask_person(name: str) -> str:
    """张三 → 张*, 欧阳修 → 欧**: the first character, then one star per character."""
    name = name.strip()
    return name[:1] + "*" * max(1, len(name) - 1)


def mask_org(name: str) -> str:
    """济南市历城区唐王农场 → 济南**农场: two characters either side; a short name keeps its first only."""
    name = name.strip()
    if len(name) <= 4:
        return name[:1] + "*" * max(1, len(name) - 1)
    return f"{name[:2]}**{name[-2:]}"


def subject_name(name: str, form: str | None) -> str:
    """An individual's subject (个体) bears a person's name: masked as one."""
    return mask_person(name) if form == "individual" else mask_org(name)


def key_of(seed: str, pool: str, candidate: str) -> str:
    """A candidate's key in a pool, as `draw.py` step 3 defines it, in hexadecimal: what a candidate checks."""
    return hmac.new(bytes.fromhex(seed), f"{pool}:{candidate}".encode(), hashlib.sha256).hexdigest()


def _order(seed: str, pool: str, ids: list[str]) -> list[tuple[str, str]]:
    """(id, hex key) of the pool in the draw's order (`draw.rank`)."""
    return [(c, key_of(seed, pool, c)) for c in draw.rank(seed, pool, ids)]


def build(
    *,
    seed: str,
    inputs: draw.DrawInput,
    result: dict[str, Any],
    reassignments: list[dict[str, Any]],
    names: dict[str, str],
) -> dict[str, Any]:
    """The ordinal form of a performed draw: pools, subjects in assignment order, teams as they stand, logs."""
    name = lambda c: names.get(c, "**")  # noqa: E731 - a draw frozen before names were kept shows stars
    key_objects = set(inputs.key_objects)
    pool = _order(seed, draw.SUBJECT_POOL, [s for s in inputs.subjects if s not in key_objects])
    samplers = _order(seed, draw.SAMPLER_POOL, list(inputs.samplers))
    sampler_rank = {c: i + 1 for i, (c, _) in enumerate(samplers)}
    pool_rank = {c: i + 1 for i, (c, _) in enumerate(pool)}
    number = {str(s["subject_id"]): j + 1 for j, s in enumerate(result["subjects"])}
    team_of = {str(s["subject_id"]): int(s["team"]) for s in result["subjects"]}
    moves = []
    for moved in reassignments:
        subject = str(moved["subject_id"])
        team_of[subject] = int(moved["to_team"])
        moves.append(
            {
                "subject": number[subject],
                "name": name(subject),
                "from_team": int(moved["from_team"]),
                "to_team": int(moved["to_team"]),
                "reason": moved["reason"],
                "at": moved["at"],
            }
        )
    slot_of = {c: i + 1 for i, c in enumerate(result["samplers"])}
    return {
        "subject_pool": [
            {"rank": i + 1, "key": k, "name": name(c), "drawn": c in number} for i, (c, k) in enumerate(pool)
        ],
        "sampler_pool": [
            {"rank": i + 1, "key": k, "name": name(c), "slot": slot_of.get(c)} for i, (c, k) in enumerate(samplers)
        ],
        "subjects": [
            {
                "number": number[str(s["subject_id"])],
                "name": name(str(s["subject_id"])),
                "key_object": bool(s["key_object"]),
                "rank": None if s["key_object"] else pool_rank[str(s["subject_id"])],
                "drawn_team": int(s["team"]),
                "team": team_of[str(s["subject_id"])],
            }
            for s in result["subjects"]
        ],
        "teams": [
            {
                "number": int(t["number"]),
                "samplers": [{"rank": sampler_rank[c], "name": name(c)} for c in t["samplers"]],
                "subjects": [{"number": number[s], "name": name(s)} for s in number if team_of[s] == int(t["number"])],
            }
            for t in result["teams"]
        ],
        "replacements": [
            {
                "recused": sampler_rank[r["sampler_id"]],
                "recused_name": name(r["sampler_id"]),
                "reason": r["reason"],
                "replacement": sampler_rank[r["replacement"]],
                "replacement_name": name(r["replacement"]),
                "team": int(r["team"]),
            }
            for r in result["replacements"]
        ],
        "reassignments": moves,
        "subjects_short": int(result["subjects_short"]),
        "samplers_short": int(result["samplers_short"]),
    }


def consistent(view: dict[str, Any]) -> bool:
    """What anyone can check from the public form alone (no ids): see the module's docstring.

    `view` is the public draw view as JSON. The seed is the committed one; each pool is in ascending key order;
    the drawn subjects are the pool's first ranks and follow the key objects in assignment order; the first
    slots went to the sampler pool's first ranks, each recusal to the next rank; subject n went to team
    (n - 1) mod teams + 1; the teams as they stand are that, moved by the reassignment log.
    """
    try:
        if not draw.verify_commitment(view["seed"], view["commitment"]):
            return False
        pool, samplers, subjects = view["subject_pool"], view["sampler_pool"], view["subjects"]
        for listing in (pool, samplers):
            keys = [c["key"] for c in listing]
            if keys != sorted(keys) or [c["rank"] for c in listing] != list(range(1, len(listing) + 1)):
                return False
        drawn = [s for s in subjects if not s["key_object"]]
        wanted = min(view["subject_count"], len(pool))
        if [s["rank"] for s in drawn] != list(range(1, wanted + 1)):
            return False
        if [c["drawn"] for c in pool] != [c["rank"] <= wanted for c in pool]:
            return False
        if subjects[: len(subjects) - len(drawn)] != [s for s in subjects if s["key_object"]]:
            return False
        teams = len(view["teams"])
        seated = 2 * teams
        expected_slots = list(range(1, seated + 1))
        for i, r in enumerate(view["replacements"]):
            if r["replacement"] != seated + i + 1 or r["recused"] not in expected_slots:
                return False
            expected_slots[expected_slots.index(r["recused"])] = r["replacement"]
        if [[c["rank"] for c in t["samplers"]] for t in view["teams"]] != [
            expected_slots[2 * t : 2 * t + 2] for t in range(teams)
        ]:
            return False
        team_of = {s["number"]: (s["number"] - 1) % teams + 1 for s in subjects}
        if any(s["drawn_team"] != team_of[s["number"]] for s in subjects):
            return False
        for moved in view["reassignments"]:
            if team_of[moved["subject"]] != moved["from_team"]:
                return False
            team_of[moved["subject"]] = moved["to_team"]
        return all(s["team"] == team_of[s["number"]] for s in subjects) and all(
            [s["number"] for s in t["subjects"]] == [n for n in team_of if team_of[n] == t["number"]]
            for t in view["teams"]
        )
    except (KeyError, TypeError, ValueError):
        return False

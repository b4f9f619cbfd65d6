"""The double-random draw (双随机, Art 20): which subjects are checked and by whom, replayable by anyone from its seed.

This docstring is the specification. It is published with every draw (`ALGORITHM` names this version), so that
anyone can re-implement the draw from the text alone and check a published result. The code is pure: no I/O.

Conventions. An *id* is a non-empty string without a line feed (U+000A). Ids are compared exactly as given (no
case folding, no Unicode normalisation) and are encoded in UTF-8 wherever they are hashed. SHA-256 is FIPS 180-4,
HMAC-SHA256 is RFC 2104; digests and the seed are written as 64 lowercase hexadecimal digits.

1. Inputs.
   - seed: 32 random bytes, made by the platform with the operating system's CSPRNG (`secrets.token_hex(32)`)
     when the lists are frozen, never entered by a person.
   - subjects: the candidate subjects (检查对象名录), and samplers: the candidate samplers (执法检查人员名录),
     lists of ids as frozen: those eligible at that moment (declared conflicts of interest and expired
     enforcement certificates are left out before freezing). A duplicate counts once.
   - subject_count ≥ 0: how many subjects to draw at random. sampler_count: how many samplers to draw, even and
     at least 2, since samplers work in pairs (an odd count is an error: ask for an even number).
   - key objects (重点监管对象): ids of subjects that every such task checks. They are included directly, not
     drawn, and do not use up any of subject_count. They need not be in the subject list; one that is in it is
     taken out of the random pool, so that it cannot be drawn twice.
   - recusals: the log, in order, of (sampler id, reason) entries added after the draw (step 6).

2. Frozen lists, commit and reveal. canonical(list) = its unique ids sorted by Unicode code point (the same order
   as comparing their UTF-8 bytes). hash(list) = SHA-256 of the canonical ids joined by "\\n" (no trailing line
   feed; the empty list hashes the empty string, e3b0c442…7852b855). Before the draw the platform publishes the
   commitment, SHA-256 of the 32 seed bytes (of the bytes, not of the 64 hex digits), together with the three
   lists (subjects, samplers, key objects), their hashes and the two counts. It publishes the seed with the
   result. A verifier checks that SHA-256 of the seed is the commitment and that the lists hash to their
   published hashes, then recomputes the draw.

3. The order of a pool. For the pool p ("subject" or "sampler") and a candidate c,
       key(c) = HMAC-SHA256(key = the 32 seed bytes, message = UTF-8 of p + ":" + c).
   The pool's unique candidates are ordered by key, ascending, comparing the 32-byte digests byte by byte (as
   unsigned big-endian numbers); two equal keys (a chance below M²/2²⁵⁷ among M candidates) are ordered by id.
   Drawing N from a pool takes the first min(N, M) candidates of its order.
   - Uniform: with a uniformly random seed that is unknown in advance, HMAC-SHA256 is a pseudorandom function,
     so the keys of distinct candidates are, for every practical purpose, independent uniform 256-bit numbers.
     Sorting independent, identically distributed values gives every ordering of the candidates the same chance
     (they are exchangeable), so the first N are a uniformly random N-subset: each candidate is drawn with
     chance N/M, each N-subset with chance 1/C(M, N).
   - Independent of the list order: a key depends only on the seed, the pool and the id, never on where the id
     stands in the list or how often it appears, and sorting by key gives one order for a set of ids however it
     was listed. Reordering or re-exporting a list cannot change a draw; only changing its members can, and
     that changes its published hash.
   - The pool's name in the message makes the subject and sampler orders independent, even for an id in both.

4. Subjects. The random pool is canonical(subjects) without the key objects; subject_count subjects are drawn
   from it (pool "subject"). The assignment order is the key objects in canonical order, then the drawn subjects
   in the pool's order. With fewer candidates than asked, all of them are drawn, and the result says how many
   are missing (subjects_short).

5. Samplers. k = min(sampler_count, the number of unique candidate samplers), less one if that is odd; below 2
   it is an error (no team can be formed). The first k samplers of the order (pool "sampler") fill slots 1 to k;
   samplers_short = sampler_count - k says how many are missing. A candidate left unpaired stays next in line.

6. Recusal (回避), or ineligibility found after the draw. Recusals apply one at a time, in log order. The sampler
   must hold a slot at that moment (drawn, or a replacement). The i-th recusal (i = 0, 1, ...) puts sampler
   number k + i of the order (0-based) into the recused sampler's slot: the next sampler in the order not yet
   drawn or recused, since every one before it has been drawn and the recused ones are among those. Its partner
   and every other team stay as they were. With nobody left in the order it is an error (freeze a wider list
   and make a new draw: a draw is never redone silently). The result's log records each recusal with its
   reason, its replacement and the team; a replacement found ineligible recuses in turn, in an entry of its own.

7. Teams. Slots 1 and 2 form team 1, slots 3 and 4 team 2, and so on (enforcement needs two officers): k/2
   teams. Subject j of the assignment order (j = 0, 1, ...) goes to team (j mod k/2) + 1, so key objects are
   spread over the teams first; a team lists its subjects in assignment order.

The result is the subjects (id, key object or drawn, team), the samplers by slot, the teams with their two
samplers and their subjects, the replacement log, and the shortfalls. To replay, check the commitment and the
list hashes and recompute the whole result from the seed, the lists, the counts and the recusal log: it must be
equal to the published one.

What this proves, and what it does not. Once the commitment, the lists and the counts are published, nobody can
change the seed, a list or a count to get another draw without it showing, nor draw again after seeing the
result; a recusal can only move down the published order, with a public reason. The commitment does not prove
how the seed was made: whoever makes it could try many seeds before committing to one. That is why the platform
makes the seed when the lists are frozen, in an audited step, and no person chooses it.

Test vector. Seed 000102…1e1f (the bytes 0 to 31), commitment 630dcd29…1bd710dd; HMAC-SHA256 of "subject:S1"
under it begins 6eb52a72. Subjects S1 … S6 (list hash 8dc75f55…d1f34621) and key object K1, 3 subjects to draw;
samplers P1 … P6, 4 to draw:
   order of the pool "subject": S3, S6, S1, S2, S5, S4; of the pool "sampler": P5, P4, P1, P3, P2, P6.
   Team 1: P5 and P4, visiting K1 and S6; team 2: P1 and P3, visiting S3 and S1.
   P4 recuses: P2 (number 4 of the sampler order, 0-based) takes slot 2, in team 1.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

ALGORITHM = "agritrace double-random draw v1 (HMAC-SHA256 order)"
POOLS = ("subject", "sampler")
SUBJECT_POOL = "subject"
SAMPLER_POOL = "sampler"

_HEX32 = re.compile(r"[0-9a-f]{64}")


# Seeds, commitments, list hashes


def new_seed() -> str:
    """A fresh seed: 32 bytes from the operating system's CSPRNG, as 64 lowercase hex digits."""
    return secrets.token_hex(32)


def _seed_bytes(seed: str) -> bytes:
    if not isinstance(seed, str) or not _HEX32.fullmatch(seed):
        raise ValueError("the seed must be 64 lowercase hexadecimal digits (32 bytes)")
    return bytes.fromhex(seed)


def commitment(seed: str) -> str:
    """SHA-256 of the seed's 32 bytes (not of its hex digits), published before the draw."""
    return hashlib.sha256(_seed_bytes(seed)).hexdigest()


def verify_commitment(seed: str, commitment: str) -> bool:
    """Whether the revealed seed is the one committed to; a malformed seed does not verify."""
    try:
        return hashlib.sha256(_seed_bytes(seed)).hexdigest() == commitment
    except ValueError:
        return False


def _checked(ids: Iterable[str]) -> list[str]:
    if isinstance(ids, str | bytes):
        raise ValueError("expected a list of ids, not a single string")
    items = list(ids)
    # One pass in C rather than a Python test per id: joined by line feeds, the ids hold exactly len - 1 of
    # them, unless an id holds some itself.
    try:
        joined: str | None = "\n".join(items)
    except TypeError:
        joined = None
    if joined is None or joined.count("\n") >= max(len(items), 1) or "" in items:
        bad = next(c for c in items if not isinstance(c, str) or not c or "\n" in c)
        raise ValueError(f"an id must be a non-empty string without a line feed, not {bad!r}")
    return items


def _unique(ids: Iterable[str]) -> set[str]:
    return set(_checked(ids))


def canonical(ids: Iterable[str]) -> list[str]:
    """The canonical form of a list: its unique ids, sorted by code point."""
    items = _checked(ids)
    items.sort()  # linear on a list already in canonical form, as frozen lists are
    return list(dict.fromkeys(items))


def _hash_canonical(ids: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()


def list_hash(ids: Iterable[str]) -> str:
    """SHA-256 (hex) of the canonical ids joined by line feeds: the frozen list's published fingerprint."""
    return _hash_canonical(canonical(ids))


# The order of a pool


def _key_function(seed: str, pool: str) -> Callable[[str], tuple[bytes, str]]:
    if pool not in POOLS:
        raise ValueError(f"the pool must be one of {', '.join(POOLS)}, not {pool!r}")
    # HMAC-SHA256 as RFC 2104 defines it, SHA((K ^ opad) + SHA((K ^ ipad) + message)), with the SHA-256 states
    # after the padded key (and, inside, the shared "pool:" prefix) computed once and copied for each candidate.
    # Same digest as hmac.digest(seed, b"pool:" + id, "sha256") (the tests check it), about 1.7 times as fast as
    # copying an hmac object and 2.6 times as fast as hmac.digest, which keys HMAC again for every candidate.
    block = _seed_bytes(seed).ljust(64, b"\0")  # a 32-byte key is zero-padded to SHA-256's 64-byte block
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block) + f"{pool}:".encode())
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def key(candidate: str) -> tuple[bytes, str]:
        digest = inner.copy()
        digest.update(candidate.encode("utf-8"))
        mac = outer.copy()
        mac.update(digest.digest())
        return mac.digest(), candidate

    return key


def _first(seed: str, pool: str, unique: Iterable[str], n: int) -> list[str]:
    return heapq.nsmallest(n, unique, key=_key_function(seed, pool))


def rank(seed: str, pool: str, ids: Iterable[str]) -> list[str]:
    """The pool's whole order: unique ids by HMAC-SHA256(seed, "pool:id"), ascending, ties by id."""
    key = _key_function(seed, pool)
    return sorted(_unique(ids), key=key)


def draw(seed: str, pool: str, ids: Iterable[str], n: int) -> list[str]:
    """The first min(n, unique ids) of the pool's order, without sorting the whole pool (equals rank()[:n])."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"the number to draw must be a whole number ≥ 0, not {n!r}")
    return _first(seed, pool, _unique(ids), n)


# Inputs and results


@dataclass(frozen=True)
class Recusal:
    """A drawn sampler's recusal (回避), or ineligibility found after the draw, with its reason."""

    sampler_id: str
    reason: str

    def __post_init__(self) -> None:
        if not isinstance(self.sampler_id, str) or not self.sampler_id:
            raise ValueError("a recusal names the sampler who recuses")
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError(f"the recusal of {self.sampler_id!r} needs a reason")


@dataclass(frozen=True)
class DrawInput:
    """What is frozen and published before the draw (the candidate lists, 抽查名录, and counts), plus the recusal log.

    Make it with `DrawInput.freeze`, which stores the lists in canonical form with their hashes. The recusal log
    grows after the draw (`recuse`); everything else must not change.
    """

    seed_commitment: str
    subjects: tuple[str, ...]
    samplers: tuple[str, ...]
    key_objects: tuple[str, ...]
    subject_count: int
    sampler_count: int
    subjects_hash: str
    samplers_hash: str
    key_objects_hash: str
    recusals: tuple[Recusal, ...] = ()

    def __post_init__(self) -> None:
        for name in ("seed_commitment", "subjects_hash", "samplers_hash", "key_objects_hash"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _HEX32.fullmatch(value):
                raise ValueError(f"{name} must be a SHA-256 digest in 64 lowercase hexadecimal digits")
        for name in ("subjects", "samplers", "key_objects", "recusals"):
            value = getattr(self, name)
            if isinstance(value, str | bytes):
                raise ValueError(f"{name} must be a list, not a single string")
            object.__setattr__(self, name, tuple(value))  # frozen: lists given in are stored as tuples
        for name in ("subject_count", "sampler_count"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number ≥ 0, not {value!r}")
        if self.sampler_count < 2 or self.sampler_count % 2:
            raise ValueError(
                f"samplers work in pairs: ask for an even number of samplers, at least 2 (not {self.sampler_count})"
            )
        if not all(isinstance(r, Recusal) for r in self.recusals):
            raise ValueError("recusals must be Recusal entries")

    @classmethod
    def freeze(
        cls,
        seed_commitment: str,
        subjects: Iterable[str],
        samplers: Iterable[str],
        *,
        subject_count: int,
        sampler_count: int,
        key_objects: Iterable[str] = (),
    ) -> DrawInput:
        """Freeze the candidate lists: canonical form and hashes, as published before the seed is revealed."""
        frozen = {name: canonical(ids) for name, ids in (("s", subjects), ("p", samplers), ("k", key_objects))}
        return cls(
            seed_commitment=seed_commitment,
            subjects=tuple(frozen["s"]),
            samplers=tuple(frozen["p"]),
            key_objects=tuple(frozen["k"]),
            subject_count=subject_count,
            sampler_count=sampler_count,
            subjects_hash=_hash_canonical(frozen["s"]),
            samplers_hash=_hash_canonical(frozen["p"]),
            key_objects_hash=_hash_canonical(frozen["k"]),
        )


@dataclass(frozen=True)
class DrawnSubject:
    """A subject to check (抽查对象): a key object included directly, or one drawn at random, and its team."""

    subject_id: str
    key_object: bool
    team: int


@dataclass(frozen=True)
class Team:
    """A sampling team (抽样组): two samplers, and the subjects they visit in assignment order."""

    number: int
    samplers: tuple[str, str]
    subjects: tuple[str, ...]


@dataclass(frozen=True)
class Replacement:
    """One entry of the replacement log: who recused, why, who took the slot, in which team."""

    sampler_id: str
    reason: str
    replacement: str
    team: int


@dataclass(frozen=True)
class DrawResult:
    """The outcome of a draw, as published with the seed; `replay` recomputes it exactly."""

    subjects: tuple[DrawnSubject, ...]  # assignment order: key objects first, then the drawn ones
    samplers: tuple[str, ...]  # by slot: slots 1 and 2 are team 1, and so on
    teams: tuple[Team, ...]
    replacements: tuple[Replacement, ...]
    subjects_short: int  # asked for but not there: the pool had fewer candidates
    samplers_short: int


# The draw


def verify_lists(inputs: DrawInput) -> bool:
    """Whether each candidate list (subjects, samplers, key objects) has its published hash."""
    try:
        return (
            list_hash(inputs.subjects) == inputs.subjects_hash
            and list_hash(inputs.samplers) == inputs.samplers_hash
            and list_hash(inputs.key_objects) == inputs.key_objects_hash
        )
    except ValueError:
        return False


def _check_reveal(seed: str, inputs: DrawInput) -> None:
    _seed_bytes(seed)
    if not verify_commitment(seed, inputs.seed_commitment):
        raise ValueError("the seed is not the one committed to: SHA-256 of its bytes is not the seed commitment")
    if not verify_lists(inputs):
        raise ValueError("a candidate list does not match its published hash: the lists changed after freezing")


def _draw_subjects(seed: str, inputs: DrawInput) -> tuple[list[tuple[str, bool]], int]:
    key_objects = canonical(inputs.key_objects)
    pool = _unique(inputs.subjects).difference(key_objects)
    drawn = _first(seed, SUBJECT_POOL, pool, inputs.subject_count)
    order = [(s, True) for s in key_objects] + [(s, False) for s in drawn]
    return order, inputs.subject_count - len(drawn)


def _assemble(seed: str, inputs: DrawInput, subjects: Sequence[tuple[str, bool]], subjects_short: int) -> DrawResult:
    """Steps 5 to 7: draw the samplers, apply the recusal log, form the teams and give them the subjects."""
    candidates = _unique(inputs.samplers)
    available = len(candidates)
    k = min(inputs.sampler_count, available)
    k -= k % 2
    if k < 2:
        raise ValueError(f"a team needs two samplers and the list has {available}: freeze a wider list")
    # Each recusal takes exactly one replacement, so the order is needed only that far.
    order = _first(seed, SAMPLER_POOL, candidates, k + len(inputs.recusals))
    slots = order[:k]
    log: list[Replacement] = []
    for i, recusal in enumerate(inputs.recusals):
        if recusal.sampler_id not in slots:
            raise ValueError(f"sampler {recusal.sampler_id!r} is not on a team: only a drawn sampler can recuse")
        if k + i >= len(order):
            raise ValueError(
                f"no sampler is left to replace {recusal.sampler_id!r}: freeze a wider list and make a new draw"
            )
        slot = slots.index(recusal.sampler_id)
        slots[slot] = order[k + i]
        log.append(Replacement(recusal.sampler_id, recusal.reason, order[k + i], slot // 2 + 1))
    teams = k // 2
    placed = [DrawnSubject(s, key, j % teams + 1) for j, (s, key) in enumerate(subjects)]
    return DrawResult(
        subjects=tuple(placed),
        samplers=tuple(slots),
        teams=tuple(
            Team(
                number=t + 1,
                samplers=(slots[2 * t], slots[2 * t + 1]),
                subjects=tuple(p.subject_id for p in placed if p.team == t + 1),
            )
            for t in range(teams)
        ),
        replacements=tuple(log),
        subjects_short=subjects_short,
        samplers_short=inputs.sampler_count - k,
    )


def perform(seed: str, inputs: DrawInput) -> DrawResult:
    """Make the draw with the revealed seed; refuses a seed or lists other than the published ones."""
    _check_reveal(seed, inputs)
    subjects, short = _draw_subjects(seed, inputs)
    return _assemble(seed, inputs, subjects, short)


def replay(seed: str, inputs: DrawInput, published: DrawResult) -> bool:
    """Whether the published result is exactly the draw of this seed, these lists and this recusal log."""
    try:
        return perform(seed, inputs) == published
    except ValueError:
        return False


def recuse(
    seed: str, inputs: DrawInput, result: DrawResult, sampler_id: str, reason: str
) -> tuple[DrawInput, DrawResult]:
    """A drawn sampler recuses (回避) or is found ineligible: log it and put the next sampler in order in the slot.

    The subject draw does not depend on recusals, so `result`'s subjects are carried over, not drawn again
    (`replay` checks them); its samplers, teams and log must be those of `inputs`, or this refuses.
    """
    entry = Recusal(sampler_id, reason)
    _check_reveal(seed, inputs)
    subjects = [(s.subject_id, s.key_object) for s in result.subjects]
    if _assemble(seed, inputs, subjects, result.subjects_short) != result:
        raise ValueError("the result given is not the draw of these inputs: replay it before recording a recusal")
    if sampler_id not in result.samplers:
        raise ValueError(f"sampler {sampler_id!r} is not on a team: only a drawn sampler can recuse")
    logged = replace(inputs, recusals=(*inputs.recusals, entry))
    return logged, _assemble(seed, logged, subjects, result.subjects_short)

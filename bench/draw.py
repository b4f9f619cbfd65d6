"""The double-random draw: `perform` over 100,000 candidate subjects and 200 samplers, and the list hashing, timed.

Pure CPU in this process, no AWS and no moto: `chalicelib.spotchecks.draw` does no I/O. The candidate ids are
26-character strings, as long as the ULIDs the platform gives subjects. Each figure is the median (and the
fastest) of `runs` runs, in ms of wall time:

* freezing the lists (`DrawInput.freeze`: canonical form, the three hashes) and `list_hash` of the subjects alone;
* `draw` of the subjects alone (heapq.nsmallest over the HMAC keys) against `rank`, the full sort, for comparison;
* `perform` (which checks the commitment and the list hashes again before drawing), `recuse` of a drawn sampler,
  and `replay` of the result with that recusal.
"""

from __future__ import annotations

import hashlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.spotchecks.draw import DrawInput, commitment, draw, list_hash, perform, rank, recuse, replay

SAMPLERS = 200
SAMPLER_COUNT = 20  # ten teams of two
KEY_OBJECTS = 10
STEPS = ("freeze", "list_hash", "draw", "rank", "perform", "recuse", "replay")


@dataclass
class DrawBench:
    candidates: int
    draws: int
    samplers: int
    sampler_count: int
    key_objects: int
    runs: int
    median_ms: dict[str, float]
    fastest_ms: dict[str, float]
    replayed: bool


def _ids(prefix: str, n: int) -> list[str]:
    # Deterministic ULID-length ids that sort in no particular relation to their number.
    return [hashlib.sha256(f"{prefix}{i}".encode()).hexdigest()[:26].upper() for i in range(n)]


def _time(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return times


def measure(candidates: int = 100_000, draws: int = 50, runs: int = 5) -> DrawBench:
    subjects = _ids("subject", candidates)
    samplers = _ids("sampler", SAMPLERS)
    key_objects = subjects[:KEY_OBJECTS]
    seed = hashlib.sha256(b"bench draw").hexdigest()
    published = commitment(seed)

    def freeze() -> DrawInput:
        return DrawInput.freeze(
            published,
            subjects,
            samplers,
            subject_count=draws,
            sampler_count=SAMPLER_COUNT,
            key_objects=key_objects,
        )

    inputs = freeze()
    result = perform(seed, inputs)
    logged, after = recuse(seed, inputs, result, result.samplers[0], "conflict of interest")
    steps: dict[str, Callable[[], object]] = {
        "freeze": freeze,
        "list_hash": lambda: list_hash(subjects),
        "draw": lambda: draw(seed, "subject", subjects, draws),
        "rank": lambda: rank(seed, "subject", subjects),
        "perform": lambda: perform(seed, inputs),
        "recuse": lambda: recuse(seed, inputs, result, result.samplers[0], "conflict of interest"),
        "replay": lambda: replay(seed, logged, after),
    }
    times = {name: _time(steps[name], runs) for name in STEPS}
    return DrawBench(
        candidates=candidates,
        draws=draws,
        samplers=SAMPLERS,
        sampler_count=SAMPLER_COUNT,
        key_objects=KEY_OBJECTS,
        runs=runs,
        median_ms={name: statistics.median(t) for name, t in times.items()},
        fastest_ms={name: min(t) for name, t in times.items()},
        replayed=replay(seed, logged, after),
    )


def report(r: DrawBench) -> str:
    med, fast = r.median_ms, r.fastest_ms
    labels = {
        "freeze": "freeze the three lists (canonical form + SHA-256)",
        "list_hash": f"list_hash of the {r.candidates:,} subjects",
        "draw": f"draw {r.draws} subjects (heapq.nsmallest)",
        "rank": "rank the whole subject pool (sort, for comparison)",
        "perform": "perform (check commitment and hashes, draw, teams)",
        "recuse": "recuse a drawn sampler",
        "replay": "replay the result with its recusal",
    }
    lines = [
        f"== Double-random draw: {r.candidates:,} candidate subjects ({r.key_objects} of them key objects),"
        f" {r.samplers} samplers; {r.draws} subjects and {r.sampler_count} samplers drawn"
        f" (median / fastest of {r.runs} runs, wall ms) ==",
    ]
    lines += [f"{labels[name]:<52}: {med[name]:8.1f} / {fast[name]:8.1f}" for name in STEPS]
    lines.append(
        f"per candidate: {med['draw'] / r.candidates * 1000:.2f} µs to draw, "
        f"{med['list_hash'] / r.candidates * 1000:.2f} µs to hash the list; "
        f"replay {'verifies' if r.replayed else 'FAILS'}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(measure()))

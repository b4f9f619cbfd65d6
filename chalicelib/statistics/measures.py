"""What each record kind counts: the families of figures and the measures of the areas built so far.

A later area adds its figures here by declaration only: a `family(...)` line and a `@measure("Kind")`
function from its record's image to facts (complaints, for instance: counts by region, product and hazard
per day). Nothing else in the statistics or warning code changes; the overview, drill-down, export and the
warning job read whatever families exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .cells import Fact, cst_day, family, measure

family("subjects", "Subjects (主体) registered, by their current state")
family("codes", "Traceability codes (追溯码) issued: one per batch, by batch kind")
family("samples", "Samples (样品) taken, by task kind, state and verdict")
family("products", "Samples by product (产品): sampled, qualified, unqualified (#product code)")
family("hazards", "Test items by hazard (危害因子): tested, unqualified (#analyte)")
family("failures", "Failure events (不合格), by state")
family("tasks", "Monitoring assignments and spot-check tasks (任务), done on time or late, or overdue")
family("cases", "Cases handed over (移交) to enforcement, by state; penalties (处罚) and fines in fen")
family("inspections", "On-site inspections (巡查): how many, their scores (tenths, summed), passed or failed")
family("corrective", "Corrective actions (整改), by state and outcome")
family("daily", "Daily supervision (日常监管): on-site inspections by officers (现场巡查) by result; penalties (处罚)")
family("complaints", "Complaints and reports (投诉举报) received, by kind, state, product category and hazard")
# The warning job's input: county-day cells only, listed per day; evidence ids kept as `ids#...#{id}` figures.
family(
    "risk",
    "Risk figures for the warning job: tested/failed#product#hazard, subject_failed#subject, overdue#kind,"
    " complaints#category#hazard",
    periods=("D",),
    levels=1,
    active=True,
)

Image = dict[str, Any]


def _json(image: Image, name: str) -> Any:
    """A JSON attribute of the image: the stream carries it as the string the table stores."""
    value = image.get(name)
    return json.loads(value) if isinstance(value, str) else value


def _region(image: Image, *names: str) -> str:
    for name in names:
        value = image.get(name)
        if isinstance(value, str) and value:
            return value
    return str(image.get("region") or "")


@measure("Subject")
def subjects(image: Image) -> Iterator[Fact]:
    day = cst_day(image.get("created_at")) or ""
    yield Fact("subjects", _region(image), day, f"state#{image.get('state')}")
    if image.get("key_object"):
        yield Fact("subjects", _region(image), day, "key_object")


@measure("Batch")
def codes(image: Image) -> Iterator[Fact]:
    day = cst_day(image.get("created_at")) or ""
    yield Fact("codes", _region(image), day, "issued")
    yield Fact("codes", _region(image), day, f"kind#{image.get('batch_kind')}")


def _sample_region(image: Image) -> str:
    place = _json(image, "place") or {}
    return str(place.get("region") or image.get("region") or "")


@measure("Sample")
def samples(image: Image) -> Iterator[Fact]:
    region, day = _sample_region(image), cst_day(image.get("sampled_at")) or ""
    verdict, product = image.get("verdict") or "pending", image.get("product_code")
    yield Fact("samples", region, day, "sampled")
    yield Fact("samples", region, day, f"task#{image.get('task_kind')}")
    yield Fact("samples", region, day, f"state#{image.get('state')}")
    yield Fact("samples", region, day, f"verdict#{verdict}")
    yield Fact("products", region, day, f"sampled#{product}")
    yield Fact("products", region, day, f"{verdict}#{product}")
    results = _json(image, "results") or {}
    for analyte, result in sorted(results.items()):
        failed = result.get("outcome") == "unqualified"
        yield Fact("hazards", region, day, f"tested#{analyte}")
        yield Fact("risk", region, day, f"tested#{product}#{analyte}")
        if failed:
            yield Fact("hazards", region, day, f"unqualified#{analyte}")
            yield Fact("risk", region, day, f"failed#{product}#{analyte}")
            yield Fact("risk", region, day, f"ids#failed#{product}#{analyte}#{image.get('id')}")
    if verdict == "unqualified" and image.get("subject_id"):
        subject = image["subject_id"]
        yield Fact("risk", region, day, f"subject_failed#{subject}")
        yield Fact("risk", region, day, f"ids#subject_failed#{subject}#{image.get('id')}")


@measure("SampleFailure")
def failures(image: Image) -> Iterator[Fact]:
    day = cst_day(image.get("created_at")) or ""
    yield Fact("failures", _region(image, "place_region"), day, f"state#{image.get('state')}")


def _timeliness(done: bool, late: bool, overdue: bool) -> str:
    if done:
        return "late" if late else "on_time"
    return "overdue" if overdue else "open"


def _overdue_now(image: Image, kind: str, overdue: bool) -> Iterator[Fact]:
    """Work overdue now, on the day it was last changed: the warning job sums a window of these."""
    if overdue:
        day = cst_day(image.get("updated_at")) or ""
        yield Fact("risk", _region(image), day, f"overdue#{kind}")
        yield Fact("risk", _region(image), day, f"ids#overdue#{kind}#{image.get('id') or image.get('pk')}")


@measure("MonitoringAssignment")
def assignments(image: Image) -> Iterator[Fact]:
    if image.get("state") == "cancelled":
        return
    day = cst_day(image.get("created_at")) or ""
    done = image.get("state") == "reported"
    overdue = bool(image.get("overdue"))
    yield Fact("tasks", _region(image), day, f"monitoring#{_timeliness(done, overdue, overdue)}")
    yield from _overdue_now(image, "monitoring", overdue and not done)


@measure("SpotCheck")
def spot_checks(image: Image) -> Iterator[Fact]:
    if image.get("state") in {"draft", "cancelled"}:
        return
    day = cst_day(image.get("created_at")) or ""
    done = image.get("state") == "completed"
    late = bool(((_json(image, "clock") or {}).get("deadline") or {}).get("escalated_at"))
    yield Fact("tasks", _region(image), day, f"spot_check#{_timeliness(done, late, late)}")
    yield from _overdue_now(image, "spot_check", late and not done)


@measure("EnforcementCase")
def cases(image: Image) -> Iterator[Fact]:
    region, day = _region(image), cst_day(image.get("created_at")) or ""
    yield Fact("cases", region, day, "handed_over")
    yield Fact("cases", region, day, f"source#{image.get('source') or 'sample'}")
    yield Fact("cases", region, day, f"state#{image.get('state')}")
    penalty = (_json(image, "result") or {}).get("penalty") or {}
    if penalty.get("kind"):
        yield Fact("cases", region, day, f"penalty#{penalty['kind']}")
        if penalty.get("amount_yuan") is not None:
            yield Fact("cases", region, day, "fine_fen", round(float(penalty["amount_yuan"]) * 100))


@measure("Inspection")
def inspections(image: Image) -> Iterator[Fact]:
    region, day = _region(image), cst_day(image.get("done_at")) or ""
    result = _json(image, "result") or {}
    yield Fact("inspections", region, day, "done")
    if result.get("score") is not None:
        yield Fact("inspections", region, day, "scored")
        yield Fact("inspections", region, day, "score_tenths", round(float(result["score"]) * 10))
    if result.get("outcome"):
        yield Fact("inspections", region, day, f"outcome#{result['outcome']}")
    yield Fact("inspections", region, day, "failed_items", int(result.get("failed") or 0))


@measure("CorrectiveAction")
def corrective_actions(image: Image) -> Iterator[Fact]:
    region, day = _region(image), cst_day(image.get("created_at")) or ""
    yield Fact("corrective", region, day, f"state#{image.get('state')}")
    if image.get("outcome"):
        yield Fact("corrective", region, day, f"outcome#{image['outcome']}")
    yield from _overdue_now(image, "corrective", image.get("state") == "overdue")


@measure("DailyInspection")
def daily_inspections(image: Image) -> Iterator[Fact]:
    region, day = _region(image), cst_day(image.get("done_at")) or ""
    yield Fact("daily", region, day, "done")
    yield Fact("daily", region, day, f"result#{image.get('result')}")
    penalty = (_json(image, "penalty") or {}).get("penalty") or {}
    if penalty.get("kind"):
        yield Fact("daily", region, day, f"penalty#{penalty['kind']}")
        if penalty.get("amount_yuan") is not None:
            yield Fact("daily", region, day, "fine_fen", round(float(penalty["amount_yuan"]) * 100))


# A filing still waiting for its files, or refused for them, is no case: it is not counted.
NOT_A_CASE = {"awaiting_files", "refused"}


@measure("Complaint")
def complaints(image: Image) -> Iterator[Fact]:
    if image.get("state") in NOT_A_CASE:
        return
    # Counted where it is handled (a transfer moves it) on the day it was received.
    region, day = _region(image), cst_day(image.get("received_at") or image.get("created_at")) or ""
    category, hazard = image.get("product_category") or "-", image.get("hazard") or "-"
    yield Fact("complaints", region, day, "received")
    yield Fact("complaints", region, day, f"kind#{image.get('case_kind')}")
    yield Fact("complaints", region, day, f"state#{image.get('state')}")
    yield Fact("complaints", region, day, f"product#{category}")
    yield Fact("complaints", region, day, f"hazard#{hazard}")
    # The complaint-surge indicator's input (a rise over the window), with the cases as its evidence.
    yield Fact("risk", region, day, f"complaints#{category}#{hazard}")
    yield Fact("risk", region, day, f"ids#complaints#{category}#{hazard}#{image.get('id')}")

"""Distribution of a published plan (巡查计划) from the stream: one assessment task (考核任务) per named supervisor.

At-least-once delivery is harmless: each task is put only if it does not exist (its key is the plan and the user),
and the targets are added to the performance cells once per plan version (core.counters). Each task waits on the
generic clock machine: a supervisor below target as the period's end nears is reminded (their agency's inbox hears).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import timedelta
from typing import Any

from chalicelib.core import audit, clock, workflows
from chalicelib.core.config import get_settings
from chalicelib.core.errors import ConflictError, NotFoundError
from chalicelib.core.events import RecordChange

from . import performance, service, store

SYSTEM = "system:plans"
KIND = "PlanAssignment"
MAX_WAIT = 300 * 86400  # a Wait state waits at most a year: a year's plan waits in steps


def distribute(change: RecordChange) -> None:
    """A plan just published: a task for each supervisor it names, and their targets counted."""
    if change.kind != "InspectionPlan" or change.state != "published" or change.old_state == "published":
        return
    plan = decoded(change.image)
    for target in plan["targets"]:
        _start_clock(assign(plan, target))
    performance.count_targets(plan)


def decoded(image: dict[str, Any]) -> dict[str, Any]:
    """A plan's stream image with its JSON attributes (stored as JSON text) read back."""
    plan = dict(image)
    for name in ("scope", "targets"):
        if isinstance(plan.get(name), str):
            plan[name] = json.loads(plan[name])
    return plan


def assign(plan: dict[str, Any], target: dict[str, Any]) -> store.AssignmentRecord:
    """The supervisor's task of the plan, made once (a second delivery finds it there)."""
    township = target.get("township")
    rec = store.AssignmentRecord(
        plan_id=plan["id"],
        user_id=target["user_id"],
        name=target["name"],
        org_id=plan["org_id"],
        region=township or plan["region"],
        title=plan["title"],
        period=plan["period"],
        period_start=plan["period_start"],
        period_end=plan["period_end"],
        township=township,
        # A township supervisor's task covers their township, and only the plan's subjects inside it.
        areas=[township] if township else list(plan["regions"]),
        subjects=[s for s in plan["scope"]["subjects"] if service.in_area(s["region"], township)],
        categories=set(plan["scope"]["categories"]) or None,
        template_code=plan["template_code"],
        template_number=plan["template_number"],
        target=target["inspections"],
        target_key=target["key_objects"],
        state="assigned",
        parties={plan["org_id"]},
    )
    # Delivered again, the task was made the first time; its clock is started again: a no-op.
    with contextlib.suppress(ConflictError):
        audit.commit(
            audit.Change(
                rec,
                "assignment.created",
                detail={"target": rec.target, "target_key": rec.target_key},
                condition=store.AssignmentRecord.pk.does_not_exist(),
            ),
            actor=SYSTEM,
        )
    return rec


def _start_clock(rec: store.AssignmentRecord) -> None:
    workflows.start(
        get_settings().clock_state_machine_arn,
        kind=KIND,
        record_id=clock_id(rec.plan_id, rec.user_id),
        transition="clock",
        payload={"kind": KIND, "id": rec.plan_id, "context": {"user": rec.user_id}, "clock": {"step": "open"}},
    )


def clock_id(plan_id: str, user_id: str) -> str:
    """The clock's record id in its execution name (80 characters at most: the user id is hashed)."""
    return f"{plan_id}-{hashlib.sha256(user_id.encode()).hexdigest()[:12]}"


# --- the clock: a reminder before the period ends ------------------------------------------------------


def tick(record: dict[str, Any]) -> dict[str, Any]:
    """Task of the clock: wait until `PlanRemindSeconds` before the period ends; then a supervisor below their
    target (inspections, or of key objects) is reminded once, and the clock ends."""
    try:
        rec = store.get_assignment(record["id"], record["context"]["user"])
    except NotFoundError:
        return _next("gone", 0, done=True)
    end = clock.parse_iso(rec.period_end)
    remind_at = end - timedelta(seconds=get_settings().plan_remind_seconds)
    if clock.now() < remind_at:
        return _next("remind", min(clock.seconds_until(remind_at), MAX_WAIT))
    if clock.now() < end:
        _remind(rec)
    return _next("ended", 0, done=True)


def _next(step: str, wait: int, *, done: bool = False) -> dict[str, Any]:
    return {"step": step, "wait": wait, "done": done}


def _remind(rec: store.AssignmentRecord) -> None:
    cells = store.cells(rec.org_id, rec.period, rec.user_id)
    done, key_done = (int(cells[0].done), int(cells[0].key_done)) if cells else (0, 0)
    if done >= int(rec.target) and key_done >= int(rec.target_key):
        return

    def attempt() -> None:
        now = store.get_assignment(rec.plan_id, rec.user_id)
        if now.reminded_at:
            return
        now.reminded_at = clock.iso(clock.now())
        detail = {"done": done, "target": int(now.target), "key_done": key_done, "target_key": int(now.target_key)}
        audit.commit(audit.Change(now, "assignment.reminded", detail=detail), actor=SYSTEM)

    audit.again_on_conflict(attempt)

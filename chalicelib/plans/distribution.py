"""Distribution of a published plan (巡查计划) from the stream: one assessment task (考核任务) per named supervisor.

At-least-once delivery is harmless: each task is put only if it does not exist (its key is the plan and the user),
and the targets are added to the performance cells once per plan version (core.counters).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.core import audit
from chalicelib.core.errors import ConflictError
from chalicelib.core.events import RecordChange

from . import performance, service, store

SYSTEM = "system:plans"


def distribute(change: RecordChange) -> None:
    """A plan just published: a task for each supervisor it names, and their targets counted."""
    if change.kind != "InspectionPlan" or change.state != "published" or change.old_state == "published":
        return
    plan = dict(change.image)
    for name in ("scope", "targets"):  # JSON attributes arrive as their JSON text
        if isinstance(plan.get(name), str):
            plan[name] = json.loads(plan[name])
    for target in plan["targets"]:
        _assign(plan, target)
    performance.count_targets(plan)


def _assign(plan: dict[str, Any], target: dict[str, Any]) -> None:
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
    )
    try:
        audit.commit(
            audit.Change(
                rec,
                "assignment.created",
                detail={"target": rec.target, "target_key": rec.target_key},
                condition=store.AssignmentRecord.pk.does_not_exist(),
            ),
            actor=SYSTEM,
        )
    except ConflictError:
        return  # delivered again: the task was made the first time

"""Follow-up of failed items (Art 7): corrective actions (整改) as clocks, closed by the re-inspection (复查).

An inspection arrives (or is edited) with failed items that set a corrective action: the stream opens one
`CorrectiveAction` per item, once however often the change is delivered, and starts its clock on the generic
clock machine: a reminder to the inspector a while before the due day ends, then, when it has ended, the action
is overdue and the agency's head sees it in the agency's list and inbox. A later inspection of the same subject
that names the first (`reinspection_of`) closes its open actions: rectified where the item now passes, not
rectified otherwise (a failed item there sets its own action).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from chalicelib.core import audit, clock, workflows
from chalicelib.core.access import Principal, Role
from chalicelib.core.config import get_settings
from chalicelib.core.errors import ConflictError, NotFoundError
from chalicelib.core.events import RecordChange

from . import records, store
from .models import CorrectiveActionPage, CorrectiveActionQuery, CorrectiveActionView

KIND = "CorrectiveAction"
SYSTEM = "system:workflow"
OPEN = {"open", "overdue"}
# A Wait state waits at most a year; a due day further away is waited for in steps.
MAX_WAIT = 300 * 86400


def view(rec: store.CorrectiveActionRecord) -> CorrectiveActionView:
    return CorrectiveActionView(
        inspection_id=rec.inspection_id,
        item_key=rec.item_key,
        label=rec.label,
        subject_id=rec.subject_id,
        org_id=rec.org_id,
        inspected_by=rec.inspected_by,
        region=rec.region or "",
        what=rec.what,
        due=rec.due,
        reinspect=bool(rec.reinspect),
        state=rec.state,  # type: ignore[arg-type]
        reminded_at=rec.reminded_at,
        overdue_at=rec.overdue_at,
        closed_at=rec.closed_at,
        closed_by=rec.closed_by,
        outcome=rec.outcome,  # type: ignore[arg-type]
        version=int(rec.version or 0),
    )


# --- reading -------------------------------------------------------------------------------------------


def of_inspection(user: Principal, inspection_id: str) -> CorrectiveActionPage:
    """The corrective actions of an inspection the user may read."""
    records.readable(user, inspection_id)  # the inspection's own access rule: 404 outside it
    return CorrectiveActionPage(items=[view(r) for r in store.actions_of(inspection_id)])


def listing(user: Principal, query: CorrectiveActionQuery) -> CorrectiveActionPage:
    """A head (or admin) sees the agency's actions; a supervisor the ones they set. Soonest due first."""
    whole_agency = user.has_any({Role.HEAD, Role.ADMIN})
    recs, cursor = store.actions_listed(
        org_id=user.org_id if whole_agency else None,
        user_id=None if whole_agency else user.user_id,
        state=query.state,
        limit=query.limit,
        cursor=query.cursor,
    )
    return CorrectiveActionPage(items=[view(r) for r in recs], next_cursor=cursor)


# --- the stream's side ---------------------------------------------------------------------------------


def _actions(result: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Failed item key → the failed item, for the items that set a corrective action."""
    return {f["key"]: f for f in (result or {}).get("failed_items", ()) if f.get("corrective_action")}


def decoded(image: dict[str, Any] | None) -> dict[str, Any]:
    """A stream image of an inspection with its JSON attributes (stored as JSON text) read back."""
    out = dict(image or {})
    for name in ("result", "answers"):
        if isinstance(out.get(name), str):
            out[name] = json.loads(out[name])
    return out


def follow_up(change: RecordChange) -> None:
    """Stream: an inspection arrived or changed; open its new corrective actions, close what it re-inspects."""
    if change.kind != "Inspection" or change.new is None:
        return
    image, old = decoded(change.new), decoded(change.old)
    added = set(_actions(image.get("result"))) - set(_actions(old.get("result")))
    for key in sorted(added):
        _open(image, _actions(image["result"])[key])
    earlier = image.get("reinspection_of")
    if earlier and earlier != old.get("reinspection_of"):
        _close(earlier, image)


def clock_id(inspection_id: str, item_key: str) -> str:
    """The clock's record id in its execution name (item keys are long; names are 80 characters)."""
    return f"{inspection_id}-{hashlib.sha256(item_key.encode()).hexdigest()[:12]}"


def _open(image: dict[str, Any], failed: dict[str, Any]) -> None:
    action = failed["corrective_action"]
    rec = store.CorrectiveActionRecord(
        inspection_id=image["id"],
        item_key=failed["key"],
        label=failed["label"],
        subject_id=image["subject_id"],
        org_id=image["org_id"],
        inspected_by=image["inspected_by"],
        region=image.get("region"),
        what=action["what"],
        due=action["due"],
        reinspect=bool(action["reinspect"]),
        state="open",
        parties={image["org_id"]},
        done_at=image.get("done_at"),
    )
    with contextlib.suppress(ConflictError):  # delivered again: it was opened the first time
        audit.commit(
            audit.Change(
                rec,
                "corrective_action.opened",
                detail={"due": rec.due},
                condition=store.CorrectiveActionRecord.pk.does_not_exist(),
            ),
            actor=SYSTEM,
        )
    workflows.start(  # the same name each time: a second start is a no-op
        get_settings().clock_state_machine_arn,
        kind=KIND,
        record_id=clock_id(rec.inspection_id, rec.item_key),
        transition="clock",
        payload={"kind": KIND, "id": rec.inspection_id, "context": {"item": rec.item_key}, "clock": {"step": "open"}},
    )


def _close(earlier_id: str, image: dict[str, Any]) -> None:
    answers = image.get("answers") or {}
    for rec in store.actions_of(earlier_id):
        if rec.state not in OPEN:
            continue
        passed = (answers.get(rec.item_key) or {}).get("result") == "pass"
        rec.state, rec.closed_at, rec.closed_by = "closed", clock.iso(clock.now()), image["id"]
        rec.outcome = "rectified" if passed else "not_rectified"
        try:
            audit.commit(
                audit.Change(
                    rec,
                    "corrective_action.closed",
                    detail={"by": image["id"], "outcome": rec.outcome},
                    condition=store.CorrectiveActionRecord.state.is_in(*OPEN),
                ),
                actor=SYSTEM,
            )
        except ConflictError:
            continue  # closed meanwhile (this change delivered again)
        workflows.stop(
            get_settings().clock_state_machine_arn,
            kind=KIND,
            record_id=clock_id(rec.inspection_id, rec.item_key),
            transition="clock",
            cause=f"closed by re-inspection {image['id']}",
        )


# --- the clock -----------------------------------------------------------------------------------------


def tick(record: dict[str, Any]) -> dict[str, Any]:
    """Task of the clock: open → (remind_before the due day ends) reminded → (the due day ended) overdue, end.

    A closed action ends the clock at whatever step it is; a step woken early waits again.
    """
    try:
        rec = store.get_action(record["id"], record["context"]["item"])
    except NotFoundError:
        return _next("gone", 0, done=True)
    if rec.state == "closed":
        return _next("closed", 0, done=True)
    due_end = clock.cst_day_end(rec.due)
    remind_at = due_end - timedelta(seconds=get_settings().corrective_remind_seconds)
    if record["step"] in {"open", "remind"}:
        if clock.now() < remind_at:
            return _next("remind", _wait(remind_at))
        _mark(rec, "reminded")
    if clock.now() < due_end:
        return _next("due", _wait(due_end))
    _mark(rec, "overdue")
    return _next("overdue", 0, done=True)


def _wait(moment: datetime) -> int:
    return min(clock.seconds_until(moment), MAX_WAIT)


def _next(step: str, wait: int, *, done: bool = False) -> dict[str, Any]:
    return {"step": step, "wait": wait, "done": done}


def _mark(rec: store.CorrectiveActionRecord, what: str) -> None:
    """The reminder, or the overdue mark, once however often the task runs; a re-inspection meanwhile wins."""

    def attempt() -> None:
        now = store.get_action(rec.inspection_id, rec.item_key)
        if now.state == "closed" or getattr(now, f"{what}_at"):
            return
        setattr(now, f"{what}_at", clock.iso(clock.now()))
        if what == "overdue":
            now.state = "overdue"
        audit.commit(
            audit.Change(now, f"corrective_action.{what}", detail={"due": now.due, "to": now.org_id}), actor=SYSTEM
        )

    audit.again_on_conflict(attempt)

"""A spot-check cascade follows its leaves: parents roll up their children, cancellation goes down the tree.

Both are stream subscribers on the task record, so each step is one audited write by `system:workflow`,
which the stream then carries one level further (up for a roll-up, down for a cancellation):

- A child task's change updates its entry on the parent (`children[i]`: state, figures, the child's
  `audit_seq`, so an older image re-delivered after a newer one changes nothing) and the parent's
  `progress` (children by state, figures summed). When every child is `completed` or `cancelled` and at
  least one completed, a `distributed` parent is `completed` too, and its own parent follows.
- A task completed or cancelled stops its clock; a cancelled one cancels every child task not yet
  completed (a submitted report included: nothing is left waiting), which cancel theirs.
  Samples already taken stay (a failure found keeps its retest and handover: the subject's rights,
  Art 26-27), and take no more results (testing refuses results on a cancelled task).

A leaf's figures are its samples' counters (sampled, received, tested, unqualified) as they stood at
its last change; read alone, a task done by its agency shows them live.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from chalicelib.core import audit
from chalicelib.core.events import RecordChange
from chalicelib.testing import store as testing_store

from . import clocks, store

SYSTEM = "system:workflow"
FIGURES = testing_store.FIGURES
FINISHED = {"completed", "cancelled"}
STATES = ("published", "received", "returned", "distributed", "in_progress", "submitted", "completed", "cancelled")


def figures(task_id: str) -> dict[str, int]:
    """A task done by its agency: its samples' counters, summed over its lab(s) (one Query)."""
    counters = testing_store.progress_of(task_id)
    return {name: sum(int(getattr(c, name) or 0) for c in counters) for name in FIGURES}


def total(children: list[dict[str, Any]]) -> dict[str, Any]:
    """A distributed task's progress: its children by state, their units and their figures summed."""
    by_state = {s: n for s in STATES if (n := sum(1 for c in children if c.get("state") == s))}
    sums = {name: sum(int((c.get("progress") or {}).get(name) or 0) for c in children) for name in FIGURES}
    return {
        "children": len(children),
        "by_state": by_state,
        "units": sum(int(c.get("units") or 0) for c in children),
        **sums,
    }


def _json(image: dict[str, Any], name: str) -> Any:
    """A JSON attribute of a stream image (stored as a string)."""
    raw = image.get(name)
    return json.loads(raw) if isinstance(raw, str) else raw


def _child_figures(child: dict[str, Any]) -> dict[str, int]:
    if _json(child, "children"):
        rolled = _json(child, "progress") or {}
        return {name: int(rolled.get(name) or 0) for name in FIGURES}
    if child.get("draw_id"):  # it has sampled, or may have
        return figures(str(child["id"]))
    return dict.fromkeys(FIGURES, 0)


def roll_up(change: RecordChange) -> None:
    """Stream: a child task changed; its parent's entry and progress follow, and the parent completes with it."""
    child, old = change.new, change.old
    if change.kind != clocks.KIND or not child or not old or not child.get("parent_id"):
        return  # a child's creation is the parent's own split, which wrote its entry
    if old.get("state") == child.get("state") and old.get("progress") == child.get("progress"):
        return  # nothing the parent shows changed (a model, a draw, a clock mark)
    progress = _child_figures(child)
    audit.again_on_conflict(lambda: _follow(str(child["parent_id"]), child, progress))


def _follow(parent_id: str, child: dict[str, Any], progress: dict[str, int]) -> None:
    parent = store.get(parent_id)
    entries = [dict(e) for e in parent.children or []]
    at = next((i for i, e in enumerate(entries) if e.get("id") == child["id"]), None)
    seq = int(child.get("audit_seq") or 0)
    if at is None or int(entries[at].get("seq") or 0) >= seq:
        return  # not one of its children, or an older image than the one it shows
    entries[at].update(state=child["state"], progress=progress, seq=seq)
    parent.children, parent.progress = entries, total(entries)
    action, detail = "spotcheck.child_changed", {"child": child["id"], "state": child["state"]}
    states = {e.get("state") for e in entries}
    if parent.state == "distributed" and states <= FINISHED and "completed" in states:
        parent.state, action = "completed", "spotcheck.completed"
    audit.commit(audit.Change(parent, action, detail=detail), actor=SYSTEM)


def close(change: RecordChange) -> None:
    """Stream: a task completed or was cancelled: its clock stops; a cancelled one cancels its open children."""
    if change.kind != clocks.KIND or change.state not in FINISHED or change.old_state == change.state:
        return
    rec = store.get(str(change.image["id"]))
    clocks.stop_clock(rec, f"the task is {rec.state}")
    if rec.state == "cancelled":
        for entry in rec.children or []:
            audit.again_on_conflict(functools.partial(_cancel_child, str(entry["id"]), rec))


def _cancel_child(child_id: str, parent: store.SpotCheckRecord) -> None:
    child = store.get(child_id)
    if child.state in FINISHED:
        return
    expected = child.state
    child.state = "cancelled"
    child.cancel_reason = f"the task above it was cancelled: {parent.cancel_reason}"
    audit.commit(
        audit.Change(
            child,
            "spotcheck.cancelled",
            detail={"reason": child.cancel_reason, "parent": parent.id},
            condition=store.SpotCheckRecord.state == expected,
        ),
        actor=SYSTEM,
    )

"""One evidence chain per sample: trace code → draw → sampling → custody → results → retest → handover → penalty.

Every record in it is checked against its hash-chained audit trail (nothing changed since it was written), the
draw is replayed from its seed, and the handover package is hashed again; `intact` says whether all of it holds.
"""

from __future__ import annotations

import hashlib
from typing import Any

from chalicelib.core import audit, storage
from chalicelib.core.access import Principal
from chalicelib.core.errors import NotFoundError
from chalicelib.testing import service as testing
from chalicelib.testing import store as samples

from . import store
from .models import EvidenceView


def _chain(record: Any) -> dict[str, Any]:
    report = audit.verify_chain(record)
    return {
        "record": f"{record.pk}/{record.sk}",
        "audit_entries": report.length,
        "audit_head": record.audit_head,
        "intact": report.intact,
        "problem": report.problem,
    }


def chain(user: Principal, sample_id: str) -> EvidenceView:
    sample = testing.visible_sample(user, sample_id)
    links: list[dict[str, Any]] = [{"step": "trace_code", "trace_code": sample.trace_code, "batch_id": sample.batch_id}]
    if sample.task_kind == "JDCC":
        from chalicelib.spotchecks import draws
        from chalicelib.spotchecks import store as spotchecks

        task = spotchecks.get(sample.task_id)
        if task.draw_id:
            draw = spotchecks.get_draw(task.draw_id)
            replay = draws.replay_of(draw)
            drawn = sample.subject_id in {s["subject_id"] for s in (draw.result or {}).get("subjects", [])}
            links.append(
                {
                    "step": "draw",
                    "draw_id": draw.id,
                    "commitment": draw.commitment,
                    "seed": draw.seed,
                    "subject_was_drawn": drawn,
                    "replay_matches": replay.matches,
                    **_chain(draw),
                }
            )
    links.append(
        {
            "step": "sampling",
            "sampled_at": sample.sampled_at,
            "sampled_by": sample.sampled_by,
            "place": sample.place,
            "seal_no": sample.seal_no,
            **_chain(sample),
        }
    )
    links.append({"step": "custody", "entries": sample.custody or []})
    links.append({"step": "results", "verdict": sample.verdict, "results": sample.results or {}})
    case = None
    try:
        failure = samples.get_failure(sample.id)
    except NotFoundError:
        failure = None
    if failure is not None:
        retest = failure.retest or {}
        if retest.get("retest_sample_id"):
            copy = samples.get_sample(retest["retest_sample_id"])
            links.append(
                {
                    "step": "retest",
                    "lab": copy.unit_org_id,
                    "verdict": copy.verdict,
                    "results": copy.results or {},
                    "custody": copy.custody or [],
                    **_chain(copy),
                }
            )
        links.append(
            {"step": "final_verdict", "state": failure.state, "final_verdict": failure.final_verdict, **_chain(failure)}
        )
        try:
            case = store.get(sample.id)
        except NotFoundError:
            case = None
    if case is not None:
        body = storage.get(case.package_key)
        links.append(
            {
                "step": "handover",
                "case_id": case.id,
                "to": case.to_org_id,
                "package_hash": case.package_hash,
                "package_matches": hashlib.sha256(body).hexdigest() == case.package_hash,
                "acknowledged_at": case.acknowledged_at,
                "escalated_to": case.escalated_to,
                **_chain(case),
            }
        )
        if case.result:
            links.append({"step": "penalty", "result": case.result, "bad_record_id": case.bad_record_id})
    checks = [
        link[key]
        for link in links
        for key in ("intact", "replay_matches", "package_matches", "subject_was_drawn")
        if key in link
    ]
    return EvidenceView(sample_id=sample.id, intact=all(checks), links=links)

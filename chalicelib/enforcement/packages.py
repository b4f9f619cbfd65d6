"""Handover packages (移交材料): what a case is handed over from, and everything enforcement needs to take it.

A case comes from a source: a spot check's final failure (`sample`: the sampling record, custody, results,
retest, the draw) or an on-site inspection's failed items handed over (`inspection`: the record, its answers and
result, position and times, its files). Each package names every record with the head of its audit chain and
every file with its SHA-256, and is hashed itself (the hash is on the case, the package in S3).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from chalicelib.attachments import store as attachments
from chalicelib.core import audit, clock
from chalicelib.core.errors import NotFoundError
from chalicelib.inspections import store as inspections
from chalicelib.spotchecks import store as spotchecks
from chalicelib.testing import store as samples

PACKAGE_FORMAT = "agritrace handover package v1"
SOURCES = ("sample", "inspection")


@dataclass(frozen=True)
class Source:
    """Where a case comes from, and what the case record keeps of it."""

    kind: str  # sample | inspection
    id: str  # the case's id too: one case per source
    package: dict[str, Any]
    digest: str
    from_org_id: str  # the supervision agency handing over (its enforcement agencies take it)
    region: str
    parties: frozenset[str]
    subject_id: str | None
    subject_name: str | None
    task_id: str | None = None


def source(kind: str, source_id: str) -> Source:
    """The source of a handover and its package."""
    if kind == "inspection":
        return _inspection(source_id)
    if kind != "sample":
        raise NotFoundError(f"no handover source of kind {kind}")
    failure = samples.get_failure(source_id)
    task = spotchecks.get(failure.task_id)
    package, digest = sample_package(source_id)
    subject = package["sampling"]["subject"]
    return Source(
        kind="sample",
        id=source_id,
        package=package,
        digest=digest,
        from_org_id=task.assignee_org_id,
        region=task.region or "",
        parties=frozenset(task.parties or ()),
        subject_id=subject["id"],
        subject_name=subject["name"],
        task_id=task.id,
    )


def _digest(package: dict[str, Any]) -> str:
    return hashlib.sha256(audit.canonical(package).encode()).hexdigest()


def _record(rec: Any) -> dict[str, Any]:
    """A record as it stands, with the head of its hash-chained audit trail (what proves it unchanged)."""
    return {"pk": rec.pk, "sk": rec.sk, "audit_seq": int(rec.audit_seq or 0), "audit_head": rec.audit_head}


def _files(owner_kind: str, owner_id: str) -> list[dict[str, Any]]:
    found, _ = attachments.of_owner(owner_kind, owner_id, limit=100, cursor=None)
    return [
        {
            "attachment_id": a.id,
            "of": owner_kind,
            "filename": a.filename,
            "content_type": a.content_type,
            "sha256": a.sha256,
            "size": int(a.size or 0),
        }
        for a in found
        if a.state == "attached"
    ]


def sample_package(sample_id: str) -> tuple[dict[str, Any], str]:
    """A spot check's final failure: everything enforcement needs to take the case over, and its hash."""
    failure = samples.get_failure(sample_id)
    sample = samples.get_sample(sample_id)
    task = spotchecks.get(sample.task_id)
    retest = dict(failure.retest or {})
    retest_sample = samples.get_sample(retest["retest_sample_id"]) if retest.get("retest_sample_id") else None
    draw = spotchecks.get_draw(task.draw_id) if task.draw_id else None
    package = {
        "format": PACKAGE_FORMAT,
        "made_at": clock.iso(clock.now()),
        "task": {
            "id": task.id,
            "kind": "JDCC",
            "title": task.title,
            "issuer": task.issuer_org_id,
            "doer": task.assignee_org_id,
            "lab": task.lab_org_id,
        },
        "draw": None
        if draw is None
        else {
            "id": draw.id,
            "algorithm": draw.algorithm,
            "commitment": draw.commitment,
            "seed": draw.seed,
            "subjects_hash": draw.subjects_hash,
            "samplers_hash": draw.samplers_hash,
            "result": draw.result,
            "record": _record(draw),
        },
        "sampling": {
            "sample_id": sample.id,
            "trace_code": sample.trace_code,
            "subject": {"id": sample.subject_id, "name": sample.subject_name},
            "product": {"code": sample.product_code, "name": sample.product_name, "batch_id": sample.batch_id},
            "place": sample.place,
            "sampled_at": sample.sampled_at,
            "sampled_by": sample.sampled_by,
            "seal_no": sample.seal_no,
            "custody": sample.custody,
            "record": _record(sample),
        },
        "results": {"items": sample.results, "verdict": sample.verdict, "unqualified_items": sample.unqualified_items},
        "retest": None
        if retest_sample is None
        else {
            **retest,
            "results": retest_sample.results,
            "verdict": retest_sample.verdict,
            "custody": retest_sample.custody,
            "record": _record(retest_sample),
        },
        "final_verdict": failure.final_verdict,
        "failure": _record(failure),
        "files": _files("sample", sample.id)
        + (_files("sample", retest_sample.id) if retest_sample else [])
        + _files("spotcheck", task.id),
    }
    return package, _digest(package)


def _inspection(inspection_id: str) -> Source:
    """An on-site inspection whose failed items were handed over (移交执法): the record as it was made."""
    from chalicelib.subjects import store as subjects

    rec = inspections.get_inspection(inspection_id)
    subject = subjects.get(rec.subject_id)
    result = rec.result or {}
    package = {
        "format": PACKAGE_FORMAT,
        "made_at": clock.iso(clock.now()),
        "inspection": {
            "id": rec.id,
            "agency": rec.org_id,
            "inspected_by": rec.inspected_by,
            "template": {"code": rec.template_code, "number": int(rec.template_number)},
            "done_at": rec.done_at,
            "received_at": rec.received_at,
            "position": rec.position,
            "flags": list(rec.flags or ()),
            "opinion": rec.opinion,
            "answers": rec.answers,
            "record": _record(rec),
        },
        "subject": {"id": subject.id, "name": subject.name, "region": subject.region},
        "result": {"score": result.get("score"), "outcome": result.get("outcome")},
        "handed_over": [item for item in result.get("failed_items", ()) if item.get("handover")],
        "files": _files("inspection", rec.id),
    }
    return Source(
        kind="inspection",
        id=rec.id,
        package=package,
        digest=_digest(package),
        from_org_id=rec.org_id,
        region=rec.region or subject.region,
        parties=frozenset({rec.org_id}),
        subject_id=subject.id,
        subject_name=subject.name,
    )

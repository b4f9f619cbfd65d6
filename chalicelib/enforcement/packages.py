"""Handover packages (移交材料): what a case is handed over from, and everything enforcement needs to take it.

A case comes from a source: a spot check's final failure (`sample`: the sampling record, custody, results,
retest, the draw), an on-site inspection's failed items handed over (`inspection`: the record, its answers and
result, position and times, its files), or an entrusted test (委托检测) of daily supervision reported with an
unqualified sample (`entrusted`: the test, the officer's inspection, the evidence samples' custody and results, the
report and every file). Each package names every record with the head of its audit chain and
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
SOURCES = ("sample", "inspection", "entrusted")


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
    to_org_id: str | None = None  # the enforcement agency named by the source itself (its own officer's test)


def source(kind: str, source_id: str) -> Source:
    """The source of a handover and its package."""
    if kind == "inspection":
        return _inspection(source_id)
    if kind == "entrusted":
        return _entrusted(source_id)
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


def _entrusted(test_id: str) -> Source:
    """An entrusted test reported with an unqualified evidence sample: the test, the inspection, the samples."""
    from chalicelib.orgs import store as orgs
    from chalicelib.supervision import store as supervision

    test = supervision.get_test(test_id)
    inspection = supervision.get_inspection(test.inspection_id)
    found = samples.samples_by_id(test.samples)
    taken = [found[s] for s in test.samples if s in found]
    package = {
        "format": PACKAGE_FORMAT,
        "made_at": clock.iso(clock.now()),
        "inspection": {
            "id": inspection.id,
            "task_id": inspection.task_id,
            "agency": inspection.org_id,
            "inspected_by": inspection.inspected_by,
            "officers": inspection.officers,
            "done_at": inspection.done_at,
            "received_at": inspection.received_at,
            "position": inspection.position,
            "flags": list(inspection.flags or ()),
            "findings": inspection.findings,
            "result": inspection.result,
            "record": _record(inspection),
        },
        "entrusted_test": {
            "id": test.id,
            "lab": test.lab_org_id,
            "sent_by": test.sent_by,
            "receive_by": test.receive_by,
            "report_by": test.report_by,
            "received_at": test.received_at,
            "reported_at": test.reported_at,
            "report_id": test.report_id,
            "unqualified_samples": list(test.unqualified_samples or ()),
            "record": _record(test),
        },
        "samples": [
            {
                "sample_id": s.id,
                "trace_code": s.trace_code,
                "product": {"code": s.product_code, "name": s.product_name, "batch_id": s.batch_id},
                "place": s.place,
                "sampled_at": s.sampled_at,
                "sampled_by": s.sampled_by,
                "seal_no": s.seal_no,
                "custody": s.custody,
                "results": s.results,
                "verdict": s.verdict,
                "unqualified_items": s.unqualified_items,
                "record": _record(s),
            }
            for s in taken
        ],
        "subject": {"id": inspection.subject_id, "name": inspection.subject_name, "region": inspection.region},
        "files": _files("daily_inspection", inspection.id)
        + [f for s in taken for f in _files("sample", s.id)]
        + _files("entrusted_test", test.id),
    }
    # An enforcement officer's own test stays with the officer's agency; a supervisor's goes to the enforcement
    # agency under the supervision agency, as an inspection's handover does.
    own = orgs.get_agency(test.org_id).org_kind == "enforcement"
    return Source(
        kind="entrusted",
        id=test.id,
        package=package,
        digest=_digest(package),
        from_org_id=test.org_id,
        region=test.region or inspection.region or "",
        parties=frozenset({test.org_id}),
        subject_id=inspection.subject_id,
        subject_name=inspection.subject_name,
        to_org_id=test.org_id if own else None,
    )

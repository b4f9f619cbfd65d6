"""Rules of officers' on-site inspections (现场巡查, Art 28), evidence sampling (现场抽样取证, Art 29) and penalties.

Only an officer holding an enforcement certificate (执法证) valid today opens an inspection: a supervisor of a
supervision agency or an enforcement officer of an enforcement agency. Like a base inspection, the record is made
offline: the phone makes its id (a ULID), the same content sent again is answered with the stored record and
nothing is written, other content under the id is a 409 (an officer's record is evidence: it is never edited).
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

from chalicelib.attachments import store as attachments
from chalicelib.core import audit, clock
from chalicelib.core.access import OrgKind, Principal, Role, check_access, governs
from chalicelib.core.errors import ConflictError, ForbiddenError, NotFoundError, Unprocessable, ValidationFailed
from chalicelib.inspections.records import FAR_FROM_BASES_M, MAX_BASES, distance_m
from chalicelib.subjects import store as subjects_store
from chalicelib.subjects.models import AddBadRecordRequest
from chalicelib.testing import service as testing
from chalicelib.testing import store as samples
from chalicelib.testing.models import CreateSampleRequest, SampleView

from . import store
from .models import (
    DailyFile,
    DailyInspectionPage,
    DailyInspectionQuery,
    DailyInspectionSummary,
    DailyInspectionView,
    OfficerView,
    PenaltyRequest,
    PenaltyView,
    RecordDailyInspectionRequest,
)

_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock runs a little ahead of the server's
# The testing core's task kind of evidence samples (日常监管抽样): the task they were taken under is the inspection.
TASK_KIND = "RCJG"
MAX_SAMPLES = 20  # evidence samples of one inspection: one entrusted test takes them all
ENDED = {"revoked", "cancelled"}  # a subject whose registration ended is captured anew, not inspected under it
# Who may open an on-site inspection: the role and the kind of agency it is held in.
OFFICERS = {(Role.SUPERVISOR, OrgKind.SUPERVISION), (Role.ENFORCEMENT_OFFICER, OrgKind.ENFORCEMENT)}


def certified(user: Principal, on_day: str | None = None) -> None:
    """An officer on duty: a supervisor or enforcement officer of the matching agency, with a certificate valid on
    the day of the act (an inspection made offline is judged by the day it was done; anything else by today)."""
    if not any(role in user.roles and user.org_kind == kind for role, kind in OFFICERS):
        raise ForbiddenError("on-site inspections are made by supervisors and enforcement officers")
    if not user.cert_no:
        raise ForbiddenError("an on-site inspection takes an enforcement certificate (执法证): you hold none")
    if (user.cert_valid_until or "") < (on_day or clock.cst_day(clock.now())):
        raise ForbiddenError(f"your enforcement certificate expired on {user.cert_valid_until}")


def in_jurisdiction(user: Principal, region: str) -> bool:
    """A supervision agency's jurisdiction is its region; an enforcement agency's too (it enforces there)."""
    if governs(user, region):
        return True
    from chalicelib.regions.catalog import contains

    return user.org_kind == OrgKind.ENFORCEMENT and contains(user.org_region, region)


def _readable(user: Principal, rec: store.DailyInspectionRecord) -> store.DailyInspectionRecord:
    check_access(user, region=rec.region, parties=rec.parties or ())
    return rec


def readable(user: Principal, inspection_id: str) -> store.DailyInspectionRecord:
    """The inspection, if the user may read it (404 otherwise)."""
    if not _ULID.fullmatch(inspection_id):
        raise NotFoundError("daily inspection not found")
    return _readable(user, store.get_inspection(inspection_id))


def attachable(user: Principal, inspection_id: str) -> store.DailyInspectionRecord:
    """Photos, videos and penalty files are attached to an inspection by its agency (for attachments)."""
    return readable(user, inspection_id)


def own(user: Principal, inspection_id: str) -> store.DailyInspectionRecord:
    """An inspection the officer's agency made, for acts on it (sampling, penalty) by a certified officer."""
    certified(user)
    rec = readable(user, inspection_id)
    if rec.org_id != user.org_id:
        raise ForbiddenError("only the officers of the agency that made the inspection act on it")
    return rec


def view(
    rec: store.DailyInspectionRecord, found: dict[str, attachments.AttachmentRecord] | None = None
) -> DailyInspectionView:
    ids = [str(a) for a in rec.attachment_ids or ()]
    if found is None:
        found = attachments.get_many(ids)
    files = [
        DailyFile(
            attachment_id=a,
            state=found[a].state if a in found else "missing",  # type: ignore[arg-type]
            content_type=found[a].content_type if a in found else None,
        )
        for a in ids
    ]
    return DailyInspectionView(
        id=rec.id,
        task_id=rec.task_id,
        subject_id=rec.subject_id,
        subject_name=rec.subject_name,
        captured=rec.captured == "yes",
        org_id=rec.org_id,
        inspected_by=rec.inspected_by,
        officers=[OfficerView.model_validate(o) for o in rec.officers],
        region=rec.region or "",
        done_at=rec.done_at,
        received_at=rec.received_at,
        position=rec.position,
        findings=rec.findings,
        result=rec.result,  # type: ignore[arg-type]
        flags=list(rec.flags or ()),  # type: ignore[arg-type]
        files=files,
        sample_ids=list(rec.sample_ids or ()),
        penalty=PenaltyView.model_validate(rec.penalty) if rec.penalty else None,
        version=int(rec.version or 0),
        updated_at=rec.updated_at or "",
    )


def content_hash(req: RecordDailyInspectionRequest) -> str:
    content = req.model_dump(mode="json")
    content["done_at"] = clock.iso(req.done_at)  # the same moment written with another offset is the same
    return hashlib.sha256(audit.canonical(content).encode()).hexdigest()


def _existing(user: Principal, inspection_id: str, digest: str) -> store.DailyInspectionRecord | None:
    rec = store.find_inspection(inspection_id)
    if rec is None:
        return None
    _readable(user, rec)
    if rec.org_id != user.org_id:
        raise ConflictError("this id names another agency's inspection: make a new id")
    if rec.content_hash != digest:
        raise ConflictError("an inspection with this id was already sent with other content")
    return rec


def _subject(user: Principal, req: RecordDailyInspectionRequest) -> tuple[subjects_store.SubjectRecord, bool]:
    """The subject inspected: by id, by its scanned identity code (as GET /scan resolves it), or captured now."""
    if req.capture is not None:
        from chalicelib.subjects import service as subjects

        if user.org_kind != OrgKind.SUPERVISION:
            # Capturing registers a temporary subject: a supervision agency's act (Art 28).
            raise ForbiddenError("an unregistered subject is captured by the supervision agency's officers")
        made = subjects.capture(user, req.capture)
        return subjects_store.get(made.subject.id), True
    if req.identity_code is not None:
        from chalicelib.codes import service as codes

        subject = codes.identify(req.identity_code)["subject"]
        field = "body.identity_code"
    else:
        subject = subjects_store.get(str(req.subject_id))
        field = "body.subject_id"
    if not in_jurisdiction(user, subject.region or ""):
        raise NotFoundError("no such subject in your jurisdiction")
    if subject.state in ENDED:
        raise Unprocessable(
            "the subject's registration has ended",
            errors=[{"field": field, "message": f"{subject.state}: capture the subject anew if it still produces"}],
        )
    return subject, False


def _flags(subject_id: str, req: RecordDailyInspectionRequest) -> list[str]:
    bases, _ = subjects_store.bases_of(subject_id, limit=MAX_BASES, cursor=None)
    where = req.position
    if bases and all(distance_m(where.lng, where.lat, float(b.lng), float(b.lat)) > FAR_FROM_BASES_M for b in bases):
        return ["far_from_bases"]
    return []


def _files(inspection_id: str, attachment_ids: list[str]) -> dict[str, attachments.AttachmentRecord]:
    """Files named that exist already must be this inspection's own (the phone uploads them after the record)."""
    found = attachments.get_many(attachment_ids)
    errors = [
        {"field": f"body.attachment_ids.{attachment_ids.index(a)}", "message": f"{a} is attached to another record"}
        for a, rec in found.items()
        if (rec.owner_kind, rec.owner_id) != ("daily_inspection", inspection_id)
    ]
    if errors:
        raise Unprocessable("the inspection names files that are not its own", errors=errors)
    return found


def record_inspection(
    user: Principal, inspection_id: str, req: RecordDailyInspectionRequest
) -> tuple[DailyInspectionView, bool]:
    """PUT an on-site inspection: (the record, whether it was created). Same content again is answered with no write."""
    certified(user, clock.cst_day(req.done_at))
    if not _ULID.fullmatch(inspection_id):
        raise ValidationFailed(
            "the inspection's id is a ULID made by the phone",
            errors=[{"field": "path.inspection_id", "message": "not a ULID"}],
        )
    digest = content_hash(req)
    found = _existing(user, inspection_id, digest)
    if found is not None:
        return view(found), False
    if req.done_at > clock.now() + CLOCK_SKEW:
        raise Unprocessable(
            "an inspection is sent after it was done",
            errors=[{"field": "body.done_at", "message": "in the future (check the phone's clock)"}],
        )
    files = _files(inspection_id, list(req.attachment_ids))
    subject, captured = _subject(user, req)
    officers = [{"user_id": user.user_id, "cert_no": user.cert_no}] + [o.model_dump() for o in req.officers]
    rec = store.DailyInspectionRecord(
        id=inspection_id,
        task_id=req.task_id,
        subject_id=subject.id,
        subject_name=subject.name,
        captured="yes" if captured else None,
        org_id=user.org_id,
        inspected_by=user.user_id,
        officers=officers,
        region=subject.region,
        done_at=clock.iso(req.done_at),
        received_at=clock.iso(clock.now()),
        position=req.position.model_dump(mode="json"),
        findings=req.findings,
        result=req.result,
        flags=[] if captured else _flags(subject.id, req),
        attachment_ids=list(req.attachment_ids),
        sample_ids=[],
        content_hash=digest,
        parties={user.org_id},
    )
    try:
        audit.commit(
            audit.Change(rec, "daily_inspection.recorded", condition=store.DailyInspectionRecord.pk.does_not_exist()),
            actor=user.user_id,
        )
    except ConflictError:
        # Two sends crossing: whichever landed first stands, and this one is judged against it.
        again = _existing(user, inspection_id, digest)
        if again is None:
            raise
        return view(again), False
    return view(rec, files), True


def get_inspection(user: Principal, inspection_id: str) -> DailyInspectionView:
    return view(readable(user, inspection_id))


def _summary(rec: store.DailyInspectionRecord) -> DailyInspectionSummary:
    return DailyInspectionSummary(
        id=rec.id,
        subject_id=rec.subject_id,
        subject_name=rec.subject_name,
        org_id=rec.org_id,
        done_at=rec.done_at,
        result=rec.result,  # type: ignore[arg-type]
        samples=len(rec.sample_ids or ()),
        penalized=rec.penalty is not None,
    )


def list_inspections(user: Principal, query: DailyInspectionQuery) -> DailyInspectionPage:
    """A subject's inspections (the subject in the caller's jurisdiction), or the caller's agency's; newest first."""
    if query.subject_id is None:
        recs, cursor = store.inspections_of_org(user.org_id, limit=query.limit, cursor=query.cursor)
    else:
        subject = subjects_store.get(query.subject_id)
        if not in_jurisdiction(user, subject.region or ""):
            raise NotFoundError("no such subject in your jurisdiction")
        recs, cursor = store.inspections_of_subject(subject.id, limit=query.limit, cursor=query.cursor)
        # An enforcement agency over the region reads the subject's list, yet only its own records in it.
        recs = [r for r in recs if governs(user, r.region or "") or user.org_id in (r.parties or ())]
    return DailyInspectionPage(items=[_summary(r) for r in recs], next_cursor=cursor)


# --- evidence sampling (现场抽样取证, Art 29) ------------------------------------------------------------------


def take_sample(user: Principal, inspection_id: str, req: CreateSampleRequest) -> tuple[SampleView, bool]:
    """An evidence sample of the inspected subject, scanned or by hand, kept by the testing core.

    Its lab is not known yet: the sample is the officer's agency's until an entrusted test sends it to a lab, and
    its test items are the lab's model's, set when the lab takes the test. The phone makes its id (a resend is
    harmless, another sample under the id a 409).
    """
    rec = own(user, inspection_id)
    existing = testing.existing_sample(req)
    if existing is not None:
        if existing.task_kind != TASK_KIND or existing.task_id != rec.id:
            raise ConflictError("a sample with this id was already sent for another record")
        return testing.sample_view(existing), False
    if len(rec.sample_ids or ()) >= MAX_SAMPLES:
        raise Unprocessable(
            f"an inspection takes at most {MAX_SAMPLES} evidence samples",
            errors=[{"field": "body.id", "message": "too many samples"}],
        )
    if req.trace_code:
        found = testing.identify(req)
        if found.subject_id != rec.subject_id:
            raise Unprocessable(
                "that product is not the inspected subject's",
                errors=[{"field": "body.trace_code", "message": "another subject's product"}],
            )
    else:
        if req.subject_id and req.subject_id != rec.subject_id:
            raise Unprocessable(
                "evidence samples are taken from the inspected subject",
                errors=[{"field": "body.subject_id", "message": "not the inspected subject"}],
            )
        found = testing.Identified(
            str(req.product_code), str(req.product_name), subject_id=rec.subject_id, subject_name=rec.subject_name
        )
    sample = samples.SampleRecord(
        id=req.id,
        task_kind=TASK_KIND,
        task_id=rec.id,
        unit_org_id=rec.org_id,
        parties=set(rec.parties or ()),
        region=rec.region,
        state="sampled",
        content_hash=testing.content_hash(req),
        product_code=found.product_code,
        product_name=found.product_name,
        trace_code=found.trace_code,
        product_id=found.product_id,
        batch_id=found.batch_id,
        subject_id=found.subject_id,
        subject_name=found.subject_name,
        place=req.place.model_dump(),
        sampled_at=req.sampled_at,
        sampled_by=user.user_id,
        quantity=format(req.quantity.normalize(), "f"),
        quantity_unit=req.quantity_unit,
        seal_no=req.seal_no,
        custody=[],
        items=[],
        results={},
        verdict="pending",
        unqualified_items=[],
    )
    rec.sample_ids = [*rec.samples, sample.id]  # type: ignore[list-item]
    try:
        audit.commit(
            [
                audit.Change(sample, "sample.taken", condition=samples.SampleRecord.pk.does_not_exist()),
                audit.Change(rec, "daily_inspection.sampled", detail={"sample": sample.id}),
            ],
            actor=user.user_id,
        )
    except ConflictError:
        again = testing.existing_sample(req)  # two sends crossing: the first stands
        if again is None or again.task_id != inspection_id:
            raise
        return testing.sample_view(again), False
    return testing.sample_view(sample), True


def samples_of(user: Principal, inspection_id: str) -> list[SampleView]:
    rec = readable(user, inspection_id)
    found = samples.samples_by_id(rec.samples)
    return [testing.sample_view(found[s]) for s in rec.samples if s in found]


# --- administrative penalty (行政处罚) --------------------------------------------------------------------------


def _penalty_content(req: PenaltyRequest) -> dict[str, Any]:
    return req.model_dump(mode="json")


def record_penalty(user: Principal, inspection_id: str, req: PenaltyRequest) -> DailyInspectionView:
    """The penalty decided on what the inspection found, archived with the subject's bad record (不良记录), once.

    The penalty, the bad record and the subject's count are one transaction; the same penalty sent again is
    answered with the record, another one is a 409 (an archived decision is not rewritten).
    """
    rec = own(user, inspection_id)
    if rec.penalty is not None:
        stored = {k: v for k, v in rec.penalty.items() if k in PenaltyRequest.model_fields}
        if stored != _penalty_content(req):
            raise ConflictError("a penalty is already archived on this inspection")
        return view(rec)
    found = attachments.get_many(list(req.files))
    for index, attachment_id in enumerate(req.files):
        att = found.get(attachment_id)
        if att is None or (att.owner_kind, att.owner_id, att.state) != ("daily_inspection", rec.id, "attached"):
            raise Unprocessable(
                "attach the files to this inspection first",
                errors=[{"field": f"body.files.{index}", "message": "not an uploaded file of this inspection"}],
            )
    changes: list[audit.Change] = []
    bad_id = None
    if req.penalty.kind != "none":
        from chalicelib.subjects import service as subjects

        changes, bad_id = subjects.penalty_changes(
            rec.subject_id,
            AddBadRecordRequest(
                kind="penalty",
                description=f"{req.case_name}：{req.decision}（{req.case_no}）"[:5000],
                occurred_on=req.decided_on,
                source_ref=f"daily_inspection:{rec.id}",
            ),
            org_id=user.org_id,
        )
    rec.penalty = {
        **_penalty_content(req),
        "bad_record_id": bad_id,
        "recorded_by": user.user_id,
        "recorded_at": clock.iso(clock.now()),
    }
    audit.commit(
        [
            *changes,
            audit.Change(
                rec,
                "daily_inspection.penalized",
                detail={"case_no": req.case_no, "bad_record": bad_id},
                condition=store.DailyInspectionRecord.penalty.does_not_exist(),
            ),
        ],
        actor=user.user_id,
    )
    return view(rec)

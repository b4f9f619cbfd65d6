"""Rules of on-site inspections (基地巡查, Art 6-7): offline-first records made with a published template version.

The phone makes the inspection's id (a ULID) and may send the record days later, and more than once. The id is the
record's identity (ODK's instance-id rule): the same content sent again is answered with the stored record and
nothing is written; other content under the same id is a 409, unless it names the stored version it replaces
(`replaces_version`): an edit, stored as the next version. Every state, the first and each edit, is kept whole in
the record's audit chain, so an edit never loses what it replaced.
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import timedelta
from typing import Any

from chalicelib.attachments import store as attachments
from chalicelib.core import audit, clock
from chalicelib.core.access import OrgKind, Principal, check_access
from chalicelib.core.config import get_settings
from chalicelib.core.errors import ConflictError, ForbiddenError, NotFoundError, Unprocessable, ValidationFailed
from chalicelib.regions.catalog import prefix
from chalicelib.subjects import store as subjects_store

from . import service, store
from .answers import files_of, validate_answers
from .models import (
    InspectionFile,
    InspectionListQuery,
    InspectionPage,
    InspectionPosition,
    InspectionSummary,
    InspectionView,
    RecordInspectionRequest,
)

_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
# A phone's clock runs a little ahead of the server's: a done_at later than this past now is refused.
CLOCK_SKEW = timedelta(minutes=5)
# A position farther than this from every registered base of the subject is flagged (never refused: GPS drifts,
# and a base may be registered with its office's location).
FAR_FROM_BASES_M = 2000.0
MAX_BASES = 200  # the bases compared, one Query page
_EARTH_RADIUS_M = 6_371_008.8


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """The great-circle (haversine) distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(a))


# Subjects whose registration ended are not inspected under it: one still producing is captured anew.
ENDED = {"revoked", "cancelled"}


def view(rec: store.InspectionRecord, found: dict[str, attachments.AttachmentRecord] | None = None) -> InspectionView:
    """The record, with the state of each file it names (pending until the phone's upload arrives and is checked)."""
    named = files_of(rec.answers, [str(a) for a in rec.attachment_ids or ()])
    if found is None:
        found = attachments.get_many(list(named))
    files = [
        InspectionFile(
            attachment_id=attachment_id,
            field=field,
            state=found[attachment_id].state if attachment_id in found else "missing",
            sha256=found[attachment_id].sha256 if attachment_id in found else declared,
        )
        for attachment_id, (field, declared) in named.items()
    ]
    return InspectionView(
        id=rec.id,
        subject_id=rec.subject_id,
        template_code=rec.template_code,
        template_number=int(rec.template_number),
        org_id=rec.org_id,
        inspected_by=rec.inspected_by,
        region=rec.region or "",
        done_at=rec.done_at,
        received_at=rec.received_at,
        position=InspectionPosition.model_validate(rec.position),
        answers=rec.answers,
        opinion=rec.opinion,
        attachment_ids=list(rec.attachment_ids or ()),
        result=rec.result,
        flags=list(rec.flags or ()),  # type: ignore[arg-type]
        files=files,
        case_id=rec.id if handed_over(rec.result) else None,
        reinspection_of=rec.reinspection_of,
        handover_error=rec.workflow_error,
        plan_id=rec.plan_id,
        complaint_id=rec.complaint_id,
        key_object=bool(rec.key_object),
        on_time=bool(rec.on_time),
        version=int(rec.version or 0),
        updated_at=rec.updated_at or "",
    )


def handed_over(result: dict[str, Any]) -> bool:
    """Whether any failed item of a result was handed to enforcement (移交执法): the inspection is then a case."""
    return any(item.get("handover") for item in result.get("failed_items", ()))


def summary(rec: store.InspectionRecord) -> InspectionSummary:
    return InspectionSummary(
        id=rec.id,
        subject_id=rec.subject_id,
        template_code=rec.template_code,
        template_number=int(rec.template_number),
        org_id=rec.org_id,
        done_at=rec.done_at,
        score=rec.result.get("score"),
        outcome=rec.result.get("outcome"),
        flags=list(rec.flags or ()),  # type: ignore[arg-type]
        version=int(rec.version or 0),
    )


def content_hash(req: RecordInspectionRequest) -> str:
    """The content as sent, without the edit's bookkeeping: a resend of the edit itself is the same content."""
    content = req.model_dump(mode="json", exclude={"replaces_version"})
    content["done_at"] = clock.iso(req.done_at)  # the same moment written with another offset is the same
    return hashlib.sha256(audit.canonical(content).encode()).hexdigest()


def _inspector(user: Principal) -> None:
    """Inspections are made by the staff of a supervision agency (监管机构); the record is their agency's."""
    if user.org_kind != OrgKind.SUPERVISION:
        raise ForbiddenError("on-site inspections are made by supervision agencies")


def _readable(user: Principal, rec: store.InspectionRecord) -> store.InspectionRecord:
    check_access(user, region=rec.region, parties={rec.org_id})
    return rec


def _done_at(req: RecordInspectionRequest) -> str:
    if req.done_at > clock.now() + CLOCK_SKEW:
        raise Unprocessable(
            "an inspection is sent after it was done",
            errors=[{"field": "body.done_at", "message": "in the future (check the phone's clock)"}],
        )
    return clock.iso(req.done_at)


def _flags(subject_id: str, position: InspectionPosition) -> list[str]:
    bases, _ = subjects_store.bases_of(subject_id, limit=MAX_BASES, cursor=None)
    # A subject without a registered base has nothing to compare with: no flag (its registration is the gap).
    if bases and all(
        distance_m(position.lng, position.lat, float(b.lng), float(b.lat)) > FAR_FROM_BASES_M for b in bases
    ):
        return ["far_from_bases"]
    return []


def _files(inspection_id: str, answers: dict[str, Any], attachment_ids: list[str]) -> dict[str, Any]:
    """The files the inspection names that exist already must be its own, and a signature the image it hashed.

    Files named but not yet uploaded are fine: the phone sends the record first, then its files under the ids it
    made (the view shows them missing until they arrive).
    """
    named = files_of(answers, attachment_ids)
    found = attachments.get_many(list(named))
    errors = []
    for attachment_id, rec in found.items():
        field, declared = named[attachment_id]
        if (rec.owner_kind, rec.owner_id) != ("inspection", inspection_id):
            errors.append({"field": f"body.{field}", "message": f"{attachment_id} is attached to another record"})
        elif declared and declared != (rec.sha256 or rec.declared_sha256 or declared):
            errors.append({"field": f"body.{field}", "message": "the image was uploaded with another SHA-256"})
    if errors:
        raise Unprocessable("the inspection names files that are not its own", errors=errors)
    return found


def _reinspected(user: Principal, inspection_id: str, req: RecordInspectionRequest, done_at: str) -> str | None:
    """A re-inspection (复查) names an earlier inspection of the same subject by the same agency."""
    if req.reinspection_of is None:
        return None
    earlier = store.find_inspection(req.reinspection_of)
    fault = None
    if earlier is None or earlier.org_id != user.org_id or req.reinspection_of == inspection_id:
        fault = "no earlier inspection of your agency with this id"
    elif earlier.subject_id != req.subject_id:
        fault = "that inspection was of another subject"
    elif earlier.done_at >= done_at:
        fault = "a re-inspection is done after the inspection it follows up"
    if fault:
        raise Unprocessable(
            "a re-inspection follows up an earlier inspection of the same subject",
            errors=[{"field": "body.reinspection_of", "message": fault}],
        )
    return req.reinspection_of


def _planned(user: Principal, req: RecordInspectionRequest, done_at: str, subject_region: str) -> str | None:
    """An inspection that names a plan is done under the caller's task of it: in its period and its area."""
    if req.plan_id is None:
        return None
    from chalicelib.plans import store as plans  # the plans area loads only for inspections that name one

    task = plans.find_assignment(req.plan_id, user.user_id)
    fault = None
    if task is None or task.org_id != user.org_id:
        fault = "no task of yours under this plan"
    elif not task.period_start <= done_at < task.period_end:
        fault = f"done outside the plan's period {task.period}"
    elif not any(subject_region.startswith(prefix(str(area))) for area in task.areas):
        fault = "the subject is outside your task's area"
    if fault:
        raise Unprocessable(
            "an inspection under a plan is done in its period and area",
            errors=[{"field": "body.plan_id", "message": fault}],
        )
    return req.plan_id


# A case is inspected while it is being verified or handled: before its answer.
COMPLAINT_STATES = {"received", "accepted"}


def _from_complaint(user: Principal, req: RecordInspectionRequest) -> str | None:
    """An inspection started from a complaint or report names a case its agency handles, before the answer."""
    if req.complaint_id is None:
        return None
    from chalicelib.complaints import store as complaints  # loads only for inspections that name a case

    try:
        case: complaints.ComplaintRecord | None = complaints.get(req.complaint_id)
    except NotFoundError:
        case = None
    fault = None
    if case is None or case.org_id != user.org_id:
        fault = "no complaint or report your agency handles"
    elif case.state not in COMPLAINT_STATES:
        fault = f"the case is {case.state}: inspections are started from a case received or accepted"
    elif case.subject_id and case.subject_id != req.subject_id:
        fault = "the case is about another subject"
    if fault:
        raise Unprocessable(
            "an inspection started from a complaint names a case of your agency",
            errors=[{"field": "body.complaint_id", "message": fault}],
        )
    return req.complaint_id


def on_time(done_at: str, received_at: str) -> bool:
    """Uploaded promptly (Art 6): received within the stack's on-time window (hours) of when it was done."""
    window = timedelta(hours=get_settings().inspection_on_time_hours)
    return clock.parse_iso(received_at) - clock.parse_iso(done_at) <= window


def readable(user: Principal, inspection_id: str) -> store.InspectionRecord:
    """The stored inspection, if the user may read it (404 otherwise)."""
    if not _ULID.fullmatch(inspection_id):
        raise NotFoundError("inspection not found")
    return _readable(user, store.get_inspection(inspection_id))


def attachable(user: Principal, inspection_id: str) -> store.InspectionRecord:
    """Files are attached to an inspection by its agency, once the record has arrived (for attachments)."""
    return readable(user, inspection_id)


def _existing(
    user: Principal, inspection_id: str, req: RecordInspectionRequest, digest: str
) -> tuple[store.InspectionRecord, bool] | None:
    """The stored record under this id: None for a first write; (record, same content?) otherwise."""
    rec = store.find_inspection(inspection_id)
    if rec is None:
        if req.replaces_version is not None:
            raise NotFoundError("no inspection with this id to replace")
        return None
    _readable(user, rec)
    if rec.org_id != user.org_id:
        raise ConflictError("this id names another agency's inspection: make a new id")
    if rec.content_hash == digest:
        return rec, True
    if req.replaces_version is None:
        raise ConflictError("an inspection with this id was already sent with other content: name replaces_version")
    if req.replaces_version != int(rec.version or 0):
        raise ConflictError("the inspection changed since the version you replace: read it again")
    return rec, False


def record_inspection(user: Principal, inspection_id: str, req: RecordInspectionRequest) -> tuple[InspectionView, bool]:
    """PUT an inspection: (the record, whether it was created). Same content again is answered with no write."""
    _inspector(user)
    if not _ULID.fullmatch(inspection_id):
        raise ValidationFailed(
            "the inspection's id is a ULID made by the phone",
            errors=[{"field": "path.inspection_id", "message": "not a ULID"}],
        )
    digest = content_hash(req)
    found = _existing(user, inspection_id, req, digest)
    if found is not None and found[1]:
        return view(found[0]), False
    done_at = _done_at(req)
    subject = subjects_store.get(req.subject_id)
    try:
        check_access(user, region=subject.region, parties=())
    except NotFoundError:
        raise NotFoundError("no such subject in your jurisdiction") from None
    if found is None and subject.state in ENDED:
        raise Unprocessable(
            "the subject's registration has ended",
            errors=[
                {
                    "field": "body.subject_id",
                    "message": f"{subject.state}: capture the subject anew if it still produces",
                }
            ],
        )
    template = service.published_version(user, req.template_code, req.template_number)
    result = validate_answers(template, req.answers, where="body.answers")
    files = _files(inspection_id, req.answers, list(req.attachment_ids))
    reinspection_of = _reinspected(user, inspection_id, req, done_at)
    plan_id = _planned(user, req, done_at, subject.region or "")
    complaint_id = _from_complaint(user, req)
    content: dict[str, Any] = {
        "subject_id": subject.id,
        "template_code": template.code,
        "template_number": template.number,
        "region": subject.region,
        "done_at": done_at,
        "position": req.position.model_dump(mode="json"),
        "answers": req.answers,
        "opinion": req.opinion,
        "attachment_ids": list(req.attachment_ids),
        "result": result.model_dump(mode="json"),
        "flags": _flags(subject.id, req.position),
        "content_hash": digest,
        "reinspection_of": reinspection_of,
        "plan_id": plan_id,
        "complaint_id": complaint_id,
        # As the subject stands on receipt: performance counts it without reading the subject again.
        "key_object": bool(subject.key_object),
    }
    if found is None:
        rec = store.InspectionRecord(
            id=inspection_id,
            org_id=user.org_id,
            inspected_by=user.user_id,
            received_at=clock.iso(clock.now()),
            **content,
        )
        rec.on_time = on_time(rec.done_at, rec.received_at)
        try:
            audit.commit(
                audit.Change(rec, "inspection.recorded", condition=store.InspectionRecord.pk.does_not_exist()),
                actor=user.user_id,
            )
        except ConflictError:
            # Two sends crossing: whichever landed first stands, and this one is judged against it.
            again = _existing(user, inspection_id, req, digest)
            if again is None or not again[1]:
                raise
            return view(again[0]), False
        return view(rec, files), True
    rec = found[0]
    for name, value in content.items():
        setattr(rec, name, value)
    rec.on_time = on_time(rec.done_at, rec.received_at)
    audit.commit(
        audit.Change(rec, "inspection.edited", detail={"replaces_version": req.replaces_version}),
        actor=user.user_id,
    )
    return view(rec, files), False


def get_inspection(user: Principal, inspection_id: str) -> InspectionView:
    if not _ULID.fullmatch(inspection_id):
        raise NotFoundError("inspection not found")
    return view(_readable(user, store.get_inspection(inspection_id)))


def list_inspections(user: Principal, query: InspectionListQuery) -> InspectionPage:
    """A subject's inspections (the subject in the caller's jurisdiction), or the caller's agency's; newest first."""
    if query.subject_id is None:
        recs, cursor = store.inspections_of_org(user.org_id, limit=query.limit, cursor=query.cursor)
    else:
        subject = subjects_store.get(query.subject_id)
        check_access(user, region=subject.region, parties=())
        recs, cursor = store.inspections_of_subject(subject.id, limit=query.limit, cursor=query.cursor)
    return InspectionPage(items=[summary(r) for r in recs], next_cursor=cursor)

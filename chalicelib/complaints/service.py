"""Complaints and reports from the public (投诉举报, Art 2): filing, routing, acceptance, handling, the answer.

A filing needs no account. It names a subject (by name, or by a scanned trace or identity code, which the code
index resolves) or a place, says what happened, and may bring photos and videos. The filer gets a tracking
number and a secret (only its hash is kept); with both they follow the case and rate the answer. The case goes
to the supervision agency of the subject's county (else the place's; else the level above), which decides
acceptance (受理 / 不予受理) within a limit of working days, handles it and answers (办结). The filer's identity
is sealed apart from the case: only the handling agency's assigned staff read it, each read audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from typing import Any

from chalicelib.attachments import store as attachment_store
from chalicelib.core import audit, clock, storage, workflows
from chalicelib.core.access import Principal, Role, check_access
from chalicelib.core.config import get_settings
from chalicelib.core.errors import (
    ConflictError,
    ForbiddenError,
    InvalidStateError,
    NotFoundError,
    PayloadTooLarge,
    Unprocessable,
)
from chalicelib.core.events import RecordChange
from chalicelib.core.ids import new_id
from chalicelib.orgs import store as orgs

from . import store, workdays
from .models import (
    ActionRecordView,
    ActionRequest,
    AnswerRequest,
    AnswerView,
    AssigneesRequest,
    ComplaintListQuery,
    ComplaintPage,
    ComplaintView,
    DecideRequest,
    DecisionView,
    FileComplaintRequest,
    FileDeclared,
    FilerView,
    FilingReceipt,
    PublicComplaintView,
    PublicUploadRequest,
    RateRequest,
    ReviewObjectionRequest,
    SubjectComplaintView,
    TransferRequest,
    TransferView,
    UploadForm,
)

PUBLIC_ACTOR = "public:filer"
SYSTEM = "system:complaints"
OWNER_KIND = "complaint"
OPEN_FOR_FILES = {"awaiting_files", "received", "accepted"}
HANDLERS = {Role.HEAD, Role.SUPERVISOR, Role.SAMPLER}


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- views ---------------------------------------------------------------------------------------------


def view(rec: store.ComplaintRecord) -> ComplaintView:
    decision = rec.decision
    return ComplaintView(
        id=rec.id,
        kind=rec.case_kind,
        state=rec.state,
        subject_id=rec.subject_id,
        subject_name=rec.subject_name,
        code=rec.code,
        place=rec.place,
        region=rec.region or "",
        org_id=rec.org_id,
        what=rec.what,
        happened_on=rec.happened_on,
        hazard=rec.hazard,
        anonymous=bool(rec.anonymous),
        received_at=rec.received_at,
        accept_due=rec.accept_due,
        calendar=rec.calendar,
        clock=dict(rec.clock or {}),
        assignees=sorted(rec.assignees or ()),
        decision=DecisionView(**decision) if decision else None,
        actions=[ActionRecordView(**a) for a in rec.actions or ()],
        answer=AnswerView(**_answer_fields(rec.answer)) if rec.answer else None,
        rating=rec.rating,
        objection=rec.objection,
        reopened=int(rec.reopened or 0),
        duplicates=int(rec.duplicates or 0),
        transfers=[TransferView(**t) for t in rec.transfers or ()],
        routing=dict(rec.routing or {}),
        version=int(rec.version or 0),
    )


def _answer_fields(answer: dict[str, Any]) -> dict[str, Any]:
    return {"result": answer["result"], "text": answer["text"], "at": answer["at"]}


def subject_view(rec: store.ComplaintRecord) -> SubjectComplaintView:
    return SubjectComplaintView(
        id=rec.id,
        kind=rec.case_kind,
        state=rec.state,
        received_at=rec.received_at,
        result=(rec.answer or {}).get("result")
        or ((rec.decision or {}).get("decision") == "reject" and "rejected")
        or None,
    )


# --- filing (public) -----------------------------------------------------------------------------------


def file_complaint(req: FileComplaintRequest, client: str) -> FilingReceipt:
    """A complaint or report from the public: throttled per client and day, routed, sealed, given a secret."""
    settings = get_settings()
    _check_sizes(req.files)
    now = clock.now()
    store.take_filing_slot(client, clock.cst_day(now), settings.complaint_daily_limit, 0)
    subject, product = _resolve_subject(req)
    region = (subject.region if subject is not None else None) or (req.place.region if req.place else None)
    if not region:
        raise Unprocessable(
            "the subject's code was not found and no place was given",
            errors=[{"field": "body.place", "message": "required when the subject is not known by code"}],
        )
    agency, rule = route(region)
    fingerprint = _fingerprint(req, subject.id if subject is not None else None)
    window = clock.cst_day(now)
    claim = store.find_duplicate(fingerprint, window) if fingerprint else None
    if claim is not None:
        repeated = store.get(claim.complaint_id)
        if repeated.state != "refused":
            return _merge(repeated.id)
        # A filing refused for a bad file, sent again: a filing of its own, which takes the claim over.
    complaint_id = new_id()
    secret = secrets.token_urlsafe(24)
    rec = store.ComplaintRecord(
        id=complaint_id,
        case_kind=req.kind,
        secret_hash=_hash(secret),
        state="awaiting_files" if req.files else "received",
        subject_id=subject.id if subject is not None else None,
        subject_name=(req.subject.name if req.subject else None) or (subject.name if subject is not None else None),
        code=req.subject.code if req.subject else None,
        product_category=product.category_code if product is not None else None,
        place=req.place.model_dump(exclude_none=True) if req.place else None,
        what=req.what,
        happened_on=req.happened_on,
        hazard=req.hazard,
        anonymous=req.filer is None,
        org_id=agency.id,
        parties={agency.id},
        region=region[:6],
        routing={"rule": rule, "from_region": region[:6], "agency": agency.id, "agency_name": agency.name},
        duplicates=0,
    )
    if rec.state == "received":
        receive(rec, now)
    atts = [_attachment(rec, f) for f in req.files]
    rec.files = [{"id": a.id, "filename": a.filename} for a in atts]
    claims: list[Any] = [
        store.FilerRecord(
            complaint_id=complaint_id,
            name=req.filer.name if req.filer else None,
            phone=req.filer.phone if req.filer else None,
            region=rec.region,
        )
    ]
    changes = [audit.Change(rec, f"complaint.filed_{req.kind}", condition=store.ComplaintRecord.pk.does_not_exist())]
    if claim is not None:
        refused = claim.complaint_id
        claim.complaint_id = complaint_id
        changes.append(audit.Change(claim, "complaint.refiled", condition=store.DuplicateClaim.complaint_id == refused))
    elif fingerprint:
        dup = store.DuplicateClaim(complaint_id=complaint_id)
        dup.pk, dup.sk = f"CMPLDUP#{fingerprint}", window
        claims.append(dup)
    changes += [
        audit.Change(a, "attachment.requested", condition=attachment_store.AttachmentRecord.pk.does_not_exist())
        for a in atts
    ]
    try:
        audit.commit(changes, actor=PUBLIC_ACTOR, claims=claims)
    except ConflictError:
        won = store.find_duplicate(fingerprint, window) if fingerprint else None
        if won is not None and store.get(won.complaint_id).state != "refused":
            return _merge(won.complaint_id)  # the same filing sent twice at once: the first one won
        raise
    return FilingReceipt(
        tracking_no=complaint_id,
        secret=secret,
        link=f"{settings.public_base_url}/complaints/{complaint_id}#{secret}",
        state=rec.state,
        accept_due=rec.accept_due,
        uploads=[_form(a, f) for a, f in zip(atts, req.files, strict=True)],
    )


def _check_sizes(files: list[FileDeclared]) -> None:
    limit = get_settings().complaint_max_upload_bytes
    for n, f in enumerate(files):
        if f.size > limit:
            raise PayloadTooLarge(
                f"a photo or video is at most {limit} bytes",
                errors=[{"field": f"body.files.{n}.size", "message": f"more than {limit} bytes"}],
            )


def _resolve_subject(req: FileComplaintRequest) -> tuple[Any, Any]:
    """The subject (and product) behind a scanned code; none for a filing by name or place."""
    if not (req.subject and req.subject.code):
        return None, None
    from chalicelib.codes import service as codes  # the code index: loaded only for a filing that scanned a code

    try:
        found = codes.identify(req.subject.code)
    except NotFoundError:
        raise Unprocessable(
            "no product or subject has this code", errors=[{"field": "body.subject.code", "message": "unknown code"}]
        ) from None
    except Unprocessable as exc:
        raise Unprocessable(exc.detail, errors=[{"field": "body.subject.code", "message": exc.detail}]) from None
    return found["subject"], found.get("product")


def route(region: str) -> tuple[orgs.AgencyRecord, str]:
    """The supervision agency of the region's county; where the county has none, of its city, then province."""
    from chalicelib.regions.catalog import check_code

    county = region[:6]
    try:
        check_code(county, "body.place.region")
    except Exception:  # noqa: BLE001 - an unknown region is a rule the schema cannot state
        raise Unprocessable("unknown region", errors=[{"field": "body.place.region", "message": "unknown"}]) from None
    levels = (("county", county), ("city", county[:4] + "00"), ("province", county[:2] + "0000"))
    for level, code in levels:
        found, _ = orgs.list_agencies_in(code, limit=200, cursor=None)
        picked = sorted(
            (a for a in found if a.region == code and a.org_kind == "supervision" and a.active), key=lambda a: a.id
        )
        if picked:
            return picked[0], level
    raise Unprocessable(
        "no supervision agency on the platform covers this region yet",
        errors=[{"field": "body.place.region", "message": "not covered"}],
    )


def _fingerprint(req: FileComplaintRequest, subject_id: str | None) -> str | None:
    """The same filer (phone), about the same subject or place, with the same text: one filing. Anonymous ones
    have no phone to tie them and are never merged."""
    if req.filer is None:
        return None
    about = subject_id or (req.subject.name if req.subject and req.subject.name else "") or ""
    if req.place:
        about += f"|{req.place.region}|{req.place.address}"
    text = " ".join(req.what.split())
    return hashlib.sha256(f"{req.filer.phone}\x1f{req.kind}\x1f{about}\x1f{text}".encode()).hexdigest()


def _merge(complaint_id: str) -> FilingReceipt:
    """A repeated filing: counted on the first one, which the filer already follows; no new secret is given."""

    def attempt() -> store.ComplaintRecord:
        rec = store.get(complaint_id)
        rec.duplicates = int(rec.duplicates or 0) + 1
        audit.commit(audit.Change(rec, "complaint.repeated"), actor=PUBLIC_ACTOR)
        return rec

    rec = audit.again_on_conflict(attempt)
    return FilingReceipt(
        tracking_no=rec.id, secret=None, link=None, state=rec.state, duplicate_of=rec.id, accept_due=rec.accept_due
    )


def _attachment(rec: store.ComplaintRecord, f: FileDeclared) -> attachment_store.AttachmentRecord:
    attachment_id = new_id()
    return attachment_store.AttachmentRecord(
        id=attachment_id,
        owner_kind=OWNER_KIND,
        owner_id=rec.id,
        region=rec.region,
        parties=set(rec.parties),
        filename=f.filename,
        content_type=f.content_type,
        declared_size=f.size,
        declared_sha256=f.sha256,
        state="pending",
        uploaded_by=PUBLIC_ACTOR,
        key=f"{storage.UPLOAD_PREFIX}{OWNER_KIND}/{rec.id}/{attachment_id}",
    )


def _form(att: attachment_store.AttachmentRecord, f: FileDeclared) -> UploadForm:
    return UploadForm(
        filename=f.filename, attachment_id=att.id, upload=storage.presigned_post(att.key, f.content_type, f.size)
    )


def receive(rec: store.ComplaintRecord, now: Any) -> None:
    """The case is received (受理前): its acceptance limit counted in working days from today (China time)."""
    settings = get_settings()
    days = settings.complaint_accept_days if rec.case_kind == "complaint" else settings.report_verify_days
    due, calendar = workdays.add_working_days(date.fromisoformat(clock.cst_day(now)), days)
    rec.state = "received"
    rec.received_at = rec.received_at or clock.iso(now)
    rec.accept_due, rec.calendar = due.isoformat(), calendar
    rec.clock_round = int(rec.clock_round or 0) + 1
    rec.clock = {}


# --- following (public) --------------------------------------------------------------------------------


def _by_secret(tracking_no: str, secret: str) -> store.ComplaintRecord:
    """The filer's own case: a wrong secret reads as an unknown number, so neither leaks."""
    try:
        rec = store.get(tracking_no)
    except NotFoundError:
        raise NotFoundError("no case with this tracking number and secret") from None
    if not hmac.compare_digest(rec.secret_hash, _hash(secret)):
        raise NotFoundError("no case with this tracking number and secret")
    return rec


def track(tracking_no: str, secret: str | None) -> PublicComplaintView:
    if not secret:
        raise NotFoundError("no case with this tracking number and secret")
    rec = _by_secret(tracking_no, secret)
    agency = orgs.get_agency(rec.org_id)
    files = attachment_store.get_many([f["id"] for f in rec.files or ()]) if rec.files else {}
    return PublicComplaintView(
        tracking_no=rec.id,
        kind=rec.case_kind,
        state=rec.state,
        received_at=rec.received_at or rec.created_at or "",
        agency=agency.name,
        accept_due=rec.accept_due,
        decision=DecisionView(**rec.decision) if rec.decision else None,
        answer=AnswerView(**_answer_fields(rec.answer)) if rec.answer else None,
        rating=rec.rating,
        files=[
            {"id": f["id"], "filename": f["filename"], "state": files[f["id"]].state if f["id"] in files else "pending"}
            for f in rec.files or ()
        ],
    )


def public_upload(tracking_no: str, req: PublicUploadRequest) -> UploadForm:
    """One more photo or video for the filer's own case (the secret binds it); the same checks as at filing."""
    rec = _by_secret(tracking_no, req.secret)
    _check_sizes([req.file])
    if rec.state not in OPEN_FOR_FILES:
        raise InvalidStateError(f"the case is {rec.state}: it takes no more files")
    if len(rec.files or ()) >= 9:
        raise Unprocessable("a case holds at most 9 files", errors=[{"field": "body.file", "message": "too many"}])
    att = _attachment(rec, req.file)
    rec.files = [*(rec.files or ()), {"id": att.id, "filename": att.filename}]
    audit.commit(
        [audit.Change(rec, "complaint.file_added"), audit.Change(att, "attachment.requested")], actor=PUBLIC_ACTOR
    )
    return _form(att, req.file)


def rate(tracking_no: str, req: RateRequest) -> PublicComplaintView:
    """The filer rates the answer (评价); an objection asks the agency to reopen the case."""
    rec = _by_secret(tracking_no, req.secret)
    if rec.state != "answered":
        raise InvalidStateError(f"the case is {rec.state}: only an answer is rated")
    rec.rating = req.rating
    if req.rating == "unsatisfied" and req.objection:
        rec.state, rec.objection = "objected", req.objection
    else:
        rec.state = "closed"
    audit.commit(
        audit.Change(rec, f"complaint.rated_{req.rating}", condition=store.ComplaintRecord.state == "answered"),
        actor=PUBLIC_ACTOR,
    )
    return track(tracking_no, req.secret)


# --- the agency ----------------------------------------------------------------------------------------


def _visible(user: Principal, complaint_id: str) -> store.ComplaintRecord:
    rec = store.get(complaint_id)
    if rec.state not in store.LISTED:
        raise NotFoundError("not found in your jurisdiction")
    check_access(user, region=rec.region, parties=rec.parties or ())
    return rec


def _handling(user: Principal, complaint_id: str, version: int, states: set[str]) -> store.ComplaintRecord:
    """The case, for its handling agency's staff only (an agency above reads it but does not handle it)."""
    from chalicelib.core.db import expect

    rec = _visible(user, complaint_id)
    if user.org_id != rec.org_id:
        raise ForbiddenError("only the handling agency acts on the case")
    expect(rec, version, states, "the case")
    return rec


def get(user: Principal, complaint_id: str) -> ComplaintView | SubjectComplaintView:
    if user.org_kind == "subject":
        rec = store.get(complaint_id)
        if rec.subject_id != user.org_id or rec.state not in store.LISTED:
            raise NotFoundError("not found")
        return subject_view(rec)
    return view(_visible(user, complaint_id))


def listing(user: Principal, query: ComplaintListQuery) -> ComplaintPage:
    """The agency's cases (by state, oldest first); a subject's own account sees those about its subject."""
    if user.org_kind == "subject":
        recs, cursor = store.about_subject(user.org_id, limit=query.limit, cursor=query.cursor)
        return ComplaintPage(
            items=[subject_view(r) for r in recs if not query.state or r.state == query.state], next_cursor=cursor
        )
    recs, cursor = store.of_agency(user.org_id, state=query.state, limit=query.limit, cursor=query.cursor)
    return ComplaintPage(items=[view(r) for r in recs], next_cursor=cursor)


def assign(user: Principal, complaint_id: str, req: AssigneesRequest) -> ComplaintView:
    """The head names the staff who handle the case: only they read the filer's identity."""
    rec = _handling(user, complaint_id, req.version, store.LISTED - {"closed", "transferred_out"})
    for n, user_id in enumerate(req.user_ids):
        try:
            member = orgs.get_user(user_id)
        except NotFoundError:
            member = None
        if member is None or member.org_id != rec.org_id or not member.active:
            raise Unprocessable(
                "assign staff of the handling agency",
                errors=[{"field": f"body.user_ids.{n}", "message": "not its staff"}],
            )
    rec.assignees = set(req.user_ids)
    audit.commit(
        audit.Change(rec, "complaint.assigned", detail={"assignees": sorted(req.user_ids)}), actor=user.user_id
    )
    return view(rec)


def decide(user: Principal, complaint_id: str, req: DecideRequest) -> ComplaintView:
    """受理 or 不予受理 (with its reason): ends the acceptance clock."""
    rec = _handling(user, complaint_id, req.version, {"received"})
    at = clock.iso(clock.now())
    rec.decision = {"decision": req.decision, "reason": req.reason, "at": at, "by": user.user_id}
    rec.state = "accepted" if req.decision == "accept" else "rejected"
    in_time = clock.now() < clock.cst_day_end(str(rec.accept_due))
    audit.commit(
        audit.Change(rec, f"complaint.{rec.state}", detail={"reason": req.reason, "in_time": in_time}),
        actor=user.user_id,
    )
    _stop_clock(rec, f"decided: {rec.state}", int(rec.clock_round or 0))
    return view(rec)


def transfer(user: Principal, complaint_id: str, req: TransferRequest) -> ComplaintView:
    """移送: to the agency of the right jurisdiction (its acceptance clock starts again from the transfer), or to
    a department off the platform (the case leaves it). The trail stays on the case."""
    rec = _handling(user, complaint_id, req.version, {"received", "accepted"})
    now = clock.now()
    entry = {
        "from_org_id": rec.org_id,
        "to_org_id": req.to_org_id,
        "reason": req.reason,
        "note": req.note,
        "by": user.user_id,
        "at": clock.iso(now),
    }
    target = _transfer_target(rec, req.to_org_id) if req.to_org_id else None
    round_before = int(rec.clock_round or 0)
    if target is not None:
        rec.org_id, rec.parties, rec.region = target.id, {target.id}, target.region
        rec.assignees, rec.decision = None, None
        rec.routing = {**(rec.routing or {}), "agency": target.id, "agency_name": target.name, "rule": "transfer"}
        receive(rec, now)
    else:
        rec.state = "transferred_out"
    rec.transfers = [*(rec.transfers or ()), entry]
    audit.commit(audit.Change(rec, "complaint.transferred", detail=entry), actor=user.user_id)
    _stop_clock(rec, "transferred", round_before)
    _move_files(rec)
    return view(rec)


def _transfer_target(rec: store.ComplaintRecord, org_id: str) -> orgs.AgencyRecord:
    try:
        target = orgs.get_agency(org_id)
    except NotFoundError:
        target = None
    if target is None or target.org_kind != "supervision" or not target.active or target.id == rec.org_id:
        raise Unprocessable(
            "transfer to another active supervision agency",
            errors=[{"field": "body.to_org_id", "message": "not an agency that handles complaints"}],
        )
    return target


def _move_files(rec: store.ComplaintRecord) -> None:
    """The case's files follow it to the agency it was transferred to."""
    if not rec.files:
        return
    found = attachment_store.get_many([f["id"] for f in rec.files])
    changes = []
    for att in found.values():
        att.parties, att.region = set(rec.parties), rec.region
        changes.append(audit.Change(att, "attachment.moved", detail={"to": rec.org_id}))
    if changes:
        audit.commit(changes, actor=SYSTEM)


def act(user: Principal, complaint_id: str, req: ActionRequest) -> ComplaintView:
    """What the agency did about the case: an inspection, a spot check or monitoring started from it, mediation
    (调解, a complaint), a handover to enforcement (a report). A linked record must be one the handler can read."""
    rec = _handling(user, complaint_id, req.version, {"accepted"})
    if req.kind == "mediation" and rec.case_kind != "complaint":
        raise Unprocessable("mediation is for complaints", errors=[{"field": "body.kind", "message": "a report"}])
    if req.kind == "handover" and rec.case_kind != "report":
        raise Unprocessable(
            "a handover to enforcement follows a report", errors=[{"field": "body.kind", "message": "a complaint"}]
        )
    if req.kind != "mediation":
        _linked(user, req)
    rec.actions = [
        *(rec.actions or ()),
        {"kind": req.kind, "ref_id": req.ref_id, "note": req.note, "by": user.user_id, "at": clock.iso(clock.now())},
    ]
    audit.commit(audit.Change(rec, f"complaint.{req.kind}", detail={"ref_id": req.ref_id}), actor=user.user_id)
    return view(rec)


def _linked(user: Principal, req: ActionRequest) -> None:
    if not req.ref_id:
        raise Unprocessable("name the record it started", errors=[{"field": "body.ref_id", "message": "required"}])
    if req.kind == "inspection":
        from chalicelib.inspections import records as reader
    elif req.kind == "spot_check":
        from chalicelib.spotchecks import service as reader  # type: ignore[no-redef]
    elif req.kind == "monitoring":
        from chalicelib.monitoring import service as reader  # type: ignore[no-redef]
    else:
        from chalicelib.enforcement import service as reader  # type: ignore[no-redef]
    read = getattr(reader, "visible" if req.kind == "spot_check" else "readable")
    try:
        read(user, req.ref_id)
    except NotFoundError:
        raise Unprocessable(
            f"no {req.kind.replace('_', ' ')} {req.ref_id} that you can read",
            errors=[{"field": "body.ref_id", "message": "not found"}],
        ) from None


def answer(user: Principal, complaint_id: str, req: AnswerRequest) -> ComplaintView:
    """办结: the result the filer sees."""
    rec = _handling(user, complaint_id, req.version, {"accepted"})
    rec.answer = {"result": req.result, "text": req.text, "at": clock.iso(clock.now()), "by": user.user_id}
    rec.state, rec.rating, rec.objection = "answered", None, None
    audit.commit(audit.Change(rec, "complaint.answered", detail={"result": req.result}), actor=user.user_id)
    return view(rec)


def review_objection(user: Principal, complaint_id: str, req: ReviewObjectionRequest) -> ComplaintView:
    """A justified objection reopens the case (handled again, answered again); otherwise the case closes."""
    rec = _handling(user, complaint_id, req.version, {"objected"})
    if req.justified:
        rec.answers = [*(rec.answers or ()), {**(rec.answer or {}), "objection": rec.objection}]
        rec.state, rec.answer, rec.reopened = "accepted", None, int(rec.reopened or 0) + 1
    else:
        rec.state = "closed"
    audit.commit(
        audit.Change(
            rec, "complaint.reopened" if req.justified else "complaint.objection_dismissed", detail={"note": req.note}
        ),
        actor=user.user_id,
    )
    return view(rec)


def filer(user: Principal, complaint_id: str) -> FilerView:
    """The filer's identity, for the handling agency's assigned staff only; every read audited (in the case's partition,
    on its read log: the case's own version does not move)."""
    rec = _visible(user, complaint_id)
    if user.org_id != rec.org_id or user.user_id not in set(rec.assignees or ()):
        raise ForbiddenError("only the staff assigned to the case read who filed it")
    found = store.get_filer(complaint_id)

    def attempt() -> None:
        log = store.filer_reads(complaint_id)
        log.reads, log.last_read_by = int(log.reads or 0) + 1, user.user_id
        audit.commit(audit.Change(log, "complaint.filer_read", detail={"by": user.user_id}), actor=user.user_id)

    audit.again_on_conflict(attempt)
    return FilerView(complaint_id=rec.id, anonymous=bool(rec.anonymous), name=found.name, phone=found.phone)


def readable(user: Principal, complaint_id: str) -> store.ComplaintRecord:
    """For the attachment routes: a case the user may see (its files are read with it)."""
    if user.org_kind == "subject":
        raise NotFoundError("not found")
    return _visible(user, complaint_id)


def _stop_clock(rec: store.ComplaintRecord, cause: str, clock_round: int) -> None:
    from . import clocks

    machine = get_settings().clock_state_machine_arn
    if clock_round and machine:  # no machine where no clocks run (a stack without workflows)
        workflows.stop(
            machine,
            kind=clocks.KIND,
            record_id=rec.id,
            transition=clocks.transition(clock_round),
            cause=cause,
        )


def link_inspection(change: RecordChange) -> None:
    """Stream: an inspection started from a case (it names `complaint_id`) joins the case's actions, once.

    The inspection checked the case when it was sent (its agency's, received or accepted); the case records it
    whatever it has become since, as a fact of what was done. A re-delivered change finds the action there.
    """
    if change.kind != "Inspection":
        return
    new = change.new or {}
    complaint_id = new.get("complaint_id")
    if not complaint_id or complaint_id == (change.old or {}).get("complaint_id"):
        return
    inspection_id, by = str(new["id"]), str(new.get("inspected_by") or "")

    def attempt() -> None:
        rec = store.get(complaint_id)
        if any(a.get("kind") == "inspection" and a.get("ref_id") == inspection_id for a in rec.actions or ()):
            return
        rec.actions = [
            *(rec.actions or ()),
            {"kind": "inspection", "ref_id": inspection_id, "note": None, "by": by, "at": clock.iso(clock.now())},
        ]
        audit.commit(audit.Change(rec, "complaint.inspection", detail={"ref_id": inspection_id}), actor=SYSTEM)

    audit.again_on_conflict(attempt)

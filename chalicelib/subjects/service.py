"""Rules for subjects: registration in one's jurisdiction, review, changes, standing, bases and bad records."""

from __future__ import annotations

from chalicelib.codes import formats
from chalicelib.codes import store as code_store
from chalicelib.core import audit, clock
from chalicelib.core.access import OrgKind, Principal, Role, check_access, governs
from chalicelib.core.config import get_settings
from chalicelib.core.errors import (
    AlreadyExistsError,
    ConflictError,
    ForbiddenError,
    InvalidStateError,
    NotFoundError,
    Unprocessable,
    ValidationFailed,
)
from chalicelib.core.ids import new_id
from chalicelib.orgs import store as orgs_store
from chalicelib.orgs.identity import IdentityProvider, NewIdentity, identity_provider
from chalicelib.regions.catalog import catalog

from . import store
from .models import (
    AddBadRecordRequest,
    AddBaseRequest,
    BadRecordPage,
    BadRecordView,
    BasePage,
    BaseView,
    CaptureSubjectRequest,
    ChangeSubjectRequest,
    CompleteRegistrationRequest,
    CreateAccountRequest,
    InvitationView,
    KeyObjectRequest,
    Point,
    RegisterSubjectRequest,
    ReviewRequest,
    StatusRequest,
    SubjectAccountView,
    SubjectListQuery,
    SubjectPage,
    SubjectView,
)

REVIEWERS = frozenset({Role.HEAD, Role.ADMIN})


def view(rec: store.SubjectRecord) -> SubjectView:
    return SubjectView(
        id=rec.id,
        name=rec.name,
        category=rec.category,
        form=rec.form,
        number_kind=rec.number_kind,
        number=rec.number,
        legal_representative=rec.legal_representative,
        contact_phone=rec.contact_phone,
        region=rec.region or "",
        address=rec.address,
        industry=rec.industry,
        state=rec.state,  # type: ignore[arg-type]
        identity_code=rec.identity_code,
        key_object=bool(rec.key_object),
        key_object_reason=rec.key_object_reason,
        bad_records=int(rec.bad_records or 0),
        review=rec.review,
        status_reason=rec.status_reason,
        version=int(rec.version or 0),
    )


def _operating_region(code: str) -> None:
    region = catalog().find(code)
    if region is None or region.level not in {"county", "township"}:
        raise Unprocessable(
            "a subject is registered in a county or township that exists",
            errors=[{"field": "body.region", "message": "not a county or township"}],
        )


def _governing(user: Principal, rec: store.SubjectRecord) -> None:
    """Acts on a subject's standing belong to the supervision agencies over its region."""
    if not governs(user, rec.region or ""):
        raise ForbiddenError("only the supervision agencies over the subject's region may do this")


def visible(user: Principal, subject_id: str) -> store.SubjectRecord:
    """The subject, for its own account, the agencies party to it and those governing its region; else 404."""
    rec = store.get(subject_id)
    check_access(user, region=rec.region, parties={*(rec.parties or ()), rec.id})
    return rec


def register(user: Principal, req: RegisterSubjectRequest) -> SubjectView:
    _operating_region(req.region)
    if not governs(user, req.region):
        raise ForbiddenError("you may register subjects inside your own jurisdiction")
    try:
        number = formats.validate_subject_number(req.number, req.number_kind, field="body.number")
    except ValidationFailed as exc:  # the shape was right (the schema said so); the check character is not
        raise Unprocessable(exc.detail, errors=exc.errors) from None
    rec = store.SubjectRecord(
        id=new_id(),
        name=req.name,
        category=req.category,
        form=req.form,
        number_kind=req.number_kind,
        number=number,
        legal_representative=req.legal_representative,
        contact_phone=req.contact_phone,
        region=req.region,
        address=req.address,
        industry=req.industry,
        state="pending",
        registered_by=user.user_id,
        parties={user.org_id},
    )
    rec.parties = {user.org_id, rec.id}  # the subject is party to its own record: its account acts on it
    try:
        audit.commit(
            audit.Change(rec, "subject.registered"),
            actor=user.user_id,
            claims=[store.SubjectNumberClaim(number=number, subject_id=rec.id)],
        )
    except ConflictError:
        raise AlreadyExistsError("a subject with this number is already registered") from None
    return view(rec)


def capture(user: Principal, req: CaptureSubjectRequest) -> InvitationView:
    """Art 28: a subject found on site is captured with a temporary identity (临时身份码) and invited to register."""
    _operating_region(req.region)
    if not governs(user, req.region):
        raise ForbiddenError("you may capture subjects inside your own jurisdiction")
    county = store.county_of(req.region)
    number = formats.temp_subject_no(county, store.next_in_sequence(f"TEMP#{county}"))
    code = formats.compose_long(
        formats.TraceCode(
            kind=formats.CodeKind.TEMP_SUBJECT_IDENTITY,
            category=formats.SubjectCategory[req.category.upper()],
            form=formats.OrganisationForm[req.form.upper()],
            subject_no=number,
        )
    )
    rec = store.SubjectRecord(
        id=new_id(),
        name=req.name,
        category=req.category,
        form=req.form,
        number_kind="temporary",
        number=number,
        legal_representative=req.legal_representative,
        contact_phone=req.contact_phone,
        region=req.region,
        address=req.address,
        industry=req.industry,
        state="temporary",
        registered_by=user.user_id,
        parties={user.org_id},
        identity_code=code,
    )
    rec.parties = {user.org_id, rec.id}
    audit.commit(
        audit.Change(rec, "subject.captured"),
        actor=user.user_id,
        claims=[code_store.CodeIndex(code=code, subject_id=rec.id)],
    )
    return invitation(rec)


def invitation(rec: store.SubjectRecord) -> InvitationView:
    from chalicelib.codes import qr  # loaded on use: the API's cold start does not need qrcode

    link = f"{get_settings().public_base_url}/register?invite={rec.id}"
    return InvitationView(subject=view(rec), link=link, qr_svg=qr.qr_svg(link).decode())


def complete_registration(user: Principal, subject_id: str, req: CompleteRegistrationRequest) -> SubjectView:
    """The captured subject registers: the same record moves to review, its trail and its temporary code intact."""
    rec = visible(user, subject_id)
    _governing(user, rec)
    if rec.state != "temporary":
        raise InvalidStateError(f"the subject is {rec.state}, not a captured one")
    try:
        number = formats.validate_subject_number(req.number, req.number_kind, field="body.number")
    except ValidationFailed as exc:
        raise Unprocessable(exc.detail, errors=exc.errors) from None
    for name, value in req.model_dump(exclude={"number"}).items():
        setattr(rec, name, value)
    rec.number, rec.state = number, "pending"
    try:
        audit.commit(
            audit.Change(
                rec,
                "subject.registered",
                detail={"from_temporary": True},
                condition=store.SubjectRecord.state == "temporary",
            ),
            actor=user.user_id,
            claims=[store.SubjectNumberClaim(number=number, subject_id=rec.id)],
        )
    except ConflictError:
        raise AlreadyExistsError("a subject with this number is already registered") from None
    return view(rec)


def get(user: Principal, subject_id: str) -> SubjectView:
    return view(visible(user, subject_id))


def listing(user: Principal, query: SubjectListQuery) -> SubjectPage:
    region = catalog().get(query.region)
    if not governs(user, region.code):
        raise NotFoundError("that region is outside your jurisdiction")
    # One Query per page on the county's partition (a township's subjects are listed with its county's).
    if region.level != "county":
        raise Unprocessable(
            "subjects are listed per county", errors=[{"field": "query.region", "message": "not a county"}]
        )
    recs, cursor = store.in_county(region.code, query.state, limit=query.limit, cursor=query.cursor)
    return SubjectPage(items=[view(r) for r in recs], next_cursor=cursor)


def review(user: Principal, subject_id: str, req: ReviewRequest) -> SubjectView:
    """入驻审核: exactly one reviewer decides; a second decision on the same subject is a 409."""
    return decide(user, visible(user, subject_id), req)


def decide(user: Principal, rec: store.SubjectRecord, req: ReviewRequest) -> SubjectView:
    """The decision on a subject as the reviewer read it: if another decided meanwhile, the write is refused."""
    _governing(user, rec)
    if user.org_kind != OrgKind.SUPERVISION:
        raise ForbiddenError("admission is reviewed by the supervision agency")
    if rec.state != "pending":
        raise InvalidStateError(f"the subject is already {rec.state}")
    if req.decision == "reject" and not req.reasons:
        raise Unprocessable("a rejection states its reasons", errors=[{"field": "body.reasons", "message": "required"}])
    rec.review = {
        "decision": req.decision,
        "reasons": req.reasons,
        "by": user.user_id,
        "org": user.org_id,
        "at": clock.iso(clock.now()),
    }
    rec.parties = {*(rec.parties or ()), user.org_id}
    claims = []
    if req.decision == "approve":
        rec.state = "approved"
        rec.identity_code = formats.subject_identity_code(
            formats.SubjectCategory[rec.category.upper()], formats.OrganisationForm[rec.form.upper()], rec.number
        )
        claims.append(code_store.CodeIndex(code=rec.identity_code, subject_id=rec.id))
    else:
        rec.state = "rejected"
    audit.commit(
        audit.Change(
            rec,
            f"subject.{rec.state}",
            detail={"reasons": req.reasons},
            condition=store.SubjectRecord.state == "pending",
        ),
        actor=user.user_id,
        # The identity code is claimed with the decision: scanning it finds this subject, and nothing else.
        claims=claims,
    )
    return view(rec)


def change(user: Principal, subject_id: str, req: ChangeSubjectRequest) -> SubjectView:
    """变更: the subject itself or an agency over it changes its contact data; old values stay in the audit."""
    rec = visible(user, subject_id)
    if user.org_id != rec.id:
        _governing(user, rec)
    if rec.state not in {"pending", "approved"}:
        raise InvalidStateError(f"a {rec.state} subject is not changed")
    if int(rec.version or 0) != req.version:
        raise ConflictError("the subject was changed since you read it")
    changes = req.model_dump(exclude={"version"}, exclude_none=True)
    before = {name: getattr(rec, name) for name in changes}
    for name, value in changes.items():
        setattr(rec, name, value)
    audit.commit(audit.Change(rec, "subject.changed", detail={"before": before, "after": changes}), actor=user.user_id)
    return view(rec)


def set_standing(user: Principal, subject_id: str, to: str, req: StatusRequest) -> SubjectView:
    """撤销 (by the agency) or 注销 (by the agency or the subject itself) of an approved subject."""
    rec = visible(user, subject_id)
    if not (to == "cancelled" and user.org_id == rec.id):
        _governing(user, rec)
        if not user.has_any(REVIEWERS):
            raise ForbiddenError("a head or admin of the agency decides a subject's standing")
    if rec.state != "approved":
        raise InvalidStateError(f"only an approved subject is {to}; this one is {rec.state}")
    rec.state, rec.status_reason = to, req.reason
    audit.commit(
        audit.Change(
            rec, f"subject.{to}", detail={"reason": req.reason}, condition=store.SubjectRecord.state == "approved"
        ),
        actor=user.user_id,
    )
    return view(rec)


def flag_key_object(user: Principal, subject_id: str, req: KeyObjectRequest) -> SubjectView:
    """重点监管对象: key objects enter spot checks without a random draw."""
    rec = visible(user, subject_id)
    _governing(user, rec)
    if rec.state != "approved":
        raise InvalidStateError("only an approved subject is a key supervision object")
    rec.key_object, rec.key_object_reason = req.key_object, req.reason
    audit.commit(
        audit.Change(
            rec, "subject.key_object" if req.key_object else "subject.key_object_cleared", detail={"reason": req.reason}
        ),
        actor=user.user_id,
    )
    return view(rec)


def add_bad_record(user: Principal, subject_id: str, req: AddBadRecordRequest) -> BadRecordView:
    rec = visible(user, subject_id)
    _governing(user, rec)
    return bad_record_view(_add_bad_record(rec, req, org_id=user.org_id, actor=user.user_id))


def penalty_changes(subject_id: str, req: AddBadRecordRequest, *, org_id: str) -> tuple[list[audit.Change], str]:
    """An enforcement case archived with a penalty (查处结果) adds the subject's bad record: the changes to commit
    together with the case, so a retried archive cannot add it twice. Returns (changes, bad record id)."""
    bad, changes = _bad_record_changes(store.get(subject_id), req, org_id=org_id)
    return changes, bad.id


def _add_bad_record(rec: store.SubjectRecord, req: AddBadRecordRequest, *, org_id: str, actor: str) -> store.BadRecord:
    bad, changes = _bad_record_changes(rec, req, org_id=org_id)
    audit.commit(changes, actor=actor)
    return bad


def _bad_record_changes(
    rec: store.SubjectRecord, req: AddBadRecordRequest, *, org_id: str
) -> tuple[store.BadRecord, list[audit.Change]]:
    bad = store.BadRecord(
        id=new_id(),
        subject_id=rec.id,
        kind_of_record=req.kind,
        description=req.description,
        occurred_on=req.occurred_on,
        source_ref=req.source_ref,
        recorded_by_org=org_id,
        region=rec.region,
        parties={*(rec.parties or ()), rec.id},
    )
    rec.bad_records = int(rec.bad_records or 0) + 1
    return bad, [
        audit.Change(bad, "bad_record.added"),
        audit.Change(rec, "subject.bad_record_added", detail={"bad_record": bad.id}),
    ]


def bad_record_view(bad: store.BadRecord) -> BadRecordView:
    return BadRecordView(
        id=bad.id,
        subject_id=bad.subject_id,
        kind=bad.kind_of_record,
        description=bad.description,
        occurred_on=bad.occurred_on,
        source_ref=bad.source_ref,
        recorded_by_org=bad.recorded_by_org,
    )


def bad_records(user: Principal, subject_id: str, limit: int, cursor: str | None) -> BadRecordPage:
    rec = visible(user, subject_id)
    items, next_cursor = store.bad_records_of(rec.id, limit=limit, cursor=cursor)
    return BadRecordPage(items=[bad_record_view(b) for b in items], next_cursor=next_cursor)


def base_view(base: store.BaseRecord) -> BaseView:
    return BaseView(
        id=base.id,
        subject_id=base.subject_id,
        name=base.name,
        location=Point(lng=base.lng, lat=base.lat),
        polygon=[Point(**p) for p in base.polygon] if base.polygon else None,
        area_mu=float(base.area_mu) if base.area_mu is not None else None,
        products=sorted(base.products or []),
    )


def add_base(user: Principal, subject_id: str, req: AddBaseRequest) -> BaseView:
    """基地: added by the subject itself or a supervisor over it."""
    rec = visible(user, subject_id)
    if user.org_id != rec.id:
        _governing(user, rec)
    if rec.state in {"rejected", "revoked", "cancelled"}:
        raise InvalidStateError(f"a {rec.state} subject gets no new bases")
    base = store.BaseRecord(
        id=new_id(),
        subject_id=rec.id,
        name=req.name,
        lng=req.location.lng,
        lat=req.location.lat,
        polygon=[p.model_dump() for p in req.polygon] if req.polygon else None,
        area_mu=req.area_mu,
        products=set(req.products) or None,
        region=rec.region,
        parties={*(rec.parties or ()), rec.id},
    )
    audit.commit(audit.Change(base, "base.added"), actor=user.user_id)
    return base_view(base)


def readable_base(user: Principal, base_id: str) -> store.BaseRecord:
    """A base, if the user may see its subject (its photos are read and attached through this)."""
    base = store.get_base(base_id)
    check_access(user, region=base.region, parties=base.parties or ())
    return base


def bases(user: Principal, subject_id: str, limit: int, cursor: str | None) -> BasePage:
    rec = visible(user, subject_id)
    items, next_cursor = store.bases_of(rec.id, limit=limit, cursor=cursor)
    return BasePage(items=[base_view(b) for b in items], next_cursor=next_cursor)


def create_account(
    user: Principal, subject_id: str, req: CreateAccountRequest, identities: IdentityProvider | None = None
) -> SubjectAccountView:
    """主体账号: an agency over an approved subject opens its account; the account sees only its subject."""
    rec = visible(user, subject_id)
    _governing(user, rec)
    if rec.state != "approved":
        raise InvalidStateError("accounts are opened for approved subjects")
    sub = (identities or identity_provider()).provision(
        NewIdentity(username=req.username, email=req.email, phone=req.phone, name=req.name, subject=req.subject)
    )
    account = orgs_store.UserRecord(
        id=sub,
        username=req.username,
        name=req.name,
        phone=req.phone,
        email=req.email,
        org_id=rec.id,
        org_kind=OrgKind.SUBJECT,
        region=rec.region,
        roles={Role.SUBJECT.value},
        active=True,
    )
    try:
        audit.commit(audit.Change(account, "user.created", detail={"subject": rec.id}), actor=user.user_id)
    except ConflictError:
        raise AlreadyExistsError(f"user {req.username} already exists") from None
    return SubjectAccountView(user_id=sub, username=req.username, subject_id=rec.id)

"""Rules for agencies and users: who may create and change whom, and where."""

from __future__ import annotations

from chalicelib.core import audit
from chalicelib.core.access import OrgKind, Principal, Role, check_access, governs
from chalicelib.core.errors import AlreadyExistsError, ConflictError, ForbiddenError, NotFoundError, Unprocessable
from chalicelib.core.ids import new_id
from chalicelib.regions.catalog import catalog, contains

from . import store
from .identity import IdentityProvider, NewIdentity, identity_provider
from .models import (
    AgencyListQuery,
    AgencyPage,
    AgencyView,
    Certificate,
    CreateAgencyRequest,
    CreateUserRequest,
    MeView,
    UpdateAgencyRequest,
    UpdateUserRequest,
    UserPage,
    UserView,
)

# Which roles a user may hold in each kind of agency.
ROLES_BY_KIND: dict[str, frozenset[Role]] = {
    OrgKind.SUPERVISION: frozenset({Role.ADMIN, Role.HEAD, Role.SUPERVISOR, Role.SAMPLER, Role.DISPATCHER}),
    OrgKind.TESTING: frozenset({Role.ADMIN, Role.HEAD, Role.LAB_MANAGER, Role.LAB_ANALYST, Role.SAMPLER}),
    OrgKind.ENFORCEMENT: frozenset({Role.ADMIN, Role.HEAD, Role.ENFORCEMENT_OFFICER, Role.SUPERVISOR}),
    OrgKind.MINISTRY: frozenset({Role.ADMIN, Role.HEAD, Role.MINISTRY_ANALYST, Role.DISPATCHER}),
    OrgKind.ENTRUSTED_SERVICE: frozenset({Role.ADMIN, Role.HEAD, Role.SUPERVISOR, Role.SAMPLER, Role.LAB_ANALYST}),
}
CERTIFIED_ROLES = frozenset({Role.SUPERVISOR, Role.SAMPLER, Role.ENFORCEMENT_OFFICER})


def agency_view(rec: store.AgencyRecord) -> AgencyView:
    region = catalog().find(rec.region or "")
    return AgencyView(
        id=rec.id,
        name=rec.name,
        kind=rec.org_kind,
        level=region.level if region else "unknown",
        region=rec.region or "",
        region_name=region.name if region else "",
        parent_id=rec.parent_id,
        credit_code=rec.credit_code,
        contact_phone=rec.contact_phone,
        address=rec.address,
        active=bool(rec.active),
        version=int(rec.version or 0),
    )


def user_view(rec: store.UserRecord) -> UserView:
    cert = (
        Certificate(number=rec.cert_no, valid_until=rec.cert_valid_until)
        if rec.cert_no and rec.cert_valid_until
        else None
    )
    return UserView(
        id=rec.id,
        username=rec.username,
        name=rec.name,
        org_id=rec.org_id,
        org_kind=rec.org_kind,
        region=rec.region or "",
        roles=sorted(rec.roles or []),
        phone=rec.phone,
        email=rec.email,
        township=rec.township,
        certificate=cert,
        active=bool(rec.active),
        version=int(rec.version or 0),
    )


def _visible_agency(user: Principal, agency_id: str) -> store.AgencyRecord:
    rec = store.get_agency(agency_id)
    check_access(user, region=rec.region, parties=[rec.id])
    return rec


def _check_region(region: str, field: str) -> None:
    if catalog().find(region) is None:
        raise Unprocessable(f"unknown region {region}", errors=[{"field": field, "message": "unknown region"}])


def create_agency(user: Principal, req: CreateAgencyRequest) -> AgencyView:
    _check_region(req.region, "body.region")
    if not governs(user, req.region):
        raise ForbiddenError("you may only create agencies inside your own jurisdiction")
    parent = _visible_agency(user, req.parent_id or user.org_id)
    if not contains(parent.region or "", req.region):
        raise Unprocessable(
            "the parent agency's region must contain the new agency's region",
            errors=[{"field": "body.parent_id", "message": "region outside the parent's"}],
        )
    rec = store.AgencyRecord(
        id=new_id(),
        name=req.name,
        org_kind=req.kind,
        region=req.region,
        parent_id=parent.id,
        credit_code=req.credit_code,
        contact_phone=req.contact_phone,
        address=req.address,
        active=True,
    )
    audit.commit(audit.Change(rec, "agency.created"), actor=user.user_id)
    return agency_view(rec)


def get_agency(user: Principal, agency_id: str) -> AgencyView:
    return agency_view(_visible_agency(user, agency_id))


def update_agency(user: Principal, agency_id: str, req: UpdateAgencyRequest) -> AgencyView:
    rec = _visible_agency(user, agency_id)
    # An agency keeps its own contact data; its standing (active) is decided by an agency above it.
    own = rec.id == user.org_id
    if own and req.active is not None:
        raise ForbiddenError("only an agency above may change this agency's status")
    if not own and not governs(user, rec.region or ""):
        raise ForbiddenError("you may only change agencies you govern")
    if int(rec.version or 0) != req.version:
        raise ConflictError("the agency was changed since you read it")
    changes = req.model_dump(exclude={"version"}, exclude_none=True)
    for name, value in changes.items():
        setattr(rec, name, value)
    audit.commit(audit.Change(rec, "agency.updated", detail=changes), actor=user.user_id)
    return agency_view(rec)


def list_agencies(user: Principal, query: AgencyListQuery) -> AgencyPage:
    if query.parent_id:
        parent = _visible_agency(user, query.parent_id)
        if not governs(user, parent.region or ""):
            raise NotFoundError("not found in your jurisdiction")
        recs, cursor = store.list_child_agencies(parent.id, limit=query.limit, cursor=query.cursor)
    else:
        region = query.region or user.org_region
        if not governs(user, region):
            raise NotFoundError("that region is outside your jurisdiction")
        recs, cursor = store.list_agencies_in(region, limit=query.limit, cursor=query.cursor)
    return AgencyPage(items=[agency_view(r) for r in recs], next_cursor=cursor)


def _check_roles(org: store.AgencyRecord, roles: list[Role], cert: Certificate | None, township: str | None) -> None:
    allowed = ROLES_BY_KIND[org.org_kind]
    wrong = [r.value for r in roles if r not in allowed]
    if wrong:
        raise Unprocessable(
            f"roles {wrong} do not exist in a {org.org_kind} agency",
            errors=[{"field": "body.roles", "message": f"not allowed in a {org.org_kind} agency"}],
        )
    if cert and not CERTIFIED_ROLES & set(roles):
        raise Unprocessable(
            "an enforcement certificate belongs to a supervisor, sampler or enforcement officer",
            errors=[{"field": "body.certificate", "message": "no certified role"}],
        )
    if township:
        region = catalog().find(township)
        if region is None or region.level != "township" or not contains(org.region or "", township):
            raise Unprocessable(
                "township must be a township inside the agency's region",
                errors=[{"field": "body.township", "message": "not a township of this agency"}],
            )


def _may_manage_users(user: Principal, org: store.AgencyRecord, roles: list[Role] | None) -> None:
    if org.id == user.org_id:
        return
    # An agency above may appoint the first admin of an agency it governs, and nothing else there.
    if governs(user, org.region or "") and (roles is None or set(roles) <= {Role.ADMIN}):
        return
    raise ForbiddenError("you may only manage users of your own agency")


def create_user(
    user: Principal, org_id: str, req: CreateUserRequest, identities: IdentityProvider | None = None
) -> UserView:
    org = _visible_agency(user, org_id)
    _may_manage_users(user, org, req.roles)
    _check_roles(org, req.roles, req.certificate, req.township)
    identities = identities or identity_provider()
    subject = identities.provision(
        NewIdentity(username=req.username, email=req.email, phone=req.phone, name=req.name, subject=req.subject)
    )
    rec = store.UserRecord(
        id=subject,
        username=req.username,
        name=req.name,
        phone=req.phone,
        email=req.email,
        org_id=org.id,
        org_kind=org.org_kind,
        region=org.region,
        roles={r.value for r in req.roles},
        township=req.township,
        cert_no=req.certificate.number if req.certificate else None,
        cert_valid_until=req.certificate.valid_until if req.certificate else None,
        active=True,
    )
    try:
        audit.commit(audit.Change(rec, "user.created", detail={"roles": sorted(rec.roles)}), actor=user.user_id)
    except ConflictError:
        raise AlreadyExistsError(f"user {req.username} already exists") from None
    return user_view(rec)


def _visible_user(user: Principal, user_id: str) -> tuple[store.UserRecord, store.AgencyRecord]:
    rec = store.get_user(user_id)
    check_access(user, region=rec.region, parties=[rec.org_id])
    return rec, store.get_agency(rec.org_id)


def get_user(user: Principal, user_id: str) -> UserView:
    rec = store.get_user(user_id)
    check_access(user, region=rec.region, parties=[rec.org_id])
    return user_view(rec)


def update_user(
    user: Principal, user_id: str, req: UpdateUserRequest, identities: IdentityProvider | None = None
) -> UserView:
    rec, org = _visible_user(user, user_id)
    _may_manage_users(user, org, req.roles if req.roles is not None else [Role(r) for r in rec.roles])
    if rec.id == user.user_id and (req.active is False or (req.roles is not None and Role.ADMIN not in req.roles)):
        raise ForbiddenError("you cannot disable yourself or remove your own admin role")
    if int(rec.version or 0) != req.version:
        raise ConflictError("the user was changed since you read it")
    roles = req.roles if req.roles is not None else [Role(r) for r in rec.roles]
    cert = req.certificate or (
        Certificate(number=rec.cert_no, valid_until=rec.cert_valid_until)
        if rec.cert_no and rec.cert_valid_until
        else None
    )
    _check_roles(org, roles, cert, req.township if req.township is not None else rec.township)
    detail: dict[str, object] = {}
    if req.name is not None:
        rec.name = detail["name"] = req.name
    if req.roles is not None:
        rec.roles = {r.value for r in req.roles}
        detail["roles"] = sorted(rec.roles)
    if req.township is not None:
        rec.township = detail["township"] = req.township
    if req.certificate is not None:
        rec.cert_no, rec.cert_valid_until = req.certificate.number, req.certificate.valid_until
        detail["certificate"] = req.certificate.model_dump(mode="json")
    if req.active is not None and req.active != rec.active:
        (identities or identity_provider()).set_enabled(rec.username, req.active)
        rec.active = detail["active"] = req.active
    audit.commit(audit.Change(rec, "user.updated", detail=detail), actor=user.user_id)
    return user_view(rec)


def list_users(user: Principal, org_id: str, limit: int, cursor: str | None) -> UserPage:
    org = _visible_agency(user, org_id)
    if org.id != user.org_id and not governs(user, org.region or ""):
        raise NotFoundError("not found in your jurisdiction")
    recs, next_cursor = store.list_users_of(org.id, limit=limit, cursor=cursor)
    return UserPage(items=[user_view(r) for r in recs], next_cursor=next_cursor)


def me(user: Principal) -> MeView:
    return MeView(user=user_view(store.get_user(user.user_id)), agency=agency_view(store.get_agency(user.org_id)))


def _org_in_standing(rec: store.UserRecord) -> bool:
    if rec.org_kind == OrgKind.SUBJECT:
        # A subject's account signs in while its subject is approved (imported here: subjects build on orgs).
        from chalicelib.subjects import store as subjects

        return subjects.get(rec.org_id).state == "approved"
    return bool(store.get_agency(rec.org_id).active)


def principal_for(subject: str) -> Principal | None:
    """The principal an authenticated subject acts as, or None for an unknown or disabled user."""
    try:
        rec = store.get_user(subject)
        if not rec.active or not _org_in_standing(rec):
            return None
    except NotFoundError:
        return None
    return Principal(
        user_id=rec.id,
        org_id=rec.org_id,
        org_kind=rec.org_kind,
        org_region=rec.region or "",
        roles=frozenset(rec.roles or ()),
        township=rec.township,
        cert_no=rec.cert_no,
        cert_valid_until=rec.cert_valid_until,
    )

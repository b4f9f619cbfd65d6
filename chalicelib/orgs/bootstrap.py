"""The first agency and admin of a new deployment: the ministry (农业农村部) at national level."""

from __future__ import annotations

from chalicelib.core import audit
from chalicelib.core.access import OrgKind, Role
from chalicelib.core.errors import NotFoundError
from chalicelib.core.ids import new_id
from chalicelib.regions.catalog import NATIONAL

from . import store
from .identity import IdentityProvider, NewIdentity, identity_provider

SYSTEM_ACTOR = "system:bootstrap"


def bootstrap_national(
    *,
    agency_name: str,
    username: str,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    subject: str | None = None,
    identities: IdentityProvider | None = None,
) -> tuple[store.AgencyRecord, store.UserRecord]:
    """Create the national ministry agency and its first admin; running it again changes nothing."""
    sub = (identities or identity_provider()).provision(
        NewIdentity(username=username, email=email, phone=phone, name=name, subject=subject)
    )
    try:
        user = store.get_user(sub)
        return store.get_agency(user.org_id), user
    except NotFoundError:
        pass
    agency = store.AgencyRecord(id=new_id(), name=agency_name, org_kind=OrgKind.MINISTRY, region=NATIONAL, active=True)
    user = store.UserRecord(
        id=sub,
        username=username,
        name=name,
        email=email,
        phone=phone,
        org_id=agency.id,
        org_kind=agency.org_kind,
        region=NATIONAL,
        roles={Role.ADMIN.value},
        active=True,
    )
    audit.commit(
        [audit.Change(agency, "agency.created"), audit.Change(user, "user.created", detail={"roles": ["admin"]})],
        actor=SYSTEM_ACTOR,
    )
    return agency, user

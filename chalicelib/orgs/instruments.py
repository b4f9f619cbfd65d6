"""Lab instruments' machine credentials: issued to a lab, shown once, stored hashed, revocable at once."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from chalicelib.core import audit
from chalicelib.core.access import Principal, Role, check_access
from chalicelib.core.errors import ForbiddenError, InvalidStateError, NotFoundError
from chalicelib.core.ids import new_id

from . import store
from .models import CreateInstrumentKeyRequest, InstrumentKeyPage, InstrumentKeyView, IssuedInstrumentKey

SCHEME = "Instrument"
_CREDENTIAL = re.compile(r"^Instrument ([0-9A-HJKMNP-TV-Z]{26})\.([A-Za-z0-9_-]{43})$")


def _digest(secret: str) -> str:
    # The secret is 256 random bits: a plain hash is enough, no password stretching needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def view(rec: store.InstrumentKeyRecord) -> InstrumentKeyView:
    return InstrumentKeyView(
        id=rec.id,
        org_id=rec.org_id,
        name=rec.name,
        state=rec.state,
        created_at=rec.created_at or "",  # type: ignore[arg-type]
    )


def issue(user: Principal, req: CreateInstrumentKeyRequest) -> IssuedInstrumentKey:
    if user.org_kind != "testing":
        raise ForbiddenError("instrument keys are issued to testing agencies")
    secret = secrets.token_urlsafe(32)
    rec = store.InstrumentKeyRecord(
        id=new_id(),
        org_id=user.org_id,
        name=req.name,
        secret_sha256=_digest(secret),
        state="active",
        created_by=user.user_id,
        region=user.org_region,
    )
    audit.commit(audit.Change(rec, "instrument_key.issued"), actor=user.user_id)
    return IssuedInstrumentKey(key=view(rec), authorization=f"{SCHEME} {rec.id}.{secret}")


def listing(user: Principal, limit: int, cursor: str | None) -> InstrumentKeyPage:
    recs, next_cursor = store.instrument_keys_of(user.org_id, limit=limit, cursor=cursor)
    return InstrumentKeyPage(items=[view(r) for r in recs], next_cursor=next_cursor)


def revoke(user: Principal, key_id: str) -> InstrumentKeyView:
    rec = store.get_instrument_key(key_id)
    check_access(user, region=None, parties={rec.org_id})
    if rec.state != "active":
        raise InvalidStateError("the key is already revoked")
    rec.state, rec.revoked_by = "revoked", user.user_id
    audit.commit(
        audit.Change(rec, "instrument_key.revoked", condition=store.InstrumentKeyRecord.state == "active"),
        actor=user.user_id,
    )
    return view(rec)


def principal_for_credential(header: str) -> Principal | None:
    """The lab an `Instrument <id>.<secret>` header stands for, or None (unknown, wrong secret, revoked)."""
    match = _CREDENTIAL.match(header or "")
    if not match:
        return None
    key_id, secret = match.groups()
    try:
        rec = store.get_instrument_key(key_id)
        org = store.get_agency(rec.org_id)
    except NotFoundError:
        return None
    if not hmac.compare_digest(rec.secret_sha256, _digest(secret)) or rec.state != "active" or not org.active:
        return None
    return Principal(
        user_id=f"instrument:{rec.id}",
        org_id=org.id,
        org_kind=org.org_kind,
        org_region=org.region or "",
        roles=frozenset({Role.INSTRUMENT}),
    )

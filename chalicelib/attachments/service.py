"""Rules for attachments: who may attach to what, and what a real upload must look like."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger

from chalicelib.complaints import service as complaints
from chalicelib.core import audit, storage
from chalicelib.core.access import Principal, check_access
from chalicelib.core.config import get_settings
from chalicelib.core.db import Entity
from chalicelib.core.errors import ConflictError, ForbiddenError, NotFoundError, PayloadTooLarge
from chalicelib.core.ids import new_id
from chalicelib.dispatch import service as dispatch
from chalicelib.enforcement import service as enforcement
from chalicelib.inspections import records as inspections
from chalicelib.monitoring import service as monitoring
from chalicelib.spotchecks import service as spotchecks
from chalicelib.subjects import service as subjects
from chalicelib.supervision import entrusted as entrusted_tests
from chalicelib.supervision import service as daily
from chalicelib.testing import service as testing

from . import store
from .models import AttachmentListQuery, AttachmentPage, AttachmentView, CreateAttachmentRequest, UploadTicket

logger = Logger(service="agritrace")
SYSTEM = "system:uploads"

# owner kind -> the record, if the user may see it. Seeing a record lets one read its files;
# attaching one takes being a party to the record.
OWNERS: dict[str, Callable[[Principal, str], Entity]] = {
    "instruction": dispatch.readable,
    "subject": subjects.visible,
    "base": subjects.readable_base,
    "monitoring_task": monitoring.readable,
    "assignment": monitoring.readable_assignment,
    "sample": testing.visible_sample,
    "spotcheck": spotchecks.visible,
    "case": enforcement.readable,
    "inspection": inspections.attachable,
    "daily_inspection": daily.attachable,
    "entrusted_test": entrusted_tests.attachable,
    "complaint": complaints.readable,
}

MAGIC: dict[str, Callable[[bytes], bool]] = {
    "image/jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "image/png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    "application/pdf": lambda h: h.startswith(b"%PDF-"),
    "video/mp4": lambda h: h[4:8] == b"ftyp",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": lambda h: h.startswith(b"PK\x03\x04"),
    "text/csv": lambda h: b"\x00" not in h and _utf8_prefix(h),
}


def _utf8_prefix(head: bytes) -> bool:
    for cut in range(4):  # the head may end inside a multi-byte character
        try:
            head[: len(head) - cut].decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


def view(rec: store.AttachmentRecord, *, with_url: bool = False) -> AttachmentView:
    return AttachmentView(
        id=rec.id,
        owner_kind=rec.owner_kind,
        owner_id=rec.owner_id,
        filename=rec.filename,
        content_type=rec.content_type,
        state=rec.state,
        size=int(rec.size) if rec.size is not None else None,  # type: ignore[arg-type]
        sha256=rec.sha256,
        problem=rec.problem,
        download_url=storage.presigned_get(rec.key, rec.filename) if with_url and rec.state == "attached" else None,
    )


def request_upload(user: Principal, req: CreateAttachmentRequest) -> UploadTicket:
    limit = get_settings().max_upload_bytes
    if req.size > limit:
        raise PayloadTooLarge(f"files are at most {limit} bytes")
    owner = OWNERS[req.owner_kind](user, req.owner_id)
    parties = set(getattr(owner, "parties", None) or ())
    if user.org_id not in parties:
        raise ForbiddenError("only the agencies party to a record attach files to it")
    if req.id is not None:
        again = _asked_again(req)
        if again is not None:
            return UploadTicket(
                attachment=view(again), upload=storage.presigned_post(again.key, req.content_type, req.size)
            )
    attachment_id = req.id or new_id()
    # The key comes from the server-side record, never from the client.
    rec = store.AttachmentRecord(
        id=attachment_id,
        owner_kind=req.owner_kind,
        owner_id=req.owner_id,
        region=owner.region,
        parties=parties,
        filename=req.filename,
        content_type=req.content_type,
        declared_size=req.size,
        declared_sha256=req.sha256,
        state="pending",
        uploaded_by=user.user_id,
        key=f"{storage.UPLOAD_PREFIX}{req.owner_kind}/{req.owner_id}/{attachment_id}",
    )
    condition = store.AttachmentRecord.pk.does_not_exist()
    try:
        audit.commit(audit.Change(rec, "attachment.requested", condition=condition), actor=user.user_id)
    except ConflictError:
        again = _asked_again(req)  # two sends of the phone's request crossing
        if again is None:
            raise
        rec = again
    return UploadTicket(attachment=view(rec), upload=storage.presigned_post(rec.key, req.content_type, req.size))


def _asked_again(req: CreateAttachmentRequest) -> store.AttachmentRecord | None:
    """The attachment under the phone's id, if it is this file asked for again (else the id is taken: 409)."""
    try:
        rec = store.get(str(req.id))
    except NotFoundError:
        return None
    same = (rec.owner_kind, rec.owner_id, rec.filename, rec.content_type, int(rec.declared_size), rec.declared_sha256)
    if same != (req.owner_kind, req.owner_id, req.filename, req.content_type, req.size, req.sha256):
        raise ConflictError("an attachment with this id was asked for another file: make a new id")
    if rec.state != "pending":
        raise ConflictError(f"this attachment was uploaded already ({rec.state})")
    return rec


def _visible(user: Principal, attachment_id: str) -> store.AttachmentRecord:
    rec = store.get(attachment_id)
    check_access(user, region=rec.region, parties=rec.parties or ())
    return rec


def get(user: Principal, attachment_id: str) -> AttachmentView:
    return view(_visible(user, attachment_id), with_url=True)


def listing(user: Principal, query: AttachmentListQuery) -> AttachmentPage:
    OWNERS[query.owner_kind](user, query.owner_id)
    recs, cursor = store.of_owner(query.owner_kind, query.owner_id, limit=query.limit, cursor=query.cursor)
    return AttachmentPage(items=[view(r) for r in recs], next_cursor=cursor)


def verify_upload(bucket: str, raw_key: str) -> str:
    """S3 event: check the real bytes against what was declared; attach, or quarantine. Idempotent."""
    key = unquote_plus(raw_key)
    if not key.startswith(storage.UPLOAD_PREFIX):
        return "ignored"
    attachment_id = key.rsplit("/", 1)[-1]
    try:
        rec = store.get(attachment_id)
    except NotFoundError:
        storage.move(bucket, key, storage.QUARANTINE_PREFIX + key)
        logger.warning("upload without an attachment record", extra={"key": key})
        return "orphan"
    if rec.state != "pending" or rec.key != key:
        return rec.state
    try:
        found = storage.inspect(bucket, key)
    except NotFoundError:
        return rec.state  # a re-delivered event for an object already moved
    problem = _problem(rec, found)
    rec.size, rec.sha256 = found.size, found.sha256
    if problem:
        rec.key = storage.QUARANTINE_PREFIX + key
        storage.move(bucket, key, rec.key)
        rec.state, rec.problem = "quarantined", problem
    else:
        rec.state = "attached"
    audit.commit(
        audit.Change(
            rec,
            f"attachment.{rec.state}",
            detail={"sha256": found.sha256, "problem": problem},
            condition=store.AttachmentRecord.state == "pending",
        ),
        actor=SYSTEM,
    )
    return rec.state


def _problem(rec: store.AttachmentRecord, found: storage.StoredObject) -> str | None:
    if found.size > int(rec.declared_size) or found.size > get_settings().max_upload_bytes:
        return f"{found.size} bytes, more than the {int(rec.declared_size)} declared"
    if not MAGIC[rec.content_type](found.head):
        return f"the bytes are not {rec.content_type}"
    if rec.declared_sha256 and found.sha256 != rec.declared_sha256:
        return "the bytes are not the file declared (their SHA-256 differs)"
    return None

"""Data access for attachments."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute

from chalicelib.core.db import Entity, fetch, query_page


class AttachmentRecord(Entity, discriminator="Attachment"):
    """Attachment (附件) of a record: a file in S3 with its verified size and sha256."""

    id = UnicodeAttribute()
    owner_kind = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    parties = UnicodeSetAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    declared_size = NumberAttribute()
    declared_sha256 = UnicodeAttribute(null=True)  # the phone's hash of the file, when it gave one
    key = UnicodeAttribute()
    state = UnicodeAttribute()
    uploaded_by = UnicodeAttribute()
    size = NumberAttribute(null=True)
    sha256 = UnicodeAttribute(null=True)
    problem = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"ATT#{self.id}"
        self.sk = "ATT"
        self.gsi1pk = f"ATTOF#{self.owner_kind}#{self.owner_id}"
        self.gsi1sk = f"{self.created_at}#{self.id}"


def get(attachment_id: str) -> AttachmentRecord:
    return fetch(AttachmentRecord, f"ATT#{attachment_id}", "ATT", what="attachment")


def of_owner(
    owner_kind: str, owner_id: str, *, limit: int, cursor: str | None
) -> tuple[list[AttachmentRecord], str | None]:
    return query_page(
        AttachmentRecord,
        ("gsi1pk", f"ATTOF#{owner_kind}#{owner_id}"),
        index=AttachmentRecord.gsi1,
        limit=limit,
        cursor=cursor,
    )


def get_many(attachment_ids: list[str]) -> dict[str, AttachmentRecord]:
    """Many attachments at once: one BatchGetItem per 100; the ids not found are left out."""
    keys = [(f"ATT#{i}", "ATT") for i in sorted(set(attachment_ids))]
    return {a.id: a for a in AttachmentRecord.batch_get(keys)} if keys else {}

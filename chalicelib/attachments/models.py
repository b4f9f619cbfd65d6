"""Requests and views of attachments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from chalicelib.core.models import MAX_UPLOAD_BYTES, Filename, Integer, PageQuery, Sha256, Strict, Ulid, View

ContentType = Literal[
    "image/jpeg",
    "image/png",
    "video/mp4",
    "application/pdf",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
]
# A record's id; an assignment's is its task's, role and lab's ("<task>.unit.<lab>").
OwnerId = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}(\.(lead|unit)\.[0-9A-HJKMNP-TV-Z]{26})?$")]
OwnerKind = Literal[
    "instruction",
    "subject",
    "base",
    "monitoring_task",
    "assignment",
    "sample",
    "spotcheck",
    "case",
    "inspection",
    "daily_inspection",
    "entrusted_test",
    "complaint",
]


class CreateAttachmentRequest(Strict):
    owner_kind: OwnerKind
    owner_id: OwnerId
    filename: Filename
    content_type: ContentType
    size: Integer = Field(gt=0, le=MAX_UPLOAD_BYTES, description="bytes; the upload may not be larger")
    id: Ulid | None = Field(
        default=None,
        description="made by the phone when the record naming the file was made offline (an inspection's photos and "
        "signature); asked again for the same file, the same attachment answers",
    )
    sha256: Sha256 | None = Field(
        default=None, description="the file's SHA-256 as the phone hashed it: bytes that hash otherwise are quarantined"
    )


class AttachmentView(View):
    """Attachment (附件)."""

    id: str
    owner_kind: str
    owner_id: str
    filename: str
    content_type: str
    state: Literal["pending", "attached", "quarantined"]
    size: int | None
    sha256: str | None
    problem: str | None
    download_url: str | None = None


class UploadTicket(View):
    attachment: AttachmentView
    upload: dict[str, Any] = Field(description="POST the file to `url` as multipart form with these `fields`")


class AttachmentListQuery(PageQuery):
    owner_kind: OwnerKind
    owner_id: OwnerId


class AttachmentPage(View):
    items: list[AttachmentView]
    next_cursor: str | None = None

"""Requests and views of attachments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from chalicelib.core.models import MAX_UPLOAD_BYTES, Filename, Integer, PageQuery, Strict, View

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
OwnerKind = Literal["instruction", "subject", "base", "monitoring_task", "assignment", "sample", "spotcheck", "case"]


class CreateAttachmentRequest(Strict):
    owner_kind: OwnerKind
    owner_id: OwnerId
    filename: Filename
    content_type: ContentType
    size: Integer = Field(gt=0, le=MAX_UPLOAD_BYTES, description="bytes; the upload may not be larger")


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

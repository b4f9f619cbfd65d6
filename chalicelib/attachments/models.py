"""Requests and views of attachments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from chalicelib.core.models import PageQuery, Strict

ContentType = Literal[
    "image/jpeg",
    "image/png",
    "video/mp4",
    "application/pdf",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
]
OwnerKind = Literal["instruction"]


class CreateAttachmentRequest(Strict):
    owner_kind: OwnerKind
    owner_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    filename: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^/\\\x00-\x1f]+$")
    ]
    content_type: ContentType
    size: int = Field(gt=0, description="bytes; the upload may not be larger")


class AttachmentView(BaseModel):
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


class UploadTicket(BaseModel):
    attachment: AttachmentView
    upload: dict[str, Any] = Field(description="POST the file to `url` as multipart form with these `fields`")


class AttachmentListQuery(PageQuery):
    owner_kind: OwnerKind
    owner_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class AttachmentPage(BaseModel):
    items: list[AttachmentView]
    next_cursor: str | None = None

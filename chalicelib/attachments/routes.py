"""Routes for attachments.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES
from chalicelib.core.routes import Budget, Table

table = Table("attachments", handlers="chalicelib.attachments.api", models="chalicelib.attachments.models")

table.route(
    "POST",
    "/attachments",
    "request_upload",
    roles=ALL_ROLES,
    summary="Ask for an upload form to attach a file to a record",
    body="CreateAttachmentRequest",
    response="UploadTicket",
    status=201,
    budget=Budget(reads=2, writes=1),  # the owner; with a phone-made id, whether it was asked for already
)

table.route(
    "GET",
    "/attachments",
    "listing",
    roles=ALL_ROLES,
    summary="Attachments of a record",
    query="AttachmentListQuery",
    response="AttachmentPage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/attachments/{attachment_id}",
    "get",
    roles=ALL_ROLES,
    summary="An attachment, with a short-lived download link once verified",
    response="AttachmentView",
    budget=Budget(reads=1, writes=0),
)

"""Routes of complaints and reports (投诉举报): the public's filing and tracking, the handling agency's work.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES, SIGNED_IN_ROLES, Role
from chalicelib.core.routes import PUBLIC, Budget, Table

table = Table("complaints", handlers="chalicelib.complaints.api", models="chalicelib.complaints.models")
HANDLERS = {Role.HEAD, Role.SUPERVISOR, Role.SAMPLER}
DECIDERS = {Role.HEAD, Role.SUPERVISOR}
CASE = "/complaints/{complaint_id}"
TRACK = "/public/complaints/{tracking_no}"

table.route(
    "POST",
    "/public/complaints",
    "file_complaint",
    roles=PUBLIC,
    summary="File a complaint (投诉) or report (举报) without an account: a tracking number and secret come back",
    body="FileComplaintRequest",
    response="FilingReceipt",
    status=201,
    # the code (its index, then subject and product at once), the agencies of the county and up to two levels
    # above, the duplicate claim and the case it names; the client's daily count, then one transaction
    budget=Budget(reads=7, writes=2),
)

table.route(
    "GET",
    TRACK,
    "track",
    roles=PUBLIC,
    summary="Follow one's own case with its tracking number and secret (header X-Complaint-Secret)",
    response="PublicComplaintView",
    budget=Budget(reads=3, writes=0),  # the case, its agency's name, its files
)

table.route(
    "POST",
    TRACK + "/attachments",
    "public_upload",
    roles=PUBLIC,
    summary="One more photo or video for one's own case (bound by its secret)",
    body="PublicUploadRequest",
    response="UploadForm",
    status=201,
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    TRACK + "/rating",
    "rate",
    roles=PUBLIC,
    summary="Rate the answer (评价); an objection asks the agency to reopen the case",
    body="RateRequest",
    response="PublicComplaintView",
    budget=Budget(reads=4, writes=1),
)

table.route(
    "GET",
    "/complaints",
    "listing",
    roles=SIGNED_IN_ROLES,
    summary="Cases your agency handles; for a subject's own account, those about it (never who filed them)",
    query="ComplaintListQuery",
    response="ComplaintPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "GET",
    CASE,
    "get",
    roles=SIGNED_IN_ROLES,
    summary="One case (never who filed it); a subject's own account sees only that it came in and its outcome",
    response="ComplaintRead",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    CASE + "/assignees",
    "assign",
    roles={Role.HEAD},
    summary="Name the staff who handle the case (only they read the filer's identity)",
    body="AssigneesRequest",
    response="ComplaintView",
    budget=Budget(reads=6, writes=1),
)

table.route(
    "POST",
    CASE + "/decision",
    "decide",
    roles=DECIDERS,
    summary="Accept (受理) or reject (不予受理, with the reason) the case within its limit",
    body="DecideRequest",
    response="ComplaintView",
    budget=Budget(reads=1, writes=2),  # the case; its transaction and stopping its clock
)

table.route(
    "POST",
    CASE + "/transfer",
    "transfer",
    roles=DECIDERS,
    summary="Transfer (移送) the case to the right agency or department; its trail stays, its clock restarts",
    body="TransferRequest",
    response="ComplaintView",
    budget=Budget(reads=3, writes=3),  # the case, the target, the files; the case, its old clock, the files
)

table.route(
    "POST",
    CASE + "/actions",
    "act",
    roles=HANDLERS,
    summary="Record what was done: an inspection, spot check or monitoring it started, mediation, a handover",
    body="ActionRequest",
    response="ComplaintView",
    budget=Budget(reads=3, writes=1),
)

table.route(
    "POST",
    CASE + "/answer",
    "answer",
    roles=DECIDERS,
    summary="Answer the filer (办结) with the result",
    body="AnswerRequest",
    response="ComplaintView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    CASE + "/objection-review",
    "review_objection",
    roles=DECIDERS,
    summary="Decide on the filer's objection: justified reopens the case, otherwise it closes",
    body="ReviewObjectionRequest",
    response="ComplaintView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    CASE + "/filer",
    "filer",
    roles=ALL_ROLES,
    summary="Who filed the case: for its assigned staff only, every read audited",
    response="FilerView",
    budget=Budget(reads=3, writes=1),
)

"""Routes for public disclosure (一公开): public, no account.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.routes import PUBLIC, Budget, Table

table = Table("disclosure", handlers="chalicelib.disclosure.api", models="chalicelib.disclosure.models", auth=None)

table.route(
    "GET",
    "/public/disclosures",
    "public_disclosures",
    roles=PUBLIC,
    summary="A county's published spot-check results and penalties (一公开) of a month, redacted, newest first",
    query="DisclosureListQuery",
    response="DisclosurePage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "GET",
    "/public/disclosures/by-code",
    "public_disclosures_by_code",
    roles=PUBLIC,
    summary="The published results and penalties of the subject behind a trace code (linked from the lookup)",
    query="SubjectDisclosureQuery",
    response="DisclosurePage",
    budget=Budget(reads=2, writes=0),
)

"""Routes for products, batches, scanning, QR images and labels.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES, SIGNED_IN_ROLES, Role
from chalicelib.core.routes import PUBLIC, Budget, Table

table = Table("codes", handlers="chalicelib.codes.api", models="chalicelib.codes.models")
KEEPERS = {Role.SUBJECT, Role.SUPERVISOR, Role.HEAD, Role.ADMIN}
READERS = SIGNED_IN_ROLES

table.route(
    "POST",
    "/subjects/{subject_id}/products",
    "add_product",
    roles=KEEPERS,
    summary="Add a product (产品) of a subject",
    body="CreateProductRequest",
    response="ProductView",
    status=201,
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    "/subjects/{subject_id}/products",
    "products",
    roles=READERS,
    summary="A subject's products",
    query="chalicelib.core.models:PageQuery",
    response="ProductPage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "POST",
    "/products/{product_id}/batches",
    "add_batch",
    roles=KEEPERS,
    summary="Issue a batch (批次) with its traceability code",
    body="CreateBatchRequest",
    response="BatchView",
    status=201,
    budget=Budget(reads=3, writes=1),
)

table.route(
    "GET",
    "/products/{product_id}/batches",
    "batches",
    roles=READERS,
    summary="A product's batches, newest first",
    query="chalicelib.core.models:PageQuery",
    response="BatchPage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "POST",
    "/batches/{batch_id}/labels",
    "print_labels",
    roles=KEEPERS,
    summary="Print A4 label sheets for a batch",
    body="LabelRequest",
    response="LabelView",
    budget=Budget(reads=3, writes=4),
)

table.route(
    "GET",
    "/scan",
    "scan",
    roles=ALL_ROLES,
    summary="Resolve a scanned identity or traceability code",
    query="ScanQuery",
    response="ScanView",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/codes/qr",
    "qr",
    roles=READERS,
    summary="The QR image of an issued code",
    query="QrQuery",
    response="QrView",
    budget=Budget(reads=3, writes=1),
)

table.route(
    "GET",
    "/public/scan",
    "public_scan",
    roles=PUBLIC,
    summary="Public lookup (公众查询) of a scanned product code",
    query="ScanQuery",
    response="PublicScanView",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/c/{trace_code}",
    "code_link",
    roles=PUBLIC,
    summary="The link printed in every QR: the public lookup of its code",
    response="PublicScanView",
    budget=Budget(reads=2, writes=0),
)

"""Routes for products, batches, scanning, QR images and labels."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.access import ALL_ROLES, SIGNED_IN_ROLES, Role
from chalicelib.core.api import PUBLIC, Api, Budget, RequestContext
from chalicelib.core.models import PageQuery
from chalicelib.orgs.authorizer import jwt_authorizer

from . import service
from .models import (
    BatchPage,
    BatchView,
    CreateBatchRequest,
    CreateProductRequest,
    LabelRequest,
    LabelView,
    ProductPage,
    ProductView,
    PublicScanView,
    QrQuery,
    QrView,
    ScanQuery,
    ScanView,
)

bp = Blueprint(__name__)
api = Api(bp, "codes", jwt_authorizer)
KEEPERS = {Role.SUBJECT, Role.SUPERVISOR, Role.HEAD, Role.ADMIN}
READERS = SIGNED_IN_ROLES


@api.route(
    "/subjects/{subject_id}/products",
    "POST",
    roles=KEEPERS,
    summary="Add a product (产品) of a subject",
    body=CreateProductRequest,
    response=ProductView,
    status=201,
    budget=Budget(reads=1, writes=1),
)
def add_product(ctx: RequestContext, subject_id: str) -> ProductView:
    return service.add_product(ctx.user, subject_id, ctx.body)


@api.route(
    "/subjects/{subject_id}/products",
    "GET",
    roles=READERS,
    summary="A subject's products",
    query=PageQuery,
    response=ProductPage,
    budget=Budget(reads=2, writes=0),
)
def products(ctx: RequestContext, subject_id: str) -> ProductPage:
    return service.products(ctx.user, subject_id, ctx.query.limit, ctx.query.cursor)


@api.route(
    "/products/{product_id}/batches",
    "POST",
    roles=KEEPERS,
    summary="Issue a batch (批次) with its traceability code",
    body=CreateBatchRequest,
    response=BatchView,
    status=201,
    budget=Budget(reads=3, writes=1),
)
def add_batch(ctx: RequestContext, product_id: str) -> BatchView:
    return service.add_batch(ctx.user, product_id, ctx.body)


@api.route(
    "/products/{product_id}/batches",
    "GET",
    roles=READERS,
    summary="A product's batches, newest first",
    query=PageQuery,
    response=BatchPage,
    budget=Budget(reads=2, writes=0),
)
def batches(ctx: RequestContext, product_id: str) -> BatchPage:
    return service.batches(ctx.user, product_id, ctx.query.limit, ctx.query.cursor)


@api.route(
    "/batches/{batch_id}/labels",
    "POST",
    roles=KEEPERS,
    summary="Print A4 label sheets for a batch",
    body=LabelRequest,
    response=LabelView,
    budget=Budget(reads=3, writes=4),
)
def print_labels(ctx: RequestContext, batch_id: str) -> LabelView:
    return service.print_labels(ctx.user, batch_id, ctx.body)


@api.route(
    "/scan",
    "GET",
    roles=ALL_ROLES,
    summary="Resolve a scanned identity or traceability code",
    query=ScanQuery,
    response=ScanView,
    budget=Budget(reads=2, writes=0),
)
def scan(ctx: RequestContext) -> ScanView:
    return service.resolve(ctx.user, ctx.query.code)


@api.route(
    "/codes/qr",
    "GET",
    roles=READERS,
    summary="The QR image of an issued code",
    query=QrQuery,
    response=QrView,
    budget=Budget(reads=3, writes=1),
)
def qr(ctx: RequestContext) -> QrView:
    return service.qr(ctx.user, ctx.query.code, ctx.query.format)


@api.route(
    "/public/scan",
    "GET",
    roles=PUBLIC,
    summary="Public lookup (公众查询) of a scanned product code",
    query=ScanQuery,
    response=PublicScanView,
    budget=Budget(reads=2, writes=0),
)
def public_scan(ctx: RequestContext) -> PublicScanView:
    return service.public_lookup(ctx.query.code)


@api.route(
    "/c/{trace_code}",
    "GET",
    roles=PUBLIC,
    summary="The link printed in every QR: the public lookup of its code",
    response=PublicScanView,
    budget=Budget(reads=2, writes=0),
)
def code_link(ctx: RequestContext, trace_code: str) -> PublicScanView:
    return service.public_lookup(trace_code)

"""Handlers of the routes for products, batches, scanning, QR images and labels (their table: routes.py)."""

from __future__ import annotations

from chalicelib.core.api import RequestContext

from . import service
from .models import (
    BatchPage,
    BatchView,
    LabelView,
    ProductPage,
    ProductView,
    PublicScanView,
    QrView,
    ScanView,
)


def add_product(ctx: RequestContext, subject_id: str) -> ProductView:
    return service.add_product(ctx.user, subject_id, ctx.body)


def products(ctx: RequestContext, subject_id: str) -> ProductPage:
    return service.products(ctx.user, subject_id, ctx.query.limit, ctx.query.cursor)


def add_batch(ctx: RequestContext, product_id: str) -> BatchView:
    return service.add_batch(ctx.user, product_id, ctx.body)


def batches(ctx: RequestContext, product_id: str) -> BatchPage:
    return service.batches(ctx.user, product_id, ctx.query.limit, ctx.query.cursor)


def print_labels(ctx: RequestContext, batch_id: str) -> LabelView:
    return service.print_labels(ctx.user, batch_id, ctx.body)


def scan(ctx: RequestContext) -> ScanView:
    return service.resolve(ctx.user, ctx.query.code)


def qr(ctx: RequestContext) -> QrView:
    return service.qr(ctx.user, ctx.query.code, ctx.query.format)


def public_scan(ctx: RequestContext) -> PublicScanView:
    return service.public_lookup(ctx.query.code)


def code_link(ctx: RequestContext, trace_code: str) -> PublicScanView:
    return service.public_lookup(trace_code)

"""Products, batches and their codes; scan resolution for supervisors and for the public; QR images and labels."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any
from urllib.parse import quote

from chalicelib.core import audit, clock, storage
from chalicelib.core.access import Principal, check_access, governs
from chalicelib.core.config import get_settings
from chalicelib.core.errors import (
    AlreadyExistsError,
    ConflictError,
    ForbiddenError,
    InvalidStateError,
    NotFoundError,
    Unprocessable,
    ValidationFailed,
)
from chalicelib.core.ids import new_id
from chalicelib.regions.catalog import catalog
from chalicelib.spotchecks.public import mask_person
from chalicelib.subjects import service as subjects
from chalicelib.subjects import store as subject_store

from . import formats, store
from .models import (
    BaseSummary,
    BatchPage,
    BatchView,
    CreateBatchRequest,
    CreateProductRequest,
    LabelRequest,
    LabelView,
    ProductPage,
    ProductView,
    PublicScanView,
    QrView,
    ScanView,
    SubjectSummary,
)

KIND_OF_BATCH = {
    "production": formats.CodeKind.PRODUCT_BATCH,
    "circulation": formats.CodeKind.PRODUCT_TRACE,
    "voucher": formats.CodeKind.MARKET_ENTRY_VOUCHER,
}


def link(code_text: str) -> str:
    return formats.code_url(get_settings().public_base_url, code_text)


def product_view(rec: store.ProductRecord) -> ProductView:
    return ProductView(id=rec.id, subject_id=rec.subject_id, name=rec.name, category_code=rec.category_code)


def batch_view(rec: store.BatchRecord) -> BatchView:
    return BatchView(
        id=rec.id,
        product_id=rec.product_id,
        subject_id=rec.subject_id,
        base_id=rec.base_id,
        kind=rec.batch_kind,
        quantity=float(rec.quantity),
        unit=rec.unit,
        produced_at=rec.produced_at,
        code_long=rec.code_long,
        code_short=rec.code_short,
        link=link(rec.code_short),
        printed=int(rec.printed or 0),
    )


def _own_or_governing(user: Principal, subject: subject_store.SubjectRecord) -> None:
    if user.org_id != subject.id and not governs(user, subject.region or ""):
        raise ForbiddenError("products and batches are kept by the subject or the agencies over it")


def add_product(user: Principal, subject_id: str, req: CreateProductRequest) -> ProductView:
    subject = subjects.visible(user, subject_id)
    _own_or_governing(user, subject)
    if subject.state != "approved":
        raise InvalidStateError("products are added to approved subjects")
    rec = store.ProductRecord(
        id=new_id(),
        subject_id=subject.id,
        name=req.name,
        category_code=req.category_code,
        region=subject.region,
        parties={*(subject.parties or ()), subject.id},
    )
    audit.commit(audit.Change(rec, "product.added"), actor=user.user_id)
    return product_view(rec)


def products(user: Principal, subject_id: str, limit: int, cursor: str | None) -> ProductPage:
    subject = subjects.visible(user, subject_id)
    recs, next_cursor = store.products_of(subject.id, limit=limit, cursor=cursor)
    return ProductPage(items=[product_view(r) for r in recs], next_cursor=next_cursor)


def _visible_product(user: Principal, product_id: str) -> store.ProductRecord:
    rec = store.get_product(product_id)
    check_access(user, region=rec.region, parties=rec.parties or ())
    return rec


def add_batch(user: Principal, product_id: str, req: CreateBatchRequest) -> BatchView:
    """A batch gets its code in both forms; the long form is claimed, so no two batches share a code."""
    product = _visible_product(user, product_id)
    subject = subject_store.get(product.subject_id)
    _own_or_governing(user, subject)
    if subject.state != "approved":
        raise InvalidStateError("batches are issued by approved subjects")
    if req.base_id and subject_store.get_base(req.base_id).subject_id != subject.id:
        raise Unprocessable("the base is not this subject's", errors=[{"field": "body.base_id", "message": "not its"}])
    code = formats.TraceCode(
        kind=KIND_OF_BATCH[req.kind],
        category=formats.SubjectCategory[subject.category.upper()],
        form=formats.OrganisationForm[subject.form.upper()],
        subject_no=subject.number,
        product_code=product.category_code,
        timestamp=req.produced_at,
    )
    rec = store.BatchRecord(
        id=new_id(),
        product_id=product.id,
        subject_id=subject.id,
        base_id=req.base_id,
        batch_kind=req.kind,
        quantity=req.quantity,
        unit=req.unit,
        produced_at=code.timestamp.isoformat() if code.timestamp else "",
        code_long=formats.compose_long(code),
        code_short=formats.compose_short(code),
        printed=0,
        region=subject.region,
        parties=set(product.parties or ()),
    )
    claim = store.CodeIndex(
        code=rec.code_long, subject_id=subject.id, product_id=product.id, batch_id=rec.id, base_id=req.base_id
    )
    try:
        audit.commit(
            audit.Change(rec, "batch.issued", detail={"code": rec.code_long}), actor=user.user_id, claims=[claim]
        )
    except ConflictError:
        raise AlreadyExistsError(
            "this subject already issued a code of this kind for this product category at this second; "
            "codes carry the production time to the second"
        ) from None
    return batch_view(rec)


def batches(user: Principal, product_id: str, limit: int, cursor: str | None) -> BatchPage:
    product = _visible_product(user, product_id)
    recs, next_cursor = store.batches_of(product.id, limit=limit, cursor=cursor)
    return BatchPage(items=[batch_view(r) for r in recs], next_cursor=next_cursor)


def canonical(text: str) -> tuple[str, formats.TraceCode]:
    """The long form a scanned text stands for (the code index's key); a malformed code is a field error."""
    try:
        code = formats.parse(text)
        return formats.compose_long(dataclasses.replace(code, serial=0)), code
    except ValidationFailed as exc:  # any text is a well-formed request; a text that is no code breaks a rule
        raise Unprocessable(exc.detail, errors=[{"field": "code", "message": exc.detail}]) from None


def _resolve(text: str) -> tuple[str, formats.TraceCode, dict[str, Any]]:
    key, code = canonical(text)
    found = store.records_behind(store.get_code(key))
    return key, code, found


def identify(text: str) -> dict[str, Any]:
    """The records behind a scanned code, for a service that does its own authorization (sampling)."""
    key, _, found = _resolve(text)
    return {**found, "code": key}


def _subject_summary(rec: subject_store.SubjectRecord) -> SubjectSummary:
    region = catalog().find(rec.region or "")
    return SubjectSummary(
        id=rec.id,
        name=rec.name,
        state=rec.state,
        region=rec.region or "",
        region_name=region.name if region else "",
        identity_code=rec.identity_code,
        key_object=bool(rec.key_object),
        bad_records=int(rec.bad_records or 0),
        temporary=rec.state == "temporary",
    )


def resolve(user: Principal, text: str) -> ScanView:
    """Whatever a phone scanned → subject, base, product, batch on one screen: two table calls."""
    key, code, found = _resolve(text)
    subject = found["subject"]
    check_access(user, region=subject.region, parties={*(subject.parties or ()), subject.id})
    base = found.get("base")
    return ScanView(
        code=key,
        code_kind=formats.KIND_NAMES[code.kind],
        subject=_subject_summary(subject),
        base=BaseSummary(id=base.id, name=base.name, lng=float(base.lng), lat=float(base.lat)) if base else None,
        product=product_view(found["product"]) if "product" in found else None,
        batch=batch_view(found["batch"]) if "batch" in found else None,
    )


def public_lookup(text: str) -> PublicScanView:
    """公众查询: what the product is and who made it, nothing else; unknown until the subject is approved."""
    key, code, found = _resolve(text)
    subject = found["subject"]
    if subject.state != "approved":
        raise NotFoundError("no such product")
    product, batch = found.get("product"), found.get("batch")
    region = catalog().find(subject.region or "")
    return PublicScanView(
        code_kind=formats.KIND_NAMES[code.kind],
        product=product.name if product else None,
        category_code=product.category_code if product else None,
        batch_kind=batch.batch_kind if batch else None,
        produced_on=batch.produced_at[:10] if batch else None,
        # An individual's (个体) name is a person's: masked as the public disclosure lists mask it.
        subject=mask_person(subject.name) if subject.form == "individual" else subject.name,
        region=" ".join(r.name for r in reversed(catalog().ancestors(region.code)[:-1])) if region else "",
        # A link, not the list: the lookup keeps its two calls; the list is one more request (chalicelib/disclosure).
        disclosures=f"/public/disclosures/by-code?code={quote(key, safe='')}",
    )


def qr(user: Principal, text: str, image_format: str) -> QrView:
    """The QR of a code's link, made once and kept in S3, for those who may see what the code names."""
    key, code = canonical(text)
    found = store.records_behind(store.get_code(key))
    subject = found["subject"]
    check_access(user, region=subject.region, parties={*(subject.parties or ()), subject.id})
    # Batch codes are printed in their short form (as on labels); identity codes in the long one.
    target = link(formats.compose_short(code) if code.short_type else key)
    object_key = f"qr/{hashlib.sha256(target.encode()).hexdigest()[:40]}.{image_format}"
    if not storage.exists(object_key):
        from . import qr as render

        body = render.qr_svg(target) if image_format == "svg" else render.qr_png(target)
        storage.put(object_key, body, "image/svg+xml" if image_format == "svg" else "image/png")
    return QrView(url=storage.presigned_get(object_key, f"qr.{image_format}"), link=target, format=image_format)


def print_labels(user: Principal, batch_id: str, req: LabelRequest) -> LabelView:
    """A4 label sheets for a batch; every print is counted on the batch."""
    batch = store.get_batch(batch_id)
    check_access(user, region=batch.region, parties=batch.parties or ())
    if user.org_id != batch.subject_id and not governs(user, batch.region or ""):
        raise ForbiddenError("labels are printed by the subject or the agencies over it")
    subject = subject_store.get(batch.subject_id)
    if subject.state != "approved":
        raise InvalidStateError(f"a {subject.state} subject's products get no new labels")
    product = store.get_product(batch.product_id)
    from . import labels

    captions = (product.name, f"{batch.batch_kind} · {batch.produced_at[:10]}")
    sheet = [labels.Label(code_text=batch.code_short, url=link(batch.code_short), captions=captions)] * req.copies
    pages = labels.label_sheets(sheet, title=f"{product.name} {batch.code_short}")
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    keys = [f"labels/{batch.id}/{stamp}-{n + 1}.svg" for n in range(len(pages))]
    for key, page in zip(keys, pages, strict=True):
        storage.put(key, page, "image/svg+xml")
    batch.printed = int(batch.printed or 0) + req.copies
    audit.commit(audit.Change(batch, "batch.labels_printed", detail={"copies": req.copies}), actor=user.user_id)
    return LabelView(pages=[storage.presigned_get(k, k.rsplit("/", 1)[-1]) for k in keys], printed=int(batch.printed))

"""Requests and views of products, batches, scans, QR images and label sheets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.core.models import Integer, Name, Number, PageQuery, Strict, Ulid, View

CategoryCode = Annotated[str, StringConstraints(pattern=r"^\d{2,12}$")]
BatchKind = Literal["production", "circulation", "voucher"]
CodeText = Annotated[str, StringConstraints(min_length=1, max_length=2048)]


class CreateProductRequest(Strict):
    name: Name
    category_code: CategoryCode = Field(description="national agricultural product category code (农产品分类代码)")


class ProductView(View):
    """Product (产品)."""

    id: str
    subject_id: str
    name: str
    category_code: str


class ProductPage(View):
    items: list[ProductView]
    next_cursor: str | None = None


class CreateBatchRequest(Strict):
    kind: BatchKind = Field(description="production batch (生产批次), circulation batch (流通批次), voucher (入市凭证)")
    quantity: Number = Field(gt=0, le=1e9, strict=True)
    unit: Annotated[str, StringConstraints(min_length=1, max_length=10, pattern=r"\S")]
    produced_at: datetime = Field(description="when the batch was produced or dispatched; it is part of the code")
    base_id: Ulid | None = None


class BatchView(View):
    """Batch (批次) with its traceability code in both forms."""

    id: str
    product_id: str
    subject_id: str
    base_id: str | None
    kind: str
    quantity: float
    unit: str
    produced_at: str
    code_long: str
    code_short: str
    link: str
    printed: int


class BatchPage(View):
    items: list[BatchView]
    next_cursor: str | None = None


class ScanQuery(Strict):
    code: CodeText = Field(description="what the phone scanned: the long form, the short form, or the platform's link")


class SubjectSummary(View):
    id: str
    name: str
    state: str
    region: str
    region_name: str
    identity_code: str | None
    key_object: bool
    bad_records: int
    temporary: bool


class BaseSummary(View):
    id: str
    name: str
    lng: float
    lat: float


class ScanView(View):
    """What a supervisor needs on one screen after a scan."""

    code: str
    code_kind: str
    subject: SubjectSummary
    base: BaseSummary | None = None
    product: ProductView | None = None
    batch: BatchView | None = None
    open_tasks: list[dict[str, str]] = Field(default_factory=list, description="tasks concerning the subject")


class PublicScanView(View):
    """What a consumer may see of a scanned product (公众查询)."""

    code_kind: str
    product: str | None
    category_code: str | None
    batch_kind: str | None
    produced_on: str | None
    subject: str = Field(description="an individual's (个体) name masked (张*), as the public lists show it")
    region: str
    disclosures: str = Field(
        description="the subject's published spot-check results and penalties (一公开): GET this API path"
    )


class QrQuery(Strict):
    code: CodeText
    format: Literal["svg", "png"] = "svg"


class QrView(View):
    url: str = Field(description="short-lived download link of the QR image")
    link: str = Field(description="the URL the QR encodes")
    format: str


class LabelRequest(Strict):
    copies: Integer = Field(ge=1, le=72, description="labels to print (24 per A4 sheet)")


class LabelView(View):
    pages: list[str] = Field(description="short-lived download links, one SVG per A4 sheet")
    printed: int = Field(description="labels printed for this batch so far")


class BatchListQuery(PageQuery):
    pass

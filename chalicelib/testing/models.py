"""Requests and views of the testing core: limits, monitoring models, samples, custody, results, imports."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from chalicelib.core.models import (
    MAX_UPLOAD_BYTES,
    STORABLE,
    Exact,
    Filename,
    Integer,
    IsoDay,
    Name,
    Note,
    Number,
    PageQuery,
    RegionCode,
    Sha256,
    Strict,
    Ulid,
    View,
)

ProductCode = Annotated[str, StringConstraints(pattern=r"^\d{2,12}$")]
AnalyteCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9,'()-]{0,79}$")]
Unit = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=r"\S"), AfterValidator(str.strip)]
Operator = Literal["le", "lt", "ge", "gt", "range"]


# A finite number, zero or more (pydantic refuses NaN and infinity). The constraints stand in the decimal's own
# schema, not after a validator, so the JSON Schema states them in standard keywords (core/openapi.py).
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=9), STORABLE]


# --- the limit library ---------------------------------------------------------------------------


class LimitView(View):
    """Limit value (限量值): one version, from one edition of a standard."""

    id: str
    commodity_code: str
    commodity: str
    analyte: str
    analyte_name: str
    operator: str
    value: str | None
    low: str | None
    high: str | None
    unit: str
    standard: str
    effective_from: str
    source: str


class LimitListQuery(PageQuery):
    commodity_code: ProductCode


class LimitPage(View):
    items: list[LimitView]
    next_cursor: str | None = None


class AddLimitRequest(Strict):
    commodity_code: ProductCode
    commodity: Name
    analyte: AnalyteCode
    analyte_name: Name
    operator: Operator
    value: Amount | None = None
    low: Amount | None = None
    high: Amount | None = None
    unit: Unit
    standard: Name = Field(description="the standard and its edition, e.g. GB 2763-2021")
    effective_from: IsoDay
    source: Name


# --- the monitoring / testing model ----------------------------------------------------------------


class TestObject(Strict):
    """Test object (检测对象), by national product code."""

    product_code: ProductCode
    product_name: Name


class LibraryLimit(Strict):
    source: Literal["library"]  # the union's tag: pydantic requires it in a request, so the schema does too
    standard: Name | None = Field(
        default=None, description="pin an edition (e.g. GB 2763-2019); default: the version in force today"
    )


class CustomLimit(Strict):
    source: Literal["custom"]
    operator: Operator
    value: Amount | None = None
    low: Amount | None = None
    high: Amount | None = None
    judgement_standard: Name


class TestItemRequest(Strict):
    """Test item (检测项): an analyte tested on a product, with the limit it is judged by."""

    product_code: ProductCode
    analyte: AnalyteCode
    analyte_name: Name
    method_standard: Name = Field(description="检测标准: the method, e.g. GB 23200.113-2018")
    unit: Unit
    lod: Amount | None = None
    loq: Amount | None = None
    limit: LibraryLimit | CustomLimit = Field(discriminator="source")


# A sample holds every result of its items in one record (and its audit entry holds the sample again), and a
# record is at most 400 KB: ~0.9 KB a result leaves room for this many, with a margin. Multi-residue methods
# (GB 23200.113: 208 pesticides) fit.
MAX_ITEMS_PER_PRODUCT = 250


class ConfigureModelRequest(Strict):
    """Monitoring model (监测模型): what is tested, by which method, judged against which limits."""

    name: Name
    version: Integer = Field(ge=0, strict=True, description="the task's version you read")
    objects: list[TestObject] = Field(min_length=1, max_length=20, description="one library read per object")
    items: list[TestItemRequest] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _items_name_objects(self) -> ConfigureModelRequest:
        codes = {o.product_code for o in self.objects}
        if len(codes) != len(self.objects):
            raise ValueError("each test object once")
        seen: set[tuple[str, str]] = set()
        per_product: dict[str, int] = {}
        for item in self.items:
            per_product[item.product_code] = per_product.get(item.product_code, 0) + 1
            if per_product[item.product_code] > MAX_ITEMS_PER_PRODUCT:
                raise ValueError(f"at most {MAX_ITEMS_PER_PRODUCT} test items on one product (a sample keeps them all)")
            if item.product_code not in codes:
                raise ValueError(f"test item {item.analyte} names product {item.product_code}, not a test object")
            if (item.product_code, item.analyte) in seen:
                raise ValueError(f"{item.analyte} on {item.product_code} twice")
            seen.add((item.product_code, item.analyte))
        return self


class ModelItemView(View):
    product_code: str
    analyte: str
    analyte_name: str
    method_standard: str
    unit: str
    lod: str | None
    loq: str | None
    limit: dict[str, Any] = Field(description="the limit as resolved: operator, values, unit, standard, library id")


class ModelView(View):
    name: str
    version: int
    objects: list[TestObject]
    items: list[ModelItemView]


# --- samples ---------------------------------------------------------------------------------------


class Place(Strict):
    address: Name
    region: RegionCode
    lng: Number = Field(ge=73, le=136, strict=True)
    lat: Number = Field(ge=3, le=54, strict=True)
    accuracy_m: Annotated[float, Field(ge=0, le=100000, strict=True), STORABLE] | None = None


class CreateSampleRequest(Strict):
    """Sampling (抽样): scanned or typed in the field; `id` is made by the phone so a resend is harmless."""

    id: Ulid = Field(description="client-made ULID of this sample")
    trace_code: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="the scanned product traceability code; product, batch and subject follow from it"
    )
    product_code: ProductCode | None = Field(default=None, description="by hand, when the product has no code")
    product_name: Name | None = None
    subject_name: Name | None = Field(default=None, description="the sampled unit, by hand")
    subject_id: Ulid | None = Field(default=None, description="the registered subject sampled, by hand (spot checks)")
    place: Place
    sampled_at: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}T")]
    quantity: Exact = Field(gt=0, max_digits=12, decimal_places=3)
    quantity_unit: Unit
    seal_no: Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"\S")]
    note: Note | None = None

    @model_validator(mode="after")
    def _scanned_or_typed(self) -> CreateSampleRequest:
        if not self.trace_code and not (self.product_code and self.product_name):
            raise ValueError("scan a traceability code, or give product_code and product_name")
        return self


class ReceiveSampleRequest(Strict):
    """Sample receipt (样品接收): the chain of custody from the sampler to the lab."""

    handed_over_by: Name
    condition: Literal["intact", "damaged", "seal_broken", "spoiled"]
    seal_no: Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"\S")] = Field(
        description="the seal number read on arrival; it must match the one sealed in the field"
    )
    note: Note | None = None


class ResultEntry(Strict):
    sample_id: Ulid
    analyte: AnalyteCode
    value: Amount | None = Field(default=None, description="measured value; omit when not detected")
    detected: bool = True
    unit: Unit
    method: Name | None = None
    tested_at: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}")] | None = None
    correction_reason: Note | None = Field(default=None, description="needed to change a result already entered")

    @model_validator(mode="after")
    def _value_or_nd(self) -> ResultEntry:
        if self.detected and self.value is None:
            raise ValueError("a detected result needs a value")
        if not self.detected and self.value is not None:
            raise ValueError("a result not detected has no value")
        return self


MAX_RESULTS_PER_REQUEST = 5000
MAX_SAMPLES_PER_REQUEST = 1000


class EnterResultsRequest(Strict):
    results: list[ResultEntry] = Field(min_length=1, max_length=MAX_RESULTS_PER_REQUEST)


class InstrumentResultsRequest(Strict):
    """Results pushed by a lab instrument: a batch it numbers itself, and the raw file they were read from."""

    batch_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{8,128}$")]
    file_sha256: Sha256
    instrument: Name
    results: list[ResultEntry] = Field(min_length=1, max_length=MAX_RESULTS_PER_REQUEST)


class ResultView(View):
    analyte: str
    value: str | None
    detected: bool
    unit: str
    outcome: str
    reported: str
    limit: dict[str, Any]
    method: str | None
    tested_at: str | None
    entered_by: str
    entered_at: str
    source: str
    raw_sha256: str | None = None
    replaces: str | None = Field(default=None, description="the value this result corrected")
    correction_reason: str | None = None


class CustodyView(View):
    handed_over_by: str
    received_by: str
    received_at: str
    condition: str
    seal_no: str
    note: str | None = None


class SampleView(View):
    """Sample (样品) with its custody, results and verdict."""

    id: str
    task_kind: str
    task_id: str
    unit_org_id: str
    state: Literal["sampled", "received", "rejected", "tested"]
    product_code: str
    product_name: str
    trace_code: str | None
    product_id: str | None
    batch_id: str | None
    subject_id: str | None
    subject_name: str | None
    place: dict[str, Any]
    sampled_at: str
    sampled_by: str
    quantity: str
    quantity_unit: str
    seal_no: str
    custody: list[CustodyView]
    expected_items: list[str]
    results: list[ResultView]
    verdict: Literal["pending", "qualified", "unqualified"]
    unqualified_items: list[str]
    version: int


class SamplePage(View):
    items: list[SampleView]
    next_cursor: str | None = None


class SampleListQuery(PageQuery):
    unit_org_id: Ulid | None = None


class ResultOutcome(View):
    sample_id: str
    outcome: Literal["entered", "unchanged"]
    verdict: str
    entered: int
    unchanged: int


class EnterResultsView(View):
    samples: list[ResultOutcome]
    entered: int
    unchanged: int
    unqualified_samples: list[str]


class CreateImportRequest(Strict):
    filename: Filename
    content_type: Literal["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
    size: Integer = Field(gt=0, le=MAX_UPLOAD_BYTES, strict=True)


class ImportView(View):
    """Result sheet import (结果导入)."""

    id: str
    task_id: str
    unit_org_id: str
    filename: str
    state: Literal["pending", "imported", "failed"]
    sha256: str | None
    summary: dict[str, Any] | None
    problem: str | None
    report_url: str | None = None


class ImportTicket(View):
    result_import: ImportView
    upload: dict[str, Any] = Field(description="POST the sheet to `url` as multipart form with these `fields`")

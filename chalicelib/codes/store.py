"""Data access for products, batches and the code index: the only module of this area that touches the table."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import PynamoDBConnectionError

from chalicelib.core.db import Entity, fetch, query_page
from chalicelib.core.errors import NotFoundError, ServiceUnavailable
from chalicelib.subjects.store import county_of


class ProductRecord(Entity, discriminator="Product"):
    """Product (产品) of a subject, with its national agricultural product category code (农产品分类代码)."""

    id = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    name = UnicodeAttribute()
    category_code = UnicodeAttribute()
    parties = UnicodeSetAttribute()

    def derive_keys(self) -> None:
        self.pk = f"PROD#{self.id}"
        self.sk = "PROD"
        self.gsi1pk = f"SUBJPROD#{self.subject_id}"
        self.gsi1sk = f"{self.created_at}#{self.id}"
        # Who produces what, per county: the draw's candidates are the subjects producing the task's products.
        assert self.region is not None
        self.gsi2pk = f"PRODUCERS#{county_of(self.region)}#{self.category_code}"
        self.gsi2sk = f"{self.subject_id}#{self.id}"


class BatchRecord(Entity, discriminator="Batch"):
    """Batch (批次): a production batch, a circulation batch or a market-entry voucher, with its codes."""

    id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    base_id = UnicodeAttribute(null=True)
    batch_kind = UnicodeAttribute()
    quantity = NumberAttribute()
    unit = UnicodeAttribute()
    produced_at = UnicodeAttribute()
    code_long = UnicodeAttribute()
    code_short = UnicodeAttribute()
    printed = NumberAttribute(default=0)
    parties = UnicodeSetAttribute()

    def derive_keys(self) -> None:
        self.pk = f"BATCH#{self.id}"
        self.sk = "BATCH"
        self.gsi1pk = f"PRODBATCH#{self.product_id}"
        self.gsi1sk = f"{self.produced_at}#{self.id}"


class CodeIndex(Entity, discriminator="CodeIndex"):
    """What a scanned code (long form, canonical) stands for: claimed once, so a code is never issued twice."""

    code = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    product_id = UnicodeAttribute(null=True)
    batch_id = UnicodeAttribute(null=True)
    base_id = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"CODE#{self.code}"
        self.sk = "CODE"


def get_product(product_id: str) -> ProductRecord:
    return fetch(ProductRecord, f"PROD#{product_id}", "PROD", what="product")


def get_batch(batch_id: str) -> BatchRecord:
    return fetch(BatchRecord, f"BATCH#{batch_id}", "BATCH", what="batch")


def get_code(code: str) -> CodeIndex:
    return fetch(CodeIndex, f"CODE#{code}", "CODE", what="code")


def products_of(subject_id: str, *, limit: int, cursor: str | None) -> tuple[list[ProductRecord], str | None]:
    return query_page(
        ProductRecord, ("gsi1pk", f"SUBJPROD#{subject_id}"), index=ProductRecord.gsi1, limit=limit, cursor=cursor
    )


def producers_in(
    county: str, category_code: str, *, limit: int, cursor: str | None
) -> tuple[list[ProductRecord], str | None]:
    """The county's products of one category (exactly that code), by subject: one Query on gsi2."""
    return query_page(
        ProductRecord,
        ("gsi2pk", f"PRODUCERS#{county}#{category_code}"),
        index=ProductRecord.gsi2,
        limit=limit,
        cursor=cursor,
    )


def batches_of(product_id: str, *, limit: int, cursor: str | None) -> tuple[list[BatchRecord], str | None]:
    return query_page(
        BatchRecord,
        ("gsi1pk", f"PRODBATCH#{product_id}"),
        index=BatchRecord.gsi1,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


def records_behind(entry: CodeIndex) -> dict[str, Any]:
    """The subject, product, batch and base a code names, in one BatchGetItem (scan resolution's second call)."""
    from chalicelib.subjects.store import BaseRecord, SubjectRecord  # subjects own those records

    keys: list[tuple[str, str]] = [(f"SUBJ#{entry.subject_id}", "SUBJ")]
    if entry.product_id:
        keys.append((f"PROD#{entry.product_id}", "PROD"))
    if entry.batch_id:
        keys.append((f"BATCH#{entry.batch_id}", "BATCH"))
    if entry.base_id:
        keys.append((f"SUBJ#{entry.subject_id}", f"BASE#{entry.base_id}"))
    try:
        items = list(Entity.batch_get(keys))
    except PynamoDBConnectionError as exc:
        raise ServiceUnavailable("the table did not answer") from exc
    found: dict[str, Any] = {}
    for item in items:
        name = {SubjectRecord: "subject", ProductRecord: "product", BatchRecord: "batch", BaseRecord: "base"}.get(
            type(item)
        )
        if name:
            found[name] = item
    if "subject" not in found:
        raise NotFoundError("the code's subject is gone")
    return found

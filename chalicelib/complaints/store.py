"""Data access for complaints and reports (投诉举报): the case, its sealed filer, the duplicate claims and the
per-client daily filing counter."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute

from chalicelib.core.config import get_settings
from chalicelib.core.db import Entity, fetch, query_page
from chalicelib.core.errors import NotFoundError, ServiceUnavailable, TooManyRequests

# States in which the agency's list shows the case (a filing waiting for its files, or refused, is no case yet).
LISTED = {"received", "accepted", "rejected", "answered", "objected", "closed", "transferred_out"}


class ComplaintRecord(Entity, discriminator="Complaint"):
    """Complaint or report (投诉举报): what the public filed, where it went and how it was handled.

    The filer's identity is not here (see `FilerRecord`); the secret is kept only as its SHA-256.
    """

    id = UnicodeAttribute()  # also the tracking number (受理编号) the filer follows it with
    case_kind = UnicodeAttribute()  # complaint | report ("kind" is the table's discriminator)
    secret_hash = UnicodeAttribute()
    state = UnicodeAttribute()
    subject_id = UnicodeAttribute(null=True)
    subject_name = UnicodeAttribute(null=True)
    code = UnicodeAttribute(null=True)
    product_category = UnicodeAttribute(null=True)
    place = JSONAttribute(null=True)
    what = UnicodeAttribute()
    happened_on = UnicodeAttribute(null=True)
    hazard = UnicodeAttribute(null=True)
    anonymous = BooleanAttribute()
    org_id = UnicodeAttribute()  # the handling agency
    parties = UnicodeSetAttribute()
    routing = JSONAttribute()
    files = JSONAttribute(null=True)  # [{"id", "filename"}]: the attachments declared with the filing
    received_at = UnicodeAttribute(null=True)
    accept_due = UnicodeAttribute(null=True)  # a China-time day: the acceptance decision is due by its end
    calendar = UnicodeAttribute(null=True)  # which calendar counted the working days
    clock_round = NumberAttribute(default=0)  # one clock per receipt: a transfer starts the next
    clock = JSONAttribute(null=True)  # {"reminded_at", "escalated_at", "escalated_to"} of the current round
    assignees = UnicodeSetAttribute(null=True)
    decision = JSONAttribute(null=True)
    actions = JSONAttribute(null=True)
    answer = JSONAttribute(null=True)
    answers = JSONAttribute(null=True)  # earlier answers of a reopened case
    rating = UnicodeAttribute(null=True)
    objection = UnicodeAttribute(null=True)
    reopened = NumberAttribute(default=0)
    duplicates = NumberAttribute(default=0)
    transfers = JSONAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"CMPL#{self.id}"
        self.sk = "CMPL"
        if self.state in LISTED:
            # The handling agency's list by state then age; a subject's own account's list of what is about it.
            self.gsi1pk, self.gsi1sk = f"CMPLS#ORG#{self.org_id}", f"{self.state}#{self.received_at}#{self.id}"
            if self.subject_id:
                self.gsi2pk, self.gsi2sk = f"CMPLS#SUBJ#{self.subject_id}", f"{self.received_at}#{self.id}"


class FilerRecord(Entity, discriminator="ComplaintFiler"):
    """The filer's identity (举报人信息), sealed apart from the case and kept as a work secret.

    Written in the filing's transaction as a claim, not as an audited change: its content never lands in an audit
    snapshot, the stream's activity feed or any list; only `GET /complaints/{id}/filer` reads it, audited.
    """

    complaint_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"CMPL#{self.complaint_id}"
        self.sk = "FILER"


class DuplicateClaim(Entity, discriminator="ComplaintDuplicate"):
    """The first filing of a (phone, subject, text) in a window: the same filing again is merged into it."""

    complaint_id = UnicodeAttribute()

    def derive_keys(self) -> None:
        pass  # keys are set by the caller: the fingerprint and the window


_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def get(complaint_id: str) -> ComplaintRecord:
    if not _ULID.match(complaint_id):  # no key DynamoDB would refuse: a malformed number is just unknown
        raise NotFoundError("complaint not found")
    return fetch(ComplaintRecord, f"CMPL#{complaint_id}", "CMPL", what="complaint")


def get_filer(complaint_id: str) -> FilerRecord:
    return fetch(FilerRecord, f"CMPL#{complaint_id}", "FILER", what="filer")


class FilerReadsRecord(Entity, discriminator="ComplaintFilerReads"):
    """Who read a case's filer (举报人信息查阅): each read one audited change of this record, in the case's partition.

    Kept apart from the case so that a read, audited as it must be, does not move the case's version (a handler who
    reads the filer and then decides would otherwise be refused as stale).
    """

    complaint_id = UnicodeAttribute()
    reads = NumberAttribute(default=0)
    last_read_by = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"CMPL#{self.complaint_id}"
        self.sk = "FILER#READS"


def filer_reads(complaint_id: str) -> FilerReadsRecord:
    """The case's read log, or a new one for its first read."""
    try:
        return fetch(FilerReadsRecord, f"CMPL#{complaint_id}", "FILER#READS", what="filer reads")
    except NotFoundError:
        return FilerReadsRecord(complaint_id=complaint_id, reads=0)


def find_duplicate(fingerprint: str, window: str) -> DuplicateClaim | None:
    try:
        return fetch(DuplicateClaim, f"CMPLDUP#{fingerprint}", window, what="filing")
    except NotFoundError:
        return None


def of_agency(
    org_id: str, *, state: str | None, limit: int, cursor: str | None
) -> tuple[list[ComplaintRecord], str | None]:
    return query_page(
        ComplaintRecord,
        ("gsi1pk", f"CMPLS#ORG#{org_id}"),
        index=ComplaintRecord.gsi1,
        range_key_condition=ComplaintRecord.gsi1sk.startswith(f"{state}#") if state else None,
        limit=limit,
        cursor=cursor,
    )


def about_subject(subject_id: str, *, limit: int, cursor: str | None) -> tuple[list[ComplaintRecord], str | None]:
    return query_page(
        ComplaintRecord,
        ("gsi2pk", f"CMPLS#SUBJ#{subject_id}"),
        index=ComplaintRecord.gsi2,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


@lru_cache(maxsize=1)
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


def take_filing_slot(client: str, day: str, limit: int, expires_at: int) -> int:
    """One more filing of this client today, unless it has used its `limit`: a conditional ADD, one write.

    The counter item is `CMPLRATE#{client}` / `{day}`; the condition makes the limit exact under concurrency.
    """
    try:
        out = _dynamodb().update_item(
            TableName=get_settings().table_name,
            Key={"pk": {"S": f"CMPLRATE#{client}"}, "sk": {"S": day}},
            UpdateExpression="ADD filings :one SET expires_at = :ttl",
            ConditionExpression="attribute_not_exists(filings) OR filings < :limit",
            ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)}, ":ttl": {"N": str(expires_at)}},
            ReturnValues="UPDATED_NEW",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise TooManyRequests(f"at most {limit} filings a day from one client: try again tomorrow") from exc
        raise ServiceUnavailable("the table did not answer") from exc
    except BotoCoreError as exc:
        raise ServiceUnavailable("the table did not answer") from exc
    return int(out["Attributes"]["filings"]["N"])

"""Publications (公开信息): one item per published result or penalty, listed per county and month and per subject."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError

from chalicelib.core.db import Entity, query_page
from chalicelib.core.errors import ServiceUnavailable


class PublicationRecord(Entity, discriminator="Publication"):
    """A published spot-check result (抽检结果) or penalty (行政处罚), as the public sees it (already redacted).

    Not an audited record: it is derived from audited ones (the stream writes it once, at the legal point), so
    it carries no audit sequence and the stream does not dispatch it again.
    """

    id = UnicodeAttribute()  # 24 hex of sha256(kind, source id): the same source always makes the same item
    category = UnicodeAttribute()  # spot_check_result | penalty
    subject_id = UnicodeAttribute(null=True)  # for the per-subject list only; never shown
    month = UnicodeAttribute()  # YYYY-MM of published_at in China time
    published_at = UnicodeAttribute()  # the legal point: when the record became final (its change's time)
    content = JSONAttribute()  # the public fields, redacted when written

    def derive_keys(self) -> None:
        assert self.region is not None
        self.pk = f"PUB#{self.id}"
        self.sk = "PUB"
        self.gsi1pk = f"PUBS#{self.region[:6]}#{self.month}"
        self.gsi1sk = f"{self.published_at}#{self.id}"
        self.gsi2pk = f"PUBS#SUBJ#{self.subject_id}" if self.subject_id else None
        self.gsi2sk = f"{self.published_at}#{self.id}" if self.subject_id else None


def put_once(rec: PublicationRecord) -> bool:
    """Write the publication unless it is there: a re-delivered change writes nothing. True when written."""
    rec.derive_keys()
    try:
        rec.save(condition=PublicationRecord.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise ServiceUnavailable("the table did not answer") from exc
    return True


def remove(publication_id: str) -> None:
    """Withdraw a publication a later final verdict replaces (a corrected result); absent is fine."""
    try:
        PublicationRecord(pk=f"PUB#{publication_id}", sk="PUB").delete(add_version_condition=False)
    except DeleteError as exc:
        raise ServiceUnavailable("the table did not answer") from exc


def of_county(county: str, month: str, *, limit: int, cursor: str | None) -> tuple[list[PublicationRecord], str | None]:
    return query_page(
        PublicationRecord,
        ("gsi1pk", f"PUBS#{county}#{month}"),
        index=PublicationRecord.gsi1,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


def of_subject(subject_id: str, *, limit: int, cursor: str | None) -> tuple[list[PublicationRecord], str | None]:
    return query_page(
        PublicationRecord,
        ("gsi2pk", f"PUBS#SUBJ#{subject_id}"),
        index=PublicationRecord.gsi2,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )

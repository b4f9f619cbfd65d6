"""Data access for feed items."""

from __future__ import annotations

import zlib

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from chalicelib.core.db import Entity, query_page

# A region's feed partition per day is split into shards at the levels every event reaches.
SHARDS = {"national": 8, "province": 4}


class FeedItem(Entity, discriminator="Feed"):
    """Feed item (动态): one change of one record, filed under one region's day or one organisation's inbox."""

    feed = UnicodeAttribute()
    at = UnicodeAttribute()
    record_kind = UnicodeAttribute()
    record_id = UnicodeAttribute()
    record_pk = UnicodeAttribute()
    seq = UnicodeAttribute()
    action = UnicodeAttribute()
    actor = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)
    summary = JSONAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = self.feed
        self.sk = f"{self.at}#{self.record_pk}#{self.seq}"


def region_feed(region: str, level: str, day: str, record_pk: str) -> str:
    shards = SHARDS.get(level, 1)
    shard = zlib.crc32(record_pk.encode()) % shards if shards > 1 else 0
    return f"FEED#{region}#{day}#{shard}"


def region_feed_partitions(region: str, level: str, day: str) -> list[str]:
    return [f"FEED#{region}#{day}#{n}" for n in range(SHARDS.get(level, 1))]


def inbox_feed(org_id: str) -> str:
    return f"INBOX#{org_id}"


def write_items(items: list[FeedItem]) -> None:
    """Idempotent: the same change always yields the same keys, so a re-delivery overwrites itself."""
    with FeedItem.batch_write() as batch:
        for item in items:
            item.derive_keys()
            batch.save(item)


def newest(feed: str, *, before: str | None, limit: int) -> list[FeedItem]:
    """Up to `limit` items of one feed partition older than `before`, newest first (one Query)."""
    condition = FeedItem.sk < before if before else None
    return list(FeedItem.query(feed, range_key_condition=condition, scan_index_forward=False, limit=limit))


def page(feed: str, *, limit: int, cursor: str | None) -> tuple[list[FeedItem], str | None]:
    return query_page(FeedItem, ("pk", feed), limit=limit, cursor=cursor, newest_first=True)

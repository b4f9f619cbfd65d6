"""Filing every change into the feeds of the regions above it and the inboxes of its parties."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

from chalicelib.core import clock
from chalicelib.core.access import Principal, governs
from chalicelib.core.errors import NotFoundError, ValidationFailed
from chalicelib.core.events import RecordChange
from chalicelib.regions.catalog import catalog

from . import store
from .models import FeedItemView, FeedPage, FeedQuery

# Attributes shown in a feed line, when the record has them.
SUMMARY_FIELDS = ("name", "title", "org_kind", "from_org_id", "to_org_id", "escalated_to", "workflow_error")


def record_activity(change: RecordChange) -> None:
    """Stream subscriber: one feed item per region level above the record and per party's inbox."""
    image = change.image
    region_code = image.get("region")
    record_pk = str(image["pk"])
    at = str(image.get("updated_at") or clock.iso(clock.now()))
    day = clock.cst_day(clock.parse_iso(at))
    base: dict[str, Any] = {
        "at": at,
        "record_kind": change.kind,
        "record_id": str(image.get("id", record_pk)),
        "record_pk": record_pk,
        "seq": f"{int(image['audit_seq']):08d}",
        "action": str(image.get("last_action") or "changed"),
        "actor": image.get("last_actor"),
        "state": image.get("state"),
        "region": region_code,
        "summary": {k: image[k] for k in SUMMARY_FIELDS if image.get(k) is not None} or None,
    }
    feeds: list[str] = []
    if region_code and catalog().find(region_code):
        feeds += [store.region_feed(r.code, r.level, day, record_pk) for r in catalog().ancestors(region_code)]
    feeds += [store.inbox_feed(org) for org in sorted(set(image.get("parties") or []))]
    store.write_items([store.FeedItem(feed=feed, **base) for feed in feeds])


def _view(item: store.FeedItem) -> FeedItemView:
    return FeedItemView(
        at=item.at,
        kind=item.record_kind,
        id=item.record_id,
        action=item.action,
        actor=item.actor,
        state=item.state,
        region=item.region,
        summary=item.summary,
    )


def region_feed(user: Principal, query: FeedQuery) -> FeedPage:
    """A governing agency's view of what changed in a region of its jurisdiction on one day, newest first."""
    region = catalog().get(query.region or user.org_region)
    if not governs(user, region.code):
        raise NotFoundError("that region is outside your jurisdiction")
    day = query.day or clock.cst_day(clock.now())
    try:
        date.fromisoformat(day)
    except ValueError:
        raise ValidationFailed("day is not a date", errors=[{"field": "query.day", "message": "invalid"}]) from None
    partitions = store.region_feed_partitions(region.code, region.level, day)
    # A sharded day is read shard by shard; the cursor says which shard and where in it.
    shard, inner = _split_cursor(query.cursor, len(partitions))
    items: list[store.FeedItem] = []
    next_cursor = None
    while shard < len(partitions) and len(items) < query.limit:
        got, inner = store.page(partitions[shard], limit=query.limit - len(items), cursor=inner)
        items += got
        if inner is None:
            shard += 1
    if shard < len(partitions):
        next_cursor = _join_cursor(shard, inner)
    items.sort(key=lambda i: i.sk, reverse=True)
    return FeedPage(items=[_view(i) for i in items], next_cursor=next_cursor)


def inbox(user: Principal, limit: int, cursor: str | None) -> FeedPage:
    items, next_cursor = store.page(store.inbox_feed(user.org_id), limit=limit, cursor=cursor)
    return FeedPage(items=[_view(i) for i in items], next_cursor=next_cursor)


def _split_cursor(cursor: str | None, shards: int) -> tuple[int, str | None]:
    if not cursor:
        return 0, None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        shard, inner = int(data["s"]), data.get("c")
        if not 0 <= shard < shards:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed(
            "cursor is not valid here", errors=[{"field": "query.cursor", "message": "invalid"}]
        ) from None
    return shard, inner


def _join_cursor(shard: int, inner: str | None) -> str:
    return base64.urlsafe_b64encode(json.dumps({"s": shard, "c": inner}).encode()).decode().rstrip("=")

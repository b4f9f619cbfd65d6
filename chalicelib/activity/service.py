"""Filing every change into the feeds of the regions above it and the inboxes of its parties."""

from __future__ import annotations

import base64
import json
from typing import Any

from chalicelib.core import clock
from chalicelib.core.access import Principal, governs
from chalicelib.core.errors import NotFoundError, Unprocessable
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
    """A governing agency's view of what changed in a region of its jurisdiction on one day, newest first.

    A busy day is split into shards; each page reads every shard below its own position and merges
    them, so pages stay in time order across shards.
    """
    region = catalog().get(query.region or user.org_region)
    if not governs(user, region.code):
        raise NotFoundError("that region is outside your jurisdiction")
    day = query.day or clock.cst_day(clock.now())
    partitions = store.region_feed_partitions(region.code, region.level, day)
    positions = _positions(query.cursor, len(partitions))
    candidates: list[tuple[int, store.FeedItem]] = []
    full: set[int] = set()
    for shard, feed in enumerate(partitions):
        position = positions[shard]
        if position is False:
            continue
        got = store.newest(feed, before=position if isinstance(position, str) else None, limit=query.limit)
        if len(got) == query.limit:
            full.add(shard)
        candidates += [(shard, item) for item in got]
    candidates.sort(key=lambda pair: pair[1].sk, reverse=True)
    taken = candidates[: query.limit]
    for shard, item in taken:
        positions[shard] = item.sk
    for shard in range(len(partitions)):
        untaken = any(s == shard for s, _ in candidates[query.limit :])
        if positions[shard] is not False and shard not in full and not untaken:
            positions[shard] = False  # this shard has nothing older left
    more = any(p is not False for p in positions)
    return FeedPage(items=[_view(i) for _, i in taken], next_cursor=_cursor(positions) if more else None)


def inbox(user: Principal, limit: int, cursor: str | None) -> FeedPage:
    items, next_cursor = store.page(store.inbox_feed(user.org_id), limit=limit, cursor=cursor)
    return FeedPage(items=[_view(i) for i in items], next_cursor=next_cursor)


def _positions(cursor: str | None, shards: int) -> list[str | bool | None]:
    """Per shard: None (not read yet), the sort key read down to, or False (nothing older left)."""
    if not cursor:
        return [None] * shards
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        positions = data["p"]
        if len(positions) != shards or not all(p is None or p is False or isinstance(p, str) for p in positions):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise Unprocessable(
            "cursor is not valid here", errors=[{"field": "query.cursor", "message": "invalid"}]
        ) from None
    return list(positions)


def _cursor(positions: list[str | bool | None]) -> str:
    return base64.urlsafe_b64encode(json.dumps({"p": positions}).encode()).decode().rstrip("=")

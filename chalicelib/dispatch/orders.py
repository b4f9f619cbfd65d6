"""Dispatch orders to many agencies at once: one order, a receipt per agency made from the stream, each with its
own state (sent, acknowledged, fed back, closed), and the rates the sender follows.

A receipt is an ordinary instruction (the acknowledgement workflow, feedback rounds and closure all apply), named
by an id derived from the order and the agency: the stream delivering the order again makes no second receipt.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import timedelta

from chalicelib.core import audit, clock
from chalicelib.core.access import Principal, check_access, governs
from chalicelib.core.errors import ConflictError, NotFoundError, Unprocessable
from chalicelib.core.events import RecordChange
from chalicelib.core.ids import new_id
from chalicelib.orgs import store as orgs

from . import service, store
from .models import OrderView, ReceiptRates, ReceiptView, SendOrderRequest

KIND = "InstructionOrder"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def receipt_id(order_id: str, org_id: str) -> str:
    """A ULID of the order's time and a hash of (order, agency): the same receipt however often it is made."""
    digest = int.from_bytes(hashlib.sha256(f"{order_id}|{org_id}".encode()).digest()[:10], "big")
    tail = "".join(_CROCKFORD[(digest >> (5 * i)) & 31] for i in range(15, -1, -1))
    return order_id[:10] + tail


def send(user: Principal, req: SendOrderRequest) -> OrderView:
    wanted = list(dict.fromkeys(req.to_org_ids))
    found = orgs.agencies_by_id(wanted)
    # As for one agency: an agency outside the sender's jurisdiction does not exist for them (404).
    if any(a not in found or not governs(user, found[a].region or "") for a in wanted):
        raise NotFoundError("no such agency in your jurisdiction")
    errors = []
    for i, org_id in enumerate(req.to_org_ids):
        agency = found[org_id]
        if org_id == user.org_id:
            errors.append({"field": f"body.to_org_ids.{i}", "message": "your own agency"})
        elif not agency.active:
            errors.append({"field": f"body.to_org_ids.{i}", "message": "inactive"})
    if len(wanted) != len(req.to_org_ids):
        errors.append({"field": "body.to_org_ids", "message": "an agency is named twice"})
    if errors:
        raise Unprocessable("send orders to active agencies below yours, each once", errors=errors)
    if req.warning_id is not None:
        service.warning_of(user, req.warning_id)
    order_id = new_id()
    rec = store.OrderRecord(
        id=order_id,
        from_org_id=user.org_id,
        sent_by=user.user_id,
        title=req.title,
        body=req.body,
        to_org_ids=wanted,
        receipt_ids=[receipt_id(order_id, o) for o in wanted],
        respond_within_seconds=str(req.respond_within_seconds),
        feedback_within_seconds=str(req.feedback_within_seconds),
        region=user.org_region,
        parties={user.org_id},
        warning_id=req.warning_id,
    )
    audit.commit(audit.Change(rec, "order.sent", detail={"agencies": len(wanted)}), actor=user.user_id)
    return view(rec, {})


def get(user: Principal, order_id: str) -> OrderView:
    rec = store.get_order(order_id)
    check_access(user, region=rec.region, parties=rec.parties or ())
    return view(rec, store.instructions_by_id([str(r) for r in rec.receipt_ids or []]))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def view(rec: store.OrderRecord, receipts: dict[str, store.InstructionRecord]) -> OrderView:
    rows = []
    for org_id, rid in zip(rec.to_org_ids or [], rec.receipt_ids or [], strict=True):
        r = receipts.get(str(rid))
        if r is None:
            continue
        rounds = list(r.rounds or [])
        rows.append(
            ReceiptView(
                instruction_id=r.id,
                to_org_id=str(org_id),
                state=r.state,
                acknowledged_at=r.acknowledged_at,
                rounds=len(rounds),
                fed_back=any(x.get("answered_at") for x in rounds),
                overdue=bool(r.escalated_to) or any(x.get("overdue_at") for x in rounds),
                closed_at=r.closed_at,
            )
        )
    whole = len(rec.to_org_ids or [])
    acked = sum(1 for x in rows if x.acknowledged_at)
    fed = sum(1 for x in rows if x.fed_back)
    closed = sum(1 for x in rows if x.state == "closed")
    return OrderView(
        id=rec.id,
        from_org_id=rec.from_org_id,
        title=rec.title,
        body=rec.body,
        sent_at=rec.created_at or "",
        warning_id=rec.warning_id,
        to_org_ids=[str(o) for o in rec.to_org_ids or []],
        receipts=rows,
        rates=ReceiptRates(
            agencies=whole,
            delivered=len(rows),
            acknowledged=acked,
            fed_back=fed,
            closed=closed,
            overdue=sum(1 for x in rows if x.overdue),
            acknowledged_rate=_rate(acked, whole),
            fed_back_rate=_rate(fed, whole),
            closed_rate=_rate(closed, whole),
        ),
        version=int(rec.version or 0),
    )


def fan_out(change: RecordChange) -> None:
    """Stream subscriber: a new order makes one receipt per agency (made once; a re-delivery finds them made)."""
    if change.kind != KIND or not change.created:
        return
    image = change.image
    agencies = orgs.agencies_by_id(list(image["to_org_ids"]))
    for org_id in image["to_org_ids"]:
        rid = receipt_id(image["id"], org_id)
        agency = agencies.get(org_id)
        if agency is None:
            continue  # checked when sent; an agency gone since has nothing to receive
        seconds = int(image["respond_within_seconds"])
        rec = store.InstructionRecord(
            id=rid,
            from_org_id=image["from_org_id"],
            to_org_id=org_id,
            sent_by=image["sent_by"],
            title=image["title"],
            body=image["body"],
            state="sent",
            region=agency.region,
            parties={image["from_org_id"], org_id},
            respond_within_seconds=str(seconds),
            due_at=clock.iso(clock.now() + timedelta(seconds=seconds)),
            feedback_within_seconds=image["feedback_within_seconds"],
            warning_id=image.get("warning_id"),
            order_id=image["id"],
        )
        with contextlib.suppress(ConflictError):  # made the first time this order was delivered
            audit.commit(
                audit.Change(
                    rec,
                    "instruction.sent",
                    detail={"order": image["id"]},
                    condition=store.InstructionRecord.pk.does_not_exist(),
                ),
                actor=service.SYSTEM,
            )

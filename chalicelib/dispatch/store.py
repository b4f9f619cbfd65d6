"""Data access for dispatch instructions."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, ListAttribute, UnicodeAttribute, UnicodeSetAttribute

from chalicelib.core.db import Entity, fetch, query_page


class InstructionRecord(Entity, discriminator="Instruction"):
    """Dispatch instruction (调度指令) from an agency to one it governs."""

    id = UnicodeAttribute()
    from_org_id = UnicodeAttribute()
    to_org_id = UnicodeAttribute()
    sent_by = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    state = UnicodeAttribute()
    due_at = UnicodeAttribute()
    respond_within_seconds = UnicodeAttribute()
    parties = UnicodeSetAttribute()
    ack_token = UnicodeAttribute(null=True)
    acknowledged_by = UnicodeAttribute(null=True)
    acknowledged_at = UnicodeAttribute(null=True)
    feedback = UnicodeAttribute(null=True)
    escalated_to = UnicodeAttribute(null=True)
    workflow_error = UnicodeAttribute(null=True)
    # Feedback (反馈) rounds: the first opens at the acknowledgement, the sender may ask again; then 办结.
    feedback_within_seconds = UnicodeAttribute(null=True)
    rounds = JSONAttribute(default=list)
    closed_by = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    closing_note = UnicodeAttribute(null=True)
    warning_id = UnicodeAttribute(null=True)
    order_id = UnicodeAttribute(null=True)  # the order to many agencies it is this agency's receipt of

    def derive_keys(self) -> None:
        self.pk = f"INSTR#{self.id}"
        self.sk = "INSTR"
        self.gsi1pk = f"INSTR_TO#{self.to_org_id}"
        self.gsi1sk = self.created_at or ""
        self.gsi2pk = f"INSTR_FROM#{self.from_org_id}"
        self.gsi2sk = self.created_at or ""


def get(instruction_id: str) -> InstructionRecord:
    return fetch(InstructionRecord, f"INSTR#{instruction_id}", "INSTR", what="instruction")


def received_by(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[InstructionRecord], str | None]:
    return query_page(
        InstructionRecord,
        ("gsi1pk", f"INSTR_TO#{org_id}"),
        index=InstructionRecord.gsi1,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


def sent_by(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[InstructionRecord], str | None]:
    return query_page(
        InstructionRecord,
        ("gsi2pk", f"INSTR_FROM#{org_id}"),
        index=InstructionRecord.gsi2,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


class OrderRecord(Entity, discriminator="InstructionOrder"):
    """Dispatch order to many agencies: the stream makes one instruction (a receipt) per agency from it."""

    id = UnicodeAttribute()
    from_org_id = UnicodeAttribute()
    sent_by = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    to_org_ids = ListAttribute(of=UnicodeAttribute)
    receipt_ids = ListAttribute(of=UnicodeAttribute)
    respond_within_seconds = UnicodeAttribute()
    feedback_within_seconds = UnicodeAttribute()
    parties = UnicodeSetAttribute()
    warning_id = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"ORDER#{self.id}"
        self.sk = "ORDER"


def get_order(order_id: str) -> OrderRecord:
    return fetch(OrderRecord, f"ORDER#{order_id}", "ORDER", what="order")


def instructions_by_id(ids: list[str]) -> dict[str, InstructionRecord]:
    """Many instructions at once (an order's receipts): one BatchGetItem per 100; those not made yet left out."""
    keys = [(f"INSTR#{i}", "INSTR") for i in sorted(set(ids))]
    return {r.id: r for r in InstructionRecord.batch_get(keys) if isinstance(r, InstructionRecord)} if keys else {}

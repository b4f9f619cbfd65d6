"""Data access for spot-check tasks, conflicts of interest and draws."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)

from chalicelib.core.db import Entity, fetch, query_all, query_page


class SpotCheckRecord(Entity, discriminator="SpotCheck"):
    """Spot-check task (监督抽查任务, JDCC); a cascade is a tree of these (parent_id, root_id)."""

    id = UnicodeAttribute()
    title = UnicodeAttribute()
    urgency = UnicodeAttribute()
    issuer_org_id = UnicodeAttribute()
    assignee_org_id = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    root_id = UnicodeAttribute()
    depth = NumberAttribute(default=0)
    state = UnicodeAttribute()
    parties = UnicodeSetAttribute()
    products = ListAttribute(of=UnicodeAttribute)
    hazards = ListAttribute(of=UnicodeAttribute)
    regions = ListAttribute(of=UnicodeAttribute)
    units = NumberAttribute()
    standards = ListAttribute(of=UnicodeAttribute)
    deadline = UnicodeAttribute()
    receipt_due = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    plan = UnicodeAttribute(null=True)
    children = JSONAttribute(default=list)
    lab_org_id = UnicodeAttribute(null=True)
    draw_id = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    return_reason = UnicodeAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    model = JSONAttribute(null=True)  # the testing model (检测模型) the lab configures
    report_id = UnicodeAttribute(null=True)  # the summary analysis report to the issuing agency
    accepted = JSONAttribute(null=True)  # the issuer's acceptance (验收) of the report: by, at, note
    publications = NumberAttribute(default=0)  # each publication runs its own clock
    clock = JSONAttribute(null=True)  # per deadline (receipt, deadline): reminded_at, escalated_at, escalated_to
    reminders = NumberAttribute(default=0)
    progress = JSONAttribute(null=True)  # a distributed task's: its children's states and figures, summed

    def derive_keys(self) -> None:
        self.pk = f"SPOT#{self.id}"
        self.sk = "TASK"
        self.gsi1pk = f"SPOTS_BY#{self.issuer_org_id}"
        self.gsi1sk = self.created_at or ""
        if self.state != "draft":
            self.gsi2pk = f"SPOTS_TO#{self.assignee_org_id}"
            self.gsi2sk = self.created_at or ""


class ConflictRecord(Entity, discriminator="SpotConflict"):
    """A sampler's declared conflict of interest (回避) in one task."""

    task_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    subject_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute()

    def derive_keys(self) -> None:
        self.pk = f"SPOT#{self.task_id}"
        self.sk = f"CONFLICT#{self.user_id}"


def get(task_id: str) -> SpotCheckRecord:
    return fetch(SpotCheckRecord, f"SPOT#{task_id}", "TASK", what="spot-check task")


def issued_by(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[SpotCheckRecord], str | None]:
    return query_page(
        SpotCheckRecord,
        ("gsi1pk", f"SPOTS_BY#{org_id}"),
        index=SpotCheckRecord.gsi1,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


def received_by(org_id: str, *, limit: int, cursor: str | None) -> tuple[list[SpotCheckRecord], str | None]:
    return query_page(
        SpotCheckRecord,
        ("gsi2pk", f"SPOTS_TO#{org_id}"),
        index=SpotCheckRecord.gsi2,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )


def conflicts_of(task_id: str) -> list[ConflictRecord]:
    return list(
        query_all(ConflictRecord, f"SPOT#{task_id}", range_key_condition=ConflictRecord.sk.startswith("CONFLICT#"))
    )


class DrawRecord(Entity, discriminator="Draw"):
    """A double-random draw (双随机抽取) of one task: committed, then performed; never redone silently."""

    id = UnicodeAttribute()
    task_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    parties = UnicodeSetAttribute()
    state = UnicodeAttribute()
    algorithm = UnicodeAttribute()
    commitment = UnicodeAttribute()
    seed = UnicodeAttribute(null=True)  # revealed once performed; until then only in the DrawSeed item
    subjects_hash = UnicodeAttribute()
    samplers_hash = UnicodeAttribute()
    key_objects_hash = UnicodeAttribute()
    subject_count = NumberAttribute()
    sampler_count = NumberAttribute()
    candidates = JSONAttribute()  # sizes of the frozen lists
    input_key = UnicodeAttribute()
    input_sha256 = UnicodeAttribute()
    recusals = JSONAttribute(default=list)
    result = JSONAttribute(null=True)
    reassignments = JSONAttribute(default=list)  # subjects moved to another team after the draw, in order
    published = BooleanAttribute(default=False)
    committed_by = UnicodeAttribute()
    performed_by = UnicodeAttribute(null=True)

    def derive_keys(self) -> None:
        self.pk = f"DRAW#{self.id}"
        self.sk = "DRAW"


class DrawSeed(Entity, discriminator="DrawSeed"):
    """The seed of a committed draw, kept apart from the draw (never in its stream images) until revealed."""

    draw_id = UnicodeAttribute()
    seed = UnicodeAttribute()

    def derive_keys(self) -> None:
        self.pk = f"DRAWSEED#{self.draw_id}"
        self.sk = "SEED"


class DrawClaim(Entity, discriminator="DrawClaim"):
    """One draw per task: claimed in the committing transaction, so a second draw is a 409."""

    draw_id = UnicodeAttribute()

    def derive_keys(self) -> None:
        pass  # set by the caller


def get_draw(draw_id: str) -> DrawRecord:
    return fetch(DrawRecord, f"DRAW#{draw_id}", "DRAW", what="draw")


def get_seed(draw_id: str) -> DrawSeed:
    return fetch(DrawSeed, f"DRAWSEED#{draw_id}", "SEED", what="draw seed")

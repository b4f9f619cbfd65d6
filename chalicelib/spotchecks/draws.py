"""The double-random draw of a spot check, kept: candidates frozen and committed, performed, recusals, publication.

The algorithm is `draw.py` (pure, and its docstring is the published specification). This module freezes the
candidate lists from the platform's data, keeps the seed apart until the draw, stores what anyone needs to
replay it (the frozen lists in S3 with their hashes, the seed, the recusal log, the result), and replays it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from chalicelib.codes import store as code_store
from chalicelib.core import audit, clock, storage
from chalicelib.core.access import Principal, Role, check_access
from chalicelib.core.errors import (
    AlreadyExistsError,
    ConflictError,
    ForbiddenError,
    InvalidStateError,
    NotFoundError,
    Unprocessable,
)
from chalicelib.core.ids import new_id
from chalicelib.orgs import store as orgs
from chalicelib.regions.catalog import catalog, contains
from chalicelib.subjects import store as subject_store

from . import draw, public, service, store
from .models import DrawRequest, DrawView, PublicDrawView, ReassignmentRequest, RecusalRequest, ReplayView

INPUT_PREFIX = "draws/"
PAGE = 200


def view(rec: store.DrawRecord) -> DrawView:
    return DrawView(
        id=rec.id,
        task_id=rec.task_id,
        org_id=rec.org_id,
        state=rec.state,  # type: ignore[arg-type]
        algorithm=rec.algorithm,
        commitment=rec.commitment,
        seed=rec.seed,
        subjects_hash=rec.subjects_hash,
        samplers_hash=rec.samplers_hash,
        key_objects_hash=rec.key_objects_hash,
        subject_count=int(rec.subject_count),
        sampler_count=int(rec.sampler_count),
        candidates=rec.candidates,
        input_sha256=rec.input_sha256,
        input_url=storage.presigned_get(rec.input_key, f"draw-{rec.id}.json"),
        recusals=rec.recusals or [],
        result=rec.result,
        reassignments=rec.reassignments or [],
        teams=standing_teams(rec),
        published=bool(rec.published),
        created_at=rec.created_at or "",
        version=int(rec.version or 0),
    )


# --- candidates -------------------------------------------------------------------------------------


def _counties(regions: list[str]) -> list[str]:
    """The counties whose subject lists cover the regions (a township's subjects are listed under its county)."""
    out: set[str] = set()
    for code in regions:
        region = catalog().get(code)
        if region.level in {"county", "township"}:
            out.add(code[:6])
            continue
        stack = [region]
        while stack:
            here = stack.pop()
            for child in catalog().children(here.code):
                if child.level == "county":
                    out.add(child.code)
                else:
                    stack.append(child)
    return sorted(out)


def producers(county: str, products: list[str]) -> set[str]:
    """The subjects of a county with a product of one of these categories (one Query per category)."""
    out: set[str] = set()
    for code in products:
        cursor: str | None = None
        while True:
            page, cursor = code_store.producers_in(county, code, limit=PAGE, cursor=cursor)
            out.update(p.subject_id for p in page)
            if not cursor:
                break
    return out


def subject_candidates(task: store.SpotCheckRecord) -> tuple[list[str], list[str], int, dict[str, str]]:
    """Approved subjects in the task's regions that produce one of its products, from the platform's data:
    (random pool, key supervision objects, how many were left out for producing none of them, redacted names).

    A subject with no product in the task's scope has nothing to sample: it is never a candidate, key object
    or not.
    """
    pool: list[str] = []
    key_objects: list[str] = []
    no_product = 0
    names: dict[str, str] = {}
    regions = [str(r) for r in task.regions or []]
    products = sorted(str(p) for p in task.products or [])
    for county in _counties(regions):
        producing = producers(county, products)
        cursor: str | None = None
        while True:
            page, cursor = subject_store.in_county(county, "approved", limit=PAGE, cursor=cursor)
            for subject in page:
                if not any(contains(r, subject.region or "") for r in regions):
                    continue
                if subject.id not in producing:
                    no_product += 1
                    continue
                (key_objects if subject.key_object else pool).append(subject.id)
                names[subject.id] = public.subject_name(subject.name, subject.form)
            if not cursor:
                break
    return pool, key_objects, no_product, names


def sampler_candidates(task: store.SpotCheckRecord) -> tuple[list[str], dict[str, int], dict[str, str]]:
    """The doing agency's samplers with an enforcement certificate valid today, less declared conflicts:
    (eligible, how many were left out and why, redacted names)."""
    today = clock.cst_day(clock.now())
    conflicted = {c.user_id for c in store.conflicts_of(task.id)}
    eligible, left_out = [], {"no_certificate": 0, "expired_certificate": 0, "conflict_of_interest": 0}
    names: dict[str, str] = {}
    cursor: str | None = None
    while True:
        page, cursor = orgs.list_users_of(task.assignee_org_id, limit=PAGE, cursor=cursor)
        for user in page:
            if not user.active or Role.SAMPLER not in set(user.roles or ()):
                continue
            if not user.cert_no:
                left_out["no_certificate"] += 1
            elif (user.cert_valid_until or "") < today:
                left_out["expired_certificate"] += 1
            elif user.id in conflicted:
                left_out["conflict_of_interest"] += 1
            else:
                eligible.append(user.id)
                names[user.id] = public.mask_person(user.name)
        if not cursor:
            break
    return eligible, left_out, names


# --- commit, perform, recuse, publish -----------------------------------------------------------------------------


def _doer(user: Principal, task_id: str) -> store.SpotCheckRecord:
    task = service.visible(user, task_id)
    if task.assignee_org_id != user.org_id:
        raise ForbiddenError("the agency doing the task makes its draw")
    if task.state != "in_progress":
        raise InvalidStateError(f"the task is {task.state}: draw once the agency does it (in progress)")
    return task


def _register_key(input_key: str) -> str:
    """The redacted names and the task's public facts, kept beside the frozen lists (private: it holds ids)."""
    return input_key.rsplit("/", 1)[0] + "/register.json"


def _public_task(task: store.SpotCheckRecord) -> dict[str, Any]:
    region = str(task.region or "")
    regions = [catalog().get(str(r)).name for r in task.regions or []]
    return {
        "title": task.title,
        "region": region,
        "region_name": "、".join(regions),
        "products": [str(p) for p in task.products or []],
        "units": int(task.units),
    }


def _input_json(inputs: draw.DrawInput) -> bytes:
    frozen = dataclasses.asdict(dataclasses.replace(inputs, recusals=()))
    return json.dumps(frozen, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def commit(user: Principal, task_id: str, req: DrawRequest) -> DrawView:
    """Freeze the candidate lists and commit to a fresh seed: its hash is shown before anything is drawn."""
    task = _doer(user, task_id)
    subjects, key_objects, no_product, subject_names = subject_candidates(task)
    samplers, left_out, sampler_names = sampler_candidates(task)
    if len(samplers) < 2:
        raise Unprocessable(
            "fewer than two samplers hold a valid enforcement certificate and no conflict: no team can be formed",
            errors=[{"field": "body.samplers", "message": f"{len(samplers)} eligible; left out: {left_out}"}],
        )
    seed = draw.new_seed()
    try:
        inputs = draw.DrawInput.freeze(
            draw.commitment(seed),
            subjects,
            samplers,
            subject_count=req.subjects if req.subjects is not None else int(task.units),
            sampler_count=req.samplers,
            key_objects=key_objects,
        )
    except ValueError as exc:
        raise Unprocessable(str(exc), errors=[{"field": "body", "message": str(exc)}]) from None
    draw_id = new_id()
    body = _input_json(inputs)
    key = f"{INPUT_PREFIX}{task.id}/{draw_id}/input.json"
    storage.put(key, body, "application/json")
    register = {"task": _public_task(task), "names": subject_names | sampler_names}
    storage.put(_register_key(key), json.dumps(register, ensure_ascii=False).encode(), "application/json")
    rec = store.DrawRecord(
        id=draw_id,
        task_id=task.id,
        org_id=user.org_id,
        parties=set(task.parties or ()),
        region=task.region,
        state="committed",
        algorithm=draw.ALGORITHM,
        commitment=inputs.seed_commitment,
        subjects_hash=inputs.subjects_hash,
        samplers_hash=inputs.samplers_hash,
        key_objects_hash=inputs.key_objects_hash,
        subject_count=inputs.subject_count,
        sampler_count=inputs.sampler_count,
        candidates={
            "subjects": len(inputs.subjects),
            "key_objects": len(inputs.key_objects),
            "subjects_left_out": {"no_product_in_scope": no_product},
            "samplers": len(inputs.samplers),
            "samplers_left_out": left_out,
        },
        input_key=key,
        input_sha256=hashlib.sha256(body).hexdigest(),
        recusals=[],
        committed_by=user.user_id,
    )
    claim = store.DrawClaim(pk=f"DRAWOF#{task.id}", sk="DRAW", draw_id=draw_id)
    secret = store.DrawSeed(draw_id=draw_id, seed=seed)
    try:
        audit.commit(
            audit.Change(rec, "draw.committed", detail={"commitment": rec.commitment}),
            actor=user.user_id,
            claims=[claim, secret],
        )
    except ConflictError:
        raise AlreadyExistsError("this task already has its draw: draws are never redone") from None
    return view(rec)


def _visible(user: Principal, draw_id: str) -> store.DrawRecord:
    rec = store.get_draw(draw_id)
    check_access(user, region=rec.region, parties=rec.parties or ())
    return rec


def get(user: Principal, draw_id: str) -> DrawView:
    return view(_visible(user, draw_id))


def _inputs(rec: store.DrawRecord) -> draw.DrawInput:
    """The frozen lists as stored, checked against the hash recorded when they were frozen, plus the recusal log."""
    body = storage.get(rec.input_key)
    if hashlib.sha256(body).hexdigest() != rec.input_sha256:
        raise ConflictError("the stored candidate lists do not match their recorded hash")
    data = json.loads(body)
    data["recusals"] = tuple(draw.Recusal(r["sampler_id"], r["reason"]) for r in rec.recusals or [])
    return draw.DrawInput(**data)


def _result_json(result: draw.DrawResult) -> dict[str, Any]:
    return json.loads(json.dumps(dataclasses.asdict(result)))


def _result(data: dict[str, Any]) -> draw.DrawResult:
    return draw.DrawResult(
        subjects=tuple(draw.DrawnSubject(**s) for s in data["subjects"]),
        samplers=tuple(data["samplers"]),
        teams=tuple(draw.Team(t["number"], tuple(t["samplers"]), tuple(t["subjects"])) for t in data["teams"]),  # type: ignore[arg-type]
        replacements=tuple(draw.Replacement(**r) for r in data["replacements"]),
        subjects_short=int(data["subjects_short"]),
        samplers_short=int(data["samplers_short"]),
    )


def _doing(user: Principal, draw_id: str) -> tuple[store.DrawRecord, store.SpotCheckRecord]:
    rec = _visible(user, draw_id)
    if rec.org_id != user.org_id:
        raise ForbiddenError("the agency doing the task acts on its draw")
    return rec, store.get(rec.task_id)


def perform(user: Principal, draw_id: str) -> DrawView:
    """Draw: the seed is revealed with the result, and the task names its draw."""
    rec, task = _doing(user, draw_id)
    if rec.state != "committed":
        raise InvalidStateError("the draw is already made: it is never redone")
    seed = store.get_seed(draw_id).seed
    result = draw.perform(seed, _inputs(rec))
    rec.state, rec.seed, rec.result, rec.performed_by = "performed", seed, _result_json(result), user.user_id
    task.draw_id = rec.id
    audit.commit(
        [
            audit.Change(rec, "draw.performed", detail={"seed": seed}, condition=store.DrawRecord.state == "committed"),
            audit.Change(task, "spotcheck.drawn", detail={"draw": rec.id}),
        ],
        actor=user.user_id,
    )
    return view(rec)


def recuse(user: Principal, draw_id: str, req: RecusalRequest) -> DrawView:
    """回避: a drawn sampler steps aside (or is found ineligible); the next one in the draw's order takes the slot."""
    rec = _visible(user, draw_id)
    if rec.state != "performed" or not rec.seed or rec.result is None:
        raise InvalidStateError("recusals follow the draw")
    own = user.user_id == req.sampler_id
    if not own and (rec.org_id != user.org_id or not user.has_any({Role.HEAD, Role.SUPERVISOR})):
        raise ForbiddenError("a sampler recuses themself, or their agency's head records it")
    try:
        logged, result = draw.recuse(rec.seed, _inputs(rec), _result(rec.result), req.sampler_id, req.reason)
    except ValueError as exc:
        raise Unprocessable(str(exc), errors=[{"field": "body.sampler_id", "message": str(exc)}]) from None
    rec.recusals = [
        *(rec.recusals or []),
        {"sampler_id": req.sampler_id, "reason": req.reason, "at": clock.iso(clock.now()), "by": user.user_id},
    ]
    assert len(rec.recusals) == len(logged.recusals)
    rec.result = _result_json(result)
    audit.commit(
        audit.Change(
            rec, "draw.recusal", detail={"sampler": req.sampler_id, "replacement": result.replacements[-1].replacement}
        ),
        actor=user.user_id,
    )
    return view(rec)


def publish(user: Principal, draw_id: str) -> DrawView:
    """一公开: the draw and its result are public from now on (the public replay answers for it)."""
    rec, _ = _doing(user, draw_id)
    if rec.state != "performed":
        raise InvalidStateError("publish a draw once it is made")
    if rec.published:
        return view(rec)
    rec.published = True
    audit.commit(audit.Change(rec, "draw.published"), actor=user.user_id)
    return view(rec)


def replay_of(rec: store.DrawRecord, inputs: draw.DrawInput | None = None) -> ReplayView:
    """Recompute the draw from its revealed seed, the frozen lists and the recusal log; compare with the record."""
    if rec.state != "performed" or not rec.seed or rec.result is None:
        raise InvalidStateError("the draw is not made yet: its seed is not revealed")
    inputs = inputs or _inputs(rec)
    checks = {
        "seed_matches_commitment": draw.verify_commitment(rec.seed, rec.commitment),
        "lists_match_hashes": draw.verify_lists(inputs)
        and (inputs.subjects_hash, inputs.samplers_hash, inputs.key_objects_hash)
        == (rec.subjects_hash, rec.samplers_hash, rec.key_objects_hash),
        "result_matches": draw.replay(rec.seed, inputs, _result(rec.result)),
    }
    return ReplayView(
        draw_id=rec.id,
        algorithm=rec.algorithm,
        seed=rec.seed,
        matches=all(checks.values()),
        checks=checks,
        result=rec.result,
        input_url=storage.presigned_get(rec.input_key, f"draw-{rec.id}.json"),
    )


def replay(user: Principal, draw_id: str) -> ReplayView:
    return replay_of(_visible(user, draw_id))


def public_draw(draw_id: str) -> PublicDrawView:
    """Anyone: a published draw, replayed, in its public form (redacted names, no internal id)."""
    rec = store.get_draw(draw_id)
    if not rec.published:
        raise NotFoundError("draw not found")
    inputs = _inputs(rec)
    replayed = replay_of(rec, inputs)
    assert rec.seed is not None and rec.result is not None  # replay_of refuses a draw not made
    try:
        register = json.loads(storage.get(_register_key(rec.input_key)))
    except NotFoundError:  # frozen before the register was kept: no names to show
        register = {"task": {}, "names": {}}
    form = public.build(
        seed=rec.seed,
        inputs=inputs,
        result=rec.result,
        reassignments=rec.reassignments or [],
        names=register["names"],
    )
    task = {"title": "", "region": str(rec.region or ""), "region_name": "", "products": [], "units": 0}
    view = {
        "task": task | register["task"],
        "algorithm": rec.algorithm,
        "commitment": rec.commitment,
        "seed": rec.seed,
        "subjects_hash": rec.subjects_hash,
        "samplers_hash": rec.samplers_hash,
        "key_objects_hash": rec.key_objects_hash,
        "subject_count": int(rec.subject_count),
        "sampler_count": int(rec.sampler_count),
        "candidates": rec.candidates,
        **form,
    }
    checks = {**replayed.checks, "public_form_consistent": public.consistent(view)}
    return PublicDrawView.model_validate({**view, "checks": checks, "matches": all(checks.values())})


# --- the teams as they stand: reassignments (改派) ---------------------------------------------------------------


def _team_of(rec: store.DrawRecord) -> dict[str, int]:
    """Each drawn subject's team as it stands: the draw's, then each reassignment in log order."""
    if rec.result is None:
        return {}
    team_of = {str(s["subject_id"]): int(s["team"]) for s in rec.result["subjects"]}
    for moved in rec.reassignments or []:
        team_of[str(moved["subject_id"])] = int(moved["to_team"])
    return team_of


def standing_teams(rec: store.DrawRecord) -> list[dict[str, Any]] | None:
    """The result's teams (after recusals), each with the subjects it samples after reassignments."""
    if rec.result is None:
        return None
    team_of = _team_of(rec)
    order = [str(s["subject_id"]) for s in rec.result["subjects"]]
    return [
        {
            "number": int(t["number"]),
            "samplers": list(t["samplers"]),
            "subjects": [s for s in order if team_of[s] == int(t["number"])],
        }
        for t in rec.result["teams"]
    ]


def reassign(user: Principal, draw_id: str, req: ReassignmentRequest) -> DrawView:
    """改派: the doing agency moves a drawn subject to another team, logged on the draw with its reason.

    The draw's result stays as drawn (a replay checks it); the reassignment log on top of it says which team
    samples each subject now, and is public with the draw.
    """
    rec, task = _doing(user, draw_id)
    if rec.state != "performed" or rec.result is None:
        raise InvalidStateError("reassign a subject once the draw is made")
    if task.state != "in_progress":
        raise InvalidStateError(f"the task is {task.state}: subjects are reassigned while it is sampled (in progress)")
    team_of = _team_of(rec)
    if req.subject_id not in team_of:
        raise Unprocessable(
            "that subject was not drawn for this task",
            errors=[{"field": "body.subject_id", "message": "not drawn"}],
        )
    teams = len(rec.result["teams"])
    if req.team > teams:
        raise Unprocessable(
            f"the draw formed {teams} teams", errors=[{"field": "body.team", "message": f"a team from 1 to {teams}"}]
        )
    if req.team == team_of[req.subject_id]:
        raise Unprocessable(
            "the subject is that team's already", errors=[{"field": "body.team", "message": "already its team"}]
        )
    moved = {"subject_id": req.subject_id, "from_team": team_of[req.subject_id], "to_team": req.team}
    rec.reassignments = [
        *(rec.reassignments or []),
        {**moved, "reason": req.reason, "at": clock.iso(clock.now()), "by": user.user_id},
    ]
    audit.commit(audit.Change(rec, "draw.reassigned", detail={**moved, "reason": req.reason}), actor=user.user_id)
    return view(rec)


@dataclasses.dataclass(frozen=True)
class Drawn:
    """Who the draw picked, as it stands: the samplers on teams, and each subject's team."""

    samplers: frozenset[str]
    team_of: dict[str, int]
    members: dict[int, frozenset[str]]

    @property
    def subjects(self) -> frozenset[str]:
        return frozenset(self.team_of)


def drawn(draw_id: str) -> Drawn:
    """Who the draw picked, as it stands after recusals and reassignments."""
    rec = store.get_draw(draw_id)
    if rec.result is None:
        return Drawn(frozenset(), {}, {})
    members = {int(t["number"]): frozenset(t["samplers"]) for t in rec.result["teams"]}
    return Drawn(frozenset(rec.result["samplers"]), _team_of(rec), members)

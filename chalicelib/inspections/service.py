"""Rules of inspection templates (检查规范): who keeps them, drafts, versions, publication, checking answers.

A template belongs to a scope: national (`00`, kept by national agencies) or one province (its two digits,
kept by that province's agency). Everyone signed in sees the national templates and their own province's;
another province's template does not exist for them (404). A published version never changes: a new draft of
the same code is the next version, and an inspection keeps the version it was made with.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from chalicelib.core import audit, clock
from chalicelib.core.access import Principal
from chalicelib.core.db import expect
from chalicelib.core.errors import ConflictError, ForbiddenError, InvalidStateError, NotFoundError, Unprocessable
from chalicelib.core.models import VersionedRequest
from chalicelib.regions.catalog import NATIONAL

from . import store
from .answers import answers_schema, validate_answers
from .models import (
    AnswersSchema,
    CheckAnswersRequest,
    CheckResult,
    CreateTemplateRequest,
    EditTemplateRequest,
    TemplateContent,
    TemplateListQuery,
    TemplatePage,
    TemplateSummary,
    TemplateView,
)

SYSTEM = "system:seed"
PLATFORM = "platform"  # the owner of the templates that ship with the platform
NATIONAL_DEFAULT = "national_default.json"


def scope_of(user: Principal) -> str:
    """The caller's scope: national for a national agency, else their province."""
    return store.NATIONAL_SCOPE if user.org_region == NATIONAL else user.org_region[:2]


def _region(scope: str) -> str:
    return NATIONAL if scope == store.NATIONAL_SCOPE else f"{scope}0000"


def _visible(user: Principal, rec: store.TemplateRecord) -> store.TemplateRecord:
    if rec.scope not in {store.NATIONAL_SCOPE, scope_of(user)}:
        raise NotFoundError("no such inspection template in your jurisdiction")
    return rec


def _author_scope(user: Principal) -> str:
    """Only a national or a provincial governing agency keeps templates, each for its own scope."""
    scope = scope_of(user)
    if not user.governs_region or user.org_region != _region(scope):
        raise ForbiddenError("inspection templates are kept by national and provincial agencies")
    return scope


def _editable(user: Principal, rec: store.TemplateRecord) -> store.TemplateRecord:
    _visible(user, rec)
    if _author_scope(user) != rec.scope:
        raise ForbiddenError("a national template is kept by the national agencies")
    return rec


def _get(code: str, number: int | str) -> store.TemplateRecord:
    """One version; a version number that is not one (from a path) finds nothing."""
    text = str(number)
    if not (text.isdecimal() and text.isascii() and 0 < len(text) <= 4 and int(text) > 0):
        raise NotFoundError("inspection template not found")
    return store.get(code, int(text))


def _read(user: Principal, code: str, number: int | str) -> store.TemplateRecord:
    return _visible(user, _get(code, number))


def _summary(rec: store.TemplateRecord) -> TemplateSummary:
    return TemplateSummary(
        code=rec.code,
        number=int(rec.number),
        scope=rec.scope,
        state=rec.state,  # type: ignore[arg-type]
        title=rec.title,
        categories=sorted(rec.categories or ()),
        published_at=rec.published_at,
    )


def view(rec: store.TemplateRecord) -> TemplateView:
    return TemplateView(
        **_summary(rec).model_dump(),
        sections=rec.content["sections"],
        scoring=rec.content["scoring"],
        owner_org_id=rec.owner_org_id,
        created_at=rec.created_at or "",
        published_by=rec.published_by,
        version=int(rec.version or 0),
    )


def _content(rec: store.TemplateRecord) -> TemplateContent:
    return TemplateContent.model_validate(
        {"title": rec.title, "categories": sorted(rec.categories or ()), **rec.content}
    )


def _merged(base: TemplateContent | None, req: CreateTemplateRequest | EditTemplateRequest) -> TemplateContent:
    """The request's parts over the base version's (a new code has no base: every part is required)."""
    given = req.model_dump(include={"title", "categories", "sections", "scoring"}, exclude_none=True)
    if base is None:
        missing = [name for name in ("title", "categories", "sections") if name not in given]
        if missing:
            raise Unprocessable(
                "a new template code needs its title, categories and sections",
                errors=[{"field": f"body.{name}", "message": "required for a new code"} for name in missing],
            )
    return TemplateContent.model_validate({**(base.model_dump() if base else {}), **given})


def check_content(content: TemplateContent, previous: TemplateContent | None) -> None:
    """Rules the request schema cannot state; each fault names its field (a 422)."""
    errors: list[dict[str, str]] = []
    sections: set[str] = set()
    keys: set[str] = set()
    earlier = {item.key: item.type for s in (previous.sections if previous else ()) for item in s.items}
    for i, section in enumerate(content.sections):
        if section.key in sections:
            errors.append({"field": f"body.sections.{i}.key", "message": "a section key is used twice"})
        sections.add(section.key)
        for j, item in enumerate(section.items):
            at = f"body.sections.{i}.items.{j}"
            if item.key in keys:
                errors.append({"field": f"{at}.key", "message": "an item key is used twice in the template"})
            keys.add(item.key)
            if item.key in earlier and earlier[item.key] != item.type:
                errors.append(
                    {
                        "field": f"{at}.type",
                        "message": f"the item was {earlier[item.key]} in the last version: give a new type a new key",
                    }
                )
            errors.extend(_item_faults(item, at))
    if errors:
        raise Unprocessable("the template breaks a rule of checklists", errors=errors)


def _item_faults(item: Any, at: str) -> list[dict[str, str]]:
    faults = []
    numeric = (item.unit, item.minimum, item.maximum)
    if item.type == "number":
        for name, value in zip(("unit", "minimum", "maximum"), numeric, strict=True):
            if value is None:
                faults.append({"field": f"{at}.{name}", "message": "a number item needs its unit and bounds"})
        if item.minimum is not None and item.maximum is not None and item.minimum > item.maximum:
            faults.append({"field": f"{at}.maximum", "message": "the maximum is below the minimum"})
    elif any(value is not None for value in numeric):
        faults.append({"field": f"{at}.unit", "message": "only number items have a unit and bounds"})
    if item.type == "choice":
        values = [option.value for option in item.options or ()]
        if len(values) < 2:
            faults.append({"field": f"{at}.options", "message": "a choice item needs at least two options"})
        elif len(set(values)) != len(values):
            faults.append({"field": f"{at}.options", "message": "an option value is used twice"})
    elif item.options is not None:
        faults.append({"field": f"{at}.options", "message": "only choice items have options"})
    return faults


def _record(
    scope: str, owner: str, actor: str, code: str, number: int, content: TemplateContent
) -> store.TemplateRecord:
    return store.TemplateRecord(
        code=code,
        number=number,
        scope=scope,
        region=_region(scope),
        state="draft",
        title=content.title,
        categories=set(content.categories),
        content=content.model_dump(mode="json", include={"sections", "scoring"}),
        owner_org_id=owner,
        created_by=actor,
    )


def create_draft(user: Principal, req: CreateTemplateRequest) -> TemplateView:
    """A new code's version 1, or the next version of a code whose newest version is published."""
    scope = _author_scope(user)
    latest = store.latest(req.code)
    base = None
    if latest is not None:
        _editable(user, latest)
        if latest.state == "draft":
            raise InvalidStateError(f"version {int(latest.number)} of {req.code} is a draft still: edit or publish it")
        base = _content(latest)
    content = _merged(base, req)
    check_content(content, base)
    number = int(latest.number) + 1 if latest is not None else 1
    rec = _record(scope, user.org_id, user.user_id, req.code, number, content)
    try:
        audit.commit(
            audit.Change(rec, "template.drafted", condition=store.TemplateRecord.pk.does_not_exist()),
            actor=user.user_id,
        )
    except ConflictError:
        raise ConflictError("that version was just drafted by someone else: read the template again") from None
    return view(rec)


def edit_draft(user: Principal, code: str, number: int | str, req: EditTemplateRequest) -> TemplateView:
    rec = _editable(user, _get(code, number))
    expect(rec, req.version, {"draft"}, "the template version")
    previous = _content(store.get(rec.code, int(rec.number) - 1)) if int(rec.number) > 1 else None
    content = _merged(_content(rec), req)
    check_content(content, previous)
    rec.title, rec.categories = content.title, set(content.categories)
    rec.content = content.model_dump(mode="json", include={"sections", "scoring"})
    audit.commit(audit.Change(rec, "template.edited"), actor=user.user_id)
    return view(rec)


def publish(user: Principal, code: str, number: int | str, req: VersionedRequest) -> TemplateView:
    """发布: the version becomes the one new inspections use, and never changes again."""
    rec = _editable(user, _get(code, number))
    expect(rec, req.version, {"draft"}, "the template version")
    rec.state, rec.published_at, rec.published_by = "published", clock.iso(clock.now()), user.user_id
    audit.commit(
        audit.Change(rec, "template.published", condition=store.TemplateRecord.state == "draft"), actor=user.user_id
    )
    return view(rec)


def list_templates(user: Principal, query: TemplateListQuery) -> TemplatePage:
    scope = store.NATIONAL_SCOPE if query.scope == "national" else scope_of(user)
    recs, cursor = store.of_scope(scope, limit=query.limit, cursor=query.cursor)
    return TemplatePage(items=[_summary(r) for r in recs], next_cursor=cursor)


def get_template(user: Principal, code: str, number: int | str) -> TemplateView:
    return view(_read(user, code, number))


def get_schema(user: Principal, code: str, number: int | str) -> AnswersSchema:
    return AnswersSchema(answers_schema(view(_read(user, code, number))))


def check_answers(user: Principal, code: str, number: int | str, req: CheckAnswersRequest) -> CheckResult:
    """A dry run of an inspection's answers against the version: the field errors, or the score."""
    return validate_answers(view(_read(user, code, number)), req.answers, where="body.answers")


def published_version(user: Principal, code: str, number: int | str) -> TemplateView:
    """The version an inspection is made with: visible to the user and published."""
    template = view(_read(user, code, number))
    if template.state != "published":
        raise InvalidStateError("inspect with a published version of the template")
    return template


# --- the templates that ship with the platform -------------------------------------------------


def packaged_templates() -> list[tuple[str, TemplateContent]]:
    """The national default (国家默认巡查规范) and any other packaged template: (code, content)."""
    text = (resources.files("chalicelib.inspections") / "data" / NATIONAL_DEFAULT).read_text(encoding="utf-8")
    data = json.loads(text)
    content = TemplateContent.model_validate({k: v for k, v in data.items() if k != "code"})
    check_content(content, None)
    return [(data["code"], content)]


def seed_templates(actor: str = SYSTEM) -> int:
    """Publish the packaged national templates as version 1 where their code is not there yet; returns how many."""
    added = 0
    for code, content in packaged_templates():
        if store.latest(code) is not None:
            continue
        rec = _record(store.NATIONAL_SCOPE, PLATFORM, actor, code, 1, content)
        rec.state, rec.published_at, rec.published_by = "published", clock.iso(clock.now()), actor
        try:
            audit.commit(
                audit.Change(rec, "template.published", condition=store.TemplateRecord.pk.does_not_exist()),
                actor=actor,
            )
            added += 1
        except ConflictError:
            continue  # seeded meanwhile by another loader
    return added

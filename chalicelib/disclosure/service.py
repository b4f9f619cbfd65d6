"""Disclosure rules: what is published (final results, decided penalties), when (the legal point), and redacted how.

The legal points (SPEC.md SS-6, Art 26):
- a spot check's (监督抽查, task kind JDCC) qualified sample: final when its verdict is given (no retest applies);
- an unqualified one: final when its failure event gets its final verdict (`retests.close`: the retest window
  lapsed with no application, or the retest was done), published with that final verdict (replacing a
  qualified publication of the same sample, should a correction have turned it into a failure);
- an enforcement case's penalty: when its investigation result (查处结果) is recorded;
- a daily-supervision penalty (日常监管 行政处罚): when it is recorded on the officer's inspection.
A penalty of kind `none` is no penalty and is not published.

Redaction: no person appears. An individual subject's (个体) name is masked as the public draw view masks a
person's (张*); an organisation's name is public. No subject number (an individual's may be an id number), no
phone, no address, no officer, no user or subject id, no free text (findings and decisions may name persons).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from chalicelib.codes import service as codes
from chalicelib.codes import store as code_store
from chalicelib.core import clock
from chalicelib.core.errors import NotFoundError, Unprocessable
from chalicelib.core.events import RecordChange
from chalicelib.regions.catalog import catalog
from chalicelib.spotchecks.public import mask_org, mask_person
from chalicelib.subjects import store as subjects

from . import store
from .models import DisclosureListQuery, DisclosurePage, PublicationView, SubjectDisclosureQuery

SPOT_CHECK = "JDCC"


def _id(kind: str, source_id: str) -> str:
    return hashlib.sha256(f"{kind}:{source_id}".encode()).hexdigest()[:24]


def _public_name(subject_id: str | None, fallback: str | None) -> str:
    """The subject as the public may see it: an individual's (个体) name masked, an organisation's in full."""
    if subject_id:
        try:
            subject = subjects.get(subject_id)
        except NotFoundError:
            subject = None
        if subject is not None:
            return mask_person(subject.name) if subject.form == "individual" else subject.name
    # Unknown form: masked as an organisation's, never risk showing a person's full name.
    return mask_org(fallback) if fallback else "**"


def _json(value: Any) -> Any:
    """A JSON attribute as the stream image holds it (a string), parsed."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _items(items: Any) -> list[dict[str, Any]]:
    """The failing test items as published: analyte, value, unit, outcome and the limit's text; nothing about
    who tested or entered them."""
    out = []
    for item in _json(items) or []:
        if not isinstance(item, dict):
            continue
        shown = {k: str(item[k]) for k in ("analyte", "value", "unit", "outcome") if item.get(k) is not None}
        limit = item.get("limit")
        if isinstance(limit, dict) and limit.get("text"):
            shown["limit"] = str(limit["text"])
        out.append(shown)
    return out


def _penalty(penalty: dict[str, Any]) -> dict[str, Any]:
    amount = penalty.get("amount_yuan")
    return {"kind": str(penalty.get("kind")), "amount_yuan": None if amount is None else str(amount)}


def _publish(
    *, kind: str, source_id: str, region: str | None, subject_id: str | None, at: str, content: dict[str, Any]
) -> None:
    if not region or not catalog().find(region[:6]):
        return  # nowhere to list it: a record without a region is no public list's
    published_at = at
    month = clock.cst_day(clock.parse_iso(published_at))[:7]
    county = catalog().get(region[:6])
    content = {
        **content,
        "region": county.code,
        "region_name": " ".join(r.name for r in reversed(catalog().ancestors(county.code)[:-1])),
        "published_at": published_at,
    }
    rec = store.PublicationRecord(
        id=_id(kind, source_id),
        category=content["category"],
        subject_id=subject_id,
        month=month,
        published_at=published_at,
        content=content,
        region=county.code,
    )
    store.put_once(rec)


def publish(change: RecordChange) -> None:
    """Stream subscriber: a record that reached its legal point is published, once (a re-delivery writes nothing)."""
    new, old = change.new, change.old or {}
    if not new:
        return
    at = str(new.get("updated_at") or new.get("created_at") or clock.iso(clock.now()))
    if change.kind == "Sample":
        _sample(new, old, at)
    elif change.kind == "SampleFailure":
        _failure(new, old, at)
    elif change.kind == "EnforcementCase":
        _case(new, old, at)
    elif change.kind == "DailyInspection":
        _daily(new, old, at)


def _result(image: dict[str, Any], verdict: str, items: Any, retested: bool) -> dict[str, Any]:
    return {
        "category": "spot_check_result",
        "subject": _public_name(image.get("subject_id"), image.get("subject_name")),
        "product": image.get("product_name"),
        "product_code": image.get("product_code"),
        "sampled_on": str(image.get("sampled_at") or "")[:10] or None,
        "verdict": verdict,
        "retested": retested,
        "unqualified_items": _items(items) if verdict == "unqualified" else [],
    }


def _sample(new: dict[str, Any], old: dict[str, Any], at: str) -> None:
    # A qualified spot-check sample is final at once; an unqualified one waits for its failure's final verdict.
    if new.get("task_kind") != SPOT_CHECK or new.get("parent_sample_id"):
        return
    if new.get("verdict") != "qualified" or old.get("verdict") == "qualified":
        return
    content = _result(new, "qualified", [], retested=False)
    _publish(
        kind="result",
        source_id=str(new["id"]),
        region=new.get("region"),
        subject_id=new.get("subject_id"),
        at=at,
        content=content,
    )


def _failure(new: dict[str, Any], old: dict[str, Any], at: str) -> None:
    if new.get("task_kind") != SPOT_CHECK:
        return
    if new.get("state") == "open" and old.get("state") != "open" and not new.get("final_verdict"):
        # A result corrected into a failure is no longer final: its qualified publication is withdrawn until
        # the failure's final verdict (nothing to withdraw in the usual case: a first failure).
        store.remove(_id("result", str(new["sample_id"])))
        return
    if not new.get("final_verdict") or old.get("final_verdict"):
        return
    from chalicelib.testing import store as samples  # the sample's date and subject name

    sample = samples.get_sample(str(new["sample_id"]))
    image = {
        "subject_id": new.get("subject_id") or sample.subject_id,
        "subject_name": sample.subject_name,
        "product_name": new.get("product_name"),
        "product_code": new.get("product_code"),
        "sampled_at": sample.sampled_at,
    }
    verdict = str(new["final_verdict"])
    content = _result(image, verdict, new.get("items"), retested=bool((_json(new.get("retest")) or {}).get("verdict")))
    _publish(
        kind="final",
        source_id=str(new["sample_id"]),
        region=new.get("region"),
        subject_id=image["subject_id"],
        at=at,
        content=content,
    )
    # A sample first published qualified and then corrected to a failure: the final verdict replaces it.
    store.remove(_id("result", str(new["sample_id"])))


def _penalty_content(image: dict[str, Any], result: dict[str, Any], source: str) -> dict[str, Any]:
    return {
        "category": "penalty",
        "source": source,
        "subject": _public_name(image.get("subject_id"), image.get("subject_name")),
        "case_no": result.get("case_no"),
        "penalty": _penalty(result.get("penalty") or {}),
        "decided_on": result.get("decided_on"),
    }


def _case(new: dict[str, Any], old: dict[str, Any], at: str) -> None:
    result = _json(new.get("result"))
    if not isinstance(result, dict) or old.get("result") or (result.get("penalty") or {}).get("kind") == "none":
        return
    content = _penalty_content(new, result, "enforcement_case")
    _publish(
        kind="case",
        source_id=str(new["id"]),
        region=new.get("region"),
        subject_id=new.get("subject_id"),
        at=at,
        content=content,
    )


def _daily(new: dict[str, Any], old: dict[str, Any], at: str) -> None:
    penalty = _json(new.get("penalty"))
    if not isinstance(penalty, dict) or old.get("penalty") or (penalty.get("penalty") or {}).get("kind") == "none":
        return
    content = _penalty_content(new, penalty, "daily_supervision")
    _publish(
        kind="daily",
        source_id=str(new["id"]),
        region=new.get("region"),
        subject_id=new.get("subject_id"),
        at=at,
        content=content,
    )


# --- public reads ----------------------------------------------------------------------------------------------


def _view(rec: store.PublicationRecord) -> PublicationView:
    return PublicationView.model_validate({"id": rec.id, **rec.content})


def listing(query: DisclosureListQuery) -> DisclosurePage:
    """A county's publications of a month, newest first: one Query a page, no account."""
    region = catalog().get(query.region)
    if region.level != "county":
        raise Unprocessable(
            "publications are listed per county", errors=[{"field": "query.region", "message": "not a county"}]
        )
    month = query.month or clock.cst_day(clock.now())[:7]
    recs, cursor = store.of_county(region.code, month, limit=query.limit, cursor=query.cursor)
    return DisclosurePage(region=region.code, month=month, items=[_view(r) for r in recs], next_cursor=cursor)


def of_code(query: SubjectDisclosureQuery) -> DisclosurePage:
    """The publications about the subject behind a trace code: the code index's GetItem, then one Query."""
    key, _ = codes.canonical(query.code)
    subject_id = code_store.get_code(key).subject_id
    recs, cursor = store.of_subject(subject_id, limit=query.limit, cursor=query.cursor)
    return DisclosurePage(items=[_view(r) for r in recs], next_cursor=cursor)


def link(code: str) -> str:
    """The public list of the code's subject's publications, as the public trace-code lookup links it."""
    return f"/public/disclosures/by-code?code={quote(code, safe='')}"

"""Public disclosure (一公开): spot-check results and penalties published at their legal point, redacted, in public
lists per county and month (one Query a page, no account), linked from the public trace-code lookup."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from ulid import ULID

from chalicelib.core import clock
from chalicelib.disclosure import store as publications
from chalicelib.spotchecks import retests
from chalicelib.testing import store as samples
from tests.support.monitoring import act
from tests.support.spotchecks import SpotWalk
from tests.support.subjects import registration
from tests.support.supervision import inspection_body
from tests.support.world import World

ULID_TEXT = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{26}\b")
PHONE = re.compile(r"1[3-9]\d{9}")
ID_NUMBER = re.compile(r"\d{17}[\dXx]")


def _public(api: Any, path: str, status: int = 200) -> dict[str, Any]:
    got = api.get(path)  # no token: the public
    assert got.status == status, (got.status, got.body)
    return dict(got.body)


def _month() -> str:
    return clock.cst_day(clock.now())[:7]


def _listed(api: Any, region: str = "370112") -> list[dict[str, Any]]:
    api.calls.reset()
    page = _public(api, f"/public/disclosures?region={region}&month={_month()}&limit=200")
    assert api.calls.counts() == (1, 0)  # one Query a page
    return list(page["items"])


def _assert_no_personal_data(api: Any, world: World, listing: Any) -> None:
    """Walk the JSON: no phone number, id number, ULID (of a person, a subject, a user), officer or user name."""
    text = json.dumps(listing, ensure_ascii=False)
    assert not PHONE.search(text), text
    assert not ID_NUMBER.search(text), text
    assert not ULID_TEXT.search(text), text
    people = {u.id for u in world.users.values()} | {"李四", "张三", "鲁农执-0101"}
    assert not [p for p in people if p in text], text


def test_a_failed_sample_is_published_only_once_its_verdict_is_final(api, world: World, events):
    # Given a Licheng spot check whose sample fails, its retest window open
    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    assert events.wait_for(lambda: samples.get_failure(sid).stage == "application")
    events.settle()
    subject_name = samples.get_sample(sid).subject_name
    # Then the public list of Licheng holds nothing of it
    before = _listed(api)
    assert not [p for p in before if p["category"] == "spot_check_result" and p["verdict"] == "unqualified"]

    # When the window lapses with no application (the workflow's final step), the verdict is final
    retests.close({"sample_id": sid, "outcome": "lapsed"})
    events.settle()
    # Then it is published with its final verdict, its failing item, and the subject (an organisation: in full)
    after = [p for p in _listed(api) if p["category"] == "spot_check_result" and p["verdict"] == "unqualified"]
    assert len(after) == 1, after
    shown = after[0]
    assert shown["subject"] == subject_name and shown["product"] == "韭菜" and shown["retested"] is False
    assert [i["analyte"] for i in shown["unqualified_items"]] == ["procymidone"]
    assert shown["unqualified_items"][0]["value"] == "0.4"
    assert shown["region"] == "370112" and shown["region_name"] == "山东省 济南市 历城区"
    _assert_no_personal_data(api, world, after)

    # And a re-delivered change (the stream again) publishes nothing twice
    events.poller.iterators.clear()
    events.settle()
    again = [p for p in _listed(api) if p["category"] == "spot_check_result" and p["verdict"] == "unqualified"]
    assert [p["id"] for p in again] == [shown["id"]]

    # And the subject's trace code links it: the public lookup, then its list (2 calls each)
    subject = api.get(f"/subjects/{samples.get_sample(sid).subject_id}", token=world.token("lc-head")).body
    lookup = _public(api, f"/public/scan?code={quote(subject['identity_code'], safe='')}")
    api.calls.reset()
    linked = _public(api, lookup["disclosures"])
    assert api.calls.counts() == (2, 0)
    assert shown["id"] in {p["id"] for p in linked["items"]}

    # When the handed-over case is decided with a penalty, Then the penalty is published too, once decided
    from chalicelib.enforcement import store as cases

    assert events.wait_for(lambda: cases.get(sid).state == "awaiting_acknowledgement")
    act(api, world, "lc-officer", f"/cases/{sid}/acknowledge", {"note": "已签收"})
    events.settle()
    assert not [p for p in _listed(api) if p["category"] == "penalty" and p["case_no"] == "历农执罚〔2026〕88号"]
    result = {
        "case_no": "历农执罚〔2026〕88号",
        "finding": "腐霉利残留超标",
        "decision": "责令改正，罚款",
        "penalty": {"kind": "fine", "amount_yuan": "5000"},
        "decided_on": clock.cst_day(clock.now()),
    }
    act(api, world, "lc-officer", f"/cases/{sid}/result", result)
    events.settle()
    decided = [p for p in _listed(api) if p["category"] == "penalty" and p["case_no"] == "历农执罚〔2026〕88号"]
    assert len(decided) == 1 and decided[0]["source"] == "enforcement_case" and decided[0]["subject"] == subject_name
    assert decided[0]["penalty"] == {"kind": "fine", "amount_yuan": "5000"}
    _assert_no_personal_data(api, world, decided)


def test_a_qualified_spot_check_sample_is_published_when_tested(api, world: World, events):
    # Given a Licheng spot-check sample tested under the limit (no retest applies to a qualified sample)
    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample(value="0.1")
    events.settle()
    # Then its result is published at once, as qualified, with no failing item
    mine = [p for p in _listed(api) if p["category"] == "spot_check_result" and p["verdict"] == "qualified"]
    assert mine and all(p["unqualified_items"] == [] for p in mine)
    assert samples.get_sample(sid).verdict == "qualified"
    _assert_no_personal_data(api, world, mine)


def test_a_qualified_result_corrected_into_a_failure_waits_again_for_its_final_verdict(api, world: World, events):
    # Given a Licheng spot-check sample tested qualified, so published at once
    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample(value="0.1")
    events.settle()
    published = {p["id"] for p in _listed(api)}
    # When the lab corrects the result into a failure (its retest window opens)
    row = {"sample_id": sid, "analyte": "procymidone", "unit": "mg/kg", "value": "0.4", "correction_reason": "复核"}
    act(api, world, "jn-lab-analyst", "/results", {"results": [row]})
    assert samples.get_failure(sid).state == "open"
    events.settle()
    # Then its qualified publication is withdrawn: the verdict is not final any more
    now = _listed(api)
    assert len(published - {p["id"] for p in now}) == 1
    # When the window lapses, Then the final verdict is published, once
    retests.close({"sample_id": sid, "outcome": "lapsed"})
    events.settle()
    final = [p for p in _listed(api) if p["verdict"] == "unqualified" and p["id"] not in {q["id"] for q in now}]
    assert len(final) == 1 and final[0]["unqualified_items"][0]["value"] == "0.4"


def test_a_decided_penalty_on_an_individual_is_published_masked_and_without_persons(api, world: World, events):
    # Given an individual (个体) registered with an id number and phone, approved, in Licheng
    body = registration(
        name="王小明",
        form="individual",
        number_kind="id_card",
        number="11010519491231002X",
        legal_representative="王小明",
        contact_phone="13900000002",
    )
    made = api.post("/subjects", token=world.token("lc-supervisor"), body=body)
    assert made.status == 201, made.body
    subject_id = made.body["id"]
    act(api, world, "lc-head", f"/subjects/{subject_id}/review", {"decision": "approve"})
    # And an officer's on-site inspection of it (李四, certificate 鲁农执-0101)
    iid = str(ULID())
    sent = api.put(
        f"/daily-inspections/{iid}", token=world.token("lc-officer"), body=inspection_body(subject_id=subject_id)
    )
    assert sent.status == 201, sent.body
    events.settle()
    assert not [p for p in _listed(api) if p["category"] == "penalty" and p["case_no"] == "历农罚〔2026〕77号"]

    # When the officer records the penalty decided on it
    penalty = {
        "case_no": "历农罚〔2026〕77号",
        "case_name": "王小明销售腐霉利超标韭菜案",
        "finding": "王小明（电话13900000002）销售超标韭菜",
        "decision": "罚款两千元",
        "penalty": {"kind": "fine", "amount_yuan": "2000"},
        "decided_on": clock.cst_day(clock.now()),
    }
    act(api, world, "lc-officer", f"/daily-inspections/{iid}/penalty", penalty)
    events.settle()
    # Then it is published: the case number, the penalty, the day; the person's name masked; no free text
    listed = [p for p in _listed(api) if p["category"] == "penalty" and p["case_no"] == "历农罚〔2026〕77号"]
    assert len(listed) == 1, listed
    shown = listed[0]
    assert shown["subject"] == "王**" and shown["source"] == "daily_supervision"
    assert shown["penalty"] == {"kind": "fine", "amount_yuan": "2000"}
    assert shown["decided_on"] == penalty["decided_on"]
    text = json.dumps(shown, ensure_ascii=False)
    assert "王小明" not in text and "罚款两千元" not in text and "电话" not in text
    _assert_no_personal_data(api, world, _public(api, f"/public/disclosures?region=370112&month={_month()}"))


def test_a_county_list_is_paginated_and_bad_input_changes_nothing(api, world: World):
    # The list is per county: a city is a 422, an unknown region a 404, a bad month a 400
    _public(api, "/public/disclosures?region=370100", status=422)
    _public(api, "/public/disclosures?region=370199", status=404)
    _public(api, "/public/disclosures?region=370112&month=2026-13", status=400)
    # A code that is no code is a 422; a well-formed code nobody issued a 404
    _public(api, "/public/disclosures/by-code?code=nonsense", status=422)
    # An empty month is an empty page
    assert _public(api, "/public/disclosures?region=370112&month=2001-01")["items"] == []
    # A page of one follows its cursor
    first = _public(api, f"/public/disclosures?region=370112&month={_month()}&limit=1")
    if first["next_cursor"]:
        second = _public(
            api, f"/public/disclosures?region=370112&month={_month()}&limit=1&cursor={quote(first['next_cursor'])}"
        )
        assert second["items"] and second["items"][0]["id"] != first["items"][0]["id"]


def test_a_publication_is_written_once_whatever_the_deliveries(aws):
    # Given a publication's deterministic item, When it is written twice, Then the second write is refused
    def item() -> publications.PublicationRecord:
        return publications.PublicationRecord(
            id="b" * 24,
            category="penalty",
            month="2001-02",
            published_at="2001-02-03T00:00:00Z",
            content={"category": "penalty", "subject": "**", "region": "370112", "region_name": "历城区"},
            region="370112",
        )

    assert publications.put_once(item()) is True
    assert publications.put_once(item()) is False
    items, _ = publications.of_county("370112", "2001-02", limit=10, cursor=None)
    assert [p.id for p in items] == ["b" * 24]
    # And a withdrawn one (a correction's final verdict replaces it) is gone, a second removal harmless
    publications.remove("b" * 24)
    publications.remove("b" * 24)
    assert publications.of_county("370112", "2001-02", limit=10, cursor=None)[0] == []

"""Inspection templates (检查规范): drafted, published, versioned; their answers schema; the dry-run check."""

from __future__ import annotations

from typing import Any

from chalicelib.inspections import store
from tests.support.inspections import good_answers, photo, published, template_body
from tests.support.world import World

NATIONAL = "CN-BASE-DEFAULT"


def _check(api: Any, world: World, code: str, answers: dict[str, Any], user: str = "lc-supervisor") -> Any:
    return api.post(
        f"/inspection-templates/{code}/versions/1/check", token=world.token(user), body={"answers": answers}
    )


def _fields(reply: Any) -> dict[str, str]:
    assert reply.headers["content-type"] == "application/problem+json", reply.body
    return {e["field"]: e["message"] for e in reply.body["errors"]}


def test_a_published_version_stays_as_it_was_when_the_next_is_drafted(api, world: World):
    # Given Shandong's head drafts a template and publishes it
    v1 = published(api, world, "SD-VEG-1")
    assert (v1["number"], v1["state"], v1["scope"]) == (1, "published", "37")
    # When they draft the same code again, changing only the title
    v2 = api.post(
        "/inspection-templates",
        token=world.token("sd-head"),
        body={"code": "SD-VEG-1", "title": "蔬菜基地巡查规范（2027版）"},
    )
    # Then the new draft is version 2, holding v1's sections
    assert v2.status == 201, v2.body
    assert (v2.body["number"], v2.body["state"]) == (2, "draft")
    assert v2.body["sections"] == v1["sections"]
    # And a third draft is refused while version 2 is open
    again = api.post("/inspection-templates", token=world.token("sd-head"), body={"code": "SD-VEG-1"})
    assert again.status == 409, again.body
    # And the draft can be edited; the published v1 cannot, and reads as it was
    edited = api.patch(
        "/inspection-templates/SD-VEG-1/versions/2",
        token=world.token("sd-head"),
        body={"version": v2.body["version"], "scoring": {"pass_mark": 90}},
    )
    assert edited.status == 200, edited.body
    assert edited.body["scoring"]["pass_mark"] == 90
    frozen = api.patch(
        "/inspection-templates/SD-VEG-1/versions/1",
        token=world.token("sd-head"),
        body={"version": v1["version"], "title": "改"},
    )
    assert frozen.status == 409, frozen.body
    read = api.get("/inspection-templates/SD-VEG-1/versions/1", token=world.token("lc-supervisor")).body
    assert (read["title"], read["scoring"]["pass_mark"], read["version"]) == (v1["title"], 80, v1["version"])
    # And the stored item is filed under the code's partition and the province's list
    rec = store.get("SD-VEG-1", 2)
    assert (rec.pk, rec.sk, rec.gsi1pk, rec.gsi1sk) == ("ITPL#SD-VEG-1", "V#0002", "ITPLS#37", "SD-VEG-1#V#0002")


def test_an_item_key_keeps_its_answer_type_across_versions(api, world: World):
    # Given a published template whose item `opinion` is text
    published(api, world, "SD-VEG-2")
    body = template_body("SD-VEG-2")
    body["sections"][1]["items"][2] = {"key": "opinion", "label": "巡查意见", "type": "check"}
    # When the next version makes it a check item, then it is refused naming the item's type
    reply = api.post("/inspection-templates", token=world.token("sd-head"), body=body)
    assert reply.status == 422, reply.body
    assert "body.sections.1.items.2.type" in _fields(reply)


def test_checklist_rules_the_schema_cannot_state_are_422_naming_the_field(api, world: World):
    body = template_body("SD-VEG-3")
    items = body["sections"][1]["items"]
    items[0] = {
        "key": "greenhouse_area",
        "label": "大棚面积",
        "type": "number",
        "unit": "亩",
        "minimum": 9,
        "maximum": 1,
    }
    items[1] = {
        "key": "irrigation",
        "label": "灌溉水源",
        "type": "choice",
        "options": [{"value": "well", "label": "井"}],
    }
    items[2] = {"key": "pesticide_records", "label": "重复", "type": "text"}
    reply = api.post("/inspection-templates", token=world.token("sd-head"), body=body)
    assert reply.status == 422, reply.body
    fields = _fields(reply)
    assert "body.sections.1.items.0.maximum" in fields
    assert "body.sections.1.items.1.options" in fields
    assert "body.sections.1.items.2.key" in fields


def test_who_keeps_and_who_sees_a_province_template(api, world: World):
    # Given Shandong's template
    published(api, world, "SD-VEG-4")
    # A county head may read it but not draft templates; Jiangsu does not see it at all
    assert api.get("/inspection-templates/SD-VEG-4/versions/1", token=world.token("lc-head")).status == 200
    county = api.post("/inspection-templates", token=world.token("lc-head"), body=template_body("LC-VEG"))
    assert county.status == 403, county.body
    assert api.get("/inspection-templates/SD-VEG-4/versions/1", token=world.token("js-head")).status == 404
    next_version = api.post("/inspection-templates", token=world.token("js-head"), body={"code": "SD-VEG-4"})
    assert next_version.status == 404, next_version.body
    # And a province cannot version the national template
    national = api.post("/inspection-templates", token=world.token("sd-head"), body={"code": NATIONAL})
    assert national.status == 403, national.body
    # And the lists: Shandong's own and the national ones; Jiangsu's list lacks Shandong's
    own = api.get("/inspection-templates", token=world.token("lc-supervisor")).body["items"]
    assert "SD-VEG-4" in {t["code"] for t in own}
    js = api.get("/inspection-templates", token=world.token("js-head")).body["items"]
    assert "SD-VEG-4" not in {t["code"] for t in js}


def test_the_national_default_is_there_for_everyone_signed_in(api, world: World):
    # Given the platform's seed, when anyone lists the national templates, then the default is published
    for user in ("lc-supervisor", "js-lab-sampler", "moa-admin"):
        listed = api.get("/inspection-templates?scope=national", token=world.token(user))
        assert listed.status == 200, listed.body
        found = [t for t in listed.body["items"] if t["code"] == NATIONAL]
        assert found and found[0]["state"] == "published", listed.body
        assert set(found[0]["categories"]) == {"planting", "livestock", "fishery"}
    full = api.get(f"/inspection-templates/{NATIONAL}/versions/1", token=world.token("js-head")).body
    labels = {item["label"] for section in full["sections"] for item in section["items"]}
    assert any("安全间隔期" in label for label in labels) and any("休药期" in label for label in labels)
    assert any("承诺达标合格证" in label for label in labels) and any("追溯码" in label for label in labels)


def test_the_schema_route_gives_the_answers_document_of_the_version(api, world: World):
    published(api, world, "SD-VEG-5")
    reply = api.get("/inspection-templates/SD-VEG-5/versions/1/schema", token=world.token("lc-supervisor"))
    assert reply.status == 200, reply.body
    schema = reply.body
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert "site_photos" not in schema["required"] and "opinion" in schema["required"]
    area = schema["properties"]["greenhouse_area"]["properties"]["value"]
    assert (area["minimum"], area["maximum"]) == (0, 500)
    assert schema["properties"]["irrigation"]["properties"]["value"]["enum"] == ["well", "river"]
    assert schema["properties"]["preharvest_interval"]["then"]["required"] == ["photos"]


def test_the_check_scores_good_answers(api, world: World):
    published(api, world, "SD-VEG-6")
    reply = _check(api, world, "SD-VEG-6", good_answers())
    assert reply.status == 200, reply.body
    result = reply.body
    # 3 + 5 passed of 3 + 5 + 2 applicable: 80.0, the pass mark
    assert (result["score"], result["outcome"], result["passed"], result["failed"]) == (80.0, "pass", 2, 1)
    assert result["failed_items"][0]["key"] == "pesticide_waste"
    assert result["failed_items"][0]["corrective_action"]["due"] == "2026-07-01"


def test_the_check_refuses_answers_that_do_not_match_naming_the_item(api, world: World):
    published(api, world, "SD-VEG-7")
    cases: dict[str, tuple[dict[str, Any], str]] = {}
    wrong_type = good_answers()
    wrong_type["greenhouse_area"] = {"value": "很大"}
    cases["wrong type"] = (wrong_type, "greenhouse_area")
    missing = good_answers()
    del missing["opinion"]
    cases["missing required item"] = (missing, "opinion")
    too_big = good_answers()
    too_big["greenhouse_area"] = {"value": 501}
    cases["number out of bounds"] = (too_big, "greenhouse_area")
    unknown = {**good_answers(), "no_such_item": {"result": "pass"}}
    cases["unknown item"] = (unknown, "no_such_item")
    no_photo = good_answers()
    no_photo["pesticide_waste"] = {"result": "fail", "handover": True}
    cases["failed item without a photo"] = (no_photo, "pesticide_waste")
    no_action = good_answers()
    no_action["pesticide_waste"] = {"result": "fail", "photos": [photo()], "handover": False}
    cases["failed item with neither corrective action nor handover"] = (no_action, "pesticide_waste")
    bad_choice = good_answers()
    bad_choice["irrigation"] = {"value": "rain"}
    cases["an option the item lacks"] = (bad_choice, "irrigation")
    for what, (answers, key) in cases.items():
        reply = _check(api, world, "SD-VEG-7", answers)
        assert reply.status == 422, (what, reply.status, reply.body)
        fields = _fields(reply)
        assert list(fields) == [f"body.answers.{key}"], (what, fields)
    # And the messages say what the item logic wants
    assert "photo" in _fields(_check(api, world, "SD-VEG-7", no_photo))["body.answers.pesticide_waste"]
    assert "整改" in _fields(_check(api, world, "SD-VEG-7", no_action))["body.answers.pesticide_waste"]


def test_a_handover_instead_of_a_corrective_action_is_accepted_and_a_critical_failure_fails(api, world: World):
    published(api, world, "SD-VEG-8")
    answers = good_answers()
    answers["preharvest_interval"] = {"result": "fail", "photos": [photo()], "handover": True, "note": "未到间隔期采收"}
    answers["pesticide_waste"] = {"result": "na"}
    reply = _check(api, world, "SD-VEG-8", answers)
    assert reply.status == 200, reply.body
    # 3 passed of 3 + 5 applicable = 37.5; a critical item failed
    assert (reply.body["score"], reply.body["outcome"], reply.body["not_applicable"]) == (37.5, "fail", 1)
    assert reply.body["failed_items"][0]["handover"] is True

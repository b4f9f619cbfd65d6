"""The score of an inspection's answers (巡查评分), and the national default template that ships with the platform."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.errors import Unprocessable
from chalicelib.inspections.answers import answers_schema, items_of, score, validate_answers
from chalicelib.inspections.models import TemplateView
from chalicelib.inspections.service import packaged_templates

PHOTO = "01JAAAAAAAAAAAAAAAAAAAAAAA"


def _template(**scoring: Any) -> TemplateView:
    return TemplateView.model_validate(
        {
            "code": "T",
            "number": 1,
            "scope": "37",
            "state": "published",
            "title": "t",
            "categories": ["planting"],
            "owner_org_id": "o",
            "created_at": "",
            "version": 1,
            "scoring": {"pass_mark": 60, **scoring},
            "sections": [
                {
                    "key": "s",
                    "title": "s",
                    "items": [
                        {"key": "a", "label": "a", "type": "check", "weight": 3},
                        {"key": "b", "label": "b", "type": "check", "weight": 1},
                        {"key": "c", "label": "c", "type": "check", "weight": 2, "critical": True},
                        {"key": "n", "label": "n", "type": "number", "unit": "亩", "minimum": 0, "maximum": 9},
                    ],
                }
            ],
        }
    )


def _failed() -> dict[str, Any]:
    return {"result": "fail", "photos": [PHOTO], "handover": True}


def test_the_score_is_the_passed_weight_over_the_applicable_weight():
    # Given a passes (3), b fails (1) and c is not applicable: 3 of 4
    result = score(_template(), {"a": {"result": "pass"}, "b": _failed(), "c": {"result": "na"}, "n": {"value": 1}})
    # Then the score is 75.0 and it passes the mark of 60
    assert (result.score, result.outcome) == (75.0, "pass")
    assert (result.passed, result.failed, result.not_applicable, result.answered) == (1, 1, 1, 4)


def test_the_score_rounds_half_up_to_one_decimal():
    # 1 of 3 + 1 + 2 = 6 → 16.666… → 16.7, below the mark
    result = score(_template(), {"a": _failed(), "b": {"result": "pass"}, "c": _failed()})
    assert (result.score, result.outcome) == (16.7, "fail")


def test_a_failed_critical_item_fails_whatever_the_score():
    result = score(_template(pass_mark=0), {"a": {"result": "pass"}, "b": {"result": "pass"}, "c": _failed()})
    assert (result.score, result.outcome) == (66.7, "fail")


def test_nothing_applicable_is_no_score():
    result = score(_template(), {"a": {"result": "na"}, "b": {"result": "na"}, "c": {"result": "na"}})
    assert (result.score, result.outcome) == (None, None)


def test_validation_names_each_item_at_fault():
    # Given a and c missing, b failed without evidence, n out of bounds, an unknown item
    answers = {"b": {"result": "fail"}, "n": {"value": 10}, "x": {"result": "pass"}}
    with pytest.raises(Unprocessable) as caught:
        validate_answers(_template(), answers)
    fields = [e["field"] for e in caught.value.errors]
    assert sorted(set(fields)) == ["answers.a", "answers.b", "answers.c", "answers.n", "answers.x"]
    # And the failed item is told both what it lacks: a photo, and a corrective action or a handover
    assert fields.count("answers.b") == 2


def test_the_national_default_covers_the_three_kinds_of_base_and_validates_a_full_inspection():
    # Given the packaged national default (国家默认巡查规范)
    [(code, content)] = packaged_templates()
    assert code == "CN-BASE-DEFAULT" and set(content.categories) == {"planting", "livestock", "fishery"}
    template = _template().model_copy(update={"code": code, "sections": content.sections, "scoring": content.scoring})
    # When a planting base is inspected: its own and the general items pass, the others do not apply
    answers: dict[str, Any] = {}
    for section in content.sections:
        for item in section.items:
            if item.type == "check":
                answers[item.key] = {"result": "na" if section.key in {"livestock", "fishery"} else "pass"}
    answers |= {
        "site_photos": {"photos": [PHOTO]},
        "opinion": {"value": "规范"},
        "signature": {"signer": "李四", "attachment_id": PHOTO, "sha256": "0" * 64},
    }
    result = validate_answers(template, answers)
    # Then it scores 100 and its schema requires every check item and the conclusion
    assert (result.score, result.outcome) == (100.0, "pass")
    required = set(answers_schema(template)["required"])
    assert {i.key for i in items_of(template) if i.type == "check"} <= required
    assert {"site_photos", "opinion", "signature"} <= required

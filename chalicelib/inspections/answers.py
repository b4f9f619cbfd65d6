"""A template version's answers document: its JSON Schema (draft 2020-12), its validation and its score.

The item logic lives in the schema itself (a failed check item needs a photo and a corrective action or a
handover), so a phone holding the schema checks an inspection offline exactly as the server does. The server
validates with `jsonschema` and turns each error into a field error naming the item (`answers.<item_key>`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chalicelib.core.errors import Unprocessable

from .models import CheckResult, CorrectiveAction, FailedItem, TemplateItem, TemplateView

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE = "https://agritrace.cn/schemas/inspection-templates/"
_ATTACHMENT_ID = {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$", "description": "an attachment's id"}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": r"\S"}
_NOTE = {"type": "string", "maxLength": 2000}
_PHOTOS = {"type": "array", "items": _ATTACHMENT_ID, "maxItems": 20, "uniqueItems": True}
_DEFS = {
    "corrective_action": {
        "title": "整改 corrective action",
        "type": "object",
        "properties": {
            "what": {**_TEXT, "maxLength": 500, "description": "what must be put right"},
            "due": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "by when"},
            "reinspect": {"type": "boolean", "description": "a re-inspection (复查) follows"},
        },
        "required": ["what", "due", "reinspect"],
        "additionalProperties": False,
    }
}
# A failed item needs evidence and a consequence: at least one photo, and a corrective action or a handover.
_FAILED = {
    "if": {"properties": {"result": {"const": "fail"}}, "required": ["result"]},
    "then": {
        "required": ["photos"],
        "properties": {"photos": {"minItems": 1}},
        "anyOf": [
            {"required": ["corrective_action"]},
            {"required": ["handover"], "properties": {"handover": {"const": True}}},
        ],
    },
}
NEEDS_PHOTO = "a failed item needs at least one photo (照片)"
NEEDS_ACTION = "a failed item needs a corrective action (整改) or a handover to enforcement (移交执法)"
NOT_ANSWERED = "a required item is not answered"
UNKNOWN_ITEM = "no such item in this version of the template"


def _answer_schema(item: TemplateItem) -> dict[str, Any]:
    described = {"title": item.label, **({"description": item.hint} if item.hint else {})}
    if item.type == "check":
        return {
            **described,
            "type": "object",
            "properties": {
                "result": {"enum": ["pass", "fail", "na"], "description": "合格 / 不合格 / 不适用"},
                "photos": _PHOTOS,
                "note": _NOTE,
                "corrective_action": {"$ref": "#/$defs/corrective_action"},
                "handover": {"type": "boolean", "description": "handed over to enforcement (移交执法)"},
            },
            "required": ["result"],
            "additionalProperties": False,
            **_FAILED,
        }
    if item.type == "number":
        value: dict[str, Any] = {"type": "number", "minimum": item.minimum, "maximum": item.maximum}
        if item.unit:
            value["description"] = f"in {item.unit}"
        return {
            **described,
            "type": "object",
            "properties": {"value": value, "note": _NOTE},
            "required": ["value"],
            "additionalProperties": False,
        }
    if item.type == "choice":
        choices = [option.value for option in item.options or ()]
        return {
            **described,
            "type": "object",
            "properties": {"value": {"enum": choices}, "note": _NOTE},
            "required": ["value"],
            "additionalProperties": False,
        }
    if item.type == "text":
        return {
            **described,
            "type": "object",
            "properties": {"value": _TEXT},
            "required": ["value"],
            "additionalProperties": False,
        }
    if item.type == "photo":
        return {
            **described,
            "type": "object",
            "properties": {"photos": {**_PHOTOS, "minItems": 1}, "note": _NOTE},
            "required": ["photos"],
            "additionalProperties": False,
        }
    return {  # signature: the signer's name, the attachment holding the signature image and that image's hash
        **described,
        "type": "object",
        "properties": {
            "signer": {**_TEXT, "maxLength": 200},
            "attachment_id": _ATTACHMENT_ID,
            "sha256": {
                "type": "string",
                "pattern": "^[0-9a-f]{64}$",
                "description": "the SHA-256 of the image as signed: an upload hashing otherwise is quarantined",
            },
        },
        "required": ["signer", "attachment_id", "sha256"],
        "additionalProperties": False,
    }


def items_of(template: TemplateView) -> list[TemplateItem]:
    return [item for section in template.sections for item in section.items]


def answers_schema(template: TemplateView) -> dict[str, Any]:
    """The JSON Schema of the answers document of one version: item key → answer."""
    items = items_of(template)
    return {
        "$schema": DIALECT,
        "$id": f"{SCHEMA_BASE}{template.code}/versions/{template.number}/answers.json",
        "title": f"{template.title} (v{template.number})",
        "type": "object",
        "properties": {item.key: _answer_schema(item) for item in items},
        "required": [item.key for item in items if item.required],
        "additionalProperties": False,
        "$defs": _DEFS,
    }


def _field_errors(schema: dict[str, Any], answers: Any, where: str) -> list[dict[str, str]]:
    from jsonschema import Draft202012Validator  # loaded with the first check, not with the area

    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors: dict[tuple[str, str], None] = {}
    for error in validator.iter_errors(answers):
        path = list(error.absolute_path)
        if not path and error.validator == "required":
            for key in error.validator_value:
                if isinstance(answers, dict) and key not in answers:
                    errors[(f"{where}.{key}", NOT_ANSWERED)] = None
        elif not path and error.validator == "additionalProperties":
            for key in answers:
                if key not in schema["properties"]:
                    errors[(f"{where}.{key}", UNKNOWN_ITEM)] = None
        elif not path:
            errors[(where, error.message)] = None
        elif "then" in error.schema_path:
            message = NEEDS_ACTION if error.validator == "anyOf" else NEEDS_PHOTO
            errors[(f"{where}.{path[0]}", message)] = None
        else:
            inner = ".".join(str(p) for p in path[1:])
            errors[(f"{where}.{path[0]}", f"{inner}: {error.message}" if inner else error.message)] = None
    return [{"field": field, "message": message} for field, message in errors]


def files_of(answers: dict[str, Any], attachment_ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """The attachments valid answers name: id → (the field naming it, the SHA-256 declared for it, if any)."""
    found: dict[str, tuple[str, str | None]] = {}
    for key, answer in answers.items():
        for photo in answer.get("photos") or ():
            found.setdefault(photo, (f"answers.{key}.photos", None))
        if "attachment_id" in answer:
            found[answer["attachment_id"]] = (f"answers.{key}.attachment_id", answer.get("sha256"))
    for attachment_id in attachment_ids:
        found.setdefault(attachment_id, ("attachment_ids", None))
    return found


def validate_answers(template: TemplateView, answers: Any, *, where: str = "answers") -> CheckResult:
    """Check an answers document against its version and score it; any fault is a 422 naming the items."""
    errors = _field_errors(answers_schema(template), answers, where)
    if errors:
        raise Unprocessable("the answers do not match the template", errors=errors)
    return score(template, answers)


def score(template: TemplateView, answers: dict[str, Any]) -> CheckResult:
    """Weights of passed check items / weights of answered, applicable ones × 100 (one decimal, half up)."""
    passed = failed = not_applicable = 0
    weight_passed = weight_applicable = 0
    failures: list[FailedItem] = []
    for item in items_of(template):
        answer = answers.get(item.key)
        if item.type != "check" or answer is None:
            continue
        result = answer["result"]
        if result == "na":
            not_applicable += 1
            continue
        weight_applicable += item.weight
        if result == "pass":
            passed += 1
            weight_passed += item.weight
            continue
        failed += 1
        action = answer.get("corrective_action")
        failures.append(
            FailedItem(
                key=item.key,
                label=item.label,
                critical=item.critical,
                corrective_action=CorrectiveAction(**action) if action else None,
                handover=bool(answer.get("handover")),
            )
        )
    value = None
    if weight_applicable:
        ratio = Decimal(weight_passed * 100) / Decimal(weight_applicable)
        value = float(ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    critical_failed = any(f.critical for f in failures)
    outcome = None
    if critical_failed:
        outcome = "fail"
    elif value is not None:
        outcome = "pass" if value >= template.scoring.pass_mark else "fail"
    return CheckResult(
        code=template.code,
        number=template.number,
        score=value,
        outcome=outcome,
        answered=sum(1 for item in items_of(template) if item.key in answers),
        passed=passed,
        failed=failed,
        not_applicable=not_applicable,
        failed_items=failures,
    )

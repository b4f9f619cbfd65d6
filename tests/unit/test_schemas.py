"""schemas/ is what the code says: a change to a model without `make schemas` fails here."""

import math
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from chalicelib.testing.models import ResultEntry
from scripts.export_schemas import SCHEMAS, rendered


def test_schemas_folder_matches_the_code():
    expected = rendered()
    present = {p.name for p in Path(SCHEMAS).glob("*.json")}
    assert present == set(expected), "run `make schemas`: files missing or stale"
    for name, text in expected.items():
        assert (SCHEMAS / name).read_text(encoding="utf-8") == text, f"run `make schemas`: {name} is out of date"


def test_openapi_is_3_1_with_every_route():
    import json

    import app  # noqa: F401
    from chalicelib.core.api import ROUTES

    doc = json.loads((SCHEMAS / "openapi.json").read_text(encoding="utf-8"))
    assert doc["openapi"] == "3.1.0"
    for spec in ROUTES:
        assert spec.method.lower() in doc["paths"][spec.path], f"{spec.method} {spec.path} missing from OpenAPI"


# JSON Schema 2020-12's keywords and OpenAPI 3.1's additions: anything else (pydantic's `max_digits`, `ge`, …)
# is refused by OpenAPI tools and client generators.
SCHEMA_KEYWORDS = {
    *("$schema", "$id", "$ref", "$defs", "$anchor", "$dynamicRef", "$dynamicAnchor", "$comment", "$vocabulary"),
    *("type", "enum", "const", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly"),
    *("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "discriminator", "xml", "externalDocs", "example"),
    *("properties", "patternProperties", "additionalProperties", "propertyNames", "unevaluatedProperties"),
    *("required", "dependentRequired", "dependentSchemas", "minProperties", "maxProperties"),
    *("items", "prefixItems", "contains", "minContains", "maxContains", "unevaluatedItems"),
    *("minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "format"),
    *("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    *("contentEncoding", "contentMediaType", "contentSchema"),
}
SUBSCHEMA_MAPS = {"properties", "patternProperties", "$defs", "dependentSchemas"}
SUBSCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}


def _schema_keywords(schema, where):
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        yield where, key
        if key in SUBSCHEMA_MAPS:
            for name, sub in value.items():
                yield from _schema_keywords(sub, f"{where}/{key}/{name}")
        elif key in SUBSCHEMA_LISTS:
            for n, sub in enumerate(value):
                yield from _schema_keywords(sub, f"{where}/{key}/{n}")
        elif key in {"items", "not", "if", "then", "else", "contains", "additionalProperties", "propertyNames"}:
            yield from _schema_keywords(value, f"{where}/{key}")


def _document_schemas(doc):
    yield from (("#/components/schemas/" + name, schema) for name, schema in doc["components"]["schemas"].items())
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                yield f"{method.upper()} {path} parameter {param['name']}", param["schema"]


def test_given_the_openapi_document_then_its_schemas_use_only_standard_keywords():
    import json

    doc = json.loads((SCHEMAS / "openapi.json").read_text(encoding="utf-8"))
    unknown = {
        (where, key)
        for root, schema in _document_schemas(doc)
        for where, key in _schema_keywords(schema, root)
        if key not in SCHEMA_KEYWORDS and not key.startswith("x-")
    }
    assert not unknown, f"keywords JSON Schema does not know: {sorted(unknown)[:10]}"


def test_given_the_openapi_document_then_each_operation_has_its_own_id_and_states_its_security():
    import json

    doc = json.loads((SCHEMAS / "openapi.json").read_text(encoding="utf-8"))
    operations = [(path, op) for path, item in doc["paths"].items() for op in item.values()]
    ids = [op["operationId"] for _, op in operations]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for path, op in operations:
        public = op["x-roles"] == "public"
        assert op["security"] == [] if public else op["security"], f"{path}: security not stated"
        assert any(code.startswith("4") for code in op["responses"]), f"{path}: no 4xx response"


@pytest.mark.parametrize(
    "value",
    ["0", "0.2", "+1.5", ".5", "5.", "1e-3", "123456789.123456789", "1.5000000000", "-0", 0.2, 999999999.5, 0],
)
def test_given_a_measured_value_the_api_takes_then_the_document_allows_it(value):
    assert _value_allowed(value)
    ResultEntry.model_validate({**RESULT, "value": value})


@pytest.mark.parametrize("value", ["1234567890", "0.0000000001", "-1", "-0.5", "abc", "", -1, 1e9])
def test_given_a_measured_value_the_api_refuses_then_the_document_refuses_it(value):
    assert not _value_allowed(value)
    with pytest.raises(ValidationError):
        ResultEntry.model_validate({**RESULT, "value": value})


RESULT = {"sample_id": "01JAAAAAAAAAAAAAAAAAAAAAAA", "analyte": "chlorpyrifos", "unit": "mg/kg"}


def _value_allowed(value) -> bool:
    """Whether the document's schema of a result's value admits `value` (the number or the string branch)."""
    import json

    doc = json.loads((SCHEMAS / "openapi.json").read_text(encoding="utf-8"))
    number, string, _null = doc["components"]["schemas"]["ResultEntry"]["properties"]["value"]["anyOf"]
    if isinstance(value, str):
        return re.search(string["pattern"], value) is not None
    return number.get("minimum", -math.inf) <= value < number["exclusiveMaximum"]

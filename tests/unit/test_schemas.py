"""schemas/ is what the code says: a change to a model without `make schemas` fails here."""

from pathlib import Path

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

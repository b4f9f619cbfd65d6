"""The route table: every row names a handler and models that exist, and starting the API loads none of them."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

from pydantic import BaseModel

from tests.support.env import TEST_ENV


def test_every_row_resolves_to_a_handler_taking_its_path_parameters_and_to_pydantic_models():
    import app  # noqa: F401
    from chalicelib.routes import ROUTES

    assert len(ROUTES) > 100
    for spec in ROUTES:
        params = set(re.findall(r"{(\w+)}", spec.path))
        signature = inspect.signature(spec.handler)
        assert set(signature.parameters) - {"ctx"} == params, f"{spec.method} {spec.path}: {signature}"
        for model in (spec.body, spec.query, spec.response):
            assert model is None or issubclass(model, BaseModel), f"{spec.method} {spec.path}: {model}"


def test_operation_names_are_unique():
    import app  # noqa: F401
    from chalicelib.routes import ROUTES

    names = [spec.name for spec in ROUTES]
    assert len(names) == len(set(names))
    assert len({(s.method, s.path) for s in ROUTES}) == len(ROUTES)


def test_starting_the_api_loads_no_area_code_nor_pydantic_or_pynamodb():
    """Given a fresh interpreter, when `import app` runs (what every Lambda's cold start pays),
    then no area's handlers, services, stores or models, and neither pydantic, pynamodb nor boto3, are loaded."""
    code = "import sys, app\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], env={**TEST_ENV, "PATH": ""}, capture_output=True, text=True, check=True
    )
    loaded = set(done.stdout.split())
    heavy = {m for m in loaded if m.split(".")[0] in {"pydantic", "pynamodb", "boto3", "jwt", "openpyxl", "qrcode"}}
    assert not heavy
    area_code = {m for m in loaded if re.match(r"chalicelib\.(?!core\.)\w+\.(api|service|store|models)$", m)}
    assert not area_code


def test_the_route_table_of_docs_api_md_is_the_registry():
    """docs/api.md lists every route with its roles, summary, status and budget, as the code declares them
    (the snippet above the table in docs/api.md regenerates it)."""
    from pathlib import Path

    import app  # noqa: F401 - registers every route
    from chalicelib.core.access import ALL_ROLES, SIGNED_IN_ROLES
    from chalicelib.core.api import PUBLIC, ROUTES, RouteSpec

    def label(r: RouteSpec) -> str:
        if r.roles is PUBLIC:
            return "public"
        if r.roles == SIGNED_IN_ROLES:
            return "any role (subject accounts too)"
        return "any staff role" if r.roles == ALL_ROLES else ", ".join(sorted(r.roles))

    expected = [
        f"| {r.method} | `{r.path}` | {label(r)} | {r.summary} | {r.status} | {r.budget.reads}/{r.budget.writes} |"
        for r in sorted(ROUTES, key=lambda r: (r.path, r.method))
    ]
    text = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    documented = [line for line in text.split("\n") if re.match(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `/", line)]
    assert documented == expected

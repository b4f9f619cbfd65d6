"""Write schemas/: the JSON Schema of every request and response body, and the OpenAPI document (`--check`: compare)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"


def rendered() -> dict[str, str]:
    """File name -> content, exactly as they should stand in schemas/."""
    sys.path.insert(0, str(ROOT))
    import app  # noqa: F401 - registers every route
    from chalicelib.core.openapi import component_schemas, document

    files: dict[str, str] = {"openapi.json": _dump(document())}
    for name, schema in component_schemas().items():
        files[f"{name}.schema.json"] = _dump({"$schema": "https://json-schema.org/draft/2020-12/schema", **schema})
    return files


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def out_of_date() -> list[str]:
    """The files of schemas/ that differ from what the code renders, are missing, or are left over."""
    files = rendered()
    present = {p.name for p in SCHEMAS.glob("*.json")}
    changed = [n for n, text in files.items() if n not in present or (SCHEMAS / n).read_text(encoding="utf-8") != text]
    return sorted([*changed, *(present - set(files))])


def main() -> None:
    if "--check" in sys.argv[1:]:
        # `make lint` lints schemas/openapi.json: it must be the document the code serves.
        if differ := out_of_date():
            sys.exit(f"schemas/ is not what the code renders ({', '.join(differ[:5])}): run `make schemas`")
        return
    files = rendered()
    SCHEMAS.mkdir(exist_ok=True)
    for stale in SCHEMAS.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        (SCHEMAS / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to schemas/")


if __name__ == "__main__":
    main()

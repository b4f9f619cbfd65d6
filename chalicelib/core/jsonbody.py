"""A request body's JSON, read strictly: whatever bytes arrive, the answer is a value or a `ValidationFailed`.

Python's `json.loads` takes more than RFC 8259 allows and fails in ways a caller must not see: `NaN` and
`Infinity` are accepted, `1e999` becomes infinity, a repeated key silently keeps its last value, a lone
surrogate (`"\\ud800"`) passes and then breaks whatever encodes it as UTF-8 later, and a body nested a few
thousand levels deep raises `RecursionError`. Each of these is a 400 on `body` here, before any model or
store sees the value.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .errors import ValidationFailed

# No request model nests more than a handful of levels; anything deeper is not a request we understand.
MAX_DEPTH = 32


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(f"the body is not valid JSON: {message}", errors=[{"field": "body", "message": message}])


def _no_constants(name: str) -> Any:
    raise _invalid(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _invalid(f"the number {text[:40]} is too large")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise _invalid(f"the key {key[:40]!r} appears twice")
        value[key] = item
    return value


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _invalid("a string holds a lone surrogate") from None


def _check_tree(value: Any) -> None:
    """Depth and strings, walked without recursion: the body may be as deep as the parser allowed."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            _check_text(node)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise _invalid(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            for key, item in node.items():
                _check_text(key)
                stack.append((item, depth + 1))
        else:
            stack.extend((item, depth + 1) for item in node)


def loads(raw: bytes) -> Any:
    """The JSON value of `raw` (UTF-8), or `ValidationFailed` naming `body`."""
    try:
        value = json.loads(raw, parse_constant=_no_constants, parse_float=_finite, object_pairs_hook=_unique_keys)
    except ValidationFailed:
        raise
    except RecursionError:
        raise _invalid(f"nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError):
        raise _invalid("invalid JSON") from None
    _check_tree(value)
    return value

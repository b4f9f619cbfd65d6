"""CORS for the web console: the API answers it for the origins its stage names (CONSOLE_ORIGINS), no others."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# What the console sends: its token, JSON, the key that makes a resend safe, its language, and on the public
# complaint page the tracking secret (the filer's only key to their case).
ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Request-Id, Accept-Language, X-Complaint-Secret"
# What the console reads back beyond the simple headers: the request id it shows with an error, a replay.
EXPOSE_HEADERS = "X-Request-Id, Idempotent-Replayed, Location"
MAX_AGE_SECONDS = 600


def allowed_origin(headers: Mapping[str, str]) -> str | None:
    """The request's Origin when the stage allows it; None otherwise (the browser then withholds the answer)."""
    origin = next((value for key, value in headers.items() if key.lower() == "origin"), None)
    if not origin:
        return None
    from .config import get_settings  # pydantic: loaded by the first request that names an origin

    return origin if origin in get_settings().console_origins else None


def response_headers(origin: str) -> dict[str, str]:
    # Vary: a cache in front must not hand one origin's answer to another.
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": EXPOSE_HEADERS, "Vary": "Origin"}


def preflight_headers(origin: str, methods: Iterable[str]) -> dict[str, str]:
    return {
        **response_headers(origin),
        "Access-Control-Allow-Methods": ", ".join(sorted({*methods, "OPTIONS"})),
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
    }

"""Handlers of the public routes about the API itself: health and the OpenAPI document (their table: routes.py)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .api import RequestContext
from .config import get_settings
from .models import View


class Health(View):
    status: str
    stage: str


def health(ctx: RequestContext) -> Health:
    return Health(status="ok", stage=get_settings().stage)


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    from .openapi import document  # built on first request only: keeps cold start lean

    return document()


def openapi(ctx: RequestContext) -> dict[str, Any]:
    return _document()

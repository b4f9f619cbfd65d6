"""Public routes about the API itself: health and the OpenAPI document."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalice import Blueprint

from .api import PUBLIC, Api, Budget, RequestContext
from .config import get_settings
from .models import View

bp = Blueprint(__name__)
api = Api(bp, "meta", authorizer=None)


class Health(View):
    status: str
    stage: str


@api.route("/health", "GET", roles=PUBLIC, summary="Liveness", response=Health, budget=Budget(reads=0, writes=0))
def health(ctx: RequestContext) -> Health:
    return Health(status="ok", stage=get_settings().stage)


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    from .openapi import document  # built on first request only: keeps cold start lean

    return document()


@api.route(
    "/openapi.json", "GET", roles=PUBLIC, summary="This API's OpenAPI 3.1 document", budget=Budget(reads=0, writes=0)
)
def openapi(ctx: RequestContext) -> dict[str, Any]:
    return _document()

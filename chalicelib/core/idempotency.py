"""Idempotency-Key handling on writes, on Powertools idempotency with DynamoDB persistence."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)

from .config import get_settings
from .errors import IdempotencyMismatch, RequestInProgress, ServiceUnavailable


@lru_cache(maxsize=1)
def _persistence() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table_name)


@lru_cache(maxsize=1)
def _config() -> IdempotencyConfig:
    return IdempotencyConfig(
        # Keys are per user and per route, so two users' keys can never collide.
        event_key_jmespath="[user, route, key]",
        payload_validation_jmespath="body",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=get_settings().idempotency_ttl_seconds,
    )


def run_once(
    *, key: str, user: str, route: str, body: Any, lambda_context: Any, work: Callable[[], dict[str, Any]]
) -> tuple[dict[str, Any], bool]:
    """Run `work` once per (user, route, key); a repeat returns the stored result. Returns (result, replayed)."""
    ran = False

    def _work(request: dict[str, Any]) -> dict[str, Any]:
        nonlocal ran
        ran = True
        return work()

    config = _config()
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        config.register_lambda_context(lambda_context)
    guarded = idempotent_function(
        data_keyword_argument="request",
        persistence_store=_persistence(),
        config=config,
        key_prefix="api",
    )(_work)
    try:
        result = guarded(request={"user": user, "route": route, "key": key, "body": body})
    except IdempotencyValidationError as exc:
        raise IdempotencyMismatch("this Idempotency-Key was already used with another body") from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise RequestInProgress("a request with this Idempotency-Key is still running") from exc
    except IdempotencyPersistenceLayerError as exc:
        raise ServiceUnavailable("the idempotency store did not answer") from exc
    return result, not ran

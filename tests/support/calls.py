"""Counting the AWS calls a request makes: botocore is the one door every SDK call goes through."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.client import BaseClient
from chalice.local import LocalGatewayAuthorizer

READ_PREFIXES = ("Get", "Query", "BatchGet", "Describe", "Head", "List", "Scan")


class CallLog:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.authorizer_calls: list[tuple[str, str, str]] = []
        self.in_authorizer = False
        self.thread = threading.get_ident()

    def record(self, service: str, operation: str, table: str) -> None:
        # State machines run on moto's background threads: their calls are not the request's.
        if threading.get_ident() != self.thread:
            return
        # The authorizer is its own Lambda on AWS, cached per token: not part of a route's budget.
        (self.authorizer_calls if self.in_authorizer else self.calls).append((service, operation, table))

    def reset(self) -> None:
        self.thread = threading.get_ident()
        self.calls.clear()
        self.authorizer_calls.clear()

    def counts(self, *, exclude_table: str | None = None) -> tuple[int, int]:
        reads = writes = 0
        for _service, op, table in self.calls:
            if exclude_table and table == exclude_table:
                continue
            if op.startswith(READ_PREFIXES):
                reads += 1
            else:
                writes += 1
        return reads, writes

    def by_operation(self) -> Counter[str]:
        return Counter(f"{s}.{o}" for s, o, _ in self.calls)


@contextmanager
def counting() -> Iterator[CallLog]:
    log = CallLog()
    original = BaseClient._make_api_call

    def spy(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        log.record(self.meta.service_model.service_name, operation_name, str(api_params.get("TableName", "")))
        return original(self, operation_name, api_params)

    authorize = LocalGatewayAuthorizer.authorize

    def authorizing(self: LocalGatewayAuthorizer, *args: Any) -> Any:
        log.in_authorizer = True
        try:
            return authorize(self, *args)
        finally:
            log.in_authorizer = False

    BaseClient._make_api_call = spy  # type: ignore[method-assign]
    LocalGatewayAuthorizer.authorize = authorizing  # type: ignore[method-assign]
    try:
        yield log
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
        LocalGatewayAuthorizer.authorize = authorize  # type: ignore[method-assign]

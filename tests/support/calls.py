"""Counting the AWS calls a request makes: botocore is the one door every SDK call goes through."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from typing import Any, Iterator

from botocore.client import BaseClient

READ_PREFIXES = ("Get", "Query", "BatchGet", "Describe", "Head", "List", "Scan")


class CallLog:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    def record(self, service: str, operation: str, table: str) -> None:
        self.calls.append((service, operation, table))

    def reset(self) -> None:
        self.calls.clear()

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

    BaseClient._make_api_call = spy  # type: ignore[method-assign]
    try:
        yield log
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]

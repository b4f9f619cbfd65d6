"""Step Functions: deterministic execution names, callback tokens, and the calls that answer them."""

from __future__ import annotations

import contextlib
import json
import re
from functools import lru_cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from .errors import InvalidStateError, ServiceUnavailable

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@lru_cache(maxsize=1)
def _sfn() -> Any:
    return boto3.client("stepfunctions")


def execution_name(kind: str, record_id: str, transition: str) -> str:
    """The same record and transition always give the same name, so a re-delivered start is a no-op."""
    return _NAME_UNSAFE.sub("-", f"{kind}-{record_id}-{transition}")[:80]


def start(machine_arn: str, *, kind: str, record_id: str, transition: str, payload: dict[str, Any]) -> bool:
    """Start an execution once; returns False when it had already been started."""
    try:
        _sfn().start_execution(
            stateMachineArn=machine_arn, name=execution_name(kind, record_id, transition), input=json.dumps(payload)
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ExecutionAlreadyExists":
            return False
        raise
    return True


def send_success(token: str, output: dict[str, Any]) -> None:
    """Answer a waiting task; a token whose task already timed out or ended is a 409 for the caller."""
    try:
        _sfn().send_task_success(taskToken=token, output=json.dumps(output))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}:
            raise InvalidStateError("the workflow step is no longer waiting (its deadline passed)") from exc
        raise ServiceUnavailable("the workflow service did not answer") from exc
    except BotoCoreError as exc:
        raise ServiceUnavailable("the workflow service did not answer") from exc


def send_failure(token: str, error: str, cause: str) -> None:
    """Fail a waiting task with a named error its state machine catches (a return, a cancellation)."""
    try:
        _sfn().send_task_failure(taskToken=token, error=error[:256], cause=cause[:32768])
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}:
            raise InvalidStateError("the workflow step is no longer waiting (its deadline passed)") from exc
        raise ServiceUnavailable("the workflow service did not answer") from exc
    except BotoCoreError as exc:
        raise ServiceUnavailable("the workflow service did not answer") from exc


def stop(machine_arn: str, *, kind: str, record_id: str, transition: str, cause: str) -> bool:
    """Stop the execution a record started; False when it had ended or never started."""
    head, _, machine = machine_arn.rpartition(":stateMachine:")
    arn = f"{head}:execution:{machine}:{execution_name(kind, record_id, transition)}"
    try:
        _sfn().stop_execution(executionArn=arn, cause=cause[:32768])
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"ExecutionDoesNotExist", "ExecutionNotFound"}:
            return False
        raise
    return True


def answer(token: str, output: dict[str, Any]) -> None:
    """Answer a waiting step if it still waits (a step whose deadline passed has its own path, which looks again)."""
    with contextlib.suppress(InvalidStateError):
        send_success(token, output)


def refuse(token: str, error: str, cause: str) -> None:
    """Fail a waiting step with a named error (a return, a withdrawal), if it still waits."""
    with contextlib.suppress(InvalidStateError):
        send_failure(token, error, cause)

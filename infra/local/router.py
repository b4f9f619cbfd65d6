"""Route every Lambda invocation moto makes (state-machine tasks, S3 notifications) into the app's handlers.

Synchronous invocations (Step Functions tasks) run inline, as Lambda answers them. Asynchronous
sources (S3 notifications) are queued and run after the triggering call returns, as on AWS, so that
a handler's error stays visible instead of being swallowed inside put_object.
"""

from __future__ import annotations

import json
import queue
import traceback
from collections.abc import Callable
from typing import Any

import boto3
from moto.awslambda.models import LambdaFunction

ASYNC_FUNCTIONS = frozenset({"on_upload"})
PREFIX = "agritrace-local-"
ROLE = "agritrace-local-lambda"


class FakeContext:
    def __init__(self, name: str) -> None:
        self.function_name = name
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.aws_request_id = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class Router:
    def __init__(self, handlers: dict[str, Callable[[dict[str, Any], Any], Any]]) -> None:
        self.handlers = handlers
        self.pending: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.errors: list[str] = []

    def invoke(self, name: str, event: dict[str, Any]) -> tuple[str, bool, str]:
        short = name.removeprefix(PREFIX)
        handler = self.handlers.get(short)
        if handler is None:
            return json.dumps({"errorMessage": f"no handler {short}", "errorType": "ResourceNotFound"}), True, ""
        if short in ASYNC_FUNCTIONS:
            self.pending.put((short, event))
            return json.dumps({"queued": True}), False, ""
        return self.run(short, event)

    def run(self, short: str, event: dict[str, Any]) -> tuple[str, bool, str]:
        try:
            result = self.handlers[short](event, FakeContext(PREFIX + short))
            return json.dumps(result, default=str), False, ""
        except Exception as exc:  # noqa: BLE001 - reported to the caller as Lambda reports a function error
            trace = traceback.format_exc()
            self.errors.append(trace)
            return json.dumps({"errorMessage": str(exc), "errorType": type(exc).__name__}), True, trace

    def run_pending(self) -> int:
        """Run queued asynchronous invocations; returns how many ran."""
        ran = 0
        while True:
            try:
                short, event = self.pending.get_nowait()
            except queue.Empty:
                return ran
            self.run(short, event)
            ran += 1


_router: Router | None = None


def install(handlers: dict[str, Callable[[dict[str, Any], Any], Any]]) -> Router:
    """Patch moto's Lambda so invocations reach `handlers` in this process; the last install wins."""
    global _router
    _router = Router(handlers)

    def invoke_lambda(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
        assert _router is not None
        payload = json.loads(event) if isinstance(event, (str, bytes)) else (event or {})
        return _router.invoke(self.function_name, payload)

    LambdaFunction._invoke_lambda = invoke_lambda  # type: ignore[method-assign]
    return _router


def app_handlers() -> dict[str, Callable[[dict[str, Any], Any], Any]]:
    import app as application

    return {fn.name: fn for fn in application.app.pure_lambda_functions}


def register_functions(names: list[str]) -> dict[str, str]:
    """Create a moto Lambda function per handler (the code never runs: the router answers). Name -> ARN."""
    iam = boto3.client("iam")
    role = iam.create_role(
        RoleName=ROLE,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )["Role"]["Arn"]
    client = boto3.client("lambda")
    arns = {}
    for name in names:
        fn = client.create_function(
            FunctionName=PREFIX + name,
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": _empty_zip()},
        )
        arns[name] = fn["FunctionArn"]
    return arns


def _empty_zip() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", "def handler(event, context):\n    return {}\n")
    return buf.getvalue()

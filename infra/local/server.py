"""moto in server mode, in this process, made safe for the concurrent requests a running stack sends it."""

from __future__ import annotations

import functools
import http.client
import json
import logging
import os
import threading
from typing import Any

from moto.core.responses import BaseResponse
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.server import ThreadedMotoServer

# moto's DynamoDB is not thread-safe: TransactWriteItems deep-copies the whole table for its rollback,
# and a write from another request thread meanwhile fails the copy ("dictionary changed size during
# iteration", a 500) or is lost by the rollback. The API, the stream poller and Step Functions all
# write at once, so DynamoDB and its stream are served one call at a time. No DynamoDB call invokes a
# Lambda handler (the stream is polled, not mapped), so nothing waits on this lock while holding it.
DYNAMODB_LOCK = threading.Lock()
_serialized = False


def serialize_dynamodb() -> None:
    global _serialized
    if _serialized:
        return
    for handler in (DynamoHandler, DynamoDBStreamsHandler):
        handler.call_action = _locked(handler.call_action)  # type: ignore[method-assign]
    _serialized = True


def _locked(call_action: Any) -> Any:
    @functools.wraps(call_action)
    def call(self: BaseResponse) -> Any:
        with DYNAMODB_LOCK:
            return call_action(self)

    return call


def start(host: str, port: int, *, quiet: bool = True) -> ThreadedMotoServer:
    """Start moto on host:port with Step Functions executing ASL; the caller checked that the port is free."""
    serialize_dynamodb()
    if quiet:
        # Otherwise werkzeug logs every AWS call the app makes, burying the API's own request log.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # moto's Step Functions reach the server's own services at localhost:$MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    # The server's Step Functions only runs ASL when told to; this is its configuration endpoint.
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        body = json.dumps({"stepfunctions": {"execute_state_machine": True}})
        conn.request("POST", "/moto-api/config", body=body, headers={"Content-Type": "application/json"})
        if conn.getresponse().status >= 300:
            raise RuntimeError("moto refused to enable Step Functions execution")
    finally:
        conn.close()
    return server

"""moto in server mode, in this process, made safe for the concurrent requests a running stack sends it."""

from __future__ import annotations

import copy
import functools
import http.client
import json
import logging
import os
import threading
from typing import Any

from moto.core.responses import BaseResponse
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
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


# TransactWriteItems' rollback copy is also O(table + stream) per call: 0.3 s a transaction once the demo
# is half loaded, minutes for the whole demo. Under the lock above nothing else writes meanwhile, so a
# rollback only has to restore the items the transaction names and drop the stream records it added.
_transaction = threading.local()


def cheap_transaction_rollback() -> None:
    if getattr(DynamoDBBackend.transact_write_items, "_cheap_rollback", False):
        return
    original = DynamoDBBackend.transact_write_items
    default_deepcopy = getattr(Table, "__deepcopy__", None)

    def table_deepcopy(self: Table, memo: dict[int, Any]) -> Table:
        if getattr(_transaction, "active", False):
            return self  # moto's own rollback then puts back the live table: a no-op; ours restores the items
        if default_deepcopy is not None:
            return default_deepcopy(self, memo)  # type: ignore[no-any-return]
        clone = copy.copy(self)  # a new Table sharing state, whose state is then replaced by a deep copy
        memo[id(self)] = clone
        clone.__dict__ = copy.deepcopy(self.__dict__, memo)
        return clone

    @functools.wraps(original)
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        saved, streams = _touched(self, transact_items)
        _transaction.active = True
        try:
            original(self, transact_items)
        except Exception:
            _restore(saved, streams)
            raise
        finally:
            _transaction.active = False

    transact_write_items._cheap_rollback = True  # type: ignore[attr-defined]
    Table.__deepcopy__ = table_deepcopy  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


Saved = list[tuple[Table, DynamoType, DynamoType | None, Item | None]]


def _touched(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> tuple[Saved, dict[str, int]]:
    saved: Saved = []
    streams: dict[str, int] = {}
    for entry in transact_items:
        for op in entry.values():
            table = backend.tables.get(op.get("TableName", "")) if isinstance(op, dict) else None
            attrs = (op.get("Item") or op.get("Key")) if table is not None else None
            if table is None or not isinstance(attrs, dict) or table.hash_key_attr not in attrs:
                continue  # malformed: moto rejects it before writing anything
            if table.range_key_attr is not None and table.range_key_attr not in attrs:
                continue
            hash_key = DynamoType(attrs[table.hash_key_attr])
            range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
            saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
            if table.stream_shard is not None:
                streams.setdefault(table.name, len(table.stream_shard.items))
    return saved, streams


def _restore(saved: Saved, streams: dict[str, int]) -> None:
    for table, hash_key, range_key, item in reversed(saved):
        if range_key is None:
            if item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item  # type: ignore[assignment]
        elif item is None:
            table.items[hash_key].pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item
        if table.name in streams and table.stream_shard is not None:
            del table.stream_shard.items[streams[table.name] :]


def start(host: str, port: int, *, quiet: bool = True) -> ThreadedMotoServer:
    """Start moto on host:port with Step Functions executing ASL; the caller checked that the port is free."""
    serialize_dynamodb()
    cheap_transaction_rollback()
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

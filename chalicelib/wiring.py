"""Event wiring: which subscribers the stream feeds, which handlers workflow tasks reach."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from chalicelib.activity.service import record_activity
from chalicelib.core.events import StreamDispatcher
from chalicelib.dispatch import service as dispatch


@lru_cache(maxsize=1)
def stream() -> StreamDispatcher:
    return StreamDispatcher([record_activity, dispatch.start_acknowledgement])


# Record kinds that run the acknowledgement workflow, and what each of its tasks does to them.
ACK_TOKEN: dict[str, Callable[[str, str], None]] = {"Instruction": dispatch.store_ack_token}
ESCALATE: dict[str, Callable[[str], dict[str, Any]]] = {"Instruction": dispatch.escalate}
FAILURE: dict[str, Callable[[str, dict[str, Any]], None]] = {"Instruction": dispatch.record_failure}

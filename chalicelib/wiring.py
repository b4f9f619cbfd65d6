"""Event wiring: which subscribers the stream feeds, which handlers workflow tasks reach."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_plus

from chalicelib.activity.service import record_activity
from chalicelib.attachments import service as attachments
from chalicelib.complaints import clocks as complaints
from chalicelib.complaints import service as complaint_links
from chalicelib.core.events import StreamDispatcher
from chalicelib.disclosure import service as disclosure
from chalicelib.dispatch import orders as dispatch_orders
from chalicelib.dispatch import service as dispatch
from chalicelib.enforcement import service as enforcement
from chalicelib.inspections import followups
from chalicelib.lake import writer as lake
from chalicelib.monitoring import workflow as monitoring
from chalicelib.plans import distribution as plans
from chalicelib.plans import performance as plan_performance
from chalicelib.spotchecks import cascade, clocks, retests
from chalicelib.statistics import cells as statistics
from chalicelib.statistics import measures as _measures  # noqa: F401  (the families and measures declared)
from chalicelib.supervision import entrusted
from chalicelib.testing import imports


@lru_cache(maxsize=1)
def stream() -> StreamDispatcher:
    return StreamDispatcher(
        [
            record_activity,
            dispatch.start_acknowledgement,
            monitoring.start_distribution,
            monitoring.stop_cancelled,
            monitoring.count_progress,
            clocks.start_clock,
            cascade.roll_up,
            cascade.close,
            retests.start_window,
            retests.retest_tested,
            enforcement.start_handover,
            followups.follow_up,
            entrusted.run_clock,
            complaints.start_clock,
            complaints.files_checked,
            complaint_links.link_inspection,
            plans.distribute,
            plan_performance.count,
            statistics.count_change,
            dispatch.start_feedback_clock,
            dispatch.link_warning,
            dispatch_orders.fan_out,
            disclosure.publish,
        ],
        sinks=[lake.write_batch],
    )


Record = dict[str, Any]

# Record kinds the workflows wait on, and what each of their tasks does to them. A task's payload names
# the record ({"kind", "id", and for assignments the "stage" waited for}).
ACK_TOKEN: dict[str, Callable[[Record, str], None]] = {
    "Instruction": lambda record, token: dispatch.store_ack_token(record["id"], token),
    "MonitoringAssignment": monitoring.store_token,
    "SampleFailure": retests.store_token,
    "EnforcementCase": enforcement.store_token,
}
ESCALATE: dict[str, Callable[[Record], dict[str, Any]]] = {
    "Instruction": lambda record: dispatch.escalate(record["id"]),
    "MonitoringAssignment": monitoring.remind,
    "SampleFailure": retests.remind,
    "EnforcementCase": enforcement.escalate,
    "SpotCheck": clocks.tick,
    "CorrectiveAction": followups.tick,
    "EntrustedTest": entrusted.tick,
    "Complaint": complaints.tick,
    "PlanAssignment": plans.tick,
    "InstructionFeedback": dispatch.tick_feedback,
}
FAILURE: dict[str, Callable[[Record, dict[str, Any]], None]] = {
    "Instruction": lambda record, error: dispatch.record_failure(record["id"], error),
    "MonitoringAssignment": monitoring.record_failure,
    "SampleFailure": retests.record_failure,
    "EnforcementCase": enforcement.record_failure,
}

# S3 key prefix -> what a new object under it is: an attachment to verify, or a result sheet to import.
UPLOADS: dict[str, Callable[[str, str], str]] = {
    "uploads/": attachments.verify_upload,
    imports.PREFIX: imports.import_sheet,
}


def handle_uploads(event: dict[str, Any]) -> list[str]:
    out = []
    for record in event.get("Records", []):
        if not record.get("eventName", "").startswith("ObjectCreated"):
            continue
        bucket, raw_key = record["s3"]["bucket"]["name"], record["s3"]["object"]["key"]
        handler = next((h for prefix, h in UPLOADS.items() if unquote_plus(raw_key).startswith(prefix)), None)
        out.append(handler(bucket, raw_key) if handler else "ignored")
    return out

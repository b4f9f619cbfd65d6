"""Every path of the distribution workflow under moto: reminders, lapses, returns, cancellation, late reports."""

from __future__ import annotations

import os
from datetime import UTC, datetime, time

import boto3
import pytest

from chalicelib.core import clock
from chalicelib.monitoring import store
from tests.support.monitoring import (
    CHIVES,
    act,
    assignment,
    day,
    model_body,
    new_task,
    task,
    upload_pdf,
)
from tests.support.world import World


def status(task_id: str, publication: int | str = 1) -> str:
    arn = os.environ["DISTRIBUTION_STATE_MACHINE_ARN"]
    head, _, machine = arn.rpartition(":stateMachine:")
    transition = publication if isinstance(publication, str) else f"publish-{publication}"
    execution = f"{head}:execution:{machine}:MonitoringTask-{task_id}-{transition}"
    return str(boto3.client("stepfunctions").describe_execution(executionArn=execution)["status"])


def version(task_id: str) -> int:
    return int(task(task_id).version or 0)


def lead(world: World, task_id: str) -> store.AssignmentRecord | None:
    return assignment(task_id, "lead", "sd-lab", world)


def publish(api, world: World, **extra) -> str:
    tid = new_task(api, world, **extra)["id"]
    act(api, world, "sd-head", f"/monitoring-tasks/{tid}/publish", {"version": version(tid)})
    return tid


def distribute_at_once(api, world: World, tid: str, units: tuple[str, ...] = ("jn-lab", "lc-lab")) -> None:
    """The lead acts before the workflow gets there: each wait then finds its answer and moves on at once."""
    act(api, world, "sd-lab-manager", f"/monitoring-tasks/{tid}/receive", {"version": version(tid)})
    reply = api.request(
        "PUT", f"/monitoring-tasks/{tid}/model", token=world.token("sd-lab-manager"), body=model_body(version(tid))
    )
    assert reply.status == 200, reply.body
    # The scope's samples shared out over the units, so that the quotas add up to it
    share, extra = divmod(int(task(tid).scope["samples"]), len(units))
    plan = [
        {
            "org_id": world.agencies[u].id,
            "deadline": task(tid).deadline,
            "quotas": [{"product_code": CHIVES, "region": "370112", "samples": share + (1 if i < extra else 0)}],
        }
        for i, u in enumerate(units)
    ]
    act(api, world, "sd-lab-manager", f"/monitoring-tasks/{tid}/distribute", {"version": version(tid), "units": plan})


@pytest.fixture
def late_on_deadline_day(monkeypatch):
    """A fake clock two seconds before the end of today (China time): deadlines counted now are two seconds away."""

    def freeze() -> None:
        moment = datetime.combine(datetime.fromisoformat(day(0)).date(), time(23, 59, 58), tzinfo=clock.CST)
        monkeypatch.setattr(clock, "now", lambda: moment.astimezone(UTC))

    return freeze


def test_a_lead_that_misses_receipt_is_reminded_and_can_still_receive(api, world: World, events):
    tid = publish(api, world, receipt=1, grace=3600)
    # The deadline passes: the lead's assignment is overdue, the issuer is warned in its inbox
    assert events.wait_for(lambda: (a := lead(world, tid)) and a.reminders == 1 and a.overdue)
    events.settle()
    warned = api.get("/inbox", token=world.token("sd-head")).body["items"]
    assert any(i["kind"] == "MonitoringAssignment" and i["action"] == "assignment.overdue" for i in warned)
    reminded = api.get("/inbox", token=world.token("sd-lab-manager")).body["items"]
    assert any(i["action"] == "assignment.overdue" for i in reminded)
    # A late receipt still moves the task on to distribution
    act(api, world, "sd-lab-manager", f"/monitoring-tasks/{tid}/receive", {"version": version(tid)})
    assert events.wait_for(lambda: lead(world, tid).stage == "distribution")
    # Cancelling stops the workflow and closes the lead's assignment
    act(api, world, "sd-head", f"/monitoring-tasks/{tid}/cancel", {"version": version(tid), "reason": "任务调整"})
    # (AWS reports a stopped execution ABORTED; moto's ASL engine ends the stopped wait as a failure.)
    assert events.wait_for(lambda: status(tid) in {"ABORTED", "FAILED"})
    assert events.wait_for(lambda: lead(world, tid).state == "cancelled")
    assert task(tid).state == "cancelled" and task(tid).workflow_error is None


def test_a_lead_that_ignores_the_reminder_too_leaves_a_visible_failure(api, world: World, events):
    tid = publish(api, world, receipt=1, grace=1)
    assert events.wait_for(lambda: status(tid) == "FAILED")
    shown = api.get(f"/monitoring-tasks/{tid}", token=world.token("sd-head")).body
    assert shown["workflow_error"].startswith("lead: States.Timeout")
    assert lead(world, tid).workflow_error
    # A late receipt resumes the workflow from where the task stands, and the error is cleared
    act(api, world, "sd-lab-manager", f"/monitoring-tasks/{tid}/receive", {"version": version(tid)})
    assert events.wait_for(lambda: status(tid, "resume-1") == "RUNNING" and lead(world, tid).stage == "distribution")
    assert events.wait_for(lambda: task(tid).workflow_error is None)


def test_a_returned_task_is_edited_and_published_again(api, world: World, events):
    tid = publish(api, world)
    assert events.wait_for(lambda: (a := lead(world, tid)) and a.state == "awaiting_receipt")
    returned = act(
        api,
        world,
        "sd-lab-manager",
        f"/monitoring-tasks/{tid}/return",
        {"version": version(tid), "reason": "样品量超出承担能力"},
    )
    assert returned["state"] == "returned" and returned["return_reason"] == "样品量超出承担能力"
    assert events.wait_for(lambda: status(tid) == "SUCCEEDED")
    # Receiving a returned task is a 409; the issuer edits the scope and publishes again
    assert (
        api.post(
            f"/monitoring-tasks/{tid}/receive", token=world.token("sd-lab-manager"), body={"version": version(tid)}
        ).status
        == 409
    )
    edited = api.patch(
        f"/monitoring-tasks/{tid}",
        token=world.token("sd-head"),
        body={"version": version(tid), "scope": {"products": [CHIVES], "regions": ["370100"], "samples": 2}},
    )
    assert edited.status == 200, edited.body
    again = act(api, world, "sd-head", f"/monitoring-tasks/{tid}/publish", {"version": version(tid)})
    assert again["state"] == "published" and again["return_reason"] is None
    assert events.wait_for(lambda: status(tid, 2) == "RUNNING" and lead(world, tid).state == "awaiting_receipt")
    assert lead(world, tid).return_reason is None


def test_units_that_never_receive_lapse_without_holding_up_the_task(api, world: World, events):
    tid = publish(api, world, receipt=1, grace=1)
    distribute_at_once(api, world, tid)
    # Each unit's branch: created, reminded, then lapsed, visibly; the task goes on to the overall report
    assert events.wait_for(
        lambda: all((a := assignment(tid, "unit", u, world)) and a.workflow_error for u in ("jn-lab", "lc-lab")),
        timeout=30,
    )
    assert all(assignment(tid, "unit", u, world).reminders == 1 for u in ("jn-lab", "lc-lab"))
    assert "unit: States.Timeout" in task(tid).workflow_error
    assert events.wait_for(lambda: lead(world, tid).stage == "report")
    pdf = upload_pdf(api, world, "sd-lab-manager", "monitoring_task", tid, events)
    act(
        api,
        world,
        "sd-lab-manager",
        f"/monitoring-tasks/{tid}/overall-report",
        {"version": version(tid), "attachment_id": pdf},
    )
    assert events.wait_for(lambda: status(tid) == "SUCCEEDED")


def test_late_reports_are_reminded_and_a_returned_unit_ends_its_own_branch(
    api, world: World, events, late_on_deadline_day
):
    tid = publish(api, world, deadline=day(0))
    distribute_at_once(api, world, tid)
    assert events.wait_for(
        lambda: all(
            (a := assignment(tid, "unit", u, world)) and a.state == "awaiting_receipt" for u in ("jn-lab", "lc-lab")
        )
    )
    jn = assignment(tid, "unit", "jn-lab", world)
    lc = assignment(tid, "unit", "lc-lab", world)
    act(
        api,
        world,
        "jn-lab-manager",
        f"/monitoring-assignments/{jn.id}/return",
        {"version": int(jn.version), "reason": "设备检修"},
    )
    # Two seconds before the deadline, Licheng receives: its report is due at once, so it is reminded
    late_on_deadline_day()
    act(api, world, "lc-lab-manager", f"/monitoring-assignments/{lc.id}/receive", {"version": int(lc.version)})
    assert events.wait_for(
        lambda: (a := assignment(tid, "unit", "lc-lab", world)) and a.overdue and a.stage == "report", timeout=30
    )
    # Its late report still counts; the returned unit does not hold the overall report up
    pdf = upload_pdf(api, world, "lc-lab-manager", "assignment", lc.id, events)
    current = assignment(tid, "unit", "lc-lab", world)
    act(
        api,
        world,
        "lc-lab-manager",
        f"/monitoring-assignments/{lc.id}/report",
        {"version": int(current.version), "attachment_id": pdf},
    )
    # The overall report's deadline passes too: the lead is reminded, then reports late
    assert events.wait_for(lambda: (a := lead(world, tid)) and a.overdue and a.stage == "report", timeout=30)
    overall = upload_pdf(api, world, "sd-lab-manager", "monitoring_task", tid, events)
    act(
        api,
        world,
        "sd-lab-manager",
        f"/monitoring-tasks/{tid}/overall-report",
        {"version": version(tid), "attachment_id": overall},
    )
    assert events.wait_for(lambda: status(tid) == "SUCCEEDED")
    progress = api.get(f"/monitoring-tasks/{tid}/progress", token=world.token("sd-head")).body
    states = {u["org_id"]: u["state"] for u in progress["units"] if u["role"] == "unit"}
    assert states == {world.agencies["jn-lab"].id: "returned", world.agencies["lc-lab"].id: "reported"}


def test_a_task_step_that_keeps_failing_is_retried_then_caught_and_shown(api, world: World, events, monkeypatch):
    # Given the Lambda that creates assignments fails every time (a fault injected in place of the real one)
    calls = []

    def broken(event, context):
        calls.append(event)
        raise RuntimeError("the table is unreachable")

    monkeypatch.setitem(events.router.handlers, "wf_create_assignment", broken)
    # When a task is published
    tid = publish(api, world)
    # Then the step is retried as the state machine says (1 + 3 attempts), then caught: the task shows why
    assert events.wait_for(lambda: status(tid) == "FAILED", timeout=30)
    assert len(calls) == 4
    shown = api.get(f"/monitoring-tasks/{tid}", token=world.token("sd-head")).body
    assert shown["workflow_error"] and shown["workflow_error"].startswith("lead:")

"""Dispatch instructions (调度指令): sent down, acknowledged through the workflow, escalated when ignored."""

from chalicelib.dispatch import store
from tests.support.world import World


def send(api, world, to: str, seconds: int = 3600, sender: str = "sd-head"):
    return api.post(
        "/instructions",
        token=world.token(sender),
        body={
            "to_org_id": world.agencies[to].id,
            "title": "排查草莓农残",
            "body": "本周内完成辖区草莓基地排查",
            "respond_within_seconds": seconds,
        },
    )


def test_acknowledgement_answers_the_waiting_workflow(api, world: World, events):
    # Given the province sends an instruction to Jinan city
    sent = send(api, world, "jn")
    assert sent.status == 201, sent.body
    iid = sent.body["id"]
    # When the stream starts the workflow, its task stores the callback token on the instruction
    assert events.wait_for(lambda: store.get(iid).state == "awaiting")
    assert store.get(iid).ack_token
    # Then Jinan's admin acknowledges and the workflow ends successfully
    ack = api.post(f"/instructions/{iid}/acknowledge", token=world.token("jn-admin"), body={"feedback": "已部署"})
    assert ack.status == 200, ack.body
    assert ack.body["state"] == "acknowledged"
    import boto3

    sfn = boto3.client("stepfunctions")
    arn = sfn.list_executions(stateMachineArn=__import__("os").environ["ACK_STATE_MACHINE_ARN"])["executions"][0]
    assert events.wait_for(lambda: sfn.describe_execution(executionArn=arn["executionArn"])["status"] == "SUCCEEDED")
    # And the sender sees it acknowledged; acknowledging twice is a 409
    assert (
        api.get(f"/instructions/{iid}", token=world.token("sd-head")).body["acknowledged_by"]
        == world.users["jn-admin"].id
    )
    again = api.post(f"/instructions/{iid}/acknowledge", token=world.token("jn-admin"), body={})
    assert again.status == 409


def test_missed_deadline_escalates_to_the_level_above(api, world: World, events):
    # Given Jinan city sends Licheng county an instruction with a 1-second deadline
    world.user("jn-admin", "jn", "jn-dispatcher", ["dispatcher"])
    sent = send(api, world, "lc", seconds=1, sender="jn-dispatcher")
    iid = sent.body["id"]
    # When nobody acknowledges in time
    assert events.wait_for(lambda: store.get(iid).state == "overdue", timeout=20)
    rec = store.get(iid)
    # Then it is escalated to Licheng's parent (Jinan) and the late acknowledgement is still kept
    assert rec.escalated_to == world.agencies["jn"].id
    late = api.post(f"/instructions/{iid}/acknowledge", token=world.token("lc-admin"), body={})
    assert late.status == 200 and late.body["state"] == "acknowledged"


def test_only_governed_agencies_receive_instructions(api, world: World):
    assert send(api, world, "js").status == 404  # Jiangsu does not exist for Shandong
    other = send(api, world, "lc")
    assert api.get(f"/instructions/{other.body['id']}", token=world.token("js-head")).status == 404
    assert (
        api.post(f"/instructions/{other.body['id']}/acknowledge", token=world.token("lx-admin"), body={}).status == 404
    )


def test_a_retried_workflow_task_leaves_its_newest_token(api, world: World, events):
    from chalicelib.dispatch import service

    sent = send(api, world, "jn")
    iid = sent.body["id"]
    assert events.wait_for(lambda: store.get(iid).state == "awaiting")
    first = store.get(iid).ack_token
    # Step Functions retried the task: the new token replaces the old; the same token again changes nothing.
    service.store_ack_token(iid, "retried-token")
    assert store.get(iid).ack_token == "retried-token" != first
    version = store.get(iid).version
    service.store_ack_token(iid, "retried-token")
    assert store.get(iid).version == version


def test_a_deadline_that_passes_before_the_token_is_stored_still_escalates(api, world: World):
    from chalicelib.dispatch import service

    # The workflow's deadline fired while the instruction was still only "sent" (a slow task start).
    sent = send(api, world, "lc", sender="sd-head")
    assert store.get(sent.body["id"]).state == "sent"
    service.escalate(sent.body["id"])
    rec = store.get(sent.body["id"])
    assert rec.state == "overdue" and rec.escalated_to == world.agencies["jn"].id
    # A token that arrives afterwards does not bring it back to "awaiting".
    service.store_ack_token(sent.body["id"], "late-token")
    assert store.get(sent.body["id"]).state == "overdue"

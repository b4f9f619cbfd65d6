"""Routes of supervisory spot checks (监督抽查): tasks, their cascade, conflicts of interest and the draw.

The route table, data only: the handlers (api.py) and pydantic models are imported when one of these
routes is first called, so the API Lambda's cold start does not pay for them.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES, SIGNED_IN_ROLES, Role
from chalicelib.core.routes import PUBLIC, Budget, Table

table = Table("spotchecks", handlers="chalicelib.spotchecks.api", models="chalicelib.spotchecks.models")
PLANNERS = {Role.HEAD, Role.SUPERVISOR}
TASK = "/spot-checks/{task_id}"
DRAW = "/draws/{draw_id}"

table.route(
    "POST",
    "/spot-checks",
    "create",
    roles=PLANNERS,
    summary="Write a spot-check task (监督抽查任务) for an agency below yours (draft)",
    body="CreateSpotCheckRequest",
    response="SpotCheckView",
    status=201,
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    "/spot-checks",
    "listing",
    roles=ALL_ROLES,
    summary="Spot-check tasks your agency issued or received",
    query="SpotCheckListQuery",
    response="SpotCheckPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "GET",
    TASK,
    "get",
    roles=ALL_ROLES,
    summary="One spot-check task",
    response="SpotCheckView",
    budget=Budget(reads=2, writes=0),  # the task; a task done here, its samples' counters (one Query)
)

table.route(
    "POST",
    TASK + "/publish",
    "publish",
    roles=PLANNERS,
    summary="Publish (下发) the task to the agency below; its urgency sets the receipt deadline",
    body="chalicelib.core.models:VersionedRequest",
    response="SpotCheckView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    TASK + "/receive",
    "receive",
    roles=PLANNERS,
    summary="Receive (接收) a task published to your agency",
    body="chalicelib.core.models:VersionedRequest",
    response="SpotCheckView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    TASK + "/return",
    "return_task",
    roles=PLANNERS,
    summary="Return (退回) a task to its issuer, with a reason",
    body="chalicelib.core.models:ReasonRequest",
    response="SpotCheckView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    TASK + "/cancel",
    "cancel",
    roles=PLANNERS,
    summary="Cancel a task your agency issued, with a reason (also once distributed or under way: its children follow)",
    body="chalicelib.core.models:ReasonRequest",
    response="SpotCheckView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    TASK + "/split",
    "split",
    roles=PLANNERS,
    summary="Implementation plan (实施方案): split the units among the agencies below, as child tasks",
    body="SplitRequest",
    response="SpotCheckView",
    budget=Budget(reads=2, writes=1),
)

table.route(
    "POST",
    TASK + "/assign",
    "assign",
    roles=PLANNERS,
    summary="Implementation plan (实施方案): do the task with your samplers and a testing agency",
    body="AssignRequest",
    response="SpotCheckView",
    budget=Budget(reads=2, writes=1),
)

table.route(
    "POST",
    TASK + "/conflicts",
    "conflict",
    roles={Role.SAMPLER},
    summary="Declare a conflict of interest (回避) before the draw: you are left out of it",
    body="ConflictRequest",
    response="SpotCheckView",
    status=201,
    budget=Budget(reads=1, writes=1),
)

table.route(
    "POST",
    TASK + "/draw",
    "commit_draw",
    roles=PLANNERS,
    summary="Freeze the candidates and commit to a seed (双随机): its hash is shown before anything is drawn",
    body="DrawRequest",
    response="DrawView",
    status=201,
    # Reads: per county of the task, its approved subjects and its producers of each product; conflicts; users.
    budget=Budget(reads=30, writes=3),  # writes: the frozen lists and the register to S3, one transaction
)

table.route(
    "GET",
    DRAW,
    "get_draw",
    roles=ALL_ROLES,
    summary="A draw: commitment, lists' hashes, and once made, seed and result",
    response="DrawView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    DRAW + "/perform",
    "perform_draw",
    roles=PLANNERS,
    summary="Make the draw: the seed is revealed with the result (never redone)",
    response="DrawView",
    budget=Budget(reads=4, writes=1),
)

table.route(
    "POST",
    DRAW + "/recusals",
    "recuse",
    roles=PLANNERS | {Role.SAMPLER},
    summary="A drawn sampler recuses (回避): the next sampler in the draw's order takes the slot, logged",
    body="RecusalRequest",
    response="DrawView",
    budget=Budget(reads=2, writes=1),
)

table.route(
    "POST",
    DRAW + "/reassignments",
    "reassign",
    roles=PLANNERS,
    summary="Move a drawn subject to another team (改派), with a reason, logged on the draw; that team samples it",
    body="ReassignmentRequest",
    response="DrawView",
    budget=Budget(reads=2, writes=1),
)

table.route(
    "POST",
    DRAW + "/publish",
    "publish_draw",
    roles=PLANNERS,
    summary="Publish the draw and its result (一公开)",
    response="DrawView",
    budget=Budget(reads=2, writes=1),
)

table.route(
    "GET",
    DRAW + "/replay",
    "replay",
    roles=ALL_ROLES,
    summary="Replay the draw from its seed and frozen lists, and compare",
    response="ReplayView",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/public/draws/{draw_id}",
    "public_draw",
    roles=PUBLIC,
    summary="Anyone: a published draw (一公开), replayed, with redacted names and no internal id, checkable as shown",
    response="PublicDrawView",
    budget=Budget(reads=3, writes=0),  # the draw, its frozen lists and its register
)

table.route(
    "PUT",
    TASK + "/model",
    "configure",
    roles={Role.LAB_MANAGER},
    summary="The testing agency configures the testing model (检测模型, as for monitoring)",
    body="chalicelib.testing.models:ConfigureModelRequest",
    response="SpotCheckView",
    budget=Budget(reads=22, writes=1),
)

table.route(
    "POST",
    TASK + "/samples",
    "take_sample",
    roles={Role.SAMPLER},
    summary="A drawn sampler samples a drawn subject (抽样), scanned or by hand; a resend is a no-op",
    body="chalicelib.testing.models:CreateSampleRequest",
    response="chalicelib.testing.models:SampleView",
    status=201,
    budget=Budget(reads=5, writes=1),
)

table.route(
    "GET",
    TASK + "/samples",
    "samples",
    roles=ALL_ROLES,
    summary="The task's samples",
    query="chalicelib.core.models:PageQuery",
    response="chalicelib.testing.models:SamplePage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "POST",
    TASK + "/report",
    "report",
    roles={Role.LAB_MANAGER},
    summary="The lab's summary analysis report (汇总分析报告) to the issuing agency",
    body="SpotReportRequest",
    response="SpotCheckView",
    budget=Budget(reads=2, writes=1),
)

table.route(
    "POST",
    TASK + "/accept",
    "accept",
    roles=PLANNERS,
    summary="Accept (验收) the summary analysis report of a task your agency issued: the task is completed",
    body="AcceptReportRequest",
    response="SpotCheckView",
    budget=Budget(reads=1, writes=1),
)

table.route(
    "GET",
    "/samples/{sample_id}/retest",
    "retest",
    roles=SIGNED_IN_ROLES,
    summary="A spot check's failure and its retest (复检): application, retest lab, final verdict",
    response="RetestView",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    "/samples/{sample_id}/retest-application",
    "apply_retest",
    roles={Role.SUBJECT, Role.HEAD, Role.SUPERVISOR},
    summary="Apply for a retest (复检申请) within the legal period: the subject, or the agency for it",
    body="RetestApplicationRequest",
    response="RetestView",
    budget=Budget(reads=6, writes=4),
)

table.route(
    "POST",
    "/samples/{sample_id}/retest",
    "assign_retest",
    roles=PLANNERS,
    summary="Assign the retest (复检任务, FJRW) to a different lab, which tests the reserved sample",
    body="AssignRetestRequest",
    response="RetestView",
    budget=Budget(reads=12, writes=3),
)

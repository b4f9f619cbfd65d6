"""Routes of supervisory spot checks (监督抽查): tasks, their cascade, conflicts of interest and the draw."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core.access import ALL_ROLES, SIGNED_IN_ROLES, Role
from chalicelib.core.api import PUBLIC, Api, Budget, RequestContext, Status
from chalicelib.core.models import PageQuery, ReasonRequest, VersionedRequest
from chalicelib.orgs.authorizer import jwt_authorizer
from chalicelib.testing.models import ConfigureModelRequest, CreateSampleRequest, SamplePage, SampleView

from . import draws, retests, service
from .models import (
    AssignRequest,
    AssignRetestRequest,
    ConflictRequest,
    CreateSpotCheckRequest,
    DrawRequest,
    DrawView,
    RecusalRequest,
    ReplayView,
    RetestApplicationRequest,
    RetestView,
    SplitRequest,
    SpotCheckListQuery,
    SpotCheckPage,
    SpotCheckView,
    SpotReportRequest,
)

bp = Blueprint(__name__)
api = Api(bp, "spotchecks", jwt_authorizer)
PLANNERS = {Role.HEAD, Role.SUPERVISOR}
TASK = "/spot-checks/{task_id}"
DRAW = "/draws/{draw_id}"


@api.route(
    "/spot-checks",
    "POST",
    roles=PLANNERS,
    summary="Write a spot-check task (监督抽查任务) for an agency below yours (draft)",
    body=CreateSpotCheckRequest,
    response=SpotCheckView,
    status=201,
    budget=Budget(reads=1, writes=1),
)
def create(ctx: RequestContext) -> SpotCheckView:
    return service.create(ctx.user, ctx.body)


@api.route(
    "/spot-checks",
    "GET",
    roles=ALL_ROLES,
    summary="Spot-check tasks your agency issued or received",
    query=SpotCheckListQuery,
    response=SpotCheckPage,
    budget=Budget(reads=1, writes=0),
)
def listing(ctx: RequestContext) -> SpotCheckPage:
    return service.listing(ctx.user, ctx.query)


@api.route(
    TASK,
    "GET",
    roles=ALL_ROLES,
    summary="One spot-check task",
    response=SpotCheckView,
    budget=Budget(reads=1, writes=0),
)
def get(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.get(ctx.user, task_id)


@api.route(
    TASK + "/publish",
    "POST",
    roles=PLANNERS,
    summary="Publish (下发) the task to the agency below; its urgency sets the receipt deadline",
    body=VersionedRequest,
    response=SpotCheckView,
    budget=Budget(reads=1, writes=1),
)
def publish(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.publish(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/receive",
    "POST",
    roles=PLANNERS,
    summary="Receive (接收) a task published to your agency",
    body=VersionedRequest,
    response=SpotCheckView,
    budget=Budget(reads=1, writes=1),
)
def receive(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.receive(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/return",
    "POST",
    roles=PLANNERS,
    summary="Return (退回) a task to its issuer, with a reason",
    body=ReasonRequest,
    response=SpotCheckView,
    budget=Budget(reads=1, writes=1),
)
def return_task(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.return_task(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/cancel",
    "POST",
    roles=PLANNERS,
    summary="Cancel a task your agency issued, with a reason",
    body=ReasonRequest,
    response=SpotCheckView,
    budget=Budget(reads=1, writes=1),
)
def cancel(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.cancel(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/split",
    "POST",
    roles=PLANNERS,
    summary="Implementation plan (实施方案): split the units among the agencies below, as child tasks",
    body=SplitRequest,
    response=SpotCheckView,
    budget=Budget(reads=2, writes=1),
)
def split(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.split(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/assign",
    "POST",
    roles=PLANNERS,
    summary="Implementation plan (实施方案): do the task with your samplers and a testing agency",
    body=AssignRequest,
    response=SpotCheckView,
    budget=Budget(reads=2, writes=1),
)
def assign(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.assign(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/conflicts",
    "POST",
    roles={Role.SAMPLER},
    summary="Declare a conflict of interest (回避) before the draw: you are left out of it",
    body=ConflictRequest,
    response=SpotCheckView,
    status=201,
    budget=Budget(reads=1, writes=1),
)
def conflict(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.declare_conflict(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/draw",
    "POST",
    roles=PLANNERS,
    summary="Freeze the candidates and commit to a seed (双随机): its hash is shown before anything is drawn",
    body=DrawRequest,
    response=DrawView,
    status=201,
    budget=Budget(reads=20, writes=2),
)
def commit_draw(ctx: RequestContext, task_id: str) -> DrawView:
    return draws.commit(ctx.user, task_id, ctx.body)


@api.route(
    DRAW,
    "GET",
    roles=ALL_ROLES,
    summary="A draw: commitment, lists' hashes, and once made, seed and result",
    response=DrawView,
    budget=Budget(reads=1, writes=0),
)
def get_draw(ctx: RequestContext, draw_id: str) -> DrawView:
    return draws.get(ctx.user, draw_id)


@api.route(
    DRAW + "/perform",
    "POST",
    roles=PLANNERS,
    summary="Make the draw: the seed is revealed with the result (never redone)",
    response=DrawView,
    budget=Budget(reads=4, writes=1),
)
def perform_draw(ctx: RequestContext, draw_id: str) -> DrawView:
    return draws.perform(ctx.user, draw_id)


@api.route(
    DRAW + "/recusals",
    "POST",
    roles=PLANNERS | {Role.SAMPLER},
    summary="A drawn sampler recuses (回避): the next sampler in the draw's order takes the slot, logged",
    body=RecusalRequest,
    response=DrawView,
    budget=Budget(reads=2, writes=1),
)
def recuse(ctx: RequestContext, draw_id: str) -> DrawView:
    return draws.recuse(ctx.user, draw_id, ctx.body)


@api.route(
    DRAW + "/publish",
    "POST",
    roles=PLANNERS,
    summary="Publish the draw and its result (一公开)",
    response=DrawView,
    budget=Budget(reads=2, writes=1),
)
def publish_draw(ctx: RequestContext, draw_id: str) -> DrawView:
    return draws.publish(ctx.user, draw_id)


@api.route(
    DRAW + "/replay",
    "GET",
    roles=ALL_ROLES,
    summary="Replay the draw from its seed and frozen lists, and compare",
    response=ReplayView,
    budget=Budget(reads=2, writes=0),
)
def replay(ctx: RequestContext, draw_id: str) -> ReplayView:
    return draws.replay(ctx.user, draw_id)


@api.route(
    "/public/draws/{draw_id}",
    "GET",
    roles=PUBLIC,
    summary="Anyone: a published draw replayed from its seed and frozen lists (一公开)",
    response=ReplayView,
    budget=Budget(reads=2, writes=0),
)
def public_draw(ctx: RequestContext, draw_id: str) -> ReplayView:
    return draws.public_replay(draw_id)


@api.route(
    TASK + "/model",
    "PUT",
    roles={Role.LAB_MANAGER},
    summary="The testing agency configures the testing model (检测模型, as for monitoring)",
    body=ConfigureModelRequest,
    response=SpotCheckView,
    budget=Budget(reads=22, writes=1),
)
def configure(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.configure_model(ctx.user, task_id, ctx.body)


@api.route(
    TASK + "/samples",
    "POST",
    roles={Role.SAMPLER},
    summary="A drawn sampler samples a drawn subject (抽样), scanned or by hand; a resend is a no-op",
    body=CreateSampleRequest,
    response=SampleView,
    status=201,
    budget=Budget(reads=5, writes=1),
)
def take_sample(ctx: RequestContext, task_id: str) -> Any:
    view, created = service.take_sample(ctx.user, task_id, ctx.body)
    return view if created else Status(view, 200)


@api.route(
    TASK + "/samples",
    "GET",
    roles=ALL_ROLES,
    summary="The task's samples",
    query=PageQuery,
    response=SamplePage,
    budget=Budget(reads=2, writes=0),
)
def samples(ctx: RequestContext, task_id: str) -> SamplePage:
    return service.samples_of(ctx.user, task_id, ctx.query.limit, ctx.query.cursor)


@api.route(
    TASK + "/report",
    "POST",
    roles={Role.LAB_MANAGER},
    summary="The lab's summary analysis report (汇总分析报告) to the issuing agency",
    body=SpotReportRequest,
    response=SpotCheckView,
    budget=Budget(reads=2, writes=1),
)
def report(ctx: RequestContext, task_id: str) -> SpotCheckView:
    return service.submit_report(ctx.user, task_id, ctx.body)


@api.route(
    "/samples/{sample_id}/retest",
    "GET",
    roles=SIGNED_IN_ROLES,
    summary="A spot check's failure and its retest (复检): application, retest lab, final verdict",
    response=RetestView,
    budget=Budget(reads=1, writes=0),
)
def retest(ctx: RequestContext, sample_id: str) -> RetestView:
    return retests.get_failure(ctx.user, sample_id)


@api.route(
    "/samples/{sample_id}/retest-application",
    "POST",
    roles={Role.SUBJECT, Role.HEAD, Role.SUPERVISOR},
    summary="Apply for a retest (复检申请) within the legal period: the subject, or the agency for it",
    body=RetestApplicationRequest,
    response=RetestView,
    budget=Budget(reads=6, writes=4),  # read again after meeting the workflow's own write (at most 3 tries)
)
def apply_retest(ctx: RequestContext, sample_id: str) -> RetestView:
    return retests.apply(ctx.user, sample_id, ctx.body)


@api.route(
    "/samples/{sample_id}/retest",
    "POST",
    roles=PLANNERS,
    summary="Assign the retest (复检任务, FJRW) to a different lab, which tests the reserved sample",
    body=AssignRetestRequest,
    response=RetestView,
    budget=Budget(reads=12, writes=3),  # read again after meeting the workflow's own write (at most 3 tries)
)
def assign_retest(ctx: RequestContext, sample_id: str) -> RetestView:
    return retests.assign(ctx.user, sample_id, ctx.body)

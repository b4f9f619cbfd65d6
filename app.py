"""Wiring only: the Chalice app, its blueprints, and the event, schedule and workflow handlers."""

import gc
from typing import Any

# Cold start: importing builds tens of thousands of long-lived objects (models, routes); collecting them
# while they are being built only costs time. Collection resumes once the app is wired, with those objects
# frozen out of every later collection.
gc.disable()

from aws_lambda_powertools import Logger  # noqa: E402
from chalice import Chalice  # noqa: E402

from chalicelib import wiring  # noqa: E402
from chalicelib.activity import api as activity_api  # noqa: E402
from chalicelib.attachments import api as attachments_api  # noqa: E402
from chalicelib.codes import api as codes_api  # noqa: E402
from chalicelib.core import meta_api  # noqa: E402
from chalicelib.dispatch import api as dispatch_api  # noqa: E402
from chalicelib.enforcement import api as enforcement_api  # noqa: E402
from chalicelib.enforcement import service as enforcement  # noqa: E402
from chalicelib.integrity import api as integrity_api  # noqa: E402
from chalicelib.integrity import service as integrity  # noqa: E402
from chalicelib.monitoring import api as monitoring_api  # noqa: E402
from chalicelib.monitoring import workflow as monitoring_workflow  # noqa: E402
from chalicelib.orgs import api as orgs_api  # noqa: E402
from chalicelib.orgs.authorizer import auth_bp  # noqa: E402
from chalicelib.regions import api as regions_api  # noqa: E402
from chalicelib.spotchecks import api as spotchecks_api  # noqa: E402
from chalicelib.spotchecks import retests  # noqa: E402
from chalicelib.subjects import api as subjects_api  # noqa: E402
from chalicelib.testing import api as testing_api  # noqa: E402

app = Chalice(app_name="agritrace")
app.experimental_feature_flags.update({"BLUEPRINTS"})
logger = Logger(service="agritrace")

for blueprint in (
    auth_bp,
    meta_api.bp,
    regions_api.bp,
    orgs_api.bp,
    activity_api.bp,
    dispatch_api.bp,
    attachments_api.bp,
    integrity_api.bp,
    subjects_api.bp,
    codes_api.bp,
    monitoring_api.bp,
    testing_api.bp,
    spotchecks_api.bp,
    enforcement_api.bp,
):
    app.register_blueprint(blueprint)

gc.freeze()
gc.enable()


@app.lambda_function(name="on_table_change")
@logger.inject_lambda_context
def on_table_change(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return wiring.stream().handle(event, context)


@app.lambda_function(name="on_upload")
@logger.inject_lambda_context
def on_upload(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"results": wiring.handle_uploads(event)}


@app.lambda_function(name="verify_audit_chains")
@logger.inject_lambda_context
def verify_audit_chains(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return integrity.verify_yesterday().model_dump()


@app.lambda_function(name="wf_await_acknowledgement")
@logger.inject_lambda_context
def wf_await_acknowledgement(event: dict[str, Any], context: Any) -> dict[str, Any]:
    wiring.ACK_TOKEN[event["record"]["kind"]](event["record"], event["token"])
    return {"stored": True}


@app.lambda_function(name="wf_escalate")
@logger.inject_lambda_context
def wf_escalate(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return wiring.ESCALATE[event["record"]["kind"]](event["record"])


@app.lambda_function(name="wf_record_failure")
@logger.inject_lambda_context
def wf_record_failure(event: dict[str, Any], context: Any) -> dict[str, Any]:
    wiring.FAILURE[event["record"]["kind"]](event["record"], event.get("error") or {})
    return {"recorded": True}


@app.lambda_function(name="wf_create_assignment")
@logger.inject_lambda_context
def wf_create_assignment(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return monitoring_workflow.create_assignment(event)


@app.lambda_function(name="wf_close_failure")
@logger.inject_lambda_context
def wf_close_failure(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return retests.close(event)


@app.lambda_function(name="wf_deliver_case")
@logger.inject_lambda_context
def wf_deliver_case(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return enforcement.deliver(event)


@app.lambda_function(name="wf_archive_case")
@logger.inject_lambda_context
def wf_archive_case(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return enforcement.archive(event)

"""Wiring only: the Chalice app, its route table, and the event, schedule and workflow handlers.

Every Lambda imports this module, so it imports almost nothing: each handler below imports what it runs
when it is first called (the stream and workflow wiring, an area's service), and the API's routes load
their handlers and models on first call (chalicelib/core/routes.py).
"""

import gc
from typing import Any

# Cold start: importing builds tens of thousands of long-lived objects (models, routes); collecting them
# while they are being built only costs time. Collection resumes once the app is wired, with those objects
# frozen out of every later collection.
gc.disable()

from aws_lambda_powertools import Logger  # noqa: E402
from chalice import Chalice  # noqa: E402

from chalicelib import routes  # noqa: E402
from chalicelib.core.api import register  # noqa: E402
from chalicelib.orgs.authorizer import auth_bp, instrument_authorizer, jwt_authorizer  # noqa: E402

app = Chalice(app_name="agritrace")
app.experimental_feature_flags.update({"BLUEPRINTS"})
logger = Logger(service="agritrace")

app.register_blueprint(auth_bp)
# The route table is data: no area's handlers, services or models are imported until one of its routes is called.
register(app, routes.ROUTES, {"jwt": jwt_authorizer, "instrument": instrument_authorizer})

gc.freeze()
gc.enable()


@app.lambda_function(name="on_table_change")
@logger.inject_lambda_context
def on_table_change(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib import wiring

    return wiring.stream().handle(event, context)


@app.lambda_function(name="on_upload")
@logger.inject_lambda_context
def on_upload(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib import wiring

    return {"results": wiring.handle_uploads(event)}


@app.lambda_function(name="verify_audit_chains")
@logger.inject_lambda_context
def verify_audit_chains(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.integrity import service as integrity

    return integrity.verify_yesterday().model_dump()


@app.lambda_function(name="raise_warnings")
@logger.inject_lambda_context
def raise_warnings(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Nightly: the warning indicators evaluated over the counters for the windows ending yesterday (China time)."""
    from chalicelib.warnings import service as warnings

    return warnings.run().model_dump()


@app.lambda_function(name="wf_await_acknowledgement")
@logger.inject_lambda_context
def wf_await_acknowledgement(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib import wiring

    wiring.ACK_TOKEN[event["record"]["kind"]](event["record"], event["token"])
    return {"stored": True}


@app.lambda_function(name="wf_escalate")
@logger.inject_lambda_context
def wf_escalate(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib import wiring

    return wiring.ESCALATE[event["record"]["kind"]](event["record"])


@app.lambda_function(name="wf_record_failure")
@logger.inject_lambda_context
def wf_record_failure(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib import wiring

    wiring.FAILURE[event["record"]["kind"]](event["record"], event.get("error") or {})
    return {"recorded": True}


@app.lambda_function(name="wf_create_assignment")
@logger.inject_lambda_context
def wf_create_assignment(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.monitoring import workflow

    return workflow.create_assignment(event)


@app.lambda_function(name="wf_close_failure")
@logger.inject_lambda_context
def wf_close_failure(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.spotchecks import retests

    return retests.close(event)


@app.lambda_function(name="wf_deliver_case")
@logger.inject_lambda_context
def wf_deliver_case(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.enforcement import service as enforcement

    return enforcement.deliver(event)


@app.lambda_function(name="wf_archive_case")
@logger.inject_lambda_context
def wf_archive_case(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.enforcement import service as enforcement

    return enforcement.archive(event)

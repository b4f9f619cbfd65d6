"""The deployment template, checked as whoever deploys it would: it matches the code, guards events, runs in China."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources as package_data
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from chalicelib.core import config as settings
from infra import package

ROOT = Path(__file__).resolve().parents[2]
ASL_FILES = sorted((ROOT / "infra" / "statemachines").glob("*.asl.json"))
CHALICE_CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text())
DEPLOYED_STAGES = ("dev", "prod")

# Settings a deployment may leave unset: Lambda sets AWS_REGION itself, and the upload limit has a default.
OPTIONAL_SETTINGS = {"AWS_REGION", "MAX_UPLOAD_BYTES", "PROGRESS_SHARDS"}
REQUIRED_ENV = {
    "STAGE",
    "TABLE_NAME",
    "IDEMPOTENCY_TABLE_NAME",
    "BUCKET_NAME",
    "OIDC_ISSUER",
    "OIDC_AUDIENCE",
    "OIDC_JWKS_URL",
    "USER_POOL_ID",
    "ACK_STATE_MACHINE_ARN",
    "PUBLIC_BASE_URL",
    "POWERTOOLS_SERVICE_NAME",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return package.build_merge_template("prod")


def resources(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] == type_}


def props(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]["Properties"]


def key_set(key_schema: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(k["AttributeName"], k["KeyType"]) for k in key_schema}


def role_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    statements = []
    for policy in props(template, role)["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:  # a statement for one partition only: check the one that exists
                statement = statement["Fn::If"][2]
            statements.append(statement)
    return statements


def allows(template: dict[str, Any], role: str, action: str, resource: Any) -> bool:
    for statement in role_statements(template, role):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        granted = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if statement["Effect"] == "Allow" and action in actions and resource in granted:
            return True
    return False


def states(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every state, those inside Parallel branches and Map iterators included."""
    found: dict[str, dict[str, Any]] = {}
    for name, state in definition["States"].items():
        found[name] = state
        for branch in state.get("Branches", []):
            found |= states(branch)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                found |= states(state[key])
    return found


def state_machine_for(template: dict[str, Any], path: Path) -> dict[str, Any]:
    machines = [
        res
        for res in resources(template, "AWS::StepFunctions::StateMachine").values()
        if (ROOT / "infra" / res["Metadata"][package.DEFINITION_FILE]).resolve() == path.resolve()
    ]
    assert len(machines) == 1, f"{path.name} is deployed by {len(machines)} state machines"
    return machines[0]


# --- (a) tables match the code that reads and writes them -----------------------------------------------------------


def test_main_table_has_the_keys_and_indexes_of_the_pynamodb_models(template):
    # Given the Entity model every record of the main table derives from
    from chalicelib.core.db import Entity

    schema = Entity._get_schema()
    table = props(template, "MainTable")

    # Then the deployed table has its keys, attribute types and indexes: nothing more, nothing less
    assert key_set(table["KeySchema"]) == {(Entity._hash_keyname, "HASH"), (Entity._range_keyname, "RANGE")}
    assert key_set(table["KeySchema"]) == key_set(schema["key_schema"])
    assert {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]} == {
        (a["AttributeName"], a["AttributeType"]) for a in schema["attribute_definitions"]
    }
    deployed = {i["IndexName"]: (key_set(i["KeySchema"]), i["Projection"]) for i in table["GlobalSecondaryIndexes"]}
    modelled = {
        i["index_name"]: (key_set(i["key_schema"]), i["projection"]) for i in schema["global_secondary_indexes"]
    }
    assert deployed == modelled
    assert not schema["local_secondary_indexes"] and "LocalSecondaryIndexes" not in table
    # and the stream hands the dispatcher both images of every change
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_idempotency_table_is_keyed_and_expired_as_powertools_writes_it(template):
    # Given the persistence layer the API's Idempotency-Key handling uses
    from chalicelib.core.idempotency import _persistence

    layer = _persistence()
    table = props(template, "IdempotencyTable")

    assert layer.sort_key_attr is None
    assert table["KeySchema"] == [{"AttributeName": layer.key_attr, "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": layer.key_attr, "AttributeType": "S"}]
    # Then DynamoDB deletes the records Powertools marks as expired
    assert table["TimeToLiveSpecification"] == {"AttributeName": layer.expiry_attr, "Enabled": True}


def test_stateful_resources_survive_a_stack_deletion(template):
    for name in ("MainTable", "IdempotencyTable", "FilesBucket", "UserPool"):
        assert template["Resources"][name]["DeletionPolicy"] == "Retain", name
        assert template["Resources"][name]["UpdateReplacePolicy"] == "Retain", name


# --- every function gets the settings the code reads -----------------------------------------------------------------


def test_every_function_gets_every_setting_the_app_reads(template):
    # Given the variables set on every function: the template's Globals and the Chalice config of each deployed stage
    from_template = set(template["Globals"]["Function"]["Environment"]["Variables"])
    for stage in DEPLOYED_STAGES:
        from_chalice = set(CHALICE_CONFIG["environment_variables"]) | set(
            CHALICE_CONFIG["stages"][stage].get("environment_variables", {})
        )
        provided = from_template | from_chalice
        # Then nothing the settings read is missing (a new setting must be deployed, or named optional here)
        assert set(settings._ENV.values()) - OPTIONAL_SETTINGS <= provided, stage
        assert provided >= REQUIRED_ENV, stage


def test_the_user_pool_exists_outside_china_only_and_functions_know_when_it_does_not(template):
    conditions = template["Conditions"]
    assert {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws-cn"]} in conditions["IsChina"]["Fn::Or"]
    assert conditions["CreateUserPool"] == {"Fn::Not": [{"Condition": "IsChina"}]}
    assert template["Resources"]["UserPool"]["Condition"] == "CreateUserPool"
    assert template["Resources"]["UserPoolClient"]["Condition"] == "CreateUserPool"
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["USER_POOL_ID"] == {"Fn::If": ["IsChina", "", {"Ref": "UserPool"}]}
    # In China the issuer is the agencies' own (a parameter); elsewhere it defaults to the stack's user pool
    assert env["OIDC_ISSUER"]["Fn::If"][:2] == ["HasOidcIssuer", {"Ref": "OidcIssuer"}]
    assert env["OIDC_ISSUER"]["Fn::If"][2]["Fn::If"][:2] == ["IsChina", ""]
    # and only there may the functions manage its users
    assert allows(template, "DefaultRole", "cognito-idp:Admin*", {"Fn::GetAtt": ["UserPool", "Arn"]})
    assert role_statement_is_global_only(template, "cognito-idp:Admin*")


def role_statement_is_global_only(template: dict[str, Any], action: str) -> bool:
    for policy in props(template, "DefaultRole")["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement and statement["Fn::If"][2]["Action"] == action:
                return statement["Fn::If"][:2] == ["IsChina", {"Ref": "AWS::NoValue"}]
    return False


# --- (b) workflows: every task is guarded, every placeholder is filled -----------------------------------------------


def test_there_are_state_machines_to_check():
    assert ASL_FILES, "no infra/statemachines/*.asl.json"


@pytest.mark.parametrize("path", ASL_FILES, ids=lambda p: p.name)
def test_every_task_state_retries_catches_and_has_a_deadline(path):
    definition = json.loads(path.read_text())
    for name, state in states(definition).items():
        if state["Type"] != "Task":
            continue
        assert state.get("Retry"), f"{path.name}: {name} has no Retry"
        assert state.get("Catch"), f"{path.name}: {name} has no Catch"
        assert {"TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"} & set(state), (
            f"{path.name}: {name} can wait for ever"
        )
        # A catch-all is what turns any failure into a visible state instead of a stuck record
        assert any("States.ALL" in c["ErrorEquals"] for c in state["Catch"]), f"{path.name}: {name}"


@pytest.mark.parametrize("path", ASL_FILES, ids=lambda p: p.name)
def test_every_placeholder_of_a_state_machine_is_substituted_on_deployment(template, path):
    machine = state_machine_for(template, path)
    definition = json.loads(path.read_text())
    substitutions = machine["Properties"]["DefinitionSubstitutions"]

    assert package.placeholders(definition) <= set(substitutions)
    # The deployed definition is the file, inlined
    assert json.loads(machine["Properties"]["DefinitionString"]) == definition


@pytest.mark.parametrize("path", ASL_FILES, ids=lambda p: p.name)
def test_state_machine_role_may_invoke_every_task_function(template, path):
    machine = state_machine_for(template, path)
    role = machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    for name, value in machine["Properties"]["DefinitionSubstitutions"].items():
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            function = value["Fn::GetAtt"][0]
            assert allows(template, role, "lambda:InvokeFunction", {"Fn::GetAtt": [function, "Arn"]}), name


@pytest.mark.parametrize("path", ASL_FILES, ids=lambda p: p.name)
def test_state_machine_is_valid_states_language_once_substituted(template, path):
    # cfn-lint skips DefinitionString in a SAM template, so its ASL schema is applied here, to the global partition
    schema = json.loads(
        package_data.files("cfnlint.data.schemas.other.step_functions").joinpath("statemachine.json").read_text()
    )
    text = path.read_text()
    for name in state_machine_for(template, path)["Properties"]["DefinitionSubstitutions"]:
        value = "aws" if name == "Partition" else f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        text = text.replace("${" + name + "}", value)
    # cfn-lint's validator honours keywords beside $ref, as draft 2020-12 does (draft 7 would ignore them)
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(json.loads(text))]
    assert errors == []


@pytest.mark.parametrize("path", ASL_FILES, ids=lambda p: p.name)
def test_every_transition_of_a_state_machine_leads_to_a_state(path):
    definition = json.loads(path.read_text())
    known = states(definition)
    assert definition["StartAt"] in known
    for name, state in known.items():
        targets = [state["Next"]] if "Next" in state else []
        targets += [c["Next"] for c in state.get("Catch", [])]
        targets += [c["Next"] for c in state.get("Choices", [])] + ([state["Default"]] if "Default" in state else [])
        assert set(targets) <= set(known), f"{path.name}: {name} leads to {set(targets) - set(known)}"
        if state["Type"] not in {"Choice", "Succeed", "Fail"}:
            assert ("Next" in state) != bool(state.get("End")), f"{path.name}: {name} needs exactly one of Next, End"


def test_every_state_machine_file_is_deployed_and_named_as_the_functions_expect(template):
    machines = resources(template, "AWS::StepFunctions::StateMachine")
    deployed = {(ROOT / "infra" / m["Metadata"][package.DEFINITION_FILE]).resolve() for m in machines.values()}
    assert deployed == {p.resolve() for p in ASL_FILES}
    # Functions find the acknowledgement machine by a name they can compute (no reference: no dependency cycle)
    env_arn = template["Globals"]["Function"]["Environment"]["Variables"]["ACK_STATE_MACHINE_ARN"]["Fn::Sub"]
    name = props(template, "AcknowledgementStateMachine")["StateMachineName"]["Fn::Sub"]
    assert env_arn == f"arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:stateMachine:{name}"


# --- (c) one template for both partitions ----------------------------------------------------------------------------


def test_no_arn_hard_codes_the_global_partition(template):
    assert package.literal_arns(template) == []
    for path in ASL_FILES:
        assert package.LITERAL_ARN not in path.read_text(), path.name


def test_partition_check_finds_a_hard_coded_arn():
    assert package.literal_arns({"Resources": {"X": {"Properties": {"Arn": "arn:aws:s3:::b"}}}}) == ["arn:aws:s3:::b"]


# --- (d) events reach their handlers, and failures land somewhere visible --------------------------------------------


def test_table_changes_reach_the_stream_handler_with_partial_batch_failures(template):
    mappings = [
        m["Properties"]
        for m in resources(template, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == {"Fn::GetAtt": ["MainTable", "StreamArn"]}
    ]
    assert len(mappings) == 1
    mapping = mappings[0]

    assert mapping["FunctionName"] == {"Ref": "OnTableChange"}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 0 < mapping["MaximumRetryAttempts"] <= 10
    assert 60 <= mapping["MaximumRecordAgeInSeconds"] <= 86400
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BatchSize"] == 100
    # Records given up on go to an encrypted queue the handler's role may write to, and an alarm watches it
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    queue = destination["Fn::GetAtt"][0]
    assert destination == {"Fn::GetAtt": [queue, "Arn"]}
    assert template["Resources"][queue]["Type"] == "AWS::SQS::Queue"
    assert props(template, queue)["SqsManagedSseEnabled"] is True
    assert allows(template, "DefaultRole", "sqs:SendMessage", destination)
    assert allows(template, "DefaultRole", "dynamodb:GetRecords", {"Fn::GetAtt": ["MainTable", "StreamArn"]})
    assert alarm_on(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible", queue)


def alarm_on(template: dict[str, Any], namespace: str, metric: str, logical_id: str) -> bool:
    """An alarm on the metric of that resource notifies the alarm topic."""
    names_it = ({"Ref": logical_id}, {"Fn::GetAtt": [logical_id, "QueueName"]})
    return any(
        p.get("Namespace") == namespace
        and p.get("MetricName") == metric
        and any(d["Value"] in names_it for d in p["Dimensions"])
        and p["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        for p in (alarm["Properties"] for alarm in resources(template, "AWS::CloudWatch::Alarm").values())
    )


def test_uploads_reach_the_upload_handler_without_a_dependency_cycle(template):
    bucket = template["Resources"]["FilesBucket"]
    name = bucket["Properties"]["BucketName"]["Fn::Sub"]
    notifications = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    # Attachments arrive under uploads/, result sheets under imports/: both reach the one upload handler
    assert [n["Filter"]["S3Key"]["Rules"] for n in notifications] == [
        [{"Name": "prefix", "Value": "uploads/"}],
        [{"Name": "prefix", "Value": "imports/"}],
    ]
    for notification in notifications:
        assert notification["Function"] == {"Fn::GetAtt": ["OnUpload", "Arn"]}
        assert notification["Event"] == "s3:ObjectCreated:*"
    # S3 checks it may invoke the function when the notification is created: the permission comes first
    permission = props(template, "OnUploadPermission")
    assert bucket["DependsOn"] == "OnUploadPermission"
    assert permission["Principal"] == "s3.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{name}"}
    # Everything else names the bucket by the same computed name, never by reference
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["BUCKET_NAME"] == {"Fn::Sub": name}
    assert allows(template, "DefaultRole", "s3:GetObject", {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{name}/*"})
    assert allows(template, "DefaultRole", "s3:PutObject", {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{name}/*"})
    assert allows(template, "DefaultRole", "s3:DeleteObject", {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{name}/*"})
    # and an upload the handler fails on ends in a watched queue
    config = props(template, "OnUploadInvokeConfig")
    assert config["FunctionName"] == {"Ref": "OnUpload"}
    queue = config["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    assert alarm_on(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible", queue)


def test_files_bucket_is_private_encrypted_and_cleans_up_after_itself(template):
    bucket = props(template, "FilesBucket")
    assert all(bucket["PublicAccessBlockConfiguration"].values()) and len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    quarantine = [r for r in rules.values() if r.get("Prefix") == "quarantine/"]
    assert [r["ExpirationInDays"] for r in quarantine] == [30]
    assert any("AbortIncompleteMultipartUpload" in r and "Prefix" not in r for r in rules.values())
    # Browsers post uploads and fetch downloads directly
    [cors] = bucket["CorsConfiguration"]["CorsRules"]
    assert {"GET", "POST"} <= set(cors["AllowedMethods"])


def test_audit_chains_are_verified_daily_at_two_in_the_morning_china_time(template):
    rule = resources(template, "AWS::Events::Rule")["VerifyAuditChainsSchedule"]
    assert rule["Properties"]["ScheduleExpression"] == "cron(0 18 * * ? *)"
    at_utc = datetime(2026, 1, 1, 18, 0, tzinfo=UTC)
    assert at_utc.astimezone(ZoneInfo("Asia/Shanghai")).hour == 2
    [target] = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["VerifyAuditChains", "Arn"]}
    permission = props(template, "VerifyAuditChainsSchedulePermission")
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": ["VerifyAuditChainsSchedule", "Arn"]}


def test_warnings_are_raised_daily_at_half_past_two_china_time(template):
    rule = resources(template, "AWS::Events::Rule")["RaiseWarningsSchedule"]
    assert rule["Properties"]["ScheduleExpression"] == "cron(30 18 * * ? *)"
    [target] = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["RaiseWarnings", "Arn"]}
    permission = props(template, "RaiseWarningsSchedulePermission")
    assert permission["SourceArn"] == {"Fn::GetAtt": ["RaiseWarningsSchedule", "Arn"]}
    # The job walks a night's active cells: the API's 30 s is too short for it, a Lambda's 15 minutes is not
    for stage in ("dev", "prod"):
        assert CHALICE_CONFIG["stages"][stage]["lambda_functions"]["raise_warnings"]["lambda_timeout"] == 900


def test_failed_workflows_and_server_errors_raise_alarms(template):
    assert alarm_on(template, "AWS/States", "ExecutionsFailed", "AcknowledgementStateMachine")
    # The API alarm names the API and stage Chalice deploys (API Gateway metrics carry no resource id)
    api_alarm = props(template, "ApiServerErrorAlarm")
    dimensions = {d["Name"]: d["Value"] for d in api_alarm["Dimensions"]}
    assert api_alarm["MetricName"] == "5XXError"
    assert dimensions["ApiName"] == CHALICE_CONFIG["app_name"]
    for stage in DEPLOYED_STAGES:
        assert dimensions["Stage"] == CHALICE_CONFIG["stages"][stage]["api_gateway_stage"]
    # and the whole stage is throttled
    method_settings = template["Globals"]["Api"]["MethodSettings"][0]
    assert method_settings["ResourcePath"] == "/*" and method_settings["HttpMethod"] == "*"
    assert {"ThrottlingRateLimit", "ThrottlingBurstLimit"} <= set(method_settings)


def test_the_api_endpoint_can_exist_in_china():
    # Edge-optimized endpoints need CloudFront, which API Gateway does not offer in the China regions
    for stage in DEPLOYED_STAGES:
        assert CHALICE_CONFIG["stages"][stage]["api_gateway_endpoint_type"] == "REGIONAL"


def test_the_public_lookup_is_throttled_on_its_own():
    """Anyone may scan a code without signing in; API Gateway limits that route apart from the rest."""
    from infra.local.resources import load_template

    settings = load_template()["Globals"]["Api"]["MethodSettings"]
    public = [m for m in settings if m["ResourcePath"] == "/~1public~1scan"]
    assert public and public[0]["HttpMethod"] == "GET"
    assert public[0]["ThrottlingRateLimit"] == {"Ref": "PublicLookupRateLimit"}
    # The public disclosure lists (一公开) share the lookup's throttle
    for path in ("/~1public~1disclosures", "/~1public~1disclosures~1by-code"):
        listed = [m for m in settings if m["ResourcePath"] == path]
        assert listed and listed[0]["ThrottlingRateLimit"] == {"Ref": "PublicLookupRateLimit"}, path

"""Create the resources of infra/template.json in whatever AWS endpoint boto3 points at (moto).

Tests and the local stack build from this same template as the deployment, so they cannot drift.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3

TEMPLATE = Path(__file__).resolve().parents[1] / "template.json"


def load_template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text())


def table_definitions(template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Logical id -> CreateTable arguments for every DynamoDB table in the template."""
    template = template or load_template()
    tables = {}
    for logical_id, res in template["Resources"].items():
        if res["Type"] != "AWS::DynamoDB::Table":
            continue
        props = res["Properties"]
        args: dict[str, Any] = {
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if "GlobalSecondaryIndexes" in props:
            args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if "StreamSpecification" in props:
            args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        tables[logical_id] = args
    return tables


def create_tables(names: dict[str, str]) -> dict[str, str]:
    """Create the template's tables under the given names; returns logical id -> stream ARN (or '')."""
    client = boto3.client("dynamodb")
    template = load_template()
    streams = {}
    for logical_id, args in table_definitions(template).items():
        desc = client.create_table(TableName=names[logical_id], **args)["TableDescription"]
        ttl = template["Resources"][logical_id]["Properties"].get("TimeToLiveSpecification")
        if ttl:
            client.update_time_to_live(TableName=names[logical_id], TimeToLiveSpecification=ttl)
        streams[logical_id] = desc.get("LatestStreamArn", "")
    return streams


STATEMACHINE_DIR = TEMPLATE.parent / "statemachines"
# ASL placeholder -> the app's Lambda function it names (the deployment fills them with !GetAtt).
FUNCTION_PLACEHOLDERS = {
    "AwaitAcknowledgementFunctionArn": "wf_await_acknowledgement",
    "EscalateFunctionArn": "wf_escalate",
    "RecordFailureFunctionArn": "wf_record_failure",
    "CreateAssignmentFunctionArn": "wf_create_assignment",
    "CloseFailureFunctionArn": "wf_close_failure",
    "DeliverCaseFunctionArn": "wf_deliver_case",
    "ArchiveCaseFunctionArn": "wf_archive_case",
}
STATE_MACHINES = {
    "acknowledgement": "ACK_STATE_MACHINE_ARN",
    "distribution": "DISTRIBUTION_STATE_MACHINE_ARN",
    "retest": "RETEST_STATE_MACHINE_ARN",
    "handover": "HANDOVER_STATE_MACHINE_ARN",
    "clock": "CLOCK_STATE_MACHINE_ARN",
}


def render_asl(name: str, function_arns: dict[str, str], partition: str = "aws") -> str:
    text = (STATEMACHINE_DIR / f"{name}.asl.json").read_text()
    values = {"Partition": partition, **{k: function_arns[v] for k, v in FUNCTION_PLACEHOLDERS.items()}}
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    return text


def create_state_machines(function_arns: dict[str, str], role_arn: str) -> dict[str, str]:
    """Create every state machine of infra/statemachines; returns env var -> ARN."""
    client = boto3.client("stepfunctions")
    out = {}
    for name, env_var in STATE_MACHINES.items():
        arn = client.create_state_machine(
            name=f"agritrace-local-{name}", definition=render_asl(name, function_arns), roleArn=role_arn
        )["stateMachineArn"]
        out[env_var] = arn
    return out


def bucket_notifications(function_arns: dict[str, str]) -> list[dict[str, Any]]:
    """The template's S3 -> Lambda notifications in the S3 API's shape, pointed at the local functions."""
    configs = load_template()["Resources"]["FilesBucket"]["Properties"]["NotificationConfiguration"]
    out = []
    for config in configs["LambdaConfigurations"]:
        logical_id = config["Function"]["Fn::GetAtt"][0]
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", logical_id).lower()  # OnUpload -> on_upload, as Chalice names them
        out.append(
            {
                "LambdaFunctionArn": function_arns[name],
                "Events": [config["Event"]],
                "Filter": {"Key": {"FilterRules": config["Filter"]["S3Key"]["Rules"]}},
            }
        )
    return out


# CloudFormation's CORS property names -> the S3 API's.
CORS_API_NAMES = {"ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds", "Id": "ID"}


def create_bucket(name: str, *, cors_origins: list[str]) -> None:
    """The files bucket with the template's versioning and CORS rules (LocalEvents adds its upload notification)."""
    props = load_template()["Resources"]["FilesBucket"]["Properties"]
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=props["VersioningConfiguration"])
    # AllowedOrigins is a CloudFormation condition on AWS; locally the caller names the origins.
    rules = [
        {CORS_API_NAMES.get(key, key): value for key, value in {**rule, "AllowedOrigins": cors_origins}.items()}
        for rule in props["CorsConfiguration"]["CorsRules"]
    ]
    s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})


def create_user_pool(name: str, *, auth_flows: list[str]) -> tuple[str, str]:
    """The user pool (password policy, admin-only sign-up) and app client of the template; returns (pool, client).

    The deployed client allows SRP only; a local stack adds password flows so a shell can fetch a token.
    """
    resources = load_template()["Resources"]
    props = resources["UserPool"]["Properties"]
    idp = boto3.client("cognito-idp")
    pool = idp.create_user_pool(
        PoolName=name,
        Policies=props["Policies"],
        AdminCreateUserConfig=props["AdminCreateUserConfig"],
        AutoVerifiedAttributes=props["AutoVerifiedAttributes"],
        UsernameConfiguration=props["UsernameConfiguration"],
    )["UserPool"]["Id"]
    client_props = resources["UserPoolClient"]["Properties"]
    client = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName=client_props["ClientName"],
        GenerateSecret=False,
        ExplicitAuthFlows=sorted(set(client_props["ExplicitAuthFlows"]) | set(auth_flows)),
    )["UserPoolClient"]["ClientId"]
    return pool, client

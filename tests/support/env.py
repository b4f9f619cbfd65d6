"""Environment for tests: fake credentials, fixed table names, a global region for Cognito."""

import os

TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "STAGE": "test",
    "TABLE_NAME": "agritrace-main",
    "IDEMPOTENCY_TABLE_NAME": "agritrace-idempotency",
    "BUCKET_NAME": "agritrace-files",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "PUBLIC_BASE_URL": "https://trace.test.agritrace.cn",
    "CONSOLE_ORIGINS": "https://console.test.agritrace.cn",
}


def apply() -> None:
    for key, value in TEST_ENV.items():
        os.environ[key] = value
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.pop("AWS_PROFILE", None)

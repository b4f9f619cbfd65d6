"""Settings, read once from the environment; nothing else reads os.environ."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, Field

from .models import MAX_UPLOAD_BYTES


class Settings(BaseModel):
    """Everything the Lambdas need to know about where they run."""

    stage: str = "local"
    aws_region: str = "cn-north-1"
    table_name: str = "agritrace-main"
    idempotency_table_name: str = "agritrace-idempotency"
    bucket_name: str = "agritrace-files"
    oidc_issuer: str = ""
    oidc_audience: tuple[str, ...] = ()
    oidc_jwks_url: str = ""
    user_pool_id: str = ""
    ack_state_machine_arn: str = ""
    distribution_state_machine_arn: str = ""
    retest_state_machine_arn: str = ""
    handover_state_machine_arn: str = ""
    clock_state_machine_arn: str = ""
    spotcheck_grace_seconds: int = Field(
        default=2 * 86400, gt=0, description="a spot-check task's missed receipt or deadline: reminder to escalation"
    )
    corrective_remind_seconds: int = Field(
        default=3 * 86400, gt=0, description="how long before a corrective action falls due its inspector is reminded"
    )
    handover_ack_seconds: int = Field(default=3 * 86400, gt=0, description="how long enforcement has to acknowledge")
    investigation_seconds: int = Field(default=90 * 86400, gt=0, description="how long until its result is due")
    investigation_grace_seconds: int = Field(
        default=15 * 86400, gt=0, description="after a missed investigation deadline: until the escalation, and after"
    )
    retest_window_seconds: int = Field(default=7 * 86400, gt=0, description="how long a subject may apply for a retest")
    retest_within_seconds: int = Field(default=15 * 86400, gt=0, description="how long the retest lab has")
    progress_shards: int = Field(
        default=8, ge=1, le=64, description="items each unit's progress counter of a task is split over"
    )
    complaint_accept_days: int = Field(
        default=7, gt=0, le=60, description="working days to decide a complaint's acceptance (受理, SAMR rule Art 14)"
    )
    report_verify_days: int = Field(
        default=15, gt=0, le=60, description="working days to verify a report before deciding on a case (Art 18)"
    )
    complaint_grace_seconds: int = Field(
        default=2 * 86400, gt=0, description="a missed acceptance limit: from its reminder to the escalation above"
    )
    complaint_daily_limit: int = Field(default=20, gt=0, description="public filings one client may make a day")
    complaint_max_upload_bytes: int = Field(
        default=10 * 1024 * 1024, gt=0, description="the largest photo or video a filer may upload"
    )
    public_base_url: str = "https://trace.example.cn"
    plan_remind_seconds: int = Field(
        default=3 * 86400, gt=0, description="before a plan's period ends: when a supervisor below target is reminded"
    )
    inspection_on_time_hours: int = Field(
        default=24, gt=0, le=8760, description="an inspection received within this many hours of done_at is on time"
    )
    max_upload_bytes: int = Field(default=MAX_UPLOAD_BYTES, gt=0)
    idempotency_ttl_seconds: int = 24 * 3600
    console_origins: tuple[str, ...] = Field(
        default=(), description="browser origins (the web console's) the API answers CORS for; none = no CORS"
    )

    @property
    def jwks_url(self) -> str:
        return self.oidc_jwks_url or self.oidc_issuer.rstrip("/") + "/.well-known/jwks.json"


_ENV = {
    "stage": "STAGE",
    "aws_region": "AWS_REGION",
    "table_name": "TABLE_NAME",
    "idempotency_table_name": "IDEMPOTENCY_TABLE_NAME",
    "bucket_name": "BUCKET_NAME",
    "oidc_issuer": "OIDC_ISSUER",
    "oidc_audience": "OIDC_AUDIENCE",
    "oidc_jwks_url": "OIDC_JWKS_URL",
    "user_pool_id": "USER_POOL_ID",
    "ack_state_machine_arn": "ACK_STATE_MACHINE_ARN",
    "distribution_state_machine_arn": "DISTRIBUTION_STATE_MACHINE_ARN",
    "retest_state_machine_arn": "RETEST_STATE_MACHINE_ARN",
    "handover_state_machine_arn": "HANDOVER_STATE_MACHINE_ARN",
    "clock_state_machine_arn": "CLOCK_STATE_MACHINE_ARN",
    "spotcheck_grace_seconds": "SPOTCHECK_GRACE_SECONDS",
    "corrective_remind_seconds": "CORRECTIVE_REMIND_SECONDS",
    "handover_ack_seconds": "HANDOVER_ACK_SECONDS",
    "investigation_seconds": "INVESTIGATION_SECONDS",
    "investigation_grace_seconds": "INVESTIGATION_GRACE_SECONDS",
    "retest_window_seconds": "RETEST_WINDOW_SECONDS",
    "retest_within_seconds": "RETEST_WITHIN_SECONDS",
    "progress_shards": "PROGRESS_SHARDS",
    "public_base_url": "PUBLIC_BASE_URL",
    "complaint_accept_days": "COMPLAINT_ACCEPT_DAYS",
    "report_verify_days": "REPORT_VERIFY_DAYS",
    "complaint_grace_seconds": "COMPLAINT_GRACE_SECONDS",
    "complaint_daily_limit": "COMPLAINT_DAILY_LIMIT",
    "complaint_max_upload_bytes": "COMPLAINT_MAX_UPLOAD_BYTES",
    "max_upload_bytes": "MAX_UPLOAD_BYTES",
    "inspection_on_time_hours": "INSPECTION_ON_TIME_HOURS",
    "plan_remind_seconds": "PLAN_REMIND_SECONDS",
    "console_origins": "CONSOLE_ORIGINS",
}


_LISTS = {"oidc_audience", "console_origins"}


def settings_from(environ: dict[str, str]) -> Settings:
    values: dict[str, object] = {}
    for field, var in _ENV.items():
        raw = environ.get(var) or (environ.get("AWS_DEFAULT_REGION") if var == "AWS_REGION" else None)
        if raw in (None, ""):
            continue
        values[field] = tuple(a.strip() for a in raw.split(",") if a.strip()) if field in _LISTS else raw
    return Settings.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return settings_from(dict(os.environ))

"""The event sources of the deployment, run in-process against moto: stream poller, Lambda router, state machines."""

from __future__ import annotations

import os
import time

import boto3

from . import resources
from .poller import StreamPoller
from .router import PREFIX, FakeContext, app_handlers, install, register_functions


class LocalEvents:
    """Wires the app's handlers to moto as AWS wires them; `settle()` runs everything that is waiting."""

    def __init__(self, stream_arn: str) -> None:
        handlers = app_handlers()
        self.router = install(handlers)
        arns = register_functions(sorted(handlers))
        role = boto3.client("iam").get_role(RoleName="agritrace-local-lambda")["Role"]["Arn"]
        for env_var, arn in resources.create_state_machines(arns, role).items():
            os.environ[env_var] = arn
        # S3 -> on_upload for new uploads and result sheets, as the template's bucket notifications do.
        boto3.client("s3").put_bucket_notification_configuration(
            Bucket=os.environ["BUCKET_NAME"],
            NotificationConfiguration={"LambdaFunctionConfigurations": resources.bucket_notifications(arns)},
        )
        from chalicelib.core import config

        config.get_settings.cache_clear()
        self.poller = StreamPoller(
            stream_arn, handlers["on_table_change"], context=FakeContext(PREFIX + "on_table_change")
        )

    def settle(self, rounds: int = 50) -> None:
        """Deliver stream records and queued async invocations until nothing more happens."""
        for _ in range(rounds):
            moved = self.poller.drain() + self.router.run_pending()
            if not moved:
                return

    def wait_for(self, condition, timeout: float = 60.0, interval: float = 0.1):  # type: ignore[no-untyped-def]
        """Settle repeatedly until `condition()` is truthy (state machines run on background threads)."""
        deadline = time.monotonic() + timeout
        while True:
            self.settle()
            value = condition()
            if value or time.monotonic() > deadline:
                return value
            time.sleep(interval)

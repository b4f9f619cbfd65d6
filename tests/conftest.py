"""Fixtures: moto resources built from infra/, a world of agencies and users, an API client that counts calls.

One world per test module: building it goes through the real services (Cognito, audited writes),
so tests in a module share it and use their own records, never another test's.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import env

env.apply()

from moto import mock_aws  # noqa: E402

from infra.local import gateway, server  # noqa: E402
from infra.local.events import LocalEvents  # noqa: E402
from tests.support.calls import counting  # noqa: E402
from tests.support.http import ApiClient  # noqa: E402
from tests.support.world import Identity, World, build_world, stand_up  # noqa: E402

gateway.install()
# moto deep-copies the whole table for every transaction's rollback: minutes once a module has written a few
# hundred samples. The local stack's rollback restores only the items a transaction names (same semantics).
# It relies on DynamoDB being served one call at a time, as the local stack serves it: the state machines' threads
# write while a test's request does, and moto's transactions are not thread-safe (a lost update otherwise).
server.serialize_dynamodb()
server.cheap_transaction_rollback()


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[Identity, str]]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield stand_up()


@pytest.fixture(scope="module")
def aws(stack: tuple[Identity, str]) -> Identity:
    return stack[0]


@pytest.fixture(scope="module")
def events(stack: tuple[Identity, str]) -> LocalEvents:
    """The stream poller, Lambda router and state machines, as the deployment wires them."""
    return LocalEvents(stack[1])


@pytest.fixture(scope="module")
def world(aws: Identity) -> World:
    return build_world(aws)


@pytest.fixture(scope="module")
def api(aws: Identity) -> Iterator[ApiClient]:
    from chalice.test import Client

    import app as application

    with counting() as calls, Client(application.app, stage_name="local") as client:
        yield ApiClient(client, calls, env.TEST_ENV["IDEMPOTENCY_TABLE_NAME"])

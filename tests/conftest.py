"""Fixtures: moto resources built from infra/, a world of agencies and users, an API client that counts calls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import env

env.apply()

from moto import mock_aws  # noqa: E402

from infra.local import gateway  # noqa: E402
from tests.support.calls import counting  # noqa: E402
from tests.support.http import ApiClient  # noqa: E402
from tests.support.world import Identity, World, build_world, stand_up  # noqa: E402

gateway.install()


@pytest.fixture
def aws() -> Iterator[Identity]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield stand_up()


@pytest.fixture
def world(aws: Identity) -> World:
    return build_world(aws)


@pytest.fixture
def api(aws: Identity) -> Iterator[ApiClient]:
    from chalice.test import Client

    import app as application

    with counting() as calls, Client(application.app, stage_name="local") as client:
        yield ApiClient(client, calls, env.TEST_ENV["IDEMPOTENCY_TABLE_NAME"])

"""When the table is down, signed-in users are not told they are signed out."""

import boto3
import pytest

from chalicelib.core.errors import ServiceUnavailable
from tests.support.world import World


def test_a_table_outage_during_sign_in_is_a_server_error_not_a_401(api, world: World):
    token = world.token("lc-admin")
    assert api.get("/me", token=token).status == 200
    boto3.client("dynamodb").delete_table(TableName="agritrace-main")
    # The authorizer fails; API Gateway answers such a failure with a 5xx (the local gateway re-raises it).
    with pytest.raises(ServiceUnavailable):
        api.get("/me", token=token)

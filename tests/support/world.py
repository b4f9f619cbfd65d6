"""A small platform to test against: moto resources from infra/, agencies at every level, users for each role."""

from __future__ import annotations

import gzip
import os
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import moto

from chalicelib.core import access
from chalicelib.inspections import service as inspections
from chalicelib.orgs import bootstrap, service
from chalicelib.orgs.models import Certificate, CreateAgencyRequest, CreateUserRequest
from chalicelib.testing import service as limits
from infra.local.resources import create_tables

PASSWORD = "Demo-Passw0rd!"


def clear_caches() -> None:
    from chalicelib.core import auth, config, idempotency
    from chalicelib.orgs import identity

    for fn in (
        config.get_settings,
        identity.identity_provider,
        idempotency._persistence,
        idempotency._config,
        auth._jwks_client,
    ):
        fn.cache_clear()


@lru_cache(maxsize=1)
def moto_jwks_url() -> str:
    """moto signs Cognito tokens with a fixed key; its public half, served over HTTP on loopback.

    Under the moto decorator nothing answers the issuer's real JWKS URL, so the tests serve the
    same document the local stack's moto server serves at /<pool>/.well-known/jwks.json.
    """
    body = gzip.decompress(
        (Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-public.json.gz").read_bytes()
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"


@dataclass
class Identity:
    pool_id: str
    client_id: str

    def token(self, username: str) -> str:
        idp = boto3.client("cognito-idp")
        idp.admin_set_user_password(UserPoolId=self.pool_id, Username=username, Password=PASSWORD, Permanent=True)
        auth = idp.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )
        return str(auth["AuthenticationResult"]["IdToken"])


def stand_up() -> tuple[Identity, str]:
    """Tables, bucket and user pool as infra/ defines them; settings pointed at them. Returns the stream ARN too."""
    streams = create_tables(
        {"MainTable": os.environ["TABLE_NAME"], "IdempotencyTable": os.environ["IDEMPOTENCY_TABLE_NAME"]}
    )
    boto3.client("s3").create_bucket(Bucket=os.environ["BUCKET_NAME"])
    idp = boto3.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="agritrace-users")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="agritrace-app", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    os.environ["USER_POOL_ID"] = pool
    os.environ["OIDC_ISSUER"] = f"https://cognito-idp.{os.environ['AWS_REGION']}.amazonaws.com/{pool}"
    os.environ["OIDC_AUDIENCE"] = client
    os.environ["OIDC_JWKS_URL"] = moto_jwks_url()
    clear_caches()
    return Identity(pool, client), streams["MainTable"]


@dataclass
class World:
    """Agencies by short name, users by username, and how to sign each in."""

    identity: Identity
    agencies: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    def principal(self, username: str) -> access.Principal:
        principal = service.principal_for(self.users[username].id)
        assert principal is not None
        return principal

    def token(self, username: str) -> str:
        if username not in self._tokens:
            self._tokens[username] = self.identity.token(username)
        return self._tokens[username]

    def agency(self, creator: str, key: str, name: str, kind: str, region: str, parent: str | None = None) -> None:
        req = CreateAgencyRequest(
            name=name, kind=kind, region=region, parent_id=self.agencies[parent].id if parent else None
        )
        self.agencies[key] = service.create_agency(self.principal(creator), req)

    def user(self, creator: str, agency: str, username: str, roles: list[str], **extra: Any) -> None:
        req = CreateUserRequest(
            username=username,
            name=username.replace("-", " ").title(),
            roles=roles,
            email=f"{username}@example.cn",
            **extra,
        )
        self.users[username] = service.create_user(self.principal(creator), self.agencies[agency].id, req)


TOWNSHIP = "370112001"  # 山大路街道, a township of Licheng (370112)
CERT = Certificate(number="鲁农执-0001", valid_until="2030-12-31")


def build_world(identity: Identity) -> World:
    world = World(identity)
    agency, admin = bootstrap.bootstrap_national(
        agency_name="农业农村部", username="moa-admin", name="MOA Admin", email="moa-admin@example.cn"
    )
    world.agencies["moa"] = service.agency_view(agency)
    world.users["moa-admin"] = service.user_view(admin)
    world.user("moa-admin", "moa", "moa-analyst", ["ministry_analyst"])
    world.user("moa-admin", "moa", "moa-dispatcher", ["dispatcher"])
    # Shandong (山东): province, Jinan city, Licheng and Lixia counties.
    world.agency("moa-admin", "sd", "山东省农业农村厅", "supervision", "370000")
    world.user("moa-admin", "sd", "sd-admin", ["admin"])
    world.user("sd-admin", "sd", "sd-head", ["head", "dispatcher"])
    world.agency("sd-admin", "sd-lab", "山东省农产品质量检测中心", "testing", "370000")
    world.user("sd-admin", "sd-lab", "sd-lab-admin", ["admin"])
    world.user("sd-lab-admin", "sd-lab", "sd-lab-manager", ["lab_manager"])
    world.user("sd-lab-admin", "sd-lab", "sd-lab-analyst", ["lab_analyst"])
    # Undertaking labs (承担单位) of Shandong: a city centre and a county station, each with samplers.
    world.agency("sd-admin", "jn-lab", "济南市农产品质量安全检测中心", "testing", "370100")
    world.user("sd-admin", "jn-lab", "jn-lab-admin", ["admin"])
    world.user("jn-lab-admin", "jn-lab", "jn-lab-manager", ["lab_manager"])
    world.user("jn-lab-admin", "jn-lab", "jn-lab-analyst", ["lab_analyst"])
    world.user("jn-lab-admin", "jn-lab", "jn-lab-sampler", ["sampler"])
    world.agency("sd-admin", "lc-lab", "历城区农产品质量安全检测站", "testing", "370112")
    world.user("sd-admin", "lc-lab", "lc-lab-admin", ["admin"])
    world.user("lc-lab-admin", "lc-lab", "lc-lab-manager", ["lab_manager", "lab_analyst"])
    world.user("lc-lab-admin", "lc-lab", "lc-lab-sampler", ["sampler"])
    world.agency("sd-admin", "jn", "济南市农业农村局", "supervision", "370100")
    world.user("sd-admin", "jn", "jn-admin", ["admin"])
    world.user("jn-admin", "jn", "jn-head", ["head"])
    world.agency("jn-admin", "lc", "历城区农业农村局", "supervision", "370112")
    world.user("jn-admin", "lc", "lc-admin", ["admin"])
    world.user("lc-admin", "lc", "lc-head", ["head"])
    world.user("lc-admin", "lc", "lc-supervisor", ["supervisor", "sampler"], certificate=CERT)
    # More of Licheng's samplers for the double-random draw: valid, expired, and two more valid ones.
    world.user(
        "lc-admin",
        "lc",
        "lc-sampler-2",
        ["sampler"],
        certificate=Certificate(number="鲁农执-0002", valid_until="2030-12-31"),
    )
    world.user(
        "lc-admin",
        "lc",
        "lc-sampler-3",
        ["sampler"],
        certificate=Certificate(number="鲁农执-0003", valid_until="2024-12-31"),
    )
    world.user(
        "lc-admin",
        "lc",
        "lc-sampler-4",
        ["sampler"],
        certificate=Certificate(number="鲁农执-0004", valid_until="2030-12-31"),
    )
    world.user(
        "lc-admin",
        "lc",
        "lc-sampler-5",
        ["sampler"],
        certificate=Certificate(number="鲁农执-0005", valid_until="2030-12-31"),
    )
    # Base inspection plans (巡查计划): a second Licheng supervisor, and a township supervisor of 山大路街道.
    world.user("lc-admin", "lc", "lc-supervisor-2", ["supervisor"])
    world.user("lc-admin", "lc", "lc-township-supervisor", ["supervisor"], township=TOWNSHIP)
    world.agency("jn-admin", "lc-enf", "历城区农业综合行政执法大队", "enforcement", "370112", parent="lc")
    world.user("jn-admin", "lc-enf", "lc-enf-admin", ["admin"])
    world.user("lc-enf-admin", "lc-enf", "lc-officer", ["enforcement_officer"], certificate=CERT)
    world.agency("jn-admin", "lx", "历下区农业农村局", "supervision", "370102")
    world.user("jn-admin", "lx", "lx-admin", ["admin"])
    world.user("lx-admin", "lx", "lx-supervisor", ["supervisor"], certificate=CERT)
    world.user("lx-admin", "lx", "lx-head", ["head"])
    # Jiangsu (江苏): another province, for cross-jurisdiction checks.
    world.agency("moa-admin", "js", "江苏省农业农村厅", "supervision", "320000")
    world.user("moa-admin", "js", "js-admin", ["admin"])
    world.user("js-admin", "js", "js-head", ["head", "dispatcher"])
    world.agency("js-admin", "js-lab", "江苏省农产品质量检测中心", "testing", "320000")
    world.user("js-admin", "js-lab", "js-lab-admin", ["admin"])
    world.user("js-lab-admin", "js-lab", "js-lab-manager", ["lab_manager", "lab_analyst"])
    world.user("js-lab-admin", "js-lab", "js-lab-sampler", ["sampler"])
    world.agency("js-admin", "js-enf", "江苏省农业综合行政执法监督局", "enforcement", "320000", parent="js")
    world.user("js-admin", "js-enf", "js-enf-admin", ["admin"])
    world.user("js-enf-admin", "js-enf", "js-officer", ["enforcement_officer"], certificate=CERT)
    # The limit library and the national inspection templates, seeded as a deployment seeds them.
    limits.seed_limits()
    inspections.seed_templates()
    return world

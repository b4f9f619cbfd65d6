"""A client generated from the API's own OpenAPI document (openapi-python-client) calls the API over HTTP.

The API is served as `make run` serves it (Chalice's local gateway, the authorizer included) on a free
loopback port, in this process, over the moto resources of the other integration tests. The client is
generated from the document that server answers at /openapi.json, so a document that standard tools
cannot turn into a working client fails here.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.support.subjects import registration
from tests.support.world import Identity, World

HOST = "127.0.0.1"
PACKAGE = "agritrace_client"


@pytest.fixture(scope="module")
def base_url(aws: Identity) -> Iterator[str]:
    """The API on http://127.0.0.1:<free port>, as the local stack serves it."""
    from chalice.local import create_local_server

    import app as application
    from infra.local.stack import chalice_config

    # create_local_server gives the app a thread-local current request (one thread per connection); the
    # other modules of this worker get the app back as it was.
    original = application.app.__class__
    server = create_local_server(application.app, chalice_config(application.app), HOST, 0)
    thread = threading.Thread(target=server.server.serve_forever, name="api", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server.server_address[1]}"
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join(timeout=10)
        application.app.__class__ = original


@pytest.fixture(scope="module")
def client(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The package openapi-python-client generates from the served document, imported."""
    where = tmp_path_factory.mktemp("generated")
    config = where / "config.yaml"
    config.write_text("post_hooks: []\n")  # no ruff run over the generated code: it is imported, not kept
    generator = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [
            str(generator),
            "generate",
            "--url",
            f"{base_url}/openapi.json",
            "--output-path",
            str(where / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # The generator names what it could not turn into code in a warning; a clean document gives none.
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _module(client: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _public(client: ModuleType, base_url: str) -> Any:
    return client.Client(base_url=base_url, raise_on_unexpected_status=True)


def _signed_in(client: ModuleType, base_url: str, token: str) -> Any:
    return client.AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)


def test_given_the_generated_client_when_anyone_asks_for_health_then_the_model_says_ok(client, base_url):
    health = _module(client, "api.meta.meta_health")
    Health = _module(client, "models").Health

    answer = health.sync(client=_public(client, base_url))

    assert isinstance(answer, Health)
    assert (answer.status, answer.stage) == ("ok", "test")


def test_given_the_generated_client_when_anyone_looks_up_a_region_then_it_has_its_children(client, base_url):
    region = _module(client, "api.regions.regions_region")
    RegionChildren = _module(client, "models").RegionChildren

    answer = region.sync("370100", client=_public(client, base_url))

    assert isinstance(answer, RegionChildren)
    assert (answer.region.code, answer.region.name) == ("370100", "济南市")
    assert "370112" in {child.code for child in answer.children}  # 历城区


def test_given_no_token_when_the_generated_client_lists_agencies_then_the_gateway_refuses(client, base_url):
    listing = _module(client, "api.organisations.organisations_list_agencies")

    reply = listing.sync_detailed(client=client.Client(base_url=base_url))

    assert reply.status_code == 401


def test_given_a_province_admin_when_the_generated_client_lists_agencies_then_they_are_the_provinces(
    client, base_url, world: World
):
    listing = _module(client, "api.organisations.organisations_list_agencies")
    AgencyPage = _module(client, "models").AgencyPage

    page = listing.sync(client=_signed_in(client, base_url, world.token("sd-admin")), region="370000")

    assert isinstance(page, AgencyPage)
    names = {agency.name for agency in page.items}
    assert {"山东省农业农村厅", "济南市农业农村局", "历城区农业农村局"} <= names
    assert "江苏省农业农村厅" not in names
    assert all(agency.region.startswith("37") for agency in page.items)


def test_given_a_supervisor_when_the_generated_client_registers_a_subject_then_reading_it_back_gives_the_same(
    client, base_url, world: World
):
    models = _module(client, "models")
    register = _module(client, "api.subjects.subjects_register")
    get = _module(client, "api.subjects.subjects_get")
    signed_in = _signed_in(client, base_url, world.token("lc-supervisor"))
    data = registration(name="历城区生成客户端合作社")

    created = register.sync(
        client=signed_in, body=models.RegisterSubjectRequest.from_dict(data), idempotency_key="generated-client-1"
    )
    read = get.sync(created.id, client=signed_in)

    assert isinstance(created, models.SubjectView)
    assert isinstance(read, models.SubjectView)
    assert (read.id, read.name, read.number, read.region) == (created.id, data["name"], data["number"], "370112")
    assert read.state == models.SubjectViewState.PENDING
    assert read.version == created.version


def test_given_an_unknown_subject_when_the_generated_client_reads_it_then_it_parses_the_problem(
    client, base_url, world: World
):
    get = _module(client, "api.subjects.subjects_get")
    Problem = _module(client, "models").Problem

    answer = get.sync("01JAAAAAAAAAAAAAAAAAAAAAAA", client=_signed_in(client, base_url, world.token("lc-supervisor")))

    assert isinstance(answer, Problem)
    assert (answer.status, answer.type_) == (404, "https://agritrace.cn/problems/not-found")

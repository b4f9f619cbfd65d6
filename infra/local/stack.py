"""`make run`: moto in server mode, the resources of infra/, the event sources, a demo and the API, in one process."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from .schedules import scheduled_event, schedules

if TYPE_CHECKING:
    from chalice.local import LocalDevServer
    from moto.server import ThreadedMotoServer

    from .console import ConsoleServer
    from .demo import Demo
    from .events import LocalEvents

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATE_FILE = ROOT / ".local" / "stack.json"
HOST = "127.0.0.1"  # loopback only: the stack has fake credentials and no authentication of its own
# A global region: moto's Cognito (like AWS) has no user-pool endpoint in the China partition.
REGION = "us-east-1"
STAGE = "local"
SETTLE_INTERVAL = 0.5


def state_file() -> Path:
    return Path(os.environ.get("LOCAL_STATE_FILE") or DEFAULT_STATE_FILE)


@dataclass
class Ports:
    api: int = field(default_factory=lambda: int(os.environ.get("LOCAL_API_PORT", "8000")))
    moto: int = field(default_factory=lambda: int(os.environ.get("LOCAL_MOTO_PORT", "5000")))
    console: int = field(default_factory=lambda: int(os.environ.get("LOCAL_CONSOLE_PORT", "8080")))

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api}"

    @property
    def moto_url(self) -> str:
        return f"http://{HOST}:{self.moto}"

    @property
    def console_url(self) -> str:
        return f"http://{HOST}:{self.console}"


def chalice_config(app: Any = None) -> Any:
    """The `local` stage of .chalice/config.json, as `chalice local` would build it."""
    from chalice.config import Config

    params: dict[str, Any] = {"project_dir": str(ROOT)}
    if app is not None:
        params["chalice_app"] = app
    return Config(
        chalice_stage=STAGE,
        user_provided_params=params,
        config_from_disk=json.loads((ROOT / ".chalice" / "config.json").read_text()),
        default_params={"project_dir": str(ROOT), "api_gateway_stage": "api", "autogen_policy": True},
    )


def configure_environment(ports: Ports, config: Any) -> None:
    """Point every AWS client at moto. Must run before app or chalicelib is imported: settings are read once."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        os.environ.pop(key, None)
    os.environ.update(config.environment_variables)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": ports.moto_url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            # Streams calls need it under moto (see DESIGN.md); IMDS lookups would only add a timeout.
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    # QR codes and links then resolve against this machine's API.
    os.environ.setdefault("PUBLIC_BASE_URL", ports.api_url)
    # The web console is served from another origin than the API, as from its bucket in production.
    os.environ["CONSOLE_ORIGINS"] = ports.console_url


def port_free(port: int) -> bool:
    # ThreadedMotoServer binds inside its thread and waits forever if that fails, so check first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


class Settler(threading.Thread):
    """Lambda's pollers and async queues, locally: deliver stream records and queued invocations every tick."""

    def __init__(self, events: LocalEvents, interval: float = SETTLE_INTERVAL) -> None:
        super().__init__(name="settler", daemon=True)
        self.events = events
        self.interval = interval
        self.halt = threading.Event()
        self._reported = {"stream": 0, "lambda": 0}
        self.schedules = schedules()
        self.began = time.monotonic()
        self.caught_up = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                # One poll at a time rather than events.settle(), which drains everything: a stop then
                # waits for one batch at most, even while the demo's backlog is being delivered.
                self._fire_due_schedules()
                moved = self.events.poller.poll_once() + self.events.router.run_pending()
            except Exception:  # noqa: BLE001 - the poller must outlive one bad tick, as Lambda's does
                print(f"[settler] {traceback.format_exc()}", file=sys.stderr)
                moved = 0
            self._report()
            if not moved:
                if not self.caught_up.is_set():
                    # The demo's backlog is delivered: the feeds, inboxes and counters now follow each write.
                    # The browser tests wait for this line before their journeys.
                    self.caught_up.set()
                    print(f"stream caught up in {time.monotonic() - self.began:.1f} s", flush=True)
                self.halt.wait(self.interval)

    def _fire_due_schedules(self) -> None:
        now = datetime.now(UTC)
        for schedule in self.schedules:
            if now >= schedule.next_at:
                self.events.router.pending.put((schedule.function, scheduled_event(schedule.rule, schedule.next_at)))
                schedule.advance(now)

    def _report(self) -> None:
        # Handler failures are caught for the retry logic; print them so they are not silent.
        for name, errors in (("stream", self.events.poller.errors), ("lambda", self.events.router.errors)):
            for trace in errors[self._reported[name] :]:
                print(f"[{name} handler error]\n{trace}", file=sys.stderr)
            self._reported[name] = len(errors)

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=30)


class LocalStack:
    def __init__(self, ports: Ports | None = None, *, demo: bool = True, quiet_aws: bool = True) -> None:
        self.ports = ports or Ports()
        self.load_demo = demo
        self.quiet_aws = quiet_aws
        self.moto: ThreadedMotoServer | None = None
        self.events: LocalEvents | None = None
        self.settler: Settler | None = None
        self.api: LocalDevServer | None = None
        self.api_thread: threading.Thread | None = None
        self.demo: Demo | None = None
        self.console: ConsoleServer | None = None
        self.pool_id = ""
        self.client_id = ""
        self.timings: dict[str, float] = {}

    def _mark(self, step: str, since: float) -> float:
        now = time.monotonic()
        self.timings[step] = now - since
        return now

    def start(self) -> None:
        t0 = t = time.monotonic()
        for name, port in (("API", self.ports.api), ("moto", self.ports.moto), ("console", self.ports.console)):
            if not port_free(port):
                raise SystemExit(
                    f"port {port} ({name}) is in use on {HOST}: is another stack running? (see {state_file()})"
                )
        config = chalice_config()
        configure_environment(self.ports, config)
        self._start_moto()
        t = self._mark("moto", t)
        stream_arn = self._create_resources()
        t = self._mark("resources", t)
        from . import gateway
        from .events import LocalEvents

        self.events = LocalEvents(stream_arn)  # imports app: the environment is complete by now
        self._clear_caches()
        t = self._mark("events", t)
        if self.load_demo:
            from . import demo

            self.demo = demo.load(self.pool_id)
            t = self._mark("demo", t)
        gateway.install()
        self._start_api()
        self._start_console()
        # Started last: polling the stream while the demo loads doubles the load time (one GIL, one
        # DynamoDB lock), so the demo's events reach the activity feed in the first seconds after start.
        self.settler = Settler(self.events)
        self.settler.start()
        self._write_state()
        self._mark("total", t0)

    def _start_moto(self) -> None:
        from . import server

        self.moto = server.start(HOST, self.ports.moto, quiet=self.quiet_aws)

    def _create_resources(self) -> str:
        from . import resources

        streams = resources.create_tables(
            {"MainTable": os.environ["TABLE_NAME"], "IdempotencyTable": os.environ["IDEMPOTENCY_TABLE_NAME"]}
        )
        self.pool_id, self.client_id = resources.create_user_pool(
            "agritrace-local-users", auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"]
        )
        os.environ["USER_POOL_ID"] = self.pool_id
        os.environ["OIDC_ISSUER"] = f"https://cognito-idp.{REGION}.amazonaws.com/{self.pool_id}"  # moto's `iss`
        os.environ["OIDC_AUDIENCE"] = self.client_id
        os.environ["OIDC_JWKS_URL"] = f"{self.ports.moto_url}/{self.pool_id}/.well-known/jwks.json"
        # Any local origin: a web console under development runs on some other localhost port.
        resources.create_bucket(os.environ["BUCKET_NAME"], cors_origins=["*"])
        return streams["MainTable"]

    @staticmethod
    def _clear_caches() -> None:
        from chalicelib.core import auth, config
        from chalicelib.orgs import identity

        for cached in (config.get_settings, identity.identity_provider, auth._jwks_client):
            cached.cache_clear()

    def _start_api(self) -> None:
        from chalice.local import ChaliceRequestHandler, create_local_server

        import app as application

        # http.server answers a method it has no do_X for (TRACE, QUERY, ...) with its own 501 page; API Gateway
        # answers every method itself, so every method goes to the local gateway (405 when the route lacks it).
        ChaliceRequestHandler.__getattr__ = _any_method  # type: ignore[attr-defined]
        self.api = create_local_server(application.app, chalice_config(application.app), HOST, self.ports.api)
        self.api_thread = threading.Thread(target=self.api.server.serve_forever, name="api", daemon=True)
        self.api_thread.start()

    def _start_console(self) -> None:
        from .console import ConsoleConfig, ConsoleServer

        config = ConsoleConfig(
            api_url=self.ports.api_url,
            issuer=os.environ["OIDC_ISSUER"],
            jwks_url=os.environ["OIDC_JWKS_URL"],
            user_pool_id=self.pool_id,
            client_id=self.client_id,
            endpoint_url=self.ports.moto_url,
            region=REGION,
        )
        self.console = ConsoleServer(HOST, self.ports.console, config)
        self.console.start()

    def _write_state(self) -> None:
        path = state_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {
            "pid": os.getpid(),
            "api_url": self.ports.api_url,
            "endpoint_url": self.ports.moto_url,
            "console_url": self.ports.console_url,
            "region": REGION,
            "user_pool_id": self.pool_id,
            "client_id": self.client_id,
            "password": _demo_password() if self.demo else None,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        tmp.replace(path)  # a reader in another shell never sees half a file

    def stop(self) -> None:
        """Stop in reverse order: no new requests, then no more events, then AWS itself."""
        if self.console is not None:
            self.console.stop()
        if self.api is not None:
            self.api.server.shutdown()
            self.api.server.server_close()
            if self.api_thread is not None:
                self.api_thread.join(timeout=10)
        if self.settler is not None:
            self.settler.stop()
        if self.moto is not None:
            # Executions still waiting for a callback fail as the server goes away; that is not news.
            logging.getLogger("moto.stepfunctions").setLevel(logging.ERROR)
            self.moto.stop()
        path = state_file()
        try:
            if json.loads(path.read_text()).get("pid") == os.getpid():
                path.unlink()
        except (OSError, ValueError):
            pass


def _demo_password() -> str:
    from .demo import PASSWORD

    return PASSWORD


def _any_method(handler: Any, name: str) -> Any:
    if name.startswith("do_"):
        return handler._generic_handle
    raise AttributeError(name)


def banner(stack: LocalStack) -> str:
    ports = stack.ports
    lines = [
        "",
        "agritrace local stack is up",
        f"  console    {ports.console_url}   (web console; field mode: {ports.console_url}/field)",
        f"  API        {ports.api_url}   (OpenAPI: {ports.api_url}/openapi.json)",
        f"  AWS (moto) {ports.moto_url}   (user pool {stack.pool_id}, client {stack.client_id})",
        f"  state      {state_file()}",
        f"  started in {stack.timings.get('total', 0):.1f} s "
        + "("
        + ", ".join(f"{k} {v:.1f} s" for k, v in stack.timings.items() if k != "total")
        + ")",
    ]
    if stack.demo is not None:
        demo = stack.demo
        lines += ["", f"Demo: {len(demo.agencies)} agencies, {len(demo.users)} users (山东 370000, 江苏 320000)."]
        rows = [("username", "roles", "agency", "region")]
        rows += [(u.username, ",".join(u.roles), u.agency, f"{u.region} {u.region_name}") for u in demo.featured()]
        widths = [max(_width(r[i]) for r in rows) for i in range(3)]
        for row in rows:
            lines.append(
                "  " + "  ".join(_pad(cell, w) for cell, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
            )
        lines += [
            "  and for every city of Shandong <city>-admin (zibo-admin, linyi-admin, ...); in 济南 jn, 青岛 qd,",
            "  烟台 yt and 潍坊 wf also <city>-head, <city>-supervisor, <city>-lab-{admin,manager,analyst}, and for",
            "  each county <city>-<county>-{admin,supervisor,officer} and <city>-<county>-enf-admin",
            "  (jn-lixia-supervisor, qd-laoshan-officer, wf-shouguang-admin, ...).",
            f"  Every demo user's password: {_demo_password()}",
        ]
    # `make token` finds a stack started with its own state file only when told where it is.
    token = "make -s token user=sd-admin"
    if state_file() != DEFAULT_STATE_FILE:
        token = f"LOCAL_STATE_FILE={state_file()} {token}"
    lines += [
        "",
        "Sign in from another shell:",
        f"  {token}",
        f'  curl -H "Authorization: Bearer $({token})" {ports.api_url}/me',
        "",
        "Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def main() -> int:
    stop = threading.Event()
    starting = True

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        if starting:
            raise KeyboardInterrupt  # abandon a half-built stack through the same cleanup

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    stack = LocalStack()
    try:
        stack.start()
        starting = False
        print(banner(stack), flush=True)
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        starting = False
        print("stopping...", file=sys.stderr, flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

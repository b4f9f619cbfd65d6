"""Per-route AWS calls: every route of `chalicelib.core.api.ROUTES`, called once with a valid request.

The app runs under moto with the tests' helpers (tables from infra/, the tests' world of agencies
and users, the Chalice test client through the local gateway, the stream poller and the state
machines as the deployment wires them). Reads and writes are the botocore calls the request makes
on the request's own thread, idempotency table excluded (see `tests.support.calls`). Each write is
then sent again with a fresh `Idempotency-Key`, and a third time with the same key (a replay), to
show what the idempotency table adds.

Routes are taken from ROUTES: a GET whose path parameters this module can fill and whose query
needs nothing is called without further help; anything else needs a recipe in RECIPES, and a
route with neither is listed as "not exercised".
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from tests.support import env

env.apply()

from moto import mock_aws  # noqa: E402

from chalicelib.core.api import ROUTES, RouteSpec  # noqa: E402
from infra.local import gateway  # noqa: E402
from infra.local.events import LocalEvents  # noqa: E402
from tests.support.calls import READ_PREFIXES, CallLog, counting  # noqa: E402
from tests.support.http import ApiClient  # noqa: E402
from tests.support.world import World, build_world, stand_up  # noqa: E402

IDEMPOTENCY_TABLE = env.TEST_ENV["IDEMPOTENCY_TABLE_NAME"]
ENV_NOTE = ""
# Who asks, when a route has no recipe: the first of these whose roles the route allows.
PREFERRED_USERS = ("sd-head", "sd-admin", "jn-admin", "moa-analyst", "lc-supervisor", "sd-lab-manager", "lc-officer")


@dataclass
class Call:
    user: str | None  # a username of the world, or None for a public route
    path: str  # with path parameters filled in, and the query string if any
    body: Any = None


@dataclass
class Row:
    spec: RouteSpec
    status: int | None = None
    reads: int = 0
    writes: int = 0
    operations: Counter[str] = field(default_factory=Counter)
    authorizer: int = 0
    note: str = ""
    idem_first: tuple[int, int, int, int, int] | None = None  # status, reads, writes, idem reads, idem writes
    idem_replay: tuple[int, int, int, int, int, bool] | None = None  # ... and whether it said it replayed

    @property
    def verdict(self) -> str:
        if self.status is None:
            return "-"
        if self.status >= 400:
            return "FAILED"
        budget = self.spec.budget
        return "OK" if self.reads <= budget.reads and self.writes <= budget.writes else "OVER"


class Scene:
    """The world, plus the records some routes need: instructions, attachments, an integrity report."""

    def __init__(self, world: World, events: LocalEvents) -> None:
        self.world = world
        self.events = events
        self._n = itertools.count(1)
        self._instruction: str | None = None
        self._attachment: str | None = None
        self._report_day: str | None = None
        self._target_user: str | None = None

    def unique(self, prefix: str) -> str:
        return f"{prefix}-{next(self._n):04d}"

    def agency(self, key: str) -> str:
        return str(self.world.agencies[key].id)

    def user_id(self, username: str) -> str:
        return str(self.world.users[username].id)

    def new_instruction(self, sender: str = "sd-head", to: str = "jn", *, awaiting: bool = True) -> str:
        """An instruction sent down; with `awaiting`, its workflow has stored the callback token."""
        from chalicelib.dispatch import service, store
        from chalicelib.dispatch.models import SendInstructionRequest

        req = SendInstructionRequest(
            to_org_id=self.agency(to),
            title="排查草莓农残",
            body="本周内完成辖区草莓基地排查",
            respond_within_seconds=3600,
        )
        iid = service.send(self.world.principal(sender), req).id
        if awaiting and not self.events.wait_for(lambda: store.get(iid).state == "awaiting", timeout=20):
            raise RuntimeError("the acknowledgement workflow did not store its token")
        return iid

    def instruction(self) -> str:
        if self._instruction is None:
            self._instruction = self.new_instruction()
        return self._instruction

    def attachment(self) -> str:
        if self._attachment is None:
            from chalicelib.attachments import service
            from chalicelib.attachments.models import CreateAttachmentRequest

            req = CreateAttachmentRequest(
                owner_kind="instruction",
                owner_id=self.instruction(),
                filename="photo.jpg",
                content_type="image/jpeg",
                size=2048,
            )
            self._attachment = service.request_upload(self.world.principal("sd-head"), req).attachment.id
        return self._attachment

    def report_day(self) -> str:
        if self._report_day is None:
            from chalicelib.integrity import service

            self._report_day = datetime.now(UTC).date().isoformat()
            service.verify_day(self._report_day)
        return self._report_day

    def target_user(self) -> str:
        """A user of Jinan city that the bench changes, so the world's own users stay as they are."""
        if self._target_user is None:
            self.world.user("jn-admin", "jn", "bench-target", ["head"])
            self._target_user = self.user_id("bench-target")
        return self._target_user

    def agency_version(self, key: str) -> int:
        from chalicelib.orgs import store

        return int(store.get_agency(self.agency(key)).version or 0)

    def user_version(self, user_id: str) -> int:
        from chalicelib.orgs import store

        return int(store.get_user(user_id).version or 0)


# Path parameters a generic request fills in.
PARAMS: dict[str, Callable[[Scene], str]] = {
    "agency_id": lambda s: s.agency("jn"),
    "user_id": lambda s: s.user_id("jn-admin"),
    "instruction_id": Scene.instruction,
    "attachment_id": Scene.attachment,
    "day": Scene.report_day,
    "code": lambda s: "370000",
}

Recipe = Callable[[Scene], Call]

# A valid request for each route a generic GET cannot make. Called again for every request it is used
# for (the idempotency runs need fresh bodies), so each call builds what it needs anew.
RECIPES: dict[tuple[str, str], Recipe] = {
    ("POST", "/agencies"): lambda s: Call(
        "sd-admin", "/agencies", {"name": s.unique("青岛市基准测试局"), "kind": "supervision", "region": "370200"}
    ),
    ("PATCH", "/agencies/{agency_id}"): lambda s: Call(
        "sd-admin",
        f"/agencies/{s.agency('jn')}",
        {"version": s.agency_version("jn"), "address": s.unique("济南市历下区龙鼎大道")},
    ),
    ("POST", "/agencies/{agency_id}/users"): lambda s: Call(
        "jn-admin",
        f"/agencies/{s.agency('jn')}/users",
        {
            "username": (u := s.unique("bench-user")),
            "name": "Bench User",
            "roles": ["head"],
            "email": f"{u}@example.cn",
        },
    ),
    ("PATCH", "/users/{user_id}"): lambda s: Call(
        "jn-admin",
        f"/users/{(u := s.target_user())}",
        {"version": s.user_version(u), "name": s.unique("Bench Target")},
    ),
    ("POST", "/instructions"): lambda s: Call(
        "sd-head",
        "/instructions",
        {
            "to_org_id": s.agency("jn"),
            "title": "排查草莓农残",
            "body": "本周内完成排查",
            "respond_within_seconds": 3600,
        },
    ),
    ("POST", "/instructions/{instruction_id}/acknowledge"): lambda s: Call(
        "jn-admin", f"/instructions/{s.new_instruction()}/acknowledge", {"feedback": "已部署"}
    ),
    ("POST", "/attachments"): lambda s: Call(
        "sd-head",
        "/attachments",
        {
            "owner_kind": "instruction",
            "owner_id": s.instruction(),
            "filename": "photo.jpg",
            "content_type": "image/jpeg",
            "size": 2048,
        },
    ),
    ("GET", "/attachments"): lambda s: Call(
        "sd-head", f"/attachments?owner_kind=instruction&owner_id={s.instruction()}"
    ),
}


def pick_user(world: World, spec: RouteSpec) -> str | None:
    if spec.public:
        return None
    names = [*PREFERRED_USERS, *world.users]
    for name in names:
        user = world.users.get(name)
        if user is not None and spec.roles & set(user.roles):
            return name
    raise LookupError(f"no user of the world has any of {sorted(spec.roles)}")


def generic(scene: Scene, spec: RouteSpec) -> Call:
    """A GET with its path parameters filled in and no query: the default request of a new route."""
    if spec.writes:
        raise LookupError("a write needs a recipe with a valid body")
    if spec.query is not None:
        try:
            spec.query.model_validate({})
        except ValidationError:
            raise LookupError("its query has required fields: needs a recipe") from None
    path = spec.path
    for name in re.findall(r"{(\w+)}", spec.path):
        if name not in PARAMS:
            raise LookupError(f"no value for path parameter {{{name}}}")
        path = path.replace("{" + name + "}", PARAMS[name](scene))
    return Call(pick_user(scene.world, spec), path)


def build(scene: Scene, spec: RouteSpec) -> Call:
    recipe = RECIPES.get((spec.method, spec.path))
    return recipe(scene) if recipe else generic(scene, spec)


@contextmanager
def request_thread_only(log: CallLog) -> Iterator[None]:
    """Count only the calls of the request's own thread: state machines run on threads of their own."""
    main = threading.main_thread()
    original = log.record

    def record(service: str, operation: str, table: str) -> None:
        if threading.current_thread() is main:
            original(service, operation, table)

    log.record = record  # type: ignore[method-assign]
    try:
        yield
    finally:
        log.record = original  # type: ignore[method-assign]


@dataclass
class Sent:
    status: int
    reads: int
    writes: int
    idem_reads: int
    idem_writes: int
    operations: Counter[str]
    replayed: bool
    authorizer: int


def send(api: ApiClient, scene: Scene, method: str, call: Call, headers: dict[str, str] | None = None) -> Sent:
    token = scene.world.token(call.user) if call.user else None
    replayed = False
    try:
        reply = api.request(method, call.path, token=token, body=call.body, headers=headers)
        replayed = reply.headers.get("idempotent-replayed") == "true"
    except AssertionError:  # the tests' client holds every success to its budget; here OVER is a finding
        pass
    _method, _path, status, reads, writes = api.log[-1]
    idem_reads = idem_writes = 0
    ops: Counter[str] = Counter()
    for service, op, table in api.calls.calls:
        if table != IDEMPOTENCY_TABLE:
            ops[op if service == "dynamodb" else f"{service}.{op}"] += 1
        elif op.startswith(READ_PREFIXES):
            idem_reads += 1
        else:
            idem_writes += 1
    authorizer = len(getattr(api.calls, "authorizer_calls", []))  # the authorizer's own Lambda, cached per token
    return Sent(status, reads, writes, idem_reads, idem_writes, ops, replayed, authorizer)


def run_route(api: ApiClient, scene: Scene, spec: RouteSpec, row: Row) -> None:
    sent = send(api, scene, spec.method, build(scene, spec))
    row.status, row.reads, row.writes, row.operations = sent.status, sent.reads, sent.writes, sent.operations
    row.authorizer = sent.authorizer
    if not spec.writes or sent.status >= 400:
        return
    again = build(scene, spec)
    key = {"Idempotency-Key": f"bench-{scene.unique('key')}-{spec.name}"}
    first = send(api, scene, spec.method, again, key)
    row.idem_first = (first.status, first.reads, first.writes, first.idem_reads, first.idem_writes)
    replay = send(api, scene, spec.method, again, key)
    row.idem_replay = (
        replay.status,
        replay.reads,
        replay.writes,
        replay.idem_reads,
        replay.idem_writes,
        replay.replayed,
    )


def measure() -> list[Row]:
    from chalice.test import Client

    global ENV_NOTE
    if os.environ.get("POWERTOOLS_IDEMPOTENCY_DISABLED") == "":
        # Powertools reads this variable with strtobool, which refuses "": every keyed write would be a 500.
        del os.environ["POWERTOOLS_IDEMPOTENCY_DISABLED"]
        ENV_NOTE = (
            "note: tests/support/env.py sets POWERTOOLS_IDEMPOTENCY_DISABLED='', which Powertools rejects"
            " (ValueError, so every write with an Idempotency-Key is a 500); the bench unsets it."
        )
    gateway.install()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        identity, stream_arn = stand_up()
        import app as application

        events = LocalEvents(stream_arn)
        world = build_world(identity)
        events.settle()
        scene = Scene(world, events)
        rows = [Row(spec) for spec in ROUTES]
        with counting() as calls, Client(application.app, stage_name="local") as client:
            api = ApiClient(client, calls, IDEMPOTENCY_TABLE)
            with request_thread_only(calls):
                for row in rows:
                    try:
                        run_route(api, scene, row.spec, row)
                    except LookupError as exc:
                        row.note = f"not exercised: {exc}"
                    except Exception as exc:  # noqa: BLE001 - one broken setup must not hide the other routes
                        row.note = f"not exercised: setup failed: {type(exc).__name__}: {exc}"[:160]
                    events.settle()
    return rows


def _ops(ops: Counter[str]) -> str:
    return " ".join(f"{op}x{n}" if n > 1 else op for op, n in sorted(ops.items()))


def report(rows: list[Row]) -> str:
    head = (
        f"{'method':<6} {'path':<44} {'status':>6} {'reads':>5} {'writes':>6} {'budget':>7}  {'':<6} {'auth':>4}  calls"
    )
    lines = [
        "== AWS calls per request (moto; request thread only; idempotency table excluded) ==",
        "budget = declared reads/writes; auth = calls of the authorizer (its own Lambda, cached per token on AWS),"
        " not in the budget",
        head,
        "-" * len(head),
    ]
    for r in rows:
        budget = f"{r.spec.budget.reads}/{r.spec.budget.writes}"
        if r.status is None:
            lines.append(f"{r.spec.method:<6} {r.spec.path:<44} {'-':>6} {'':>5} {'':>6} {budget:>7}  {r.note}")
            continue
        lines.append(
            f"{r.spec.method:<6} {r.spec.path:<44} {r.status:>6} {r.reads:>5} {r.writes:>6} {budget:>7}"
            f"  {r.verdict:<6} {r.authorizer:>4}  {_ops(r.operations)}"
        )
    exercised = [r for r in rows if r.status is not None]
    over = [r for r in exercised if r.verdict == "OVER"]
    failed = [r for r in exercised if r.verdict == "FAILED"]
    lines.append(
        f"{len(exercised)}/{len(rows)} routes exercised; {len(over)} over budget; {len(failed)} failed (4xx/5xx)"
    )
    lines += [
        "",
        "== Writes with an Idempotency-Key: extra idempotency-table calls (reads/writes) ==",
        f"{'method':<6} {'path':<44} {'first use':>22} {'replay (same key)':>34}",
    ]
    for r in rows:
        if r.idem_first is None or r.idem_replay is None:
            continue
        fs, fr, fw, fir, fiw = r.idem_first
        rs, rr, rw, rir, riw, replayed = r.idem_replay
        lines.append(
            f"{r.spec.method:<6} {r.spec.path:<44} {fs:>4} +{fir}r/+{fiw}w (app {fr}/{fw})"
            f"   {rs:>4} {rir}r/{riw}w (app {rr}/{rw}){' replayed' if replayed else ' NOT REPLAYED'}"
        )
    if ENV_NOTE:
        lines.append(ENV_NOTE)
    return "\n".join(lines)

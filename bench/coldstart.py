"""Cold start: how much `import app` costs on top of the third-party packages it cannot avoid.

Every figure comes from a fresh interpreter, so nothing is cached in `sys.modules`:

* (a) the time of `import app`, measured inside the child around the import statement
  (interpreter start-up excluded), with the environment of the tests;
* (b) the time of `import chalice, pynamodb, ...`: the third-party top-level packages that
  `import app` loads, found from a `python -X importtime -c "import app"` run (not the project,
  not the standard library, not what the interpreter had loaded before, not failed optional imports).

* (c) the time of importing every third-party module `import app` ends up with, submodules included
  (`pynamodb.models`, `aws_lambda_powertools.utilities.idempotency`, ...).

The gated figure is median(a) / median(c) (target <= 1.3): the third-party code the app needs,
against the app. `import pynamodb` alone loads almost nothing (0.2 ms; the app needs
`pynamodb.models`, ~90 ms), so a/b counts third-party submodules as the project's own cost; it is
printed beside it for comparison. Making a third-party package lazy lowers (a) and (c) alike: the
absolute (a) is what a Lambda's cold start pays.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from tests.support.env import TEST_ENV

ROOT = Path(__file__).resolve().parents[1]
PROJECT_ROOTS = frozenset({"app", "chalicelib"})
TARGET_RATIO = 1.3
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$")
_STDLIB_DIRS = tuple({sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]})
_TIMER = (
    "import time as _t\n_s, _c = _t.perf_counter(), _t.process_time()\n{stmt}\n"
    "print(_t.perf_counter() - _s, _t.process_time() - _c)\n"
)
_IMPORT_ALL = (
    "import importlib as _i\nfor _m in {modules!r}:\n    try:\n        _i.import_module(_m)\n"
    "    except Exception:\n        pass"
)


@dataclass
class ImportLine:
    module: str
    self_us: int
    cumulative_us: int
    depth: int
    children: list[ImportLine]


@dataclass
class Profile:
    lines: list[ImportLine]  # in the order the imports completed (children before their parent)
    loaded: set[str]  # sys.modules at the end: a failed optional import has a line but is not loaded


@dataclass
class ColdStart:
    third_party: list[str]
    third_party_modules: int
    app_times: list[float]
    deps_times: list[float]
    full_deps_times: list[float]
    app_wall: list[float]
    deps_wall: list[float]
    app_cpu: list[float]
    deps_cpu: list[float]
    slowest: list[tuple[str, float, float]]  # module, median self ms, median cumulative ms
    pulls: list[tuple[str, str, float]]  # project module, third-party module it imports first, cumulative ms
    project_modules: int
    project_self_ms: float

    @property
    def app_median(self) -> float:
        return statistics.median(self.app_times)

    @property
    def deps_median(self) -> float:
        return statistics.median(self.deps_times)

    @property
    def full_deps_median(self) -> float:
        return statistics.median(self.full_deps_times)

    @property
    def ratio(self) -> float:
        return self.app_median / self.full_deps_median

    @property
    def top_level_ratio(self) -> float:
        return self.app_median / self.deps_median

    @property
    def wall_ratio(self) -> float:
        return statistics.median(self.app_wall) / statistics.median(self.deps_wall)

    @property
    def cpu_ratio(self) -> float:
        return statistics.median(self.app_cpu) / statistics.median(self.deps_cpu)

    @property
    def ok(self) -> bool:
        return self.ratio <= TARGET_RATIO


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "AWS_PROFILE")}
    env.update(TEST_ENV)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled files are kept, as in a Lambda package
    return env


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=child_env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"python {' '.join(args)[:300]} failed:\n{done.stderr[-3000:]}")
    return done


def importtime(code: str) -> Profile:
    """`python -X importtime -c code` in a fresh interpreter, as a tree."""
    done = _run(["-X", "importtime", "-c", code + "\nimport sys\nprint(' '.join(sys.modules))"])
    lines: list[ImportLine] = []
    pending: dict[int, list[ImportLine]] = {}
    for raw in done.stderr.splitlines():
        m = _LINE.match(raw)
        if not m:
            continue
        depth = len(m[3]) // 2
        line = ImportLine(m[4], int(m[1]), int(m[2]), depth, pending.pop(depth + 1, []))
        pending.setdefault(depth, []).append(line)
        lines.append(line)
    return Profile(lines, set(done.stdout.split()))


def is_project(root: str) -> bool:
    if root in PROJECT_ROOTS:
        return True
    try:
        spec = find_spec(root)
    except (ImportError, ValueError):
        return False
    origin = (spec.origin or "") if spec else ""
    if not origin and spec and spec.submodule_search_locations:
        origin = next(iter(spec.submodule_search_locations), "")
    return origin.startswith(str(ROOT)) and not origin.startswith(str(ROOT / ".venv"))


def is_stdlib(root: str) -> bool:
    if root in sys.stdlib_module_names or root in sys.builtin_module_names or not root.isidentifier():
        return True  # not an identifier: e.g. _sysconfigdata__linux_x86_64-linux-gnu
    try:
        spec = find_spec(root)
    except (ImportError, ValueError):
        return False
    origin = (spec.origin or "") if spec else ""
    return origin.startswith(_STDLIB_DIRS) and "site-packages" not in origin


def third_party(profile: Profile, startup: set[str]) -> tuple[list[str], list[str]]:
    """Top-level third-party packages `import app` loads, and all their loaded modules, in load order."""
    verdict: dict[str, bool] = {}
    roots: list[str] = []
    modules: list[str] = []
    for line in profile.lines:
        root = line.module.split(".")[0]
        if root not in verdict:
            verdict[root] = root in profile.loaded and not (is_stdlib(root) or is_project(root))
        if not verdict[root] or line.module not in profile.loaded or line.module in startup:
            continue
        modules.append(line.module)
        if root not in roots and root not in startup:
            roots.append(root)
    return roots, modules


def timed_import(stmt: str) -> tuple[float, float]:
    """Wall and CPU seconds of `stmt` in a fresh interpreter, start-up excluded."""
    elapsed, cpu = _run(["-c", _TIMER.format(stmt=stmt)]).stdout.strip().splitlines()[-1].split()
    return float(elapsed), float(cpu)


def wall(stmt: str) -> float:
    """Interpreter start-up plus the import; not the teardown (module finalisation), which Lambda never waits for."""
    start = time.perf_counter()
    _run(["-c", stmt + "\nimport os\nos._exit(0)"])
    return time.perf_counter() - start


def _is_project_module(module: str) -> bool:
    return module.split(".")[0] in PROJECT_ROOTS


def measure(runs: int = 7, profile_runs: int = 3) -> ColdStart:
    startup = importtime("pass").loaded
    profiles = [importtime("import app") for _ in range(profile_runs)]
    roots, modules = third_party(profiles[0], startup)
    deps_stmt = "import " + ", ".join(roots)
    full_stmt = _IMPORT_ALL.format(modules=modules)
    for stmt in ("import app", deps_stmt, full_stmt):
        timed_import(stmt)  # warm the file cache and the compiled files once, untimed
    app_times: list[float] = []
    deps_times: list[float] = []
    full_times: list[float] = []
    app_wall: list[float] = []
    deps_wall: list[float] = []
    app_cpu: list[float] = []
    deps_cpu: list[float] = []
    for _ in range(runs):  # interleaved, so drift of the machine touches every figure alike
        for times, cpus, stmt in ((app_times, app_cpu, "import app"), (deps_times, deps_cpu, deps_stmt)):
            elapsed, cpu = timed_import(stmt)
            times.append(elapsed)
            cpus.append(cpu)
        full_times.append(timed_import(full_stmt)[0])
        app_wall.append(wall("import app"))
        deps_wall.append(wall(deps_stmt))

    selfs: dict[str, list[float]] = {}
    cums: dict[str, list[float]] = {}
    pulls: dict[tuple[str, str], list[float]] = {}
    third = set(modules)
    for profile in profiles:
        for line in profile.lines:
            if not _is_project_module(line.module):
                continue
            selfs.setdefault(line.module, []).append(line.self_us / 1000)
            cums.setdefault(line.module, []).append(line.cumulative_us / 1000)
            for child in line.children:
                if child.module in third:
                    pulls.setdefault((line.module, child.module), []).append(child.cumulative_us / 1000)
    ranked = sorted(
        ((m, statistics.median(v), statistics.median(cums[m])) for m, v in selfs.items()), key=lambda t: -t[1]
    )
    pulled = sorted(((a, b, statistics.median(v)) for (a, b), v in pulls.items()), key=lambda t: -t[2])
    return ColdStart(
        third_party=roots,
        third_party_modules=len(modules),
        app_times=app_times,
        deps_times=deps_times,
        full_deps_times=full_times,
        app_wall=app_wall,
        deps_wall=deps_wall,
        app_cpu=app_cpu,
        deps_cpu=deps_cpu,
        slowest=ranked[:10],
        pulls=pulled[:10],
        project_modules=len(selfs),
        project_self_ms=sum(s for _, s, _ in ranked),
    )


AREA_ROUTES = 25  # a new area's routes, about what spot checks or monitoring have
_GROWTH = """
import time
from chalice import Chalice
import app
from chalicelib.core.api import register
from chalicelib.core.routes import Budget, Table
specs, start = [], time.perf_counter()
for k in range({areas}):
    table = Table(f"area{{k}}", handlers="chalicelib.area{{k}}.api", models="chalicelib.area{{k}}.models")
    for i in range({routes}):
        specs.append(table.route("POST" if i % 2 else "GET", f"/area{{k}}/things{{i}}/{{{{thing_id}}}}", f"h{{i}}",
                                 roles={{"head", "supervisor"}}, summary="a route", body="Req" if i % 2 else None,
                                 response="View", budget=Budget(reads=1, writes=i % 2)))
register(Chalice(app_name="growth"), specs, {{"jwt": app.jwt_authorizer, "instrument": app.instrument_authorizer}})
print(time.perf_counter() - start)
"""
_FIRST_CALL = """
import time
import app
from chalicelib.routes import ROUTES
start = time.perf_counter()
for spec in ROUTES:
    if spec.tag == {tag!r}:
        spec.handler, spec.body, spec.query, spec.response
print(time.perf_counter() - start)
"""


@dataclass
class Growth:
    areas: int
    per_area_ms: float  # building and registering one more area's table of AREA_ROUTES routes
    table_module_ms: float  # importing one routes.py today (median self time)
    first_call_ms: dict[str, float]  # per area: loading its handlers and models, paid by its first request


def measure_growth(runs: int = 5, areas: int = 4) -> Growth:
    per_area = statistics.median(
        float(_run(["-c", _GROWTH.format(areas=areas, routes=AREA_ROUTES)]).stdout.split()[-1]) / areas
        for _ in range(runs)
    )
    profile = importtime("import app")
    tables = [line.self_us / 1000 for line in profile.lines if line.module.endswith("routes") and "." in line.module]
    tags = _run(["-c", "import app\nprint(' '.join(sorted({s.tag for s in app.routes.ROUTES})))"]).stdout.split()
    first = {
        tag: statistics.median(float(_run(["-c", _FIRST_CALL.format(tag=tag)]).stdout.split()[-1]) for _ in range(3))
        for tag in tags
    }
    return Growth(
        areas, per_area * 1000, statistics.median(tables) if tables else 0.0, {k: v * 1000 for k, v in first.items()}
    )


def growth_report(r: ColdStart, g: Growth) -> str:
    added = g.areas * (g.per_area_ms + g.table_module_ms)
    projected = (r.app_median * 1000 + added) / (r.full_deps_median * 1000)
    slowest = sorted(g.first_call_ms.items(), key=lambda kv: -kv[1])
    return "\n".join(
        [
            f"growth: one more area of {AREA_ROUTES} routes adds {g.per_area_ms:.2f} ms (table built and registered)"
            f" + {g.table_module_ms:.2f} ms (its routes.py imported) to (a);",
            f"    {g.areas} more areas: a ~ {r.app_median * 1000 + added:.1f} ms, a/c ~ {projected:.2f}"
            f" (no area's handlers, services or models load at start-up)",
            "first call of an area (its handlers, services, stores and models imported; paid once per Lambda):",
            *(f"    {tag:<14} {ms:7.1f} ms" for tag, ms in slowest),
        ]
    )


def report(r: ColdStart) -> str:
    ms = 1000.0

    def span(values: list[float]) -> str:
        return f"[min {min(values) * ms:.1f}, max {max(values) * ms:.1f}]"

    verdict = "OK" if r.ok else "OVER"
    lines = [
        f"== Cold start (fresh interpreters, median of {len(r.app_times)} runs; interpreter start-up excluded) ==",
        f"third-party packages `import app` loads ({len(r.third_party)}): {', '.join(r.third_party)}",
        f"{'(a) import app':<48}{r.app_median * ms:7.1f} ms  {span(r.app_times)}",
        f"{f'(c) import the {r.third_party_modules} third-party modules app needs':<48}"
        f"{r.full_deps_median * ms:7.1f} ms  {span(r.full_deps_times)}",
        f"{'    cold-start ratio a/c':<48}{r.ratio:7.2f}     target <= {TARGET_RATIO}: {verdict}"
        f"   (ratio of the fastest runs: {min(r.app_times) / min(r.full_deps_times):.2f})",
        f"{'(b) import their top-level packages only':<48}{r.deps_median * ms:7.1f} ms  {span(r.deps_times)}"
        f"  (comparison: a/b {r.top_level_ratio:.2f})",
        f"    c-b {(r.full_deps_median - r.deps_median) * ms:6.1f} ms: third-party submodules the project pulls in at"
        " import (`import pynamodb` alone loads almost nothing)",
        f"    a-c {(r.app_median - r.full_deps_median) * ms:6.1f} ms: the project's own modules and the stdlib only"
        f" they use (own modules' self time {r.project_self_ms:.1f} ms)",
        f"    CPU time, a vs b: {statistics.median(r.app_cpu) * ms:.1f} vs"
        f" {statistics.median(r.deps_cpu) * ms:.1f} ms, ratio {r.cpu_ratio:.2f} (steadier when the machine is busy)",
        f"    with interpreter start-up: {statistics.median(r.app_wall) * ms:.1f} vs"
        f" {statistics.median(r.deps_wall) * ms:.1f} ms, ratio {r.wall_ratio:.2f} (reference only)",
        f"10 slowest project modules, self time (-X importtime, median of 3; {r.project_modules} modules):",
        f"    {'module':<46} {'self ms':>8} {'cumul ms':>9}",
        *(f"    {m:<46} {s:8.1f} {c:9.1f}" for m, s, c in r.slowest),
        "heaviest third-party imports made by project modules (first importer; cumulative ms):",
        *(f"    {a:<36} -> {b:<44} {c:8.1f}" for a, b, c in r.pulls),
    ]
    return "\n".join(lines)

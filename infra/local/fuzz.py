"""`make fuzz`: schemathesis against a fresh local stack, as two users of different provinces; exit code is its."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .token import TokenError, id_token, read_state

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".local" / "fuzz"
HOST = "127.0.0.1"
# Their own ports and state file, so a `make run` in another shell is neither hit nor disturbed.
API_PORT = int(os.environ.get("FUZZ_API_PORT", "8100"))
MOTO_PORT = int(os.environ.get("FUZZ_MOTO_PORT", "5100"))
# The owner and a peer who must not see the owner's objects (ST402): same role, another province.
USERS = ("sd-admin", "js-admin")
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "30"))
# Keeps `make fuzz` under five minutes with the stack's start and stop.
RUN_TIMEOUT = float(os.environ.get("FUZZ_TIMEOUT", "1500"))  # 101 operations: ~7 min coverage, then fuzzing
STARTUP_TIMEOUT = 120.0


def start_stack(state_file: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LOCAL_API_PORT": str(API_PORT),
        "LOCAL_MOTO_PORT": str(MOTO_PORT),
        "LOCAL_STATE_FILE": str(state_file),
    }
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "infra.local.stack"], cwd=ROOT, env=env, stdout=out, stderr=out)


def wait_until_up(stack: subprocess.Popen[bytes], state_file: Path, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            raise SystemExit(f"fuzz: the local stack exited with {stack.returncode}; see {log}")
        # The stack writes its state file once the API is serving.
        if state_file.exists() and _healthy():
            return
        time.sleep(0.25)
    raise SystemExit(f"fuzz: the local stack did not come up in {STARTUP_TIMEOUT:.0f} s; see {log}")


def _healthy() -> bool:
    conn = http.client.HTTPConnection(HOST, API_PORT, timeout=2)
    try:
        conn.request("GET", "/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def write_auth(state_file: Path) -> Path:
    """A Web Fuzzing Commons auth document: each user's bearer token as a fixed header (tokens last an hour)."""
    state = read_state(state_file)
    entries = [
        {"name": user, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {id_token(user, state)}"}]}
        for user in USERS
    ]
    path = WORK / "auth.json"
    path.write_text(json.dumps({"schemaVersion": "1.0.0", "auth": entries}, indent=2))
    return path


def write_config(auth: Path) -> Path:
    path = WORK / "schemathesis.toml"
    peers = ", ".join(json.dumps(u) for u in USERS)
    # The crash cache (replayed first on the next run) stays with the other fuzz files, out of the repository root.
    cache = json.dumps(str(WORK / "cache"))
    # Schema-valid data may still be refused for what a schema cannot state: who asks (401/403), a record
    # outside their jurisdiction (404), the record's state (409) or a platform rule such as an unknown
    # region or a role the agency lacks (422). Anything else (a 400 for valid data, a 5xx) is a failure.
    acceptance = '["2xx", "401", "403", "404", "409", "422"]'
    path.write_text(
        f"[cache]\ndirectory = {cache}\n\n[auth.wfc]\npath = {json.dumps(str(auth))}\npeers = [{peers}]\n\n"
        f"[checks.positive_data_acceptance]\nexpected-statuses = {acceptance}\n"
    )
    return path


def run_schemathesis(config: Path) -> int:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        f"http://{HOST}:{API_PORT}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        # One worker: hypothesis' lambda descriptions call ast.parse, which CPython 3.11 cannot run on
        # several threads at once ("AST constructor recursion depth mismatch" errors with --workers 4).
        "--workers",
        "1",
        "--request-timeout",
        "10",
        # Fixed, so a failure reported here is the one the next run reproduces.
        "--seed",
        os.environ.get("FUZZ_SEED", "20240601"),
        "--report",
        "junit,ndjson",
        "--report-dir",
        str(WORK / "report"),
    ]
    print("fuzz:", " ".join(command), flush=True)
    try:
        return subprocess.run(command, cwd=ROOT, timeout=RUN_TIMEOUT, check=False).returncode
    except subprocess.TimeoutExpired:
        print(f"fuzz: schemathesis did not finish in {RUN_TIMEOUT:.0f} s", file=sys.stderr)
        return 124


def stop_stack(stack: subprocess.Popen[bytes]) -> None:
    if stack.poll() is None:
        stack.send_signal(signal.SIGINT)
        try:
            stack.wait(timeout=30)
        except subprocess.TimeoutExpired:
            stack.kill()
            stack.wait()


def server_errors(log: Path) -> int:
    """Tracebacks the stack printed while being fuzzed: crashes that a 4xx/5xx status alone may not show."""
    return log.read_text(errors="replace").count("Traceback (most recent call last)")


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    state_file, log = WORK / "stack.json", WORK / "stack.log"
    state_file.unlink(missing_ok=True)
    started = time.monotonic()
    stack = start_stack(state_file, log)
    try:
        wait_until_up(stack, state_file, log)
        print(f"fuzz: local stack up on {HOST}:{API_PORT} in {time.monotonic() - started:.1f} s", flush=True)
        code = run_schemathesis(write_config(write_auth(state_file)))
    except TokenError as exc:
        print(f"fuzz: {exc}", file=sys.stderr)
        code = 2
    finally:
        stop_stack(stack)
    print(
        f"fuzz: exit {code} after {time.monotonic() - started:.0f} s; stack log {log} "
        f"({server_errors(log)} tracebacks); reports in {WORK / 'report'}",
        flush=True,
    )
    return code


if __name__ == "__main__":
    sys.exit(main())

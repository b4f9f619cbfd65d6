"""Build the deployable template: `chalice package` with infra/template.json merged in, linted for both partitions.

`python -m infra.package [--stage prod] [--out build/package]` is what `make package` runs. It writes
`build/merge-template.json` (infra/template.json with every state machine's ASL file inlined), runs Chalice,
checks the result (no literal `arn:aws:`, every function on the merged role, every reference resolved) and
runs cfn-lint for us-east-1 and cn-north-1. Errors fail the build; warnings are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

INFRA = Path(__file__).resolve().parent
ROOT = INFRA.parent
TEMPLATE = INFRA / "template.json"
BUILD = ROOT / "build"
DEPLOYMENTS_CACHE = ROOT / ".chalice" / "deployments"
LINT_REGIONS = ("us-east-1", "cn-north-1")
LITERAL_ARN = "arn:aws:"
# Metadata key of a state machine resource naming its ASL file, relative to infra/.
DEFINITION_FILE = "DefinitionFile"
# The role Chalice generates for every function when it manages IAM; infra/template.json replaces its policies.
FUNCTION_ROLE = "DefaultRole"
# Printed by chalice when it cannot get a Linux wheel; it then carries on and builds a package that fails at import.
CHALICE_MISSING_DEPENDENCIES = "Could not install dependencies"
# cfn-lint exit code bits: 2 errors, 4 warnings, 8 informational; anything else is a failure of its own.
LINT_NON_FATAL = 4 | 8

_PLACEHOLDER = re.compile(r"\$\{([^}!][^}]*)\}")


class PackageError(Exception):
    """A packaging step failed; the message says which one and what to do."""


def load_template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text())


def state_machine_files(template: dict[str, Any]) -> dict[str, Path]:
    """Logical id -> ASL file of every state machine in the template."""
    files = {}
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::StepFunctions::StateMachine":
            continue
        name = resource.get("Metadata", {}).get(DEFINITION_FILE)
        if not name:
            raise PackageError(f"{logical_id}: state machine without Metadata.{DEFINITION_FILE} (its ASL file)")
        files[logical_id] = INFRA / name
    return files


def build_merge_template(stage: str = "prod") -> dict[str, Any]:
    """infra/template.json with each state machine's ASL inlined as `Definition`, and the Stage pinned to `stage`."""
    template = load_template()
    for logical_id, path in state_machine_files(template).items():
        # A string, not `Definition`: cfn-lint's ASL schema only accepts literal `arn:aws:` service ARNs, where
        # ours are `arn:${Partition}:...` for both partitions. tests/unit/test_infra.py validates the ASL instead.
        definition = json.loads(path.read_text())
        template["Resources"][logical_id]["Properties"]["DefinitionString"] = json.dumps(
            definition, indent=2, ensure_ascii=False
        )
    # STAGE in the functions' environment comes from the Chalice stage: the stack's Stage cannot differ from it.
    template["Parameters"]["Stage"].update({"Default": stage, "AllowedValues": [stage]})
    return template


def strings(node: Any) -> Iterator[str]:
    """Every string in a template, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def placeholders(node: Any) -> set[str]:
    """Names of the `${...}` placeholders in a document (an ASL definition, a Fn::Sub string)."""
    return {match for text in strings(node) for match in _PLACEHOLDER.findall(text)}


def literal_arns(template: dict[str, Any]) -> list[str]:
    """Strings that hard-code the global partition: each of these breaks the stack in the China regions."""
    return sorted({text for text in strings(template) if LITERAL_ARN in text})


def referenced_resources(node: Any) -> set[str]:
    """Logical ids named by Ref, Fn::GetAtt, Fn::Sub and DependsOn anywhere under `node`."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else str(value).split(".")[0])
            elif key == "Fn::Sub":
                text, names = (value[0], value[1]) if isinstance(value, list) else (value, {})
                found |= {p.split(".")[0] for p in placeholders(text) if p not in names}
            elif key == "DependsOn":
                found |= {value} if isinstance(value, str) else set(value)
            found |= referenced_resources(value)
    elif isinstance(node, list):
        for item in node:
            found |= referenced_resources(item)
    return {name for name in found if not name.startswith("AWS::")}


def _tool(name: str) -> str:
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which(name)
    if not found:
        raise PackageError(f"{name} is not installed: run `make install`")
    return found


def _index_reachable() -> tuple[str, bool]:
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
    if not index.startswith(("https://", "http://")):
        return index, False
    try:
        with urllib.request.urlopen(index, timeout=10):  # noqa: S310 (http(s) only, checked above)
            return index, True
    except (urllib.error.URLError, OSError):
        return index, False


def _network_hint() -> str:
    index, reachable = _index_reachable()
    if reachable:
        return f"the package index ({index}) answers: see chalice's output above."
    return (
        f"the package index ({index}) is not reachable. chalice package downloads the Lambdas' Linux wheels "
        "(requirements.txt) on the first run and whenever requirements.txt changes; later runs reuse "
        ".chalice/deployments/. Connect to the network, or point PIP_INDEX_URL at a reachable mirror."
    )


def run_chalice(stage: str, merge_template: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    env = dict(os.environ)
    # chalice package resolves service principals and endpoints for a region; the template itself is region-free.
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    started = time.time()
    command = [
        _tool("chalice"),
        "--project-dir",
        str(ROOT),
        "package",
        "--pkg-format",
        "cloudformation",
        "--stage",
        stage,
        "--merge-template",
        str(merge_template),
        str(out),
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    output = result.stdout + result.stderr
    sys.stdout.write(output)
    if result.returncode != 0:
        raise PackageError(f"chalice package failed (exit {result.returncode}); {_network_hint()}")
    if CHALICE_MISSING_DEPENDENCIES in output:
        # Chalice cached a package without those wheels: drop it, or the next run would reuse it silently.
        for cached in DEPLOYMENTS_CACHE.glob("*.zip"):
            if cached.stat().st_mtime >= started:
                cached.unlink()
        raise PackageError(f"chalice could not get Linux wheels for every requirement; {_network_hint()}")


def check_packaged(packaged: dict[str, Any], merge_template: dict[str, Any]) -> None:
    """What cfn-lint cannot know: our conventions for the merged template."""
    problems = [f"literal {LITERAL_ARN!r} (use ${{AWS::Partition}}): {text}" for text in literal_arns(packaged)]
    resources = packaged["Resources"]
    declared = set(resources) | set(packaged.get("Parameters", {})) | set(packaged.get("Conditions", {}))
    for name in sorted(referenced_resources(merge_template) - declared):
        problems.append(
            f"infra/template.json refers to {name}, which chalice did not generate: is its "
            "@app.lambda_function(name=...) in app.py?"
        )
    for logical_id, resource in sorted(resources.items()):
        if resource["Type"] == "AWS::Serverless::Function":
            role = resource["Properties"].get("Role")
            if role != {"Fn::GetAtt": [FUNCTION_ROLE, "Arn"]}:
                problems.append(
                    f"{logical_id} runs with role {role!r}, not {FUNCTION_ROLE} (whose policies infra/template.json "
                    "defines): remove per-function IAM settings from .chalice/config.json"
                )
    if problems:
        raise PackageError("the packaged template breaks the project's rules:\n  " + "\n  ".join(problems))


def lint(path: Path) -> None:
    command = [_tool("cfn-lint"), "--regions", *LINT_REGIONS, "--", str(path)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    sys.stdout.write(result.stdout + result.stderr)
    if result.returncode & ~LINT_NON_FATAL:
        raise PackageError(f"cfn-lint found errors for {', '.join(LINT_REGIONS)} (exit {result.returncode})")
    verdict = "clean" if result.returncode == 0 else "warnings only"
    print(f"cfn-lint {' '.join(LINT_REGIONS)}: {verdict}")


def package(stage: str, out: Path) -> Path:
    """Package the app for `stage` into `out`; returns the template to deploy."""
    merge = build_merge_template(stage)
    problems = literal_arns(merge)
    if problems:
        raise PackageError(f"infra/ hard-codes {LITERAL_ARN!r}: {problems}")
    BUILD.mkdir(exist_ok=True)
    merge_path = BUILD / "merge-template.json"
    merge_path.write_text(json.dumps(merge, indent=2, ensure_ascii=False) + "\n")

    started = time.perf_counter()
    run_chalice(stage, merge_path, out)
    packaged_path = out / "sam.json"
    print(f"chalice package: {time.perf_counter() - started:.1f}s")

    check_packaged(json.loads(packaged_path.read_text()), merge)
    started = time.perf_counter()
    lint(packaged_path)
    print(f"cfn-lint: {time.perf_counter() - started:.1f}s")
    return packaged_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="prod", help="Chalice stage to package (default: prod)")
    parser.add_argument("--out", type=Path, default=BUILD / "package", help="output directory (default: build/package)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        packaged = package(args.stage, args.out.resolve())
    except PackageError as exc:
        print(f"package: FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"package: {packaged} in {time.perf_counter() - started:.1f}s (deploy: docs/deploy.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

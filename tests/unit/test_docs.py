"""The documentation names documents, not paths of one machine: a reader elsewhere has no /work or /home."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# An absolute path of a machine (not part of a URL, which has a host before its path).
MACHINE_PATH = re.compile(r"(?<![\w.:/~-])/(?:work|home|root|Users|tmp|mnt)/")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_given_a_document_of_the_repository_then_it_names_no_path_outside_it(document: Path):
    lines = document.read_text(encoding="utf-8").splitlines()
    found = [f"{n}: {line.strip()}" for n, line in enumerate(lines, 1) if MACHINE_PATH.search(line)]
    assert not found, f"{document.name} names a path of one machine: {found}"


def test_given_a_line_with_a_machine_path_then_the_check_finds_it():
    assert MACHINE_PATH.search("What it must do is in `/work/shared/SPEC.md`")
    assert MACHINE_PATH.search("see /home/dev/agritrace/README.md")
    assert not MACHINE_PATH.search("https://github.com/work/shared and docs/work/x.md")

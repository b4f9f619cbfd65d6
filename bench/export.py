"""Result summary export: `write_summary_xlsx` streaming N synthetic result rows, in a fresh process.

The child process imports `app` first (with the tests' environment), so that its resident memory is
what an API Lambda holds before it exports; then it writes the summary twice from a generator, each
time to a temp dir of its own:

* untraced: wall and CPU time, and the growth of the process's peak RSS (VmHWM) over its
  peak before the write: what the Lambda's memory has to hold on top of the app;
* under `tracemalloc`: the peak of the Python allocations made during the write (tracing slows
  Python down, hence a run of its own).

Also measured: the generation of the rows alone (part of the write's time), `import xlsxwriter`
in the fresh process, the file's size and its sheet XML's uncompressed size. XlsxWriter's
constant_memory mode keeps the rows in a temp file and copies them into the sheet XML when the file
is closed, so /tmp has to hold about twice that XML beside the file itself.

The verdict for a Lambda of 512 MB and of 1,024 MB with its 15-minute limit: memory is the peak
RSS of the process, against the memory size; time is the CPU time scaled to the Lambda's share of a
vCPU (a full one at 1,769 MB; a core of this machine is taken as one vCPU); /tmp is the default
512 MB of ephemeral storage.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.coldstart import ROOT, child_env
from chalicelib.testing.export import SummaryRow, write_summary_xlsx

LAMBDA_SIZES_MB = (512, 1024)
FULL_VCPU_MB = 1769  # AWS: a function gets one full vCPU at 1,769 MB, in proportion below
LAMBDA_TIMEOUT_S = 15 * 60
LAMBDA_TMP_MB = 512  # default ephemeral storage
MiB = 1024 * 1024

SAMPLES = ["韭菜", "芹菜", "豇豆", "普通白菜", "菠菜", "黄瓜", "番茄", "辣椒", "苹果", "梨", "葡萄", "草莓", "桃"]
# Test item, limit (mg/kg) and the standard it comes from: the usual pesticide residue and heavy metal panel.
ANALYTES = [
    ("毒死蜱", "0.02", "GB 2763-2021"),
    ("克百威", "0.02", "GB 2763-2021"),
    ("氧乐果", "0.02", "GB 2763-2021"),
    ("甲拌磷", "0.01", "GB 2763-2021"),
    ("腐霉利", "0.2", "GB 2763-2021"),
    ("啶虫脒", "1", "GB 2763-2021"),
    ("吡虫啉", "1", "GB 2763-2021"),
    ("多菌灵", "2", "GB 2763-2021"),
    ("铅", "0.3", "GB 2762-2022"),
    ("镉", "0.2", "GB 2762-2022"),
]
PLACES = [
    ("济南市历城区", "唐王街道"),
    ("寿光市", "孙家集街道"),
    ("兰陵县", "向城镇"),
    ("莘县", "燕店镇"),
    ("平度市", "蓼兰镇"),
    ("沂源县", "南麻街道"),
    ("金乡县", "鱼山街道"),
    ("栖霞市", "松山街道"),
]
SUBJECTS = ["绿源蔬菜专业合作社", "鲁丰家庭农场", "丰收果蔬种植基地", "惠民农产品有限公司", "沂蒙山果品合作社"]


@dataclass
class ExportResult:
    rows: int
    written: int
    import_ms: float  # `import xlsxwriter` in the fresh process
    wall_seconds: float
    cpu_seconds: float
    generate_seconds: float  # making the rows alone, part of the write's time
    file_bytes: int
    sheet_xml_bytes: int  # uncompressed
    traced_peak_bytes: int  # tracemalloc peak during the (second, traced) write
    rss_before_kib: int  # the process's peak RSS before the write: interpreter, app, xlsxwriter
    rss_peak_kib: int  # after the write
    app_error: str | None = None  # `import app` failed in the child: the baseline is without the app

    @property
    def rss_growth_kib(self) -> int:
        return self.rss_peak_kib - self.rss_before_kib

    @property
    def rows_per_second(self) -> float:
        return self.written / self.wall_seconds if self.wall_seconds else 0.0

    def lambda_seconds(self, memory_mb: int) -> float:
        """The write's time on a Lambda of this size, from the CPU time and its share of a vCPU."""
        return self.cpu_seconds / min(1.0, memory_mb / FULL_VCPU_MB)

    def tmp_bytes(self) -> int:
        return 2 * self.sheet_xml_bytes + self.file_bytes

    def fits(self, memory_mb: int) -> tuple[bool, bool, bool]:
        """Memory, time, /tmp."""
        return (
            self.rss_peak_kib / 1024 < memory_mb,
            self.lambda_seconds(memory_mb) < LAMBDA_TIMEOUT_S,
            self.tmp_bytes() < LAMBDA_TMP_MB * MiB,
        )


def summary_rows(n: int, seed: int = 20240501) -> Iterator[SummaryRow]:
    """n result lines, ten test items a sample: mostly not detected, a few over their limit; lazily."""
    rnd = random.Random(seed)
    sample_no = 0
    sample: dict[str, Any] = {}
    for i in range(n):
        if i % len(ANALYTES) == 0:
            sample_no += 1
            county, town = rnd.choice(PLACES)
            subject = rnd.choice(SUBJECTS) if rnd.random() < 0.8 else None  # markets and stalls have none
            sample = {
                "sample_id": f"NCP37{sample_no:08d}",
                "sample_name": rnd.choice(SAMPLES),
                "trace_code": f"https://trace.agritrace.cn/c/3701{sample_no:012d}" if subject else None,
                "sampled_at": f"2024-05-{rnd.randint(1, 28):02d} {rnd.randint(8, 17):02d}:{rnd.randint(0, 59):02d}",
                "place": f"山东省{county}{town}",
                "subject_name": f"{county[:-1]}{subject}" if subject else None,
                "verdict": "unqualified" if rnd.random() < 0.03 else "qualified",
            }
        analyte, limit, standard = ANALYTES[i % len(ANALYTES)]
        draw = rnd.random()
        if draw < 0.85:
            value, outcome = "未检出", "not_detected"
        else:
            over = sample["verdict"] == "unqualified" and draw > 0.97
            factor = rnd.uniform(1.2, 8) if over else rnd.uniform(0.05, 0.9)
            value, outcome = f"{float(limit) * factor:.3g}", "unqualified" if over else "qualified"
        yield SummaryRow(
            analyte=analyte,
            value=value,
            unit="mg/kg",
            limit=f"≤{limit}",
            standard=standard,
            outcome=outcome,
            **sample,
        )


def _peak_rss_kib() -> int:
    """The process's peak RSS in KiB: VmHWM, which starts afresh at exec. Linux's `ru_maxrss` does not: a
    child forked from a big process (this bench after the stream section) reports at least the parent's RSS."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: KiB


def _child(n: int) -> dict[str, Any]:
    """In the fresh process: the figures, as JSON on stdout."""
    app_error = None
    try:
        import app  # noqa: F401 - the memory an API Lambda holds before it exports
    except Exception as exc:  # noqa: BLE001 - app.py mid-edit: measure the export anyway, and say so
        app_error = f"{type(exc).__name__}: {exc}"

    started = time.perf_counter()
    import xlsxwriter  # noqa: F401

    import_ms = (time.perf_counter() - started) * 1000

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "summary.xlsx"
        rss_before = _peak_rss_kib()
        wall, cpu = time.perf_counter(), time.process_time()
        written = write_summary_xlsx(summary_rows(n), str(path), title="2024年5月蔬菜水果例行监测 检测结果汇总表")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rss_peak = _peak_rss_kib()
        file_bytes = path.stat().st_size
        with zipfile.ZipFile(path) as z:
            sheet_xml = z.getinfo("xl/worksheets/sheet1.xml").file_size

    begin = time.perf_counter()
    for _ in summary_rows(n):
        pass
    generate = time.perf_counter() - begin

    with tempfile.TemporaryDirectory() as tmp:
        tracemalloc.start()
        write_summary_xlsx(summary_rows(n), str(Path(tmp) / "summary.xlsx"), title="traced")
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    return {
        "rows": n,
        "written": written,
        "import_ms": import_ms,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "generate_seconds": generate,
        "file_bytes": file_bytes,
        "sheet_xml_bytes": sheet_xml,
        "traced_peak_bytes": traced_peak,
        "rss_before_kib": rss_before,
        "rss_peak_kib": rss_peak,
        "app_error": app_error,
    }


def measure(rows: int = 10000) -> ExportResult:
    done = subprocess.run(
        [sys.executable, "-m", "bench.export", "--child", str(rows)],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the export bench's child failed:\n{done.stderr[-3000:]}")
    return ExportResult(**json.loads(done.stdout.strip().splitlines()[-1]))


def report(r: ExportResult) -> str:
    before = "interpreter, app, xlsxwriter" if r.app_error is None else "interpreter, xlsxwriter: NOT the app"
    lines = [
        "== Result summary export (XlsxWriter constant_memory, fresh process after `import app`) ==",
        f"rows written            : {r.written:,} in {r.wall_seconds:.2f} s wall, {r.cpu_seconds:.2f} s CPU"
        f" = {r.rows_per_second:,.0f} rows/s (making the rows alone: {r.generate_seconds:.2f} s)",
        f"import xlsxwriter       : {r.import_ms:.0f} ms (paid by the first export of a cold Lambda)",
        f"file                    : {r.file_bytes / MiB:.2f} MiB ({r.file_bytes / r.written:.0f} B/row);"
        f" sheet XML {r.sheet_xml_bytes / MiB:.2f} MiB uncompressed, so /tmp needs about"
        f" {r.tmp_bytes() / MiB:.1f} MiB while closing",
        f"Python allocations peak : {r.traced_peak_bytes / MiB:.2f} MiB (tracemalloc, during the write)",
        f"process peak RSS        : {r.rss_peak_kib / 1024:.1f} MiB; {r.rss_before_kib / 1024:.1f} MiB before the"
        f" write ({before}), growth during the write {r.rss_growth_kib / 1024:.1f} MiB",
    ]
    if r.app_error:
        lines.insert(1, f"WARNING: `import app` failed in the child ({r.app_error[:200]}); memory figures lack the app")
    for size in LAMBDA_SIZES_MB:
        memory, duration, tmp = r.fits(size)
        share = min(1.0, size / FULL_VCPU_MB)
        lines.append(
            f"Lambda {size:>4} MB, 15 min : {'FITS' if all((memory, duration, tmp)) else 'DOES NOT FIT'} —"
            f" memory {r.rss_peak_kib / 1024:.0f}/{size} MiB {'ok' if memory else 'OVER'},"
            f" time ~{r.lambda_seconds(size):.1f} s at {share:.2f} vCPU {'ok' if duration else 'OVER'},"
            f" /tmp {r.tmp_bytes() / MiB:.0f}/{LAMBDA_TMP_MB} MiB {'ok' if tmp else 'OVER'}"
        )
    per_row_tmp = r.tmp_bytes() / r.written
    per_row_cpu = r.cpu_seconds / r.written
    lines.append(
        f"limits, linear per row  : /tmp {LAMBDA_TMP_MB} MiB at ~{LAMBDA_TMP_MB * MiB / per_row_tmp:,.0f} rows;"
        f" 15 min at 512 MB ~{LAMBDA_TIMEOUT_S * (512 / FULL_VCPU_MB) / per_row_cpu:,.0f} rows"
        " (the Python allocations' peak does not grow with the rows)"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(_child(int(sys.argv[2]))))
    else:
        print(report(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)))

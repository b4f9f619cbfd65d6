"""`python -m bench [--check] [--only SECTION ...]`: prints the figures described in bench/README.md."""

from __future__ import annotations

import argparse
import sys
import time

SECTIONS = ("coldstart", "calls", "stream", "export", "bulk", "draw", "sync", "performance", "statistics")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the cold-start ratio is over its target")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="sections to run")
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per cold-start figure (default 7)")
    parser.add_argument("--records", type=int, default=2000, help="audited changes for the stream bench")
    parser.add_argument("--export-rows", type=int, default=10000, help="result rows for the export bench")
    parser.add_argument("--samples", type=int, default=100, help="samples in the bulk-entry request")
    parser.add_argument("--items", type=int, default=30, help="test items a sample in the bulk-entry request")
    parser.add_argument("--synced", type=int, default=500, help="inspections one phone syncs in the sync bench")
    parser.add_argument("--candidates", type=int, default=100_000, help="candidate subjects for the draw bench")
    parser.add_argument("--inspections", type=int, default=10_000, help="inspections for the performance bench")
    parser.add_argument("--stat-records", type=int, default=100_000, help="records behind the counters, large case")
    args = parser.parse_args(argv)

    failed = False
    started = time.perf_counter()
    for section in SECTIONS:
        if section not in args.only:
            continue
        begin = time.perf_counter()
        if section == "coldstart":
            from bench import coldstart

            result = coldstart.measure(runs=args.runs)
            print(coldstart.report(result))
            print(coldstart.growth_report(result, coldstart.measure_growth()))
            failed = not result.ok
        elif section == "calls":
            from bench import calls

            print(calls.report(calls.measure()))
        elif section == "stream":
            from bench import stream

            print(stream.report(stream.measure(args.records)))
            print(stream.report_subscribers(stream.measure_subscribers()))
        elif section == "export":
            from bench import export

            print(export.report(export.measure(args.export_rows)))
        elif section == "bulk":
            from bench import bulk

            print(bulk.report(bulk.measure(args.samples, args.items)))
        elif section == "draw":
            from bench import draw

            print(draw.report(draw.measure(args.candidates, 50)))
        elif section == "sync":
            from bench import sync

            print(sync.report(sync.measure(args.synced)))
        elif section == "performance":
            from bench import performance

            print(performance.report(performance.measure(args.inspections)))
        elif section == "statistics":
            from bench import statistics

            print(statistics.report(statistics.measure(large=args.stat_records)))
        print(f"({section}: {time.perf_counter() - begin:.0f} s)\n", flush=True)
    print(f"bench done in {time.perf_counter() - started:.0f} s")
    if args.check and failed:
        print("cold-start ratio over its target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

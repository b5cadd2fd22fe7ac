"""What both benchmarks share: progress and failure, the machine line, statistics, the number
formats and table pieces of their markdown, writing the raw JSON, and the script entry point.

Imported by bench/lambda_bench.py and bench/cli_bench.py (run as scripts, so bench/ is on
sys.path). Standard library only.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import sys
from pathlib import Path
from typing import Any, Callable


def log(message: str) -> None:
    """Progress and failures go to stderr; stdout carries only results."""
    print(message, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def run_main(main: Callable[[], int], name: str) -> None:
    """Runs a benchmark's main(); a BenchError is one `NAME: message` line on stderr and exit 1."""
    try:
        sys.exit(main())
    except BenchError as e:
        log(f"{name}: {e}")
        sys.exit(1)


def write_json(path: Path, results: Any) -> None:
    """The raw measurements, as each benchmark writes them for --json."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")


# ---------------------------------------------------------------------------------------------
# The machine and the moment
# ---------------------------------------------------------------------------------------------


def now_utc() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "arch": platform.machine(),
    }


def measured_on(date: str, m: dict[str, Any]) -> str:
    """The opening of each section: "Measured DATE on this machine: N CPUs (...), Linux K"."""
    return f"Measured {date} on this machine: {m['nproc']} CPUs ({m['cpu']}, {m['arch']}), Linux {m['kernel']}"


def load_average(before: float, after: float) -> str:
    return (
        f"1-minute load average {before:.2f} before, {after:.2f} after "
        "(other work shares the machine, which widens the min–max ranges)"
    )


# ---------------------------------------------------------------------------------------------
# Statistics and formats
# ---------------------------------------------------------------------------------------------


def stats(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def fmt_ms(s, digits=1):
    return f"{s['median']:.{digits}f} ms ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def fmt_s(s, digits=2):
    return f"{s['median']:.{digits}f} s ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def fmt_count(values):
    s = stats(values)
    if s["min"] == s["max"]:
        return f"{s['median']:g}"
    return f"{s['median']:g} ({s['min']:g}–{s['max']:g})"


def times(numerator, denominator, digits=1):
    """`N×`: the ratio of two medians (a zero denominator counts as 1e-9)."""
    return f"{numerator['median'] / max(denominator['median'], 1e-9):.{digits}f}×"


def plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def yes(ok):
    return "**met**" if ok else "**NOT met**"


def table_head(*columns: str) -> str:
    """A markdown table's header row and rule (two lines)."""
    return "|" + "".join(f" {c} |" if c else " |" for c in columns) + "\n" + "|---" * len(columns) + "|"

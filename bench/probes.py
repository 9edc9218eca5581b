"""What the benchmarks record besides their timings: memory, the machine, summary statistics."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_STATUS = Path("/proc/self/status")


def memory_mib() -> dict[str, float]:
    """This process's resident memory now (VmRSS) and at its peak so far (VmHWM), in MiB.

    Read from /proc rather than getrusage: getrusage only knows the peak, and the peak alone
    would hide whether memory is still held once the work is done.
    """
    values: dict[str, float] = {}
    for line in _STATUS.read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            values["rss" if key == "VmRSS" else "peak"] = int(rest.split()[0]) / 1024
    return values


def summary_ms(samples: list[float]) -> dict[str, float]:
    """Median and 95th percentile of durations given in seconds, in milliseconds."""
    if len(samples) < 2:
        only = samples[0] * 1000 if samples else float("nan")
        return {"median": only, "p95": only}
    cut = statistics.quantiles(samples, n=100, method="inclusive")
    return {"median": statistics.median(samples) * 1000, "p95": cut[94] * 1000}


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "unknown"


def _memory_total_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024**2, 1)
    return float("nan")


def machine() -> dict[str, Any]:
    """The machine and software the numbers were taken on, and when."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_total_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def machine_markdown(info: dict[str, Any]) -> str:
    """The machine as one Markdown line."""
    extra = f", PostgreSQL {info['postgresql']}" if info.get("postgresql") else ""
    return (
        f"{info['date']}; {info['cpus']} CPUs ({info['cpu_model']}), {info['memory_gib']} GiB, "
        f"Linux {info['kernel']}; Python {info['python']}, SQLite {info['sqlite']}{extra}"
    )


ROOT = Path(__file__).resolve().parent.parent


def run_measuring_child(command: list[str], environment: dict[str, str], timeout: float) -> Any:
    """Run a measuring child process (fresh, so its memory is its own) and parse its result.

    The child prints its result as JSON on its last line of output.
    """
    finished = subprocess.run(
        command,
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"{command[-1]} failed:\n{finished.stderr[-4000:]}")
    return json.loads(finished.stdout.splitlines()[-1])

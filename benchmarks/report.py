"""Writes benchmark results into docs/performance.md, each under its own heading, with
the machine and the date of the run, so a figure is never typed in by hand.

A benchmark calls `record(section, body)`; `body` is the markdown it measured (a table
and a sentence on what it means). Other sections of the document are left as they are.
"""

import datetime
import os
import platform
import re
import subprocess
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
HEADER = """# Performance

Every figure here is written by a benchmark under `benchmarks/`, never by hand. Each
section says which machine ran it and when; rerun the benchmark to refresh it. The
stack's own ceilings on this kind of machine are in the workspace's shared
`CEILINGS.md`; read each figure against them.
"""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return "unknown memory"


def _database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        try:
            version = subprocess.run(
                ["psql", "--version"], capture_output=True, text=True, check=False
            ).stdout.strip()
        except OSError:
            version = "PostgreSQL"
        return version or "PostgreSQL"
    return "SQLite (embedded default)"


def machine_description() -> str:
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {_memory_gib()}; "
        f"Python {platform.python_version()}; {_database()}"
    )


def record(section: str, body: str) -> Path:
    """Replace (or add) the section `## {section}` in docs/performance.md."""
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"## {section}\n\nMeasured {today} on {machine_description()}.\n\n{body.strip()}\n"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    pattern = re.compile(rf"^## {re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return DOC


def median_and_spread(samples_ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples_ms)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return median, ordered[0], ordered[-1]

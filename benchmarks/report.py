"""Writes benchmark results into docs/performance.md, each under its own heading, with
the machine, the date and the load average when the benchmark started, so a figure is
never typed in by hand.

A benchmark calls `record(section, body, goals=...)`; `body` is the markdown it
measured (a table and a sentence on what it means), `goals` the goals it checked. The
goals are kept in the section as HTML comments (invisible on the rendered page), from
which `make bench` builds the "Goals" table at the top. Other sections of the document
are left as they are.
"""

import datetime
import json
import os
import platform
import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

# PERFORMANCE_DOC names another file, for a trial run that leaves the document alone.
DOC = Path(
    os.environ.get("PERFORMANCE_DOC")
    or Path(__file__).resolve().parent.parent / "docs" / "performance.md"
)
HEADER = """# Performance

Every figure here is written by a benchmark under `benchmarks/`, never by hand: `make bench`
starts PostgreSQL and Redis if they are down, runs every benchmark against
production-like processes on this machine (gunicorn sync workers for pages, uvicorn for
sockets, PostgreSQL, Redis) and rewrites this document; each benchmark can also be run
alone (`.venv/bin/python benchmarks/<name>.py --help`). Each section says which machine ran
it, when, and the load average as it started: the machine is shared, and a load above
its number of cores means the figures were taken while other work ran. Figures are the
median [min–max] of repeated runs where the benchmark repeats. Each figure is read
against a ceiling measured in the same run (a bare Django view on the same server, pgbench
on the same database); the stack's own ceilings on this kind of machine are in the
workspace's shared `CEILINGS.md`.
"""
GOALS_SECTION = "Goals"
_GOAL_MARK = "<!-- goal: "

# When the benchmark started: a benchmark imports this module before it does any work.
LOAD_AT_START = os.getloadavg()


@dataclass(frozen=True)
class Goal:
    """One goal a benchmark checked: what it is, the measured median, the ceiling it is
    read against in the same run (or "" when there is none), and whether it was met
    (None for a figure reported without a goal, or one the run could not measure)."""

    goal: str
    measured: str
    ceiling: str
    met: bool | None


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


def load_description(load: tuple[float, float, float] = LOAD_AT_START) -> str:
    return f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} (1, 5, 15 min)"


def machine_description() -> str:
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {_memory_gib()}; "
        f"Python {platform.python_version()}; {_database()}"
    )


def _anchor(section: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to -."""
    kept = re.sub(r"[^\w\- ]", "", section.lower())
    return "#" + kept.replace(" ", "-")


def _replace_section(text: str, section: str, block: str, *, first: bool = False) -> str:
    pattern = re.compile(rf"^## {re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        return pattern.sub(lambda _match: block + "\n", text)
    if first:
        # Right after the header, before the first section.
        match = re.search(r"^## ", text, re.M)
        if match:
            return text[: match.start()] + block + "\n" + text[match.start() :]
    return text.rstrip("\n") + "\n\n" + block


def _read() -> str:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    # The header is this module's text: keep it current.
    match = re.search(r"^## ", text, re.M)
    return HEADER + "\n" + (text[match.start() :] if match else "")


def _write(text: str) -> Path:
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n", encoding="utf-8")
    return DOC


def record(section: str, body: str, goals: list[Goal] | None = None) -> Path:
    """Replace (or add) the section `## {section}` in docs/performance.md."""
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    marks = "".join(
        f"\n{_GOAL_MARK}{json.dumps(asdict(goal), ensure_ascii=False)} -->" for goal in goals or []
    )
    block = (
        f"## {section}\n\nMeasured {today} on {machine_description()}; load average at the "
        f"start {load_description()}.\n\n{body.strip()}\n{marks}\n"
    )
    return _write(_replace_section(_read(), section, block))


def goals_recorded() -> list[tuple[str, Goal]]:
    """Every goal recorded in docs/performance.md, with the section that holds it."""
    if not DOC.exists():
        return []
    found = []
    section = ""
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith(_GOAL_MARK) and line.endswith("-->"):
            fields = json.loads(line[len(_GOAL_MARK) : -3])
            found.append((section, Goal(**fields)))
    return found


def _verdict(met: bool | None) -> str:
    return "–" if met is None else "met" if met else "**missed**"


def record_goals(goals: list[tuple[str, Goal]], note: str = "") -> Path:
    """Write the "Goals" table at the top of docs/performance.md: each goal, its
    measured median, its ceiling from the same run, met or missed, and its section."""
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = [
        f"| {goal.goal} | {goal.measured} | {goal.ceiling or '–'} | "
        f"{_verdict(goal.met)} | [{section}]({_anchor(section)}) |"
        for section, goal in goals
    ]
    table = "\n".join(
        [
            "| goal | measured (median) | ceiling, same run | | where |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )
    block = (
        f"## {GOALS_SECTION}\n\nSummed up {today} from the sections below, on "
        f"{machine_description()}. A missed goal's section says what was found and what "
        f"comes next.\n\n{table}\n" + (f"\n{note.strip()}\n" if note.strip() else "")
    )
    return _write(_replace_section(_read(), GOALS_SECTION, block, first=True))


def median_and_spread(samples_ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples_ms)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return median, ordered[0], ordered[-1]

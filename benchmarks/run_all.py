"""Every benchmark, one after the other, then the "Goals" table at the top of
docs/performance.md: what `make bench` runs (through scripts/bench, which first makes
sure PostgreSQL, Redis and wrk are there).

Run: DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python
         benchmarks/run_all.py [--quick] [--only NAME ...] [--skip NAME ...] [--goals-only]

Each benchmark runs in its own process through its own command line, with the runs it
repeats by default (about 20 minutes in all on a 2-core machine), or fewer and shorter
with --quick (a check that everything still runs, about 10 minutes); each writes its
own section of docs/performance.md. A benchmark that fails is reported and the others
still run; the exit status is non-zero if any failed. Output goes to the terminal and to
var/bench/<name>.log.

The Goals table takes the goals the benchmarks recorded with their section
(benchmarks.report.Goal); for benchmarks that write none, it reads the figure from
their section's table.
"""

import argparse
import ast
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import report  # noqa: E402
from benchmarks.report import Goal  # noqa: E402

LOGS = ROOT / "var" / "bench"


@dataclass(frozen=True)
class Benchmark:
    name: str
    arguments: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()
    # For a benchmark that records no goals itself: its goal, read from its section.
    goal_from_section: Callable[[str], Goal] | None = None

    @property
    def path(self) -> Path:
        return ROOT / "benchmarks" / f"{self.name}.py"

    @property
    def section(self) -> str:
        """The section the benchmark writes: its module's SECTION."""
        tree = ast.parse(self.path.read_text(encoding="utf-8"))
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "SECTION" for t in node.targets)
                and isinstance(node.value, ast.Constant)
            ):
                return str(node.value.value)
        return self.name


def _table(section_text: str) -> list[dict[str, str]]:
    """The first markdown table of a section, as rows keyed by the header's cells."""
    lines = [line for line in section_text.splitlines() if line.startswith("|")]
    if len(lines) < 3:
        return []

    def cells(line: str) -> list[str]:
        return [cell.strip() for cell in line.strip().strip("|").split("|")]

    header = cells(lines[0])
    rows = []
    for line in lines[2:]:
        rows.append(dict(zip(header, cells(line), strict=False)))
    return rows


def _number(text: str) -> float:
    match = re.search(r"[\d,]+(?:\.\d+)?", text)
    if not match:
        raise ValueError(f"no number in {text!r}")
    return float(match.group(0).replace(",", ""))


def _column(row: dict[str, str], starts: str) -> str:
    for header, value in row.items():
        if header.startswith(starts):
            return value
    raise KeyError(starts)


def _document_goal(text: str) -> Goal:
    row = _table(text)[0]
    median = _number(_column(row, "median"))
    return Goal(
        goal="one 12-MP phone JPEG through the document pipeline: median under 400 ms",
        measured=f"{median:.0f} ms",
        ceiling="",
        met=median < 400,
    )


def _payments_goal(text: str) -> Goal:
    rows = _table(text)
    return Goal(
        goal="payment notifications per second (a figure, no goal)",
        measured="; ".join(
            f"{_column(row, 'per second')}/s ({row['notifications']})" for row in rows[:2]
        ),
        ceiling="",
        met=None,
    )


def _column_with(row: dict[str, str], *words: str) -> str:
    """The first cell whose header holds every one of `words`."""
    for header, value in row.items():
        if all(word in header for word in words):
            return value
    raise KeyError(" ".join(words))


def _bids_goal(text: str) -> Goal:
    median = next(row for row in _table(text) if row.get("run", "").startswith("median"))
    pgbench = _number(_column_with(median, "pgbench", "tps"))
    # Bids at the minimum never lose a race, as pgbench's clients never do: the comparable
    # figure when the benchmark measures it, else every accepted bid.
    try:
        accepted = _number(_column_with(median, "minimum", "accepted bids/s"))
        which = "at the minimum"
    except KeyError:
        accepted = _number(_column_with(median, "accepted bids/s"))
        which = "accepted"
    share = accepted / pgbench if pgbench else 0.0
    return Goal(
        goal="bids/s on one hot lot: at least 50% of pgbench's single-row UPDATE",
        measured=f"{accepted:,.0f} bids/s {which} ({share:.1%})",
        ceiling=f"{pgbench:,.0f} tps (pgbench)",
        met=share >= 0.5,
    )


def _fanout_goal(what: str) -> Callable[[str], Goal]:
    def goal(text: str) -> Goal:
        rows = _table(text)
        # With repeated runs the median row is the figure; with one run, that run.
        row = next((r for r in rows if r.get("run", "").startswith("median")), rows[0])
        p99 = _number(_column(row, "p99"))
        return Goal(
            goal=f"{what} fan-out to 500 open WebSockets: p99 under 250 ms",
            measured=f"p99 {p99:.0f} ms",
            ceiling="",
            met=p99 < 250,
        )

    return goal


BENCHMARKS = (
    Benchmark(
        "document_pipeline",
        ("--runs", "15"),
        ("--runs", "5"),
        goal_from_section=_document_goal,
    ),
    Benchmark(
        "payment_notifications",
        (),
        ("--notifications", "500"),
        goal_from_section=_payments_goal,
    ),
    Benchmark("staff_queue", (), ("--quick",)),
    Benchmark("pages", ("--runs", "3"), ("--quick", "--runs", "2")),
    Benchmark("auction_bids", ("--runs", "3"), ("--runs", "2", "--seconds", "5"), _bids_goal),
    Benchmark("auction_fanout", ("--runs", "3"), ("--bids", "15"), _fanout_goal("bid")),
    Benchmark("chat_fanout", ("--runs", "3"), ("--messages", "20"), _fanout_goal("chat")),
)


def _sections() -> dict[str, str]:
    if not report.DOC.exists():
        return {}
    text = report.DOC.read_text(encoding="utf-8")
    found = {}
    for match in re.finditer(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, re.S | re.M):
        found[match.group(1).strip()] = match.group(2)
    return found


def _run(benchmark: Benchmark, quick: bool) -> tuple[bool, float]:
    arguments = benchmark.quick if quick else benchmark.arguments
    command = [sys.executable, str(benchmark.path), *arguments]
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{benchmark.name}.log"
    print(f"\n===== {benchmark.name}: {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            log.write(line)
        code = process.wait()
    seconds = time.monotonic() - started
    verdict = "done" if code == 0 else f"FAILED (exit {code}), log: {log_path}"
    print(f"===== {benchmark.name}: {verdict} in {seconds:.0f} s", flush=True)
    return code == 0, seconds


def _goals(results: dict[str, bool]) -> list[tuple[str, Goal]]:
    """Every benchmark's goals as docs/performance.md now holds them."""
    recorded = report.goals_recorded()
    sections = _sections()
    goals: list[tuple[str, Goal]] = []
    for benchmark in BENCHMARKS:
        section = benchmark.section
        # A benchmark left out of this run keeps the figures of its last run.
        if not results.get(benchmark.name, True):
            goals.append(
                (
                    section,
                    Goal(
                        goal=f"{benchmark.name}: the benchmark failed in this run",
                        measured=f"see var/bench/{benchmark.name}.log",
                        ceiling="",
                        met=False,
                    ),
                )
            )
            continue
        own = [(where, goal) for where, goal in recorded if where.startswith(section[:20])]
        if own:
            goals.extend(own)
        elif benchmark.goal_from_section and section in sections:
            try:
                goals.append((section, benchmark.goal_from_section(sections[section])))
            except (KeyError, ValueError, StopIteration, IndexError) as error:
                goals.append(
                    (
                        section,
                        Goal(
                            f"{benchmark.name}: figure not found in its section",
                            str(error),
                            "",
                            None,
                        ),
                    )
                )
    return goals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these")
    parser.add_argument("--skip", nargs="+", metavar="NAME", default=[], help="leave these out")
    parser.add_argument(
        "--goals-only",
        action="store_true",
        help="run nothing: rewrite the Goals table from the sections as they are",
    )
    arguments = parser.parse_args()
    if arguments.goals_only:
        print(f"written to {report.record_goals(_goals({}))}")
        return
    names = {benchmark.name for benchmark in BENCHMARKS}
    unknown = (set(arguments.only or []) | set(arguments.skip)) - names
    if unknown:
        raise SystemExit(
            f"unknown benchmarks: {', '.join(sorted(unknown))}; known: {sorted(names)}"
        )

    load = report.load_description()
    started = time.monotonic()
    results: dict[str, bool] = {}
    durations: dict[str, float] = {}
    for benchmark in BENCHMARKS:
        if arguments.only and benchmark.name not in arguments.only:
            continue
        if benchmark.name in arguments.skip:
            continue
        results[benchmark.name], durations[benchmark.name] = _run(benchmark, arguments.quick)

    failed = [name for name, passed in results.items() if not passed]
    minutes = (time.monotonic() - started) / 60
    left_out = len(BENCHMARKS) - len(results)
    note = (
        f"`scripts/bench{' --quick' if arguments.quick else ''}` ran {len(results)} "
        f"benchmark{'s' if len(results) != 1 else ''} in {minutes:.0f} min"
        + (f" ({left_out} left out keep their last run's figures)" if left_out else "")
        + f"; the load average at its start was {load}."
        + (f" Failed in this run: {', '.join(failed)}." if failed else "")
    )
    report.record_goals(_goals(results), note)
    print("\n===== summary")
    for name, passed in results.items():
        print(f"{name:24} {'ok' if passed else 'FAILED':6} {durations[name]:6.0f} s")
    print(f"written to {report.DOC}")
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()

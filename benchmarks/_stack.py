"""Starting the production processes for a benchmark on this machine: a fresh PostgreSQL
database, `manage.py` commands, and servers (gunicorn, uvicorn) in their own process
group, waited for on their port and stopped with the whole group.

Small on purpose: the benchmarks need only this much of a deployment.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def database_url(name: str) -> str:
    """DATABASE_URL (or the machine's PostgreSQL) with the database name `name`."""
    parts = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def redis_url(db: int) -> str:
    """REDIS_URL (or the machine's Redis) with the database number `db`."""
    parts = urlsplit(os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    return urlunsplit(parts._replace(path=f"/{db}"))


def database_recreate(name: str) -> str:
    """Drop and create the database `name`; returns its URL."""
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def database_drop(name: str) -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(arguments: Sequence[str], env: Mapping[str, str]) -> None:
    """Run `manage.py <arguments>` with `env`; stop the benchmark if it fails."""
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_start(
    command: Sequence[str], env: Mapping[str, str], port: int, timeout: float = 60
) -> subprocess.Popen[bytes]:
    """Start `command` in its own process group and wait until `port` accepts."""
    server = subprocess.Popen(list(command), cwd=ROOT, env=dict(env), start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{command[0]} stopped while starting (exit {server.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server_stop(server)
    raise SystemExit(f"{command[0]} did not listen on port {port} within {timeout:.0f} s")


def server_stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server's whole process group (its workers too)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def gunicorn_command(port: int, workers: int) -> list[str]:
    """Pages as the production layout serves them: gunicorn sync workers on WSGI."""
    return [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]


def uvicorn_command(port: int, workers: int) -> list[str]:
    """The ASGI server `make run` uses, with `workers` processes."""
    return [
        str(BIN / "uvicorn"),
        "config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]

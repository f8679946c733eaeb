"""govstore as several processes on this machine, the way a deployment runs it: a fresh
PostgreSQL database, a Redis database number of its own, an S3-compatible server
(moto_server) with a bucket, and application processes (uvicorn, gunicorn, Celery worker
and beat) sharing one environment and nothing on disk but their secrets.

Dependency-free on purpose (stdlib, psycopg, redis, and boto3 for the bucket, as the app
itself uses), for tests and benchmarks alike.

    from tests.stack import Stack

    with Stack(tmp_path, settings={"TWO_FACTOR_REQUIRED": "0"}) as stack:
        stack.database()                # fresh database, migrated (cloned from a template)
        stack.redis()                   # a free Redis database number, flushed at the end
        stack.s3()                      # moto_server + bucket; documents go to S3
        a = stack.uvicorn("a")          # ASGI: pages and WebSockets
        b = stack.uvicorn("b")
        web = stack.gunicorn("web", workers=2)   # WSGI sync workers (pages only)
        worker = stack.worker("worker")          # celery worker
        beat = stack.beat("beat")                # celery beat (only ever one)
        stack.start_all()               # start every process not yet running, wait for each
        print(a.url)                    # http://127.0.0.1:<port>
        out = stack.shell("print(1)")   # manage.py shell -c, with the shared environment
        stack.manage("verify_bid_log", "PM...")  # any manage.py command (raises on failure)
        a.restart()                     # SIGTERM (then SIGKILL), start again, wait
        worker.kill()                   # SIGKILL the whole process group at once
        a.stop(); a.start()
        stack.s3_keys(); stack.s3_get(key)   # the bucket's object names and bytes
        stack.logs()                    # every process's log tail, for a failure message

`Stack(...)` only records what to start; each method above starts or makes its part,
in that order (database and Redis before processes). Leaving the `with` block stops every
process (SIGTERM, then SIGKILL after `stop_timeout`), stops moto_server, drops the
database and flushes the Redis database.

Processes: `stack.uvicorn(name, workers=1)`, `stack.gunicorn(name, workers=2)`,
`stack.worker(name, concurrency=1, queues=None)`, `stack.beat(name)`; each returns a
`Process` (not yet started) with `.name`, `.port`, `.url` (web only), `.env` (its own
environment: the stack's plus `env=` given to the method), `.pid`, `.log_path`,
`.start(wait=True)`, `.wait_ready(timeout)`, `.stop()`, `.kill()`, `.restart()`,
`.running`, `.log_text(lines=None)`. Web processes are ready when GET /healthz/live
answers "ok"; a worker when its log says it is ready; beat when its log says it started.

Environment: `stack.env` is what every process gets (DATABASE_URL, REDIS_URL, SECRET_KEY,
DOCUMENTS_MASTER_KEY, DOCUMENTS_S3_*, AWS_*, DEBUG=0, ALLOWED_HOSTS,
SECURE_SSL_REDIRECT=0, SECURE_COOKIES=0, GOVSTORE_SITE_URL = the first web process,
PAYMENTS_KEYS_DIR / DELIVERY_KEYS_DIR shared like the master key is) plus `settings=`;
each process also gets a GOVSTORE_VAR_DIR of its own. Change `stack.env` before
starting a process to affect it.

In pytest, put the stack in a fixture and show the logs when a test fails:

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(item, call):
        outcome = yield
        tests.stack.attach_logs(item, outcome.get_result())

with the fixture storing the stack as `request.node.stack = stack` (see
tests/multiprocess/conftest.py).

Needs: DATABASE_URL naming a PostgreSQL server (any database: the stack makes its own),
REDIS_URL (any database number: the stack picks its own), `.venv/bin/moto_server`.
`Stack.unavailable()` says what is missing, for a skip reason.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv" / "bin").is_dir() else Path(sys.executable).parent
PYTHON = str(BIN / "python") if (BIN / "python").exists() else sys.executable
# Redis databases the stack may claim: 0 is everyone's default and CI's own suite uses 15.
REDIS_DATABASES = range(1, 15)
CLAIM_KEY = "govstore-stack:claimed"
TEMPLATE_PREFIX = "govstore_stack_tpl_"
DATABASE_PREFIX = "govstore_stack_"


class StackError(RuntimeError):
    """A part of the stack did not start or a command failed; the message says why."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _http_get(
    url: str, timeout: float = 2.0, headers: Mapping[str, str] | None = None
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310 - local
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - local
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


def _tail(path: Path, lines: int | None) -> str:
    if not path.exists():
        return "(no log)"
    text = path.read_text(encoding="utf-8", errors="replace")
    if lines is None:
        return text
    return "\n".join(text.splitlines()[-lines:])


class Process:
    """One application process (and its children) in a process group of its own."""

    def __init__(
        self,
        stack: Stack,
        *,
        name: str,
        kind: str,
        command: Callable[[Process], list[str]],
        port: int | None,
        env: Mapping[str, str],
    ) -> None:
        self.stack = stack
        self.name = name
        self.kind = kind
        self.port = port
        self._command = command
        self._extra_env = dict(env)
        self.directory = stack.root / name
        self.var_dir = self.directory / "var"
        self.log_path = self.directory / "process.log"
        self.popen: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        if self.port is None:
            raise StackError(f"{self.name} serves no HTTP")
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {**self.stack.env, **self._extra_env, "GOVSTORE_VAR_DIR": str(self.var_dir)}

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self, *, wait: bool = True, timeout: float = 90) -> Process:
        if self.running:
            return self
        self.stack._before_process_start(self)
        self.var_dir.mkdir(parents=True, exist_ok=True)
        # Collected static files are a build product shipped to every machine: each
        # process reads the one copy (settings put STATIC_ROOT under the var dir).
        static = self.var_dir / "static"
        if not static.exists():
            static.symlink_to(self.stack._static_root(), target_is_directory=True)
        self.starts += 1
        log = self.log_path.open("ab")
        log.write(f"\n----- start #{self.starts} at {time.strftime('%H:%M:%S')} -----\n".encode())
        log.flush()
        self.popen = subprocess.Popen(
            self._command(self),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self._log_offset = self.log_path.stat().st_size
        if wait:
            self.wait_ready(timeout)
        return self

    def _ready(self) -> bool:
        if self.kind == "web":
            try:
                # As the TLS-ending proxy would send it: with SECURE_SSL_REDIRECT on, only
                # /healthz is exempt from the redirect to https.
                status, body = _http_get(
                    self.url + "/healthz/live", timeout=2, headers={"X-Forwarded-Proto": "https"}
                )
            except OSError:
                return False
            return status == 200 and body.strip() == b"ok"
        with self.log_path.open("rb") as log:
            log.seek(getattr(self, "_log_offset", 0))
            text = log.read().decode("utf-8", errors="replace")
        if self.kind == "worker":
            return " ready." in text
        return "beat: Starting" in text

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen is None or self.popen.poll() is not None:
                code = self.popen.returncode if self.popen else None
                raise StackError(
                    f"{self.name} stopped while starting (exit {code}):\n{self.log_text(60)}"
                )
            if self._ready():
                return
            time.sleep(0.2)
        raise StackError(f"{self.name} was not ready within {timeout:.0f} s:\n{self.log_text(60)}")

    def _signal(self, signum: int) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def stop(self, timeout: float | None = None) -> int | None:
        """SIGTERM to the process group, SIGKILL if it is still there after `timeout`."""
        if self.popen is None:
            return None
        timeout = self.stack.stop_timeout if timeout is None else timeout
        if self.popen.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.popen.wait()
        # Workers left behind by a parent that died first go with the group.
        self._signal(signal.SIGKILL)
        return self.popen.returncode

    def kill(self) -> int | None:
        """SIGKILL to the whole group at once: a crash, not a shutdown."""
        if self.popen is None:
            return None
        self._signal(signal.SIGKILL)
        return self.popen.wait()

    def restart(self, *, wait: bool = True, timeout: float = 90) -> Process:
        self.stop()
        return self.start(wait=wait, timeout=timeout)

    def log_text(self, lines: int | None = None) -> str:
        return _tail(self.log_path, lines)

    def __repr__(self) -> str:
        where = f" {self.url}" if self.port else ""
        return f"<Process {self.name} ({self.kind}){where} pid={self.pid}>"


class Stack:
    def __init__(
        self,
        root: Path | str,
        *,
        settings: Mapping[str, str] | None = None,
        bucket: str = "govstore-documents",
        stop_timeout: float = 15,
    ) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.stop_timeout = stop_timeout
        self.bucket = bucket
        self.processes: list[Process] = []
        self.database_name: str | None = None
        self.redis_db: int | None = None
        self._moto: Process | None = None
        self._static: Path | None = None
        secrets_dir = self.root / "secrets"
        secrets_dir.mkdir(mode=0o700, exist_ok=True)
        self.env: dict[str, str] = {
            "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": os.environ.get("HOME", str(self.root)),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DOCUMENTS_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            # Secrets every process must share, as the master key is: in production they
            # are mounted on each machine from the secret store.
            "PAYMENTS_KEYS_DIR": str(secrets_dir / "payments"),
            "DELIVERY_KEYS_DIR": str(secrets_dir / "delivery"),
            "NOTIFICATIONS_SMS_BACKEND": "console",
            "LOG_LEVEL": "WARNING",
        }
        self.env.update(settings or {})

    # --- what is needed ---------------------------------------------------------------

    @staticmethod
    def unavailable() -> str | None:
        """Why a stack cannot run here (for a skip reason), or None."""
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url.startswith(("postgres://", "postgresql://")):
            return "needs DATABASE_URL naming a PostgreSQL server (the stack makes its own db)"
        if not os.environ.get("REDIS_URL", "").startswith("redis://"):
            return "needs REDIS_URL (the stack picks a free database number)"
        if not (BIN / "moto_server").exists():
            return f"needs {BIN / 'moto_server'} (pip install 'moto[server]')"
        return None

    # --- PostgreSQL ---------------------------------------------------------------------

    @staticmethod
    def _server_url(name: str) -> str:
        parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x"))
        return urlunsplit(parts._replace(path=f"/{name}"))

    @staticmethod
    def _migrations_digest() -> str:
        digest = hashlib.sha256()
        for path in sorted(ROOT.glob("govstore/**/migrations/*.py")):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    def database(self) -> str:
        """A fresh database, migrated: cloned from a template made by the first stack to
        migrate this set of migrations (a new migration makes a new template)."""
        import psycopg
        from psycopg import errors

        template = TEMPLATE_PREFIX + self._migrations_digest()
        name = f"{DATABASE_PREFIX}{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self._server_url("postgres"), autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (template,)
            ).fetchone()
            if exists:
                for attempt in range(20):
                    try:
                        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                        break
                    except errors.ObjectInUse:
                        # Another stack is cloning it at this very moment.
                        time.sleep(0.5 + attempt * 0.1)
                else:
                    raise StackError(f"template {template} stayed busy")
            else:
                connection.execute(f'CREATE DATABASE "{name}"')
        self.database_name = name
        self.env["DATABASE_URL"] = self._server_url(name)
        if not exists:
            self.manage("migrate", "--noinput", timeout=600)
            with psycopg.connect(self._server_url("postgres"), autocommit=True) as connection:
                with contextlib.suppress(errors.DuplicateDatabase, errors.ObjectInUse):
                    connection.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
                # Templates of migrations that no longer exist are only disk space.
                stale = connection.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                    (TEMPLATE_PREFIX + "%", template),
                ).fetchall()
                for (old,) in stale:
                    with contextlib.suppress(psycopg.Error):
                        connection.execute(f'DROP DATABASE IF EXISTS "{old}"')
        return self.env["DATABASE_URL"]

    def _database_drop(self) -> None:
        if not self.database_name:
            return
        import psycopg

        with psycopg.connect(self._server_url("postgres"), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
        self.database_name = None

    def sql(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Rows of a query on the stack's database (for assertions)."""
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    # --- Redis ------------------------------------------------------------------------------

    def redis(self) -> str:
        """Claim an empty Redis database number for cache, channel layer and broker."""
        import redis

        base = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        token = uuid.uuid4().hex
        for number in REDIS_DATABASES:
            url = urlunsplit(base._replace(path=f"/{number}"))
            client = redis.Redis.from_url(url)
            try:
                if client.dbsize() == 0 and client.set(CLAIM_KEY, token, nx=True, ex=6 * 3600):
                    self.redis_db = number
                    self.env["REDIS_URL"] = url
                    self.env.pop("CELERY_BROKER_URL", None)
                    return url
            finally:
                client.close()
        raise StackError("no empty Redis database number between 1 and 14")

    def redis_client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.env["REDIS_URL"])

    def _redis_release(self) -> None:
        if self.redis_db is None:
            return
        client = self.redis_client()
        try:
            client.flushdb()
        finally:
            client.close()
        self.redis_db = None

    # --- S3 ---------------------------------------------------------------------------------

    def s3(self) -> str:
        """moto_server on a port of its own, with the documents bucket made."""
        port = free_port()
        moto = Process(
            self,
            name="moto",
            kind="moto",
            command=lambda p: [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(p.port)],
            port=port,
            env={},
        )
        moto.directory.mkdir(parents=True, exist_ok=True)
        log = moto.log_path.open("ab")
        moto.popen = subprocess.Popen(
            moto._command(moto),
            cwd=moto.directory,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self._moto = moto
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                _http_get(endpoint + "/", timeout=1)
                break
            except OSError:
                if moto.popen.poll() is not None or time.monotonic() > deadline:
                    raise StackError(f"moto_server did not start:\n{moto.log_text(40)}") from None
                time.sleep(0.2)
        self.env.update(
            {
                "DOCUMENTS_S3_BUCKET": self.bucket,
                "DOCUMENTS_S3_ENDPOINT_URL": endpoint,
                "AWS_ACCESS_KEY_ID": "govstore-test",
                "AWS_SECRET_ACCESS_KEY": "govstore-test-secret",
                "AWS_DEFAULT_REGION": "us-east-1",
            }
        )
        self.s3_client().create_bucket(Bucket=self.bucket)
        return endpoint

    def s3_client(self) -> Any:
        """A boto3 client on the stack's S3 server (boto3 is the app's own S3 client)."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.env["DOCUMENTS_S3_ENDPOINT_URL"],
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            region_name=self.env["AWS_DEFAULT_REGION"],
        )

    def s3_keys(self) -> list[str]:
        """Every object name in the bucket."""
        pages = self.s3_client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def s3_get(self, key: str) -> bytes:
        body: bytes = self.s3_client().get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body

    # --- commands ------------------------------------------------------------------------

    def manage(
        self,
        *arguments: str,
        env: Mapping[str, str] | None = None,
        timeout: float = 180,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """`manage.py <arguments>` with the shared environment and a var dir of its own."""
        var_dir = self.root / "manage" / "var"
        var_dir.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [PYTHON, "manage.py", *arguments],
            cwd=ROOT,
            env={**self.env, "GOVSTORE_VAR_DIR": str(var_dir), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise StackError(
                f"manage.py {' '.join(arguments)[:200]} failed ({done.returncode}):\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
            )
        return done

    def shell(self, code: str, **kwargs: Any) -> str:
        """Run Python inside Django (`manage.py shell -c`); returns what it printed."""
        return self.manage("shell", "--no-imports", "-c", code, **kwargs).stdout

    def _static_root(self) -> Path:
        if self._static is None:
            # collectstatic writes into <var>/static of the var dir it is given.
            build = self.root / "static-build"
            self.manage("collectstatic", "--noinput", env={"GOVSTORE_VAR_DIR": str(build)})
            self._static = build / "static"
        return self._static

    # --- processes ------------------------------------------------------------------------

    def _add(self, process: Process) -> Process:
        if any(p.name == process.name for p in self.processes) or process.name == "moto":
            raise StackError(f"a process named {process.name} exists already")
        self.processes.append(process)
        return process

    def _before_process_start(self, process: Process) -> None:
        if "DATABASE_URL" not in self.env:
            raise StackError("call stack.database() before starting processes")
        if process.kind == "web" and "GOVSTORE_SITE_URL" not in self.env:
            # Partners' callbacks and links in jobs go to the site's one address.
            self.env["GOVSTORE_SITE_URL"] = process.url

    def uvicorn(
        self, name: str, *, workers: int = 1, port: int | None = None, env: Mapping[str, str] = {}
    ) -> Process:
        """An ASGI server (pages and WebSockets), as `govstore-ws` runs in production."""

        def command(process: Process) -> list[str]:
            return [
                str(BIN / "uvicorn"),
                "config.asgi:application",
                "--host=127.0.0.1",
                f"--port={process.port}",
                f"--workers={workers}",
                "--ws=websockets-sansio",
                "--lifespan=off",
                "--no-access-log",
                "--log-level=warning",
                "--timeout-graceful-shutdown=5",
            ]

        return self._add(
            Process(self, name=name, kind="web", command=command, port=port or free_port(), env=env)
        )

    def gunicorn(
        self, name: str, *, workers: int = 2, port: int | None = None, env: Mapping[str, str] = {}
    ) -> Process:
        """WSGI sync workers for pages, as `govstore-web` runs in production."""

        def command(process: Process) -> list[str]:
            return [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                f"--bind=127.0.0.1:{process.port}",
                f"--workers={workers}",
                "--worker-class=sync",
                "--graceful-timeout=10",
                "--log-level=warning",
            ]

        return self._add(
            Process(self, name=name, kind="web", command=command, port=port or free_port(), env=env)
        )

    def worker(
        self,
        name: str,
        *,
        concurrency: int = 1,
        queues: str | None = None,
        env: Mapping[str, str] = {},
    ) -> Process:
        """A Celery worker, as `govstore-worker` runs in production."""

        def command(process: Process) -> list[str]:
            line = [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                f"--concurrency={concurrency}",
                f"--hostname={process.name}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ]
            return line + ([f"--queues={queues}"] if queues else [])

        return self._add(
            Process(self, name=name, kind="worker", command=command, port=None, env=env)
        )

    def beat(self, name: str = "beat", *, env: Mapping[str, str] = {}) -> Process:
        """Celery beat: exactly one in a deployment."""

        def command(process: Process) -> list[str]:
            schedule = process.var_dir / "celerybeat-schedule"
            return [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                f"--schedule={schedule}",
            ]

        return self._add(Process(self, name=name, kind="beat", command=command, port=None, env=env))

    def start_all(self, timeout: float = 90) -> None:
        """Start every process not running, then wait for each (they start together)."""
        waiting = [p.start(wait=False) for p in self.processes if not p.running]
        for process in waiting:
            process.wait_ready(timeout)

    def process(self, name: str) -> Process:
        return next(p for p in self.processes if p.name == name)

    # --- logs and the end ---------------------------------------------------------------

    def logs(self, lines: int = 60) -> str:
        parts = []
        for process in [*self.processes, *([self._moto] if self._moto else [])]:
            state = (
                "running"
                if process.running
                else f"exited {process.popen and process.popen.returncode}"
            )
            parts.append(f"===== {process.name} ({state}) =====\n{process.log_text(lines)}")
        return "\n".join(parts)

    def close(self) -> None:
        errors: list[str] = []
        for process in reversed(self.processes):
            try:
                process.stop()
            except Exception as error:
                errors.append(f"{process.name}: {error}")
        if self._moto is not None:
            self._moto.stop(timeout=5)
        for cleanup in (self._database_drop, self._redis_release):
            try:
                cleanup()
            except Exception as error:
                errors.append(f"{cleanup.__name__}: {error}")
        if self._static is not None:
            shutil.rmtree(self._static, ignore_errors=True)
        if errors:
            raise StackError("; ".join(errors))

    def __enter__(self) -> Stack:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


@contextlib.contextmanager
def running_stack(root: Path | str, **kwargs: Any) -> Iterator[Stack]:
    """`Stack(root, **kwargs)` with database, Redis and S3 made, closed at the end."""
    with Stack(root, **kwargs) as stack:
        stack.database()
        stack.redis()
        stack.s3()
        yield stack


def attach_logs(item: Any, report: Any) -> None:
    """In a pytest_runtest_makereport hookwrapper: add the stack's process logs to a
    failed test's report (the stack is stored as item.stack by the fixture)."""
    stack = getattr(item, "stack", None)
    if stack is not None and report.failed:
        report.sections.append(("govstore processes", stack.logs()))

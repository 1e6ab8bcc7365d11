"""What the load benchmarks share: a fresh database with learners signed in, uvicorn servers
pinned to a core, wrk for closed-loop ceilings, and a small asyncio HTTP/1.1 client for
open-loop (constant-rate) latency and multi-step journeys such as an exam.

The asyncio client speaks just enough HTTP/1.1 for these benchmarks (keep-alive,
Content-Length and chunked bodies): a general client such as httpx costs more per request
than the server under test, which would make the load generator the bottleneck.
"""

import asyncio
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlmodel import Session, col, select

from app.config import REPO_ROOT, Environment, Settings
from app.content.loader import load_content
from app.content.sync import sync_content
from app.db import make_engine, writer
from app.migrations import upgrade
from app.models import ApiToken, AuthSession, Role, User
from app.models.base import utcnow
from app.org import units
from app.security import tokens
from app.security.csrf import PURPOSE as CSRF_PURPOSE
from app.security.passwords import hash_password
from app.security.sessions import COOKIE_PURPOSE

BENCH = Path(__file__).resolve().parent
SECRET = "bench-load-secret-" + "k" * 32  # the servers' TAKT_SECRET_KEY: cookies are made here
PASSWORD = "bench-learner-passphrase"  # noqa: S105 - synthetic learners of a throwaway database
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "loadbench"
UVICORN_FLAGS = [
    "--loop", "uvloop",
    "--http", "httptools",
    "--no-access-log",
    "--log-level", "warning",
]  # fmt: skip


# --- the database -------------------------------------------------------------------------


def fresh_database(kind: str, var_dir: Path) -> str:
    """An empty database for this run: a SQLite file in var_dir, or PostgreSQL's `loadbench`
    dropped and created again."""
    if kind == "sqlite":
        return f"sqlite:///{var_dir / 'loadbench.sqlite3'}"
    server = make_engine(f"{POSTGRES_SERVER}/postgres").execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {POSTGRES_DATABASE}"))
    server.dispose()
    return f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"


def settings_for(database_url: str, var_dir: Path) -> Settings:
    return Settings(
        env=Environment.development,
        database_url=database_url,
        secret_key=SECRET,
        var_dir=var_dir,
        content_dir=REPO_ROOT,
    )


def migrate_and_sync(engine: Engine, settings: Settings, content: Any = None) -> None:
    """What `takt db upgrade && takt content sync` do, in process (`content`: the
    repository's, already loaded)."""
    upgrade(engine, settings)
    with Session(engine) as db:
        sync_content(db, content or load_content(REPO_ROOT))
        db.commit()


_PASSWORD_HASH: list[str] = []


def add_learners(engine: Engine, prefix: str, count: int) -> list[int]:
    """Insert `count` learners at once, sharing one password hash (hashing is slow on
    purpose); their ids in order."""
    if not _PASSWORD_HASH:
        _PASSWORD_HASH.append(hash_password(PASSWORD))
    with Session(writer(engine)) as db:  # BEGIN IMMEDIATE: the server may still be writing
        unit_id = units.default_unit(db).id
        rows = [
            {
                "email": f"{prefix}-{n}@bench.example",
                "name": f"Bench Learner {n}",
                "password_hash": _PASSWORD_HASH[0],
                "role": Role.learner.value,
                "org_unit_id": unit_id,
                "is_active": True,
            }
            for n in range(count)
        ]
        for start in range(0, count, 1000):
            db.connection().execute(insert(User.__table__), rows[start : start + 1000])  # type: ignore[attr-defined]
        found = dict(
            db.exec(
                select(User.email, User.id).where(col(User.email).like(f"{prefix}-%@bench.example"))
            ).all()
        )
        db.commit()
    return [found[f"{prefix}-{n}@bench.example"] for n in range(count)]  # type: ignore[misc]


@dataclass(frozen=True)
class Browser:
    """A signed-in learner as a browser holds them: the session cookie and its CSRF token."""

    user_id: int
    cookie: str  # "name=value", ready for a Cookie header
    csrf: str


def sign_in_directly(engine: Engine, settings: Settings, user_ids: list[int]) -> list[Browser]:
    """Sessions made as `start_session` makes them, written at once instead of through
    /sign-in (argon2 would spend ~20 ms of the server's core per learner). Seen just now,
    so the once-a-minute "last seen" write stays out of the measurement."""
    now = utcnow()
    browsers, rows = [], []
    for user_id in user_ids:
        token = tokens.new_token()
        digest = tokens.digest(token)
        rows.append(
            {
                "token_hash": digest,
                "user_id": user_id,
                "created_at": now,
                "last_seen_at": now,
                "expires_at": now + timedelta(hours=settings.session_absolute_hours),
            }
        )
        cookie = tokens.signed(token, settings.secret_key, COOKIE_PURPOSE)
        csrf = tokens.sign(digest, settings.secret_key, CSRF_PURPOSE)
        browsers.append(Browser(user_id, f"{settings.session_cookie_name}={cookie}", csrf))
    _insert_rows(engine, AuthSession, rows)
    return browsers


def api_tokens_for(engine: Engine, user_ids: list[int]) -> list[str]:
    """One API token per learner (as `create_api_token` makes them), used just now."""
    now = utcnow()
    plains, rows = [], []
    for user_id in user_ids:
        plain = "takt_" + tokens.new_token()
        plains.append(plain)
        rows.append(
            {
                "user_id": user_id,
                "name": "load benchmark",
                "token_hash": tokens.digest(plain),
                "prefix": plain[:12],
                "created_at": now,
                "last_used_at": now,
            }
        )
    _insert_rows(engine, ApiToken, rows)
    return plains


def _insert_rows(engine: Engine, table: type, rows: list[dict[str, Any]]) -> None:
    with writer(engine).begin() as connection:
        for start in range(0, len(rows), 1000):
            connection.execute(insert(table.__table__), rows[start : start + 1000])  # type: ignore[attr-defined]


# --- servers ------------------------------------------------------------------------------


def cores() -> tuple[int | None, int | None]:
    """The server's core and the load generator's, when there are two to choose from."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2 or not shutil.which("taskset"):
        return None, None
    return available[1], available[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    name: str,
    target: str,
    env: dict[str, str],
    core: int | None,
    workers: int = 1,
    log_dir: Path | None = None,
) -> Server:
    """uvicorn with the protocol's settings; pinned to `core` when it has one worker."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "uvicorn"),
        target,
        "--port", str(port),
        "--workers", str(workers),
        *UVICORN_FLAGS,
    ]  # fmt: skip
    if core is not None and workers == 1:
        command = ["taskset", "-c", str(core), *command]  # taskset execs: the same pid
    log = (log_dir or Path(tempfile.gettempdir())) / f"takt-bench-load-{name}.log"
    with log.open("w") as output:  # the child keeps its own descriptor
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    return Server(name, port, process, log)


def wait_until_up(server: Server, path: str = "/", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"The {server.name} server exited with {server.process.returncode}; "
                f"see {server.log}."
            )
        try:
            status, _, _ = fetch(server.port, "GET", path)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"The {server.name} server did not answer within {timeout:.0f} s.")


def app_environment(database_url: str, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TAKT_ENV": "development",
        "TAKT_DATABASE_URL": database_url,
        "TAKT_SECRET_KEY": SECRET,
        "TAKT_VAR_DIR": str(var_dir),
        "TAKT_CONTENT_DIR": str(REPO_ROOT),
    }


def pin_self(core: int | None) -> None:
    if core is not None:
        os.sched_setaffinity(0, {core})


# --- wrk: closed-loop ceilings --------------------------------------------------------------


@dataclass(frozen=True)
class WrkResult:
    rate: float
    requests: int
    p50: float  # ms
    p99: float  # ms
    bad_status: int
    socket_errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(
    url: str,
    seconds: float,
    connections: int,
    core: int | None,
    script: Path | None = None,
    args: tuple[str, ...] = (),
    headers: tuple[str, ...] = (),
) -> WrkResult:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    command.append("--timeout=30s")  # a slow answer is slow, not a socket error
    for header in headers:
        command += ["-H", header]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    if args:
        command += ["--", *args]
    if core is not None:
        command = ["taskset", "-c", str(core), *command]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return WrkResult(
        rate,
        requests,
        p50,
        p99,
        int(bad.group(1)) if bad else 0,
        sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


# --- a small asyncio HTTP/1.1 client -------------------------------------------------------


def request_bytes(
    method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method not in ("GET", "HEAD"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


class Connection:
    """One keep-alive connection; requests on it go one after another."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes) -> Reply:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        try:
            self.writer.write(raw)
            head = await self.reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            if "content-length" in headers:
                body = await self.reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                body = await self._chunked()
            else:
                body = b""
        except (OSError, asyncio.IncompleteReadError):
            self.close()
            raise
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Reply(status, headers, body)

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def fetch(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """One request from synchronous code (checks before measuring)."""

    async def once() -> Reply:
        connection = Connection(port)
        try:
            return await connection.send(request_bytes(method, path, headers, body))
        finally:
            connection.close()

    reply = run_async(once())
    return reply.status, reply.headers, reply.body


def run_async(coroutine: Awaitable[Any]) -> Any:
    try:
        import uvloop

        return uvloop.run(coroutine)  # type: ignore[arg-type]
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.run(coroutine)  # type: ignore[arg-type]


@dataclass
class Latencies:
    """Latencies in seconds and the statuses seen, from one measurement."""

    values: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0

    def add(self, status: int, latency: float) -> None:
        self.values.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def p(self, share: float) -> float:
        """The share-th quantile in ms (0 when nothing was measured)."""
        if not self.values:
            return 0.0
        ordered = sorted(self.values)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000

    @property
    def rate(self) -> float:
        return len(self.values) / self.seconds if self.seconds else 0.0


async def constant_rate(
    port: int,
    rate: float,
    seconds: float,
    make: Callable[[int], bytes],
    ok: Callable[[Reply], bool],
    connections: int = 128,
) -> Latencies:
    """Open loop: request i is due at start + i/rate whatever happened to the others, and
    its latency counts from when it was due (no coordinated omission). A request finding
    every connection busy waits for one, and that wait counts too."""
    loop = asyncio.get_running_loop()
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(Connection(port))
    result = Latencies()

    async def one(index: int, due: float) -> None:
        connection = await pool.get()
        try:
            reply = await connection.send(make(index))
            if ok(reply):
                result.add(reply.status, loop.time() - due)
            else:
                result.add(reply.status, loop.time() - due)
                result.errors += 1
        except (OSError, asyncio.IncompleteReadError):
            result.errors += 1
        finally:
            pool.put_nowait(connection)

    tasks = []
    start = loop.time()
    for index in range(int(rate * seconds)):
        due = start + index / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(index, due)))
    await asyncio.gather(*tasks)
    result.seconds = loop.time() - start
    while not pool.empty():
        pool.get_nowait().close()
    return result


# --- reporting ----------------------------------------------------------------------------


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def spread(values: list[float]) -> float:
    return (max(values) - min(values)) / statistics.median(values) if values else 0.0


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def new_var_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="takt-bench-load-"))


def run_id() -> str:
    return secrets.token_hex(4)

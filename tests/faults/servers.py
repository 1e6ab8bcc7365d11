"""Real uvicorn servers for the fault tests, run as subprocesses the tests can kill."""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx

from app.config import REPO_ROOT
from tests.conftest import TEST_SECRET, TEST_SIGNING_KEY


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    killed: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The uvicorn workers: the master's children that run multiprocessing's spawn
        (leaving out its resource tracker)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()]
        return [pid for pid in pids if b"spawn_main" in _cmdline(pid)]

    def kill_worker(self) -> int:
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        self.killed.append(pid)
        return pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def start_server(
    database_url: str, var_dir: Path, *, workers: int = 1, timeout: float = 30
) -> Server:
    """`takt serve` without its start-up steps (the test has migrated and synced): the
    app under uvicorn with `workers` processes, every instance with the same secrets."""
    port = free_port()
    var_dir.mkdir(parents=True, exist_ok=True)
    log = var_dir / f"uvicorn-{port}.log"
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TAKT_")},
        "TAKT_ENV": "test",
        "TAKT_DATABASE_URL": database_url,
        "TAKT_SECRET_KEY": TEST_SECRET,
        "TAKT_SIGNING_KEY": TEST_SIGNING_KEY,
        "TAKT_VAR_DIR": str(var_dir),
        "TAKT_CONTENT_DIR": str(REPO_ROOT),
        "TAKT_BASE_URL": f"http://127.0.0.1:{port}",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "app.main:app",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--workers={workers}",
        "--log-level=warning",
        "--no-access-log",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=REPO_ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server(process, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{server.log_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200 and (
                workers == 1 or len(server.worker_pids()) == workers
            ):
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"uvicorn did not answer within {timeout} s:\n{server.log_text()}")

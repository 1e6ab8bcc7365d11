"""A private PostgreSQL cluster a test starts, stops and starts again, in a temporary
folder on a free port. PostgreSQL refuses to run as root, so under root the cluster is run
by the `postgres` user."""

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.faults.servers import free_port

BIN_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin")


def find_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for directory in BIN_DIRS:
        candidate = Path(directory) / name
        if candidate.is_file():
            return str(candidate)
    return None


def why_not_available() -> str | None:
    """Why a private cluster cannot be started here, or None if it can."""
    for tool in ("initdb", "pg_ctl"):
        if find_tool(tool) is None:
            return f"`{tool}` is not installed (Debian: apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run the cluster"
        if shutil.which("runuser") is None:
            return "running as root without `runuser` to start the cluster as `postgres`"
    return None


@dataclass
class Cluster:
    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str) -> None:
        as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        finished = subprocess.run(  # noqa: S603
            [*as_owner, *command], capture_output=True, text=True, timeout=60, check=False
        )
        if finished.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {finished.stdout}{finished.stderr}")

    def init(self) -> None:
        self._run(
            find_tool("initdb") or "initdb",
            f"--pgdata={self.data}",
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self._run(
            find_tool("pg_ctl") or "pg_ctl",
            f"--pgdata={self.data}",
            f"--log={self.directory / 'postgres.log'}",
            f"--options={options}",
            "--wait",
            "start",
        )

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as in a restart for maintenance."""
        self._run(
            find_tool("pg_ctl") or "pg_ctl",
            f"--pgdata={self.data}",
            "--mode=fast",
            "--wait",
            "stop",
        )

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


def make_cluster() -> Cluster:
    directory = Path(tempfile.mkdtemp(prefix="takt-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(directory, free_port())
    cluster.init()
    cluster.start()
    return cluster


def remove_cluster(cluster: Cluster) -> None:
    if cluster.is_running():
        cluster.stop()
    shutil.rmtree(cluster.directory, ignore_errors=True)

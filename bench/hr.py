"""HR pages on a synthetic organisation, through a real server, per core.

Starts uvicorn (one worker, uvloop, httptools) on a free port pinned to one core, signs in
as the demo HR user from the other core, and measures, in interleaved rounds:
  - the dashboard of the company (the whole tree) and of one team,
  - the drill-down to one learner, a different random learner each request,
  - the progress CSV of the whole company, streamed: rows/s, and the server's memory growth
    (peak resident set during the export, from /proc, minus the resident set before it),
against GET /healthz measured in the same rounds. Requests are sequential (one user), so
the latencies are service times, not queueing.

Run:  .venv/bin/python bench/hr.py --database-url sqlite:////tmp/synth.sqlite3
      .venv/bin/python bench/hr.py --database-url postgresql+psycopg://postgres@127.0.0.1/takt_synth
      add --build to create the organisation first (takt db upgrade + takt demo --learners N)
Targets: dashboard p95 ≤ 150 ms, drill-down p95 ≤ 50 ms, export ≥ 50,000 rows/s with the
server growing by < 100 MB.
"""

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
from sqlmodel import Session, col, func, select

from app.db import make_engine
from app.models import OrgUnit, User
from app.reporting.synthetic import EMAIL_PATTERN

REPO = Path(__file__).resolve().parent.parent
HR_EMAIL, HR_PASSWORD = "hr@demo.takt.example", "takt-demo-hana"
WARMUP_SECONDS, ROUND_SECONDS, ROUNDS = 2.0, 4.0, 5
SAMPLE_PEOPLE = 500
DASHBOARD_P95_MS, DRILL_DOWN_P95_MS = 150.0, 50.0
EXPORT_ROWS_PER_S, EXPORT_GROWTH_MB = 50_000, 100.0
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SERVER_LOG = Path(tempfile.gettempdir()) / "takt-bench-hr-server.log"


@dataclass
class Organisation:
    company_id: int
    team_id: int
    team_headcount: int
    learners: int  # synthetic learners, active or not
    people: list[int]  # a sample of active learners' ids


@dataclass
class Figures:
    """Latencies (s) of one target over every round, and its request rate per round."""

    latencies: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)

    def p(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


@dataclass
class Export:
    rows: int
    seconds: float
    growth_mb: float  # peak resident set during the export minus the one before it
    peak_source: str
    cpu_seconds: float  # the server process's own CPU time (not the database server's)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.rows / self.cpu_seconds if self.cpu_seconds else float("inf")


def main() -> None:
    options = parse()
    if options.build:
        build(options.database_url, options.learners)
    organisation = survey(options.database_url)
    if organisation.learners < options.learners:
        sys.exit(
            f"The database holds {organisation.learners:,} synthetic learners, not "
            f"{options.learners:,}: add --build, or pass --learners {organisation.learners}."
        )
    server_core, client_core = cores()
    port = free_port()
    server = start_server(options.database_url, port, server_core)
    try:
        if client_core is not None:
            os.sched_setaffinity(0, {client_core})
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=120) as client:
            wait_until_up(client, server)
            sign_in(client)
            run(client, server.pid, organisation, options, server_core is not None)
    finally:
        server.terminate()
        server.wait(timeout=30)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("TAKT_DATABASE_URL"))
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--build", action="store_true", help="build the organisation first")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--seconds", type=float, default=ROUND_SECONDS, help="per target/round")
    options = parser.parse_args()
    if not options.database_url:
        parser.error("give --database-url (or set TAKT_DATABASE_URL)")
    return options


def environment(database_url: str) -> dict[str, str]:
    return {**os.environ, "TAKT_DATABASE_URL": database_url, "TAKT_ENV": "development"}


def build(database_url: str, learners: int) -> None:
    """Migrate, then build the organisation unless the database already holds one."""
    takt = str(REPO / ".venv" / "bin" / "takt")
    env = environment(database_url)
    subprocess.run([takt, "db", "upgrade"], env=env, check=True)
    if survey_count(database_url):
        print("The database already holds a synthetic organisation; using it.")
        return
    started = time.perf_counter()
    subprocess.run([takt, "demo", "--learners", str(learners)], env=env, check=True)
    print(f"Built in {time.perf_counter() - started:.0f} s.")


def survey_count(database_url: str) -> int:
    engine = make_engine(database_url)
    with Session(engine) as db:
        count = db.exec(
            select(func.count()).select_from(User).where(col(User.email).like(EMAIL_PATTERN))
        ).one()
    engine.dispose()
    return count


def survey(database_url: str) -> Organisation:
    """The company, a typical team and a sample of learners, read from the database."""
    engine = make_engine(database_url)
    with Session(engine) as db:
        company = db.exec(select(OrgUnit).where(OrgUnit.name == "Demo Bank")).one()
        teams = db.exec(
            select(OrgUnit)
            .where(col(OrgUnit.name).startswith("Team "), col(OrgUnit.headcount) > 0)
            .order_by(col(OrgUnit.id))
        ).all()
        team = sorted(teams, key=lambda t: t.headcount)[len(teams) // 2]  # a median team
        synthetic = col(User.email).like(EMAIL_PATTERN)
        ids = db.exec(select(User.id, User.is_active).where(synthetic)).all()
    engine.dispose()
    active = [user_id for user_id, is_active in ids if is_active]
    people = random.Random(1).sample(active, min(SAMPLE_PEOPLE, len(active)))
    return Organisation(company.id, team.id, team.headcount, len(ids), people)  # type: ignore[arg-type]


def cores() -> tuple[int | None, int | None]:
    """The server's core and the load generator's, when there are two to choose from."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None
    return available[1], available[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, port: int, core: int | None) -> subprocess.Popen[bytes]:
    command = [
        str(REPO / ".venv" / "bin" / "uvicorn"),
        "app.main:app",
        "--port", str(port),
        "--workers", "1",
        "--loop", "uvloop",
        "--http", "httptools",
        "--no-access-log",
        "--log-level", "warning",
    ]  # fmt: skip
    if core is not None:
        command = ["taskset", "-c", str(core), *command]  # taskset execs: the same pid
    log = SERVER_LOG.open("w")  # the app logs each sign-in as a JSON line; kept out of the table
    return subprocess.Popen(
        command, cwd=REPO, env=environment(database_url), stdout=log, stderr=subprocess.STDOUT
    )


def wait_until_up(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"The server exited with {server.returncode}; see {SERVER_LOG}.")
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    sys.exit("The server did not answer /healthz within 60 s.")


def sign_in(client: httpx.Client) -> None:
    match = CSRF.search(client.get("/sign-in").text)
    if match is None:
        sys.exit("The sign-in page has no CSRF token.")
    form = {"email": HR_EMAIL, "password": HR_PASSWORD, "csrf_token": match.group(1)}
    response = client.post("/sign-in", data=form)
    if response.status_code != 303:
        sys.exit(f"Signing in as {HR_EMAIL} answered {response.status_code}.")


def check(client: httpx.Client, url: str, expect: str) -> None:
    """Each URL must answer 200 with its own page: a redirect to sign-in must not win."""
    response = client.get(url)
    if response.status_code != 200 or expect not in response.text:
        sys.exit(f"GET {url} answered {response.status_code} without {expect!r}; not measured.")


def run(
    client: httpx.Client,
    server_pid: int,
    org: Organisation,
    options: argparse.Namespace,
    pinned: bool,
) -> None:
    people = iter(_cycle(org.people))
    targets: dict[str, Callable[[], str]] = {
        "healthz (baseline)": lambda: "/healthz",
        "dashboard: company": lambda: f"/hr/units/{org.company_id}",
        f"dashboard: team ({org.team_headcount})": lambda: f"/hr/units/{org.team_id}",
        "drill-down: learner": lambda: f"/hr/people/{next(people)}",
    }
    check(client, "/healthz", "ok")
    check(client, f"/hr/units/{org.company_id}", "Demo Bank")
    check(client, f"/hr/units/{org.team_id}", "Team ")
    check(client, f"/hr/people/{org.people[0]}", "learner")
    for url in targets.values():
        measure(client, url, WARMUP_SECONDS)
    figures = {name: Figures() for name in targets}
    exports: list[Export] = []
    names = list(targets)
    for number in range(options.rounds):
        order = names[number % len(names) :] + names[: number % len(names)]
        for name in order:
            latencies = measure(client, targets[name], options.seconds)
            figures[name].latencies.extend(latencies)
            figures[name].rates.append(len(latencies) / sum(latencies))
        exports.append(export(client, server_pid, org.company_id))
        print(f"round {number + 1}/{options.rounds} done", file=sys.stderr)
    report(figures, exports, org, pinned)


def _cycle(items: list[int]):  # type: ignore[no-untyped-def]
    while True:
        yield from items


def measure(client: httpx.Client, url: Callable[[], str], seconds: float) -> list[float]:
    """Sequential GETs for `seconds`; each one's time to the last byte."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        path = url()
        started = time.perf_counter()
        response = client.get(path)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            sys.exit(f"GET {path} answered {response.status_code}: the run is void.")
    return latencies


def rss_kb(pid: int, field_name: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field_name} for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far, from /proc: unlike the wall clock, it
    does not count the time other work on a shared machine took the core."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current resident set (Linux ≥ 4.0, our own process)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def export(client: httpx.Client, pid: int, company_id: int) -> Export:
    """Stream the company's progress CSV, sampling the server's resident set meanwhile."""
    before = rss_kb(pid)
    exact = reset_peak(pid)
    peak, stop = [before], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kb(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines = 0
    cpu_before = cpu_seconds(pid)
    started = time.perf_counter()
    with client.stream("GET", f"/hr/exports/progress.csv?unit={company_id}") as response:
        if response.status_code != 200:
            sys.exit(f"The export answered {response.status_code}: the run is void.")
        for chunk in response.iter_bytes():
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    cpu = cpu_seconds(pid) - cpu_before
    stop.set()
    sampler.join()
    highest = max(peak[0], rss_kb(pid, "VmHWM")) if exact else peak[0]
    source = "VmHWM" if exact else "VmRSS sampled every 10 ms"
    return Export(lines - 1, seconds, (highest - before) / 1024, source, cpu)


def report(
    figures: dict[str, Figures], exports: list[Export], org: Organisation, pinned: bool
) -> None:
    names = list(figures)
    baseline = figures[names[0]]
    base_p50 = baseline.p(0.5)
    spread = (max(baseline.rates) - min(baseline.rates)) / statistics.median(baseline.rates)
    mode = "per core (server and client pinned apart)" if pinned else "unpinned"
    print(f"\n{org.learners:,} synthetic learners; {mode}; sequential requests.")
    print(
        f"{'target':30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'p50 ÷ healthz':>14}  {'goal':<22} verdict"
    )
    verdicts = []
    for name in names:
        got = figures[name]
        goal, ok = "", None
        if name.startswith("dashboard"):
            goal, ok = f"p95 ≤ {DASHBOARD_P95_MS:.0f} ms", got.p(0.95) <= DASHBOARD_P95_MS
        elif name.startswith("drill-down"):
            goal, ok = f"p95 ≤ {DRILL_DOWN_P95_MS:.0f} ms", got.p(0.95) <= DRILL_DOWN_P95_MS
        verdicts.append(ok)
        print(
            f"{name:30} {statistics.median(got.rates):>8,.0f} {got.p(0.5):>8.1f} "
            f"{got.p(0.95):>8.1f} {got.p(0.99):>8.1f} {got.p(0.5) / base_p50:>13.1f}×  "
            f"{goal:<22} {_verdict(ok)}"
        )
    rate = statistics.median(e.rate for e in exports)
    growth = max(e.growth_mb for e in exports)
    per_request = statistics.median(baseline.rates)
    ok_rate, ok_memory = rate >= EXPORT_ROWS_PER_S, growth < EXPORT_GROWTH_MB
    verdicts += [ok_rate, ok_memory]
    print(
        f"{'export: progress CSV':30} {rate:>8,.0f} rows/s over {exports[0].rows:,} rows "
        f"(median of {len(exports)}; {rate / per_request:,.0f} rows per healthz request-time)"
        f"{'':2}{'≥ 50,000 rows/s':<22} {_verdict(ok_rate)}"
    )
    cpu_rate = statistics.median(e.cpu_rate for e in exports)
    print(f"{'export: per server CPU-second':30} {cpu_rate:>8,.0f} rows (the app's process only)")
    print(
        f"{'export: server memory growth':30} {growth:>8.1f} MB at worst "
        f"({exports[0].growth_mb:.1f} MB on the first; peak from {exports[0].peak_source})"
        f"{'':2}{'< 100 MB':<22} {_verdict(ok_memory)}"
    )
    if spread > 0.15:
        print(f"noisy: the baseline's rate spread {spread:.0%} across rounds; rerun")
    print("\nALL PASS" if all(v is not False for v in verdicts) else "\nSOME TARGETS FAILED")


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else "PASS" if ok else "FAIL"


if __name__ == "__main__":
    main()

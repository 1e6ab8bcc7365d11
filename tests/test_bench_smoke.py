"""The load benchmarks (bench/load.py) run end to end on the test database, each scenario for
about a second, so that the scripts cannot rot: servers start, the pages and submissions
they measure answer as a browser expects, and the accounting finds every acknowledged
attempt and sitting exactly once. Speed targets are not asserted here."""

import shutil
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import load as load_bench  # noqa: E402 - bench/ is a folder of scripts, not a package

pytestmark = pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"
)


def test_every_scenario_runs_one_tiny_round(database_url, engine, repository_content, capsys):
    options = load_bench.Options(
        database_url=database_url,
        rounds=1,
        seconds=1,
        warmup=1,
        connections=4,
        fixed_rate_seconds=0.5,
        exam_learners=4,
        window=1,
        baseline_seconds=0.5,
        plan_capacity=300,
        content=repository_content,
    )
    with load_bench.started(options) as run:
        for scenario in load_bench.SCENARIOS.values():
            scenario(run)
    output = capsys.readouterr().out
    assert run.checks == {"module": True, "submit": True, "exam": True}, output
    assert "lost 0; duplicated 0" in output
    assert "4 of 4 learners finished" in output
    assert "learners with more than one sitting: 0" in output

"""Toolkit analysis time on 10,000-point data sets, in process, on one core.

Each target is a whole toolkit analysis as a learner's request runs it: read the CSV text,
compute with app.lss, draw the SVG. The baseline, measured in the same interleaved rounds,
is the bare minimum any of them does: reading the same 10,000 numbers from CSV text. The
ratio shows what the statistics and the drawing add.

Run:  taskset -c 1 .venv/bin/python bench/toolkit.py
Target: a control chart with all eight run rules and its SVG in under 200 ms at p99.
"""

import csv
import io
import random
import statistics
import time
from collections.abc import Callable

from app.toolkit import analyses

POINTS, ROUNDS, RUNS_PER_ROUND, WARMUP = 10_000, 5, 6, 2
GOAL_MS = 200.0


def data_sets() -> dict[str, str]:
    rng = random.Random(2026)
    minutes = [round(rng.gauss(30, 4) + (6 if 6_000 <= i < 6_200 else 0), 1) for i in range(POINTS)]
    before = [round(rng.gauss(12, 2), 2) for _ in range(POINTS)]
    after = [round(b - rng.gauss(0.4, 1.0), 2) for b in before]
    reasons = ["Wrong fee", "Card late", "Long wait", "Address", "Statement", "Staff", "Other"]
    weights = [40, 25, 14, 9, 6, 4, 2]
    return {
        "minutes": "day,minutes\n" + "".join(f"{i},{v}\n" for i, v in enumerate(minutes, 1)),
        "paired": "before,after\n"
        + "".join(f"{b},{a}\n" for b, a in zip(before, after, strict=True)),
        "reasons": "reason\n" + "".join(f"{r}\n" for r in rng.choices(reasons, weights, k=POINTS)),
        "doe": "a,b,c,y\n"
        + "".join(
            f"{a},{b},{c},{round(30 - 3 * a + 2 * b + rng.gauss(0, 2), 2)}\n"
            for _ in range(POINTS // 8)
            for a in (-1, 1)
            for b in (-1, 1)
            for c in (-1, 1)
        ),
    }


def targets(data: dict[str, str]) -> dict[str, Callable[[], object]]:
    all_rules = [1, 2, 3, 4, 5, 6, 7, 8]
    return {
        "baseline: read 10,000 numbers": lambda: [
            float(row[1]) for row in list(csv.reader(io.StringIO(data["minutes"])))[1:]
        ],
        "control chart, 8 rules + SVG": lambda: analyses.control_chart(
            analyses.ControlChartInput(data=data["minutes"], rules=all_rules)
        ),
        "capability + SVG": lambda: analyses.capability(
            analyses.CapabilityInput(data=data["minutes"], usl=45)
        ),
        "paired t-test + SVG": lambda: analyses.hypothesis_test(
            analyses.HypothesisTestInput(data=data["paired"], test="paired")
        ),
        "Pareto + SVG": lambda: analyses.pareto(analyses.ParetoInput(data=data["reasons"])),
        "2³ factorial, 10,000 runs + SVG": lambda: analyses.doe(
            analyses.DoeInput(data=data["doe"])
        ),
    }


def timed(job: Callable[[], object]) -> float:
    start = time.perf_counter()
    job()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    jobs = targets(data_sets())
    for job in jobs.values():
        for _ in range(WARMUP):
            job()
    times: dict[str, list[float]] = {name: [] for name in jobs}
    names = list(jobs)
    for round_number in range(ROUNDS):
        rotated = names[round_number % len(names) :] + names[: round_number % len(names)]
        for name in rotated:
            times[name] += [timed(jobs[name]) for _ in range(RUNS_PER_ROUND)]
    base = statistics.median(times[names[0]])
    print(f"{POINTS:,} points per data set; {ROUNDS} interleaved rounds of {RUNS_PER_ROUND} runs")
    print(f"{'target':34} {'p50 ms':>8} {'p99 ms':>8} {'÷ baseline':>11}")
    for name in names:
        ordered = sorted(times[name])
        p50 = statistics.median(ordered)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        print(f"{name:34} {p50:8.1f} {p99:8.1f} {p50 / base:10.1f}×")
    chart = sorted(times["control chart, 8 rules + SVG"])
    worst = chart[round(0.99 * (len(chart) - 1))]
    verdict = "PASS" if worst < GOAL_MS else "FAIL"
    goal = f"goal < {GOAL_MS:.0f} ms"
    print(f"\ncontrol chart with run rules and SVG, p99 {worst:.1f} ms: {goal} {verdict}")


if __name__ == "__main__":
    main()

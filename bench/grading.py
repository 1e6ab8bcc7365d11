"""Grading throughput per exercise kind, in process, on one core.

For each kind: parse + grade of the reference answer over varied seeds (the work a
submission does before touching the database). The baseline, measured in the same run,
is the bare formula work for a yield exercise (app.lss only: FPYs, RTY, DPMO, sigma), so
the ratio shows what the engine adds: parsing, tolerances, diagnosis and feedback.
VSM also reports grade + SVG render time per map.

Run:  .venv/bin/python bench/grading.py            (targets: yield ≥ 2,000 gradings/s;
      taskset -c 1 .venv/bin/python bench/grading.py   VSM grade + SVG < 5 ms)
"""

import statistics
import time
from collections.abc import Callable

from app.config import REPO_ROOT
from app.content.loader import load_content
from app.grading.kinds import KINDS
from app.grading.kinds.base import apply_overrides
from app.grading.kinds.vsm import map_view
from app.grading.variants import make_variant
from app.lss.sigma import dpmo, sigma_level
from app.lss.yields import first_pass_yield, rolled_throughput_yield

ROUNDS, ROUND_SECONDS, WARMUP_SECONDS, SEEDS = 5, 1.0, 0.5, 64
EXERCISE_FOR_KIND = {
    "yield": "yb-yield-mortgage",
    "quiz": "yb-01-check",
    "vsm": "yb-vsm-business-account",
}


def prepared(slug: str) -> list[Callable[[], object]]:
    """One closure per seed that parses and grades that seed's reference answer."""
    exercise = load_content(REPO_ROOT).exercises[slug]
    kind = KINDS[exercise.meta.kind]
    parts = apply_overrides(kind.parts(exercise.params), exercise.meta.parts)
    jobs = []
    for seed in range(SEEDS):
        variant = make_variant(kind, exercise.params, seed)
        raw = kind.to_form(exercise.params, variant, kind.solve(exercise.params, variant))

        def job(variant=variant, raw=raw, kind=kind, params=exercise.params) -> object:
            return kind.grade(params, variant, kind.parse(params, variant, raw), parts)

        jobs.append(job)
    return jobs


def baseline_jobs() -> list[Callable[[], object]]:
    exercise = load_content(REPO_ROOT).exercises[EXERCISE_FOR_KIND["yield"]]
    kind = KINDS["yield"]
    jobs = []
    for seed in range(SEEDS):
        variant = make_variant(kind, exercise.params, seed)

        def job(v=variant) -> object:
            fpy = [
                first_pass_yield(s["units_in"], s["units_in"] - s["reworked"] - s["scrapped"])
                for s in v["steps"]
            ]
            value = dpmo(v["total_defects"], v["units"], v["opportunities"])
            return rolled_throughput_yield(fpy), sigma_level(value)

        jobs.append(job)
    return jobs


def vsm_render_jobs() -> list[Callable[[], object]]:
    exercise = load_content(REPO_ROOT).exercises[EXERCISE_FOR_KIND["vsm"]]
    kind = KINDS["vsm"]
    parts = kind.parts(exercise.params)
    jobs = []
    for seed in range(SEEDS):
        variant = make_variant(kind, exercise.params, seed)
        raw = kind.to_form(exercise.params, variant, kind.solve(exercise.params, variant))

        def job(v=variant, raw=raw, params=exercise.params) -> object:
            kind.grade(params, v, kind.parse(params, v, raw), parts)
            return map_view(raw, "bench").svg

        jobs.append(job)
    return jobs


def run_for(jobs: list[Callable[[], object]], seconds: float) -> list[float]:
    """Call the jobs round-robin for `seconds`; return each call's duration."""
    durations, deadline, index = [], time.perf_counter() + seconds, 0
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        jobs[index % len(jobs)]()
        durations.append(time.perf_counter() - start)
        index += 1
    return durations


def main() -> None:
    targets = {"baseline (bare yield formulas)": baseline_jobs()}
    targets.update({f"{kind} grading": prepared(slug) for kind, slug in EXERCISE_FOR_KIND.items()})
    targets["vsm grade + SVG render"] = vsm_render_jobs()
    for jobs in targets.values():
        run_for(jobs, WARMUP_SECONDS)
    rates: dict[str, list[float]] = {name: [] for name in targets}
    latencies: dict[str, list[float]] = {name: [] for name in targets}
    names = list(targets)
    for round_number in range(ROUNDS):
        order = names[round_number % len(names) :] + names[: round_number % len(names)]
        for name in order:
            durations = run_for(targets[name], ROUND_SECONDS)
            rates[name].append(len(durations) / sum(durations))
            latencies[name].extend(durations)
    baseline = rates[names[0]]
    spread = (max(baseline) - min(baseline)) / statistics.median(baseline)
    print(
        f"{'target':32} {'per s (median)':>15} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'ratio to baseline (min–max)':>30}"
    )
    for name in names:
        ratios = [r / b for r, b in zip(rates[name], baseline, strict=True)]
        ordered = sorted(latencies[name])
        p50 = ordered[len(ordered) // 2] * 1000
        p99 = ordered[int(len(ordered) * 0.99)] * 1000
        print(
            f"{name:32} {statistics.median(rates[name]):>15,.0f} {p50:>8.3f} {p99:>8.3f} "
            f"{statistics.median(ratios):>12.3f} ({min(ratios):.3f}–{max(ratios):.3f})"
        )
    if spread > 0.15:
        print(f"noisy: the baseline spread {spread:.0%} across rounds; rerun")


if __name__ == "__main__":
    main()

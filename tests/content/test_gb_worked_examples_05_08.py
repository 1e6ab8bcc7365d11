"""The worked examples of Green Belt modules 5–8 and the numeric answers of their exercises
agree with app.lss.

Each module's inputs are hard-coded as its text states them; every figure the text derives
from them is recomputed with the project's functions (app.lss.capability, app.lss.spc,
app.lss.pareto, app.lss.sigma; SciPy for the binomial and Poisson probabilities, which app.lss
does not cover) and must appear in the text exactly as written. Every numeric answer in the
modules' exercises is recomputed the same way and compared with the stored answer.
"""

import math
import re
import statistics

import numpy as np
import pytest
import yaml
from scipy.stats import binom, norm, poisson

from app.config import REPO_ROOT
from app.grading.numbers import Tolerance
from app.lss.capability import capability, capability_indices, expected_ppm
from app.lss.pareto import pareto
from app.lss.sigma import dpmo, sigma_level
from app.lss.spc import (
    c_chart_limits,
    chart_constants,
    imr_limits,
    p_chart_limits,
    run_rule_violations,
    u_chart_limits,
    xbar_r_limits,
)

COURSE = REPO_ROOT / "courses" / "green-belt"
WE_RULES = (1, 2, 5, 6)  # Western Electric WE1–WE4 in Nelson's numbering, with a run of 8


def module_text(folder: str) -> str:
    return (COURSE / folder / "index.md").read_text(encoding="utf-8")


def prompt_text(slug: str) -> str:
    return (REPO_ROOT / "exercises" / slug / "prompt.md").read_text(encoding="utf-8")


def figure(folder: str, name: str) -> str:
    return (COURSE / folder / name).read_text(encoding="utf-8")


def svg_attributes(svg: str, element_id: str) -> dict[str, str]:
    """The attributes of the element with this id in an SVG figure."""
    match = re.search(rf'<\w+ id="{re.escape(element_id)}" ([^>]*?)/?>', svg)
    assert match, f"no element with id {element_id}"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))


def assert_safe_svg(svg: str) -> None:
    assert "<title>" in svg
    assert not re.search(r"<script|style=|<style|href=|\bon\w+=", svg)


def exercise(slug: str) -> dict:
    path = REPO_ROOT / "exercises" / slug / "exercise.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def questions(slug: str) -> dict[str, dict]:
    return {q["id"]: q for q in exercise(slug)["params"]["questions"]}


def numeric_answers(slug: str) -> dict[str, float]:
    return {qid: q["answer"] for qid, q in questions(slug).items() if q["type"] == "numeric"}


def correct_options(slug: str, qid: str) -> list[str]:
    return [o["text"] for o in questions(slug)[qid]["options"] if o.get("correct")]


def tolerance(slug: str, qid: str) -> Tolerance:
    q = questions(slug)[qid]
    return Tolerance(rtol=q.get("rtol", 0.005), atol=q.get("atol", 0.0))


def minus(text: str) -> str:
    """Negative numbers as the text prints them, with a true minus sign."""
    return text.replace("-", "−")


def pct(fraction: float, decimals: int = 2) -> str:
    return f"{100 * fraction:.{decimals}f}"


def assert_answers(slug: str, expected: dict[str, float]) -> None:
    answers = numeric_answers(slug)
    assert answers.keys() == expected.keys()
    for key, value in expected.items():
        assert answers[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


# The data as the modules and exercises state them, in time order.

# Module 5: working days to decide 15 housing benefit claims.
CLAIM_DAYS = (12, 9, 15, 7, 38, 10, 9, 14, 11, 21, 6, 15, 9, 17, 13)

# Module 6: minutes late of five time-critical doses on 10 days (spec ±30, target 0).
DOSE_MINUTES = (
    (8, 8, -11, 16, 12),
    (10, 15, 3, 11, 4),
    (23, 15, 19, 18, 4),
    (0, 7, 12, 7, 5),
    (1, 3, 7, 13, 2),
    (20, 8, 12, 8, 21),
    (12, 28, 0, 24, 10),
    (-2, 13, 6, -2, 21),
    (19, 18, 22, 14, 16),
    (0, 10, 5, 2, 3),
)
# Exercise gb-06-callback-capability: minutes off the booked time, four callbacks a day.
CALLBACK_MINUTES = (
    (1.0, 0.6, 1.8, 3.0),
    (-0.6, -4.9, -0.9, -0.7),
    (2.2, -0.6, 0.7, 3.3),
    (1.9, -0.2, 0.8, 3.7),
    (1.0, 0.4, -3.3, -0.9),
    (2.6, -1.0, -0.7, 2.3),
    (-1.8, 2.8, 0.0, 0.7),
    (-0.3, 1.9, -1.1, 1.6),
    (-2.0, 0.9, 2.2, -0.2),
    (-0.8, -2.0, -1.6, 0.0),
    (1.1, 0.0, -1.6, 1.3),
    (1.1, 2.0, -0.1, 6.0),
)

# Module 7: daily average handling time, and the p chart of abandoned calls.
AHT_MINUTES = (
    *(6.27, 6.36, 6.27, 5.94, 6.38, 6.29, 6.09, 6.32, 6.27, 6.26),
    *(6.21, 6.31, 6.05, 7.45, 6.10, 6.32, 6.21, 6.14, 6.04, 6.15),
)
CALLS_OFFERED = (990, 1330, 1430, 980, 940, 1160, 1140, 1320, 1420, 1260, 1120, 1280, 1280)
CALLS_OFFERED += (1160, 1110)
CALLS_ABANDONED = (63, 68, 79, 69, 72, 79, 70, 65, 149, 77, 63, 65, 64, 61, 76)
# Exercise gb-07-imr-triage: daily average minutes to triage, days 1–16 and 17–28.
TRIAGE_PHASE_ONE = (
    *(14.2, 13.5, 13.6, 12.6, 14.8, 15.1, 13.7, 14.8),
    *(14.3, 13.4, 15.0, 13.7, 13.7, 13.2, 14.5, 13.9),
)
TRIAGE_PHASE_TWO = (13.6, 14.4, 17.2, 13.1, 14.6, 14.3, 15.1, 14.5, 14.9, 14.2, 14.6, 14.4)
# Exercise gb-07-p-chart-returns: applications received and returned incomplete, by week.
APPLICATIONS = (244, 244, 237, 303, 307, 205, 265, 256, 295, 306, 250, 273, 303, 266, 257, 189)
RETURNED = (33, 31, 27, 39, 32, 44, 38, 34, 32, 35, 26, 44, 11, 29, 25, 24)

# Module 8: the multi-vari study, the Pareto of causes and the payments FMEA.
CLINIC_WAITS = {  # session: doctor: minutes waited by three consecutive patients
    "Monday am": {"A": (12, 18, 15), "B": (34, 39, 31)},
    "Wednesday pm": {"A": (16, 11, 14), "B": (38, 33, 36)},
    "Friday am": {"A": (13, 17, 19), "B": (32, 37, 35)},
}
DISCHARGE_DELAYS = {
    "Medicines to take home not ready": 74,
    "Transport not booked": 46,
    "Discharge letter not written": 27,
    "Awaiting senior review": 14,
    "Care package not arranged": 11,
    "Other": 8,
}
PAYMENTS_FMEA = (  # failure mode, S, O, D, rank as printed
    ("Invoice paid twice", 7, 4, 6, 1),
    ("Amount keyed wrongly", 6, 6, 4, 2),
    ("Wrong cost centre", 3, 6, 8, 2),
    ("Payment to fraudulently changed bank details", 10, 2, 7, 4),
    ("Invoice paid late", 4, 7, 5, 4),
)
# Exercise gb-08-fmea-prescriptions: line → (S, O, D).
PRESCRIPTIONS_FMEA = {
    "A": (6, 5, 6),
    "B": (9, 2, 5),
    "C": (7, 6, 4),
    "D": (4, 6, 7),
    "E": (10, 2, 4),
    "F": (3, 5, 5),
}
# Exercise gb-08-multi-vari: time → (end A, end B) of three consecutive shafts, µm over 25 mm.
SHAFT_MICRONS = {
    "07:00": ((2, 4), (3, 6), (1, 4)),
    "09:00": ((8, 10), (9, 11), (7, 10)),
    "11:00": ((13, 15), (12, 16), (14, 16)),
    "13:00": ((17, 20), (18, 19), (16, 18)),
}


# ---------------------------------------------------------------------------------------------
# Module 5: descriptive statistics and distributions
# ---------------------------------------------------------------------------------------------


class TestModule05:
    """courses/green-belt/05-descriptive-statistics-distributions and its exercises."""

    TEXT = module_text("05-descriptive-statistics-distributions")

    def test_the_claims_table_and_the_sorted_list(self):
        cells = " | ".join(str(d) for d in CLAIM_DAYS)
        assert f"| Days | {cells} |" in self.TEXT
        assert "Sorted: " + ", ".join(map(str, sorted(CLAIM_DAYS))) + "." in self.TEXT

    def test_centre_of_the_claims(self):
        n, total = len(CLAIM_DAYS), sum(CLAIM_DAYS)
        assert f"add up to {total}, and {total} ÷ {n} = {statistics.mean(CLAIM_DAYS):.2f} days" in (
            self.TEXT
        )
        assert f"the 8th of 15 sorted values, {statistics.median(CLAIM_DAYS):g} days" in self.TEXT
        mode = statistics.mode(CLAIM_DAYS)
        times = {2: "twice", 3: "three times"}[CLAIM_DAYS.count(mode)]
        assert f"**Mode:** {mode} days, which occurs {times}" in self.TEXT

    def test_spread_of_the_claims(self):
        x = np.array(CLAIM_DAYS, dtype=float)
        n = len(x)
        squares = int((x**2).sum())
        ss = ((x - x.mean()) ** 2).sum()
        variance = x.var(ddof=1)
        assert f"{x.max():g} − {x.min():g} = {np.ptp(x):g} days" in self.TEXT
        assert (
            f"add up to {squares:,}, so Σ(x − x̄)² = {squares:,} − {int(x.sum())}² ÷ {n} = {ss:.2f}"
        ) in self.TEXT
        assert f"s² = {ss:.2f} ÷ {n - 1} = {variance:.2f} days²" in self.TEXT
        assert f"s = √{variance:.2f} = {x.std(ddof=1):.2f} days" in self.TEXT

    def test_quartiles_fences_and_the_outlier(self):
        x = np.array(CLAIM_DAYS, dtype=float)
        # The course's rule (median of each half, median left out) and the usual software rules
        # agree on these data, so no learner is marked wrong for a different convention.
        ordered = sorted(CLAIM_DAYS)
        q1, q3 = statistics.median(ordered[:7]), statistics.median(ordered[8:])
        for method in ("linear", "weibull", "hazen", "median_unbiased", "midpoint"):
            assert list(np.percentile(x, [25, 75], method=method)) == [q1, q3], method
        iqr = q3 - q1
        low, high = q1 - 1.5 * iqr, q3 + 1.5 * iqr
        assert f"median Q1 = {q1:g}" in self.TEXT
        assert f"median Q3 = {q3:g}. IQR = {q3:g} − {q1:g} = {iqr:g} days" in self.TEXT
        assert f"{q1:g} − 1.5 × {iqr:g} = {low:g} and {q3:g} + 1.5 × {iqr:g} = {high:g} days" in (
            self.TEXT
        )
        assert [d for d in CLAIM_DAYS if d > high or d < low] == [38]
        assert high > 21  # "claim 10, at 21 days, does not"

    def test_the_claims_without_the_outlier(self):
        rest = [d for d in CLAIM_DAYS if d != 38]
        assert f"the mean falls to {statistics.mean(rest):.1f} days" in self.TEXT
        assert f"s to {statistics.stdev(rest):.2f} days" in self.TEXT
        assert f"moves from 12 to {statistics.median(rest):g}" in self.TEXT
        assert 1.8 < statistics.stdev(CLAIM_DAYS) / statistics.stdev(rest) < 2  # "almost doubles"

    def test_the_box_plot_figure_matches_the_claims(self):
        svg = figure("05-descriptive-statistics-distributions", "claims-box-plot.svg")
        assert_safe_svg(svg)
        assert "(claims-box-plot.svg " in self.TEXT

        def x(days: float) -> float:  # the figure's scale: 0 days at x = 80, 14 px per day
            return 80 + 14 * days

        ordered = sorted(CLAIM_DAYS)
        q1, median, q3 = statistics.median(ordered[:7]), statistics.median(ordered), 15
        box = svg_attributes(svg, "box")
        assert float(box["x"]) == x(q1)
        assert float(box["x"]) + float(box["width"]) == pytest.approx(x(q3))
        assert float(svg_attributes(svg, "median")["x1"]) == x(median)
        assert float(svg_attributes(svg, "whisker-low")["x1"]) == x(6)
        assert float(svg_attributes(svg, "whisker-high")["x2"]) == x(21)
        assert float(svg_attributes(svg, "fence")["x1"]) == x(q3 + 1.5 * (q3 - q1))
        assert float(svg_attributes(svg, "outlier-38")["cx"]) == x(38)
        mean_path = svg_attributes(svg, "mean")["d"]
        assert mean_path.startswith(f"M {round(x(statistics.mean(CLAIM_DAYS)), 2)} ")
        dots = re.findall(r'<circle id="dot-(\d+)-\d+" cx="([\d.]+)"', svg)
        assert sorted(int(d) for d, _ in dots) == ordered
        assert all(float(cx) == x(int(d)) for d, cx in dots)

    def test_the_normal_table(self):
        for k, shown in ((1, "68.27"), (2, "95.45"), (3, "99.73")):
            assert f"{100 * (2 * norm.cdf(k) - 1):.2f}" == shown
            assert f"| μ ± {k}σ | {shown}% |" in self.TEXT

    def test_the_vaccine_fridge(self):
        mean, sd, lsl, usl = 5.1, 0.9, 2, 8
        ppm = expected_ppm(mean, sd, lsl, usl)
        z_low, z_high = (lsl - mean) / sd, (usl - mean) / sd
        low = minus(f"{z_low:.3f}")
        assert f"z = (2 − 5.1) ÷ 0.9 = {low}, and Φ({low}) = {norm.cdf(z_low):.6f}" in self.TEXT
        assert f"or **{ppm.below:.0f} ppm** of readings too cold" in self.TEXT
        assert f"z = (8 − 5.1) ÷ 0.9 = {z_high:.3f}, and 1 − Φ({z_high:.3f}) = " in self.TEXT
        assert f"= {norm.sf(z_high):.6f}, or **{ppm.above:.0f} ppm** too warm" in self.TEXT
        assert f"{ppm.below:.0f} + {ppm.above:.0f} = **{ppm.total:.0f} ppm**" in self.TEXT
        assert round(ppm.total * 8760 / 1e6) == 8  # "about 8 readings ... each year"
        assert 0.6 < ppm.above / ppm.total < 0.72  # "roughly two thirds of them warm ones"

    def test_the_binomial_audit(self):
        p0, p1, p2 = (binom.pmf(k, 20, 0.05) for k in range(3))
        assert f"0.95^20 = {p0:.4f}" in self.TEXT
        assert f"20 × 0.05 × 0.95^19 = {p1:.4f}" in self.TEXT
        assert f"{math.comb(20, 2)} × 0.05² × 0.95^18 = {p2:.4f}" in self.TEXT
        three_plus = binom.sf(2, 20, 0.05)
        assert f"1 − ({p0:.4f} + {p1:.4f} + {p2:.4f}) = {three_plus:.3f}" in self.TEXT
        assert round(1 / p0) == 3 and round(1 / three_plus) == 13

    def test_the_poisson_payslips(self):
        lam = 2.5
        assert f"e^(−2.5) = {poisson.pmf(0, lam):.4f}: only about one batch in twelve" in self.TEXT
        assert round(1 / poisson.pmf(0, lam)) == 12
        factor = 1 + lam + lam**2 / 2
        assert f"= {math.exp(-lam):.5f} × {factor:g} = {poisson.cdf(2, lam):.4f}" in self.TEXT
        assert f"e^(−0.025) = {math.exp(-0.025):.4f}" in self.TEXT

    def test_skewed_waits_and_the_central_limit_theorem(self):
        z = -48 / 55
        assert minus(f"Φ(−48 ÷ 55) = Φ({z:.3f}) = {100 * norm.cdf(z):.1f}%") in self.TEXT
        assert f"55 ÷ √400 = {55 / math.sqrt(400):.2f} seconds" in self.TEXT

    def test_the_knowledge_check_answers(self):
        assert_answers(
            "gb-05-check",
            {
                "z-score": (102 - 100.4) / 0.8,
                "upper-fence": 22 + 1.5 * (22 - 14),
                "standard-error": 240 / math.sqrt(64),
            },
        )

    def test_the_discharge_waits_answers(self):
        hours = [4.5, 2.0, 6.0, 3.0, 19.5, 3.5, 1.5, 5.5, 4.0, 3.0, 7.5, 2.5, 6.0, 9.0, 3.5, 5.0]
        prompt = prompt_text("gb-05-discharge-waits")
        assert "| Hours | " + " | ".join(f"{h:.1f}" for h in hours) + " |" in prompt
        ordered = sorted(hours)
        q1, q3 = statistics.median(ordered[:8]), statistics.median(ordered[8:])
        x = np.array(hours)
        for method in ("linear", "weibull", "hazen", "median_unbiased", "midpoint"):
            assert list(np.percentile(x, [25, 75], method=method)) == [q1, q3], method
        fence = q3 + 1.5 * (q3 - q1)
        outliers = [h for h in hours if h > fence or h < q1 - 1.5 * (q3 - q1)]
        assert_answers(
            "gb-05-discharge-waits",
            {
                "mean": statistics.mean(hours),
                "median": statistics.median(hours),
                "sd": statistics.stdev(hours),
                "q1": q1,
                "q3": q3,
                "upper-fence": fence,
                "outliers": len(outliers),
            },
        )
        assert sum(h < statistics.mean(hours) for h in hours) == 10  # "above 10 of the 16"

    def test_the_probabilities_answers(self):
        steriliser = expected_ppm(135.65, 0.45, 134, 137)
        centred = expected_ppm(135.5, 0.45, 134, 137)
        assert_answers(
            "gb-05-probabilities",
            {
                "z-upper": (137 - 135.65) / 0.45,
                "ppm-above": steriliser.above,
                "ppm-total": steriliser.total,
                "ppm-centred": centred.total,
                "binomial-none": 100 * binom.pmf(0, 25, 0.08),
                "binomial-two-plus": 100 * binom.sf(1, 25, 0.08),
                "poisson-none": 100 * poisson.pmf(0, 1.8),
                "poisson-four-plus": 100 * poisson.sf(3, 1.8),
                "standard-error": 210 / math.sqrt(49),
                "mean-above": 100 * norm.sf((440 - 380) / (210 / math.sqrt(49))),
            },
        )

    def test_forgetting_the_lower_tail_is_not_accepted(self):
        total = expected_ppm(135.65, 0.45, 134, 137)
        tol = tolerance("gb-05-probabilities", "ppm-total")
        assert not tol.accepts(total.above, total.total)

    def test_a_z_table_rounded_to_two_decimals_is_accepted(self):
        table = 2 * norm.cdf(-round(1.5 / 0.45, 2)) * 1e6
        exact = expected_ppm(135.5, 0.45, 134, 137).total
        assert tolerance("gb-05-probabilities", "ppm-centred").accepts(table, exact)


# ---------------------------------------------------------------------------------------------
# Module 6: process capability
# ---------------------------------------------------------------------------------------------


class TestModule06:
    """courses/green-belt/06-process-capability and its exercises."""

    TEXT = module_text("06-process-capability")
    LSL, USL, TARGET = -30, 30, 0
    STUDY = capability([x for day in DOSE_MINUTES for x in day], LSL, USL, subgroup_size=5)

    @staticmethod
    def signed(value: float) -> str:
        return f"{value:g}".replace("-", "−")

    def test_every_row_of_the_table_and_the_chart_has_no_signals(self):
        chart = xbar_r_limits(DOSE_MINUTES)
        for day, (doses, mean, rng) in enumerate(
            zip(DOSE_MINUTES, chart.means, chart.ranges, strict=True), start=1
        ):
            cells = " | ".join(self.signed(x) for x in doses)
            assert f"| {day} | {cells} | {mean:.1f} | {rng:g} |" in self.TEXT
        assert run_rule_violations(chart.means, chart.xbar.center, chart.sigma_of_mean) == []
        assert run_rule_violations(chart.ranges, chart.r.center, chart.sigma_within * 0.864) == []

    def test_the_two_sigmas(self):
        values = np.array(DOSE_MINUTES, dtype=float).ravel()
        s = self.STUDY
        r_bar = s.sigma_within * chart_constants(5).d2
        assert f"add up to {values.sum():g}, so x̿ = {values.sum():g} ÷ 50 = {s.mean:.1f}" in (
            self.TEXT
        )
        assert f"add up to {r_bar * 10:g}, so R̄ = {r_bar:.1f}" in self.TEXT
        assert f"σ_within = {r_bar:.1f} ÷ 2.326 = {s.sigma_within:.2f} minutes" in self.TEXT
        squares = int((values**2).sum())
        ss = ((values - s.mean) ** 2).sum()
        assert f"add up to {squares:,}, so Σ(x − x̿)² = {squares:,} − 50 × 10.0² = {ss:,.0f}" in (
            self.TEXT
        )
        assert f"s² = {ss:,.0f} ÷ 49 = {ss / 49:.2f} and s = {s.sigma_overall:.2f} minutes" in (
            self.TEXT
        )

    def test_the_indices(self):
        s = self.STUDY
        w, o = f"{s.sigma_within:.2f}", f"{s.sigma_overall:.2f}"
        assert f"**Cp** = 60 ÷ (6 × {w}) = {s.cp:.2f}" in self.TEXT
        assert f"**Cpu** = (30 − 10.0) ÷ (3 × {w}) = {s.cpu:.2f}" in self.TEXT
        assert f"**Cpl** = (10.0 + 30) ÷ (3 × {w}) = {s.cpl:.2f}, so **Cpk = {s.cpk:.2f}**" in (
            self.TEXT
        )
        assert f"**Pp** = 60 ÷ (6 × {o}) = {s.pp:.2f}" in self.TEXT
        assert f"**Ppk** = (30 − 10.0) ÷ (3 × {o}) = {s.ppk:.2f}" in self.TEXT

    def test_the_expected_ppm_and_cpm(self):
        s = self.STUDY
        z = (self.USL - s.mean) / s.sigma_overall
        assert f"z = (30 − 10.0) ÷ {s.sigma_overall:.2f} = {z:.2f}" in self.TEXT
        assert f"gives {s.ppm_overall.above:,.0f} ppm late" in self.TEXT
        assert f"almost 5σ away ({s.ppm_overall.below:.1f} ppm)" in self.TEXT
        assert 4.9 < (s.mean - self.LSL) / s.sigma_overall < 5
        assert f"About **{round(s.ppm_overall.total, -1):,.0f} doses per million**" in self.TEXT
        assert f"one in {round(1e6 / s.ppm_overall.total, -1):.0f}" in self.TEXT
        assert f"the figure is {round(s.ppm_within.total, -1):,.0f} ppm" in self.TEXT
        variance = s.sigma_overall**2
        cpm = (self.USL - self.LSL) / (6 * math.sqrt(variance + (s.mean - self.TARGET) ** 2))
        assert f"60 ÷ (6 × √({variance:.2f} + 10.0²)) = {cpm:.2f}" in self.TEXT

    def test_centring_the_round(self):
        s = self.STUDY
        centred = expected_ppm(self.TARGET, s.sigma_overall, self.LSL, self.USL)
        assert f"Pp = Ppk = {s.pp:.2f}" in self.TEXT
        assert f"would fall from {s.ppm_overall.above:,.0f} to {centred.total:,.0f}" in self.TEXT
        means = xbar_r_limits(DOSE_MINUTES).means
        assert f"day 9 averaged {means[8]:.1f} minutes late, day 10 only {means[9]:.1f}" in (
            self.TEXT
        )

    @pytest.mark.parametrize(
        "cp, shown, digits",
        [(1.0, "2,700", -2), (4 / 3, "63", 0), (5 / 3, "0.57", 2), (2.0, "0.002", 3)],
    )
    def test_the_table_of_centred_processes(self, cp, shown, digits):
        ppm = expected_ppm(0, 1, -3 * cp, 3 * cp).total
        assert f"{round(ppm, digits):,.{max(digits, 0)}f}" == shown
        assert f"| {cp:.2f} | {round(3 * cp)}σ | {shown} |" in self.TEXT

    def test_the_one_sided_payroll_batch(self):
        idx = capability_indices(0, 20, usl=70)
        assert f"Cpu = 70 ÷ (3 × 20) = {idx.cpk:.2f}" in self.TEXT
        assert f"Φ(−3.5), or {expected_ppm(0, 20, usl=70).total:.0f} runs per million" in self.TEXT

    def test_the_lognormal_call_waits(self):
        mu, sigma, limit = 2.0, 0.6, math.log(20)
        log_scale = capability_indices(mu, sigma, usl=limit)
        late = expected_ppm(mu, sigma, usl=limit).total / 1e6
        assert f"e^2.0 = {math.exp(mu):.1f} seconds" in self.TEXT
        assert f"ln 20 = {limit:.2f}" in self.TEXT
        assert f"Ppu = ({limit:.2f} − 2.0) ÷ (3 × 0.6) = {log_scale.cpk:.2f}" in self.TEXT
        assert f"1 − Φ({3 * log_scale.cpk:.2f}) = {100 * late:.2f}%" in self.TEXT
        mean = math.exp(mu + sigma**2 / 2)
        sd = mean * math.sqrt(math.exp(sigma**2) - 1)
        naive = capability_indices(mean, sd, usl=20)
        naive_late = expected_ppm(mean, sd, usl=20).total / 1e6
        assert f"mean of {mean:.2f} seconds and a standard deviation of {sd:.2f} seconds" in (
            self.TEXT
        )
        assert f"Ppu = (20 − {mean:.2f}) ÷ (3 × {sd:.2f}) = {naive.cpk:.2f}" in self.TEXT
        assert f"predicts only {100 * naive_late:.2f}% late" in self.TEXT
        assert (late - naive_late) / late > 0.40  # "understates ... by more than 40%"

    def test_attribute_capability_of_the_call_centre(self):
        rate = dpmo(312, 4800, 1)
        z = sigma_level(rate, shift=0)
        assert f"312 ÷ 4,800 = {rate / 1e6:.3f}, or {rate:,.0f} DPMO" in self.TEXT
        assert f"NORM.S.INV({1 - rate / 1e6:.3f}) = {z:.2f}" in self.TEXT
        assert f"{z:.2f} + 1.5 = {sigma_level(rate):.2f}" in self.TEXT
        assert f"{z:.2f} ÷ 3 = {z / 3:.2f}" in self.TEXT

    def test_the_cpk_and_sigma_level_link(self):
        assert round(3 * 1.33) == 4
        assert "Cpk = 1.33 means Z = 4" in self.TEXT

    def test_the_knowledge_check_answers(self):
        assert_answers(
            "gb-06-check",
            {
                "sigma-within": 8.2 / chart_constants(4).d2,
                "cpk": capability_indices(47, 2, 40, 50).cpk,
                "nearest-limit": 3 * 1.2,
            },
        )

    def test_the_callback_data_in_the_prompt(self):
        prompt = prompt_text("gb-06-callback-capability")
        for day, calls in enumerate(CALLBACK_MINUTES, start=1):
            cells = " | ".join(f"{x:.1f}".replace("-", "−") for x in calls)
            assert f"| {day} | {cells} |" in prompt

    def test_the_callback_capability_answers(self):
        values = [x for day in CALLBACK_MINUTES for x in day]
        study = capability(values, -5, 5, subgroup_size=4)
        chart = xbar_r_limits(CALLBACK_MINUTES)
        assert chart.sigma_within == pytest.approx(study.sigma_within)
        assert run_rule_violations(chart.means, chart.xbar.center, chart.sigma_of_mean) == []
        assert_answers(
            "gb-06-callback-capability",
            {
                "grand-mean": study.mean,
                "r-bar": chart.r.center,
                "sigma-within": study.sigma_within,
                "sigma-overall": study.sigma_overall,
                "cp": study.cp,
                "cpk": study.cpk,
                "pp": study.pp,
                "ppk": study.ppk,
                "ppm": study.ppm_overall.total,
            },
        )
        # The solution's claims about the action: centring gains little, the spread is wide.
        centred = expected_ppm(0, study.sigma_overall, -5, 5).total
        assert round(centred, -2) == 9200
        assert study.cp < 1 and study.cp - study.cpk < 0.1 and study.cp - study.pp < 0.05

    def test_the_one_sided_and_attribute_answers(self):
        rate = dpmo(175, 1250, 10)
        surgery = sigma_level(dpmo(46, 2000, 1), shift=0)
        assert_answers(
            "gb-06-one-sided-attribute",
            {
                "lab-cpu": capability_indices(42, 5.5, usl=60).cpk,
                "lab-ppm": expected_ppm(42, 5.5, usl=60).total,
                "claims-dpmo": rate,
                "claims-sigma": sigma_level(rate),
                "surgery-z": surgery,
                "surgery-ppk": surgery / 3,
                "pharmacy-ppu": capability_indices(2.8, 0.35, usl=math.log(30)).cpk,
                "pharmacy-late": 100 * expected_ppm(2.8, 0.35, usl=math.log(30)).total / 1e6,
            },
        )

    def test_z_tables_are_accepted_for_the_ppm_answers(self):
        lab = norm.sf(round(18 / 5.5, 2)) * 1e6
        assert tolerance("gb-06-one-sided-attribute", "lab-ppm").accepts(
            lab, expected_ppm(42, 5.5, usl=60).total
        )


# ---------------------------------------------------------------------------------------------
# Module 7: statistical process control
# ---------------------------------------------------------------------------------------------


class TestModule07:
    """courses/green-belt/07-statistical-process-control and its exercises."""

    TEXT = module_text("07-statistical-process-control")

    def test_the_constants_quoted(self):
        five = chart_constants(5)
        assert (five.A2, five.D3, five.D4, five.d2) == (0.577, 0, 2.114, 2.326)
        assert "for n = 5, A2 = 0.577, D3 = 0, D4 = 2.114 and d2 = 2.326" in self.TEXT
        two = chart_constants(2)
        assert round(two.E2, 2) == 2.66 and two.D4 == 3.267
        assert "| Individuals | x̄ | x̄ ± 2.66·MR̄ |" in self.TEXT
        assert "| Moving range | MR̄ | 0 and 3.267·MR̄ |" in self.TEXT

    @pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
    def test_the_table_of_constants(self, n):
        c = chart_constants(n)
        row = f"| {n} | {c.A2:.3f} | {c.D3:g} | {c.D4:.3f} | {c.d2:.3f} | {c.A3:.3f} | {c.B4:.3f} |"
        assert row in self.TEXT

    def test_the_note_on_b3_and_d3(self):
        assert max(chart_constants(n).B3 for n in range(2, 6)) == 0
        assert f"{chart_constants(6).B3:.3f} for n = 6" in self.TEXT
        assert max(chart_constants(n).D3 for n in range(2, 7)) == 0 < chart_constants(7).D3

    def test_the_laboratory_xbar_r_example(self):
        c = chart_constants(5)
        half = c.A2 * 6.8
        assert f"41.2 ± 0.577 × 6.8 = 41.2 ± {half:.2f}, that is {41.2 - half:.2f} and " in (
            self.TEXT
        )
        assert f"and {41.2 + half:.2f} minutes" in self.TEXT
        assert f"2.114 × 6.8 = {c.D4 * 6.8:.2f} minutes" in self.TEXT
        assert f"6.8 ÷ 2.326 = {6.8 / c.d2:.2f} minutes" in self.TEXT

    def test_the_aht_table(self):
        limits = imr_limits(AHT_MINUTES)
        first, second = AHT_MINUTES[:10], AHT_MINUTES[10:]
        assert "| AHT | " + " | ".join(f"{x:.2f}" for x in first) + " |" in self.TEXT
        assert "| AHT | " + " | ".join(f"{x:.2f}" for x in second) + " |" in self.TEXT
        ranges = [f"{m:.2f}" for m in limits.moving_ranges]
        assert "| MR | | " + " | ".join(ranges[:9]) + " |" in self.TEXT
        assert "| MR | " + " | ".join(ranges[9:]) + " |" in self.TEXT

    def test_the_aht_limits(self):
        lim = imr_limits(AHT_MINUTES)
        total_mr = sum(lim.moving_ranges)
        mean, mr_bar = lim.individuals.center, lim.moving_range.center
        assert f"add up to {sum(AHT_MINUTES):.2f}, so x̄ = {mean:.4f} minutes" in self.TEXT
        assert f"add up to {total_mr:.2f}, so MR̄ = {total_mr:.2f} ÷ 19 = {mr_bar:.4f}" in self.TEXT
        half = 2.66 * round(mr_bar, 4)  # as a reader multiplies the figures shown
        assert f"{mean:.4f} ± 2.66 × {mr_bar:.4f} = {mean:.4f} ± {half:.4f}" in self.TEXT
        assert f"UCL = {lim.individuals.ucl:.3f} and LCL = {lim.individuals.lcl:.3f}" in self.TEXT
        # The tabled E2 = 2.66 and the exact 3/1.128 give the same three decimals.
        assert f"{mean + half:.3f}" == f"{lim.individuals.ucl:.3f}"
        assert f"{mean - half:.3f}" == f"{lim.individuals.lcl:.3f}"
        assert f"3.267 × {mr_bar:.4f} = {lim.moving_range.ucl:.3f}" in self.TEXT

    def test_the_aht_signals(self):
        lim = imr_limits(AHT_MINUTES)
        found = run_rule_violations(AHT_MINUTES, lim.individuals.center, lim.sigma)
        assert [(v.rule, v.index + 1) for v in found] == [(1, 14)]
        we = run_rule_violations(
            AHT_MINUTES, lim.individuals.center, lim.sigma, rules=WE_RULES, same_side_run=8
        )
        assert [(v.rule, v.index + 1) for v in we] == [(1, 14)]
        high = [m for m in lim.moving_ranges if m > lim.moving_range.ucl]
        assert [f"{m:.2f}" for m in high] == ["1.40", "1.35"]
        assert "day 14 (7.45) lies above the UCL" in self.TEXT
        assert "(1.40 and 1.35) lie above the MR limit" in self.TEXT

    def test_the_chart_figure_matches_the_data_and_the_limits(self):
        svg = figure("07-statistical-process-control", "aht-imr-chart.svg")
        assert_safe_svg(svg)
        assert "(aht-imr-chart.svg " in self.TEXT
        lim = imr_limits(AHT_MINUTES)

        def y_individual(v: float) -> float:  # 5.3 minutes at y = 230, 7.6 at y = 40
            return round(230 - (v - 5.3) / (7.6 - 5.3) * 190, 2)

        def y_range(v: float) -> float:  # 0 at y = 410, 1.6 at y = 290
            return round(410 - v / 1.6 * 120, 2)

        for day, value in enumerate(AHT_MINUTES, start=1):
            point = svg_attributes(svg, f"i-{day}")
            assert float(point["cx"]) == 100 + 28 * (day - 1)
            assert float(point["cy"]) == y_individual(value)
            assert (point["fill"] == "#c0392b") == (day == 14)
        for day, value in enumerate(lim.moving_ranges, start=2):
            point = svg_attributes(svg, f"mr-{day}")
            assert float(point["cy"]) == y_range(value)
            assert (point["fill"] == "#c0392b") == (day in (14, 15))
        for ident, value in (
            ("i-ucl", lim.individuals.ucl),
            ("i-centre", lim.individuals.center),
            ("i-lcl", lim.individuals.lcl),
        ):
            assert float(svg_attributes(svg, ident)["y1"]) == y_individual(value)
        assert float(svg_attributes(svg, "mr-ucl")["y1"]) == y_range(lim.moving_range.ucl)
        assert f">UCL {lim.individuals.ucl:.3f}</text>" in svg
        assert f">LCL {lim.individuals.lcl:.3f}</text>" in svg
        assert f">UCL {lim.moving_range.ucl:.3f}</text>" in svg

    def test_the_revised_phase_one_limits(self):
        kept = AHT_MINUTES[:13] + AHT_MINUTES[14:]
        lim = imr_limits(kept)
        total_mr = sum(lim.moving_ranges)
        assert (
            f"x̄ = {sum(kept):.2f} ÷ 19 = {lim.individuals.center:.4f}, "
            f"MR̄ = {total_mr:.2f} ÷ 18 = {lim.moving_range.center:.4f}"
        ) in self.TEXT
        assert "|6.10 − 6.05| = 0.05" in self.TEXT
        assert (
            f"the limits become {lim.individuals.lcl:.3f} and {lim.individuals.ucl:.3f} minutes"
        ) in self.TEXT
        assert run_rule_violations(kept, lim.individuals.center, lim.sigma, same_side_run=8) == []
        before = imr_limits(AHT_MINUTES).moving_range.center
        assert 1.8 < before / lim.moving_range.center < 2  # "almost doubled MR̄"

    def test_the_abandonment_p_chart(self):
        lim = p_chart_limits(CALLS_ABANDONED, CALLS_OFFERED)
        assert lim.center == 0.0625
        assert (
            f"{sum(CALLS_ABANDONED):,} of {sum(CALLS_OFFERED):,} calls were abandoned: "
            f"p̄ = {lim.center:.4f}, or {100 * lim.center:.2f}%"
        ) in self.TEXT
        for day in range(15):
            row = (
                f"| {day + 1} | {CALLS_OFFERED[day]:,} | {CALLS_ABANDONED[day]} | "
                f"{pct(lim.points[day])} | {pct(lim.lcl[day])} | {pct(lim.ucl[day])} |"
            )
            assert row in self.TEXT
        found = run_rule_violations(lim.points, lim.center, lim.sigma, WE_RULES, same_side_run=8)
        assert [(v.rule, v.index + 1) for v in found] == [(1, 9)]

    def test_the_outage_day_and_phase_two(self):
        lim = p_chart_limits(CALLS_ABANDONED, CALLS_OFFERED)
        half = 3 * lim.sigma[8]
        assert f"3√(0.0625 × 0.9375 ÷ 1,420) = {half:.4f}" in self.TEXT
        assert f"6.25% ± {100 * half:.2f} points" in self.TEXT
        kept_d = sum(CALLS_ABANDONED) - CALLS_ABANDONED[8]
        kept_n = sum(CALLS_OFFERED) - CALLS_OFFERED[8]
        assert f"p̄ = {kept_d} ÷ {kept_n:,} = {100 * kept_d / kept_n:.2f}%" in self.TEXT

    def test_the_invoice_u_chart(self):
        errors, invoices, day_errors, day_invoices = 420, 14_000, 33, 600
        units, day_units = invoices / 100, day_invoices / 100
        lim = u_chart_limits([errors - day_errors, day_errors], [units - day_units, day_units])
        assert f"u = {errors} ÷ {units:g} = {lim.center:.1f} errors per 100".replace(
            "u", "ū", 1
        ) in (self.TEXT)
        half = 3 * lim.sigma[1]
        assert (
            f"3.0 ± 3√(3.0 ÷ 6) = 3.0 ± {half:.2f}, from {lim.lcl[1]:.2f} to {lim.ucl[1]:.2f}"
            in (self.TEXT)
        )
        assert lim.points[1] == 5.5 > lim.ucl[1]

    def test_the_false_alarm_rate(self):
        rate = 2 * norm.sf(3)
        assert round(rate * 1000) == 3
        assert round(1 / rate, -1) == 370
        assert "once in about 370 points" in self.TEXT

    def test_the_knowledge_check_answers(self):
        assert_answers(
            "gb-07-check",
            {
                "xbar-ucl": 12.4 + chart_constants(4).A2 * 3.1,
                "c-ucl": c_chart_limits([16, 16]).ucl,
            },
        )
        exact_a2 = 3 / (chart_constants(4).d2 * 2)
        assert tolerance("gb-07-check", "xbar-ucl").accepts(12.4 + exact_a2 * 3.1, 14.6599)

    def test_the_triage_data_in_the_prompt(self):
        prompt = prompt_text("gb-07-imr-triage")
        for values in (TRIAGE_PHASE_ONE, TRIAGE_PHASE_TWO):
            assert "| Minutes | " + " | ".join(f"{x:.1f}" for x in values) + " |" in prompt

    def test_the_triage_limits(self):
        lim = imr_limits(TRIAGE_PHASE_ONE)
        assert_answers(
            "gb-07-imr-triage",
            {
                "centre": lim.individuals.center,
                "mr-bar": lim.moving_range.center,
                "ucl": lim.individuals.ucl,
                "lcl": lim.individuals.lcl,
                "mr-ucl": lim.moving_range.ucl,
                "we4-day": 28,
            },
        )
        # Tabled constants (2.66) give answers inside the tolerance too.
        mean, mr_bar = lim.individuals.center, lim.moving_range.center
        assert tolerance("gb-07-imr-triage", "ucl").accepts(
            mean + 2.66 * mr_bar, lim.individuals.ucl
        )
        assert tolerance("gb-07-imr-triage", "lcl").accepts(
            mean - 2.66 * mr_bar, lim.individuals.lcl
        )

    def test_the_triage_signals(self):
        lim = imr_limits(TRIAGE_PHASE_ONE)
        centre, sigma = lim.individuals.center, lim.sigma
        assert run_rule_violations(TRIAGE_PHASE_ONE, centre, sigma, same_side_run=8) == []
        assert all(m <= lim.moving_range.ucl for m in lim.moving_ranges)
        both = TRIAGE_PHASE_ONE + TRIAGE_PHASE_TWO
        found = run_rule_violations(both, centre, sigma, WE_RULES, same_side_run=8)
        assert [(v.rule, v.index + 1) for v in found] == [(1, 19), (2, 28)]
        assert numeric_answers("gb-07-imr-triage")["we4-day"] == found[-1].index + 1
        assert correct_options("gb-07-imr-triage", "beyond-limits") == ["Day 19"]
        jumps = [
            day for day in range(2, 29) if abs(both[day - 1] - both[day - 2]) > lim.moving_range.ucl
        ]
        assert jumps == [20]
        assert correct_options("gb-07-imr-triage", "mr-signal")[0].startswith(
            "The one ending on day 20"
        )
        run = {day: both[day - 1] for day in range(21, 29)}
        assert all(x > centre for x in run.values())  # the eight days of the WE4 run
        assert [day for day, x in run.items() if x - centre > sigma] == [23, 25]

    def test_the_returns_data_in_the_prompt(self):
        prompt = prompt_text("gb-07-p-chart-returns")
        for week, (n, d) in enumerate(zip(APPLICATIONS, RETURNED, strict=True), start=1):
            assert f"| {week} | {n} | {d} |" in prompt

    def test_the_returns_p_chart_answers(self):
        lim = p_chart_limits(RETURNED, APPLICATIONS)
        kept = [i for i in range(16) if i not in (5, 12)]
        phase_two = sum(RETURNED[i] for i in kept) / sum(APPLICATIONS[i] for i in kept)
        assert_answers(
            "gb-07-p-chart-returns",
            {
                "p-bar": 100 * lim.center,
                "ucl-week-5": 100 * lim.ucl[4],
                "lcl-week-16": 100 * lim.lcl[15],
                "phase-two-p-bar": 100 * phase_two,
            },
        )
        assert (APPLICATIONS[4], APPLICATIONS[15]) == (max(APPLICATIONS), min(APPLICATIONS))

    def test_the_returns_signals(self):
        lim = p_chart_limits(RETURNED, APPLICATIONS)
        found = run_rule_violations(lim.points, lim.center, lim.sigma, WE_RULES, same_side_run=8)
        weeks = sorted({v.index + 1 for v in found})
        assert weeks == [6, 13]
        assert correct_options("gb-07-p-chart-returns", "signals") == ["Week 6", "Week 13"]
        every_nelson_rule = run_rule_violations(lim.points, lim.center, lim.sigma)
        assert {v.rule for v in every_nelson_rule} == {1}  # no alternation, trend or run


# ---------------------------------------------------------------------------------------------
# Module 8: root cause analysis
# ---------------------------------------------------------------------------------------------


class TestModule08:
    """courses/green-belt/08-root-cause-analysis and its exercises."""

    TEXT = module_text("08-root-cause-analysis")

    def test_the_multi_vari_table(self):
        for session, doctors in CLINIC_WAITS.items():
            a, b = doctors["A"], doctors["B"]
            row = (
                f"| {session} | {', '.join(map(str, a))} | {statistics.mean(a):.2f} | "
                f"{', '.join(map(str, b))} | {statistics.mean(b):.2f} | "
                f"{statistics.mean(a + b):.2f} |"
            )
            assert row in self.TEXT

    def test_the_three_families(self):
        within = [max(v) - min(v) for d in CLINIC_WAITS.values() for v in d.values()]
        assert f"are {', '.join(map(str, within[:-1]))} and {within[-1]} minutes, " in self.TEXT
        assert f"{statistics.mean(within):.2f} on average" in self.TEXT
        gaps = [
            abs(statistics.mean(d["B"]) - statistics.mean(d["A"])) for d in CLINIC_WAITS.values()
        ]
        assert f"is {gaps[0]:.2f}, {gaps[1]:.2f} and {gaps[2]:.2f} minutes, " in self.TEXT
        assert f"{statistics.mean(gaps):.2f} on average" in self.TEXT
        sessions = [statistics.mean(d["A"] + d["B"]) for d in CLINIC_WAITS.values()]
        spread = max(sessions) - min(sessions)
        assert (
            f"run from {min(sessions):.2f} to {max(sessions):.2f}, a range of only {spread:.2f}"
        ) in self.TEXT
        assert statistics.mean(gaps) > 3 * max(statistics.mean(within), spread)

    def test_the_pareto_of_causes(self):
        result = pareto(DISCHARGE_DELAYS)
        assert result.total == 180
        assert "For 180 delayed discharges" in self.TEXT
        for row in result.rows:
            line = (
                f"| {row.category} | {row.count:g} | {row.percent:.1f} | "
                f"{row.cumulative_percent:.1f} |"
            )
            assert line in self.TEXT
        assert len(result.vital_few) == 3
        assert f"The first three causes reach {result.rows[2].cumulative_percent:.1f}%" in (
            self.TEXT
        )

    def test_the_five_whys_use_the_pareto_counts(self):
        medicines = DISCHARGE_DELAYS["Medicines to take home not ready"]
        assert f"In 53 of the {medicines} discharges held up by medicines" in self.TEXT

    def test_the_fmea_table(self):
        rpns = [s * o * d for _, s, o, d, _ in PAYMENTS_FMEA]
        for (mode, s, o, d, rank), rpn in zip(PAYMENTS_FMEA, rpns, strict=True):
            assert rank == 1 + sum(other > rpn for other in rpns)  # ties share a rank
            assert f"| {mode} | {s} | {o} | {d} | {rpn} | {rank} |" in self.TEXT
        fraud = next(row for row in PAYMENTS_FMEA if row[1] == 10)
        assert fraud[-1] == 4  # the catastrophic mode shares fourth place

    def test_the_knowledge_check_answer(self):
        assert_answers("gb-08-check", {"rpn": 8 * 3 * 5})

    def test_the_prescriptions_table_in_the_prompt(self):
        prompt = prompt_text("gb-08-fmea-prescriptions")
        for line, (s, o, d) in PRESCRIPTIONS_FMEA.items():
            assert f"| {line} | " in prompt and f" | {s} | {o} | {d} |" in prompt

    def test_the_prescriptions_answers(self):
        rpn = {line: s * o * d for line, (s, o, d) in PRESCRIPTIONS_FMEA.items()}
        severity, _, _ = PRESCRIPTIONS_FMEA["B"]
        new = severity * 1 * 2
        assert_answers(
            "gb-08-fmea-prescriptions",
            {
                "rpn-lost": rpn["A"],
                "rpn-review": rpn["C"],
                "rpn-allergy": rpn["E"],
                "new-rpn": new,
                "reduction": 100 * (rpn["B"] - new) / rpn["B"],
            },
        )
        ranked = sorted(rpn, key=lambda line: -rpn[line])
        assert correct_options("gb-08-fmea-prescriptions", "top-rpn")[0].startswith(ranked[0])
        second = sorted(line for line in rpn if rpn[line] == rpn[ranked[1]])
        tied = [text[0] for text in correct_options("gb-08-fmea-prescriptions", "tied")]
        assert tied == second == ["C", "D"]
        severe = sorted(
            (line for line, (s, _, _) in PRESCRIPTIONS_FMEA.items() if s >= 9),
            key=lambda line: -PRESCRIPTIONS_FMEA[line][0],
        )
        assert correct_options("gb-08-fmea-prescriptions", "first-to-act")[0].startswith(severe[0])
        assert ranked.index("E") == 4  # fifth by RPN

    def test_the_shafts_data_in_the_prompt(self):
        prompt = prompt_text("gb-08-multi-vari")
        for time, shafts in SHAFT_MICRONS.items():
            for number, (a, b) in enumerate(shafts, start=1):
                assert f"| {time} | {number} | {a} | {b} |" in prompt

    def test_the_multi_vari_answers(self):
        within = [abs(a - b) for shafts in SHAFT_MICRONS.values() for a, b in shafts]
        means = {t: [(a + b) / 2 for a, b in s] for t, s in SHAFT_MICRONS.items()}
        piece = [max(m) - min(m) for m in means.values()]
        times = [statistics.mean(m) for m in means.values()]
        assert_answers(
            "gb-08-multi-vari",
            {
                "within-piece": statistics.mean(within),
                "piece-to-piece": statistics.mean(piece),
                "time-to-time": max(times) - min(times),
            },
        )
        assert times == sorted(times)  # "rise steadily from 07:00 to 13:00"
        assert correct_options("gb-08-multi-vari", "largest-family") == ["Time to time (temporal)"]

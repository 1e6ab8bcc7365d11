"""The worked examples of Black Belt modules 5 to 7 and the numeric answers of their exercises
agree with app.lss.

The inputs are hard-coded as the texts state them. Every figure a module quotes is recomputed
with app.lss.spc_advanced, app.lss.reliability or app.lss.spc (plain arithmetic where the figure
is a count, a product or a ratio) and must appear in the text exactly as written. Every numeric
answer stored in an exercise is recomputed the same way, and the data the exercise shows must be
in its prompt.

Published examples checked here as well as in tests/lss: Montgomery, Introduction to
Statistical Quality Control (6th ed.), Table 9.2 (tabular CUSUM: C⁺ = 5.28 at observation 29,
N⁺ = 7, new mean 11.25), Table 9.3 (CUSUM ARLs) and Table 9.11 (EWMA ARLs after Lucas &
Saccucci 1990); NIST/SEMATECH e-Handbook §6.3.2.4 (EWMA limits 47.41 and 52.59, EWMA values
49.21 to 51.99); MIL-HDBK-338B §5.3 (63.2% failed at the Weibull characteristic life).
"""

import math
from statistics import NormalDist

import pytest
import yaml

from app.config import REPO_ROOT
from app.lss.reliability import (
    availability,
    exponential_reliability,
    parallel_reliability,
    series_reliability,
    weibull_hazard,
    weibull_mean_life,
    weibull_reliability,
)
from app.lss.spc import run_rule_violations
from app.lss.spc_advanced import cusum_arl, ewma, ewma_arl, shewhart_arl, tabular_cusum
from tests.lss.test_spc_advanced import MONTGOMERY, NIST_EWMA_DATA

COURSE = REPO_ROOT / "courses" / "black-belt"
EXERCISES = REPO_ROOT / "exercises"


def module_text(folder: str) -> str:
    return (COURSE / folder / "index.md").read_text(encoding="utf-8")


def exercise_file(slug: str, name: str, flat: bool = True) -> str:
    """The file's text. Markdown is joined into single spaces unless flat is False, so that
    sentences wrapped over two lines still match."""
    text = (EXERCISES / slug / name).read_text(encoding="utf-8")
    return " ".join(text.split()) if flat and name.endswith(".md") else text


def numeric_answers(slug: str) -> dict[str, float]:
    questions = yaml.safe_load(exercise_file(slug, "exercise.yaml"))["params"]["questions"]
    return {q["id"]: q["answer"] for q in questions if q["type"] == "numeric"}


def assert_answers(slug: str, expected: dict[str, float]) -> None:
    """The exercise's numeric questions are exactly these, with these answers."""
    answers = numeric_answers(slug)
    assert answers.keys() == expected.keys()
    for key, value in expected.items():
        assert answers[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


def row(*cells: object) -> str:
    """A markdown table row as the texts write it."""
    return " ".join(["|", *(f"{cell} |" for cell in cells)])


def signed(value: float, decimals: int) -> str:
    """A number as the texts write it, with a true minus sign."""
    return f"{value:.{decimals}f}".replace("-", "−")


# ---------------------------------------------------------------------------------------------
# Module 5: EWMA, CUSUM and short-run charts

SPC = module_text("05-advanced-spc-ewma-cusum")
LAB = [
    41.2,
    43.1,
    42.4,
    40.6,
    42.9,
    41.8,
    43.5,
    41.9,
    44.6,
    43.2,
    45.1,
    44.8,
    43.9,
    45.6,
    44.3,
    45.0,
]
LAB_TARGET, LAB_SIGMA = 42, 2
SHIFTS = [0, 0.5, 1, 1.5, 2, 3]


def test_the_shewhart_arl_row():
    cells = [f"{shewhart_arl(shift):.1f}" for shift in SHIFTS]
    assert row("Shewhart ARL", *cells) in SPC
    assert row("Shewhart, L = 3", *cells) in SPC
    assert "takes 43.9 points on average to detect a 1σ shift" in SPC
    assert round(shewhart_arl(1)) == 44  # "almost 44 points"


@pytest.mark.parametrize(
    ("label", "arl"),
    [
        ("CUSUM, k = 0.5, h = 4", lambda s: cusum_arl(s, 0.5, 4)),
        ("CUSUM, k = 0.5, h = 5", lambda s: cusum_arl(s, 0.5, 5)),
        ("EWMA, λ = 0.1, L = 2.814", lambda s: ewma_arl(s, 0.1, 2.814)),
        ("EWMA, λ = 0.2, L = 2.962", lambda s: ewma_arl(s, 0.2, 2.962)),
    ],
)
def test_the_arl_table_rows_are_the_published_values(label, arl):
    """The rows copy Montgomery's Tables 9.3 and 9.11; the Markov chain must reproduce each
    printed value to its last printed digit (within half a unit, or 0.5% of 3-figure values)."""
    line = next(line for line in SPC.splitlines() if line.startswith(f"| {label} |"))
    printed = [cell.strip() for cell in line.strip("|").split("|")[1:]]
    for shift, cell in zip(SHIFTS, printed, strict=True):
        decimals = len(cell.split(".")[1]) if "." in cell else 0
        tolerance = max(0.5 * 10**-decimals, 0.005 * float(cell))
        assert arl(shift) == pytest.approx(float(cell), abs=tolerance), (label, shift)


def test_the_arl_comparison_sentences():
    assert "ARL₀ 465 to 500 against 370.4" in SPC
    assert "a quarter of the Shewhart chart's 43.9" in SPC
    assert round(shewhart_arl(1) / cusum_arl(1, 0.5, 5)) == 4
    assert round(cusum_arl(1, 0.5, 5)) == round(ewma_arl(1, 0.1, 2.814)) == 10


def test_the_published_examples_quoted():
    nist = ewma(NIST_EWMA_DATA, 50, 2.0539, lam=0.3, L=3)
    assert "(λ = 0.3, target 50, σ = 2.0539)" in SPC
    low, high = nist.asymptotic_lcl, nist.asymptotic_ucl
    assert f"asymptotic limits at {low:.2f} and {high:.2f}" in SPC
    z = nist.statistic
    assert f"run from {min(z):.2f} to {max(z):.2f} and none signals" in SPC
    assert nist.signals == nist.asymptotic_signals == ()
    cusum = tabular_cusum(MONTGOMERY, 10, 1, k=0.5, h=5)
    first = cusum.signals[0]
    c_plus, run = cusum.upper[first], cusum.upper_run[first]
    assert (first + 1, round(c_plus, 2), run) == (29, 5.28, 7)
    assert f"C⁺ first exceeds 5 at observation {first + 1}, at {c_plus:.2f} with N⁺ = {run}" in SPC
    assert f"observation {first + 1} − {run} = {first + 1 - run}" in SPC
    estimate = cusum.shift_estimate(first)
    assert f"10 + 0.5 + {c_plus:.2f}/{run} = {estimate:.2f}" in SPC


def test_the_laboratory_table():
    chart = ewma(LAB, LAB_TARGET, LAB_SIGMA, lam=0.2, L=3)
    cusum = tabular_cusum(LAB, LAB_TARGET, LAB_SIGMA, k=0.5, h=5)
    for day, x in enumerate(LAB):
        cells = (
            day + 1,
            f"{x:.1f}",
            f"{chart.statistic[day]:.2f}",
            f"{chart.lcl[day]:.2f}",
            f"{chart.ucl[day]:.2f}",
            f"{cusum.upper[day]:.1f}",
            f"{cusum.lower[day]:.1f}",
        )
        assert row(*cells) in SPC
    assert (
        "a target of **42 minutes** and a standard deviation of a daily mean of **2 minutes**"
        in SPC
    )
    assert "K = 0.5 × 2 = 1 minute and H = 5 × 2 = 10 minutes" in SPC
    assert "42 ± 3 × 2, that is 36 and 48 minutes" in SPC
    assert all(36 < x < 48 for x in LAB)


def test_the_laboratory_hand_calculations():
    chart = ewma(LAB, LAB_TARGET, LAB_SIGMA, lam=0.2, L=3)
    z1, z2 = chart.statistic[:2]
    assert f"z₁ = 0.2 × 41.2 + 0.8 × 42 = 8.24 + 33.6 = **{z1:.2f}**" in SPC
    assert f"42 ± 3 × 2 × 0.2 = 42 ± 1.2, so **{chart.lcl[0]:.2f} and {chart.ucl[0]:.2f}**" in SPC
    assert (
        f"z₂ = 0.2 × 43.1 + 0.8 × {z1:.2f} = 8.62 + 33.472 = **{z2:.3f}**, shown as {z2:.2f}" in SPC
    )
    assert math.sqrt(0.2 / 1.8) == pytest.approx(1 / 3)
    assert (chart.asymptotic_lcl, chart.asymptotic_ucl) == pytest.approx((40, 44))
    assert (
        "42 ± 3 × 2 ÷ 3 = 42 ± 2: **40 and 44 minutes**, which the exact limits reach by day 12"
        in SPC
    )
    assert f"{chart.ucl[11]:.2f}" == "44.00" and f"{chart.ucl[10]:.2f}" != "44.00"
    cusum = tabular_cusum(LAB, LAB_TARGET, LAB_SIGMA, k=0.5, h=5)
    assert "C⁺₁ = max(0, 41.2 − 43 + 0) = 0 and C⁻₁ = max(0, 41 − 41.2 + 0) = 0" in SPC
    assert cusum.upper[0] == cusum.lower[0] == 0
    assert f"C⁺₂ = max(0, 43.1 − 43 + 0) = **{cusum.upper[1]:.1f}**" in SPC


def test_the_laboratory_signals():
    chart = ewma(LAB, LAB_TARGET, LAB_SIGMA, lam=0.2, L=3)
    cusum = tabular_cusum(LAB, LAB_TARGET, LAB_SIGMA, k=0.5, h=5)
    e, c = chart.signals[0], cusum.signals[0]
    assert (
        f"upper limit on **day {e + 1}** ({chart.statistic[e]:.2f} against {chart.ucl[e]:.2f})"
        in SPC
    )
    assert f"CUSUM on **day {c + 1}** ({cusum.upper[c]:.1f} against 10)" in SPC
    assert f"At day {c + 1} N⁺ = {cusum.upper_run[c]}" in SPC
    assert c + 1 - cusum.upper_run[c] + 1 == 9  # "dates the change to the start of day 9"
    estimate = cusum.shift_estimate(c)
    assert f"42 + 1 + {cusum.upper[c]:.1f}/{cusum.upper_run[c]} = **{estimate:.1f} minutes**" in SPC
    assert round((estimate - LAB_TARGET) / LAB_SIGMA, 2) == 1.25
    assert chart.signals[:1] == (13,) and cusum.signals[:1] == (14,)
    # The four-of-five rule (Nelson 6) flags day 15; no point is beyond 3σ or 2-of-3 beyond 2σ.
    flags = run_rule_violations(LAB, LAB_TARGET, LAB_SIGMA, rules=(1, 5, 6))
    assert flags[0].rule == 6 and flags[0].index == 14
    assert "its four-of-five rule flags day 15 too" in SPC


UNDERWRITING = [
    ("Home", 33), ("Motor", 16), ("Commercial", 63), ("Home", 27), ("Motor", 22),
    ("Commercial", 52), ("Home", 38), ("Motor", 25), ("Commercial", 74),
]  # fmt: skip
STANDARDS = {"Home": (30, 4), "Motor": (18, 3), "Commercial": (55, 8)}


def test_the_short_run_example():
    assert (
        "home, target 30 minutes, σ 4; motor, 18 minutes, σ 3; commercial, 55 minutes, σ 8" in SPC
    )
    z = []
    for case, (kind, minutes) in enumerate(UNDERWRITING, start=1):
        target, sigma = STANDARDS[kind]
        z.append((minutes - target) / sigma)
        cells = (case, kind, minutes, signed(minutes - target, 0), signed(z[-1], 2))
        assert row(*cells) in SPC
    flags = run_rule_violations(z, 0, 1, rules=(1, 5, 6))
    # Case 9 completes two of three beyond 2σ (rule 5) and four of five beyond 1σ (rule 6).
    assert [(f.rule, f.index) for f in flags] == [(5, 8), (6, 8)]
    assert "two of three points beyond 2σ, and four of the last five beyond 1σ" in SPC
    d2 = 2 / math.sqrt(math.pi)  # mean range of two standard normal values
    d3 = math.sqrt(2 - 4 / math.pi)
    assert f"centre {d2:.3f} and upper limit {d2 + 3 * d3:.3f}" in SPC


def test_the_knowledge_check():
    p = NormalDist().cdf(-2) + NormalDist().cdf(-4)
    assert 1 / p == pytest.approx(shewhart_arl(1))
    z8 = ewma([103.0], 100.8, 1, lam=0.2).statistic[0]
    # C⁺ after sample 12 from C⁺₁₁ = 1.8: max(0, 51.8 − (50 + 1) + 1.8).
    c_plus = max(0.0, 51.8 - (50 + 0.5 * 2) + 1.8)
    assert_answers(
        "bb-05-check",
        {
            "shewhart-arl": shewhart_arl(1),
            "ewma-step": z8,
            "cusum-step": c_plus,
            "z-value": (43 - 55) / 8,
        },
    )
    solution = exercise_file("bb-05-check", "solution.md")
    assert f"= {p:.5f}, so ARL = 1 ÷ {p:.5f} = {1 / p:.1f} points" in solution
    assert f"= 20.6 + 80.64 = {z8:.2f}" in solution


PAYMENTS = [25.4, 24.1, 26.0, 24.8, 25.2, 23.9, 25.6, 25.3,
            26.9, 27.4, 26.6, 27.8, 27.1, 26.5, 27.9, 27.3]  # fmt: skip


def test_the_payments_exercise():
    prompt = exercise_file("bb-05-ewma-cusum-payments", "prompt.md")
    assert row("Minutes", *PAYMENTS[:8]) in prompt
    assert row("Minutes", *PAYMENTS[8:]) in prompt
    assert "target of **25 minutes**" in prompt and "daily mean of **1.5 minutes**" in prompt
    assert "λ = 0.25 and L = 3" in prompt and "k = 0.5 and h = 4" in prompt
    chart = ewma(PAYMENTS, 25, 1.5, lam=0.25, L=3)
    cusum = tabular_cusum(PAYMENTS, 25, 1.5, k=0.5, h=4)
    first = cusum.signals[0]
    assert_answers(
        "bb-05-ewma-cusum-payments",
        {
            "z1": chart.statistic[0],
            "z2": chart.statistic[1],
            "ucl1": chart.ucl[0],
            "ucl-asymptotic": chart.asymptotic_ucl,
            "ewma-signal": chart.signals[0] + 1,
            "cplus10": cusum.upper[9],
            "cusum-signal": first + 1,
            "new-mean": cusum.shift_estimate(first),
        },
    )
    assert cusum.upper_signals[0] == first and cusum.upper_run[first] == 5
    assert cusum.upper[first - cusum.upper_run[first]] == 0  # zero on day 8: began on day 9
    solution = exercise_file("bb-05-ewma-cusum-payments", "solution.md")
    # The EWMA is within 0.01 of its limit on day 13, and beyond it neither then nor on day 14.
    assert 0 < chart.ucl[12] - chart.statistic[12] < 0.01
    assert chart.ucl[13] - chart.statistic[13] > 0
    assert "comes within 0.01 of its limit on day 13" in solution
    for day in range(7, 15):
        cells = (
            day + 1,
            PAYMENTS[day],
            f"{chart.statistic[day]:.4f}",
            f"{chart.ucl[day]:.4f}",
            "0" if cusum.upper[day] == 0 else f"{cusum.upper[day]:.2f}",
            cusum.upper_run[day],
        )
        assert row(*cells) in solution
    assert f"√(0.25/1.75) = {math.sqrt(0.25 / 1.75):.4f}" in solution
    assert f"= {chart.asymptotic_ucl:.3f}" in solution
    assert f"25 + 0.75 + 7.05 ÷ 5 = {cusum.shift_estimate(first):.2f} minutes" in solution


# ---------------------------------------------------------------------------------------------
# Module 6: reliability and advanced FMEA

REL = module_text("06-reliability-and-fmea")
HOURS_A_YEAR = 8760


def test_the_nines_and_the_published_reliability_facts():
    assert f"99.9% availability allows {0.001 * HOURS_A_YEAR:.2f} hours" in REL
    assert f"99.99% only {round(0.0001 * HOURS_A_YEAR * 60)} minutes" in REL
    at_mtbf = exponential_reliability(1000, 1 / 1000)
    assert f"R = e⁻¹ = {at_mtbf:.3f}. Only {at_mtbf:.1%} of items" in REL
    failed = 1 - weibull_reliability(4, 3, 4)  # MIL-HDBK-338B: 63.2% at η, whatever β
    assert f"{failed:.1%} of items have failed by t = η" in REL


def test_the_application_server():
    downtime, failures, period = 87.6, 6, 2 * HOURS_A_YEAR
    assert (
        f"{period:,} hours, the incident log shows {failures} failures and {downtime} hours" in REL
    )
    operating = period - downtime
    mtbf, mttr = operating / failures, downtime / failures
    assert (
        f"17,520 − 87.6 = {operating:,.1f} hours, so MTBF = {operating:,.1f} ÷ 6 = "
        f"**{mtbf:,.1f} hours**"
    ) in REL
    assert f"MTTR = 87.6 ÷ 6 = **{mttr:.1f} hours**" in REL
    a = availability(mtbf, mttr)
    assert f"{mtbf:,.1f} ÷ ({mtbf:,.1f} + {mttr:.1f}) = **{a:.3f}**, or {a:.1%}" in REL
    month = exponential_reliability(720, 1 / mtbf)
    assert f"e^(−720/{mtbf:,.1f}) = e^(−{720 / mtbf:.4f}) = **{month:.4f}**" in REL
    assert round(1 / (1 - month)) == 5  # "about one month in five"


def test_the_chain_and_its_redundancy():
    chain = [0.9995, 0.995, 0.998, 0.999]
    assert (
        "network core 0.9995, application server 0.995, database server 0.998 "
        "and the login service 0.999"
    ) in REL
    series = series_reliability(chain)
    assert (
        f"0.9995 × 0.995 × 0.998 × 0.999 = **{series:.5f}**, "
        f"about {(1 - series) * HOURS_A_YEAR:.1f} hours"
    ) in REL
    app, db = parallel_reliability([0.995] * 2), parallel_reliability([0.998] * 2)
    assert f"1 − 0.005² = **{app:.6f}**" in REL
    assert f"1 − 0.002² = **{db:.6f}**" in REL
    redundant = series_reliability([0.9995, app, db, 0.999])
    assert (
        f"0.9995 × {app:.6f} × {db:.6f} × 0.999 = **{redundant:.5f}**, "
        f"about {(1 - redundant) * HOURS_A_YEAR:.1f} hours a year"
    ) in REL


def test_the_infusion_pump_batteries():
    assert "β = 3 and η = 4 years" in REL
    two, three = weibull_reliability(2, 3, 4), weibull_reliability(3, 3, 4)
    assert f"exp(−(2/4)³) = exp(−{(2 / 4) ** 3}) = **{two:.4f}**" in REL
    assert f"exp(−(3/4)³) = **{three:.4f}**" in REL
    mean = weibull_mean_life(3, 4)
    assert f"4 × Γ(4/3) = 4 × {math.gamma(4 / 3):.4f} = **{mean:.3f} years**" in REL
    h2, h3 = weibull_hazard(2, 3, 4), weibull_hazard(3, 3, 4)
    assert f"h(2) = (3/4) × (2/4)² = {h2} per year, and h(3) = {h3:.4f}" in REL
    assert h3 / h2 > 2  # "more than twice as high"
    wrong = exponential_reliability(2, 1 / mean)
    assert f"e^(−2/{mean:.3f}) = {wrong:.4f} surviving 2 years" in REL


def test_the_rpn_facts():
    assert 10 * 2 * 5 == 4 * 5 * 5 == 100
    assert "S = 10, O = 2, D = 5 and S = 4, O = 5, D = 5 both give 100" in REL
    products = {s * o * d for s in range(1, 11) for o in range(1, 11) for d in range(1, 11)}
    assert (
        f"Of the 1,000 combinations of three 1-to-10 ratings only {len(products)} distinct" in REL
    )


def test_the_reliability_check():
    assert_answers(
        "bb-06-check",
        {
            "survive-mtbf": 100 * exponential_reliability(4000, 1 / 4000),
            "availability": 100 * availability(400, 1),
            "parallel": parallel_reliability([0.98, 0.98]),
        },
    )


GATEWAY_CHAIN = {
    "Load balancer": 0.9995,
    "Payment gateway": 0.9989,
    "Fraud-scoring service": 0.997,
    "Core-banking link": 0.9992,
}


def test_the_payment_gateway_exercise():
    prompt = exercise_file("bb-06-payment-gateway", "prompt.md")
    assert (
        "12 months (8,760 hours) the incident log records **4 failures** with **10 hours**"
        in prompt
    )
    for component, value in GATEWAY_CHAIN.items():
        assert row(component, value) in prompt
    assert "shape β = 0.7 and scale η = 20,000 hours" in prompt
    mtbf, mttr = (HOURS_A_YEAR - 10) / 4, 10 / 4
    chain = list(GATEWAY_CHAIN.values())
    fraud_pair = parallel_reliability([0.997, 0.997])
    redundant = series_reliability([0.9995, 0.9989, fraud_pair, 0.9992])
    assert_answers(
        "bb-06-payment-gateway",
        {
            "mtbf": mtbf,
            "mttr": mttr,
            "availability": 100 * availability(mtbf, mttr),
            "week": exponential_reliability(168, 1 / mtbf),
            "chain": series_reliability(chain),
            "chain-redundant": redundant,
            "pin-pad": weibull_reliability(1000, 0.7, 20000),
        },
    )
    solution = exercise_file("bb-06-payment-gateway", "solution.md")
    a = availability(mtbf, mttr)
    assert f"2,187.5 ÷ 2,190 = {a:.6f}, or {a:.3%}" in solution
    assert (
        f"e^(−168/2,187.5) = e^(−{168 / mtbf:.4f}) = {exponential_reliability(168, 1 / mtbf):.4f}"
        in solution
    )
    series = series_reliability(chain)
    assert f"= {series:.5f}, about {round((1 - series) * HOURS_A_YEAR)} hours" in solution
    assert f"1 − 0.003² = {fraud_pair:.6f}" in solution
    assert f"= {redundant:.5f}. The gateway itself is now the weakest link" in solution
    assert min(0.9995, 0.9989, fraud_pair, 0.9992) == 0.9989
    pad = weibull_reliability(1000, 0.7, 20000)
    assert f"exp(−(1,000/20,000)^0.7) = exp(−{(1000 / 20000) ** 0.7:.4f}) = {pad:.4f}" in solution


# ---------------------------------------------------------------------------------------------
# Module 7: lean enterprise and hoshin kanri

HOSHIN = module_text("07-lean-enterprise-hoshin-kanri")
WYVERN_STAGES = {
    "Notification and triage": (4, 1),
    "Loss adjuster's visit": (11, 4),
    "Supplier quotation": (9, 2),
    "Authorisation and payment": (6, 0.9),
}


def number(value: float) -> str:
    """A figure as the texts write it: no trailing zeros."""
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def test_the_wyvern_annual_targets():
    today, target, years = 30, 12, 3
    step = (today - target) / years
    assert f"(30 − 12) ÷ 3 = {step:g} days a year give 24, 18 and 12 days" in HOSHIN
    assert [today - step * year for year in (1, 2, 3)] == [24, 18, 12]
    factor = (target / today) ** (1 / years)
    year1, year2 = today * factor, today * factor**2
    assert (
        f"factor (12/30)^(1/3) = {factor:.4f}, gives 30 × {factor:.4f} = **{year1:.1f} days**"
        in HOSHIN
    )
    assert f"and {year2:.1f} days after year 2" in HOSHIN
    assert today - step > year1  # the percentage path front-loads the work


def test_the_wyvern_team_targets():
    year1 = round(30 * (12 / 30) ** (1 / 3), 1)
    removal = 30 - year1
    assert f"Year 1 must remove 30 − {year1} = **{removal:.1f} days**" in HOSHIN
    assert (
        "notification and triage 4 days, loss adjuster's visit 11 days, supplier quotation 9 days"
        in HOSHIN
    )
    for stage, (days, cut) in WYVERN_STAGES.items():
        assert row(stage, days, number(cut), number(days - cut)) in HOSHIN
    total_today = sum(days for days, _ in WYVERN_STAGES.values())
    total_cut = sum(cut for _, cut in WYVERN_STAGES.values())
    assert total_today == 30 and total_cut == pytest.approx(removal)
    totals = (
        "**Total**",
        f"**{total_today}**",
        f"**{total_cut:.1f}**",
        f"**{total_today - total_cut:.1f}**",
    )
    assert row(*totals) in HOSHIN


def test_the_wyvern_portfolio():
    projects = 6_000_000 / (250_000 * 0.8)
    assert projects == 30
    assert (
        f"£6,000,000 ÷ (£250,000 × 0.8) = **{projects:.0f} projects**, more than the 18" in HOSHIN
    )
    assert "Settle home claims in 22.1 days" in HOSHIN


def test_the_hoshin_check():
    projects = math.ceil(3_000_000 / (150_000 * 0.8))
    year2 = 35 - 2 * (35 - 5) / 3
    assert_answers("bb-07-check", {"projects-needed": projects, "equal-steps": year2})
    solution = exercise_file("bb-07-check", "solution.md")
    assert f"£150,000 × 0.8 = £{150_000 * 0.8:,.0f}" in solution
    assert f"£3,000,000 ÷ £120,000 = {projects} projects" in solution
    assert f"25 days after year 1, {year2:.0f} days after year 2" in solution


ED_STAGES = {
    "Triage and assessment": 2.5,
    "Diagnostics": 2.0,
    "Specialty review": 1.5,
    "Bed allocation": 3.0,
}


def test_the_emergency_department_exercise():
    prompt = exercise_file("bb-07-x-matrix-ed", "prompt.md")
    for stage, hours in ED_STAGES.items():
        assert row(stage, hours) in prompt
    assert sum(ED_STAGES.values()) == 9
    assert "from 9 hours to 4 hours within three years" in prompt
    assert "**£2.4 million**" in prompt and "**£150,000**" in prompt and "**75%**" in prompt
    factor = (4 / 9) ** (1 / 3)
    year1 = 9 * factor
    reduction = 9 - year1
    bed = ED_STAGES["Bed allocation"] - 0.5 * reduction
    projects = math.ceil(2_400_000 / (150_000 * 0.75))
    assert_answers(
        "bb-07-x-matrix-ed",
        {
            "equal-steps": 9 - (9 - 4) / 3,
            "equal-percentage": year1,
            "reduction": reduction,
            "bed-target": bed,
            "projects": projects,
        },
    )
    assert f"Admission within {year1:.2f} h" in prompt
    solution = exercise_file("bb-07-x-matrix-ed", "solution.md")
    assert (
        f"Factor (4/9)^(1/3) = {factor:.4f}, so year 1 ends at 9 × {factor:.4f} = {year1:.2f}"
        in solution
    )
    assert f"then {9 * factor**2:.2f} and 4 hours" in solution
    assert f"9 − {year1:.2f} = {reduction:.2f} hours" in solution
    assert f"3.0 − 0.5 × {reduction:.2f} = {bed:.2f} hours" in solution
    assert f"£2,400,000 ÷ £112,500 = {2_400_000 / 112_500:.1f}, so {projects} projects" in solution

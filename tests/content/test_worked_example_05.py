"""The worked example of Yellow Belt module 5 (measuring quality) agrees with app.lss.

The inputs are hard-coded as the text states them; every figure the text quotes is
recomputed here and must appear in the module exactly as written. The numeric answers of
the module's two new quizzes are checked against app.lss as well.
"""

from itertools import pairwise
from statistics import NormalDist

import pytest
import yaml

from app.config import REPO_ROOT
from app.lss.sigma import dpmo, dpmo_from_sigma, dpu, sigma_level, yield_from_dpmo
from app.lss.yields import final_yield, first_pass_yield, rolled_throughput_yield

TEXT = (REPO_ROOT / "courses" / "yellow-belt" / "05-measuring-quality" / "index.md").read_text(
    encoding="utf-8"
)
NORMAL = NormalDist()

# The supplier-invoice example, as the module states it.
UNITS = 1000
OPPORTUNITIES = 9
STEPS = [  # name, units in, reworked, scrapped, defects logged
    ("Capture", 1000, 50, 20, 80),
    ("Match to purchase order", 980, 78, 20, 110),
    ("Approve", 960, 48, 0, 52),
    ("Pay", 960, 24, 0, 28),
]
FPY = [first_pass_yield(n_in, n_in - rw - sc) for _, n_in, rw, sc, _ in STEPS]
TOTAL_DEFECTS = sum(step[4] for step in STEPS)
DPMO = dpmo(TOTAL_DEFECTS, UNITS, OPPORTUNITIES)


def fmt(value: float, decimals: int = 2) -> str:
    """A number as the text writes it: rounded, thousands separated, no trailing zeros."""
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def test_the_table_is_consistent_and_in_the_text():
    for n, (name, n_in, rw, sc, defects) in enumerate(STEPS, start=1):
        passed = n_in - rw - sc
        row = f"| {n} {name} | {n_in:,} | {rw} | {sc} | {passed} | {defects} |"
        assert row in TEXT
    for (_, n_in, _, sc, _), (_, next_in, _, _, _) in pairwise(STEPS):
        assert next_in == n_in - sc
    assert f"**{UNITS:,} invoices**" in TEXT
    assert f"**{OPPORTUNITIES} opportunities**" in TEXT


def test_first_pass_yields():
    assert f"capture 930 ÷ 1,000 = {FPY[0] * 100:.1f}%" in TEXT
    assert f"(980 − 78 − 20) ÷ 980 = 882 ÷ 980 = {FPY[1] * 100:.1f}%" in TEXT
    assert f"approval 912 ÷ 960 = {FPY[2] * 100:.1f}%" in TEXT
    assert f"payment 936 ÷ 960 = {FPY[3] * 100:.1f}%" in TEXT


def test_rolled_throughput_yield_and_final_yield():
    first_two = FPY[0] * FPY[1]
    first_three = first_two * FPY[2]
    rty = rolled_throughput_yield(FPY)
    assert f"0.93 × 0.90 = {fmt(first_two, 3)}" in TEXT
    assert f"{fmt(first_two, 3)} × 0.95 = {fmt(first_three, 5)}" in TEXT
    assert f"{fmt(first_three, 5)} × 0.975 = {fmt(rty, 4)}, so the RTY is {rty * 100:.1f}%" in TEXT
    units_out = STEPS[-1][1] - STEPS[-1][3]
    assert f"{units_out} invoices were paid out of {UNITS:,}" in TEXT
    assert f"a final yield of {fmt(final_yield(UNITS, units_out) * 100)}%" in TEXT
    assert round(rty * 4) == 3  # "about three invoices in four"
    reworks = [step[2] for step in STEPS]
    scraps = [step[3] for step in STEPS if step[3]]
    assert " + ".join(map(str, reworks)) + f" = {sum(reworks)} reworks" in TEXT
    assert " + ".join(map(str, scraps)) + f" = {sum(scraps)} invoices" in TEXT


def test_dpu_dpmo_and_sigma_level():
    defects = [step[4] for step in STEPS]
    assert " + ".join(map(str, defects)) + f" = {TOTAL_DEFECTS} defects" in TEXT
    assert f"{TOTAL_DEFECTS} ÷ {UNITS:,} = {fmt(dpu(TOTAL_DEFECTS, UNITS))} errors" in TEXT
    opportunities = UNITS * OPPORTUNITIES
    assert (
        f"{TOTAL_DEFECTS} ÷ ({UNITS:,} × {OPPORTUNITIES}) × 1,000,000 = "
        f"{TOTAL_DEFECTS} ÷ {opportunities:,} × 1,000,000 = {fmt(DPMO, 0)}"
    ) in TEXT
    rate = 1 - DPMO / 1_000_000
    z = sigma_level(DPMO, shift=0)
    assert f"1 − {fmt(DPMO, 0)} ÷ 1,000,000 = {fmt(rate)}" in TEXT
    assert (
        f"NORM.S.INV({fmt(rate)}) = {z:.2f}; {z:.2f} + 1.5 = {sigma_level(DPMO):.2f} sigma" in TEXT
    )
    assert f"{max(defects)} of the {TOTAL_DEFECTS} defects" in TEXT


def test_the_cost_of_poor_quality():
    rework_minutes = 200 * 12
    rework_cost = rework_minutes / 60 * 30
    rescrap_cost = 40 * 15
    internal = rework_cost + rescrap_cost
    external = 900 + 700
    copq = internal + external
    assert f"200 × 12 minutes = {rework_minutes:,} minutes, or {rework_minutes // 60} hours" in TEXT
    assert f"| Internal failure | {rework_cost:,.0f} |" in TEXT
    assert f"£15 each | Internal failure | {rescrap_cost:,.0f} |" in TEXT
    assert f"COPQ = 1,200 + 600 + 900 + 700 = £{copq:,.0f} a month" in TEXT
    assert f"£{copq:,.0f} × 12 = £{copq * 12:,.0f} a year" in TEXT
    assert "| Appraisal | 1,000 |" in TEXT
    assert "The £1,000 a month of appraisal is reported beside it" in TEXT


def test_the_teaching_examples():
    assert f"980 ÷ 1,000 = {fmt(final_yield(1000, 980) * 100)}%" in TEXT
    fpy = first_pass_yield(1000, 1000 - 80 - 20)
    assert f"(1,000 − 80 − 20) ÷ 1,000 = 900 ÷ 1,000 = {fmt(fpy * 100)}%" in TEXT
    three = rolled_throughput_yield([0.95, 0.90, 0.98])
    assert f"0.95 × 0.90 × 0.98 = {fmt(three, 4)}, an RTY of {three * 100:.1f}%" in TEXT
    assert f"average of the three yields is {(0.95 + 0.90 + 0.98) / 3 * 100:.1f}%" in TEXT
    payroll = dpmo(45, 500, 6)
    assert f"45 ÷ (500 × 6) × 1,000,000 = 45 ÷ 3,000 × 1,000,000 = {fmt(payroll, 0)} DPMO" in TEXT
    z = sigma_level(payroll, shift=0)
    assert f"NORM.S.INV({fmt(1 - payroll / 1e6, 3)}) = {z:.2f}" in TEXT
    assert f"{z:.2f} + 1.5 = {sigma_level(payroll):.2f} sigma" in TEXT
    below = NORMAL.cdf(4.5 - 1.5)
    assert f"NORM.S.DIST(3, TRUE) = {below:.5f}" in TEXT
    assert f"about {round(dpmo_from_sigma(4.5), -1):,.0f} DPMO" in TEXT
    assert round(dpmo_from_sigma(4) / dpmo_from_sigma(3), 1) == 0.1  # "about a tenth"


@pytest.mark.parametrize(
    "sigma, shown_dpmo, shown_yield",
    [(1, "691,462", 2), (2, "308,538", 2), (3, "66,807", 2), (4, "6,210", 3), (5, "233", 3)],
)
def test_the_sigma_table(sigma, shown_dpmo, shown_yield):
    value = dpmo_from_sigma(sigma)
    assert f"{value:,.0f}" == shown_dpmo
    percent = yield_from_dpmo(value) * 100
    assert f"| {sigma} | {shown_dpmo} | {percent:.{shown_yield}f}% |" in TEXT


def test_six_sigma_is_3_4_dpmo():
    value = dpmo_from_sigma(6)
    assert f"| 6 | {value:.1f} | {yield_from_dpmo(value) * 100:.5f}% |" in TEXT
    assert f"6 sigma is {value:.1f}" in TEXT


def numeric_answers(slug: str) -> dict[str, float]:
    path = REPO_ROOT / "exercises" / slug / "exercise.yaml"
    questions = yaml.safe_load(path.read_text(encoding="utf-8"))["params"]["questions"]
    return {q["id"]: q["answer"] for q in questions if q["type"] == "numeric"}


def test_the_sigma_conversion_answers_come_from_app_lss():
    answers = numeric_answers("yb-05-sigma-conversions")
    expected = {
        "contact-centre": sigma_level(dpmo(96, 1200, 5)),
        "pharmacy": sigma_level(2500),
        "claims-registration": sigma_level(150_000),
        "payroll-target": dpmo_from_sigma(4.2),
        "payments-provider": dpmo_from_sigma(5.5),
        "mortgage-team": dpmo_from_sigma(3.8),
    }
    assert answers.keys() == expected.keys()
    for key, value in expected.items():
        assert answers[key] == pytest.approx(value, rel=1e-12), key


def test_the_knowledge_check_answers_come_from_app_lss():
    answers = numeric_answers("yb-05-check")
    assert answers["fpy"] == pytest.approx(100 * first_pass_yield(500, 500 - 40 - 10))
    rty = rolled_throughput_yield([0.97, 0.92, 0.95, 0.99])
    assert answers["rty"] == pytest.approx(100 * rty, rel=1e-4)
    assert answers["dpmo"] == pytest.approx(dpmo(96, 400, 12))

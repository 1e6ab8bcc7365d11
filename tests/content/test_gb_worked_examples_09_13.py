"""The worked examples of Green Belt modules 9 to 13 and the numeric answers of their
exercises agree with app.lss.

The inputs are hard-coded as the texts state them. Every figure a module quotes is recomputed
with app.lss.stats, app.lss.doe or app.lss.spc (plain arithmetic where the figure is a count or a
weighted sum) and must appear in the text exactly as written. Every numeric answer stored in an
exercise is recomputed the same way, and the data the exercise shows must be in its prompt.
"""

import math
import re
from statistics import NormalDist, fmean, stdev, variance

import pytest
import yaml
from scipy import stats as sps

from app.config import REPO_ROOT
from app.lss.doe import factorial_effects, full_factorial
from app.lss.spc import p_chart_limits, run_rule_violations
from app.lss.stats import (
    chi_square_independence,
    linear_regression,
    multiple_regression,
    one_way_anova,
    t_test_one_sample,
    t_test_paired,
    t_test_two_sample,
)

COURSE = REPO_ROOT / "courses" / "green-belt"
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
    """A markdown table row as the texts write it; an empty cell is written "| |"."""
    return " ".join(["|", *(f"{cell} |" if str(cell) else "|" for cell in cells)])


# ---------------------------------------------------------------------------------------------
# Module 9: hypothesis testing

HT = module_text("09-hypothesis-testing")
NORTHGATE = [44, 38, 51, 40, 47, 33, 55, 42, 36, 49]
RIVERSIDE = [36, 33, 41, 35, 31, 38, 34, 40, 32, 37, 35, 39, 34, 36]
TRIAGE_BEFORE = [12.4, 9.8, 14.1, 11.2, 10.5, 13.6, 9.1, 12.9, 11.8, 10.2]
TRIAGE_AFTER = [11.3, 9.5, 12.8, 10.1, 10.0, 12.2, 8.8, 11.6, 11.3, 9.0]
HOUSING_DAYS = [23, 19, 26, 21, 24, 18, 27, 22, 25, 20, 24, 23]
TEAMS = {"A": [8, 10, 9, 11, 7, 9], "B": [12, 11, 14, 10, 13, 12], "C": [9, 11, 10, 8, 12, 10]}
CHANNELS = [[32, 70, 18], [368, 430, 282]]  # missing, complete × branch, online, phone


def test_the_sample_size_rule():
    z = NormalDist().inv_cdf
    assert round(2 * (z(0.975) + z(0.80)) ** 2) == 16
    assert f"16 × 25 ÷ 4 = **{16 * 25 // 4}**" in HT
    assert "(The 16 is 2 × (1.96 + 0.84)², rounded.)" in HT
    assert round(math.sqrt(16 * 25 / 10)) == 6  # "about 6 minutes" with ten per branch
    critical = t_test_two_sample(NORTHGATE, RIVERSIDE).critical_value()
    assert f"beyond ±{critical:.3f}" in HT


def test_the_one_sample_example():
    result = t_test_one_sample(HOUSING_DAYS, 20)
    mean, sd = result.estimate, result.sample_sds[0]
    listed = ", ".join(map(str, HOUSING_DAYS[:-1])) + f" and {HOUSING_DAYS[-1]} days"
    assert listed in HT
    assert f"x̄ = {sum(HOUSING_DAYS)} ÷ 12 = {mean:.2f} days; s = {sd:.2f} days" in HT
    assert f"standard error = {sd:.2f} ÷ √12 = {result.standard_error:.2f} days" in HT
    assert (
        f"t = ({mean:.2f} − 20) ÷ {result.standard_error:.2f} = **{result.t:.2f}**, "
        f"with n − 1 = **{result.df}** degrees of freedom; p = **{result.p_value:.4f}**"
    ) in HT


def test_the_two_branches_table():
    for name, values in (("Northgate", NORTHGATE), ("Riverside", RIVERSIDE)):
        times = ", ".join(map(str, values))
        assert row(name, times, len(values), f"{fmean(values):.2f}", f"{stdev(values):.2f}") in HT
    difference = fmean(NORTHGATE) - fmean(RIVERSIDE)
    assert f"{fmean(NORTHGATE):.2f} − {fmean(RIVERSIDE):.2f} = **{difference:.2f} minutes**" in HT
    assert f"Northgate's variance, {variance(NORTHGATE):.2f}" in HT
    assert f"Riverside's, {variance(RIVERSIDE):.2f}" in HT
    assert int(variance(NORTHGATE) / variance(RIVERSIDE)) == 5  # "more than five times"


def test_the_pooled_t_test():
    result = t_test_two_sample(NORTHGATE, RIVERSIDE)
    va, vb = variance(NORTHGATE), variance(RIVERSIDE)
    sp = result.pooled_sd
    assert f"s_p² = (9 × {va:.2f} + 13 × {vb:.2f}) ÷ 22 = {sp**2:.2f}, so s_p = {sp:.2f}" in HT
    factor = math.sqrt(1 / 10 + 1 / 14)
    assert (
        f"SE = {sp:.2f} × √(1/10 + 1/14) = {sp:.2f} × {factor:.3f} = "
        f"{result.standard_error:.2f} minutes"
    ) in HT
    assert (
        f"t = {result.estimate:.2f} ÷ {result.standard_error:.2f} = **{result.t:.2f}**, "
        f"df = **{result.df}**, p = **{result.p_value:.4f}**"
    ) in HT


def test_the_welch_t_test():
    result = t_test_two_sample(NORTHGATE, RIVERSIDE, equal_var=False)
    va, vb = variance(NORTHGATE) / 10, variance(RIVERSIDE) / 14
    assert f"s1²/n1 = {variance(NORTHGATE):.2f} ÷ 10 = {va:.2f}" in HT
    assert f"s2²/n2 = {variance(RIVERSIDE):.2f} ÷ 14 = {vb:.2f}" in HT
    assert (
        f"SE = √({va:.2f} + {vb:.2f}) = √{va + vb:.2f} = {result.standard_error:.2f} minutes"
    ) in HT
    assert f"t = {result.estimate:.2f} ÷ {result.standard_error:.2f} = **{result.t:.2f}**" in HT
    assert f"df = {va + vb:.2f}² ÷ ({va:.2f}²/9 + {vb:.2f}²/13) = **{result.df:.2f}**" in HT
    assert f"p = **{result.p_value:.4f}**, below 0.05" in HT
    low, high = result.confidence_interval()
    assert f"runs from **{low:.2f} to {high:.2f} minutes**" in HT
    pooled = t_test_two_sample(NORTHGATE, RIVERSIDE)
    assert round(result.p_value / pooled.p_value) == 6  # "six times smaller"


def test_the_paired_triage_example():
    differences = [round(b - a, 1) for b, a in zip(TRIAGE_BEFORE, TRIAGE_AFTER, strict=True)]
    for label, values in (
        ("Before (min)", TRIAGE_BEFORE),
        ("After (min)", TRIAGE_AFTER),
        ("Difference", differences),
    ):
        assert row(label, *(f"{v:.1f}" for v in values)) in HT
    result = t_test_paired(TRIAGE_BEFORE, TRIAGE_AFTER)
    assert f"d̄ = {sum(differences):.1f} ÷ 10 = **{result.estimate:.2f} minutes**" in HT
    assert f"s_d = {result.difference_sd:.3f} minutes" in HT
    assert f"SE = {result.difference_sd:.3f} ÷ √10 = {result.standard_error:.3f} minutes" in HT
    assert (
        f"t = {result.estimate:.2f} ÷ {result.standard_error:.3f} = **{result.t:.2f}**, "
        f"df = **{result.df}**, p = **{result.p_value:.4f}**"
    ) in HT
    low, high = result.confidence_interval()
    assert f"mean saving: **{low:.2f} to {high:.2f} minutes**" in HT
    assert f"by {min(differences)} to {max(differences)} minutes" in HT
    unpaired = t_test_two_sample(TRIAGE_BEFORE, TRIAGE_AFTER)
    assert f"t = {unpaired.t:.2f} and p = {unpaired.p_value:.2f}" in HT
    assert round(max(TRIAGE_BEFORE) - min(TRIAGE_BEFORE)) == 5  # "up to 5 minutes"


def test_the_anova_example():
    result = one_way_anova(TEAMS)
    total = sum(map(sum, TEAMS.values()))
    assert f"{total} ÷ 18 = {result.grand_mean:.2f} days" in HT
    assert f"= {result.ss_between:.0f}." in HT
    assert result.group_means == (9, 12, 10)
    assert (
        row(
            "Between teams",
            f"{result.ss_between:.0f}",
            result.df_between,
            f"{result.ms_between:.0f}",
            f"{result.f:.2f}",
            f"{result.p_value:.4f}",
        )
        in HT
    )
    within = f"{result.ss_within:.0f}", result.df_within, f"{result.ms_within:.0f}"
    assert row("Within teams", *within, "", "") in HT
    assert row("Total", f"{result.ss_total:.0f}", result.df_total, "", "", "") in HT
    assert f"F = 14 ÷ 2 = **{result.f:.2f}** on 2 and 15 degrees of freedom" in HT
    assert f"critical value of {result.critical_value():.2f}; p = **{result.p_value:.4f}**" in HT


def test_the_chi_square_example():
    result = chi_square_independence(CHANNELS)
    expected = result.expected
    assert [round(e) for e in expected[0]] == [40, 50, 30]
    assert [round(e) for e in expected[1]] == [360, 450, 270]
    missing = [(o - e) ** 2 / e for o, e in zip(result.observed[0], expected[0], strict=True)]
    complete = [(o - e) ** 2 / e for o, e in zip(result.observed[1], expected[1], strict=True)]
    assert (
        f"(32 − 40)²/40 = {missing[0]:.2f}; (70 − 50)²/50 = {missing[1]:.2f}; "
        f"(18 − 30)²/30 = {missing[2]:.2f}"
    ) in HT
    assert f"{complete[0]:.2f}, {complete[1]:.2f} and {complete[2]:.2f}" in HT
    assert (
        f"χ² = **{result.statistic:.2f}** on (2 − 1) × (3 − 1) = **{result.df}** degrees of "
        f"freedom; the 5% critical value is {result.critical_value():.2f}, and "
        f"p = **{result.p_value:.4f}**"
    ) in HT
    rates = [m / (m + c) * 100 for m, c in zip(*CHANNELS, strict=True)]
    assert f"{rates[1]:.1f}% online against {rates[0]:.1f}% in branch and {rates[2]:.1f}%" in HT


def test_practical_significance():
    t = 0.1 / (4 * math.sqrt(2 / 20_000))
    p = 2 * sps.t.sf(t, 2 * 20_000 - 2)
    assert f"t = 0.1 ÷ (4 × √(2/20,000)) = {t:.1f}, p = {p:.3f}" in HT


PREAUTH_LEEDS = [26, 31, 22, 35, 28, 24, 33, 29]
PREAUTH_BRISTOL = [30, 38, 27, 41, 33, 44, 29, 36, 39, 32]
WARDS = [[54, 62, 40], [126, 98, 120]]  # before noon, after noon × wards A, B, C


def test_the_two_sample_exercise():
    prompt = exercise_file("gb-09-preauth-two-sample", "prompt.md")
    assert row("Leeds (8 requests)", ", ".join(map(str, PREAUTH_LEEDS))) in prompt
    assert row("Bristol (10 requests)", ", ".join(map(str, PREAUTH_BRISTOL))) in prompt
    welch = t_test_two_sample(PREAUTH_BRISTOL, PREAUTH_LEEDS, equal_var=False)
    assert_answers(
        "gb-09-preauth-two-sample",
        {
            "mean-difference": welch.estimate,
            "standard-error": welch.standard_error,
            "welch-t": welch.t,
            "welch-df": welch.df,
            "p-value": welch.p_value,
        },
    )
    assert 0.01 < welch.p_value < 0.05  # reject at 5%, not at 1%
    solution = exercise_file("gb-09-preauth-two-sample", "solution.md")
    assert f"t = {welch.estimate:.2f} ÷ {welch.standard_error:.3f} = {welch.t:.2f}" in solution
    assert f"= {welch.df:.2f} (it only" in solution
    assert f"= {welch.p_value:.4f}." in solution
    low, high = welch.confidence_interval()
    assert f"about {low:.1f} to {high:.1f} hours" in solution
    pooled = t_test_two_sample(PREAUTH_BRISTOL, PREAUTH_LEEDS)
    assert f"t = {pooled.t:.2f} and p = {pooled.p_value:.3f}" in solution


def test_the_chi_square_exercise():
    prompt = exercise_file("gb-09-ward-discharge-chi-square", "prompt.md")
    assert row("Discharged before noon", *WARDS[0], sum(WARDS[0])) in prompt
    assert row("Discharged after noon", *WARDS[1], sum(WARDS[1])) in prompt
    result = chi_square_independence(WARDS)
    assert_answers(
        "gb-09-ward-discharge-chi-square",
        {
            "expected-b": result.expected[0][1],
            "chi-square": result.statistic,
            "df": result.df,
            "critical": result.critical_value(),
            "p-value": result.p_value,
        },
    )
    assert 0.01 < result.p_value < 0.05
    contributions = [
        [(o - e) ** 2 / e for o, e in zip(obs, exp, strict=True)]
        for obs, exp in zip(result.observed, result.expected, strict=True)
    ]
    largest = max(
        (value, r, c) for r, line in enumerate(contributions) for c, value in enumerate(line)
    )
    assert largest[1:] == (0, 1)  # Ward B, before noon
    solution = exercise_file("gb-09-ward-discharge-chi-square", "solution.md")
    assert f"(62 − 49.92)² ÷ 49.92 = {contributions[0][1]:.3f}" in solution
    assert f"add up to {result.statistic:.2f}" in solution
    assert f"CHISQ.DIST.RT({result.statistic:.2f}, 2) = {result.p_value:.4f}" in solution


def test_the_hypothesis_testing_check():
    assert_answers(
        "gb-09-check",
        {"pooled-df": 15 + 12 - 2, "anova-f": (36 / (4 - 1)) / (80 / (24 - 4)), "chi-df": 6},
    )


# ---------------------------------------------------------------------------------------------
# Module 10: correlation and regression

REG = module_text("10-correlation-regression")
REG_FIGURE = (COURSE / "10-correlation-regression" / "calls-scatter.svg").read_text("utf-8")
PRODUCTS = [1, 2, 2, 3, 1, 4, 3, 5, 2, 4, 6, 3, 5, 3, 1]
CALL_MINUTES = [4.8, 5.2, 8.1, 6.4, 3.9, 9.8, 9.2, 9.7, 6.9, 7.6, 12.4, 6.1, 11.8, 8.3, 5.6]
COMPLEXITY = [2, 3, 5, 4, 7, 6, 8, 3, 5, 9, 4, 6, 7, 2, 8, 5]
MISSING = [0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0]
SETTLE_DAYS = [7, 10, 13, 8, 20, 12, 26, 9, 15, 21, 16, 14, 13, 11, 22, 9]


def sums(x, y):
    x_bar, y_bar = fmean(x), fmean(y)
    sxx = math.fsum((a - x_bar) ** 2 for a in x)
    syy = math.fsum((b - y_bar) ** 2 for b in y)
    sxy = math.fsum((a - x_bar) * (b - y_bar) for a, b in zip(x, y, strict=True))
    return sxx, syy, sxy


def test_the_call_data_are_in_the_table():
    assert row("Products (x)", *PRODUCTS) in REG
    assert row("Minutes (y)", *CALL_MINUTES) in REG
    assert REG_FIGURE.count("<circle") == len(PRODUCTS)


def test_the_call_regression():
    fit = linear_regression(PRODUCTS, CALL_MINUTES, "products")
    sxx, syy, sxy = sums(PRODUCTS, CALL_MINUTES)
    b0, b1 = fit.intercept, fit.coefficients["products"]
    r = sxy / math.sqrt(sxx * syy)
    assert f"x̄ = {sum(PRODUCTS)} ÷ 15 = {fmean(PRODUCTS):.0f} products" in REG
    assert f"ȳ = {sum(CALL_MINUTES):.1f} ÷ 15 = {fmean(CALL_MINUTES):.2f} minutes" in REG
    assert f"Sxx = **{sxx:.0f}**, Syy = **{syy:.3f}**, Sxy = **{sxy:.1f}**" in REG
    assert f"r = {sxy:.1f} ÷ √({sxx:.0f} × {syy:.3f}) = **{r:.3f}**" in REG
    assert f"b1 = {sxy:.1f} ÷ {sxx:.0f} = **{b1:.3f}** minutes per product" in REG
    assert f"b0 = {fmean(CALL_MINUTES):.2f} − {b1:.3f} × 3 = **{b0:.2f}** minutes" in REG
    assert f"ŷ = {b0:.2f} + {b1:.3f} × products" in REG
    assert f"ŷ = {b0:.2f} + {b1:.3f}x" in REG_FIGURE
    assert f"SST = {fit.ss_total:.2f}; SSE = **{fit.ss_residual:.2f}**" in REG
    assert f"SSR = {fit.ss_total:.2f} − {fit.ss_residual:.2f} = {fit.ss_regression:.2f}" in REG
    assert (
        f"R² = {fit.ss_regression:.2f} ÷ {fit.ss_total:.2f} = **{fit.r_squared:.3f}**, "
        f"which equals {r:.3f}²"
    ) in REG
    assert fit.r_squared == pytest.approx(r**2)
    s = fit.residual_standard_error
    assert f"s = √({fit.ss_residual:.2f} ÷ 13) = **{s:.2f}** minutes" in REG
    se = fit.standard_errors["products"]
    assert f"SE(b1) = {s:.2f} ÷ √34 = {se:.3f}" in REG
    assert f"t = {b1:.3f} ÷ {se:.3f} = **{fit.t_values['products']:.2f}** on 13" in REG
    assert fit.p_values["products"] < 0.0001


def test_the_call_prediction_and_its_interval():
    fit = linear_regression(PRODUCTS, CALL_MINUTES, "products")
    b0, b1 = fit.intercept, fit.coefficients["products"]
    prediction = fit.predict(5)
    assert f"ŷ = {b0:.2f} + {b1:.3f} × 5 = **{prediction:.2f}** minutes" in REG
    t = sps.t.ppf(0.975, fit.df_residual)
    factor = math.sqrt(1 + 1 / 15 + (5 - 3) ** 2 / 34)
    half = t * fit.residual_standard_error * factor
    assert f"{prediction:.2f} ± {t:.3f} × {fit.residual_standard_error:.2f} × {factor:.3f}" in REG
    assert f"from **{prediction - half:.2f} to {prediction + half:.2f}** minutes" in REG


def test_the_call_residuals():
    fit = linear_regression(PRODUCTS, CALL_MINUTES, "products")
    residuals = fit.residuals
    largest = max(range(len(residuals)), key=lambda i: abs(residuals[i]))
    assert largest == 2  # call 3
    s = fit.residual_standard_error
    standardised = residuals[largest] / s
    assert (
        f"{CALL_MINUTES[largest]} minutes against a fitted {fit.fitted[largest]:.2f}, a "
        f"residual of +{residuals[largest]:.2f} and a standardised residual of "
        f"{residuals[largest]:.2f} ÷ {s:.2f} = **{standardised:.2f}**"
    ) in REG
    assert all(abs(e / s) < 2 for e in residuals)
    assert f"between about −{-min(residuals):.1f} and +{max(residuals):.1f} minutes" in REG


def test_the_claims_regressions():
    table = (
        ("Complexity (x1)", COMPLEXITY),
        ("Document missing (x2: 1 = yes)", MISSING),
        ("Days to settle (y)", SETTLE_DAYS),
    )
    for label, values in table:
        assert row(label, *values) in REG
    simple = linear_regression(COMPLEXITY, SETTLE_DAYS, "complexity")
    b0, b1 = simple.intercept, simple.coefficients["complexity"]
    assert f"Days = {b0:.2f} + {b1:.2f} × complexity, with R² = **{simple.r_squared:.3f}**" in REG
    assert f"s = {simple.residual_standard_error:.2f} days" in REG
    assert f"(p = {simple.p_values['complexity']:.4f})" in REG
    both = multiple_regression(
        list(zip(COMPLEXITY, MISSING, strict=True)), SETTLE_DAYS, names=("complexity", "missing")
    )
    for label, term in (("Intercept", "intercept"), ("Complexity", "complexity")):
        coefficient, error = both.coefficients[term], both.standard_errors[term]
        t, p = both.t_values[term], both.p_values[term]
        shown_p = f"{p:.3f}" if p >= 0.001 else "< 0.001"
        assert row(label, f"{coefficient:.2f}", f"{error:.2f}", f"{t:.2f}", shown_p) in REG
    missing = both.coefficients["missing"]
    assert both.p_values["missing"] < 0.001
    assert (
        row(
            "Document missing",
            f"{missing:.2f}",
            f"{both.standard_errors['missing']:.2f}",
            f"{both.t_values['missing']:.2f}",
            "< 0.001",
        )
        in REG
    )
    assert f"R² = **{both.r_squared:.3f}**, adjusted R² = **{both.adjusted_r_squared:.3f}**" in REG
    assert f"s = **{both.residual_standard_error:.2f}** days" in REG
    assert f"about **{missing:.1f} days** at the same complexity" in REG
    assert (
        f"adjusted R² from {simple.adjusted_r_squared:.3f} to {both.adjusted_r_squared:.3f}" in REG
    )
    assert (
        f"from {simple.residual_standard_error:.2f} to {both.residual_standard_error:.2f} days"
        in REG
    )
    assert f"({b1:.2f} to {both.coefficients['complexity']:.2f})" in REG  # complexity barely moved
    with_missing = [c for c, m in zip(COMPLEXITY, MISSING, strict=True) if m]
    without = [c for c, m in zip(COMPLEXITY, MISSING, strict=True) if not m]
    assert (
        f"{fmean(with_missing):.1f} for claims with a missing document and "
        f"{fmean(without):.1f} for the rest"
    ) in REG
    b = both.coefficients
    assert (
        f"{b['intercept']:.2f} + {b['complexity']:.2f} × 6 + {missing:.2f} = "
        f"**{both.predict([6, 1]):.1f}** days with a document missing and "
        f"**{both.predict([6, 0]):.1f}** days without"
    ) in REG


INVOICE_LINES = [3, 5, 8, 4, 12, 6, 10, 15, 7, 10]
INVOICE_MINUTES = [7.2, 8.8, 13.7, 7.6, 21.6, 18.4, 17.5, 29.7, 17.9, 17.9]


def test_the_regression_exercise():
    prompt = exercise_file("gb-10-invoice-regression", "prompt.md")
    assert row("Lines (x)", *INVOICE_LINES) in prompt
    assert row("Minutes (y)", *INVOICE_MINUTES) in prompt
    fit = linear_regression(INVOICE_LINES, INVOICE_MINUTES, "lines")
    sxx, syy, sxy = sums(INVOICE_LINES, INVOICE_MINUTES)
    assert_answers(
        "gb-10-invoice-regression",
        {
            "correlation": sxy / math.sqrt(sxx * syy),
            "slope": fit.coefficients["lines"],
            "intercept": fit.intercept,
            "r-squared": fit.r_squared,
            "residual-se": fit.residual_standard_error,
            "prediction": fit.predict(9),
            "residual-6": fit.residuals[5],
        },
    )
    assert max(fit.residuals) == fit.residuals[5]
    solution = exercise_file("gb-10-invoice-regression", "solution.md")
    assert f"Sxx = {sxx:.0f}, Sxy = {sxy:.1f}, Syy = {syy:.3f}" in solution
    assert f"b1 = {sxy:.1f} ÷ {sxx:.0f} = {fit.coefficients['lines']:.3f}" in solution
    assert f"SSE = {fit.ss_residual:.3f}" in solution
    shown = ", ".join(f"{e:.2f}".replace("-", "−") for e in fit.residuals[:-1])
    assert shown in solution
    assert f"about {fit.residuals[5] / fit.residual_standard_error:.2f} residual" in solution
    assert f"2.43 + 1.7 × 60 = {fit.predict(60):.1f}" in solution


def test_the_regression_check():
    assert_answers("gb-10-check", {"r-squared": 0.6**2 * 100, "predict": 4.2 + 0.85 * 12})


# ---------------------------------------------------------------------------------------------
# Module 11: solutions, experiments, pilots and FMEA

IMP = module_text("11-improve-solutions-fmea")
IMP_FIGURE = (COURSE / "11-improve-solutions-fmea" / "interaction-plot.svg").read_text("utf-8")
WEIGHTS = [5, 3, 2, 4]
OPTIONS = {
    "SMS": [5, 4, 4, 3],
    "agent call": [4, 2, 3, 5],
    "letter": [2, 5, 5, 4],
    "portal": [4, 1, 1, 4],
}
COLLECTIONS = [[18, 21], [26, 25], [23, 24], [38, 37]]  # (1), a, b, ab × weeks 1 and 2
FMEA = [(9, 4, 6), (8, 3, 7), (5, 7, 8), (4, 6, 3), (5, 5, 4), (6, 2, 2)]
FMEA_AFTER = {1: (9, 1, 6), 2: (8, 1, 2), 3: (5, 3, 8)}


def test_the_prioritisation_matrix():
    totals = [
        sum(w * s for w, s in zip(WEIGHTS, scores, strict=True)) for scores in OPTIONS.values()
    ]
    assert row("**Weighted total (of 70)**", *(f"**{t}**" for t in totals)) in IMP
    assert 5 * sum(WEIGHTS) == 70
    sms = OPTIONS["SMS"]
    products = [w * s for w, s in zip(WEIGHTS, sms, strict=True)]
    assert (
        " + ".join(f"{w} × {s}" for w, s in zip(WEIGHTS, sms, strict=True))
        + " = "
        + " + ".join(map(str, products))
        + f" = **{sum(products)}**"
    ) in IMP


def test_the_collections_experiment():
    result = factorial_effects(full_factorial(2), COLLECTIONS)
    means = [fmean(run) for run in COLLECTIONS]
    for name, values, mean in zip(("(1)", "a", "b", "ab"), COLLECTIONS, means, strict=True):
        assert f"| {name} |" in IMP and f"| {values[0]} | {values[1]} | {mean:.1f} |" in IMP
    effects = result.effects
    assert (
        f"(25.5 + 37.5)/2 − (19.5 + 23.5)/2 = 31.5 − 21.5 = **{effects['A']:.1f}** percentage"
        in IMP
    )
    assert (
        f"(23.5 + 37.5)/2 − (19.5 + 25.5)/2 = 30.5 − 22.5 = **{effects['B']:.1f}** percentage"
        in IMP
    )
    assert (
        f"(19.5 + 37.5)/2 − (25.5 + 23.5)/2 = 28.5 − 24.5 = **{effects['AB']:.1f}** percentage"
        in IMP
    )
    gain_late, gain_early = means[1] - means[0], means[3] - means[2]
    assert f"the SMS adds 25.5 − 19.5 = {gain_late:.0f} points" in IMP
    assert f"it adds 37.5 − 23.5 = {gain_early:.0f} points" in IMP
    assert (gain_early - gain_late) / 2 == effects["AB"]
    assert result.error_mean_square == 1.5
    se = result.standard_errors["AB"]
    assert f"2 × √(1.5/8) = **{se:.2f}** points" in IMP
    assert f"is {result.t_values['AB']:.1f} standard errors from zero" in IMP
    assert f"(p = {result.p_values['AB']:.4f} on {result.error_df} degrees of freedom)" in IMP
    assert all(p < 0.05 for p in result.p_values.values())
    c = result.coefficients
    assert f"ŷ = {result.mean} + {c['A']:.1f}A + {c['B']:.1f}B + {c['AB']:.1f}AB" in IMP
    best = result.predict({"A": 1, "B": 1})
    assert f"26.5 + 5 + 4 + 2 = **{best:.1f}%**" in IMP
    for value in means:
        assert f">{value}" in IMP_FIGURE


def test_the_pilot_result():
    assert f"**{441 / 1200 * 100:.2f}%**" in IMP
    assert f"**{4 / 1200 * 1000:.1f} per 1,000**" in IMP


def test_the_fmea_table():
    rpns = [s * o * d for s, o, d in FMEA]
    for n, ((s, o, d), rpn) in enumerate(zip(FMEA, rpns, strict=True), start=1):
        assert re.search(rf"^\| {n} \|.*\| {s} \|.*\| {o} \|.*\| {d} \| {rpn} \|$", IMP, re.M)
    order = sorted(range(len(rpns)), key=lambda i: -rpns[i])
    assert "By RPN the order is " + ", ".join(f"{i + 1} ({rpns[i]})" for i in order) in IMP
    for n, (s, o, d) in FMEA_AFTER.items():
        assert re.search(rf"^\| {n} \|.*\| {s} \| {o} \| {d} \| {s * o * d} \|$", IMP, re.M)


DISCHARGE_MINUTES = [153, 111, 127, 105, 144, 105, 118, 96]  # standard order


def test_the_doe_exercise():
    prompt = exercise_file("gb-11-doe-discharge-medicines", "prompt.md")
    design = full_factorial(3)
    for run, minutes in zip(design, DISCHARGE_MINUTES, strict=True):
        signs = " | ".join("+" if run[f] > 0 else "−" for f in "ABC")
        assert f"| {signs} | {minutes} |" in prompt
    result = factorial_effects(design, DISCHARGE_MINUTES)
    low_a = [(run, y) for run, y in zip(design, DISCHARGE_MINUTES, strict=True) if run["A"] < 0]
    b_at_low_a = factorial_effects(
        [{"B": run["B"], "C": run["C"]} for run, _ in low_a], [y for _, y in low_a]
    ).effects["B"]
    assert_answers(
        "gb-11-doe-discharge-medicines",
        {
            "effect-a": result.effects["A"],
            "effect-b": result.effects["B"],
            "effect-c": result.effects["C"],
            "interaction-ab": result.effects["AB"],
            "b-at-a-low": b_at_low_a,
            "prediction": result.predict({"A": 1, "B": 1, "C": 1}, terms=("A", "B", "C", "AB")),
        },
    )
    small = [result.effects[term] for term in ("AC", "BC", "ABC")]
    assert all(abs(value) < 1 for value in small)
    solution = exercise_file("gb-11-doe-discharge-medicines", "solution.md")
    assert f"{sum(DISCHARGE_MINUTES)} ÷ 8 = {result.mean:.3f} minutes" in solution
    assert f"AC = +{result.effects['AC']:.2f}" in solution


def test_the_fmea_exercise():
    ratings = [(7, 5, 6), (5, 6, 8), (9, 3, 8), (6, 4, 3), (4, 5, 2), (3, 6, 5)]
    prompt = exercise_file("gb-11-fmea-claims-form", "prompt.md", flat=False)
    for n, (s, o, d) in enumerate(ratings, start=1):
        assert re.search(rf"^\| {n} \|.*\| {s} \| {o} \| {d} \|$", prompt, re.M)
    rpns = [s * o * d for s, o, d in ratings]
    assert_answers(
        "gb-11-fmea-claims-form",
        {"rpn-photos": rpns[1], "rpn-injury": rpns[2], "new-rpn": 9 * 1 * 8},
    )
    assert max(rpns) == rpns[1]
    assert [n for n, rpn in enumerate(rpns, start=1) if rpn > 100] == [1, 2, 3]
    assert [n for n, (s, _, _) in enumerate(ratings, start=1) if s >= 9] == [3]
    solution = exercise_file("gb-11-fmea-claims-form", "solution.md", flat=False)
    order = sorted(range(6), key=lambda i: -rpns[i])
    for rank, i in enumerate(order, start=1):
        s, o, d = ratings[i]
        assert re.search(
            rf"^\| {i + 1} \|.*\| {s} × {o} × {d} \| {rpns[i]} \| {rank} \|$", solution, re.M
        )


def test_the_improve_check():
    interaction = factorial_effects(full_factorial(2), [20, 30, 24, 26]).effects["AB"]
    assert_answers(
        "gb-11-check", {"weighted-score": 5 * 4 + 3 * 2 + 2 * 5, "interaction": interaction}
    )


# ---------------------------------------------------------------------------------------------
# Module 12: control plans and handover

CTL = module_text("12-control-plans-handover")
CTL_FIGURE = (COURSE / "12-control-plans-handover" / "p-chart-before-after.svg").read_text("utf-8")
INCOMPLETE_BEFORE = [22, 18, 25, 19, 21, 17, 23, 20, 16, 24, 19, 16]
INCOMPLETE_AFTER = [9, 7, 10, 6, 8, 9, 7, 8, 6, 10]
WEEKLY = 200


def test_the_before_limits():
    assert ", ".join(map(str, INCOMPLETE_BEFORE)) + f" | {sum(INCOMPLETE_BEFORE)} |" in CTL
    before = p_chart_limits(INCOMPLETE_BEFORE, [WEEKLY] * 12)
    total = WEEKLY * 12
    assert f"p̄ = {sum(INCOMPLETE_BEFORE)} ÷ {total:,} = **{before.center:.3f}**" in CTL
    assert f"σp = √(0.100 × 0.900 ÷ 200) = {before.sigma[0]:.4f}" in CTL
    assert f"UCL = 0.100 + 3 × {before.sigma[0]:.4f} = **{before.ucl[0]:.4f}**" in CTL
    assert f"LCL = 0.100 − 3 × {before.sigma[0]:.4f} = **{before.lcl[0]:.4f}**" in CTL
    assert all(lo < p < hi for p, lo, hi in zip(before.points, before.lcl, before.ucl, strict=True))
    shown = f"{min(before.points) * 100:.0f}% and {max(before.points) * 100:.1f}%"
    assert f"vary between {shown}" in CTL
    assert f"limits {before.lcl[0] * 100:.1f}% to {before.ucl[0] * 100:.1f}%" in CTL_FIGURE


def test_the_after_weeks_signal_a_shift():
    before = p_chart_limits(INCOMPLETE_BEFORE, [WEEKLY] * 12)
    points = [d / WEEKLY for d in INCOMPLETE_AFTER]
    assert f"run from {min(points):.3f} to {max(points):.3f}" in CTL
    assert all(p < before.center for p in points)
    for run_length in (8, 9):
        flagged = run_rule_violations(
            points, before.center, before.sigma[0], rules=(2,), same_side_run=run_length
        )
        assert flagged and flagged[0].index == run_length - 1
    below = [(13 + i, p) for i, p in enumerate(points) if p < before.lcl[0]]
    weeks = ", ".join(str(week) for week, _ in below[:-1]) + f" and {below[-1][0]}"
    values = ", ".join(f"{p:.3f}" for _, p in below[:-1]) + f" and {below[-1][1]:.3f}"
    assert f"four of them (weeks {weeks}, at {values})" in CTL
    assert len(below) == 4


def test_the_revised_limits():
    after = p_chart_limits(INCOMPLETE_AFTER, [WEEKLY] * 10)
    assert ", ".join(map(str, INCOMPLETE_AFTER)) + f" | {sum(INCOMPLETE_AFTER)} |" in CTL
    total = WEEKLY * 10
    assert f"p̄ = {sum(INCOMPLETE_AFTER)} ÷ {total:,} = **{after.center:.3f}**" in CTL
    sigma = after.sigma[0]
    assert f"σp = √(0.040 × 0.960 ÷ 200) = {sigma:.4f}" in CTL
    assert f"UCL = 0.040 + 3 × {sigma:.4f} = **{after.ucl[0]:.4f}**" in CTL
    raw_lcl = after.center - 3 * sigma
    assert raw_lcl < 0 and after.lcl[0] == 0
    assert f"0.040 − 3 × {sigma:.4f} = {raw_lcl:.4f}".replace("= -", "= −") in CTL
    assert f"a point above {after.ucl[0]:.4f} still" in CTL
    assert f"limits 0 to {after.ucl[0] * 100:.1f}%" in CTL_FIGURE


def test_the_before_after_chi_square_and_benefits():
    late_before, late_after = sum(INCOMPLETE_BEFORE), sum(INCOMPLETE_AFTER)
    table = [[late_before, WEEKLY * 12 - late_before], [late_after, WEEKLY * 10 - late_after]]
    assert row("Before", late_before, f"{table[0][1]:,}", f"{WEEKLY * 12:,}") in CTL
    assert row("After", late_after, f"{table[1][1]:,}", f"{WEEKLY * 10:,}") in CTL
    result = chi_square_independence(table)
    assert f"χ² = **{result.statistic:.2f}** on {result.df} degree of freedom" in CTL
    assert result.p_value < 0.0001
    fewer = round((0.10 - 0.04) * WEEKLY * 52)
    assert f"6 percentage points × 200 applications × 52 weeks = **{fewer}**" in CTL
    assert f"{fewer} × £14 = **£{fewer * 14:,}** a year" in CTL


CLINIC_BEFORE = [33, 31, 36, 30, 35, 32, 34, 29, 37, 33, 31, 35, 34, 32]
CLINIC_AFTER = [16, 13, 17, 14, 15, 18, 12, 16, 14, 17, 13, 15]
AUDITED = 150


def test_the_before_after_exercise():
    prompt = exercise_file("gb-12-before-after", "prompt.md")
    assert ", ".join(map(str, CLINIC_BEFORE)) in prompt
    assert ", ".join(map(str, CLINIC_AFTER)) in prompt
    before = p_chart_limits(CLINIC_BEFORE, [AUDITED] * len(CLINIC_BEFORE))
    after = p_chart_limits(CLINIC_AFTER, [AUDITED] * len(CLINIC_AFTER))
    late_before, late_after = sum(CLINIC_BEFORE), sum(CLINIC_AFTER)
    n_before, n_after = AUDITED * len(CLINIC_BEFORE), AUDITED * len(CLINIC_AFTER)
    table = [[late_before, n_before - late_before], [late_after, n_after - late_after]]
    chi = chi_square_independence(table)
    assert_answers(
        "gb-12-before-after",
        {
            "p-bar-before": before.center,
            "lcl-before": before.lcl[0],
            "below-old-lcl": sum(p < before.lcl[0] for p in after.points),
            "p-bar-after": after.center,
            "ucl-after": after.ucl[0],
            "lcl-after": after.lcl[0],
            "chi-square": chi.statistic,
        },
    )
    assert after.center - 3 * after.sigma[0] > 0  # the revised LCL is not floored
    solution = exercise_file("gb-12-before-after", "solution.md")
    assert f"UCL = 0.220 + 3 × {before.sigma[0]:.4f} = {before.ucl[0]:.3f}" in solution
    assert f"UCL = 0.100 + 3 × {after.sigma[0]:.4f} = {after.ucl[0]:.3f}" in solution
    assert f"{min(before.points):.3f} to {max(before.points):.3f}" in solution
    contributions = [
        (o - e) ** 2 / e
        for obs, exp in zip(chi.observed, chi.expected, strict=True)
        for o, e in zip(obs, exp, strict=True)
    ]
    shown = " + ".join(f"{c:.2f}" for c in contributions)
    assert f"χ² = {shown} = {chi.statistic:.2f}" in solution
    assert f"{chi.expected[0][0]:.2f} before and {chi.expected[1][0]:.2f} after" in solution


def test_the_control_check():
    ucl = p_chart_limits([20, 20], [400, 400]).ucl[0]  # p̄ = 0.05, n = 400
    lcl = p_chart_limits([4, 4], [100, 100]).lcl[0]  # p̄ = 0.04, n = 100
    assert_answers("gb-12-check", {"ucl": ucl, "lcl": lcl})


def test_the_a3_closeout_case():
    params = yaml.safe_load(exercise_file("gb-12-a3-closeout", "exercise.yaml"))["params"]
    assert params["baseline"] == 2000 / 3125 * 100
    prompt = exercise_file("gb-12-a3-closeout", "prompt.md")
    assert "3,125 responsive repairs, and 2,000 of them" in prompt
    assert f"2,490 of 3,000 repairs were fixed at the first visit: **{2490 / 3000:.0%}**" in prompt
    result = chi_square_independence([[2000, 1125], [2490, 510]])
    assert result.p_value < 0.001  # "a chi-square test ... gives p < 0.001"


# ---------------------------------------------------------------------------------------------
# Module 13: leading change

CHG = module_text("13-leading-change-service")
ADOPTION = [("Ward 4", 10, 80, 56), ("Ward 5", 9, 70, 42), ("Ward 6", 8, 90, 18)]


def test_the_adoption_table():
    for ward, trained, eligible, by_criteria in ADOPTION:
        use = by_criteria / eligible * 100
        assert row(ward, f"{trained} of 10", eligible, by_criteria, f"{use:.1f}%") in CHG
    trained = sum(t for _, t, _, _ in ADOPTION)
    eligible = sum(e for _, _, e, _ in ADOPTION)
    used = sum(u for _, _, _, u in ADOPTION)
    total_row = row("**All**", f"**{trained} of 30**", f"**{eligible}**", f"**{used}**")
    assert total_row[:-2] + f" | **{used / eligible * 100:.1f}%** |" in CHG
    assert f"({trained / 30:.0%} overall)" in CHG
    assert_answers("gb-13-check", {"adoption": 45 / 120 * 100})


SAME_DAY = [("North", 12, 12, 80, 56), ("South", 10, 10, 160, 56), ("East", 9, 7, 60, 45)]


def test_the_same_day_decisions_exercise():
    prompt = exercise_file("gb-13-same-day-decisions", "prompt.md")
    for team in SAME_DAY:
        assert row(*team) in prompt
    assessors = sum(team[1] for team in SAME_DAY)
    trained = sum(team[2] for team in SAME_DAY)
    eligible = sum(team[3] for team in SAME_DAY)
    same_day = sum(team[4] for team in SAME_DAY)
    south = SAME_DAY[1]
    assert_answers(
        "gb-13-same-day-decisions",
        {
            "overall-use": same_day / eligible * 100,
            "south-use": south[4] / south[3] * 100,
            "reach": trained / assessors * 100,
        },
    )
    unweighted = fmean(team[4] / team[3] * 100 for team in SAME_DAY)
    assert abs(unweighted - same_day / eligible * 100) > 4 * 0.005 * 60  # a clear slip
    solution = exercise_file("gb-13-same-day-decisions", "solution.md")
    overall = f"{trained} of {assessors} = {trained / assessors:.1%}"
    assert f"{overall} | {same_day} ÷ {eligible} = {same_day / eligible:.1%}" in solution
    assert f"average of the three percentages ({unweighted:.1f}%)" in solution

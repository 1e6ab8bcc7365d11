"""The worked examples of Black Belt modules 1 to 4 and the numeric answers of their exercises
agree with app.lss and SciPy.

The inputs are hard-coded as the texts state them. Every figure a module quotes is recomputed
(with app.lss.stats and app.lss.doe where a function exists, SciPy or plain arithmetic
otherwise) and must appear in the text exactly as written. Every numeric answer stored in an
exercise is recomputed the same way, and the data the exercise shows must be in its prompt.

Published examples the methods are checked against:
- Montgomery, Design and Analysis of Experiments, chapter 3, the tensile strength of cotton
  blends (five cotton percentages, five specimens each): SS_treatments 475.76, SS_E 161.20,
  F = 14.76; Tukey's q(0.05; 5, 20) = 4.23 and T(0.05) = 5.37.
- Montgomery, Example 6.2, the filtration rate 2⁴ (effects A = 21.625, C = 9.875,
  D = 14.625, AC = −18.125, AD = 16.625), and Example 8.1, its half fraction with I = ABCD
  (A = 19.00, C = 14.00, D = 16.50, AC + BD = −18.50, AD + BC = 19.00).
- NIST/SEMATECH e-Handbook 7.4.3.3, the one-way ANOVA of three levels with five values
  each: SS_between 27.897, SS_within 17.452, F = 9.59.
"""

import math
from statistics import NormalDist, fmean, variance

import numpy as np
import pytest
import yaml
from scipy import stats as sps

from app.config import REPO_ROOT
from app.lss.doe import factorial_effects, fractional_factorial, full_factorial
from app.lss.stats import multiple_regression, normality, one_way_anova

COURSE = REPO_ROOT / "courses" / "black-belt"
EXERCISES = REPO_ROOT / "exercises"
Z = NormalDist().inv_cdf
PHI = NormalDist().cdf


def module_text(folder: str) -> str:
    return (COURSE / folder / "index.md").read_text(encoding="utf-8")


def exercise_file(slug: str, name: str, flat: bool = True) -> str:
    """The file's text. Markdown is joined into single spaces unless flat is False, so that
    sentences wrapped over two lines still match."""
    text = (EXERCISES / slug / name).read_text(encoding="utf-8")
    return " ".join(text.split()) if flat and name.endswith(".md") else text


def questions(slug: str) -> dict[str, dict]:
    listed = yaml.safe_load(exercise_file(slug, "exercise.yaml"))["params"]["questions"]
    return {q["id"]: q for q in listed}


def numeric_answers(slug: str) -> dict[str, float]:
    return {qid: q["answer"] for qid, q in questions(slug).items() if q["type"] == "numeric"}


def correct_option(slug: str, qid: str) -> str:
    (text,) = [o["text"] for o in questions(slug)[qid]["options"] if o.get("correct")]
    return text


def assert_answers(slug: str, expected: dict[str, float]) -> None:
    """The exercise's numeric questions are exactly these, with these answers (stored to ten
    significant figures)."""
    answers = numeric_answers(slug)
    assert answers.keys() == expected.keys()
    for key, value in expected.items():
        assert answers[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


def row(*cells: object) -> str:
    """A markdown table row as the texts write it; an empty cell is written "| |"."""
    return " ".join(["|", *(f"{cell} |" if str(cell) else "|" for cell in cells)])


def joined(values, fmt: str = "g") -> str:
    return ", ".join(f"{v:{fmt}}" for v in values)


def round_up(n: float) -> int:
    """A sample size, rounded up; rounding to 9 places first keeps 62.0000000001 at 62."""
    return math.ceil(round(n, 9))


def n_two_means(z_alpha: float, z_beta: float, sigma: float, delta: float) -> float:
    return 2 * (z_alpha + z_beta) ** 2 * sigma**2 / delta**2


def n_two_proportions(z_alpha: float, z_beta: float, p1: float, p2: float) -> float:
    p_bar = (p1 + p2) / 2
    spread = z_alpha * math.sqrt(2 * p_bar * (1 - p_bar))
    spread += z_beta * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return spread**2 / (p1 - p2) ** 2


def t_test_power(n: int, delta: float, sigma: float, alpha: float = 0.05) -> float:
    """Exact power of a two-sided pooled two-sample t-test with n per group (noncentral t)."""
    df, shift = 2 * n - 2, delta / (sigma * math.sqrt(2 / n))
    critical = sps.t.ppf(1 - alpha / 2, df)
    return float(sps.nct.sf(critical, df, shift) + sps.nct.cdf(-critical, df, shift))


def t_based_n(delta: float, sigma: float, power: float) -> int:
    return next(n for n in range(2, 10_000) if t_test_power(n, delta, sigma) >= power)


def two_way_anova(cells) -> dict[str, float]:
    """Balanced two-way ANOVA with interaction; cells[i][j] holds the n replicates of level i
    of A and level j of B."""
    y = np.asarray(cells, dtype=float)
    a, b, n = y.shape
    grand, a_means, b_means = y.mean(), y.mean(axis=(1, 2)), y.mean(axis=(0, 2))
    cell_means = y.mean(axis=2)
    ss = {
        "a": b * n * float(((a_means - grand) ** 2).sum()),
        "b": a * n * float(((b_means - grand) ** 2).sum()),
        "ab": n * float(((cell_means - a_means[:, None] - b_means[None, :] + grand) ** 2).sum()),
        "error": float(((y - cell_means[:, :, None]) ** 2).sum()),
    }
    df = {"a": a - 1, "b": b - 1, "ab": (a - 1) * (b - 1), "error": a * b * (n - 1)}
    ms_error = ss["error"] / df["error"]
    result = {f"ss_{k}": v for k, v in ss.items()} | {"ms_error": ms_error}
    result["ss_total"] = float(((y - grand) ** 2).sum())
    for term in ("a", "b", "ab"):
        f = ss[term] / df[term] / ms_error
        result[f"f_{term}"] = f
        result[f"p_{term}"] = float(sps.f.sf(f, df[term], df["error"]))
    return result


# ---------------------------------------------------------------------------------------------
# Module 1: advanced hypothesis testing and ANOVA

HT = module_text("01-advanced-hypothesis-testing-anova")
HUBS = {
    "Leeds": [9, 13, 10, 7, 11, 10],
    "Cardiff": [13, 11, 14, 10, 12, 12],
    "Glasgow": [12, 15, 13, 16, 11, 13],
    "Belfast": [17, 15, 16, 14, 18, 17],
}
LOUNGE = [  # ward (medical, surgical) × lounge (no, yes) × three days
    [[6.0, 6.5, 5.5], [4.0, 3.6, 4.4]],
    [[5.0, 5.4, 4.9], [4.5, 4.8, 4.2]],
]
COMPLAINTS = {
    "Letter": [12, 19, 25, 41, 16],
    "Email": [8, 11, 14, 9, 18, 13],
    "Phone": [3, 6, 10, 5, 22],
}
BILLING = [  # script (current, new) × shift (early, day, late) × three days
    [[14.2, 13.6, 14.8], [12.9, 13.5, 13.2], [15.1, 15.9, 15.4]],
    [[12.1, 12.8, 12.4], [11.8, 12.4, 12.0], [12.5, 13.1, 12.9]],
]


class TestPowerAndSampleSize:
    def test_the_tabled_z_values(self):
        assert f"{Z(0.975):.3f}" == "1.960"
        assert f"{Z(0.80):.3f}" == "0.842"
        assert f"{Z(0.90):.3f}" == "1.282"
        assert "z₁₋α/₂ = 1.960 for α = 0.05, and z₁₋β = 0.842 for 80% power or 1.282 for 90%" in HT
        assert round(2 * (1.960 + 0.842) ** 2) == 16  # the Green Belt's 16σ²/δ²

    def test_the_benefits_team_sample_size(self):
        n = n_two_means(1.960, 1.282, 5, 2)
        assert (
            f"n = 2 × (1.960 + 1.282)² × 5² ÷ 2² = 2 × {(1.960 + 1.282) ** 2:.2f} × "
            f"{25 / 4:.2f} = {n:.1f}, so **{round_up(n)} cases per group**"
        ) in HT
        assert round_up(n_two_means(Z(0.975), Z(0.90), 5, 2)) == round_up(n) == 132
        t_based = t_based_n(2, 5, 0.90)
        assert f"asks for **{t_based}**" in HT

    def test_the_power_of_sixty_a_group(self):
        shift = 2 / (5 * math.sqrt(2 / 60))
        power = PHI(shift - 1.960)
        assert f"centred on 2 ÷ (5 × √(2/60)) = {shift:.3f}" in HT
        assert f"Φ({shift:.3f} − 1.960) = Φ({shift - 1.960:.3f}) = **{power:.2f}**" in HT
        assert t_test_power(60, 2, 5) == pytest.approx(power, abs=0.01)

    def test_the_two_proportions_sample_size(self):
        n = n_two_proportions(1.960, 0.842, 0.85, 0.90)
        assert "with p̄ = 0.875" in HT
        assert (
            "[1.960 √(2 × 0.875 × 0.125) + 0.842 √(0.85 × 0.15 + 0.90 × 0.10)]² ÷ 0.05² = "
            f"**{round_up(n)} claims per group**"
        ) in HT
        assert round_up(n_two_proportions(Z(0.975), Z(0.80), 0.85, 0.90)) == round_up(n)

    def test_the_rules_of_thumb(self):
        ratio = (1.960 + 1.282) ** 2 / (1.960 + 0.842) ** 2
        assert round(ratio - 1, 1) == pytest.approx(1 / 3, abs=0.04)  # "adds about a third"
        assert f"1 − 0.95⁶ = {1 - 0.95**6:.0%}" in HT


class TestClaimsHubs:
    RESULT = one_way_anova(HUBS)
    MSE, N = RESULT.ms_within, 6

    def test_the_data_table(self):
        for name, days in HUBS.items():
            assert row(name, joined(days), f"{fmean(days):.2f}", f"{variance(days):.2f}") in HT

    def test_the_anova_table(self):
        r = self.RESULT
        assert row(
            "Between hubs", f"{r.ss_between:.2f}", r.df_between, f"{r.ms_between:.2f}",
            f"{r.f:.2f}", f"{r.p_value:.5f}",
        ) in HT  # fmt: skip
        assert (
            row("Within hubs", f"{r.ss_within:.2f}", r.df_within, f"{r.ms_within:.2f}", "", "")
            in HT
        )
        assert row("Total", f"{r.ss_total:.2f}", r.df_total, "", "", "") in HT

    def test_tukeys_hsd(self):
        q = sps.studentized_range.ppf(0.95, 4, 20)
        hsd = q * math.sqrt(self.MSE / self.N)
        assert f"{self.MSE:.3f}" == "2.908"
        assert f"for 4 means and 20 error degrees of freedom is {q:.3f}" in HT
        assert f"HSD = {q:.3f} × √(2.908 ÷ 6) = **{hsd:.2f} days**" in HT

    def test_the_bonferroni_limit(self):
        t = sps.t.ppf(1 - 0.05 / 12, 20)
        limit = t * math.sqrt(2 * self.MSE / self.N)
        assert f"0.05 ÷ 6 = {0.05 / 6:.4f}, and t(0.99583; 20) = {t:.3f}" in HT
        assert f"least difference = {t:.3f} × √(2 × 2.908 ÷ 6) = **{limit:.2f} days**" in HT

    def test_the_pairwise_verdicts(self):
        q = sps.studentized_range.ppf(0.95, 4, 20)
        hsd = q * math.sqrt(self.MSE / self.N)
        bonferroni = sps.t.ppf(1 - 0.05 / 12, 20) * math.sqrt(2 * self.MSE / self.N)
        names = list(HUBS)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                gap = abs(fmean(HUBS[second]) - fmean(HUBS[first]))
                tukey = "differ" if gap > hsd else "no"
                bonf = "differ" if gap > bonferroni else "no"
                assert row(f"{first} – {second}", f"{gap:.2f}", tukey, bonf) in HT
                # Tukey's verdict agrees with SciPy's Tukey HSD p-value.
                p = sps.tukey_hsd(*HUBS.values()).pvalue[i][names.index(second)]
                assert (p < 0.05) == (gap > hsd)

    def test_the_assumption_checks(self):
        residuals = [v - fmean(days) for days in HUBS.values() for v in days]
        check = normality(residuals)
        assert check.normal_at_5pct and check.anderson_darling_p_value >= 0.15
        assert f"A² = {check.anderson_darling:.2f} and p is above 0.15" in HT
        levene = sps.levene(*HUBS.values(), center="median")
        bartlett = sps.bartlett(*(np.asarray(v, dtype=float) for v in HUBS.values()))
        assert f"Levene's W = {levene.statistic:.2f} (p = {levene.pvalue:.2f})" in HT
        assert f"Bartlett's statistic is {bartlett.statistic:.2f} (p = {bartlett.pvalue:.2f})" in HT
        variances = [variance(v) for v in HUBS.values()]
        ratio = max(variances) / min(variances)
        assert f"{max(variances):.2f} ÷ {min(variances):.2f} = {ratio:g} times" in HT


def test_the_anova_and_tukey_against_montgomerys_tensile_strength_example():
    cotton = [[7, 7, 15, 11, 9], [12, 17, 12, 18, 18], [14, 18, 18, 19, 19],
              [19, 25, 22, 19, 23], [7, 10, 11, 15, 11]]  # fmt: skip
    result = one_way_anova(cotton)
    assert (round(result.ss_between, 2), round(result.ss_within, 2)) == (475.76, 161.20)
    assert round(result.f, 2) == 14.76
    q = sps.studentized_range.ppf(0.95, 5, 20)
    assert round(q, 2) == 4.23
    assert round(q * math.sqrt(result.ms_within / 5), 2) == 5.37


def test_the_anova_against_nist_7_4_3_3():
    levels = [[6.9, 5.4, 5.8, 4.6, 4.0], [8.3, 6.8, 7.8, 9.2, 6.5], [8.0, 10.5, 8.1, 6.9, 9.3]]
    result = one_way_anova(levels)
    assert (round(result.ss_between, 3), round(result.ss_within, 3)) == (27.897, 17.452)
    assert round(result.f, 2) == 9.59


def test_the_discharge_lounge_two_way_anova():
    for ward, (no, yes) in zip(("Medical", "Surgical"), LOUNGE, strict=True):
        cells = [f"{joined(v, '.1f')} (mean {fmean(v):.1f})" for v in (no, yes)]
        assert row(ward, *cells) in HT
    r = two_way_anova(LOUNGE)
    assert (
        row("Ward", f"{r['ss_a']:.2f}", 1, f"{r['ss_a']:.2f}", f"{r['f_a']:.2f}", f"{r['p_a']:.3f}")
        in HT
    )
    assert (
        row(
            "Lounge",
            f"{r['ss_b']:.2f}",
            1,
            f"{r['ss_b']:.2f}",
            f"{r['f_b']:.2f}",
            f"{r['p_b']:.4f}",
        )
        in HT
    )
    assert row(
        "Ward × lounge", f"{r['ss_ab']:.2f}", 1, f"{r['ss_ab']:.2f}", f"{r['f_ab']:.2f}",
        f"{r['p_ab']:.3f}",
    ) in HT  # fmt: skip
    assert row("Error", f"{r['ss_error']:.2f}", 8, f"{r['ms_error']:.4f}", "", "") in HT
    assert row("Total", f"{r['ss_total']:.2f}", 11, "", "", "") in HT
    assert r["p_a"] > 0.05 and r["p_b"] < 0.001 and 0.01 < r["p_ab"] < 0.05
    medical, surgical = (fmean(no) - fmean(yes) for no, yes in LOUNGE)
    assert f"6.0 − 4.0 = **{medical:.1f} hours**" in HT
    assert f"5.1 − 4.5 = **{surgical:.1f} hours**" in HT
    ward_means = [fmean(no + yes) for no, yes in LOUNGE]
    assert f"close ({ward_means[0]:.1f} and {ward_means[1]:.1f} hours)" in HT


class TestComplaintChannels:
    VALUES = tuple(v for days in COMPLAINTS.values() for v in days)

    def test_the_ranks_and_kruskal_wallis(self):
        ranks = sps.rankdata(self.VALUES)
        assert len(set(self.VALUES)) == len(self.VALUES) == 16  # no ties
        start = 0
        sums = []
        for channel, days in COMPLAINTS.items():
            own = [int(r) for r in ranks[start : start + len(days)]]
            start += len(days)
            sums.append(sum(own))
            assert row(channel, joined(days), joined(own), sum(own)) in HT
        n = len(self.VALUES)
        h = 12 / (n * (n + 1)) * sum(
            s**2 / len(d) for s, d in zip(sums, COMPLAINTS.values(), strict=True)
        ) - 3 * (n + 1)
        result = sps.kruskal(*COMPLAINTS.values())
        assert h == pytest.approx(result.statistic)
        assert (
            f"12 ÷ {n * (n + 1)} × ({sums[0]}²/5 + {sums[1]}²/6 + {sums[2]}²/5) − {3 * (n + 1)} "
            f"= **{h:.2f}**"
        ) in HT
        assert f"p = **{result.pvalue:.3f}**. The channels differ" in HT

    def test_the_mann_whitney_comparison(self):
        letter, phone = COMPLAINTS["Letter"], COMPLAINTS["Phone"]
        ranks = sps.rankdata(letter + phone)[: len(letter)]
        assert sorted(int(r) for r in ranks) == [5, 6, 7, 9, 10]
        u = sum(ranks) - 5 * 6 / 2
        result = sps.mannwhitneyu(letter, phone, method="exact")
        assert u == result.statistic
        assert f"a sum of {sum(ranks):.0f}, so U = {sum(ranks):.0f} − 5 × 6 ÷ 2 = **{u:.0f}**" in HT
        assert f"The exact two-sided p is **{result.pvalue:.3f}**" in HT

    def test_moods_median_test(self):
        result = sps.median_test(*COMPLAINTS.values())
        above, below = result.table
        assert f"the grand median ({result.median:g} days)" in HT
        assert f"above {above[0]}, {above[1]} and {above[2]}" in HT
        assert f"not above {below[0]}, {below[1]} and {below[2]}" in HT
        assert f"χ² = **{result.statistic:.2f}** on 2 degrees of freedom" in HT
        assert f"p = **{result.pvalue:.3f}**" in HT
        assert result.pvalue > sps.kruskal(*COMPLAINTS.values()).pvalue


def test_the_module_1_check():
    assert_answers(
        "bb-01-check",
        {
            "sample-size": round_up(n_two_means(1.960, 0.842, 8, 4)),
            "bonferroni-alpha": 0.05 / 10,
            "mann-whitney-u": 28 - 4 * 5 / 2,
        },
    )
    assert round_up(n_two_means(Z(0.975), Z(0.80), 8, 4)) == 63


def test_the_two_way_anova_exercise():
    slug = "bb-01-two-way-anova-billing-calls"
    prompt = exercise_file(slug, "prompt.md")
    for script, shifts in zip(("Current", "New"), BILLING, strict=True):
        assert row(script, *(joined(days, ".1f") for days in shifts)) in prompt
    r = two_way_anova(BILLING)
    late = fmean(BILLING[0][2]) - fmean(BILLING[1][2])
    confirm = round_up(n_two_means(1.960, 1.282, 2.4, 1.5))
    assert confirm == round_up(n_two_means(Z(0.975), Z(0.90), 2.4, 1.5))
    assert_answers(
        slug,
        {
            "ss-script": r["ss_a"],
            "ss-shift": r["ss_b"],
            "ss-interaction": r["ss_ab"],
            "ss-error": r["ss_error"],
            "f-interaction": r["f_ab"],
            "p-interaction": r["p_ab"],
            "late-saving": late,
            "confirm-n": confirm,
        },
    )
    assert 0.01 < r["p_ab"] < 0.05 and r["p_a"] < 0.001 and r["p_b"] < 0.001
    assert correct_option(slug, "conclusion").startswith("The new script shortens calls on every")
    savings = [fmean(cur) - fmean(new) for cur, new in zip(*BILLING, strict=True)]
    assert all(s > 0 for s in savings) and max(savings) == savings[2]
    solution = exercise_file(slug, "solution.md")
    assert f"Total: {r['ss_total']:.3f} = {r['ss_a']:.3f} + {r['ss_b']:.3f}" in solution
    assert (
        row("Script × shift", f"{r['ss_ab']:.3f}", 2, f"{r['ss_ab'] / 2:.3f}")
        + f" **{r['f_ab']:.2f}** | **{r['p_ab']:.3f}** |"
    ) in solution
    assert f"critical value of {sps.f.ppf(0.95, 2, 12):.2f}" in solution
    assert f"= **{late:.2f} minutes** late" in solution
    assert f"= {n_two_means(1.960, 1.282, 2.4, 1.5):.1f}, so **{confirm} calls**" in solution


# ---------------------------------------------------------------------------------------------
# Module 2: multiple regression

REG = module_text("02-multiple-regression")
SITES = [5, 6, 6, 4, 10, 4, 7, 4, 5, 10, 2, 7, 5, 7, 8, 4, 7, 7, 5, 2]
SUM_INSURED = [9.7, 15.1, 11.3, 12.1, 22.2, 11.2, 13.3, 8.6, 13.3, 20.4,
               6.9, 13.7, 10.3, 15.3, 18.3, 10.1, 13.6, 17.0, 10.1, 6.1]  # fmt: skip
PORTAL = [0, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1, 1, 0]
QUOTE_HOURS = [13.1, 11.6, 8.9, 6.4, 20.8, 5.7, 11.6, 6.0, 8.6, 16.5,
               4.0, 13.4, 10.5, 11.7, 13.3, 5.4, 14.5, 10.1, 7.9, 7.0]  # fmt: skip
PLACED = [0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1]


def fit(columns, y, names):
    return multiple_regression(np.column_stack(columns), y, names=names)


def vifs(columns) -> list[float]:
    """1 / (1 − R²ⱼ) for each column regressed on the others."""
    X = np.column_stack(columns).astype(float)
    return [
        1 / (1 - multiple_regression(np.delete(X, j, axis=1), X[:, j]).r_squared)
        for j in range(X.shape[1])
    ]


def case_diagnostics(columns, result) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leverage, standardised residuals e/(s√(1 − h)) and Cook's distances of a fit."""
    X = np.column_stack([np.ones(result.n), *columns]).astype(float)
    leverage = np.diag(X @ np.linalg.inv(X.T @ X) @ X.T)
    residuals = np.asarray(result.residuals)
    standardised = residuals / (result.residual_standard_error * np.sqrt(1 - leverage))
    cook = standardised**2 * leverage / (X.shape[1] * (1 - leverage))
    return leverage, standardised, cook


def logistic_fit(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood coefficients (b0, b1) and their standard errors, by Newton–Raphson."""
    X = np.column_stack([np.ones(len(x)), x]).astype(float)
    target, b = np.asarray(y, dtype=float), np.zeros(2)
    for _ in range(50):
        p = 1 / (1 + np.exp(-X @ b))
        information = X.T @ (X * (p * (1 - p))[:, None])
        b = b + np.linalg.solve(information, X.T @ (target - p))
    return b, np.sqrt(np.diag(np.linalg.inv(information)))


def coefficient_row(name, result, term, p_text=None) -> str:
    p = result.p_values[term]
    return row(
        name,
        f"{result.coefficients[term]:.3f}".replace("-", "−"),
        f"{result.standard_errors[term]:.3f}",
        f"{result.t_values[term]:.2f}".replace("-", "−"),
        p_text or f"{p:.3f}",
    )


def test_the_quote_data_table():
    for label, values, fmt in (
        ("Sites", SITES, "d"),
        ("Sum insured (£m)", SUM_INSURED, ".1f"),
        ("Portal (1 = yes)", PORTAL, "d"),
        ("Hours to quote", QUOTE_HOURS, ".1f"),
        ("Placed with us (1 = yes)", PLACED, "d"),
    ):
        assert row(label, *(f"{v:{fmt}}" for v in values)) in REG


def test_the_single_predictor_fits():
    sites = fit([SITES], QUOTE_HOURS, ("sites",))
    insured = fit([SUM_INSURED], QUOTE_HOURS, ("insured",))
    assert (
        f"sites with a slope of {sites.coefficients['sites']:.2f} hours a site "
        f"(R² = {sites.r_squared:.3f})"
    ) in REG
    assert (
        f"sum insured with {insured.coefficients['insured']:.2f} hours per £1m "
        f"(R² = {insured.r_squared:.3f})"
    ) in REG


def test_the_collinear_model():
    both = fit([SITES, SUM_INSURED], QUOTE_HOURS, ("sites", "insured"))
    assert coefficient_row("Intercept", both, "intercept") in REG
    assert coefficient_row("Sites", both, "sites") in REG
    assert coefficient_row("Sum insured", both, "insured") in REG
    assert (
        both.coefficients["insured"] < 0 < fit([SUM_INSURED], QUOTE_HOURS, ("x",)).coefficients["x"]
    )
    r = np.corrcoef(SITES, SUM_INSURED)[0, 1]
    r2 = fit([SITES], SUM_INSURED, ("sites",)).r_squared
    vif = 1 / (1 - r2)
    assert vif == pytest.approx(vifs([SITES, SUM_INSURED])[0])
    assert f"correlate at r = {r:.2f}" in REG
    assert f"gives R² = {r2:.3f}, so VIF = 1 ÷ (1 − {r2:.3f}) = **{vif:.1f}**" in REG
    assert f"√{vif:.1f} ≈ {math.sqrt(vif):.1f} times wider" in REG
    alone = fit([SITES], QUOTE_HOURS, ("sites",))
    assert (
        f"It rose from {alone.standard_errors['sites']:.3f} in the model with sites alone "
        f"to {both.standard_errors['sites']:.3f}"
    ) in REG


def test_the_sites_and_portal_model():
    model = fit([SITES, PORTAL], QUOTE_HOURS, ("sites", "portal"))
    assert coefficient_row("Intercept", model, "intercept") in REG
    assert coefficient_row("Sites", model, "sites", "< 0.001") in REG
    assert coefficient_row("Portal", model, "portal", "< 0.001") in REG
    assert max(model.p_values["sites"], model.p_values["portal"]) < 0.001
    adjusted = 1 - (1 - round(model.r_squared, 4)) * 19 / 17
    assert f"{adjusted:.3f}" == f"{model.adjusted_r_squared:.3f}"
    assert (
        f"R² = **{model.r_squared:.3f}**, adjusted R² = 1 − (1 − {model.r_squared:.4f}) × 19 ÷ 17 "
        f"= **{model.adjusted_r_squared:.3f}**, and s = **{model.residual_standard_error:.2f}** "
        f"hours, down from {fit([SITES], QUOTE_HOURS, ('s',)).residual_standard_error:.2f}"
    ) in REG
    assert f"The VIFs are {vifs([SITES, PORTAL])[0]:.2f}" in REG
    b = model.coefficients
    assert f"about **{b['sites']:.1f} hours**" in REG
    assert f"about **{-b['portal']:.1f} hours** sooner" in REG
    portal, email = model.predict([6, 1]), model.predict([6, 0])
    assert (
        f"{b['intercept']:.3f} + {b['sites']:.3f} × 6 − {-b['portal']:.3f} = **{portal:.2f} hours**"
    ) in REG
    assert f"**{email:.2f} hours** by email" in REG


def test_adding_the_sum_insured_back():
    smaller = fit([SITES, PORTAL], QUOTE_HOURS, ("sites", "portal"))
    larger = fit([SITES, SUM_INSURED, PORTAL], QUOTE_HOURS, ("sites", "insured", "portal"))
    t = larger.t_values["insured"]
    assert abs(t) > 1 and larger.adjusted_r_squared > smaller.adjusted_r_squared
    assert (
        f"nudges adjusted R² from {smaller.adjusted_r_squared:.3f} to "
        f"**{larger.adjusted_r_squared:.3f}**, because its |t| is {abs(t):.2f}"
    ) in REG
    assert larger.coefficients["insured"] < 0
    assert f"its p-value is {larger.p_values['insured']:.2f}" in REG
    assert round(vifs([SITES, SUM_INSURED, PORTAL])[1]) == 8  # "its VIF is about 8"


def test_the_case_diagnostics():
    model = fit([SITES, PORTAL], QUOTE_HOURS, ("sites", "portal"))
    leverage, standardised, cook = case_diagnostics([SITES, PORTAL], model)
    limit = 2 * 3 / 20
    assert f"so the high-leverage line is {limit:.2f}" in REG
    high = [i + 1 for i in np.argsort(-leverage) if leverage[i] > limit]
    assert high == [10, 20]
    assert f"has leverage {leverage[9]:.3f} and quote 20 has {leverage[19]:.3f}" in REG
    largest = sorted(np.argsort(-np.abs(standardised))[:2] + 1)
    assert largest == [1, 5]
    assert f"{standardised[0]:.2f}" == f"{standardised[4]:.2f}"
    assert f"standardised residuals, {standardised[0]:.2f} each" in REG
    assert int(np.argmax(cook)) == 4 and cook.max() < 1
    assert f"the largest Cook's distance, {cook[4]:.2f}" in REG


def test_the_logistic_regression():
    b, se = logistic_fit(QUOTE_HOURS, PLACED)
    z = b[1] / se[1]
    p = 2 * (1 - PHI(abs(z)))
    assert (
        f"ln(p ÷ (1 − p)) = {b[0]:.3f} − {-b[1]:.3f} × hours, with z = −{-z:.2f} and p = {p:.3f}"
    ) in REG
    assert f"e^{b[1]:.3f} = **{math.exp(b[1]):.2f}**".replace("e^-", "e^−") in REG
    assert round(1 - math.exp(b[1]), 1) == pytest.approx(1 / 3, abs=0.04)  # "about a third"
    for hours, logit_text in ((6, "1.94"), (14, "−1.23")):
        logit = b[0] + b[1] * hours
        assert f"{logit:.2f}".replace("-", "−") == logit_text
        probability = 1 / (1 + math.exp(-logit))
        assert f"{b[0]:.3f} − {-b[1]:.3f} × {hours} = {logit_text}" in REG
        assert f"= **{probability:.2f}**" in REG


def test_the_module_2_check():
    assert_answers(
        "bb-02-check",
        {
            "adjusted-r2": 1 - (1 - 0.80) * 24 / 20,
            "vif": 1 / (1 - 0.90),
            "indicator-count": 5 - 1,
            "logistic-probability": 1 / (1 + math.exp(-(-1.2 + 0.08 * 20))),
        },
    )
    assert round(math.exp(0.08), 2) == 1.08


INVOICES = [  # lines, channel, no PO match, minutes
    (16, "Paper", 0, 10.8), (7, "PDF", 1, 13.9), (24, "Paper", 1, 20.9),
    (23, "e-invoice", 1, 16.5), (3, "PDF", 1, 8.8), (6, "Paper", 0, 8.5),
    (6, "Paper", 1, 13.3), (6, "PDF", 1, 12.5), (15, "e-invoice", 1, 12.9),
    (10, "e-invoice", 0, 6.6), (13, "e-invoice", 0, 10.6), (7, "PDF", 1, 13.3),
    (23, "Paper", 1, 20.5), (17, "Paper", 0, 15.1), (17, "e-invoice", 1, 14.5),
    (4, "PDF", 0, 7.2), (5, "e-invoice", 1, 10.2), (22, "PDF", 1, 18.8),
]  # fmt: skip


def test_the_invoice_regression_exercise():
    slug = "bb-02-invoice-exceptions-regression"
    prompt = exercise_file(slug, "prompt.md")
    for number, (lines, channel, unmatched, minutes) in enumerate(INVOICES, start=1):
        assert row(number, lines, channel, unmatched, minutes) in prompt
    columns = [
        [i[0] for i in INVOICES],
        [int(i[1] == "PDF") for i in INVOICES],
        [int(i[1] == "e-invoice") for i in INVOICES],
        [i[2] for i in INVOICES],
    ]
    model = fit(columns, [i[3] for i in INVOICES], ("lines", "pdf", "einvoice", "unmatched"))
    b, se = model.coefficients, model.standard_errors
    printed = {
        "Intercept": ("intercept", 3, 3), "Lines": ("lines", 4, 4), "PDF": ("pdf", 3, 3),
        "e-invoice": ("einvoice", 3, 3), "No PO match": ("unmatched", 3, 3),
    }  # fmt: skip
    for label, (term, places, se_places) in printed.items():
        coefficient = f"{b[term]:.{places}f}".replace("-", "−")
        assert row(label, coefficient, f"{se[term]:.{se_places}f}") in prompt
    r2_lines = multiple_regression(np.column_stack(columns[1:]), columns[0]).r_squared
    assert (
        f"R² = {model.r_squared:.4f} and s = {model.residual_standard_error:.3f} minutes" in prompt
    )
    assert f"other three predictors gives R² = {r2_lines:.3f}" in prompt
    leverage, standardised, _ = case_diagnostics(columns, model)
    assert f"Invoice 1 has leverage {leverage[0]:.3f}" in prompt
    assert_answers(
        slug,
        {
            "t-einvoice": model.t_values["einvoice"],
            "einvoice-vs-pdf": b["pdf"] - b["einvoice"],
            "prediction": model.predict([12, 0, 1, 1]),
            "adjusted-r2": model.adjusted_r_squared,
            "vif-lines": vifs(columns)[0],
            "residual-1": model.residuals[0],
            "std-residual-1": standardised[0],
            "odds-ratio": math.exp(1.35),
        },
    )
    # The printed, rounded figures lead to answers within each question's tolerance.
    answers = numeric_answers(slug)
    assert pytest.approx(answers["t-einvoice"], rel=0.005) == -3.022 / 0.744
    assert pytest.approx(answers["prediction"], rel=0.005) == 6.269 + 0.4243 * 12 - 3.022 + 4.150
    assert pytest.approx(answers["adjusted-r2"], abs=0.001) == 1 - (1 - 0.9319) * 17 / 13
    assert pytest.approx(answers["vif-lines"], rel=0.01) == 1 / (1 - 0.262)
    residual = 10.8 - (6.269 + 0.4243 * 16)
    assert residual == pytest.approx(answers["residual-1"], rel=0.01)
    assert residual / (1.261 * math.sqrt(1 - 0.247)) == pytest.approx(
        answers["std-residual-1"], rel=0.01
    )
    assert 2 < abs(standardised[0]) < 2.2 and leverage[0] < 2 * 5 / 18
    solution = exercise_file(slug, "solution.md")
    assert f"= **{model.adjusted_r_squared:.3f}**" in solution
    assert f"1 ÷ (1 − 0.262) = **{1 / (1 - 0.262):.2f}**" in solution
    assert f"= **{standardised[0]:.2f}**".replace("-", "−") in solution


# ---------------------------------------------------------------------------------------------
# Module 3: full factorials

DOE = module_text("03-design-of-experiments-full-factorials")
CLAIMS_DAYS = [[13.6, 13.3], [7.4, 7.8], [15.8, 15.2], [11.8, 11.6],
               [14.1, 14.7], [7.3, 6.4], [14.1, 15.7], [11.8, 10.7]]  # fmt: skip
CLAIMS_CENTRE = [12.1, 11.5, 11.8, 11.9]
ONBOARDING_DAYS = [[10.7, 11.9], [9.5, 9.3], [10.7, 9.4], [5.7, 6.1],
                   [11.9, 10.4], [8.8, 9.4], [10.6, 10.0], [6.2, 5.6]]  # fmt: skip
ONBOARDING_CENTRE = [7.7, 7.6, 8.5, 7.2]
STANDARD_ORDER = ["(1)", "a", "b", "ab", "c", "ac", "bc", "abc"]


def minus(value: float, fmt: str) -> str:
    """A number as the texts print it, with a true minus sign."""
    return format(value, fmt).replace("-", "−")


def curvature(replicates, centre) -> dict[str, float]:
    """The curvature test of a replicated two-level design with centre points, against the
    pure error pooled from the replicates and the centre points."""
    factorial = [v for run in replicates for v in run]
    n_f, n_c = len(factorial), len(centre)
    y_f, y_c = fmean(factorial), fmean(centre)
    ss_curvature = n_f * n_c * (y_f - y_c) ** 2 / (n_f + n_c)
    ss_replicates = sum((v - fmean(run)) ** 2 for run in replicates for v in run)
    ss_centre = sum((v - y_c) ** 2 for v in centre)
    df = len(replicates) * (len(replicates[0]) - 1) + n_c - 1
    ms = (ss_replicates + ss_centre) / df
    f = ss_curvature / ms
    return {
        "y_f": y_f, "y_c": y_c, "ss": ss_curvature, "ss_replicates": ss_replicates,
        "ss_centre": ss_centre, "df": df, "ms": ms, "f": f, "p": float(sps.f.sf(f, 1, df)),
    }  # fmt: skip


class TestHouseholdClaimsFactorial:
    DESIGN = full_factorial(3)
    RESULT = factorial_effects(DESIGN, CLAIMS_DAYS)

    def test_the_data_table(self):
        for name, run, days in zip(STANDARD_ORDER, self.DESIGN, CLAIMS_DAYS, strict=True):
            signs = [("+" if run[f] > 0 else "−") for f in "ABC"]
            assert row(name, *signs, *(f"{d:.1f}" for d in days), f"{fmean(days):.2f}") in DOE

    def test_the_effect_of_a_by_hand(self):
        means = [fmean(days) for days in CLAIMS_DAYS]
        high = [m for run, m in zip(self.DESIGN, means, strict=True) if run["A"] > 0]
        low = [m for run, m in zip(self.DESIGN, means, strict=True) if run["A"] < 0]
        total = sum(sum(days) for days in CLAIMS_DAYS)
        assert f"{total:.1f} ÷ 16 = **{self.RESULT.mean:.3f} days**" in DOE
        assert f"(7.60 + 11.70 + 6.85 + 11.25) ÷ 4 = {fmean(high):.2f} days" in DOE
        assert f"(13.45 + 15.50 + 14.40 + 14.90) ÷ 4 = {fmean(low):g}" in DOE
        effect = fmean(high) - fmean(low)
        assert effect == pytest.approx(self.RESULT.effects["A"])
        assert f"{fmean(high):.2f} − {fmean(low):g} = **{minus(effect, '.2f')} days**" in DOE

    def test_the_error_and_standard_error(self):
        r = self.RESULT
        se = r.standard_errors["A"]
        assert r.error_df == 8
        assert f"MS_E = **{r.error_mean_square:.3f}** on 8 degrees of freedom" in DOE
        assert f"2 × √({r.error_mean_square:.3f} ÷ 16) = **{se:.3f} days**" in DOE
        assert f"the critical t at 5% is {sps.t.ppf(0.975, 8):.3f}" in DOE

    def test_the_effects_table(self):
        r = self.RESULT
        for term in ("A", "B", "C", "AB", "AC", "BC", "ABC"):
            p = r.p_values[term]
            assert row(
                term, minus(r.effects[term], ".2f"), minus(r.coefficients[term], ".3f"),
                f"{r.sum_of_squares[term]:.2f}", minus(r.t_values[term], ".2f"),
                "< 0.001" if p < 0.001 else f"{p:.3f}",
            ) in DOE  # fmt: skip
            assert r.coefficients[term] == r.effects[term] / 2
        assert set(r.significant_at(0.05)) == {"A", "B", "AB"}
        share = {t: r.sum_of_squares[t] / r.ss_total for t in ("A", "B")}
        assert (
            f"of the total {r.ss_total:.2f}, A accounts for {share['A']:.0%} "
            f"and B for {share['B']:.0%}"
        ) in DOE

    def test_the_interaction_read_as_conditional_effects(self):
        means = {name: fmean(d) for name, d in zip(STANDARD_ORDER, CLAIMS_DAYS, strict=True)}
        at_low = (means["b"] + means["bc"]) / 2, (means["(1)"] + means["c"]) / 2
        at_high = (means["ab"] + means["abc"]) / 2, (means["a"] + means["ac"]) / 2
        low_effect, high_effect = at_low[0] - at_low[1], at_high[0] - at_high[1]
        assert f"{at_low[0]:g} − {at_low[1]:g} = {low_effect:g} days" in DOE
        assert f"{at_high[0]:g} − {at_high[1]:g} = {high_effect:g} days" in DOE
        half = (high_effect - low_effect) / 2
        assert half == pytest.approx(self.RESULT.effects["AB"])
        assert f"({high_effect:g} − {low_effect:g}) ÷ 2 = {half:.2f}" in DOE

    def test_the_reduced_model_and_its_prediction(self):
        r = self.RESULT
        c = r.coefficients
        assert f"ŷ = {r.mean:.3f} − {-c['A']:.3f}A + {c['B']:.3f}B + {c['AB']:.3f}AB" in DOE
        best = r.predict({"A": 1, "B": -1, "C": 0}, terms=("A", "B", "AB"))
        assert (
            f"{r.mean:.3f} − {-c['A']:.3f} − {c['B']:.3f} − {c['AB']:.3f} = **{best:.3f} days**"
        ) in DOE
        assert f"against {fmean(CLAIMS_DAYS[0]):.2f} days with every factor at its low level" in DOE

    def test_the_centre_points(self):
        test = curvature(CLAIMS_DAYS, CLAIMS_CENTRE)
        assert f"{joined(CLAIMS_CENTRE[:3], '.1f')} and {CLAIMS_CENTRE[3]:.1f} days" in DOE
        assert f"a mean of **{test['y_c']:.3f}**" in DOE
        assert (
            f"16 × 4 × ({test['y_f']:.3f} − {test['y_c']:.3f})² ÷ 20 = **{test['ss']:.3f}**"
        ) in DOE
        assert f"adds {test['ss_centre']:.4f} on 3 degrees of freedom" in DOE
        assert f"the replicates' {test['ss_replicates']:.3f} on 8" in DOE
        pooled = test["ss_replicates"] + test["ss_centre"]
        assert f"MS_E = {pooled:.4f} ÷ 11 = {test['ms']:.3f}" in DOE
        assert (
            f"F = {test['ss']:.3f} ÷ {test['ms']:.3f} = **{test['f']:.2f}** on 1 and 11 "
            f"degrees of freedom, p = **{test['p']:.2f}**"
        ) in DOE
        assert test["p"] > 0.05


def test_the_factorial_effects_against_montgomerys_filtration_rate_example():
    filtration = [45, 71, 48, 65, 68, 60, 80, 65, 43, 100, 45, 104, 75, 86, 70, 96]
    result = factorial_effects(full_factorial(4), filtration)
    published = {"A": 21.625, "C": 9.875, "D": 14.625, "AC": -18.125, "AD": 16.625}
    for term, effect in published.items():
        assert result.effects[term] == pytest.approx(effect)


def test_the_module_3_check():
    assert_answers(
        "bb-03-check",
        {
            "run-count": 2**5 * 2 + 4,
            "coefficient": -3.4 / 2,
            "sum-of-squares": 16 * 2.0**2 / 4,
            "error-df": 2**3 * (3 - 1),
        },
    )
    blocks = [name for name, run in zip(STANDARD_ORDER, full_factorial(3), strict=True)
              if run["A"] * run["B"] * run["C"] > 0]  # fmt: skip
    assert blocks == ["a", "b", "c", "abc"]
    assert correct_option("bb-03-check", "blocks").startswith("ABC")
    assert "ABC = +1 (a, b, c, abc)" in exercise_file("bb-03-check", "exercise.yaml")
    assert "the four combinations with ABC = +1 (a, b, c, abc)" in DOE


def test_the_onboarding_factorial_exercise():
    slug = "bb-03-onboarding-factorial"
    prompt = exercise_file(slug, "prompt.md")
    design = full_factorial(3)
    for name, run, days in zip(STANDARD_ORDER, design, ONBOARDING_DAYS, strict=True):
        signs = [("+" if run[f] > 0 else "−") for f in "ABC"]
        assert row(name, *signs, *(f"{d:.1f}" for d in days)) in prompt
    assert f"{joined(ONBOARDING_CENTRE[:3], '.1f')} and {ONBOARDING_CENTRE[3]:.1f} days" in prompt
    r = factorial_effects(design, ONBOARDING_DAYS)
    test = curvature(ONBOARDING_DAYS, ONBOARDING_CENTRE)
    assert_answers(
        slug,
        {
            "effect-a": r.effects["A"],
            "effect-ab": r.effects["AB"],
            "coefficient-b": r.coefficients["B"],
            "ms-error": r.error_mean_square,
            "t-ab": r.t_values["AB"],
            "prediction": r.predict({"A": 1, "B": 1, "C": 0}, terms=("A", "B", "AB")),
            "ss-curvature": test["ss"],
            "f-curvature": test["f"],
        },
    )
    assert set(r.significant_at(0.05)) == {"A", "B", "AB"}
    assert test["p"] < 0.01 and test["y_c"] < test["y_f"]
    solution = exercise_file(slug, "solution.md")
    assert (
        f"t(AB) = −1.15 ÷ {r.standard_errors['AB']:.3f} = **{minus(r.t_values['AB'], '.2f')}**"
        in solution
    )
    assert f"(p = {r.p_values['AB']:.3f})" in solution
    assert f"pooled MS = (3.33 + 0.89) ÷ 11 = {test['ms']:.3f}" in solution
    assert f"F = 6.16 ÷ 0.384 = **{test['f']:.2f}**" in solution
    assert f"critical value of {sps.f.ppf(0.95, 1, 11):.2f} (p = {test['p']:.3f})" in solution
    assert correct_option(slug, "next-step").startswith("The response curves")


# ---------------------------------------------------------------------------------------------
# Module 4: fractional factorials and screening

FRAC = module_text("04-fractional-factorials-screening")
SCREEN = fractional_factorial(5, {"D": "AB", "E": "AC"})
FOLD = fractional_factorial(5, {"D": "-AB", "E": "-AC"})
SCREEN_COMPLETE = [69, 68, 68, 78, 67, 71, 65, 84]
FOLD_COMPLETE = [66, 70, 65, 83, 68, 67, 68, 81]
PILOT_DNA = [14.2, 10.9, 12.8, 7.6, 13.5, 10.6, 12.1, 9.3]


def signs(run, factors) -> list[str]:
    return ["+" if run[f] > 0 else "−" for f in factors]


def two_factor_aliases(result, term) -> list[str]:
    """The aliases of a term up to two-factor interactions."""
    return [word for word in result.aliases[term] if len(word.lstrip("-")) <= 2]


class TestOnlineClaimsScreen:
    FIRST = factorial_effects(SCREEN, SCREEN_COMPLETE)
    BOTH = factorial_effects(SCREEN + FOLD, SCREEN_COMPLETE + FOLD_COMPLETE)

    def test_the_defining_relation_from_the_generators(self):
        assert self.FIRST.defining_relation == ("ABD", "ACE", "BCDE")
        assert self.FIRST.resolution == 3
        assert "I = ABD = ACE = BCDE, where BCDE = ABD × ACE" in FRAC
        assert "The defining relation is I = ABD = ACE = BCDE, resolution III" in FRAC

    def test_the_half_fraction_example_in_the_text(self):
        half = factorial_effects(fractional_factorial(4, {"D": "ABC"}), list(range(8)))
        assert half.defining_relation == ("ABCD",)
        assert half.aliases["A"] == ("BCD",) and half.aliases["AB"] == ("CD",)
        assert "A × ABCD = BCD" in FRAC and "AB × ABCD = CD" in FRAC

    def test_the_common_designs_and_their_resolutions(self):
        designs = {
            ("2^(4−1)", 8, "IV"): (4, {"D": "ABC"}),
            ("2^(5−1)", 16, "V"): (5, {"E": "ABCD"}),
            ("2^(5−2)", 8, "III"): (5, {"D": "AB", "E": "AC"}),
            ("2^(7−4)", 8, "III"): (7, {"D": "AB", "E": "AC", "F": "BC", "G": "ABC"}),
            ("2^(6−2)", 16, "IV"): (6, {"E": "ABC", "F": "BCD"}),
            ("2^(8−4)", 16, "IV"): (8, {"E": "BCD", "F": "ACD", "G": "ABC", "H": "ABD"}),
        }
        numerals = {3: "III", 4: "IV", 5: "V"}
        for (name, runs, resolution), (k, generators) in designs.items():
            design = fractional_factorial(k, generators)
            result = factorial_effects(design, list(range(len(design))))
            assert len(design) == runs
            assert numerals[result.resolution] == resolution, name
        assert "2^(4−1) in 8 runs (IV), 2^(5−1) in 16 (V), 2^(5−2) and 2^(7−4) in 8 (III)" in FRAC
        assert "2^(6−2) and 2^(8−4) in 16 (IV)" in FRAC

    def test_the_screening_table(self):
        for number, (run, y) in enumerate(zip(SCREEN, SCREEN_COMPLETE, strict=True), start=1):
            assert row(number, *signs(run, "ABCDE"), y) in FRAC
        assert f"only {round(fmean(SCREEN_COMPLETE))}% of online reports" in FRAC

    def test_the_screening_estimates_and_alias_chains(self):
        r = self.FIRST
        for term in ("A", "B", "C", "D", "E", "BC", "BE"):
            chain = " + ".join([term, *two_factor_aliases(r, term)])
            assert row(term, chain, f"{r.effects[term]:.1f}") in FRAC
        assert r.aliases["D"][0] == "AB"
        assert f"the progress bar (D) adds {r.effects['D']:.1f} points" in FRAC

    def test_the_fold_over_reverses_every_sign(self):
        for original, mirror in zip(SCREEN, FOLD, strict=True):
            assert {f: -v for f, v in original.items()} in FOLD
            assert mirror["D"] == -mirror["A"] * mirror["B"]
        for number, (run, y) in enumerate(zip(FOLD, FOLD_COMPLETE, strict=True), start=9):
            assert row(number, *signs(run, "ABCDE"), y) in FRAC

    def test_the_combined_analysis(self):
        r = self.BOTH
        assert r.defining_relation == ("BCDE",) and r.resolution == 4
        assert "with I = BCDE" in FRAC
        for term in ("A", "B", "C", "D", "E", "AB", "AC", "AD", "AE", "BC", "BD", "BE"):
            aliases = ", ".join(two_factor_aliases(r, term)) or "—"
            assert row(term, aliases, minus(r.effects[term], ".2f")) in FRAC
        assert f"The progress bar does nothing ({minus(r.effects['D'], '.2f')})" in FRAC
        assert f"belonged to the **AB interaction** ({r.effects['AB']:.2f})" in FRAC
        assert f"E, is real ({r.effects['E']:.2f})" in FRAC
        assert f"AC, is small ({r.effects['AC']:.2f})" in FRAC
        largest = [point.term for point in r.half_normal_plot[-4:]]
        assert sorted(largest) == sorted(["A", "AB", "B", "E"])
        rest = [e for t, e in r.effects.items() if t not in largest]
        assert f"between {minus(min(rest), '.2f')} and {max(rest):.2f}" in FRAC

    def test_the_model_and_its_predictions(self):
        r = self.BOTH
        c = r.coefficients
        assert (
            f"ŷ = {r.mean:.3f} + {c['A']:.3f}A + {c['B']:.3f}B + {c['E']:.1f}E + {c['AB']:.3f}AB"
        ) in FRAC
        terms = ("A", "B", "E", "AB")
        best = r.predict({"A": 1, "B": 1, "C": 0, "D": 0, "E": 1}, terms=terms)
        old = r.predict({"A": -1, "B": -1, "C": 0, "D": 0, "E": -1}, terms=terms)
        assert f"predicts **{best:.1f}%** complete" in FRAC
        assert f"against **{old:.1f}%** with all three" in FRAC

    def test_the_fortnights_sit_in_the_abd_chain(self):
        for run in SCREEN:
            assert run["A"] * run["B"] * run["D"] == 1
        for run in FOLD:
            assert run["A"] * run["B"] * run["D"] == -1
        assert self.BOTH.aliases["ABD"] == ("ACE",)
        assert f"its estimate of {self.BOTH.effects['ABD']:.2f} says" in FRAC


def test_the_half_fraction_against_montgomerys_example_8_1():
    """Montgomery's filtration rate, the half fraction with I = ABCD of Example 6.2."""
    full = dict(zip(STANDARD_ORDER_4, [45, 71, 48, 65, 68, 60, 80, 65,
                                       43, 100, 45, 104, 75, 86, 70, 96], strict=True))  # fmt: skip
    design = fractional_factorial(4, {"D": "ABC"})
    names = ["".join(f.lower() for f in "ABCD" if run[f] > 0) or "(1)" for run in design]
    result = factorial_effects(design, [full[name] for name in names])
    published = {"A": 19.0, "B": 1.5, "C": 14.0, "D": 16.5, "AB": -1.0, "AC": -18.5, "AD": 19.0}
    for term, effect in published.items():
        assert result.effects[term] == pytest.approx(effect)
    assert result.aliases["AC"] == ("BD",) and result.aliases["AD"] == ("BC",)


STANDARD_ORDER_4 = ["".join(f for f, on in zip("abcd", bits, strict=True) if on) or "(1)"
                    for bits in ((i & 1, i >> 1 & 1, i >> 2 & 1, i >> 3 & 1)
                                 for i in range(16))]  # fmt: skip


def test_the_module_4_check():
    assert_answers("bb-04-check", {"run-count": 2 ** (7 - 4)})
    half = factorial_effects(fractional_factorial(4, {"D": "ABC"}), list(range(8)))
    assert correct_option("bb-04-check", "alias") == half.aliases["AC"][0]
    five = factorial_effects(fractional_factorial(5, {"E": "ABCD"}), list(range(16)))
    assert five.resolution == 5
    assert correct_option("bb-04-check", "resolution-v").startswith("A 2^(5−1) in 16 runs")


def test_the_outpatients_alias_exercise():
    slug = "bb-04-alias-structure-outpatients"
    screen = fractional_factorial(6, {"E": "ABC", "F": "BCD"})
    planned = factorial_effects(screen, list(range(len(screen))))
    pilot_design = fractional_factorial(4, {"D": "ABC"})
    pilot = factorial_effects(pilot_design, PILOT_DNA)
    prompt = exercise_file(slug, "prompt.md")
    for number, (run, rate) in enumerate(zip(pilot_design, PILOT_DNA, strict=True), start=1):
        assert row(number, *signs(run, "ABCD"), f"{rate:.1f}") in prompt
    run = {"A": 1, "B": -1, "C": 1, "D": -1}
    assert_answers(
        slug,
        {
            "runs": len(screen),
            "resolution": planned.resolution,
            "f-sign": run["B"] * run["C"] * run["D"],
            "effect-a": pilot.effects["A"],
            "chain-ac": pilot.effects["AC"],
            "prediction": pilot.predict({**run, "A": 1, "B": 1}, terms=("A", "B")),
        },
    )
    words = {o["text"] for o in questions(slug)["defining-words"]["options"] if o.get("correct")}
    assert words == set(planned.defining_relation)
    assert correct_option(slug, "alias-ab") == two_factor_aliases(planned, "AB")[0] == "CE"
    assert correct_option(slug, "a-alias") == "A + " + pilot.aliases["A"][0]
    assert pilot.aliases["AC"] == ("BD",)
    solution = exercise_file(slug, "solution.md")
    assert f"Mean {sum(PILOT_DNA):g} ÷ 8 = {pilot.mean:.3f}%" in solution
    assert f"B = **{pilot.effects['B']:.2f}** points".replace("-", "−") in solution

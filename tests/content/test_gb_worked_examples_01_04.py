"""Green Belt modules 1 to 4 and their exercises: every figure agrees with the arithmetic.

Each worked example's inputs are stated here as the module states them; every figure the text
derives from them is recomputed (with app.lss where a function exists, plain arithmetic
otherwise) and must appear in the module exactly as written. The numeric answers of the
exercises are recomputed from the data in their prompts, and the gauge R&R and attribute
studies are parsed from the markdown tables the learner sees.
"""

import math
import re
from statistics import NormalDist
from typing import ClassVar

import pytest
import yaml

from app.config import REPO_ROOT
from app.lss.msa import K1_BY_TRIALS, K2_BY_OPERATORS, K3_BY_PARTS, aiag_verdict, gauge_rr

COURSE = REPO_ROOT / "courses" / "green-belt"
EXERCISES = REPO_ROOT / "exercises"
NORMAL = NormalDist()


def module_text(folder: str) -> str:
    return (COURSE / folder / "index.md").read_text(encoding="utf-8")


def prompt(slug: str) -> str:
    return (EXERCISES / slug / "prompt.md").read_text(encoding="utf-8")


def questions(slug: str) -> dict[str, dict]:
    path = EXERCISES / slug / "exercise.yaml"
    listed = yaml.safe_load(path.read_text(encoding="utf-8"))["params"]["questions"]
    return {q["id"]: q for q in listed}


def numeric_answers(slug: str) -> dict[str, float]:
    return {qid: q["answer"] for qid, q in questions(slug).items() if q["type"] == "numeric"}


def correct_option(slug: str, qid: str) -> str:
    (text,) = [o["text"] for o in questions(slug)[qid]["options"] if o.get("correct")]
    return text


def table_after(text: str, header_start: str) -> list[list[str]]:
    """The body rows of the markdown table whose header line starts with `header_start`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def money(value: float, pence: bool = False) -> str:
    return f"{value:,.2f}" if pence else f"{value:,.0f}"


def round_up(n: float) -> int:
    """A sample size, rounded up; the rounding to 9 places keeps 272.0000000001 at 272."""
    return math.ceil(round(n, 9))


def n_mean(z: float, sigma: float, margin: float) -> float:
    return (z * sigma / margin) ** 2


def n_proportion(z: float, p: float, margin: float) -> float:
    return z**2 * p * (1 - p) / margin**2


def finite_population(n0: float, population: int) -> float:
    return n0 / (1 + (n0 - 1) / population)


def z_two_sided(confidence: float) -> float:
    return NORMAL.inv_cdf(1 - (1 - confidence) / 2)


# Kano evaluation table: rows are the functional answer, columns the dysfunctional one.
KANO_ANSWERS = ("Like", "Expect", "Neutral", "Tolerate", "Dislike")
KANO_TABLE = {
    "Like": "QAAAO",
    "Expect": "RIIIM",
    "Neutral": "RIIIM",
    "Tolerate": "RIIIM",
    "Dislike": "RRRRQ",
}
KANO_NAMES = {
    "A": "Attractive",
    "O": "One-dimensional",
    "M": "Must-be",
    "I": "Indifferent",
    "R": "Reverse",
    "Q": "Questionable",
}


def kano(functional: str, dysfunctional: str) -> str:
    return KANO_NAMES[KANO_TABLE[functional][KANO_ANSWERS.index(dysfunctional)]]


def cohen_kappa(both_yes: int, yes_no: int, no_yes: int, both_no: int) -> tuple[float, ...]:
    """p_o, p_e and kappa for a 2 × 2 table of two raters (rows: rater 1, columns: rater 2)."""
    n = both_yes + yes_no + no_yes + both_no
    observed = (both_yes + both_no) / n
    first_yes, second_yes = (both_yes + yes_no) / n, (both_yes + no_yes) / n
    expected = first_yes * second_yes + (1 - first_yes) * (1 - second_yes)
    return observed, expected, (observed - expected) / (1 - expected)


# ---------------------------------------------------------------------------------------------
# Module 1: wrong bills at Kestrel Energy (section "Worked example").


class TestKestrelEnergy:
    TEXT = module_text("01-dmaic-in-depth")
    BILLS = 1_200_000
    ERROR_RATE = 0.025
    GOAL_RATE = 0.01
    WEIGHTS = (3, 2, 2, 1)  # benefit, strategic fit, feasibility, time to result
    CANDIDATES: ClassVar[dict[str, tuple[int, ...]]] = {
        "Bills issued with errors": (5, 5, 3, 3),
        "Slow booking of meter-exchange visits": (3, 3, 4, 4),
        "Late final bills after a home move": (2, 3, 4, 5),
    }
    # name: (volume, unit cost, category); staff time priced as hours × rate.
    REISSUE_HOURS = 30_000 * 15 / 60
    COSTS: ClassVar[dict[str, tuple[float, float, str]]] = {
        "reissue": (REISSUE_HOURS, 28, "Internal failure"),
        "print": (30_000, 0.85, "Internal failure"),
        "complaints": (9_000, 45, "External failure"),
        "credits": (6_000, 30, "External failure"),
        "ombudsman": (120, 550, "External failure"),
        "validation": (6, 30_000, "Appraisal"),
    }
    AGENCY = (4, 26_000)
    ONE_OFF = 60_000

    def cost(self, name: str) -> float:
        volume, unit, _ = self.COSTS[name]
        return volume * unit

    def total(self, category: str) -> float:
        return sum(self.cost(name) for name, (_, _, c) in self.COSTS.items() if c == category)

    def test_the_selection_matrix(self):
        for name, scores in self.CANDIDATES.items():
            total = sum(s * w for s, w in zip(scores, self.WEIGHTS, strict=True))
            cells = " | ".join(str(s) for s in scores)
            assert f"| {name} | {cells} | {total} |" in self.TEXT
        assert "5 × 3 + 5 × 2 + 3 × 2 + 3 × 1 = 15 + 10 + 6 + 3 = 34" in self.TEXT
        totals = [
            sum(s * w for s, w in zip(scores, self.WEIGHTS, strict=True))
            for scores in self.CANDIDATES.values()
        ]
        assert totals == sorted(totals, reverse=True)

    def test_the_cost_lines(self):
        wrong = self.BILLS * self.ERROR_RATE
        assert f"1,200,000 × 0.025 = {wrong:,.0f} wrong bills" in self.TEXT
        assert self.REISSUE_HOURS == 7_500
        assert (
            "30,000 × 15 minutes = 7,500 hours at £28 an hour | Internal failure | 210,000 |"
            in (self.TEXT)
        )
        for phrase, name in (
            ("30,000 × £0.85 | Internal failure", "print"),
            ("9,000 × £45 | External failure", "complaints"),
            ("6,000 × £30 | External failure", "credits"),
            ("120 × £550 | External failure", "ombudsman"),
            ("6 people × £30,000 | Appraisal", "validation"),
        ):
            assert f"{phrase} | {money(self.cost(name))} |" in self.TEXT

    def test_the_cost_of_poor_quality(self):
        internal, external = self.total("Internal failure"), self.total("External failure")
        copq = internal + external
        assert f"210,000 + 25,500 = **£{money(internal)}**" in self.TEXT
        assert f"405,000 + 180,000 + 66,000 = **£{money(external)}**" in self.TEXT
        assert f"235,500 + 651,000 = **£{money(copq)} a year**" in self.TEXT
        per_bill = copq / (self.BILLS * self.ERROR_RATE)
        assert f"886,500 ÷ 30,000 = **£{per_bill:.2f} per wrong bill**" in self.TEXT
        assert f"Appraisal (£{money(self.total('Appraisal'))})" in self.TEXT

    def test_the_benefit_and_its_split(self):
        wrong, at_goal = self.BILLS * self.ERROR_RATE, self.BILLS * self.GOAL_RATE
        fewer = wrong - at_goal
        per_bill = (self.total("Internal failure") + self.total("External failure")) / wrong
        assert f"1,200,000 × 0.01 = {at_goal:,.0f} wrong bills, {fewer:,.0f} fewer" in self.TEXT
        saving = fewer * per_bill
        assert f"18,000 × £29.55 = **£{money(saving)} a year**" in self.TEXT

        share = fewer / wrong
        cash = self.cost("print") + self.cost("credits") + self.cost("ombudsman")
        staff = self.cost("reissue") + self.cost("complaints")
        hard_cash = share * cash
        assert f"25,500 + 180,000 + 66,000 = £{money(cash)}, and {share:.0%}" in self.TEXT
        assert f"0.6 × 271,500 = **£{money(hard_cash)}**" in self.TEXT
        assert f"0.6 × (210,000 + 405,000) = 0.6 × {money(staff)} = £{money(share * staff)}" in (
            self.TEXT
        )
        agency = self.AGENCY[0] * self.AGENCY[1]
        assert f"4 × 26,000 = **£{money(agency)}** hard" in self.TEXT
        soft = share * staff - agency
        assert f"369,000 − 104,000 = **£{money(soft)}** is soft" in self.TEXT
        hard = hard_cash + agency
        assert f"162,900 + 104,000 = **£{money(hard)} a year**" in self.TEXT
        assert hard + soft == pytest.approx(saving)
        assert f"together £{money(hard + soft)}" in self.TEXT

    def test_net_benefit_and_payback(self):
        hard = 266_900
        assert f"266,900 − 60,000 = **£{money(hard - self.ONE_OFF)}**" in self.TEXT
        monthly = hard / 12
        assert f"266,900 ÷ 12 = £{monthly:,.2f}" in self.TEXT
        assert f"60,000 ÷ {monthly:,.2f} = **{self.ONE_OFF / monthly:.1f} months**" in self.TEXT


# ---------------------------------------------------------------------------------------------
# Module 2: mortgage offers at Ashdown Building Society (section "Worked example").


class TestAshdownCharter:
    TEXT = module_text("02-define-charter-sipoc-voc")
    APPLICATIONS, LATE = 2_400, 900
    WITHDRAWN_LATE, WITHDRAWN_ON_TIME = 0.14, 0.04
    MARGIN = 2_200
    GOAL = 0.10

    def test_the_problem_and_goal_figures(self):
        rate = self.LATE / self.APPLICATIONS
        assert f"900 of 2,400 mortgage applications ({rate:.1%})" in self.TEXT
        assert f"from {rate:.1%} to 10% or less" in self.TEXT

    def test_the_business_case(self):
        lost = self.LATE * (self.WITHDRAWN_LATE - self.WITHDRAWN_ON_TIME)
        assert round(lost, 9) == 90
        quarter = lost * self.MARGIN
        assert f"900 × (0.14 − 0.04) = {lost:.0f} mortgages a quarter" in self.TEXT
        assert f"90 × 2,200 = £{money(quarter)} a quarter, £{money(4 * quarter)} a year" in (
            self.TEXT
        )

    def test_the_benefit_at_the_goal(self):
        late = self.APPLICATIONS * self.GOAL
        lost = late * (self.WITHDRAWN_LATE - self.WITHDRAWN_ON_TIME)
        cost = lost * self.MARGIN
        baseline = self.LATE * (self.WITHDRAWN_LATE - self.WITHDRAWN_ON_TIME) * self.MARGIN
        assert f"2,400 × 0.10 = {late:.0f} offers a quarter" in self.TEXT
        assert f"240 × 0.10 = {lost:.0f} mortgages, or 24 × £2,200 = £{money(cost)}" in self.TEXT
        benefit = baseline - cost
        assert f"198,000 − 52,800 = **£{money(benefit)} a quarter**" in self.TEXT
        assert f"**£{money(4 * benefit)} a year**, not the £{money(4 * baseline)}" in self.TEXT

    def test_the_milestones_run_in_dmaic_order(self):
        (row,) = [r for r in table_after(self.TEXT, "| Section |") if r[0] == "Milestones"]
        phases = re.findall(r"(Define|Measure|Analyse|Improve|Control) (\d+ \w+)", row[1])
        assert [p for p, _ in phases] == ["Define", "Measure", "Analyse", "Improve", "Control"]

    def test_the_kano_table_in_the_module_is_the_standard_one(self):
        rows = table_after(self.TEXT, "| Functional ↓")
        assert len(rows) == 5
        for row in rows:
            functional = row[0].strip("*")
            assert "".join(row[1:]) == KANO_TABLE[functional]

    def test_the_kano_examples_in_the_module(self):
        assert kano("Like", "Neutral") == "Attractive"
        assert "(Like, Neutral): row Like, column Neutral, so A, attractive" in self.TEXT
        assert kano("Expect", "Dislike") == "Must-be"
        assert kano("Like", "Dislike") == "One-dimensional"


# ---------------------------------------------------------------------------------------------
# Module 3: sample sizes (section "How many? Sample size" and the Meridian Bank example).


class TestSampleSizes:
    TEXT = module_text("03-data-collection-sampling")
    CHANNELS: ClassVar[dict[str, int]] = {"phone": 10_000, "chat": 10_000, "email": 5_000}

    @pytest.mark.parametrize(
        ("confidence", "shown"), [(0.90, "1.645"), (0.95, "1.96"), (0.99, "2.576")]
    )
    def test_the_z_values(self, confidence, shown):
        assert f"{z_two_sided(confidence):.{len(shown) - 2}f}" == shown
        assert f"{shown} for {confidence:.0%}" in self.TEXT

    def test_the_invoice_audit_with_the_finite_population_correction(self):
        n0 = n_proportion(1.96, 0.5, 0.05)
        n = finite_population(n0, 2_000)
        assert f"= {n0:.2f}, and n = {n0:.2f} ÷ (1 + {n0 - 1:.2f} ÷ 2,000) = {n:.1f}" in self.TEXT
        assert f"so {round_up(n)} invoices" in self.TEXT
        assert round_up(finite_population(round_up(n0), 2_000)) == round_up(n)

    def test_first_contact_resolution(self):
        n = n_proportion(1.96, 0.70, 0.04)
        assert (
            f"1.96² × 0.70 × 0.30 ÷ 0.04² = {1.96**2:.4f} × 0.21 ÷ 0.0016 = {n:.2f}, "
            f"so **{round_up(n)} contacts**"
        ) in self.TEXT
        safe = n_proportion(1.96, 0.5, 0.04)
        assert f"3.8416 × 0.25 ÷ 0.0016 = {safe:.2f}, or {round_up(safe)} contacts" in self.TEXT
        assert round_up(n_proportion(z_two_sided(0.95), 0.70, 0.04)) == round_up(n)

    def test_the_allocation_and_the_systematic_interval(self):
        n, total = 505, sum(self.CHANNELS.values())
        shares = {name: size / total for name, size in self.CHANNELS.items()}
        allocated = {name: n * share for name, share in shares.items()}
        assert all(value.is_integer() for value in allocated.values())
        assert sum(allocated.values()) == n
        assert f"505 × 0.4 = **{allocated['phone']:.0f}** phone" in self.TEXT
        assert f"**{allocated['chat']:.0f}** chat" in self.TEXT
        assert f"505 × 0.2 = **{allocated['email']:.0f}** email" in self.TEXT
        k_exact = self.CHANNELS["phone"] / allocated["phone"]
        k = math.floor(k_exact)
        assert f"10,000 ÷ 202 = {k_exact:.1f}, rounded down to {k}" in self.TEXT
        taken = {len(range(start, self.CHANNELS["phone"] + 1, k)) for start in range(1, k + 1)}
        assert taken == {204, 205}
        assert "which gives 204 or 205 calls depending on the start" in self.TEXT

    def test_email_handling_time(self):
        n = n_mean(1.96, 4.2, 1)
        assert f"(1.96 × 4.2 ÷ 1)² = {1.96 * 4.2:.3f}² = {n:.2f}, so **{round_up(n)} emails**" in (
            self.TEXT
        )
        tight = n_mean(1.96, 4.2, 0.5)
        assert f"(1.96 × 4.2 ÷ 0.5)² = {tight:.2f}, or {round_up(tight)} emails" in self.TEXT
        assert "A sample of 271.06 means 272" in self.TEXT


# ---------------------------------------------------------------------------------------------
# Module 4: two underwriters and eight applications; auditors; triage nurses.


def study_from_table(rows: list[list[str]], appraisers: int, trials: int) -> list:
    """parts × appraisers × trials from rows of [part, a1, a2, (range), b1, b2, …]."""
    study = []
    for row in rows:
        values = [float(cell) for cell in row[1:] if cell]
        per = len(values) // appraisers
        study.append([values[j * per : j * per + trials] for j in range(appraisers)])
    return study


class TestUnderwriterGaugeRR:
    TEXT = module_text("04-measurement-system-analysis")

    @pytest.fixture
    def rows(self):
        return table_after(self.TEXT, "| Application |")

    @pytest.fixture
    def study(self, rows):
        return study_from_table(rows, appraisers=2, trials=2)

    @pytest.fixture
    def result(self, study):
        return gauge_rr(study, method="average_range")

    def test_the_constants_in_the_text_are_app_lss_constants(self):
        assert f"| K1 | trials | {K1_BY_TRIALS[2]} | {K1_BY_TRIALS[3]} |" in self.TEXT
        assert f"| K2 | appraisers | {K2_BY_OPERATORS[2]} | {K2_BY_OPERATORS[3]} |" in self.TEXT
        listed = ", ".join(f"{K3_BY_PARTS[n]:.4f}" for n in range(2, 10))
        assert f"{listed} and {K3_BY_PARTS[10]:.4f} for 2 to 10 items" in self.TEXT

    def test_the_table_ranges_and_means(self, rows, study):
        assert len(study) == 8
        for row, part in zip(rows, study, strict=True):
            a, b = part
            assert float(row[3]) == max(a) - min(a)
            assert float(row[6]) == max(b) - min(b)
            assert float(row[7]) == sum(a + b) / 4

    def test_ranges_and_averages(self, result):
        details = result.average_range
        ranges_a, ranges_b = details.operator_average_ranges
        means_a, means_b = details.operator_means
        assert f"A 18 ÷ 8 = {ranges_a}, B 13 ÷ 8 = {ranges_b}" in self.TEXT
        assert f"R̿ = (2.25 + 1.625) ÷ 2 = {details.r_double_bar}" in self.TEXT
        assert f"3.267 × 1.9375 = {details.range_limit:.2f}" in self.TEXT
        assert details.ranges_above_limit == ()
        assert f"A {means_a}, B {means_b}, so X̄diff = 60.4375 − 57.125 = {details.x_diff}" in (
            self.TEXT
        )
        low, high = min(details.part_means), max(details.part_means)
        assert f"run from {low} to {high}, so Rp = 80.25 − 41.5 = {details.part_range}" in self.TEXT

    def test_the_components(self, result):
        ev, av, grr = result.repeatability, result.reproducibility, result.gauge_rr
        pv, tv = result.part_to_part, result.total_variation
        x_diff_k2 = (result.average_range.x_diff * K2_BY_OPERATORS[2]) ** 2
        assert f"EV = 1.9375 × 0.8862 = {ev:.4f}" in self.TEXT
        assert (
            f"√({x_diff_k2:.4f} − {ev**2 / 16:.4f}) = √{x_diff_k2 - ev**2 / 16:.4f} = {av:.4f}"
        ) in self.TEXT
        assert f"GRR = √(1.7170² + 2.3026²) = √{grr**2:.4f} = {grr:.4f}" in self.TEXT
        assert f"PV = 38.75 × 0.3375 = {pv:.4f}" in self.TEXT
        assert f"TV = √({grr**2:.4f} + {pv**2:.4f}) = √{tv**2:.4f} = {tv:.4f}" in self.TEXT

    def test_the_results_table(self, result):
        study_var, contribution = result.percent_study_variation, result.percent_contribution
        for label, key in (
            ("Repeatability (EV)", "repeatability"),
            ("Reproducibility (AV)", "reproducibility"),
            ("Gauge R&R (GRR)", "gauge_rr"),
            ("Applications (PV)", "part_to_part"),
        ):
            sigma = getattr(result, key)
            assert (
                f"| {label} | {sigma:.4f} | {study_var[key]:.1f}% | {contribution[key]:.1f}% |"
            ) in self.TEXT

    def test_ndc_and_the_verdict(self, result):
        ratio = 1.41 * result.part_to_part / result.gauge_rr
        assert f"ndc = 1.41 × 13.0781 ÷ 2.8723 = {ratio:.2f}, rounded down to **{result.ndc}**" in (
            self.TEXT
        )
        percent = result.percent_study_variation["gauge_rr"]
        assert result.verdict == "conditional" and result.ndc_adequate
        assert f"%GRR = {percent:.1f}% falls in the 10 to 30% band" in self.TEXT
        assert f"B scores about {result.average_range.x_diff:.1f} points higher" in self.TEXT

    def test_the_anova_comparison(self, study):
        anova = gauge_rr(study)
        percent = anova.percent_study_variation["gauge_rr"]
        p_value = anova.anova.interaction_p_value
        assert anova.anova.interaction_pooled
        assert gauge_rr(study, interaction_alpha=0.05).anova.interaction_pooled
        assert f"%GRR = {percent:.1f}% and ndc = {anova.ndc}" in self.TEXT
        assert f"interaction (p = {p_value:.2f})" in self.TEXT

    def test_study_variation_and_contribution(self):
        assert "A %study variation of 30% is a %contribution of only 9%" in self.TEXT
        assert round(0.30**2 * 100, 9) == 9


class TestAttributeAgreementInTheModule:
    TEXT = module_text("04-measurement-system-analysis")
    INVOICES = 20
    AUDITORS: ClassVar[dict[str, tuple[int, int]]] = {
        "A": (19, 18),
        "B": (17, 16),
        "C": (20, 17),
    }  # both agree, both match standard

    @pytest.mark.parametrize("auditor", ["A", "B", "C"])
    def test_each_auditor(self, auditor):
        agree, match = self.AUDITORS[auditor]
        decisions = 2 * self.INVOICES
        # Pass or fail: an inconsistent invoice holds exactly one correct decision.
        correct = 2 * match + (self.INVOICES - agree)
        within, versus = agree / self.INVOICES, match / self.INVOICES
        effective = correct / decisions
        assert (
            f"| {auditor} | {agree} | {match} | {within:.0%} | {versus:.0%} | "
            f"{correct} ÷ {decisions} = {effective * 100:g}% |"
        ) in self.TEXT
        band = "acceptable" if effective >= 0.9 else "marginal" if effective >= 0.8 else "bad"
        assert band == ("acceptable" if auditor == "A" else "marginal")

    def test_between_and_all_versus_standard(self):
        assert f"14 invoices ({14 / self.INVOICES:.0%} between appraisers)" in self.TEXT
        assert f"13 invoices ({13 / self.INVOICES:.0%}) matched the standard" in self.TEXT
        assert "Auditor B's 16 invoices matched twice give 32 correct decisions" in self.TEXT

    def test_the_nurses_kappa(self):
        observed, expected, kappa = cohen_kappa(15, 5, 3, 27)
        assert f"p_o = (15 + 27) ÷ 50 = {observed:.2f}" in self.TEXT
        assert f"0.40 × 0.36 + 0.60 × 0.64 = 0.144 + 0.384 = {expected:.3f}" in self.TEXT
        assert (
            f"κ = ({observed:.2f} − {expected:.3f}) ÷ (1 − {expected:.3f}) = "
            f"{observed - expected:.3f} ÷ {1 - expected:.3f} = {kappa:.2f}"
        ) in self.TEXT


# ---------------------------------------------------------------------------------------------
# The exercises' numeric answers.


def test_gb_01_check_answers():
    answers = numeric_answers("gb-01-check")
    assert answers["matrix"] == 4 * 3 + 2 * 2 + 5 * 2 + 3 * 1
    assert answers["payback"] == pytest.approx(36_000 / 9_000)


class TestCopqPayments:
    SLUG = "gb-01-copq-payments"
    # Line number → category, as the solution classifies them.
    CATEGORY: ClassVar[dict[int, str]] = {
        1: "appraisal", 2: "internal", 3: "external", 4: "external", 5: "external",
        6: "external", 7: "external", 8: "external", 9: "internal", 10: "internal",
        11: "appraisal", 12: "appraisal", 13: "prevention", 14: "prevention",
    }  # fmt: skip

    @pytest.fixture
    def lines(self):
        rows = table_after(prompt(self.SLUG), "| # | Cost line |")
        return {int(row[0]): float(row[2].replace(",", "")) for row in rows}

    @pytest.fixture
    def totals(self, lines):
        assert sorted(lines) == sorted(self.CATEGORY)
        totals = dict.fromkeys(set(self.CATEGORY.values()), 0.0)
        for number, amount in lines.items():
            totals[self.CATEGORY[number]] += amount
        return totals

    def test_the_category_totals(self, totals):
        answers = numeric_answers(self.SLUG)
        for category in ("prevention", "appraisal", "internal", "external"):
            assert answers[category] == pytest.approx(totals[category], abs=0.005)

    def test_copq_and_its_derived_figures(self, totals):
        answers = numeric_answers(self.SLUG)
        copq = totals["internal"] + totals["external"]
        released = re.search(r"released \*\*([\d,]+) payments\*\*", prompt(self.SLUG))
        payments = int(released[1].replace(",", ""))
        assert answers["copq"] == pytest.approx(copq, abs=0.005)
        assert answers["copq-year"] == pytest.approx(4 * copq, abs=0.005)
        assert answers["per-payment"] == pytest.approx(copq / payments, abs=0.005)
        assert answers["external-share"] == pytest.approx(100 * totals["external"] / copq)

    def test_the_classification_questions_match_the_key(self):
        names = {
            "prevention": "Prevention",
            "appraisal": "Appraisal",
            "internal": "Internal failure",
            "external": "External failure",
        }
        for line in (3, 10, 12, 14):
            assert correct_option(self.SLUG, f"line-{line}") == names[self.CATEGORY[line]]


def test_gb_01_project_benefits_answers():
    answers = numeric_answers("gb-01-project-benefits")
    text = prompt("gb-01-project-benefits")
    assert "**5,000 appointments a month**" in text and "**12%** to **7%**" in text
    assert answers["fewer-missed"] == round(5_000 * 0.12 - 5_000 * 0.07)
    hard = 6 * 1_150 + 4_000 * (0.68 - 0.04)  # A agency sessions, B letters net of texts
    soft = 250 * 95 + 180 * 16 + 3_500  # C slots, D clerks' hours, E avoided clinic
    one_off = 8_000 + 12_000
    assert answers["hard-month"] == pytest.approx(hard)
    assert answers["hard-year"] == pytest.approx(12 * hard)
    assert answers["soft-year"] == pytest.approx(12 * soft)
    assert answers["net-first-year"] == pytest.approx(12 * hard - one_off)
    assert answers["payback"] == pytest.approx(one_off / hard)


def test_gb_02_check_answers():
    assert numeric_answers("gb-02-check")["business-case"] == pytest.approx(1_200 / 2 * 80)


def test_gb_02_charter_review_answers():
    answers = numeric_answers("gb-02-charter-review")
    text = prompt("gb-02-charter-review")
    booked, cancelled, cost, goal = 9_000, 540, 1_250, 0.02
    assert "9,000 day-surgery operations" in text and "540 were cancelled" in text
    assert "(540 × £1,250)" in text and "Reduce cancellations to 2%." in text
    assert answers["baseline"] == pytest.approx(100 * cancelled / booked)
    assert answers["at-goal"] == pytest.approx(booked * goal)
    claimable = (cancelled - booked * goal) * cost
    assert answers["claimable"] == pytest.approx(claimable)
    assert answers["overstated"] == pytest.approx(cancelled * cost - claimable)


def test_gb_02_kano_survey_key_follows_the_evaluation_table():
    text = prompt("gb-02-kano-survey")
    words = {
        "I like it": "Like",
        "I expect it": "Expect",
        "I am neutral": "Neutral",
        "I can tolerate it": "Tolerate",
        "I dislike it": "Dislike",
    }
    features = table_after(text, "| Feature |")
    table = table_after(text, "| Functional ↓")
    assert {row[0].strip("*"): "".join(row[1:]) for row in table} == KANO_TABLE
    quoted = {qid: q["text"] for qid, q in questions("gb-02-kano-survey").items()}
    by_feature = {
        text.split('"')[1].rstrip("."): qid for qid, text in quoted.items() if text.startswith('"')
    }
    assert len(by_feature) == len(features) == 8
    for feature, functional, dysfunctional in features:
        qid = by_feature[feature]
        expected = kano(words[functional], words[dysfunctional])
        assert correct_option("gb-02-kano-survey", qid) == expected, feature


def test_gb_03_check_answers():
    answers = numeric_answers("gb-03-check")
    assert answers["mean-n"] == round_up(n_mean(1.96, 12, 3))
    assert answers["proportion-n"] == round_up(n_proportion(1.96, 0.20, 0.05))


def test_gb_03_sample_size_answers():
    answers = numeric_answers("gb-03-sample-size")
    text = prompt("gb-03-sample-size")
    assert "**standard deviation of 18 minutes**" in text
    wards = {"Medical": 3_000, "Surgical": 1_800, "Older People's": 1_200}
    assert "Medical (3,000 a month), Surgical (1,800) and Older People's" in text
    expected = {
        "mean-95": round_up(n_mean(1.96, 18, 4)),
        "mean-99": round_up(n_mean(2.576, 18, 4)),
        "mean-half": round_up(n_mean(1.96, 18, 2)),
        "errors-p": round_up(n_proportion(1.96, 0.08, 0.02)),
        "survey-p": round_up(n_proportion(1.645, 0.5, 0.05)),
        "fpc": round_up(finite_population(n_proportion(1.96, 0.5, 0.05), wards["Older People's"])),
        "stratum": 360 * wards["Surgical"] / sum(wards.values()),
        "interval": math.floor(sum(wards.values()) / 300),
    }
    assert answers == expected
    # The tabled z values give the same whole numbers as exact ones.
    assert round_up(n_mean(z_two_sided(0.99), 18, 4)) == expected["mean-99"]
    assert round_up(n_proportion(z_two_sided(0.90), 0.5, 0.05)) == expected["survey-p"]


def test_gb_04_check_answers():
    answers = numeric_answers("gb-04-check")
    assert answers["contribution"] == pytest.approx(100 * 0.30**2)
    assert answers["ndc"] == math.floor(1.41 * 6.0 / 2.0)
    assert answers["within"] == pytest.approx(100 * 46 / 50)
    assert aiag_verdict(24) == "conditional"


class TestCallQualityGaugeRR:
    SLUG = "gb-04-gauge-rr-call-quality"

    @pytest.fixture
    def study(self):
        rows = table_after(prompt(self.SLUG), "| Call |")
        return study_from_table(rows, appraisers=3, trials=2)

    @pytest.fixture
    def result(self, study):
        return gauge_rr(study, method="average_range")

    def test_the_prompt_states_app_lss_constants(self):
        text = prompt(self.SLUG)
        assert f"**K1 = {K1_BY_TRIALS[2]}**" in text
        assert f"**K2 = {K2_BY_OPERATORS[3]}**" in text
        assert f"**K3 = {K3_BY_PARTS[8]}**" in text

    def test_the_numeric_answers(self, study, result):
        assert len(study) == 8
        details = result.average_range
        expected = {
            "r-double-bar": details.r_double_bar,
            "x-diff": details.x_diff,
            "part-range": details.part_range,
            "ev": result.repeatability,
            "av": result.reproducibility,
            "grr": result.gauge_rr,
            "pv": result.part_to_part,
            "tv": result.total_variation,
            "percent-grr": result.percent_study_variation["gauge_rr"],
            "ndc": result.ndc,
        }
        assert numeric_answers(self.SLUG) == pytest.approx(expected, rel=1e-12)

    def test_ndc_is_not_close_to_a_whole_number(self, result):
        ratio = 1.41 * result.part_to_part / result.gauge_rr
        assert 0.1 < ratio - math.floor(ratio) < 0.9

    def test_the_choice_keys(self, study, result):
        details = result.average_range
        assert details.ranges_above_limit == ()
        largest = max(max(cell) - min(cell) for part in study for cell in part)
        assert correct_option(self.SLUG, "range-check").startswith(
            f"No; the largest range is {largest:g}, below the limit of about "
            f"{details.range_limit:.1f}"
        )
        assert result.verdict == "unacceptable" and not result.ndc_adequate
        assert correct_option(self.SLUG, "verdict").startswith("Unacceptable")
        assert result.repeatability > 2 * result.reproducibility
        assert correct_option(self.SLUG, "fix-first").startswith("Repeatability")


class TestFraudReferralAgreement:
    SLUG = "gb-04-attribute-agreement"

    @pytest.fixture
    def claims(self):
        rows = table_after(prompt(self.SLUG), "| Claim |")
        return [(row[1], row[2:4], row[4:6]) for row in rows]

    def test_the_numeric_answers(self, claims):
        n = len(claims)
        assert n == 15

        def within(person):
            return 100 * sum(len(set(c[person])) == 1 for c in claims) / n

        def versus(person):
            return 100 * sum(all(x == c[0] for x in c[person]) for c in claims) / n

        def effectiveness(person):
            return 100 * sum(x == c[0] for c in claims for x in c[person]) / (2 * n)

        between = 100 * sum(len(set(c[1] + c[2])) == 1 for c in claims) / n
        everyone = 100 * sum(all(x == c[0] for x in c[1] + c[2]) for c in claims) / n
        observed, expected, kappa = cohen_kappa(48, 10, 8, 14)
        assert numeric_answers(self.SLUG) == pytest.approx(
            {
                "hill-within": within(1),
                "patel-within": within(2),
                "hill-standard": versus(1),
                "patel-standard": versus(2),
                "between": between,
                "all-standard": everyone,
                "patel-effectiveness": effectiveness(2),
                "p-observed": observed,
                "p-expected": expected,
                "kappa": kappa,
            },
            rel=1e-12,
        )
        assert (effectiveness(1), effectiveness(2)) == pytest.approx((250 / 3, 220 / 3))
        assert correct_option(self.SLUG, "verdict") == "Hill is marginal and Patel is unacceptable."

    def test_the_prompt_states_the_kappa_table(self):
        text = prompt(self.SLUG)
        assert "| **Assessor A: meets** | 48 | 10 |" in text
        assert "| **Assessor A: does not** | 8 | 14 |" in text

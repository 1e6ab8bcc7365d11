"""The worked examples of Black Belt modules 8 to 11 and the numeric answers of their exercises
agree with the arithmetic.

The inputs are hard-coded as the texts state them. Every figure a module quotes is recomputed
(with app.lss.pareto, app.lss.stats, or plain arithmetic for weighted sums, present values and
savings) and must appear in the text exactly as written. Every numeric answer stored in an
exercise is recomputed from the data in its prompt, which is parsed from the markdown the
learner sees.

Published worked examples the methods are checked against:

- Net present value: NumPy's documentation of `npv`, after L. J. Gitman, *Principles of
  Managerial Finance, Brief*, 3rd ed. (2003), p. 346: `npv(0.281, [-100, 39, 59, 55, 20])` =
  −0.0084785916 (28.1% is close to that project's internal rate of return); and the
  numpy-financial documentation's example of a $40,000 investment returning $5,000, $8,000,
  $12,000 and $30,000 at 8%: NPV = 3065.22267.
- Paired against unpaired t-tests: Student's sleep data (Cushny and Peebles; R's `sleep` data
  set and its `t.test` examples): paired t = −4.0621, df = 9, p = 0.002833; Welch two-sample
  t = −1.8608, df = 17.776, p = 0.07939.
"""

import math
import re
from statistics import fmean, stdev
from typing import ClassVar

import pytest
import yaml

from app.config import REPO_ROOT
from app.lss.pareto import pareto
from app.lss.stats import chi_square_independence, t_test_paired, t_test_two_sample

COURSE = REPO_ROOT / "courses" / "black-belt"
EXERCISES = REPO_ROOT / "exercises"


def module_text(folder: str) -> str:
    return (COURSE / folder / "index.md").read_text(encoding="utf-8")


def exercise_file(slug: str, name: str) -> str:
    return (EXERCISES / slug / name).read_text(encoding="utf-8")


def flat(text: str) -> str:
    """Markdown joined into single spaces, so sentences wrapped over two lines still match."""
    return " ".join(text.split())


def questions(slug: str) -> dict[str, dict]:
    listed = yaml.safe_load(exercise_file(slug, "exercise.yaml"))["params"]["questions"]
    return {q["id"]: q for q in listed}


def assert_answers(slug: str, expected: dict[str, float]) -> None:
    """The exercise's numeric questions are exactly these, with these answers."""
    answers = {qid: q["answer"] for qid, q in questions(slug).items() if q["type"] == "numeric"}
    assert answers.keys() == expected.keys()
    for key, value in expected.items():
        assert answers[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key


def correct_options(slug: str, qid: str) -> list[str]:
    return [o["text"] for o in questions(slug)[qid]["options"] if o.get("correct")]


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


def row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def money(value: float, pence: bool = False) -> str:
    return f"{value:,.2f}" if pence else f"{value:,.0f}"


def signed(value: float, pence: bool = False) -> str:
    """A cash flow as the tables write it, with a true minus sign."""
    text = money(abs(value), pence)
    return f"−{text}" if value < 0 else text


def npv(rate: float, flows: list[float]) -> float:
    """Σ C_t / (1 + r)^t for t = 0, 1, …, with the first flow at t = 0."""
    return math.fsum(flow / (1 + rate) ** t for t, flow in enumerate(flows))


def payback(flows: list[float]) -> float:
    """Years until the cumulative flow turns positive, interpolating within the year on the
    assumption that each year's flow arrives evenly."""
    cumulative = 0.0
    for year, flow in enumerate(flows):
        if year and cumulative + flow >= 0:
            return year - 1 + -cumulative / flow
        cumulative += flow
    raise AssertionError("the project never pays back")


def discounted(rate: float, flows: list[float]) -> list[float]:
    return [flow / (1 + rate) ** t for t, flow in enumerate(flows)]


def weighted(weights: tuple[int, ...], scores: tuple[int, ...]) -> float:
    """Σ weight × score ÷ 100, with the weights in percent."""
    return sum(w * s for w, s in zip(weights, scores, strict=True)) / 100


def barrier_point(scores: dict[str, int]) -> str | None:
    """ADKAR: the first element in sequence that scores 3 or less."""
    return next((element for element, score in scores.items() if score <= 3), None)


ADKAR = ("Awareness", "Desire", "Knowledge", "Ability", "Reinforcement")


# ---------------------------------------------------------------------------------------------
# Published worked examples.


def test_npv_against_the_published_examples():
    assert npv(0.281, [-100, 39, 59, 55, 20]) == pytest.approx(-0.0084785916384548798, abs=1e-12)
    assert round(npv(0.08, [-40_000, 5_000, 8_000, 12_000, 30_000]), 5) == 3065.22267


def test_paired_and_unpaired_tests_on_students_sleep_data():
    drug_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    drug_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    paired = t_test_paired(drug_1, drug_2)
    welch = t_test_two_sample(drug_1, drug_2, equal_var=False)
    assert (round(paired.t, 4), paired.df, round(paired.p_value, 6)) == (-4.0621, 9, 0.002833)
    assert (round(welch.t, 4), round(welch.df, 3), round(welch.p_value, 5)) == (
        -1.8608,
        17.776,
        0.07939,
    )
    text = module_text("10-coaching-green-belts")
    assert (
        f"as pairs, t = {abs(paired.t):.2f} with {paired.df} degrees of freedom, "
        f"p = {paired.p_value:.4f}; as two independent groups, t = {abs(welch.t):.2f} and "
        f"p = {welch.p_value:.4f}, not significant at 5%"
    ) in text


# ---------------------------------------------------------------------------------------------
# Module 8: Harbourside Insurance (section "Worked example").


class TestHarbourside:
    TEXT = module_text("08-deployment-project-selection-copq")
    # Value stream: (internal failure, external failure), £k a year.
    STREAMS: ClassVar[dict[str, tuple[int, int]]] = {
        "Motor claims": (540, 1_300),
        "Home claims": (410, 710),
        "New business": (350, 260),
        "Renewals": (140, 240),
        "Mid-term changes": (170, 80),
        "Broker commissions": (90, 60),
    }
    WEIGHTS = (35, 25, 15, 15, 10)  # benefit, customer, strategic, success, time
    SWAPPED = (25, 35, 15, 15, 10)
    CANDIDATES: ClassVar[dict[str, tuple[int, ...]]] = {
        "A. Motor repair invoices paid above the agreed rates": (5, 3, 4, 4, 3),
        "B. Repeat contractor visits on escape-of-water claims": (4, 5, 4, 3, 2),
        "C. Errors in first notification of loss, motor": (3, 4, 5, 4, 4),
        "D. New-business referrals returned to brokers": (3, 2, 3, 5, 5),
    }
    RATE = 0.08
    ONE_OFF = 180_000
    RUNNING = 20_000
    HARD = (150_000, 260_000, 260_000)

    def flows(self) -> list[float]:
        return [-self.ONE_OFF, *(saving - self.RUNNING for saving in self.HARD)]

    def test_the_copq_pareto_by_value_stream(self):
        copq = {name: sum(costs) for name, costs in self.STREAMS.items()}
        analysis = pareto(copq)
        assert [r.category for r in analysis.rows] == list(self.STREAMS)
        for r in analysis.rows:
            internal, external = self.STREAMS[r.category]
            assert (
                row(
                    r.category,
                    money(internal),
                    money(external),
                    money(r.count),
                    f"{r.percent:.2f}%",
                    f"{r.cumulative_percent:.2f}%",
                )
                in self.TEXT
            )
        internal = sum(i for i, _ in self.STREAMS.values())
        external = sum(e for _, e in self.STREAMS.values())
        assert (
            f"| **Total** | **{money(internal)}** | **{money(external)}** | "
            f"**{money(analysis.total)}** |"
        ) in self.TEXT
        assert analysis.vital_few == ("Motor claims", "Home claims", "New business")
        vital = analysis.rows[2].cumulative_percent
        assert f"carry {vital:.2f}% of the £{money(analysis.total)}k" in self.TEXT
        share = 100 * external / analysis.total
        assert f"External failure is 2,650 ÷ 4,350 = {share:.1f}% of the total" in self.TEXT

    def test_the_selection_matrix_and_its_ranking(self):
        scores = {name: weighted(self.WEIGHTS, s) for name, s in self.CANDIDATES.items()}
        for name, cells in self.CANDIDATES.items():
            assert row(name, *cells, f"{scores[name]:.2f}") in self.TEXT
        assert list(scores.values()) == sorted(scores.values(), reverse=True)
        assert sum(self.WEIGHTS) == 100
        products = [w * s for w, s in zip(self.WEIGHTS, (5, 3, 4, 4, 3), strict=True)]
        assert (
            "For A: (35 × 5 + 25 × 3 + 15 × 4 + 15 × 4 + 10 × 3) ÷ 100 = "
            f"({' + '.join(map(str, products))}) ÷ 100 = {sum(products) / 100:.2f}."
        ) in self.TEXT
        first, second = list(scores.values())[:2]
        assert f"A leads, but only by {first - second:.2f}" in self.TEXT

    def test_the_sensitivity_check(self):
        a, b = (weighted(self.SWAPPED, s) for s in list(self.CANDIDATES.values())[:2])
        assert f"gives A {a:.2f} and B {b:.2f}" in self.TEXT
        assert b > a

    def test_the_net_cash_flows(self):
        for saving in self.HARD:
            assert f"{money(saving)} − 20,000 = {money(saving - self.RUNNING)}" in self.TEXT

    def test_the_present_value_table(self):
        flows = self.flows()
        present = discounted(self.RATE, flows)
        cumulative = 0.0
        for year, (flow, value) in enumerate(zip(flows, present, strict=True)):
            cumulative += value
            factor = 1 / (1 + self.RATE) ** year
            assert (
                row(
                    year,
                    signed(flow),
                    f"{factor:.4f}",
                    signed(value, pence=True),
                    signed(cumulative, pence=True),
                )
                in self.TEXT
            )

    def test_npv_and_the_paybacks(self):
        flows = self.flows()
        present = discounted(self.RATE, flows)
        terms = " + ".join(money(v, pence=True) for v in present[1:])
        value = npv(self.RATE, flows)
        assert f"**NPV** = −180,000 + {terms} = **£{money(value, pence=True)}**" in self.TEXT
        outstanding = self.ONE_OFF - flows[1]
        assert (
            f"180,000 − 130,000 = £{money(outstanding)} is still to recover, so payback = "
            f"1 + {money(outstanding)} ÷ {money(flows[2])} = **{payback(flows):.2f} years**"
        ) in self.TEXT
        still = -(present[0] + present[1])
        assert (
            f"£{money(still, pence=True)} is still to recover in today's money, so payback = "
            f"1 + {money(still, pence=True)} ÷ {money(present[2], pence=True)} = "
            f"**{payback(present):.2f} years**"
        ) in self.TEXT
        assert payback(present) > payback(flows)


# ---------------------------------------------------------------------------------------------
# Module 9: Brightwater Bank and the cost of meetings.


class TestLeadingChange:
    TEXT = module_text("09-leading-teams-and-change")
    ADKAR_SCORES: ClassVar[dict[str, tuple[int, ...]]] = {
        "Leeds checkers": (5, 4, 2, 2, 3),
        "Bristol and Norwich checkers": (4, 2, 3, 2, 1),
        "Site managers": (5, 3, 4, 4, 2),
    }

    def test_the_adkar_barrier_points(self):
        for group, scores in self.ADKAR_SCORES.items():
            point = barrier_point(dict(zip(ADKAR, scores, strict=True)))
            assert row(group, *scores, point) in self.TEXT

    def test_the_cost_of_the_weekly_meeting(self):
        weekly = 12 * 1.5 * 45
        assert f"12 × 1.5 × 45 = £{money(weekly)} a week" in self.TEXT
        assert f"£{money(weekly)} × 52 = £{money(52 * weekly)} a year" in self.TEXT
        shorter = 6 * 0.75 * 45 * 52
        assert shorter == pytest.approx(52 * weekly / 4)
        assert f"a quarter of the cost: £{money(shorter)} a year" in self.TEXT
        assert "cut from 90 minutes with twelve people to 45 minutes with six" in self.TEXT


# ---------------------------------------------------------------------------------------------
# Module 10: the after-call work review (section "Worked example").


class TestAfterCallWork:
    TEXT = module_text("10-coaching-green-belts")
    BEFORE = (62, 75, 48, 90, 55, 70, 83, 58, 66, 79)
    AFTER = (57, 71, 46, 82, 52, 64, 80, 55, 60, 74)
    TESTS = 14
    CALLS = 1_200_000

    def test_the_data_table(self):
        differences = [b - a for b, a in zip(self.BEFORE, self.AFTER, strict=True)]
        for label, values in (
            ("Before", self.BEFORE),
            ("After", self.AFTER),
            ("Difference", differences),
        ):
            assert row(label, *values) in self.TEXT
        assert all(d > 0 for d in differences)  # "Every one of the ten agents improved."
        assert "before the change the agents' own averages range from 48 to 90 seconds" in self.TEXT
        assert (min(self.BEFORE), max(self.BEFORE)) == (48, 90)

    def test_the_green_belts_pooled_test(self):
        pooled = t_test_two_sample(self.BEFORE, self.AFTER)
        assert (
            f"Pooled two-sample t-test, t = {pooled.t:.2f}, df = {pooled.df}, "
            f"p = {pooled.p_value:.2f}."
        ) in self.TEXT
        assert (
            f"means are {fmean(self.BEFORE):.1f} and {fmean(self.AFTER):.1f} seconds"
        ) in self.TEXT
        assert (
            f"s_p = {pooled.pooled_sd:.2f} seconds and a standard error of "
            f"{pooled.standard_error:.2f} seconds"
        ) in self.TEXT

    def test_the_paired_test(self):
        paired = t_test_paired(self.BEFORE, self.AFTER)
        sd = paired.difference_sd
        assert (
            f"mean d̄ = {paired.estimate:.1f} seconds, s_d = {sd:.2f} seconds, "
            f"standard error = {sd:.2f} ÷ √10 = {paired.standard_error:.3f} seconds, "
            f"so **t = {paired.estimate:.1f} ÷ {paired.standard_error:.3f} = {paired.t:.2f}** "
            f"with **{paired.df}** degrees of freedom and p < 0.001"
        ) in self.TEXT
        assert paired.estimate / round(paired.standard_error, 3) == pytest.approx(
            paired.t, abs=0.005
        )
        assert paired.p_value < 0.001

    def test_the_hours_freed(self):
        hours = 4.5 * self.CALLS / 3_600
        assert f"4.5 × 1,200,000 ÷ 3,600 = {money(hours)} agent hours a year" in self.TEXT

    def test_many_tests_and_bonferroni(self):
        family = 1 - 0.95**self.TESTS
        assert f"1 − 0.95^14 = {100 * family:.1f}%" in self.TEXT
        assert f"0.05 ÷ 14 = {0.05 / self.TESTS:.4f}" in self.TEXT
        assert f"Bonferroni threshold of {0.05 / self.TESTS:.4f}" in self.TEXT
        assert 0.05 / self.TESTS < 0.03  # the reported p = 0.03 does not pass


# ---------------------------------------------------------------------------------------------
# Module 11: repeat visits at Tamar Valley Water (section "Worked example").


class TestTamarValley:
    TEXT = module_text("11-certification-project")
    BASELINE_JOBS, BASELINE_REPEATS = 48_000, 6_240
    CONTROL_JOBS, CONTROL_REPEATS = 12_500, 975
    COST, HARD, SOFT = 85, 40, 45
    RUNNING = 12_000
    PILOT_RATE = 0.055

    def rates(self) -> tuple[float, float]:
        return (
            self.BASELINE_REPEATS / self.BASELINE_JOBS,
            self.CONTROL_REPEATS / self.CONTROL_JOBS,
        )

    def test_the_rates(self):
        baseline, control = self.rates()
        assert f"6,240 ÷ 48,000 = **{baseline:.1%}**" in self.TEXT
        assert f"975 ÷ 12,500 = **{control:.1%}**" in self.TEXT
        assert self.HARD + self.SOFT == self.COST

    def test_the_chi_square_test(self):
        result = chi_square_independence(
            [
                [self.BASELINE_REPEATS, self.BASELINE_JOBS - self.BASELINE_REPEATS],
                [self.CONTROL_REPEATS, self.CONTROL_JOBS - self.CONTROL_REPEATS],
            ]
        )
        assert f"χ² = {result.statistic:.1f} with {result.df} degree of freedom" in self.TEXT
        assert result.p_value < 0.001 and "p < 0.001" in self.TEXT

    def test_the_verified_savings(self):
        baseline, control = self.rates()
        volume = 4 * self.CONTROL_JOBS
        fewer = (baseline - control) * volume
        assert f"12,500 × 4 = **{money(volume)} jobs a year**" in self.TEXT
        assert f"(0.130 − 0.078) × 50,000 = **{money(fewer)} a year**" in self.TEXT
        hard, soft = fewer * self.HARD, fewer * self.SOFT
        assert f"2,600 × £40 = **£{money(hard)} a year**" in self.TEXT
        assert f"2,600 × £45 = **£{money(soft)} a year**" in self.TEXT
        assert (
            f"104,000 − 12,000 = £{money(hard - self.RUNNING)} a year**, signed by finance"
        ) in self.TEXT

    def test_the_overstated_draft(self):
        baseline, _ = self.rates()
        claim = (baseline - self.PILOT_RATE) * 4 * self.CONTROL_JOBS * self.COST
        assert f"(0.130 − 0.055) × 50,000 × £85 = **£{money(claim)}**" in self.TEXT


# ---------------------------------------------------------------------------------------------
# The exercises' numeric answers.


def test_bb_08_check_answers():
    text = flat(exercise_file("bb-08-check", "exercise.yaml"))
    assert "costs £50,000 now and returns a net £60,000 at the end of one year" in text
    assert "500 of 10,000 applications a year (5%)" in text
    assert "480 of 12,000 applications needed rework" in text
    normalised = (500 / 10_000 - 480 / 12_000) * 12_000
    assert_answers(
        "bb-08-check", {"npv": npv(0.10, [-50_000, 60_000]), "normalised": round(normalised, 9)}
    )
    solution = flat(exercise_file("bb-08-check", "solution.md"))
    assert f"**£{money(npv(0.10, [-50_000, 60_000]), pence=True)}**" in solution


class TestCopqBusinessCase:
    SLUG = "bb-08-copq-business-case"
    PROMPT = exercise_file(SLUG, "prompt.md")
    CATEGORY: ClassVar[dict[int, str]] = {
        1: "internal", 2: "external", 3: "external", 4: "external", 5: "appraisal",
        6: "appraisal", 7: "internal", 8: "prevention", 9: "external",
    }  # fmt: skip
    INVOICES = 240_000
    RATE = 0.10
    ONE_OFF, RUNNING = 120_000, 10_000
    HARD = (60_000, 95_000, 95_000)

    def lines(self) -> dict[int, float]:
        rows = table_after(self.PROMPT, "| # | Cost line |")
        return {int(r[0]): float(r[2].replace(",", "")) for r in rows}

    def totals(self) -> dict[str, float]:
        lines = self.lines()
        assert sorted(lines) == sorted(self.CATEGORY)
        totals = dict.fromkeys(set(self.CATEGORY.values()), 0.0)
        for number, amount in lines.items():
            totals[self.CATEGORY[number]] += amount
        return totals

    def flows(self) -> list[float]:
        return [-self.ONE_OFF, *(saving - self.RUNNING for saving in self.HARD)]

    def test_the_priced_lines_agree_with_their_volumes(self):
        lines = self.lines()
        assert lines[1] == 19_200 * 12 / 60 * 30
        assert lines[4] == 9_600 * 6.50
        assert lines[9] == 1_200 * 18

    def test_the_stated_inputs(self):
        text = flat(self.PROMPT)
        assert "**240,000 supplier invoices a year**" in text
        assert "one-off cost of **£120,000** in year 0" in text
        assert "**£10,000 a year**" in text
        assert "**£60,000 in year 1**" in text
        assert "**£95,000 in each of years 2 and 3**" in text
        assert "discount rate is **10%**" in text

    def test_the_answers(self):
        totals = self.totals()
        copq = totals["internal"] + totals["external"]
        flows = self.flows()
        assert_answers(
            self.SLUG,
            {
                "internal": totals["internal"],
                "external": totals["external"],
                "copq": copq,
                "per-invoice": copq / self.INVOICES,
                "npv": round(npv(self.RATE, flows), 5),
                "simple-payback": payback(flows),
                "discounted-payback": payback(discounted(self.RATE, flows)),
            },
        )

    def test_the_classification_questions_match_the_key(self):
        names = {"appraisal": "Appraisal", "external": "External failure"}
        assert correct_options(self.SLUG, "line-6") == [names[self.CATEGORY[6]]]
        assert correct_options(self.SLUG, "line-9") == [names[self.CATEGORY[9]]]

    def test_the_solution_figures(self):
        solution = exercise_file(self.SLUG, "solution.md")
        totals = self.totals()
        for category, label in (
            ("prevention", "Prevention"),
            ("appraisal", "Appraisal"),
            ("internal", "Internal failure"),
            ("external", "External failure"),
        ):
            assert f"**{money(totals[category])}** |" in solution, label
        copq = totals["internal"] + totals["external"]
        assert f"= **£{money(copq)} a year**" in solution
        assert f"= **£{copq / self.INVOICES:.2f} per\ninvoice**" in solution
        flows = self.flows()
        present = discounted(self.RATE, flows)
        cumulative = 0.0
        for year, value in enumerate(present):
            cumulative += value
            assert f"| {signed(cumulative, pence=True)} |" in solution, year
            if year:
                assert f"= {money(value, pence=True)} |" in solution, year
        assert f"**£{money(npv(self.RATE, flows), pence=True)}**" in solution
        assert f"**{payback(flows):.2f} years**" in solution
        assert f"**{payback(present):.2f} years**" in solution
        assert f"{payback(present):.2f}-year payback" in flat(
            exercise_file(self.SLUG, "exercise.yaml")
        )


class TestSelectionMatrix:
    SLUG = "bb-08-selection-matrix"
    PROMPT = exercise_file(SLUG, "prompt.md")
    NEW_WEIGHTS = (30, 40, 20, 10)
    SCREENED_OUT = "P1"

    def weights(self) -> tuple[int, ...]:
        rows = table_after(self.PROMPT, "| Criterion | Weight |")
        return tuple(int(r[1].rstrip("%")) for r in rows)

    def candidates(self) -> dict[str, tuple[int, ...]]:
        rows = table_after(self.PROMPT, "| Candidate |")
        return {r[0].split(".")[0]: tuple(int(c) for c in r[1:]) for r in rows}

    def ranking(self, weights: tuple[int, ...]) -> list[tuple[str, float]]:
        scored = {
            name: weighted(weights, scores)
            for name, scores in self.candidates().items()
            if name != self.SCREENED_OUT
        }
        return sorted(scored.items(), key=lambda item: -item[1])

    def test_the_weights_sum_to_100(self):
        assert sum(self.weights()) == 100 and sum(self.NEW_WEIGHTS) == 100
        assert "patient impact should weigh 40% and financial benefit 30%" in flat(
            exercise_file(self.SLUG, "exercise.yaml")
        )

    def test_the_answers(self):
        candidates, weights = self.candidates(), self.weights()
        assert_answers(
            self.SLUG,
            {
                "score-p5": weighted(weights, candidates["P5"]),
                "score-p3": weighted(weights, candidates["P3"]),
                "score-p2-new": weighted(self.NEW_WEIGHTS, candidates["P2"]),
            },
        )

    def test_the_screened_candidate_would_have_led(self):
        score = weighted(self.weights(), self.candidates()["P1"])
        assert score > self.ranking(self.weights())[0][1]
        assert f"would be {score:.2f}, the highest" in flat(
            exercise_file(self.SLUG, "exercise.yaml")
        )

    def test_the_ranking_and_the_sensitivity_keys(self):
        order = [name for name, _ in self.ranking(self.weights())]
        assert correct_options(self.SLUG, "order") == [", ".join(order)]
        new_order = [name for name, _ in self.ranking(self.NEW_WEIGHTS)]
        assert new_order[0] == order[0]  # the leader survives the change of weights
        assert correct_options(self.SLUG, "second-new") == [new_order[1]]
        (unweighted,) = [
            option
            for option in questions(self.SLUG)["order"]["options"]
            if "unweighted totals" in option["feedback"]
        ]
        totals = {name: sum(scores) for name, scores in self.candidates().items()}
        assert unweighted["text"] == ", ".join(sorted(totals, key=lambda n: (-totals[n], n)))
        shown = ", ".join(str(totals[n]) for n in unweighted["text"].split(", "))
        assert f"unweighted totals ({shown})" in flat(unweighted["feedback"])

    def test_the_solution_tables(self):
        solution = exercise_file(self.SLUG, "solution.md")
        for weights in (self.weights(), self.NEW_WEIGHTS):
            for name, score in self.ranking(weights):
                scores = self.candidates()[name]
                terms = " + ".join(f"{w} × {s}" for w, s in zip(weights, scores, strict=True))
                assert re.search(
                    rf"\| {name} \| \({re.escape(terms)}\) ÷ 100.*\| \**{score:.2f}\** \|",
                    solution,
                ), name


def test_bb_09_check_answers():
    text = flat(exercise_file("bb-09-check", "exercise.yaml"))
    assert "8 people at an average loaded rate of £50 an hour" in text
    assert_answers("bb-09-check", {"meeting-cost": 8 * 1 * 50 * 52})
    scores = dict(zip(ADKAR, (4, 4, 2, 1, 1), strict=True))
    assert "awareness 4, desire 4, knowledge 2, ability 1, reinforcement 1" in text
    assert correct_options("bb-09-check", "barrier")[0].startswith(barrier_point(scores))


class TestStakeholderMap:
    SLUG = "bb-09-stakeholder-map"
    PROMPT = exercise_file(SLUG, "prompt.md")

    def test_the_adkar_barrier_point(self):
        (scores,) = table_after(self.PROMPT, "| Awareness |")
        point = barrier_point(dict(zip(ADKAR, map(int, scores), strict=True)))
        assert correct_options(self.SLUG, "adkar") == [point]

    def test_the_force_field(self):
        rows = table_after(self.PROMPT, "| Driving force |")
        driving = sum(int(r[1]) for r in rows)
        restraining = sum(int(r[3]) for r in rows)
        assert_answers(self.SLUG, {"net-force": driving - restraining})
        solution = flat(exercise_file(self.SLUG, "solution.md"))
        assert f"Driving: {' + '.join(r[1] for r in rows)} = {driving}" in solution
        assert f"Restraining: {' + '.join(r[3] for r in rows)} = {restraining}" in solution
        assert f"{driving} − {restraining} = **+{driving - restraining}**" in solution


def test_bb_10_check_answers():
    assert_answers("bb-10-check", {"family-wise": 100 * (1 - 0.95**10), "bonferroni": 0.05 / 20})
    solution = flat(exercise_file("bb-10-check", "solution.md"))
    assert f"1 − 0.95^10 = 1 − {0.95**10:.4f} = {1 - 0.95**10:.4f}" in solution
    assert f"**{100 * (1 - 0.95**10):.2f}%**" in solution


class TestReviewGreenBeltAnalysis:
    SLUG = "bb-10-review-gb-analysis"
    PROMPT = exercise_file(SLUG, "prompt.md")
    TESTS = 10

    def data(self) -> tuple[list[float], list[float]]:
        rows = {r[0]: [float(v) for v in r[1:]] for r in table_after(self.PROMPT, "| Ward |")}
        return rows["Before"], rows["After"]

    def test_the_green_belts_pooled_figures(self):
        before, after = self.data()
        assert len(before) == 8 and "**8 wards**" in self.PROMPT
        pooled = t_test_two_sample(before, after)
        assert (
            f"t = {pooled.t:.2f}, df = {pooled.df}, p = {pooled.p_value:.3f}. The rule has no "
            "significant effect"
        ) in flat(self.PROMPT)

    def test_the_answers(self):
        paired = t_test_paired(*self.data())
        assert_answers(
            self.SLUG,
            {
                "mean-difference": paired.estimate,
                "sd-difference": paired.difference_sd,
                "t": paired.t,
                "df": paired.df,
                "family-wise": 100 * (1 - 0.95**self.TESTS),
                "bonferroni": 0.05 / self.TESTS,
            },
        )
        assert "We tested **10** candidate causes" in self.PROMPT

    def test_the_solution_figures(self):
        before, after = self.data()
        paired = t_test_paired(before, after)
        differences = [b - a for b, a in zip(before, after, strict=True)]
        solution = flat(exercise_file(self.SLUG, "solution.md"))
        listed = ", ".join(f"{d:g}" for d in differences[:-1]) + f" and {differences[-1]:g}"
        assert f"are {listed} minutes" in solution
        assert f"{sum(differences):g} ÷ 8 = **{paired.estimate:.3f} minutes**" in solution
        sd, se = paired.difference_sd, paired.standard_error
        assert f"**{sd:.3f} minutes**" in solution
        assert f"{sd:.3f} ÷ √8 = {se:.3f} minutes" in solution
        assert f"**t = {paired.estimate:.3f} ÷ {se:.3f} = {paired.t:.2f}**" in solution
        assert f"8 − 1 = **{paired.df}**" in solution
        assert paired.p_value < 0.001
        assert f"before, {min(before):g} to {max(before):g} minutes" in solution
        assert f"{fmean(differences):.1f}-minute change" in solution
        assert f"0.05 ÷ 10 = **{0.05 / self.TESTS}**" in solution
        assert stdev(differences) == pytest.approx(sd)


def test_bb_11_check_answers():
    text = flat(exercise_file("bb-11-check", "exercise.yaml"))
    assert "Baseline: 10% of applications" in text and "the rate is 6%" in text
    assert "annualised volume of 24,000" in text and "£30 per rework" in text
    assert "costs £5,000 a year" in text
    assert_answers("bb-11-check", {"verified": (0.10 - 0.06) * 24_000 * 30 - 5_000})


class TestTollgateReadiness:
    SLUG = "bb-11-tollgate-readiness"
    PROMPT = flat(exercise_file(SLUG, "prompt.md"))
    BASELINE_LATE, BASELINE_DISPUTES = 2_880, 36_000
    WRITE_OFF, TOTAL_WRITTEN_OFF = 400, 1_152_000
    CONTROL_DISPUTES, CONTROL_LATE = 9_500, 190
    RUNNING = 30_000

    def test_the_stated_inputs(self):
        assert "**2,880 of 36,000 disputes** (8.0%)" in self.PROMPT
        assert f"{self.BASELINE_LATE / self.BASELINE_DISPUTES:.1%}" == "8.0%"
        assert self.BASELINE_LATE * self.WRITE_OFF == self.TOTAL_WRITTEN_OFF
        assert "wrote off **£1,152,000**" in self.PROMPT
        assert "**9,500 disputes, 190 raised late**" in self.PROMPT
        assert "running cost of **£30,000 a year**" in self.PROMPT

    def test_the_answers(self):
        baseline = self.BASELINE_LATE / self.BASELINE_DISPUTES
        control = self.CONTROL_LATE / self.CONTROL_DISPUTES
        fewer = (baseline - control) * 4 * self.CONTROL_DISPUTES
        assert_answers(
            self.SLUG,
            {
                "control-rate": 100 * control,
                "fewer-late": round(fewer, 9),
                "saving": fewer * self.WRITE_OFF - self.RUNNING,
            },
        )

    def test_the_raw_count_question_and_the_solution(self):
        baseline = self.BASELINE_LATE / self.BASELINE_DISPUTES
        control = self.CONTROL_LATE / self.CONTROL_DISPUTES
        volume = 4 * self.CONTROL_DISPUTES
        fewer = (baseline - control) * volume
        raw = self.BASELINE_LATE - 4 * self.CONTROL_LATE
        key = correct_options(self.SLUG, "raw-count")[0]
        assert f"from {money(self.BASELINE_DISPUTES)} to {money(volume)} disputes" in key
        solution = flat(exercise_file(self.SLUG, "solution.md"))
        assert f"190 ÷ 9,500 = **{control:.1%}**" in solution
        assert f"9,500 × 4 = {money(volume)} disputes a year" in solution
        assert f"(0.080 − 0.020) × 38,000 = **{money(fewer)} a year**" in solution
        gross = fewer * self.WRITE_OFF
        assert f"2,280 × £400 = £{money(gross)}" in solution
        assert f"{money(gross)} − 30,000 = **£{money(gross - self.RUNNING)} a year**" in solution
        assert f"2,880 − 760 = {money(raw)} fewer" in solution
        assert raw < fewer

"""The worked examples of Yellow Belt module 10 (basic data tools) agree with the arithmetic.

The inputs are hard-coded as the text states them; every figure the text quotes is
recomputed here (the statistics with Python's statistics module) and must appear in the
module exactly as written. The Pareto figure's bars and cumulative line are checked against
the same counts, so the picture keeps its proportions.
"""

import math
import re
import statistics

import pytest
import yaml

from app.config import REPO_ROOT

FOLDER = REPO_ROOT / "courses" / "yellow-belt" / "10-basic-data-tools"
TEXT = (FOLDER / "index.md").read_text(encoding="utf-8")
FIGURE = (FOLDER / "pareto-complaints.svg").read_text(encoding="utf-8")

# April's complaints in the contact centre, as the text lists them (sorted, "Other" last).
COMPLAINTS = [
    ("Long wait to reach an adviser", 171),
    ("Fees and charges not explained", 124),
    ("Card declined or blocked", 109),
    ("Online banking login problems", 38),
    ("Wrong information from an adviser", 27),
    ("Transfer delayed", 17),
    ("Other", 14),
]
VITAL_FEW_THRESHOLD = 80  # percent: stop at the first category that reaches it

# Minutes to clear the overnight queue, days 1 to 16 in time order.
MINUTES = [40, 37, 44, 41, 39, 78, 38, 42, 36, 40, 47, 49, 46, 50, 48, 45]
OUTAGE_DAY = 6
FORM_LAUNCH_DAY = 11
SHIFT_LENGTH = 6  # the rule: six or more consecutive points on one side of the median
BIN_WIDTH = 5
FIRST_BIN = 35

# The exercises' data: the home insurer's holds (in the order of the form), the ten
# contract times and the five calls of the knowledge check.
HOLDS = {
    "Photos of the damage missing": 97,
    "Repair estimate missing": 126,
    "Policy number wrong": 14,
    "Other": 18,
    "Proof of ownership missing": 74,
    "Bank details missing": 31,
}
CONTRACT_DAYS = [4, 6, 5, 7, 5, 21, 6, 4, 8, 5]
CALL_MINUTES = [6, 8, 7, 11, 8]

# The figure's geometry: 0 at y = 300, the total (and 100%) at y = 40.
PLOT_BOTTOM, PLOT_TOP = 300, 40


def pct(value: float) -> str:
    return f"{value:.1f}%"


def fmt(value: float, decimals: int = 2) -> str:
    """A number as the text writes it: rounded, thousands separated, no trailing zeros."""
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def signed(value: float) -> str:
    """A deviation as the table writes it, with a true minus sign."""
    return f"−{fmt(-value)}" if value < 0 else fmt(value)


def total() -> int:
    return sum(count for _, count in COMPLAINTS)


def cumulative_counts() -> list[int]:
    running, result = 0, []
    for _, count in COMPLAINTS:
        running += count
        result.append(running)
    return result


def vital_few() -> int:
    return next(
        rank
        for rank, cum in enumerate(cumulative_counts(), start=1)
        if cum / total() * 100 >= VITAL_FEW_THRESHOLD
    )


def sides(values: list[float], centre: float) -> list[str]:
    """Above or below the centre line, skipping points on it."""
    return ["above" if v > centre else "below" for v in values if v != centre]


def runs(values: list[float], centre: float) -> list[tuple[str, int]]:
    result: list[tuple[str, int]] = []
    for side in sides(values, centre):
        if result and result[-1][0] == side:
            result[-1] = (side, result[-1][1] + 1)
        else:
            result.append((side, 1))
    return result


class TestParetoOfComplaints:
    def test_the_total_is_500_and_its_sum_is_shown(self):
        assert total() == 500
        terms = " + ".join(str(count) for _, count in COMPLAINTS)
        assert f"{terms} = {total()}" in TEXT
        assert f"logged {total()} complaints" in TEXT

    def test_the_categories_are_sorted_largest_first_with_other_last(self):
        named = [count for name, count in COMPLAINTS if name != "Other"]
        assert named == sorted(named, reverse=True)
        assert COMPLAINTS[-1][0] == "Other"

    def test_every_row_of_the_pareto_table(self):
        for rank, ((name, count), cum) in enumerate(
            zip(COMPLAINTS, cumulative_counts(), strict=True), start=1
        ):
            row = (
                f"| {rank} | {name} | {count} | {pct(count / total() * 100)} | {cum} | "
                f"{pct(cum / total() * 100)} |"
            )
            assert row in TEXT

    def test_the_percentages_are_shown_as_count_over_five(self):
        assert total() / 100 == 5  # so count ÷ 500 × 100 is count ÷ 5
        for _, count in COMPLAINTS:
            assert f"{count} ÷ 5 = {pct(count / 5)}" in TEXT

    def test_the_cumulative_counts_and_percentages_are_shown(self):
        cums = cumulative_counts()
        for (_, count), before, after in zip(COMPLAINTS[1:], cums[:-1], cums[1:], strict=True):
            assert f"{before} + {count} = {after}" in TEXT
            assert f"{after} ÷ 5 = {pct(after / 5)}" in TEXT
        assert cums[-1] == total()

    def test_the_vital_few_are_the_first_three_categories(self):
        rank = vital_few()
        cum = cumulative_counts()[rank - 1]
        assert rank == 3
        assert f"first reaches 80% at rank {rank}, with {pct(cum / total() * 100)}" in TEXT
        assert f"cause {cum} of the {total()} complaints" in TEXT
        after = COMPLAINTS[rank][1]
        assert f"from {COMPLAINTS[rank - 1][1]} to {after}" in TEXT
        # the rank before did not yet reach the threshold
        assert cumulative_counts()[rank - 2] / total() * 100 < VITAL_FEW_THRESHOLD


class TestParetoFigure:
    SCALE = (PLOT_BOTTOM - PLOT_TOP) / 500  # pixels per complaint

    @staticmethod
    def bar(rank: int) -> dict[str, float]:
        match = re.search(rf'<rect id="bar-{rank}" ([^>]*)/>', FIGURE)
        assert match, f"no bar-{rank}"
        return {k: float(v) for k, v in re.findall(r'(\w+)="([\d.]+)"', match.group(1))}

    def test_the_figure_has_a_title_and_axis_labels(self):
        assert re.search(r"<title>Pareto chart of 500 contact-centre complaints", FIGURE)
        for label in ("Number of complaints", "Cumulative percentage", "0", "500", "100%"):
            assert f">{label}</text>" in FIGURE

    def test_bar_heights_are_proportional_to_the_counts(self):
        for rank, (_, count) in enumerate(COMPLAINTS, start=1):
            bar = self.bar(rank)
            assert bar["height"] == pytest.approx(count * self.SCALE)
            assert bar["y"] + bar["height"] == pytest.approx(PLOT_BOTTOM)
            assert f">{count}</text>" in FIGURE

    def test_the_cumulative_line_follows_the_cumulative_counts(self):
        match = re.search(r'<polyline id="cumulative" points="([^"]+)"', FIGURE)
        assert match
        points = [tuple(map(float, p.split(","))) for p in match.group(1).split()]
        for rank, ((x, y), cum) in enumerate(zip(points, cumulative_counts(), strict=True), 1):
            bar = self.bar(rank)
            assert x == pytest.approx(bar["x"] + bar["width"] / 2)
            assert y == pytest.approx(PLOT_BOTTOM - cum * self.SCALE)
            assert f">{pct(cum / total() * 100)}</text>" in FIGURE

    def test_the_80_percent_line_and_tick(self):
        y80 = fmt(PLOT_BOTTOM - 0.8 * (PLOT_BOTTOM - PLOT_TOP))
        assert f'y1="{y80}" x2="640" y2="{y80}" stroke="#888888"' in FIGURE
        assert re.search(rf'<text x="650" y="{int(y80) + 4}">80%</text>', FIGURE)

    def test_the_figure_holds_no_script_or_style(self):
        assert not re.search(r"<script|style=|<style|href=", FIGURE)


class TestOvernightQueue:
    N = len(MINUTES)
    MEAN = statistics.mean(MINUTES)
    MEDIAN = statistics.median(MINUTES)
    SD = statistics.stdev(MINUTES)

    def test_the_table_lists_every_day_with_its_deviation_and_square(self):
        assert self.N == 16
        for day, minutes in enumerate(MINUTES, start=1):
            deviation = minutes - self.MEAN
            row = f"| {day} | {minutes} | {signed(deviation)} | {fmt(deviation**2)} |"
            assert row in TEXT
        assert f"Deviation from mean ({fmt(self.MEAN)})" in TEXT

    def test_the_mean_is_45_minutes(self):
        assert self.MEAN == 45
        assert f"add up to {sum(MINUTES)}, and {sum(MINUTES)} ÷ {self.N} = 45 minutes" in TEXT

    def test_the_median_is_43_minutes(self):
        ordered = sorted(MINUTES)
        assert ", ".join(map(str, ordered)) in TEXT
        lower, upper = ordered[self.N // 2 - 1], ordered[self.N // 2]
        assert self.MEDIAN == (lower + upper) / 2 == 43
        assert f"The 8th and 9th are {lower} and {upper}" in TEXT
        assert f"({lower} + {upper}) ÷ 2 = {fmt(self.MEDIAN)} minutes" in TEXT

    def test_the_range_is_42_minutes(self):
        spread = max(MINUTES) - min(MINUTES)
        assert f"{max(MINUTES)} − {min(MINUTES)} = {spread} minutes" in TEXT
        assert spread == 42

    def test_the_sample_standard_deviation_is_9_83_minutes(self):
        squares = sum((m - self.MEAN) ** 2 for m in MINUTES)
        variance = squares / (self.N - 1)
        assert variance == pytest.approx(statistics.variance(MINUTES))
        assert math.sqrt(variance) == pytest.approx(self.SD)
        assert (
            f"the squares add up to {fmt(squares)}; {fmt(squares)} ÷ ({self.N} − 1) = "
            f"{fmt(variance)}, and √{fmt(variance)} = {fmt(self.SD)} minutes"
        ) in TEXT
        assert fmt(self.SD) == "9.83"

    def test_dividing_by_n_would_understate_it(self):
        squares = sum((m - self.MEAN) ** 2 for m in MINUTES)
        population = statistics.pstdev(MINUTES)
        assert (
            f"Dividing by {self.N} would give √{fmt(squares / self.N, 3)} = {fmt(population)}"
            in (TEXT)
        )
        assert population < self.SD

    def test_the_histogram_frequencies(self):
        edges = range(FIRST_BIN, max(MINUTES) + 1, BIN_WIDTH)
        freq = {lo: sum(lo <= m < lo + BIN_WIDTH for m in MINUTES) for lo in edges}
        for lo in (35, 40, 45, 50, 75):
            assert f"{lo}–{lo + BIN_WIDTH - 1}: {freq[lo]}" in TEXT
        assert all(freq[lo] == 0 for lo in range(55, 75, BIN_WIDTH))
        assert "55–59 to 70–74: 0 each" in TEXT
        shown = [freq[lo] for lo in (35, 40, 45, 50)] + [0, freq[75]]
        assert f"{' + '.join(map(str, shown))} = {self.N}" in TEXT
        assert sum(freq.values()) == self.N

    def test_the_run_chart_has_six_runs_and_a_shift_from_day_11(self):
        assert self.MEDIAN not in MINUTES  # no point on the median
        found = runs(MINUTES, self.MEDIAN)
        assert found == [
            ("below", 2),
            ("above", 1),
            ("below", 2),
            ("above", 1),
            ("below", 4),
            ("above", 6),
        ]
        assert (
            "two below, one above, two below, one above, four below, six above, "
            f"{len(found)} runs in all"
        ) in TEXT
        longest = max(length for _, length in found)
        assert longest >= SHIFT_LENGTH
        assert all(m > self.MEDIAN for m in MINUTES[FORM_LAUNCH_DAY - 1 :])
        assert len(MINUTES[FORM_LAUNCH_DAY - 1 :]) == SHIFT_LENGTH
        assert f"Days {FORM_LAUNCH_DAY} to {self.N} are six in a row above the median" in TEXT
        assert f"against the median of {fmt(self.MEDIAN)}" in TEXT

    def test_the_chance_of_six_on_one_side_is_about_3_percent(self):
        chance = 2 * 0.5**SHIFT_LENGTH
        assert f"2 × 0.5^{SHIFT_LENGTH} = {chance}, about {round(chance * 100)}%" in TEXT

    def test_the_outage_day_drives_the_mean_but_not_the_median(self):
        outage = MINUTES[OUTAGE_DAY - 1]
        deviation_squared = (outage - self.MEAN) ** 2
        squares = sum((m - self.MEAN) ** 2 for m in MINUTES)
        assert (
            f"supplies {fmt(deviation_squared)} of the {fmt(squares)} squared deviations"
        ) in TEXT
        others = MINUTES[: OUTAGE_DAY - 1] + MINUTES[OUTAGE_DAY:]
        mean_without = statistics.mean(others)
        assert (
            f"({sum(MINUTES)} − {outage}) ÷ {len(others)} = {fmt(mean_without)} minutes, "
            f"{fmt(self.MEAN - mean_without)} lower"
        ) in TEXT
        median_without = statistics.median(others)
        assert f"from {fmt(self.MEDIAN)} to {fmt(median_without)}" in TEXT
        assert (mean_without, median_without) == (pytest.approx(42.8), 42)

    def test_the_two_periods_are_summarised_by_their_medians(self):
        before = sorted(MINUTES[: FORM_LAUNCH_DAY - 1])
        after = sorted(MINUTES[FORM_LAUNCH_DAY - 1 :])
        median_before, median_after = statistics.median(before), statistics.median(after)
        assert f"median of ({before[4]} + {before[5]}) ÷ 2 = {fmt(median_before)} minutes" in (TEXT)
        assert f"median of ({after[2]} + {after[3]}) ÷ 2 = {fmt(median_after)} minutes" in TEXT
        assert f"about {fmt(median_after - median_before)} minutes" in TEXT
        assert (median_before, median_after) == (40, 47.5)


class TestExerciseAnswers:
    """The answers stored in the two exercises, recomputed from the data their prompts give."""

    @staticmethod
    def answers(slug: str) -> dict[str, float]:
        path = REPO_ROOT / "exercises" / slug / "exercise.yaml"
        questions = yaml.safe_load(path.read_text(encoding="utf-8"))["params"]["questions"]
        return {q["id"]: q["answer"] for q in questions if q["type"] == "numeric"}

    def test_the_prompt_states_the_data(self):
        prompt = (REPO_ROOT / "exercises" / "yb-10-pareto" / "prompt.md").read_text("utf-8")
        for reason, count in HOLDS.items():
            assert f"| {reason} | {count} |" in prompt
        assert ", ".join(map(str, CONTRACT_DAYS)) in prompt
        assert f"put {sum(HOLDS.values())} claims on hold" in prompt

    def test_the_pareto_exercise_answers(self):
        grand = sum(HOLDS.values())
        ranked = sorted(((c, r) for r, c in HOLDS.items() if r != "Other"), reverse=True)
        named = [*ranked, (HOLDS["Other"], "Other")]
        cums = [sum(c for c, _ in named[: i + 1]) / grand * 100 for i in range(len(named))]
        expected = {
            "pct-photos": HOLDS["Photos of the damage missing"] / grand * 100,
            "cum-two": cums[1],
            "vital-few": next(i for i, cum in enumerate(cums, start=1) if cum >= 80),
            "mean-days": statistics.mean(CONTRACT_DAYS),
            "median-days": statistics.median(CONTRACT_DAYS),
            "sd-days": statistics.stdev(CONTRACT_DAYS),
        }
        assert self.answers("yb-10-pareto") == pytest.approx(expected, rel=1e-12)
        assert expected["vital-few"] == 3

    def test_the_check_exercise_answers(self):
        answers = self.answers("yb-10-check")
        cumulative = [41, 66, 78, 86, 93, 100]
        calls = [3.2, 4.8, 5.0, 6.7, 4.1, 9.5, 5.6, 4.9, 7.2, 5.3, 3.9, 6.0]
        assert answers["vital-few"] == next(i for i, c in enumerate(cumulative, 1) if c >= 80)
        assert answers["histogram-bin"] == sum(5 <= c < 7 for c in calls)
        assert answers["std-dev"] == pytest.approx(statistics.stdev(CALL_MINUTES))

    def test_the_check_run_chart_has_no_shift(self):
        discharges = [10, 9, 11, 14, 13, 12, 15, 13, 16, 10, 8]
        median = statistics.median(discharges)
        assert median == 12
        found = runs(discharges, median)
        assert found == [("below", 3), ("above", 5), ("below", 2)]
        assert max(length for _, length in found) < SHIFT_LENGTH

"""Hypothesis tests: each learner gets one of the exercise's situations (a one-sample,
two-sample pooled or Welch, or paired t-test, a one-way ANOVA or a chi-square test of
independence) with their own data set, picks the test, computes the statistic, its degrees
of freedom and the p-value, decides at the stated α and says what that means for the case.

The reference is app.lss.stats. Feedback names the usual mistakes (the standard deviation
instead of the standard error, n instead of n − 1, a one-sided p-value, Yates' correction,
"accepting" H0) without giving the value away, and carries errors forward: numbers right
for the test the learner chose, a p-value right for their own statistic, a decision right
for their own p-value and a conclusion right for their own decision earn their marks.
"""

import math
import random
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import stats as sps

from app.charts.groups import Reference, render_dot_plot, render_share_bars
from app.grading.hypothesis_test_data import (
    LAYOUT,
    STATISTIC,
    TESTS,
    Outcome,
    Test,
    counts_of,
    data_csv,
    multinomial,
    normal_values,
    outcome,
    values_of,
)
from app.grading.kinds.base import Answer, FieldReader, Kind, PartSpec, RawAnswer, Variant, single
from app.grading.kinds.params import Range, Value
from app.grading.numbers import Tolerance, format_number, judge
from app.grading.results import GradeResult, PartResult
from app.lss import stats

Text = Field(min_length=1, max_length=80)

IntRange = Range[Annotated[int, Field(ge=2, le=200)]]
FloatRange = Range[Value]


class Group(BaseModel):
    """A group (a column of the table for chi-square). Measured data need `mean` and `sd`;
    a chi-square group needs `shares`, one range per category except the last, which takes
    the rest."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=40)
    n: IntRange | None = None
    mean: FloatRange | None = None
    sd: FloatRange | None = None
    shares: list[FloatRange] | None = None


class WrongConclusion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=300)
    feedback: str = Field(min_length=1, max_length=400)


class Conclusions(BaseModel):
    """The conclusion sentences offered, in the case's words: one for rejecting H0, one for
    not rejecting it, and up to three wrong readings with the feedback each one gets."""

    model_config = ConfigDict(extra="forbid")
    reject: str = Field(min_length=1, max_length=300)
    retain: str = Field(min_length=1, max_length=300)
    wrong: list[WrongConclusion] = Field(default_factory=list, max_length=3)


class Situation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    test: Test
    context: str = Field(min_length=1, max_length=1500)  # markdown, shown as {{ context }}
    measure: str = Text  # "handling time"
    value_unit: str = Field(default="", max_length=20)  # "minutes"
    groups: list[Group] = Field(min_length=1, max_length=6)
    target: float | None = None  # one_sample: μ0
    unit_label: str = Field(default="Case", min_length=1, max_length=30)  # paired: one pair
    change: FloatRange | None = None  # paired: the mean of first − second
    sd_change: FloatRange | None = None  # paired: the sd of the differences
    categories: list[str] | None = None  # chi_square: the outcomes (table rows)
    conclusions: Conclusions

    @model_validator(mode="after")
    def _fits_the_test(self) -> "Situation":
        test, groups = self.test, self.groups
        sizes = {"one_sample": (1, 1), "paired": (2, 2), "anova": (3, 6), "chi_square": (2, 5)}
        low, high = sizes.get(test, (2, 2))
        if not low <= len(groups) <= high:
            count = str(low) if low == high else f"{low} to {high}"
            raise ValueError(f"a {test} situation needs {count} groups")
        if any(g.n is None for g in groups[: 1 if test == "paired" else None]):
            raise ValueError("every group needs n (the paired test: the first group)")
        if test == "chi_square":
            self._check_table()
            return self
        measured = groups[:1] if test == "paired" else groups
        if any(g.mean is None or g.sd is None for g in measured):
            raise ValueError(f"a {test} situation needs mean and sd for each group it draws")
        if any(g.sd is not None and g.sd.min <= 0 for g in measured):
            raise ValueError("sd.min must be above 0")
        if test == "one_sample" and self.target is None:
            raise ValueError("a one_sample situation needs target (the value H0 states)")
        if test == "paired" and (self.change is None or self.sd_change is None):
            raise ValueError("a paired situation needs change and sd_change")
        if test == "paired" and self.sd_change is not None and self.sd_change.min <= 0:
            raise ValueError("sd_change.min must be above 0")
        return self

    def _check_table(self) -> None:
        categories = self.categories or []
        if not 2 <= len(categories) <= 5:
            raise ValueError("a chi_square situation needs 2 to 5 categories")
        for group in self.groups:
            shares = group.shares or []
            if len(shares) != len(categories) - 1:
                raise ValueError(
                    f"group {group.name!r} needs shares for every category but the last "
                    f"({len(categories) - 1} ranges)"
                )
            if any(s.min <= 0 for s in shares) or sum(s.max for s in shares) >= 1:
                raise ValueError(
                    f"group {group.name!r}: shares must be above 0 and their maxima must add "
                    "up to less than 1, leaving a share for the last category"
                )


class HypothesisTestParams(BaseModel):
    """The situations a learner may draw, with α, the data's decimals and the smallest gap
    kept between p and α (data sets whose p falls closer are drawn again)."""

    model_config = ConfigDict(extra="forbid")

    alpha: float = Field(default=0.05, ge=0.001, le=0.2)
    data_decimals: int = Field(default=1, ge=0, le=3)
    floor: float = 0.0  # measured values below this are drawn again
    p_margin: float = Field(default=0.01, ge=0, le=0.05)
    situations: list[Situation] = Field(min_length=1, max_length=8)


DECISIONS = {
    "reject": "Reject H0",
    "retain": "Do not reject H0",
    "accept": "Accept H0: the data prove there is no difference",
}
MESSAGES = {
    "rounding": "Close, but outside the tolerance: keep more decimals until the last step.",
    "carried_test": "Consistent with the test you chose, so no further marks are lost here.",
    "carried_p": "Consistent with your statistic and degrees of freedom, so no further marks "
    "are lost here.",
    "carried_decision": "Consistent with your p-value, so no further marks are lost here.",
    "carried_conclusion": "Consistent with your decision, so no further marks are lost here.",
    "how_decide": "Compare p with α: reject H0 when p < α, otherwise do not reject it.",
    "accept": "A test never proves H0: a large p only means these data do not show a "
    "difference (\u201cdo not reject H0\u201d).",
}
WHY_TEST = {
    "one_sample": "There is one group, compared with a stated value: a one-sample t-test.",
    "two_sample_pooled": "Two independent groups of measurements whose spreads the case "
    "treats as equal: a pooled two-sample t-test.",
    "two_sample_welch": "Two independent groups of measurements, with no reason to assume "
    "equal spreads: Welch's two-sample t-test.",
    "paired": "The same {unit}s are measured twice: work on the differences with a paired t-test.",
    "anova": "Three or more groups of measurements: a one-way ANOVA compares all the means at "
    "once.",
    "chi_square": "The data are counts of cases in categories (attribute data) for several "
    "groups: a chi-square test of independence.",
}
WRONG_TEST = {
    ("two_sample_welch", "two_sample_pooled"): "Pooling assumes the two groups share one "
    "spread; nothing in the case says so, and Welch's test does not need it.",
    ("two_sample_pooled", "two_sample_welch"): "Welch's test works, but the case says the "
    "spreads can be treated as equal, so the pooled test is the one asked for.",
    ("paired", "two_sample_pooled"): "The same {unit}s appear in both columns: the values "
    "are pairs, and a two-sample test lets the differences between {unit}s bury the change.",
    ("paired", "two_sample_welch"): "The same {unit}s appear in both columns: the values "
    "are pairs, and a two-sample test lets the differences between {unit}s bury the change.",
    ("two_sample_welch", "paired"): "The two groups hold different cases, so nothing links a "
    "value in one to a value in the other: there are no pairs.",
    ("two_sample_pooled", "paired"): "The two groups hold different cases, so nothing links "
    "a value in one to a value in the other: there are no pairs.",
}
HALF_RIGHT = {("two_sample_welch", "two_sample_pooled"), ("two_sample_pooled", "two_sample_welch")}


class HypothesisTestKind(Kind):
    name = "hypothesis_test"
    title = "Hypothesis test"
    Params = HypothesisTestParams
    template = "exercises/kinds/hypothesis_test.html"
    charted = True

    def parts(self, params: HypothesisTestParams) -> dict[str, PartSpec]:
        return {
            "test": PartSpec("Which test", "count", 1),
            "statistic": PartSpec("Test statistic", "number", 1, Tolerance(rtol=0.01, atol=0.01)),
            "df": PartSpec("Degrees of freedom", "number", 1, Tolerance(rtol=0.005, atol=0.05)),
            "p_value": PartSpec("p-value", "fraction", 1, Tolerance(atol=0.005)),
            "decision": PartSpec("Decision", "count", 1),
            "conclusion": PartSpec("Conclusion", "count", 1),
        }

    def generate(self, params: HypothesisTestParams, rng: random.Random) -> Variant:
        index = rng.randrange(len(params.situations))
        situation = params.situations[index]
        variant: Variant = {}
        for _ in range(200):  # keep p clear of α, so a rounding slip never flips the decision
            variant = _draw(params, situation, rng)
            found = outcome(situation.test, variant)
            assert found is not None
            if abs(found.p_value - params.alpha) >= params.p_margin:
                break
        sentences = [situation.conclusions.reject, situation.conclusions.retain]
        sentences += [wrong.text for wrong in situation.conclusions.wrong]
        rng.shuffle(sentences)
        variant.update(
            situation=index,
            context=situation.context,
            alpha=params.alpha,
            conclusions=sentences,
        )
        return variant

    def parse(self, params: HypothesisTestParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = FieldReader(raw)
        test = single(raw, "test").strip()
        if test not in TESTS:
            reader.error("test", "Test", "choose one of the tests in the list.")
        answer: Answer = {
            "test": test,
            "statistic": reader.number("statistic", "Test statistic"),
            "df": reader.number("df", "Degrees of freedom"),
            "df2": None,
            "p_value": reader.number("p_value", "p-value", "fraction"),
            "decision": single(raw, "decision").strip(),
            "conclusion": single(raw, "conclusion").strip(),
        }
        if single(raw, "df2").strip():
            answer["df2"] = reader.number("df2", "Second degrees of freedom")
        for field, label in (("df", "Degrees of freedom"), ("df2", "Second degrees of freedom")):
            if answer[field] is not None and answer[field] <= 0:
                reader.error(field, label, "must be above 0.")
        p = answer["p_value"]
        if p is not None and not 0 <= p <= 1:
            reader.error("p_value", "p-value", "a probability lies between 0 and 1.")
        if answer["decision"] not in DECISIONS:
            reader.error("decision", "Decision", "choose one of the decisions.")
        count = len(variant["conclusions"])
        if not (answer["conclusion"].isdigit() and 1 <= int(answer["conclusion"]) <= count):
            reader.error("conclusion", "Conclusion", "choose one of the sentences.")
        reader.done()
        answer["conclusion"] = int(answer["conclusion"])
        return answer

    def solve(self, params: HypothesisTestParams, variant: Variant) -> Answer:
        situation = params.situations[variant["situation"]]
        found = outcome(situation.test, variant)
        assert found is not None
        reject = found.p_value < params.alpha
        sentence = situation.conclusions.reject if reject else situation.conclusions.retain
        return {
            "test": situation.test,
            "statistic": found.statistic,
            "df": found.df,
            "df2": found.df2,
            "p_value": found.p_value,
            "decision": "reject" if reject else "retain",
            "conclusion": variant["conclusions"].index(sentence) + 1,
        }

    def grade(
        self,
        params: HypothesisTestParams,
        variant: Variant,
        answer: Answer,
        parts: dict[str, PartSpec],
    ) -> GradeResult:
        grader = _Grader(params, variant, answer, parts)
        return GradeResult(
            [
                grader.test(),
                grader.statistic(),
                grader.df(),
                grader.p_value(),
                grader.decision(),
                grader.conclusion(),
            ]
        )

    def to_form(
        self, params: HypothesisTestParams, variant: Variant, answer: Answer
    ) -> dict[str, list[str]]:
        form = {name: [repr(answer[name])] for name in ("statistic", "df", "p_value")}
        form["df2"] = [repr(answer["df2"])] if answer["df2"] is not None else [""]
        form["test"] = [answer["test"]]
        form["decision"] = [answer["decision"]]
        form["conclusion"] = [str(answer["conclusion"])]
        return form

    def data_csv(self, params: HypothesisTestParams, variant: Variant) -> str:
        return data_csv(variant)

    def chart_svg(
        self,
        params: HypothesisTestParams,
        variant: Variant,
        entered: RawAnswer | None,
        dom_id: str,
    ) -> str:
        if entered is None:
            situation = params.situations[variant["situation"]]
            found = outcome(situation.test, variant)
            assert found is not None
            note = f"{TESTS[found.test]}: {_describe(found)}"
            return draw(variant, dom_id, f"Your data: {variant['measure']}", note)
        note = "Your answer: " + _describe_entered(entered)
        return draw(variant, dom_id, f"Your data: {variant['measure']}", note)

    def view(
        self, params: HypothesisTestParams, variant: Variant, entered: RawAnswer
    ) -> dict[str, Any]:
        chart = None
        if single(entered, "test").strip() or single(entered, "statistic").strip():
            chart = self.chart_svg(params, variant, entered, "hypothesis-test-yours")
        return {
            "tests": TESTS,
            "decisions": DECISIONS,
            "sentences": list(enumerate(variant["conclusions"], start=1)),
            "chart_svg": chart,
        }


def _draw(params: HypothesisTestParams, situation: Situation, rng: random.Random) -> Variant:
    def pick(span: FloatRange | None) -> float:
        assert span is not None
        return rng.uniform(span.min, span.max)

    def size(group: Group) -> int:
        assert group.n is not None
        return rng.randint(group.n.min, group.n.max)

    decimals, floor = params.data_decimals, params.floor
    variant: Variant = {
        "measure": situation.measure,
        "value_unit": situation.value_unit,
        "layout": LAYOUT[situation.test],
        "target": situation.target if situation.target is not None else 0,
        "unit_label": situation.unit_label,
    }
    test = situation.test
    if test == "chi_square":
        categories = situation.categories or []
        columns = []
        for group in situation.groups:
            shares = [pick(s) for s in group.shares or []]
            columns.append(multinomial(rng, size(group), [*shares, 1 - sum(shares)]))
        variant["columns"] = [g.name for g in situation.groups]
        variant["table"] = [
            {"category": category, "counts": [column[i] for column in columns]}
            for i, category in enumerate(categories)
        ]
        return variant
    if test == "paired":
        first = situation.groups[0]
        n, mean, sd = size(first), pick(first.mean), pick(first.sd)
        change, spread = pick(situation.change), pick(situation.sd_change)
        before = normal_values(rng, n, mean, sd, decimals, floor + change + 3 * spread)
        after = [max(floor, round(b - rng.gauss(change, spread), decimals)) for b in before]
        variant["groups"] = [g.name for g in situation.groups]
        variant["pairs"] = [
            {"label": f"{situation.unit_label} {i}", "values": [b, a]}
            for i, (b, a) in enumerate(zip(before, after, strict=True), start=1)
        ]
        return variant
    variant["groups"] = [
        {
            "name": g.name,
            "values": normal_values(rng, size(g), pick(g.mean), pick(g.sd), decimals, floor),
        }
        for g in situation.groups
    ]
    return variant


def _describe(found: Outcome) -> str:
    symbol = STATISTIC[found.test]
    df = format_number(found.df, 2)
    if found.df2 is not None:
        df = f"{df} and {format_number(found.df2, 2)}"
    return f"{symbol} = {format_number(found.statistic, 3)}, df = {df}, p = {_p(found.p_value)}"


def _p(value: float) -> str:
    return "< 0.0001" if value < 0.0001 else format_number(value, 4)


def _describe_entered(raw: RawAnswer) -> str:
    pieces = []
    test = single(raw, "test").strip()
    if test in TESTS:
        pieces.append(TESTS[test])
    for field, label in (("statistic", "statistic"), ("df", "df"), ("p_value", "p")):
        shown = single(raw, field).strip()[:20]
        if shown:
            pieces.append(f"{label} = {shown}")
    decision = single(raw, "decision").strip()
    if decision in DECISIONS:
        pieces.append(DECISIONS[decision].split(":")[0])
    return ", ".join(pieces) or "nothing entered yet"


def draw(variant: Variant, dom_id: str, title: str, note: str) -> str:
    """The learner's data: a dot plot per group (with the target for a one-sample test and
    zero for the differences of a paired test) or 100% bars of a contingency table."""
    layout = variant["layout"]
    unit = f" ({variant['value_unit']})" if variant["value_unit"] else ""
    label = f"{variant['measure'][:1].upper()}{variant['measure'][1:]}{unit}"
    if layout == "table":
        categories = [row["category"] for row in variant["table"]]
        return render_share_bars(
            counts_of(variant), categories, variant["columns"], dom_id, title, note
        )
    if layout == "pairs":
        (first, before), (second, after) = values_of(variant)
        differences = [round(b - a, 6) for b, a in zip(before, after, strict=True)]
        groups = [(f"{first} − {second}", differences)]
        label = f"Difference per {variant['unit_label'].lower()}{unit}"
        return render_dot_plot(groups, dom_id, title, label, Reference("No change", 0.0), note)
    reference = Reference("Target", variant["target"]) if layout == "one_sample" else None
    return render_dot_plot(values_of(variant), dom_id, title, label, reference, note)


class _Grader:
    def __init__(
        self,
        params: HypothesisTestParams,
        variant: Variant,
        answer: Answer,
        parts: dict[str, PartSpec],
    ) -> None:
        self.params, self.variant, self.answer, self.parts = params, variant, answer, parts
        self.situation = params.situations[variant["situation"]]
        key = outcome(self.situation.test, variant)
        assert key is not None
        self.key = key
        chosen = answer["test"]
        self.chosen = outcome(chosen, variant) if chosen != key.test else None
        self.words = {"unit": self.situation.unit_label.lower()}

    def _result(self, name: str, score: float, feedback: str, expected: str) -> PartResult:
        part = self.parts[name]
        return PartResult(name, part.label, score, part.weight, feedback, expected)

    def test(self) -> PartResult:
        expected, given = self.key.test, self.answer["test"]
        why = WHY_TEST[expected].format(**self.words)
        if given == expected:
            return self._result("test", 1.0, f"Correct. {why}", TESTS[expected])
        note = WRONG_TEST.get((expected, given), "").format(**self.words)
        if not note and (given == "chi_square") != (expected == "chi_square"):
            note = (
                "A chi-square test is for counts in categories; these are measurements."
                if given == "chi_square"
                else "These are counts in categories, not measurements: means and t or F "
                "do not apply."
            )
        if not note and expected == "anova":
            note = "A t-test compares two means; with more groups, separate t-tests inflate "
            note += "the false-alarm risk."
        score = 0.5 if (expected, given) in HALF_RIGHT else 0.0
        return self._result(
            "test", score, f"{note or 'Not this one.'} {why}".strip(), TESTS[expected]
        )

    def statistic(self) -> PartResult:
        key, given = self.key, self.answer["statistic"]
        tolerance = self.parts["statistic"].tolerance
        symbol = STATISTIC[key.test]
        two_signed = symbol == "t"
        expected = f"{symbol} = {format_number(key.statistic, 4)}"
        verdict = _closest(given, key.statistic, tolerance, two_signed)
        if verdict == "correct":
            note = (
                " (its sign only says which mean you subtracted from which)" if two_signed else ""
            )
            return self._result("statistic", 1.0, f"Correct{note}.", expected)
        if (
            self.chosen
            and _closest(given, self.chosen.statistic, tolerance, two_signed) == "correct"
        ):
            return self._result("statistic", 1.0, MESSAGES["carried_test"], expected)
        if verdict == "rounding":
            return self._result("statistic", 0.5, MESSAGES["rounding"], expected)
        for message, value in self._statistic_mistakes().items():
            if _closest(given, value, tolerance, two_signed) == "correct":
                return self._result("statistic", 0.0, message, expected)
        return self._result("statistic", 0.0, f"Not correct. {HOW_STATISTIC[key.test]}", expected)

    def _statistic_mistakes(self) -> dict[str, float]:
        key = self.key
        mistakes: dict[str, float] = {}
        if key.test in ("one_sample", "paired"):
            n = key.df + 1
            mistakes[
                "You divided by the standard deviation; divide by the standard error, s ÷ √n."
            ] = key.statistic / math.sqrt(n)
        if key.test == "chi_square":
            counts = counts_of(self.variant)
            if len(counts) == 2 and len(counts[0]) == 2:
                yates = stats.chi_square_independence(counts, correction=True).statistic
                mistakes[
                    "You applied Yates' continuity correction; this course uses none "
                    "unless the case asks for it."
                ] = yates
        return mistakes

    def df(self) -> PartResult:
        key, given, given2 = self.key, self.answer["df"], self.answer["df2"]
        tolerance = self.parts["df"].tolerance
        expected = format_number(key.df, 2)
        if key.df2 is not None:
            expected += f" and {format_number(key.df2, 2)}"
        if self._df_matches(key, given, given2):
            return self._result("df", 1.0, "Correct.", expected)
        if self.chosen and self._df_matches(self.chosen, given, given2):
            return self._result("df", 1.0, MESSAGES["carried_test"], expected)
        if key.df2 is not None:
            first = tolerance.accepts(given, key.df)
            if given2 is None:
                note = "An F ratio has two degrees of freedom, between and within groups. "
                return self._result("df", 0.5 if first else 0.0, note + HOW_DF["anova"], expected)
            if first != tolerance.accepts(given2, key.df2):
                note = "One of the two is right. "
                return self._result("df", 0.5, note + HOW_DF["anova"], expected)
        if key.test in ("one_sample", "paired", "two_sample_pooled") and tolerance.accepts(
            given, key.df + (1 if key.test != "two_sample_pooled" else 2)
        ):
            return self._result(
                "df",
                0.0,
                "That counts every value; each mean estimated "
                "costs one degree of freedom. " + HOW_DF[key.test],
                expected,
            )
        if key.test == "chi_square":
            counts = counts_of(self.variant)
            if given == len(counts) * len(counts[0]):
                return self._result(
                    "df", 0.0, "That is the number of cells. " + HOW_DF["chi_square"], expected
                )
        return self._result("df", 0.0, f"Not correct. {HOW_DF[key.test]}", expected)

    def _df_matches(self, found: Outcome, given: float, given2: float | None) -> bool:
        tolerance = self.parts["df"].tolerance
        if found.df2 is not None:
            return (
                given2 is not None
                and tolerance.accepts(given, found.df)
                and tolerance.accepts(given2, found.df2)
            )
        if found.test == "two_sample_welch" and given == math.floor(found.df):
            return True  # rounded down to use a printed t table: conservative, accepted
        return tolerance.accepts(given, found.df)

    def p_value(self) -> PartResult:
        key, given = self.key, self.answer["p_value"]
        tolerance = self.parts["p_value"].tolerance
        expected = _p(key.p_value)
        judgement = judge(given, key.p_value, tolerance)
        if judgement.verdict == "correct":
            return self._result("p_value", 1.0, "Correct.", expected)
        if self.chosen and tolerance.accepts(given, self.chosen.p_value):
            return self._result("p_value", 1.0, MESSAGES["carried_test"], expected)
        own = self._own_p()
        if own is not None and tolerance.accepts(given, own):
            return self._result("p_value", 1.0, MESSAGES["carried_p"], expected)
        if judgement.verdict == "rounding":
            return self._result("p_value", 0.5, MESSAGES["rounding"], expected)
        if STATISTIC[key.test] == "t" and tolerance.accepts(given, key.p_value / 2):
            return self._result(
                "p_value",
                0.0,
                "That is a one-sided p-value; the question is two-sided, so count both tails.",
                expected,
            )
        if judgement.verdict == "scale":
            return self._result(
                "p_value",
                0.0,
                "Off by a factor of 100: give p as a fraction (0.012) or with a % sign.",
                expected,
            )
        return self._result("p_value", 0.0, f"Not correct. {HOW_P[STATISTIC[key.test]]}", expected)

    def _own_p(self) -> float | None:
        """The p-value of the learner's own statistic and degrees of freedom, read from the
        distribution of the test they chose (or the right one)."""
        stat, df, df2 = self.answer["statistic"], self.answer["df"], self.answer["df2"]
        chosen = self.answer["test"] if self.answer["test"] in TESTS else self.key.test
        symbol = STATISTIC[chosen]
        if symbol == "t":
            return float(2 * sps.t.sf(abs(stat), df))
        if stat < 0:
            return None
        if symbol == "F":
            return float(sps.f.sf(stat, df, df2)) if df2 else None
        return float(sps.chi2.sf(stat, df))

    def decision(self) -> PartResult:
        alpha = self.params.alpha
        key = "reject" if self.key.p_value < alpha else "retain"
        given = self.answer["decision"]
        expected = f"{DECISIONS[key]} (p {'<' if key == 'reject' else '≥'} α = {alpha:g})"
        if given == key:
            return self._result("decision", 1.0, "Correct.", expected)
        own = "reject" if self.answer["p_value"] < alpha else "retain"
        if given == own:
            return self._result("decision", 1.0, MESSAGES["carried_decision"], expected)
        if given == "accept":
            score = 0.5 if key == "retain" else 0.0
            return self._result("decision", score, MESSAGES["accept"], expected)
        return self._result(
            "decision", 0.0, f"Not consistent with the p-value. {MESSAGES['how_decide']}", expected
        )

    def conclusion(self) -> PartResult:
        words = self.situation.conclusions
        sentence = self.variant["conclusions"][self.answer["conclusion"] - 1]
        reject = self.key.p_value < self.params.alpha
        right = words.reject if reject else words.retain
        expected = right
        if sentence == right:
            return self._result("conclusion", 1.0, "Correct.", expected)
        decision = self.answer["decision"]
        own = words.reject if decision == "reject" else words.retain
        if decision in ("reject", "retain") and sentence == own:
            return self._result("conclusion", 1.0, MESSAGES["carried_conclusion"], expected)
        for wrong in words.wrong:
            if sentence == wrong.text:
                return self._result("conclusion", 0.0, wrong.feedback, expected)
        return self._result(
            "conclusion",
            0.0,
            "That sentence says the opposite of the "
            "decision. Rejecting H0 means the data show a difference; not "
            "rejecting it means they do not.",
            expected,
        )


def _closest(given: float, key: float, tolerance: Tolerance, either_sign: bool) -> str:
    verdict = judge(given, key, tolerance).verdict
    if verdict != "correct" and either_sign:
        other = judge(given, -key, tolerance).verdict
        if other in ("correct", "rounding") and verdict != "rounding":
            verdict = other
    return verdict


HOW_STATISTIC = {
    "one_sample": "t = (x̄ − target) ÷ (s ÷ √n).",
    "two_sample_pooled": "t = (x̄1 − x̄2) ÷ (s_p √(1/n1 + 1/n2)), with s_p² the pooled variance.",
    "two_sample_welch": "t = (x̄1 − x̄2) ÷ √(s1²/n1 + s2²/n2).",
    "paired": "Take each pair's difference; t = d̄ ÷ (s_d ÷ √n), n the number of pairs.",
    "anova": "F = MS_between ÷ MS_within, each sum of squares divided by its degrees of freedom.",
    "chi_square": "χ² = Σ (O − E)² ÷ E, with E = row total × column total ÷ grand total.",
}
HOW_DF = {
    "one_sample": "df = n − 1.",
    "two_sample_pooled": "df = n1 + n2 − 2.",
    "two_sample_welch": "Welch–Satterthwaite: df = (s1²/n1 + s2²/n2)² ÷ [(s1²/n1)²/(n1 − 1) + "
    "(s2²/n2)²/(n2 − 1)].",
    "paired": "df = n − 1, with n the number of pairs.",
    "anova": "Between groups k − 1, within groups N − k.",
    "chi_square": "df = (rows − 1) × (columns − 1).",
}
HOW_P = {
    "t": "p = 2 × P(T > |t|) for a two-sided test, from the t distribution with your df.",
    "F": "p = P(F > your F) from the F distribution with both df.",
    "χ²": "p = P(χ² > your χ²) from the chi-square distribution with your df.",
}

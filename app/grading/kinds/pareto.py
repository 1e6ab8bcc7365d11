"""Pareto analysis: each learner gets their own counts of complaint or defect categories,
ranks the categories largest first, gives the cumulative percentage at a named category and
ticks the vital few (up to the first category whose cumulative share reaches 80%).

The reference is app.lss.pareto. The counts are drawn so that the big categories and the
size of the vital few change from learner to learner. Ties may come in either order. Errors
carry forward: a cumulative percentage or a vital few that follow from the learner's own
order earn their marks. Feedback names the usual slips (smallest first, the check sheet's
order, a category's own share for the cumulative one, stopping before 80%) without giving
the value away.
"""

import math
import random
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.charts.pareto import render_pareto, render_pareto_analysis
from app.grading.data_csv import csv_rows
from app.grading.kinds.base import Answer, FieldReader, Kind, PartSpec, RawAnswer, Variant, single
from app.grading.kinds.params import Range
from app.grading.numbers import Tolerance, format_number, judge
from app.grading.results import GradeResult, PartResult
from app.lss.pareto import ParetoAnalysis, _vital_few, pareto

TRIES = 200
NOT_A_CATEGORY = {"other", "others", "misc", "miscellaneous", "various"}

IntRange = Range[Annotated[int, Field(ge=30, le=100_000)]]
FloatRange = Range[Annotated[float, Field(ge=0.2, le=0.95)]]


class ParetoParams(BaseModel):
    """One scenario: what is counted and its categories, in the check sheet's order.

    Each learner's counts fall off by a factor drawn from `decay` from one rank to the next
    (0.5: each category about half the one above; 0.8: a flatter Pareto), and the categories
    are dealt to the ranks at random, so the vital few differ between learners."""

    model_config = ConfigDict(extra="forbid")

    unit_name: str = Field(min_length=1, max_length=40)  # complaints
    categories: list[str] = Field(min_length=4, max_length=10)
    total: IntRange
    decay: FloatRange = FloatRange(min=0.5, max=0.8)
    threshold: float = Field(default=0.8, ge=0.5, le=0.95)
    tie_share: float = Field(default=0.25, ge=0, le=1)  # share of variants with a tie
    decimals: int = Field(default=1, ge=0, le=2)  # the cumulative percentage's decimals

    @field_validator("categories")
    @classmethod
    def _named(cls, categories: list[str]) -> list[str]:
        names = [name.strip() for name in categories]
        if any(not 1 <= len(name) <= 60 for name in names):
            raise ValueError("each category needs a name of 1 to 60 characters")
        if len({name.casefold() for name in names}) != len(names):
            raise ValueError("category names must differ (ignoring case)")
        for name in names:
            if name.casefold() in NOT_A_CATEGORY:
                raise ValueError(
                    f'"{name}" is not one cause: a Pareto chart puts it last whatever its size, '
                    "so leave it out of categories"
                )
        return names

    @model_validator(mode="after")
    def _enough(self) -> "ParetoParams":
        if self.total.min < 10 * len(self.categories):
            raise ValueError("total.min must be at least 10 per category")
        return self


MESSAGES = {
    "rounding": "Close, but outside the tolerance: keep more decimals until the last step.",
    "scale": "Give a percentage (such as 72.5 or 72.5%), not a fraction.",
    "carried_cumulative": "Consistent with your order, so no further marks are lost here.",
    "carried_vital": "Consistent with your order, so no further marks are lost here.",
}


class ParetoKind(Kind):
    name = "pareto"
    title = "Pareto analysis"
    Params = ParetoParams
    template = "exercises/kinds/pareto.html"
    charted = True

    def parts(self, params: ParetoParams) -> dict[str, PartSpec]:
        return {
            "order": PartSpec("Pareto order", "count", 1),
            "cumulative": PartSpec(
                "Cumulative percentage", "percent", 1, Tolerance(atol=10.0**-params.decimals)
            ),
            "vital": PartSpec("The vital few", "count", 1),
        }

    def generate(self, params: ParetoParams, rng: random.Random) -> Variant:
        names = params.categories
        for _ in range(TRIES):
            counts = _draw_counts(params, rng)
            dealt = rng.sample(names, len(names))
            by_name = dict(zip(dealt, counts, strict=True))
            result = pareto(by_name, params.threshold)
            candidates = _askable(result)
            if candidates and _clear_cut(result):
                break
        ask = rng.choice(candidates) if candidates else result.rows[1].category
        return {
            "unit_name": params.unit_name,
            "categories": [
                {"row": i, "name": name, "count": int(by_name[name])}
                for i, name in enumerate(names, start=1)
            ],
            "count": len(names),
            "total": int(result.total),
            "ask": ask,
            "threshold": _whole(params.threshold * 100),
            "decimals": params.decimals,
        }

    def parse(self, params: ParetoParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = FieldReader(raw)
        rows = variant["categories"]
        n = len(rows)
        ranks: dict[int, int] = {}
        for row in rows:
            field, label = f"rank-{row['row']}", f"Rank of {row['name']}"
            text = single(raw, field).strip()
            if not text.isdigit() or not 1 <= int(text) <= n:
                reader.error(field, label, f"choose a rank from 1 to {n}.")
            else:
                ranks[row["row"]] = int(text)
        for row_number, rank in ranks.items():
            if list(ranks.values()).count(rank) > 1:
                label = f"Rank of {rows[row_number - 1]['name']}"
                reader.error(
                    f"rank-{row_number}", label, f"rank {rank} is given to more than one category."
                )
        vital: list[int] = []
        for text in raw.get("vital") or []:
            text = text.strip()
            if not text.isdigit() or not 1 <= int(text) <= n:
                reader.error("vital", "Vital few", f"tick categories numbered 1 to {n}.")
                break
            if int(text) not in vital:
                vital.append(int(text))
        if not vital and "vital" not in reader.errors:
            reader.error("vital", "Vital few", "tick at least one category.")
        cumulative = reader.number("cumulative", "Cumulative percentage", "percent")
        reader.done()
        order = sorted(ranks, key=lambda row_number: ranks[row_number])
        return {"order": order, "cumulative": cumulative, "vital": sorted(vital)}

    def solve(self, params: ParetoParams, variant: Variant) -> Answer:
        result = analysis(params, variant)
        row_of = {row["name"]: row["row"] for row in variant["categories"]}
        asked = next(r for r in result.rows if r.category == variant["ask"])
        return {
            "order": [row_of[r.category] for r in result.rows],
            "cumulative": asked.cumulative_percent,
            "vital": sorted(row_of[name] for name in result.vital_few),
        }

    def grade(
        self, params: ParetoParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        grader = _Grader(params, variant, answer, parts)
        return GradeResult([grader.order(), grader.cumulative(), grader.vital()])

    def to_form(
        self, params: ParetoParams, variant: Variant, answer: Answer
    ) -> dict[str, list[str]]:
        form = {f"rank-{row}": [str(rank)] for rank, row in enumerate(answer["order"], start=1)}
        form["cumulative"] = [repr(answer["cumulative"])]
        form["vital"] = [str(row) for row in answer["vital"]]
        return form

    def data_csv(self, params: ParetoParams, variant: Variant) -> str:
        unit = variant["unit_name"][:1].upper() + variant["unit_name"][1:]
        rows = [["Category", unit], *([r["name"], r["count"]] for r in variant["categories"])]
        return csv_rows(rows)

    def chart_svg(
        self, params: ParetoParams, variant: Variant, entered: RawAnswer | None, dom_id: str
    ) -> str:
        if entered is None:
            return reference_chart(params, variant, dom_id)
        return learner_chart(params, variant, entered, dom_id)

    def view(self, params: ParetoParams, variant: Variant, entered: RawAnswer) -> dict[str, Any]:
        chart = None
        if all(single(entered, f"rank-{r['row']}").strip() for r in variant["categories"]):
            chart = learner_chart(params, variant, entered, "pareto-yours")
        return {"chart_svg": chart, "ranks": list(range(1, variant["count"] + 1))}


def _whole(value: float) -> float | int:
    """80.0 shows as 80 in the form's text."""
    value = round(value, 6)
    return int(value) if value == int(value) else value


def analysis(params: ParetoParams, variant: Variant) -> ParetoAnalysis:
    return pareto({r["name"]: r["count"] for r in variant["categories"]}, params.threshold)


def _draw_counts(params: ParetoParams, rng: random.Random) -> list[int]:
    """Counts in falling order that add up to the total drawn (largest remainder)."""
    n = len(params.categories)
    total = rng.randint(params.total.min, params.total.max)
    decay = rng.uniform(params.decay.min, params.decay.max)
    weights = [decay**k * rng.uniform(0.85, 1.15) for k in range(n)]
    shares = [total * w / sum(weights) for w in weights]
    counts = [max(1, math.floor(s)) for s in shares]
    by_remainder = sorted(range(n), key=lambda k: counts[k] - shares[k])
    for k in by_remainder[: max(0, total - sum(counts))]:
        counts[k] += 1
    counts[0] += total - sum(counts)
    counts.sort(reverse=True)
    if n > 2 and rng.random() < params.tie_share:
        k = rng.randrange(1, n - 1)  # tie two neighbours below the top
        pair = counts[k] + counts[k + 1]
        counts[k], counts[k + 1] = pair // 2, pair // 2
        counts[0] += pair % 2
    return counts


def _askable(result: ParetoAnalysis) -> list[str]:
    """Categories whose cumulative percentage is the same whatever order ties take, neither
    first nor last (where the answer would be their own share or 100%)."""
    rows = result.rows
    counts = [r.count for r in rows]
    return [rows[k].category for k in range(1, len(rows) - 1) if counts.count(counts[k]) == 1]


def _clear_cut(result: ParetoAnalysis) -> bool:
    """No cumulative percentage rounds up to the threshold without reaching it, the vital few
    leave some categories out, and no tie straddles their edge."""
    cut = result.threshold * 100
    if any(cut - 0.1 < r.cumulative_percent < cut for r in result.rows):
        return False
    size = len(result.vital_few)
    if size == len(result.rows):
        return False
    return result.rows[size - 1].count != result.rows[size].count


class _Grader:
    def __init__(
        self, params: ParetoParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> None:
        self.params, self.variant, self.answer, self.parts = params, variant, answer, parts
        self.result = analysis(params, variant)
        self.rows = {r["row"]: r for r in variant["categories"]}
        self.key = ParetoKind().solve(params, variant)
        self.cut = f"{params.threshold * 100:g}%"

    def _result(self, name: str, score: float, feedback: str, expected: str) -> PartResult:
        part = self.parts[name]
        return PartResult(name, part.label, score, part.weight, feedback, expected)

    def _count(self, row: int) -> int:
        return self.rows[row]["count"]

    def _placed(self, order: list[int]) -> int:
        """How many categories sit at a rank their count allows (ties in either order)."""
        counts = [self._count(row) for row in self.rows]
        placed = 0
        for rank, row in enumerate(order, start=1):
            c = self._count(row)
            if 1 + sum(1 for x in counts if x > c) <= rank <= sum(1 for x in counts if x >= c):
                placed += 1
        return placed

    def _order_right(self) -> bool:
        return self._placed(self.answer["order"]) == len(self.rows)

    def _ties(self) -> str:
        groups: dict[int, list[str]] = {}
        for row in self.rows.values():
            groups.setdefault(row["count"], []).append(row["name"])
        tied = [" and ".join(names) for names in groups.values() if len(names) > 1]
        if not tied:
            return ""
        return (
            f" {'; '.join(tied)} have the same count, so they may come in either order "
            "(the worked solution lists ties alphabetically)."
        )

    def order(self) -> PartResult:
        order, n = self.answer["order"], len(self.rows)
        shown = ", ".join(f"{r.category} ({format_number(r.count, 0)})" for r in self.result.rows)
        placed = self._placed(order)
        if placed == n:
            return self._result("order", 1.0, f"Correct.{self._ties()}", shown)
        score = placed / n
        if self._placed(list(reversed(order))) == n:
            note = "You sorted smallest first: a Pareto chart starts with the largest count."
        elif order == sorted(self.rows):
            note = "That is the order of the check sheet: rank the categories by their counts."
        else:
            note = f"{placed} of {n} categories are at a rank their count allows."
        how = " Sort by count, largest first, so the bars fall from left to right."
        return self._result("order", score, f"{note}{how}{self._ties()}", shown)

    def _own_running(self, inclusive: bool = True) -> float:
        """The cumulative percentage at the asked category along the learner's own order."""
        ask = self.variant["ask"]
        running = 0
        for row in self.answer["order"]:
            if self.rows[row]["name"] == ask and not inclusive:
                break
            running += self._count(row)
            if self.rows[row]["name"] == ask:
                break
        return 100 * running / self.result.total

    def cumulative(self) -> PartResult:
        ask, total = self.variant["ask"], self.result.total
        tolerance, given, key = (
            self.parts["cumulative"].tolerance,
            self.answer["cumulative"],
            self.key["cumulative"],
        )
        shown = f"{format_number(key, self.params.decimals + 1)}%"
        how = (
            f"The cumulative percentage at {ask} = (its count + the counts of every category "
            f"ranked above it) ÷ {format_number(total, 0)} × 100."
        )
        judgement = judge(given, key, tolerance)
        if judgement.verdict == "correct":
            return self._result("cumulative", 1.0, "Correct.", shown)
        own = self._own_running()
        if not self._order_right() and tolerance.accepts(given, own):
            return self._result("cumulative", 1.0, MESSAGES["carried_cumulative"], shown)
        if judgement.verdict == "scale" and given < 1.5:
            return self._result("cumulative", 0.0, f"{MESSAGES['scale']} {how}", shown)
        asked = next(r for r in self.result.rows if r.category == ask)
        mistakes = {
            f"That is {ask}'s own share of the total; the cumulative percentage adds the "
            "shares of every category ranked above it.": asked.percent,
            f"That stops at the category above {ask}: the cumulative percentage includes "
            f"{ask} itself.": key - asked.percent,
        }
        for message, value in mistakes.items():
            if tolerance.accepts(given, value) and abs(given - value) < abs(given - key):
                return self._result("cumulative", 0.0, f"{message} {how}", shown)
        if judgement.verdict == "rounding":
            return self._result("cumulative", judgement.score, MESSAGES["rounding"], shown)
        if abs(given - key * total / 100) <= 0.5:
            note = "That is the cumulative count, not a percentage."
            return self._result("cumulative", 0.0, f"{note} {how}", shown)
        return self._result("cumulative", 0.0, f"Not correct. {how}", shown)

    def vital(self) -> PartResult:
        expected, given = set(self.key["vital"]), set(self.answer["vital"])
        shown = ", ".join(self.result.vital_few)
        rule = (
            f"Read down the cumulative percentages and stop at the first category that "
            f"reaches {self.cut}: it and the categories above it are the vital few."
        )
        if given == expected:
            return self._result("vital", 1.0, f"Correct. {rule}", shown)
        if not self._order_right() and given == self._own_vital():
            return self._result("vital", 1.0, MESSAGES["carried_vital"], shown)
        score = max(0.0, 1 - len(expected ^ given) / len(expected))
        ranked = self.key["order"]
        size = len(expected)
        if given == expected - {ranked[size - 1]}:
            note = (
                f"You stopped before {self.cut}: the category that takes the cumulative "
                f"percentage to {self.cut} or beyond belongs to the vital few."
            )
        elif size < len(ranked) and given == expected | {ranked[size]}:
            note = f"You went one category past the first that reaches {self.cut}."
        elif min(self._count(r) for r in given) < max(
            (self._count(r) for r in self.rows if r not in given), default=0
        ):
            note = (
                "The vital few are the top of the Pareto order: each category you tick "
                "needs a count at least as large as every one you leave out."
            )
        else:
            note = "Not the vital few."
        return self._result("vital", score, f"{note} {rule}", shown)

    def _own_vital(self) -> set[int]:
        ranked = [(self.rows[row]["name"], self._count(row)) for row in self.answer["order"]]
        names = set(_vital_few(ranked, self.result.total, self.params.threshold))
        return {row for row in self.rows if self.rows[row]["name"] in names}


def reference_chart(params: ParetoParams, variant: Variant, dom_id: str) -> str:
    unit = variant["unit_name"]
    return render_pareto_analysis(
        analysis(params, variant), dom_id, f"Pareto chart of {unit}", unit[:1].upper() + unit[1:]
    )


def learner_chart(params: ParetoParams, variant: Variant, raw: RawAnswer, dom_id: str) -> str:
    """The bars in the learner's own order with their own vital few: what they answered,
    never the expected order. Rows without a readable rank go last, in the table's order."""
    rows = variant["categories"]
    n = len(rows)

    def rank(row: dict[str, Any]) -> tuple[int, int]:
        text = single(raw, f"rank-{row['row']}").strip()
        return (int(text) if text.isdigit() and 1 <= int(text) <= n else n + 1, row["row"])

    ticked = {text.strip() for text in raw.get("vital") or []}
    ordered = sorted(rows, key=rank)
    unit = variant["unit_name"]
    return render_pareto(
        [(r["name"], r["count"]) for r in ordered],
        dom_id,
        f"Your answer: {unit} in your order",
        vital_few={r["name"] for r in rows if str(r["row"]) in ticked},
        threshold=params.threshold,
        unit_name=unit[:1].upper() + unit[1:],
    )

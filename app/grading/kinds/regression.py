"""Regression: each learner gets their own x/y data for a service question (one predictor,
or two for a multiple regression), fits the least-squares line, reads R², tests the slope
(its t and p-value), predicts y at a given x and says what the slope means in the case.

The reference is app.lss.stats.linear_regression / multiple_regression. Feedback names the
usual mistakes (x regressed on y, r given for R², the mean of y for the intercept, the
intercept's t for the slope's, a one-sided p) without giving the value away, and carries
errors forward: an intercept right for the learner's own slope, a p-value right for their
own t and a prediction right for their own coefficients earn their marks.
"""

import math
import random
from statistics import fmean
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import stats as sps

from app.charts.scatter import FittedLine, render_scatter
from app.grading.data_csv import csv_rows
from app.grading.kinds.base import Answer, FieldReader, Kind, PartSpec, RawAnswer, Variant, single
from app.grading.kinds.params import Range, Value
from app.grading.numbers import NumberFormatError, Tolerance, format_number, judge, parse_number
from app.grading.results import GradeResult, PartResult
from app.lss import stats

IntRange = Range[Annotated[int, Field(ge=5, le=60)]]
FloatRange = Range[Value]


class Predictor(BaseModel):
    """One x: its name and unit, the range its values are drawn from (rounded to
    `decimals`), the true slope, and the range the prediction's x is drawn from (inside
    the data's range: a regression says nothing beyond it)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=40)  # "invoice lines"
    unit: str = Field(default="", max_length=20)  # "lines"
    values: FloatRange
    decimals: int = Field(default=0, ge=0, le=3)
    slope: FloatRange
    predict_at: FloatRange

    @model_validator(mode="after")
    def _inside(self) -> "Predictor":
        if self.values.max - self.values.min < 10.0**-self.decimals * 4:
            raise ValueError(f"{self.name}: values must span a range, not a single value")
        if self.predict_at.min < self.values.min or self.predict_at.max > self.values.max:
            raise ValueError(f"{self.name}: predict_at must lie inside values (no extrapolation)")
        return self


class Meaning(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=300)
    correct: bool = False
    feedback: str = Field(default="", max_length=400)


class RegressionParams(BaseModel):
    """y = intercept + Σ slope·x + noise, with one or two predictors."""

    model_config = ConfigDict(extra="forbid")

    y_name: str = Field(min_length=1, max_length=40)  # "processing time"
    y_unit: str = Field(default="", max_length=20)  # "minutes"
    y_decimals: int = Field(default=1, ge=0, le=3)
    case_label: str = Field(default="Case", min_length=1, max_length=30)  # "Invoice"
    n: IntRange
    intercept: FloatRange
    noise_sd: FloatRange
    floor: float | None = 0.0  # y values below this are drawn again; None for no floor
    predictors: list[Predictor] = Field(min_length=1, max_length=2)
    decimals: int = Field(default=3, ge=0, le=6)  # decimals asked for the coefficients
    meanings: list[Meaning] = Field(min_length=2, max_length=5)

    @model_validator(mode="after")
    def _consistent(self) -> "RegressionParams":
        if self.noise_sd.min <= 0:
            raise ValueError("noise_sd.min must be above 0")
        if sum(m.correct for m in self.meanings) != 1:
            raise ValueError("meanings must have exactly one option with correct: true")
        if any(not m.correct and not m.feedback for m in self.meanings):
            raise ValueError("every wrong meaning needs feedback")
        if len({p.name for p in self.predictors}) != len(self.predictors):
            raise ValueError("predictors need distinct names")
        if self.n.min < len(self.predictors) + 4:
            raise ValueError("n.min must leave at least 3 residual degrees of freedom")
        return self


MESSAGES = {
    "rounding": "Close, but outside the tolerance: keep more decimals until the last step.",
    "scale": "Off by a factor of 100: give it as a fraction (0.82) or with a % sign (82%).",
    "carried_intercept": "Consistent with your slope, so no further marks are lost here.",
    "carried_p": "Consistent with your t, so no further marks are lost here.",
    "carried_prediction": "Consistent with your coefficients, so no further marks are lost here.",
}
HOW = {
    "slope": "b1 = Sxy ÷ Sxx: the sum of (x − x̄)(y − ȳ) over the sum of (x − x̄)².",
    "slope_multiple": "Fit both predictors together (software, or the normal equations): "
    "each slope holds the other predictor fixed.",
    "intercept": "b0 = ȳ − b1·x̄.",
    "r_squared": "R² = SS_regression ÷ SS_total = 1 − SS_residual ÷ SS_total.",
    "slope_t": "t = b1 ÷ SE(b1), with SE(b1) = s ÷ √Sxx and s the residual standard error.",
    "slope_p": "p = 2 × P(T > |t|) on n − {k} − 1 degrees of freedom.",
    "prediction": "ŷ = b0 + b1·x at the x asked.",
}


class RegressionKind(Kind):
    name = "regression"
    title = "Regression"
    Params = RegressionParams
    template = "exercises/kinds/regression.html"
    charted = True

    def parts(self, params: RegressionParams) -> dict[str, PartSpec]:
        coefficient = Tolerance(rtol=0.005, atol=0.5 * 10.0**-params.decimals)
        parts = {
            "intercept": PartSpec("Intercept b0", "number", 1, coefficient),
            "slope": PartSpec(f"Slope of {params.predictors[0].name}", "number", 1, coefficient),
        }
        if len(params.predictors) == 2:
            label = f"Slope of {params.predictors[1].name}"
            parts["slope2"] = PartSpec(label, "number", 1, coefficient)
        parts |= {
            "r_squared": PartSpec("R²", "fraction", 1, Tolerance(atol=0.005)),
            "slope_t": PartSpec("t of the slope", "number", 1, Tolerance(rtol=0.01, atol=0.01)),
            "slope_p": PartSpec("p-value of the slope", "fraction", 1, Tolerance(atol=0.005)),
            "prediction": PartSpec(
                "Prediction", "number", 1, Tolerance(rtol=0.005, atol=0.5 * 10.0**-params.decimals)
            ),
            "meaning": PartSpec("What the slope means", "count", 1),
        }
        return parts

    def generate(self, params: RegressionParams, rng: random.Random) -> Variant:
        n = rng.randint(params.n.min, params.n.max)
        intercept = rng.uniform(params.intercept.min, params.intercept.max)
        noise = rng.uniform(params.noise_sd.min, params.noise_sd.max)
        slopes = [rng.uniform(p.slope.min, p.slope.max) for p in params.predictors]
        columns = [_spread_values(rng, p, n) for p in params.predictors]
        rows = []
        for i in range(n):
            xs = [column[i] for column in columns]
            mean = intercept + math.fsum(b * x for b, x in zip(slopes, xs, strict=True))
            y = round(rng.gauss(mean, noise), params.y_decimals)
            while params.floor is not None and y < params.floor:
                y = round(rng.gauss(mean, noise), params.y_decimals)
            rows.append({"case": i + 1, "x": xs, "y": y})
        meanings = [m.text for m in params.meanings]
        rng.shuffle(meanings)
        return {
            "case_label": params.case_label,
            "y_name": params.y_name,
            "y_unit": params.y_unit,
            "predictors": [{"name": p.name, "unit": p.unit} for p in params.predictors],
            "n": n,
            "rows": rows,
            "predict_at": [
                round(rng.uniform(p.predict_at.min, p.predict_at.max), p.decimals)
                for p in params.predictors
            ],
            "decimals": params.decimals,
            "meanings": meanings,
        }

    def parse(self, params: RegressionParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = FieldReader(raw)
        parts = self.parts(params)
        answer: Answer = {
            name: reader.number(name, part.label, part.unit)
            for name, part in parts.items()
            if name != "meaning"
        }
        for name in ("r_squared", "slope_p"):
            value = answer[name]
            if value is not None and not 0 <= value <= 1:
                reader.error(name, parts[name].label, "lies between 0 and 1.")
        meaning = single(raw, "meaning").strip()
        if not (meaning.isdigit() and 1 <= int(meaning) <= len(variant["meanings"])):
            reader.error("meaning", "What the slope means", "choose one of the sentences.")
        reader.done()
        answer["meaning"] = int(meaning)
        return answer

    def solve(self, params: RegressionParams, variant: Variant) -> Answer:
        fit = reference(variant)
        names = fit.terms[1:]
        answer: Answer = {
            "intercept": fit.intercept,
            "slope": fit.coefficients[names[0]],
            "r_squared": fit.r_squared,
            "slope_t": fit.t_values[names[0]],
            "slope_p": fit.p_values[names[0]],
            "prediction": fit.predict(variant["predict_at"]),
        }
        if len(names) == 2:
            answer["slope2"] = fit.coefficients[names[1]]
        right = next(m.text for m in params.meanings if m.correct)
        answer["meaning"] = variant["meanings"].index(right) + 1
        return answer

    def grade(
        self, params: RegressionParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        grader = _Grader(params, variant, answer, parts)
        return GradeResult([getattr(grader, name)() for name in parts])

    def to_form(
        self, params: RegressionParams, variant: Variant, answer: Answer
    ) -> dict[str, list[str]]:
        form = {name: [repr(value)] for name, value in answer.items() if name != "meaning"}
        form["meaning"] = [str(answer["meaning"])]
        return form

    def data_csv(self, params: RegressionParams, variant: Variant) -> str:
        heading = [
            variant["case_label"],
            *(_label(p) for p in variant["predictors"]),
            _label({"name": variant["y_name"], "unit": variant["y_unit"]}),
        ]
        rows = [heading] + [[r["case"], *r["x"], r["y"]] for r in variant["rows"]]
        return csv_rows(rows)

    def chart_svg(
        self, params: RegressionParams, variant: Variant, entered: RawAnswer | None, dom_id: str
    ) -> str:
        if entered is None:
            return reference_chart(variant, dom_id)
        return learner_chart(variant, entered, dom_id)

    def view(
        self, params: RegressionParams, variant: Variant, entered: RawAnswer
    ) -> dict[str, Any]:
        chart = None
        if any(single(entered, name).strip() for name in ("intercept", "slope")):
            chart = learner_chart(variant, entered, "regression-yours")
        return {
            "headings": [_label(p) for p in variant["predictors"]],
            "y_heading": _label({"name": variant["y_name"], "unit": variant["y_unit"]}),
            "parts": self.parts(params),
            "sentences": list(enumerate(variant["meanings"], start=1)),
            "chart_svg": chart,
        }


def _spread_values(rng: random.Random, predictor: Predictor, n: int) -> list[float]:
    """n values drawn uniformly over the range, rounded; drawn again if all are equal."""
    while True:
        values = [
            round(rng.uniform(predictor.values.min, predictor.values.max), predictor.decimals)
            for _ in range(n)
        ]
        if len(set(values)) >= 3:
            return [int(v) if predictor.decimals == 0 else v for v in values]


def _label(item: dict[str, str]) -> str:
    name = item["name"][:1].upper() + item["name"][1:]
    return f"{name} ({item['unit']})" if item["unit"] else name


def reference(variant: Variant) -> stats.RegressionResult:
    names = [p["name"] for p in variant["predictors"]]
    ys = [row["y"] for row in variant["rows"]]
    if len(names) == 1:
        return stats.linear_regression([row["x"][0] for row in variant["rows"]], ys, names[0])
    return stats.multiple_regression([row["x"] for row in variant["rows"]], ys, names)


def _draw_line(fit: stats.RegressionResult, variant: Variant) -> FittedLine:
    names = fit.terms[1:]
    if len(names) == 1:
        return FittedLine(fit.intercept, fit.coefficients[names[0]], "Least-squares line")
    at = fmean(row["x"][1] for row in variant["rows"])
    intercept = fit.intercept + fit.coefficients[names[1]] * at
    return FittedLine(intercept, fit.coefficients[names[0]], f"Fit at the mean {names[1]}")


def _scatter(variant: Variant, dom_id: str, title: str, fit, prediction, note: str) -> str:  # type: ignore[no-untyped-def]
    rows = variant["rows"]
    return render_scatter(
        [row["x"][0] for row in rows],
        [row["y"] for row in rows],
        dom_id,
        title,
        _label(variant["predictors"][0]),
        _label({"name": variant["y_name"], "unit": variant["y_unit"]}),
        fit,
        prediction,
        note,
    )


def reference_chart(variant: Variant, dom_id: str) -> str:
    fit = reference(variant)
    line = _draw_line(fit, variant)
    predicted = fit.predict(variant["predict_at"])
    note = (
        f"ŷ = {format_number(fit.intercept, variant['decimals'])} + "
        + " + ".join(
            f"{format_number(fit.coefficients[t], variant['decimals'])} × {t}"
            for t in fit.terms[1:]
        )
        + f"; R² = {format_number(fit.r_squared, 3)}"
    )
    title = f"{variant['y_name'][:1].upper()}{variant['y_name'][1:]} against "
    title += variant["predictors"][0]["name"]
    return _scatter(variant, dom_id, title, line, (variant["predict_at"][0], predicted), note)


def learner_chart(variant: Variant, raw: RawAnswer, dom_id: str) -> str:
    """The data with the learner's own line and prediction, never the expected ones. With
    two predictors only the points are drawn, as a line needs the other predictor fixed."""
    b0, b1, predicted = (_lenient(raw, name) for name in ("intercept", "slope", "prediction"))
    line = None
    if b0 is not None and b1 is not None and len(variant["predictors"]) == 1:
        line = FittedLine(b0, b1, "Your line")
    point = (variant["predict_at"][0], predicted) if predicted is not None else None
    shown = [
        f"{label} {single(raw, name).strip()[:20]}"
        for name, label in (("intercept", "b0 ="), ("slope", "b1 ="), ("r_squared", "R² ="))
        if single(raw, name).strip()
    ]
    note = "Your answer: " + (", ".join(shown) or "nothing entered yet")
    return _scatter(variant, dom_id, f"Your answer: {variant['y_name']}", line, point, note)


def _lenient(raw: RawAnswer, field: str) -> float | None:
    try:
        return parse_number(single(raw, field))
    except NumberFormatError:
        return None


class _Grader:
    def __init__(
        self, params: RegressionParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> None:
        self.params, self.variant, self.answer, self.parts = params, variant, answer, parts
        self.fit = reference(variant)
        self.names = self.fit.terms[1:]

    def _result(self, name: str, score: float, feedback: str, expected: str) -> PartResult:
        part = self.parts[name]
        return PartResult(name, part.label, score, part.weight, feedback, expected)

    def _numeric(
        self,
        name: str,
        key: float,
        how: str,
        carried: tuple[float | None, str] = (None, ""),
        mistakes: dict[str, float] | None = None,
        decimals: int = 4,
    ) -> PartResult:
        given, tolerance = self.answer[name], self.parts[name].tolerance
        shown = format_number(key, max(decimals, self.params.decimals + 1))
        judgement = judge(given, key, tolerance)
        if judgement.verdict == "correct":
            return self._result(name, 1.0, "Correct.", shown)
        value, message = carried
        if value is not None and math.isfinite(value) and tolerance.accepts(given, value):
            return self._result(name, 1.0, message, shown)
        if judgement.verdict == "rounding":
            return self._result(name, judgement.score, MESSAGES["rounding"], shown)
        for message, wrong in (mistakes or {}).items():
            if math.isfinite(wrong) and tolerance.accepts(given, wrong):
                return self._result(name, 0.0, f"{message} {how}", shown)
        if judgement.verdict == "scale" and self.parts[name].unit == "fraction":
            return self._result(name, 0.0, MESSAGES["scale"], shown)
        return self._result(name, 0.0, f"Not correct. {how}", shown)

    def _xy(self) -> tuple[list[float], list[float]]:
        rows = self.variant["rows"]
        return [row["x"][0] for row in rows], [row["y"] for row in rows]

    def intercept(self) -> PartResult:
        rows = self.variant["rows"]
        y_bar = fmean(row["y"] for row in rows)
        slopes = [self.answer["slope"], self.answer.get("slope2")][: len(self.names)]
        means = [fmean(row["x"][j] for row in rows) for j in range(len(self.names))]
        own = y_bar - math.fsum(b * m for b, m in zip(slopes, means, strict=True))
        mistakes = {"That is ȳ, the mean of y: the line passes through (x̄, ȳ), not (0, ȳ).": y_bar}
        return self._numeric(
            "intercept",
            self.fit.intercept,
            HOW["intercept"],
            (own, MESSAGES["carried_intercept"]),
            mistakes,
        )

    def slope(self) -> PartResult:
        key = self.fit.coefficients[self.names[0]]
        if len(self.names) == 2:
            return self._numeric("slope", key, HOW["slope_multiple"])
        x, y = self._xy()
        backwards = stats.linear_regression(y, x).coefficients["x"]
        r = math.copysign(math.sqrt(self.fit.r_squared), key)
        mistakes = {
            "You regressed x on y: the slope of y on x divides by Sxx, not Syy.": backwards,
            "That is r, the correlation: it has no units, while the slope is in y's units "
            "per unit of x.": r,
        }
        return self._numeric("slope", key, HOW["slope"], mistakes=mistakes)

    def slope2(self) -> PartResult:
        key = self.fit.coefficients[self.names[1]]
        return self._numeric("slope2", key, HOW["slope_multiple"])

    def r_squared(self) -> PartResult:
        key = self.fit.r_squared
        mistakes = {"That is r, the correlation; R² is its square.": math.sqrt(key)}
        if len(self.names) == 2:
            mistakes = {
                "That is adjusted R²; the question asks for R².": self.fit.adjusted_r_squared,
                **mistakes,
            }
        return self._numeric("r_squared", key, HOW["r_squared"], mistakes=mistakes)

    def slope_t(self) -> PartResult:
        key = self.fit.t_values[self.names[0]]
        mistakes = {
            "That is the intercept's t; the slope's is b1 ÷ SE(b1).": self.fit.t_values["intercept"]
        }
        return self._numeric("slope_t", key, HOW["slope_t"], mistakes=mistakes)

    def slope_p(self) -> PartResult:
        key = self.fit.p_values[self.names[0]]
        own = float(2 * sps.t.sf(abs(self.answer["slope_t"]), self.fit.df_residual))
        mistakes = {
            "That is a one-sided p-value; the slope is tested two-sided, so count both tails.": key
            / 2
        }
        how = HOW["slope_p"].format(k=len(self.names))
        result = self._numeric("slope_p", key, how, (own, MESSAGES["carried_p"]), mistakes)
        if key < 0.0001:
            result = PartResult(
                result.name, result.label, result.score, result.weight, result.feedback, "< 0.0001"
            )
        return result

    def prediction(self) -> PartResult:
        key = self.fit.predict(self.variant["predict_at"])
        slopes = [self.answer["slope"], self.answer.get("slope2")][: len(self.names)]
        at = self.variant["predict_at"]
        own = self.answer["intercept"] + math.fsum(b * x for b, x in zip(slopes, at, strict=True))
        mistakes = {"You left out the intercept: ŷ = b0 + b1·x.": key - self.fit.intercept}
        return self._numeric(
            "prediction", key, HOW["prediction"], (own, MESSAGES["carried_prediction"]), mistakes
        )

    def meaning(self) -> PartResult:
        chosen = self.variant["meanings"][self.answer["meaning"] - 1]
        right = next(m for m in self.params.meanings if m.correct)
        if chosen == right.text:
            return self._result("meaning", 1.0, right.feedback or "Correct.", right.text)
        picked = next(m for m in self.params.meanings if m.text == chosen)
        return self._result("meaning", 0.0, picked.feedback, right.text)

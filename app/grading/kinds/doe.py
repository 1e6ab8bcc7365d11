"""Designed experiments: each learner gets their own responses from a two-level factorial
(full 2^k, or a 2^(k−p) fraction) run on a service process, and works out the effects, which
of them matter, the best settings and, for a fraction, what an effect is aliased with.

The responses come from the scenario's true effects plus noise, redrawn until no term sits
on the edge of significance, so the judgement asked is never a coin toss. The reference is
app.lss.doe.factorial_effects. Feedback names the usual mistakes (the coefficient for the
effect, low minus high, the contrast left undivided) and carries errors forward: terms
judged significant from the learner's own effects, and settings that are best for the
learner's own model, earn their marks.
"""

import itertools
import math
import random
import re
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import stats as sps

from app.charts.effects import MainEffect, PlottedEffect, effect_bars, half_normal_plot
from app.charts.effects import main_effects_plot as main_effects_drawing
from app.charts.svg import document, stacked
from app.grading.kinds.base import Answer, FieldReader, Kind, PartSpec, RawAnswer, Variant, single
from app.grading.kinds.params import Range, Value
from app.grading.numbers import NumberFormatError, Tolerance, format_number, judge, parse_number
from app.grading.results import GradeResult, PartResult
from app.lss.doe import FactorialAnalysis, factorial_effects, fractional_factorial, full_factorial

LETTERS = "ABCD"
Name = Field(min_length=1, max_length=40)
MAX_TRIES = 400
# A term is never generated this close to the line between significant and not.
P_VALUE_MARGIN = 3.0  # p outside [α/3, 3α]
THRESHOLD_MARGIN = 0.15  # |effect| outside threshold × [0.85, 1.15]

Span = Range[Value]


class FactorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Name  # "Triage script"
    low: str = Name  # the − setting, "Free-text notes"
    high: str = Name  # the + setting, "Structured script"
    effect: Span  # the true effect, response at high − response at low


class InteractionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    term: str = Field(pattern=r"^[A-D]{2,4}$")  # "AB"
    effect: Span


class DoeParams(BaseModel):
    """One experiment. Factors are lettered A, B, C, D in the order given; `generators`
    makes a fraction ({"D": "ABC"} is the half fraction of 2⁴ with I = ABCD)."""

    model_config = ConfigDict(extra="forbid")

    response: str = Field(min_length=1, max_length=60)  # "minutes to triage a claim"
    response_unit: str = Field(default="", max_length=20)  # "minutes"
    goal: Literal["minimise", "maximise"]
    factors: list[FactorSpec] = Field(min_length=2, max_length=4)
    generators: dict[str, str] = Field(default_factory=dict)
    interactions: list[InteractionSpec] = Field(default_factory=list, max_length=6)
    ask_interactions: list[str] = Field(default_factory=list, max_length=3)
    ask_alias: str | None = None  # fractions only: the term whose aliases are asked
    replicates: int = Field(default=1, ge=1, le=3)
    mean: Span
    noise_sd: Span
    data_decimals: int = Field(default=1, ge=0, le=3)
    decimals: int = Field(default=2, ge=0, le=4)  # effects asked to this many decimals
    significance: Literal["p_value", "threshold"]
    alpha: float = Field(default=0.05, ge=0.001, le=0.2)
    threshold: float | None = Field(default=None, gt=0)  # |effect| worth acting on

    @model_validator(mode="after")
    def _consistent(self) -> "DoeParams":
        letters = LETTERS[: len(self.factors)]
        if self.generators:
            try:
                fractional_factorial(len(self.factors), self.generators)
            except ValueError as error:
                raise ValueError(f"generators: {error}") from None
        if self.noise_sd.min <= 0:
            raise ValueError("noise_sd must be above 0: real responses vary")
        if self.significance == "p_value" and self.replicates < 2:
            raise ValueError("significance by p_value needs replicates of 2 or more")
        if self.significance == "threshold" and self.threshold is None:
            raise ValueError("significance by threshold needs a threshold")
        for term in [i.term for i in self.interactions] + self.ask_interactions:
            if set(term) - set(letters) or len(set(term)) != len(term) or len(term) < 2:
                raise ValueError(
                    f"{term!r} must join two or more different factor letters from {letters}"
                )
        chains = alias_chains(self)
        seen: dict[str, str] = {}
        for term in [*letters, *self.ask_interactions]:
            lead = chains.get(term)
            if lead is None:
                raise ValueError(f"{term!r} cannot be estimated in this design")
            if lead in letters and lead != term:
                raise ValueError(
                    f"ask_interactions: {term} is aliased with main effect {lead} in this fraction"
                )
            if lead in seen:
                raise ValueError(f"ask_interactions: {term} is aliased with {seen[lead]}")
            if lead != term:
                raise ValueError(
                    f"ask_interactions: {term} is estimated together with {lead} in this "
                    f"fraction; ask for {lead} instead"
                )
            seen[lead] = term
        if self.ask_alias is not None:
            if not self.generators:
                raise ValueError("ask_alias is for fractional designs (set generators)")
            if self.ask_alias not in seen:
                raise ValueError("ask_alias must be a factor letter or one of ask_interactions")
        return self


def design(params: DoeParams) -> list[dict[str, int]]:
    k = len(params.factors)
    return fractional_factorial(k, params.generators) if params.generators else full_factorial(k)


def alias_chains(params: DoeParams) -> dict[str, str]:
    """Every term (letters in order) → the term app.lss.doe reports its alias chain under."""
    runs = design(params)
    analysis = factorial_effects(runs, [0.0] * len(runs))
    chains = {}
    for lead, others in analysis.aliases.items():
        chains[lead] = lead
        for word in others:
            chains[word.lstrip("-")] = lead
    return chains


def analyse(variant: Variant) -> FactorialAnalysis:
    runs = [row["levels"] for row in variant["runs"]]
    return factorial_effects(runs, [row["values"] for row in variant["runs"]])


MESSAGES = {
    "rounding": "Close, but outside the tolerance: keep more decimals until the last step.",
    "coefficient": "That is the coefficient, half the effect: the effect is the whole change "
    "from the low to the high setting.",
    "sign": "The sign is reversed: take the average at + minus the average at −.",
    "contrast": "That is the contrast, the signed sum of the responses: divide it by half "
    "the number of observations ({half}).",
    "how": "Effect = average response where the column is + minus the average where it is −; "
    "for an interaction the column's sign in a run is the product of its factors' signs.",
    "carried_significant": "Consistent with your own effects, so no further marks are lost here.",
    "carried_best": "Consistent with your own effects and the terms you judged significant, "
    "so no further marks are lost here.",
    "best_ok": "Correct: these settings give the best predicted {response}.",
    "wrong_goal": "Those settings give the {worst} {response}: the aim is to {goal} it.",
    "alias_ok": "Correct.",
    "alias_how": "Multiply the term by every word of the defining relation (from the "
    "generators: D = ABC gives I = ABCD); a letter squared cancels.",
    "alias_identity": "A word of the defining relation is aliased with the mean (I), not "
    "with an effect.",
}
GOAL_WORDS = {"minimise": ("lowest", "highest"), "maximise": ("highest", "lowest")}


class DoeKind(Kind):
    name = "doe"
    title = "Designed experiment"
    Params = DoeParams
    template = "exercises/kinds/doe.html"
    charted = True

    def parts(self, params: DoeParams) -> dict[str, PartSpec]:
        tolerance = Tolerance(atol=0.5 * 10.0**-params.decimals)
        parts = {
            f"effect-{term}": PartSpec(
                f"Effect of {_term_words(params, term)}", "number", 1, tolerance
            )
            for term in candidates(params)
        }
        parts["significant"] = PartSpec("Significant terms", "count", 1)
        parts["best"] = PartSpec("Best settings", "count", 1)
        if params.ask_alias:
            parts["alias"] = PartSpec(f"Aliases of {params.ask_alias}", "count", 1)
        return parts

    def generate(self, params: DoeParams, rng: random.Random) -> Variant:
        runs = design(params)
        letters = LETTERS[: len(params.factors)]
        true = {letter: rng.uniform(f.effect.min, f.effect.max)
                for letter, f in zip(letters, params.factors, strict=True)}  # fmt: skip
        true.update({i.term: rng.uniform(i.effect.min, i.effect.max) for i in params.interactions})
        mean, sd = (
            rng.uniform(params.mean.min, params.mean.max),
            rng.uniform(params.noise_sd.min, params.noise_sd.max),
        )
        variant: Variant = {
            "response": params.response,
            "response_unit": params.response_unit,
            "goal": params.goal,
            "factors": [
                {"letter": letter, "name": f.name, "low": f.low, "high": f.high}
                for letter, f in zip(letters, params.factors, strict=True)
            ],
            "generators": [f"{g} = {w}" for g, w in sorted(params.generators.items())],
            "replicates": params.replicates,
            "count": len(runs),
            "observations": len(runs) * params.replicates,
            "half": len(runs) * params.replicates // 2,
            "candidates": candidates(params),
            "ask_alias": params.ask_alias or "",
            "alpha": params.alpha,
            "threshold": params.threshold or 0,
            "decimals": params.decimals,
            "error_df": len(runs) * (params.replicates - 1),
        }
        for _ in range(MAX_TRIES):
            variant["runs"] = [
                {
                    "run": number,
                    "levels": run,
                    "values": [
                        _response(run, mean, true, sd, params, rng)
                        for _ in range(params.replicates)
                    ],
                }
                for number, run in enumerate(runs, start=1)
            ]
            if clear_cut(params, variant):
                break
        variant["totals"] = {
            "sum": round(sum(v for row in variant["runs"] for v in row["values"]), 6)
        }
        return variant

    def parse(self, params: DoeParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = FieldReader(raw)
        effects = {
            term: reader.number(f"effect-{term}", f"Effect of {term}")
            for term in variant["candidates"]
        }
        significant: list[str] = []
        for text in raw.get("significant") or []:
            term = text.strip()
            if term not in variant["candidates"]:
                reader.error("significant", "Significant terms", "tick terms from the list.")
                break
            if term not in significant:
                significant.append(term)
        best = {}
        for factor in variant["factors"]:
            letter = factor["letter"]
            level = single(raw, f"best-{letter}").strip()
            if level not in ("low", "high"):
                reader.error(f"best-{letter}", f"Best setting of {letter}",
                             "choose the low or the high setting.")  # fmt: skip
            best[letter] = level
        answer: Answer = {
            "effects": effects,
            "significant": sorted(significant, key=variant["candidates"].index),
            "best": best,
            "alias": None,
        }
        if variant["ask_alias"]:
            answer["alias"] = _read_alias(variant, single(raw, "alias"), reader)
        reader.done()
        return answer

    def solve(self, params: DoeParams, variant: Variant) -> Answer:
        analysis = analyse(variant)
        terms = variant["candidates"]
        significant = significant_terms(params, variant, analysis)
        answer: Answer = {
            "effects": {term: analysis.effects[term] for term in terms},
            "significant": significant,
            "best": best_settings(analysis, significant, params.goal)[0],
            "alias": None,
        }
        if params.ask_alias:
            answer["alias"] = sorted(
                (w.lstrip("-") for w in analysis.aliases[params.ask_alias]), key=_word_order
            )
        return answer

    def grade(
        self, params: DoeParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        grader = _Grader(params, variant, answer, parts)
        results = [grader.effect(term) for term in variant["candidates"]]
        results += [grader.significant(), grader.best()]
        if params.ask_alias:
            results.append(grader.alias())
        return GradeResult(results)

    def to_form(self, params: DoeParams, variant: Variant, answer: Answer) -> dict[str, list[str]]:
        form = {f"effect-{term}": [repr(value)] for term, value in answer["effects"].items()}
        form["significant"] = list(answer["significant"])
        form.update({f"best-{letter}": [level] for letter, level in answer["best"].items()})
        if answer["alias"] is not None:
            form["alias"] = [", ".join(answer["alias"])]
        return form

    def data_csv(self, params: DoeParams, variant: Variant) -> str:
        lines = [",".join(_csv(h) for h in headings(variant))]
        for row in variant["runs"]:
            cells = [row["run"], *(row["levels"][f["letter"]] for f in variant["factors"])]
            lines.append(",".join(_csv(c) for c in [*cells, *row["values"]]))
        return "\r\n".join(lines) + "\r\n"

    def chart_svg(
        self, params: DoeParams, variant: Variant, entered: RawAnswer | None, dom_id: str
    ) -> str:
        if entered is None:
            return reference_chart(params, variant, dom_id)
        return learner_chart(params, variant, entered, dom_id)

    def view(self, params: DoeParams, variant: Variant, entered: RawAnswer) -> dict[str, Any]:
        chart = None
        if any(single(entered, f"effect-{t}").strip() for t in variant["candidates"]):
            chart = learner_chart(params, variant, entered, "doe-yours")
        return {
            "headings": headings(variant),
            "labels": {t: _term_words(params, t) for t in variant["candidates"]},
            "chart_svg": chart,
        }


def candidates(params: DoeParams) -> list[str]:
    """The terms asked: every main effect, then the interactions named in ask_interactions."""
    return [*LETTERS[: len(params.factors)], *params.ask_interactions]


def _term_words(params: DoeParams, term: str) -> str:
    if len(term) == 1:
        return f"{term} ({params.factors[LETTERS.index(term)].name})"
    return f"the {' × '.join(term)} interaction"


def _response(
    run: dict[str, int],
    mean: float,
    true: dict[str, float],
    sd: float,
    params: DoeParams,
    rng: random.Random,
) -> float | int:
    signal = sum(effect / 2 * math.prod(run[letter] for letter in term)
                 for term, effect in true.items())  # fmt: skip
    value = round(mean + signal + rng.gauss(0, sd), params.data_decimals)
    return int(value) if params.data_decimals == 0 else value


def clear_cut(params: DoeParams, variant: Variant) -> bool:
    """No asked term sits on the edge of significance, and the best settings are unique."""
    analysis = analyse(variant)
    for term in variant["candidates"]:
        if params.significance == "p_value":
            assert analysis.p_values is not None
            p = analysis.p_values[term]
            if params.alpha / P_VALUE_MARGIN <= p <= params.alpha * P_VALUE_MARGIN:
                return False
        else:
            assert params.threshold is not None
            size = abs(analysis.effects[term])
            if abs(size - params.threshold) <= THRESHOLD_MARGIN * params.threshold:
                return False
    significant = significant_terms(params, variant, analysis)
    return len(best_settings(analysis, significant, params.goal)) == 1


def significant_terms(
    params: DoeParams, variant: Variant, analysis: FactorialAnalysis
) -> list[str]:
    terms = variant["candidates"]
    if params.significance == "p_value":
        return [t for t in terms if t in analysis.significant_at(params.alpha)]
    assert params.threshold is not None
    return [t for t in terms if abs(analysis.effects[t]) >= params.threshold]


def best_settings(analysis: FactorialAnalysis, terms: list[str], goal: str) -> list[dict[str, str]]:
    """The settings of the factors in `terms` that give the best predicted response (the
    model of those terms); a factor in no term is free, and is reported at its low level.
    More than one entry means several settings tie."""
    factors = analysis.factors
    involved = [f for f in factors if any(f in term for term in terms)]
    scored = []
    for levels in itertools.product((-1, 1), repeat=len(involved)):
        settings = dict.fromkeys(factors, -1) | dict(zip(involved, levels, strict=True))
        scored.append((analysis.predict(settings, terms), settings))
    best = min(s for s, _ in scored) if goal == "minimise" else max(s for s, _ in scored)
    return [
        {f: "high" if settings[f] == 1 else "low" for f in factors}
        for score, settings in scored
        if math.isclose(score, best, rel_tol=1e-9, abs_tol=1e-9)
    ]


def headings(variant: Variant) -> list[str]:
    unit = f" ({variant['response_unit']})" if variant["response_unit"] else ""
    columns = ["Run", *(f"{f['letter']}: {f['name']}" for f in variant["factors"])]
    if variant["replicates"] == 1:
        return [*columns, f"{_capital(variant['response'])}{unit}"]
    return [*columns, *(f"Replicate {i}{unit}" for i in range(1, variant["replicates"] + 1))]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _csv(value: Any) -> str:
    text = str(value)
    if text[:1] in ("=", "+", "-", "@") and not re.fullmatch(r"-?\d+(\.\d+)?", text):
        text = "'" + text
    if any(ch in text for ch in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _word_order(word: str) -> tuple[int, str]:
    return len(word), word


def _read_alias(variant: Variant, text: str, reader: FieldReader) -> list[str] | None:
    letters = "".join(f["letter"] for f in variant["factors"])
    words = [w for w in re.split(r"[\s,;+=]+", text.strip().upper()) if w]
    words = [w.lstrip("+-") for w in words if w.lstrip("+-") != variant["ask_alias"]]
    if not words:
        reader.error("alias", "Aliases", "enter one or more terms, such as BC or BCD.")
        return None
    for word in words:
        if set(word) - set(letters) or len(set(word)) != len(word):
            reader.error("alias", "Aliases", f"write each term with the factor letters "
                         f"{', '.join(letters)}, each at most once (e.g. BCD).")  # fmt: skip
            return None
    canonical = {"".join(sorted(w, key=letters.index)) for w in words}
    return sorted(canonical, key=_word_order)


class _Grader:
    def __init__(
        self, params: DoeParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> None:
        self.params, self.variant, self.answer, self.parts = params, variant, answer, parts
        self.analysis = analyse(variant)
        self.key = DoeKind().solve(params, variant)

    def _result(self, name: str, score: float, feedback: str, expected: str) -> PartResult:
        part = self.parts[name]
        return PartResult(name, part.label, score, part.weight, feedback, expected)

    def _shown(self, value: float) -> str:
        return format_number(value, self.params.decimals + 1)

    def effect(self, term: str) -> PartResult:
        name = f"effect-{term}"
        key, given = self.analysis.effects[term], self.answer["effects"][term]
        tolerance = self.parts[name].tolerance
        judgement = judge(given, key, tolerance)
        if judgement.verdict == "correct":
            return self._result(name, 1.0, "Correct.", self._shown(key))
        if judgement.verdict == "rounding":
            return self._result(name, judgement.score, MESSAGES["rounding"], self._shown(key))
        mistakes = {
            MESSAGES["coefficient"]: key / 2,
            MESSAGES["sign"]: -key,
            MESSAGES["contrast"].format(half=self.variant["half"]): key * self.variant["half"],
        }
        for message, value in mistakes.items():
            if abs(key) > 0 and tolerance.accepts(given, value):
                return self._result(name, 0.0, f"{message} {MESSAGES['how']}", self._shown(key))
        return self._result(name, 0.0, f"Not correct. {MESSAGES['how']}", self._shown(key))

    def _own_significant(self) -> list[str]:
        """The terms the learner's own effects make significant."""
        own = self.answer["effects"]
        if self.params.significance == "threshold":
            assert self.params.threshold is not None
            return [t for t in own if abs(own[t]) >= self.params.threshold]
        assert self.analysis.standard_errors is not None and self.analysis.error_df
        se = next(iter(self.analysis.standard_errors.values()))
        critical = sps.t.ppf(1 - self.params.alpha / 2, self.analysis.error_df) * se
        return [t for t in own if abs(own[t]) > critical]

    def significant(self) -> PartResult:
        terms = self.variant["candidates"]
        expected, given = set(self.key["significant"]), set(self.answer["significant"])
        shown = ", ".join(self.key["significant"]) or "None"
        if given == expected:
            return self._result("significant", 1.0, "Correct.", shown)
        if given == set(self._own_significant()):
            return self._result("significant", 1.0, MESSAGES["carried_significant"], shown)
        extra, missed = len(given - expected), len(expected - given)
        score = (len(terms) - extra - missed) / len(terms)
        notes = []
        if extra:
            notes.append(f"{extra} term(s) you ticked are not significant.")
        if missed:
            notes.append(f"{missed} significant term(s) not ticked.")
        notes.append(self._how_significant())
        return self._result("significant", score, " ".join(notes), shown)

    def _how_significant(self) -> str:
        if self.params.significance == "threshold":
            unit = f" {self.params.response_unit}" if self.params.response_unit else ""
            return (
                f"A term counts when the size of its effect, ignoring the sign, is at least "
                f"{format_number(self.params.threshold or 0, 4)}{unit}."
            )
        return (
            "Estimate the noise from the replicates: s² is the average of the runs' variances, "
            f"se(effect) = 2s ÷ √{self.variant['observations']}, and a term is significant when "
            f"|effect| ÷ se exceeds t for α = {self.params.alpha} (two-sided) with "
            f"{self.variant['error_df']} degrees of freedom."
        )

    def best(self) -> PartResult:
        given = self.answer["best"]
        significant = self.key["significant"]
        optimal = best_settings(self.analysis, significant, self.params.goal)
        involved = [f for f in self.analysis.factors if any(f in t for t in significant)]
        shown = self._describe_best(optimal[0], involved)
        words = {"response": self.params.response, "goal": self.params.goal}
        if all(given[f] == optimal[0][f] for f in involved):
            return self._result("best", 1.0, MESSAGES["best_ok"].format(**words), shown)
        own_terms = [t for t in self.answer["significant"] if t in self.answer["effects"]]
        own = replace(
            self.analysis,
            coefficients={**self.analysis.coefficients,
                          **{t: v / 2 for t, v in self.answer["effects"].items()}},
        )  # fmt: skip
        own_best = best_settings(own, own_terms, self.params.goal)
        own_involved = [f for f in own.factors if any(f in t for t in own_terms)]
        if any(all(given[f] == b[f] for f in own_involved) for b in own_best):
            return self._result("best", 1.0, MESSAGES["carried_best"], shown)
        right = sum(1 for f in involved if given[f] == optimal[0][f])
        opposite = "maximise" if self.params.goal == "minimise" else "minimise"
        worst = best_settings(self.analysis, significant, opposite)
        if all(given[f] == worst[0][f] for f in involved):
            words["worst"] = GOAL_WORDS[self.params.goal][1]
            note = MESSAGES["wrong_goal"].format(**words)
        else:
            note = f"{right} of the {len(involved)} factors that matter are at their best level."
        how = (
            "Predict the response from the significant terms only (mean + each effect ÷ 2 × "
            "its column's sign) and pick the combination that does best; a factor in no "
            "significant term can be set on cost."
        )
        return self._result("best", right / max(1, len(involved)), f"{note} {how}", shown)

    def _describe_best(self, settings: dict[str, str], involved: list[str]) -> str:
        if not involved:
            return "No factor matters: choose settings on cost."
        pieces = []
        for factor in self.variant["factors"]:
            if factor["letter"] in involved:
                pieces.append(f"{factor['name']}: {factor[settings[factor['letter']]]}")
        return "; ".join(pieces) + " (the others on cost)."

    def alias(self) -> PartResult:
        expected, given = set(self.key["alias"]), set(self.answer["alias"] or [])
        shown = f"{self.params.ask_alias} = " + " = ".join(self.key["alias"])
        if given == expected:
            return self._result("alias", 1.0, MESSAGES["alias_ok"], shown)
        identity = {w.lstrip("-") for w in self.analysis.defining_relation}
        missed, extra = len(expected - given), len(given - expected)
        score = max(0.0, 1 - (missed + extra) / len(expected))
        notes = []
        if given & identity:
            notes.append(MESSAGES["alias_identity"])
        if extra:
            notes.append(f"{extra} of your terms are not aliased with {self.params.ask_alias}.")
        if missed:
            notes.append(f"{missed} alias(es) missing.")
        notes.append(MESSAGES["alias_how"])
        return self._result("alias", score, " ".join(notes), shown)


def _main_effects(
    params: DoeParams, variant: Variant, analysis: FactorialAnalysis
) -> list[MainEffect]:
    return [
        MainEffect(
            f"{f['letter']}: {f['name']}", f["low"], f["high"],
            analysis.mean - analysis.effects[f["letter"]] / 2,
            analysis.mean + analysis.effects[f["letter"]] / 2,
        )
        for f in variant["factors"]
    ]  # fmt: skip


def reference_chart(params: DoeParams, variant: Variant, dom_id: str) -> str:
    """The main-effects plot and the half-normal plot, significant terms marked."""
    analysis = analyse(variant)
    marked = set(significant_terms(params, variant, analysis))
    unit = f" ({params.response_unit})" if params.response_unit else ""
    drawings = [
        main_effects_drawing(
            _main_effects(params, variant, analysis),
            "Main effects",
            f"Mean {params.response}{unit} at each setting",
            params.decimals,
            analysis.mean,
        ),
        half_normal_plot(
            [PlottedEffect(p.term, p.effect, p.quantile) for p in analysis.half_normal_plot],
            "Half-normal plot of the effects (significant terms in red)",
            marked,
            params.decimals,
        ),
    ]
    return stacked(drawings, dom_id, f"Effects on {params.response}")


def learner_chart(params: DoeParams, variant: Variant, raw: RawAnswer, dom_id: str) -> str:
    """The learner's own effects as bars, the terms they ticked in red: never the key."""
    effects: dict[str, float | None] = {}
    for term in variant["candidates"]:
        try:
            effects[term] = parse_number(single(raw, f"effect-{term}"))
        except NumberFormatError:
            effects[term] = None
    ticked = {t.strip() for t in raw.get("significant") or []}
    drawing = effect_bars(
        effects,
        f"Your answer: effects on {params.response}",
        marked=ticked,
        threshold=params.threshold if params.significance == "threshold" else None,
        decimals=params.decimals,
    )
    return document(drawing, dom_id)

"""Knowledge checks: single-choice, multiple-choice and numeric questions, with feedback on
every option. Options are shuffled per learner; the form sends each option's original index."""

import random
from dataclasses import replace
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.grading.kinds.base import Answer, FieldReader, Kind, PartSpec, RawAnswer, Variant
from app.grading.numbers import Tolerance, Unit, format_number, judge
from app.grading.results import GradeResult, PartResult

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text
    correct: bool = False
    feedback: str = Field(default="", max_length=2000)


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: QuestionId
    type: Literal["single", "multiple", "numeric"]
    text: Text
    options: list[Option] = Field(default_factory=list, max_length=10)
    answer: float | None = None
    unit: Unit = "number"
    rtol: float = Field(default=0.005, ge=0, le=1)
    atol: float = Field(default=0.0, ge=0)
    sig_figs: int | None = Field(default=None, ge=1, le=10)
    explanation: str = Field(default="", max_length=2000)
    weight: float = Field(default=1.0, gt=0, le=100)

    @model_validator(mode="after")
    def _consistent(self) -> "Question":
        correct = sum(option.correct for option in self.options)
        if self.type == "numeric":
            if self.answer is None or self.options:
                raise ValueError("a numeric question needs an answer and no options")
        elif len(self.options) < 2:
            raise ValueError("a choice question needs at least two options")
        elif self.type == "single" and correct != 1:
            raise ValueError("a single-choice question needs exactly one correct option")
        elif self.type == "multiple" and correct < 1:
            raise ValueError("a multiple-choice question needs at least one correct option")
        return self


class QuizParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: list[Question] = Field(min_length=1, max_length=40)
    shuffle: bool = True

    @model_validator(mode="after")
    def _unique_ids(self) -> "QuizParams":
        ids = [question.id for question in self.questions]
        if len(ids) != len(set(ids)):
            raise ValueError("question ids must be unique")
        return self


def field_name(question: Question) -> str:
    return f"q-{question.id}"


class QuizKind(Kind):
    name = "quiz"
    title = "Knowledge check"
    Params = QuizParams
    template = "exercises/kinds/quiz.html"

    def parts(self, params: QuizParams) -> dict[str, PartSpec]:
        return {
            q.id: PartSpec(
                label=f"Question {n}",
                unit=q.unit,
                weight=q.weight,
                tolerance=Tolerance(rtol=q.rtol, atol=q.atol, sig_figs=q.sig_figs),
            )
            for n, q in enumerate(params.questions, start=1)
        }

    def generate(self, params: QuizParams, rng: random.Random) -> Variant:
        order = [q.id for q in params.questions]
        options = {q.id: list(range(len(q.options))) for q in params.questions}
        if params.shuffle:
            rng.shuffle(order)
            for indexes in options.values():
                rng.shuffle(indexes)
        return {"order": order, "options": options}

    def questions_in_order(self, params: QuizParams, variant: Variant) -> list[Question]:
        by_id = {q.id: q for q in params.questions}
        return [by_id[qid] for qid in variant["order"]]

    def parse(self, params: QuizParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = FieldReader(raw)
        answer: Answer = {}
        for number, question in enumerate(self.questions_in_order(params, variant), start=1):
            name, label = field_name(question), f"Question {number}"
            if question.type == "numeric":
                answer[question.id] = reader.number(name, label, question.unit)
                continue
            chosen = self._choices(raw.get(name, []), len(question.options))
            if chosen is None:
                reader.error(name, label, "that is not one of the options.")
            elif not chosen:
                reader.error(name, label, "choose an answer.")
            elif question.type == "single" and len(chosen) > 1:
                reader.error(name, label, "choose only one answer.")
            answer[question.id] = chosen
        reader.done()
        return answer

    @staticmethod
    def _choices(values: list[str], count: int) -> list[int] | None:
        chosen = []
        for value in (v.strip() for v in values):
            if not value:
                continue
            if not value.isdigit() or int(value) >= count:
                return None
            chosen.append(int(value))
        return sorted(set(chosen))

    def solve(self, params: QuizParams, variant: Variant) -> Answer:
        return {
            q.id: q.answer
            if q.type == "numeric"
            else [i for i, option in enumerate(q.options) if option.correct]
            for q in params.questions
        }

    def grade(
        self, params: QuizParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        results = []
        for number, question in enumerate(self.questions_in_order(params, variant), start=1):
            # Numbered as the learner saw them, which may be shuffled.
            part = replace(parts[question.id], label=f"Question {number}")
            given = answer[question.id]
            if question.type == "numeric":
                score, feedback = self._grade_numeric(question, given, part)
                expected = format_number(question.answer or 0)
            else:
                score, feedback = self._grade_choice(question, given)
                expected = "; ".join(o.text for o in question.options if o.correct)
            results.append(
                PartResult(question.id, part.label, score, part.weight, feedback, expected)
            )
        return GradeResult(results)

    @staticmethod
    def _grade_numeric(question: Question, given: float, part: PartSpec) -> tuple[float, str]:
        judgement = judge(given, question.answer or 0.0, part.tolerance)
        explanation = f" {question.explanation}" if question.explanation else ""
        if judgement.verdict == "correct":
            return 1.0, "Correct." + explanation
        if judgement.verdict == "rounding":
            return judgement.score, "Close, but not within the tolerance: check your rounding."
        if judgement.verdict == "scale":
            return 0.0, "Off by a factor of 100: check percent versus fraction." + explanation
        return 0.0, "Not correct." + explanation

    @staticmethod
    def _grade_choice(question: Question, chosen: list[int]) -> tuple[float, str]:
        correct = {i for i, option in enumerate(question.options) if option.correct}
        picked = set(chosen)
        notes = [question.options[i].feedback for i in chosen if question.options[i].feedback]
        if picked == correct:
            return 1.0, " ".join(notes) or "Correct."
        if question.type == "single":
            return 0.0, " ".join(notes) or "Not correct."
        hits, false_picks = len(picked & correct), len(picked - correct)
        missed = len(correct - picked)
        score = max(0.0, (hits - false_picks) / len(correct))
        if missed:
            notes.append(f"You missed {missed} correct option{'s' if missed > 1 else ''}.")
        return score, " ".join(notes)

    def to_form(self, params: QuizParams, variant: Variant, answer: Answer) -> dict[str, list[str]]:
        form = {}
        for question in params.questions:
            given = answer[question.id]
            name = field_name(question)
            form[name] = [repr(given)] if question.type == "numeric" else [str(i) for i in given]
        return form

"""SIPOC: for a service case the learner fixes the start and end triggers, writes four to
seven high-level process steps, and lists the suppliers, inputs, outputs and customers.

Grading is structural and deterministic (LSS reference §2.0): each column's lines are matched
against the author's items and their keywords. A column earns full marks when it names the
share of key items asked (`recall`, 80% by default) and nothing misplaced: an item that
belongs in another column, or a distractor the author lists with the reason it is wrong.
Lines that match nothing cost nothing. Feedback counts what is missing and asks the item's
hint question, so the key is never given away before the exercise is finished.
"""

import math
import random
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.grading.keywords import first_word, mentions, words
from app.grading.kinds.base import Answer, FieldReader, Kind, PartSpec, RawAnswer, Variant, single
from app.grading.results import GradeResult, PartResult

LINE_LIMIT = 120
MAX_LINES = 15
STEP_SLOTS = 7
LISTS = ("suppliers", "inputs", "outputs", "customers")
COLUMNS = ("suppliers", "inputs", "process", "outputs", "customers")
LABELS = {
    "suppliers": "Suppliers",
    "inputs": "Inputs",
    "process": "Process",
    "outputs": "Outputs",
    "customers": "Customers",
}
SINGULAR = {
    "suppliers": "a supplier",
    "inputs": "an input",
    "process": "a process step",
    "outputs": "an output",
    "customers": "a customer",
}

# Verbs a process step may start with. An exercise adds its own with `extra_verbs`.
_VERB_LIST = """
    accept acknowledge add admit advise agree allocate amend analyse analyze answer apply
    approve archive arrange ask assess assign audit authorise authorize bill book brief build
    calculate call cancel capture carry charge chase check choose classify clean close collect
    compare compile complete confirm consolidate contact coordinate correct count create credit
    debit decide decline deliver deposit determine diagnose discharge discuss dispatch dispense
    distribute draft email enrol enroll enter escalate estimate evaluate examine explain fetch
    file find finish fix follow forward gather generate get give greet hand handle identify
    inform initiate input inspect instruct interview investigate invoice issue key label launch
    lodge log mail make manage match measure message monitor move negotiate notify obtain offer
    onboard open order organise organize pack pay perform phone pick plan post prepare prescribe
    present price print prioritise prioritize process produce propose publish purchase quote
    raise read receive recommend reconcile record refer refund register reject release remind
    renew repair reply report request reserve resolve respond retrieve return review route run
    schedule scan screen search select send set settle share ship sign sort stamp start store
    submit survey take test text track train transfer transport treat triage underwrite update
    upload validate value verify vet visit weigh welcome withdraw write"""
VERBS = frozenset(_VERB_LIST.split())

# Reading the form: each message follows the field's label.
MISSING_TRIGGER = "describe the event in a few words."
MISSING_LIST = "list at least one item, one per line."
TOO_MANY_LINES = "keep it to {limit} lines (this has {count})."
LINE_TOO_LONG = "keep each line to {limit} characters (line {n} has {length})."
TOO_LONG = "keep it to {limit} characters (this has {length})."
NO_STEPS = "write the first step of the process."
STEP_GAP = "step {n} is empty: fill the steps in order, without gaps."

# Grading: what is missing or misplaced, without giving the key away.
TRIGGER_START = "The start trigger is not the event that starts the process in the case."
TRIGGER_END = "The end trigger is not the event that ends the process in the case."
TRIGGERS_OK = "Correct: the process starts and ends where the case says."
FOUND = "You name {found} of the {total} key {what} in the case"
MISSING_HINTS = "; still missing, for example: {hints}"
NOT_ENOUGH = "{found} of the {total} key {what} in the case; at least {needed} are needed."
MISPLACED = "“{line}” is {right}, not {wrong}."
UNRECOGNISED = "{count} line(s) match nothing in the case: they cost nothing, but check them."
COLUMN_OK = "Complete: the key {what} are there and nothing is misplaced."
STEP_COUNT = "Your process has {count} step(s): keep a SIPOC to {low} to {high} high-level steps."
STEP_VERB = "Step {n} does not start with a verb: name each step as an action, such as “Check …”."
STEP_FIRST = "Step 1 is not where the process starts: begin at the start trigger."
STEP_LAST = "Your last step is not where the process ends: finish at the end trigger."
PROCESS_OK = "Complete: {count} steps from the start trigger to the end trigger, each an action."

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=LINE_LIMIT)]
Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class Item(BaseModel):
    """One accepted entry of a column: its name (shown in the key and always accepted), the
    other phrasings that count, and the question feedback asks when it is missing."""

    model_config = ConfigDict(extra="forbid")

    name: Line
    keywords: list[Keyword] = Field(default_factory=list, max_length=20)
    hint: Line | None = None
    required: bool = True

    @property
    def phrases(self) -> list[str]:
        return [self.name, *self.keywords]


class Trigger(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Line  # the reference wording
    keywords: list[Keyword] = Field(default_factory=list, max_length=20)

    @property
    def phrases(self) -> list[str]:
        return [self.text, *self.keywords]


class Distractor(BaseModel):
    """Something that must not appear in a column, with the reason shown when it does."""

    model_config = ConfigDict(extra="forbid")

    column: Literal["suppliers", "inputs", "outputs", "customers"]
    keywords: list[Keyword] = Field(min_length=1, max_length=20)
    reason: Line


class SipocParams(BaseModel):
    """The case's triggers, the accepted items per column (process items are the key steps,
    in order) and the distractors."""

    model_config = ConfigDict(extra="forbid")

    start: Trigger
    end: Trigger
    min_steps: int = Field(default=4, ge=2, le=STEP_SLOTS)
    max_steps: int = Field(default=7, ge=2, le=STEP_SLOTS)
    recall: float = Field(default=0.8, gt=0, le=1)
    extra_verbs: list[Keyword] = Field(default_factory=list, max_length=30)
    suppliers: list[Item] = Field(min_length=1, max_length=MAX_LINES)
    inputs: list[Item] = Field(min_length=1, max_length=MAX_LINES)
    process: list[Item] = Field(min_length=2, max_length=STEP_SLOTS)
    outputs: list[Item] = Field(min_length=1, max_length=MAX_LINES)
    customers: list[Item] = Field(min_length=1, max_length=MAX_LINES)
    distractors: list[Distractor] = Field(default_factory=list, max_length=30)

    @model_validator(mode="after")
    def _reference_passes_its_own_checks(self) -> "SipocParams":
        if self.min_steps > self.max_steps:
            raise ValueError("min_steps must not exceed max_steps")
        if not self.min_steps <= len(self.process) <= self.max_steps:
            raise ValueError("the key steps (process) must number min_steps to max_steps")
        for column in COLUMNS:
            if not any(item.required for item in getattr(self, column)):
                raise ValueError(f"{column} needs at least one required item")
        failing = [
            part
            for part in grade_sipoc(self, reference_answer(self), default_parts()).parts
            if part.score < 1
        ]
        if failing:
            notes = " ".join(f"[{part.name}] {part.feedback}" for part in failing)
            raise ValueError(f"the reference SIPOC fails its own checks: {notes}")
        return self

    def items(self, column: str) -> list[Item]:
        items: list[Item] = getattr(self, column)
        return items

    @property
    def verbs(self) -> frozenset[str]:
        return VERBS | {w for verb in self.extra_verbs for w in words(verb)[:1]}


def default_parts() -> dict[str, PartSpec]:
    return {
        "triggers": PartSpec("Start and end triggers"),
        "suppliers": PartSpec("Suppliers"),
        "inputs": PartSpec("Inputs"),
        "process": PartSpec("Process steps", weight=2),
        "outputs": PartSpec("Outputs"),
        "customers": PartSpec("Customers"),
    }


def reference_answer(params: SipocParams) -> Answer:
    answer: Answer = {"start": params.start.text, "end": params.end.text}
    for column in LISTS:
        answer[column] = [item.name for item in params.items(column)]
    answer["steps"] = [item.name for item in params.process]
    return answer


class SipocKind(Kind):
    name = "sipoc"
    title = "SIPOC"
    Params = SipocParams
    template = "exercises/kinds/sipoc.html"

    def parts(self, params: SipocParams) -> dict[str, PartSpec]:
        return default_parts()

    def generate(self, params: SipocParams, rng: random.Random) -> Variant:
        # Every learner gets the same case: the structure, not the numbers, is the exercise.
        return {
            "min_steps": params.min_steps,
            "max_steps": params.max_steps,
            "step_slots": params.max_steps,
            "max_lines": MAX_LINES,
        }

    def parse(self, params: SipocParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = _SipocReader(raw)
        answer: Answer = {
            "start": reader.trigger("start", "Start trigger"),
            "end": reader.trigger("end", "End trigger"),
        }
        for column in LISTS:
            answer[column] = reader.lines(column, LABELS[column])
        answer["steps"] = reader.steps(params.max_steps)
        reader.done()
        return answer

    def solve(self, params: SipocParams, variant: Variant) -> Answer:
        return reference_answer(params)

    def grade(
        self, params: SipocParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        return grade_sipoc(params, answer, parts)

    def to_form(
        self, params: SipocParams, variant: Variant, answer: Answer
    ) -> dict[str, list[str]]:
        form = {"start": [answer["start"]], "end": [answer["end"]]}
        form.update({column: ["\n".join(answer[column])] for column in LISTS})
        form.update({f"step-{n}": [step] for n, step in enumerate(answer["steps"], start=1)})
        return form

    def view(self, params: SipocParams, variant: Variant, entered: RawAnswer) -> dict[str, Any]:
        return {"lists": [(column, LABELS[column]) for column in LISTS]}


class _SipocReader(FieldReader):
    def trigger(self, field: str, label: str) -> str:
        value = " ".join(single(self.raw, field).split())
        if not value:
            self.error(field, label, MISSING_TRIGGER)
        elif len(value) > LINE_LIMIT:
            self.error(field, label, TOO_LONG.format(limit=LINE_LIMIT, length=len(value)))
        return value

    def lines(self, field: str, label: str) -> list[str]:
        found = [_clean_line(line) for line in single(self.raw, field).splitlines()]
        found = [line for line in found if line]
        long = [(n, len(line)) for n, line in enumerate(found, start=1) if len(line) > LINE_LIMIT]
        if not found:
            self.error(field, label, MISSING_LIST)
        elif len(found) > MAX_LINES:
            self.error(field, label, TOO_MANY_LINES.format(limit=MAX_LINES, count=len(found)))
        elif long:
            n, length = long[0]
            self.error(field, label, LINE_TOO_LONG.format(limit=LINE_LIMIT, n=n, length=length))
        return found

    def steps(self, slots: int) -> list[str]:
        steps = [" ".join(single(self.raw, f"step-{n}").split()) for n in range(1, slots + 1)]
        while steps and not steps[-1]:
            steps.pop()
        if not steps:
            self.error("step-1", "Step 1", NO_STEPS)
        for n, step in enumerate(steps, start=1):
            if not step:
                self.error(f"step-{n}", f"Step {n}", STEP_GAP.format(n=n))
            elif len(step) > LINE_LIMIT:
                message = TOO_LONG.format(limit=LINE_LIMIT, length=len(step))
                self.error(f"step-{n}", f"Step {n}", message)
        return steps


def _clean_line(line: str) -> str:
    """A line without its bullet or number: "- Broker", "2. Broker" and "• Broker" read alike."""
    line = " ".join(line.split())
    for bullet in ("-", "*", "•", "–"):
        if line.startswith(bullet):
            return line[len(bullet) :].strip()
    head, dot, rest = line.partition(".")
    if dot and head.isdigit():
        return rest.strip()
    return line


def grade_sipoc(params: SipocParams, answer: Answer, parts: dict[str, PartSpec]) -> GradeResult:
    return GradeResult(
        [
            _triggers(params, answer, parts["triggers"]),
            _column(params, answer, "suppliers", parts["suppliers"]),
            _column(params, answer, "inputs", parts["inputs"]),
            _process(params, answer, parts["process"]),
            _column(params, answer, "outputs", parts["outputs"]),
            _column(params, answer, "customers", parts["customers"]),
        ]
    )


def _matches(line: str, item: Item) -> bool:
    return mentions(line, item.phrases) is not None


def _needed(params: SipocParams, required: list[Item]) -> int:
    return max(1, math.ceil(params.recall * len(required) - 1e-9))


def _found_note(found: int, required: list[Item], matched: set[int], what: str) -> str:
    note = FOUND.format(found=found, total=len(required), what=what)
    hints = [item.hint for n, item in enumerate(required) if n not in matched and item.hint]
    if hints:
        note += MISSING_HINTS.format(hints=" ".join(hints[:2]))
    return note if note.endswith(("?", ".")) else note + "."


def _triggers(params: SipocParams, answer: Answer, part: PartSpec) -> PartResult:
    notes = []
    if mentions(answer["start"], params.start.phrases) is None:
        notes.append(TRIGGER_START)
    if mentions(answer["end"], params.end.phrases) is None:
        notes.append(TRIGGER_END)
    score = 1 - len(notes) / 2
    expected = f"Start: {params.start.text}. End: {params.end.text}."
    return PartResult("triggers", part.label, score, part.weight,
                      " ".join(notes) or TRIGGERS_OK, expected)  # fmt: skip


def _column(params: SipocParams, answer: Answer, column: str, part: PartSpec) -> PartResult:
    """Key items found, up to the share needed, less one for each misplaced line."""
    required = [item for item in params.items(column) if item.required]
    optional = [item for item in params.items(column) if not item.required]
    what = LABELS[column].lower()
    matched: set[int] = set()
    wrong: list[str] = []
    unrecognised = 0
    for line in answer[column]:
        note = _misplaced(params, column, line)
        if note:
            wrong.append(note)
            continue
        hits = {n for n, item in enumerate(required) if _matches(line, item)}
        if not hits and not any(_matches(line, item) for item in optional):
            unrecognised += 1
        matched |= hits
    needed = _needed(params, required)
    found = len(matched)
    score = max(0, min(found, needed) - len(wrong)) / needed
    notes = []
    if found < needed:
        notes.append(_found_note(found, required, matched, what))
    notes += wrong
    if unrecognised and score < 1:
        notes.append(UNRECOGNISED.format(count=unrecognised))
    expected = "; ".join(item.name for item in params.items(column))
    feedback = " ".join(notes) or COLUMN_OK.format(what=what)
    return PartResult(column, part.label, score, part.weight, feedback, expected)


def _misplaced(params: SipocParams, column: str, line: str) -> str | None:
    """Why a line does not belong in its column, or None when it may."""
    for distractor in params.distractors:
        if distractor.column == column and mentions(line, distractor.keywords):
            return f"“{line}”: {distractor.reason}"
    if any(_matches(line, item) for item in params.items(column)):
        return None
    for other in LISTS:
        if other != column and any(_matches(line, item) for item in params.items(other)):
            return MISPLACED.format(line=line, right=SINGULAR[other], wrong=SINGULAR[column])
    return None


def _process(params: SipocParams, answer: Answer, part: PartSpec) -> PartResult:
    steps: list[str] = answer["steps"]
    low, high = params.min_steps, params.max_steps
    notes: list[str] = []
    checks: list[float] = []

    def check(ok: bool, note: str) -> None:
        checks.append(1.0 if ok else 0.0)
        if not ok:
            notes.append(note)

    check(low <= len(steps) <= high, STEP_COUNT.format(count=len(steps), low=low, high=high))
    not_verbs = [n for n, step in enumerate(steps, start=1) if not _starts_with_verb(params, step)]
    checks.append(1 - len(not_verbs) / max(1, len(steps)))
    notes += [STEP_VERB.format(n=n) for n in not_verbs[:2]]
    check(bool(steps) and mentions(steps[0], params.start.phrases + _anchor(params, 0)) is not None,
          STEP_FIRST)  # fmt: skip
    check(bool(steps) and mentions(steps[-1], params.end.phrases + _anchor(params, -1)) is not None,
          STEP_LAST)  # fmt: skip
    required = [item for item in params.process if item.required]
    matched = {n for n, item in enumerate(required) if any(_matches(s, item) for s in steps)}
    needed = _needed(params, required)
    checks.append(min(len(matched), needed) / needed)
    if len(matched) < needed:
        notes.append(_found_note(len(matched), required, matched, "steps"))
    score = sum(checks) / len(checks)
    expected = " → ".join(item.name for item in params.process)
    feedback = " ".join(notes) or PROCESS_OK.format(count=len(steps))
    return PartResult("process", part.label, score, part.weight, feedback, expected)


def _anchor(params: SipocParams, index: int) -> list[str]:
    """The first (or last) key step's phrasings also mark the start (or end) of the process."""
    return params.process[index].phrases


def _starts_with_verb(params: SipocParams, step: str) -> bool:
    word = first_word(step)
    verbs = params.verbs
    if word in verbs:
        return True
    for ending, base in (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", "")):
        if word.endswith(ending) and word[: -len(ending)] + base in verbs:
            return True
    return False

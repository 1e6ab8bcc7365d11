"""Fishbone (cause-and-effect) diagrams: the learner sorts a case's candidate causes onto
the bones the exercise names (for services, typically People, Process, Policies, Place,
Systems and Measurement) and ticks the causes to verify with data first.

Each bone is a part, graded as a set (LSS reference §2.0): a cause missing from its bone and a
cause put on it wrongly cost the same, 1 ÷ the causes that belong there. A cause the author
accepts on a second bone (`also`) counts there too. The verify part is graded the same way
against the causes marked `testable`. Feedback counts what is misplaced and gives the bone's
own description, never which cause goes where; the key is shown once the exercise is
finished. The learner's diagram is drawn as SVG.
"""

import random
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.charts.fishbone import Bone, Cause, render_fishbone
from app.grading.kinds.base import Answer, FieldReader, Kind, PartSpec, RawAnswer, Variant, single
from app.grading.kinds.params import Line, Slug
from app.grading.results import GradeResult, PartResult

MISSING_BONE = "choose the bone this cause belongs on."
UNKNOWN_BONE = "choose one of the bones listed."
UNKNOWN_CAUSE = "tick causes from the list only."

BONE_OK = "Correct: every cause on this bone belongs here, and none is missing."
BONE_EXTRA = "{count} cause(s) you put here belong on another bone."
BONE_MISSING = "{count} cause(s) that belong here are on other bones."
VERIFY_OK = "Correct: you picked exactly the causes that data can confirm or rule out."
VERIFY_MISSED = "{count} cause(s) that the team could test with data are not ticked."
VERIFY_EXTRA = (
    "{count} of your ticks cannot be settled with data the team could collect: they are "
    "opinions or judgements, better discussed than measured."
)
VERIFY_HOW = "Ask of each cause: which records or counts would show whether it is true?"
LEGEND = "Marked to verify with data first"


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Slug
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    hint: Line  # what belongs on this bone, shown when the bone is wrong


class CandidateCause(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Slug
    text: Line
    bone: Slug
    also: list[Slug] = Field(default_factory=list, max_length=3)  # other bones accepted
    testable: bool = False  # can be checked with data, so it is verified first


class FishboneParams(BaseModel):
    """The problem at the head, the bones and the candidate causes."""

    model_config = ConfigDict(extra="forbid")

    problem: Line
    categories: list[Category] = Field(min_length=3, max_length=8)
    causes: list[CandidateCause] = Field(min_length=4, max_length=30)
    shuffle: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> "FishboneParams":
        bones = [c.id for c in self.categories]
        if len(set(bones)) != len(bones):
            raise ValueError("category ids must be unique")
        ids = [c.id for c in self.causes]
        if len(set(ids)) != len(ids):
            raise ValueError("cause ids must be unique")
        for cause in self.causes:
            unknown = {cause.bone, *cause.also} - set(bones)
            if unknown:
                raise ValueError(f"cause {cause.id} names an unknown bone: {sorted(unknown)[0]}")
        empty = [b for b in bones if not any(c.bone == b for c in self.causes)]
        if empty:
            raise ValueError(f"every bone needs at least one cause; {empty[0]} has none")
        if not any(c.testable for c in self.causes):
            raise ValueError("mark at least one cause testable")
        return self

    def category(self, bone: str) -> Category:
        return next(c for c in self.categories if c.id == bone)


class FishboneKind(Kind):
    name = "fishbone"
    title = "Fishbone diagram"
    Params = FishboneParams
    template = "exercises/kinds/fishbone.html"
    charted = True

    def parts(self, params: FishboneParams) -> dict[str, PartSpec]:
        parts = {c.id: PartSpec(f"Bone: {c.label}") for c in params.categories}
        parts["verify"] = PartSpec("Causes to verify with data first", weight=2)
        return parts

    def generate(self, params: FishboneParams, rng: random.Random) -> Variant:
        order = [cause.id for cause in params.causes]
        if params.shuffle:
            rng.shuffle(order)
        texts = {cause.id: cause.text for cause in params.causes}
        return {
            "problem": params.problem,
            "causes": [{"id": cause_id, "text": texts[cause_id]} for cause_id in order],
            "bones": [{"id": c.id, "label": c.label} for c in params.categories],
            "count": len(order),
        }

    def parse(self, params: FishboneParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = FieldReader(raw)
        bones = {c.id for c in params.categories}
        placed: dict[str, str] = {}
        for n, cause in enumerate(variant["causes"], start=1):
            field, label = f"bone-{cause['id']}", f"Cause {n}"
            value = single(raw, field).strip()
            if not value:
                reader.error(field, label, MISSING_BONE)
            elif value not in bones:
                reader.error(field, label, UNKNOWN_BONE)
            else:
                placed[cause["id"]] = value
        known = {cause["id"] for cause in variant["causes"]}
        ticked = sorted({value.strip() for value in raw.get("verify") or [] if value.strip()})
        if any(value not in known for value in ticked):
            reader.error("verify", "Verify first", UNKNOWN_CAUSE)
        reader.done()
        return {"placed": placed, "verify": ticked}

    def solve(self, params: FishboneParams, variant: Variant) -> Answer:
        return {
            "placed": {cause.id: cause.bone for cause in params.causes},
            "verify": sorted(cause.id for cause in params.causes if cause.testable),
        }

    def grade(
        self, params: FishboneParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        results = [_bone(params, answer, c.id, parts[c.id]) for c in params.categories]
        results.append(_verify(params, answer, parts["verify"]))
        return GradeResult(results)

    def to_form(
        self, params: FishboneParams, variant: Variant, answer: Answer
    ) -> dict[str, list[str]]:
        form = {f"bone-{cause_id}": [bone] for cause_id, bone in answer["placed"].items()}
        form["verify"] = list(answer["verify"])
        return form

    def view(self, params: FishboneParams, variant: Variant, entered: RawAnswer) -> dict[str, Any]:
        drawing = None
        if any(single(entered, f"bone-{c['id']}").strip() for c in variant["causes"]):
            drawing = learner_fishbone(params, variant, entered, "fishbone-yours")
        return {"fishbone_svg": drawing}

    def chart_svg(
        self, params: FishboneParams, variant: Variant, entered: RawAnswer | None, dom_id: str
    ) -> str:
        if entered is None:
            key = self.solve(params, variant)
            return _draw(params, variant, key["placed"], set(key["verify"]), dom_id,
                         "The expected fishbone")  # fmt: skip
        return learner_fishbone(params, variant, entered, dom_id)


def learner_fishbone(
    params: FishboneParams, variant: Variant, entered: RawAnswer, dom_id: str
) -> str:
    """What the learner entered, drawn as read: causes not yet placed are left out."""
    bones = {c.id for c in params.categories}
    placed = {
        cause["id"]: value
        for cause in variant["causes"]
        if (value := single(entered, f"bone-{cause['id']}").strip()) in bones
    }
    ticked = {value.strip() for value in entered.get("verify") or []}
    return _draw(params, variant, placed, ticked, dom_id, "Your fishbone")


def _draw(
    params: FishboneParams,
    variant: Variant,
    placed: dict[str, str],
    ticked: set[str],
    dom_id: str,
    title: str,
) -> str:
    bones = [
        Bone(
            c.label,
            [
                Cause(cause["text"], cause["id"] in ticked)
                for cause in variant["causes"]
                if placed.get(cause["id"]) == c.id
            ],
        )
        for c in params.categories
    ]
    return render_fishbone(params.problem, bones, dom_id, title, LEGEND)


def _accepts(cause: CandidateCause, bone: str) -> bool:
    return bone == cause.bone or bone in cause.also


def _bone(params: FishboneParams, answer: Answer, bone: str, part: PartSpec) -> PartResult:
    placed = answer["placed"]
    belongs = [c for c in params.causes if c.bone == bone]
    extra = [c for c in params.causes if placed.get(c.id) == bone and not _accepts(c, bone)]
    missing = [c for c in belongs if not _accepts(c, placed.get(c.id, ""))]
    score = max(0.0, 1 - (len(extra) + len(missing)) / len(belongs))
    notes = []
    if extra:
        notes.append(BONE_EXTRA.format(count=len(extra)))
    if missing:
        notes.append(BONE_MISSING.format(count=len(missing)))
    category = params.category(bone)
    if notes:
        notes.append(f"{category.label}: {category.hint}")
    expected = "; ".join(c.text for c in belongs)
    return PartResult(bone, part.label, score, part.weight, " ".join(notes) or BONE_OK, expected)


def _verify(params: FishboneParams, answer: Answer, part: PartSpec) -> PartResult:
    expected = {c.id for c in params.causes if c.testable}
    given = set(answer["verify"])
    missed, extra = expected - given, given - expected
    score = max(0.0, 1 - (len(missed) + len(extra)) / len(expected))
    notes = []
    if missed:
        notes.append(VERIFY_MISSED.format(count=len(missed)))
    if extra:
        notes.append(VERIFY_EXTRA.format(count=len(extra)))
    if notes:
        notes.append(VERIFY_HOW)
    key = "; ".join(c.text for c in params.causes if c.testable)
    return PartResult("verify", part.label, score, part.weight, " ".join(notes) or VERIFY_OK, key)

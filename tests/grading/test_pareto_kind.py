"""The pareto kind: variants, the key against app.lss.pareto and qcc's published example,
ties, named mistakes, errors carried forward, parse errors, params, the drawing, and the
page, data and chart downloads (own data only)."""

import csv
import io
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.grading.kinds.pareto import ParetoKind, ParetoParams, learner_chart, reference_chart
from app.grading.results import AnswerErrors
from app.lss.pareto import pareto
from app.models import Attempt
from tests.conftest import sign_in
from tests.exercise_helpers import by_part, parse_svg, reference_form, submit

KIND = ParetoKind()
SVG = "{http://www.w3.org/2000/svg}"
NAMES = [
    "Long wait on the phone",
    "Wrong information",
    "Card declined",
    "Fees not explained",
    "Staff attitude",
    "Letter not received",
    "App login fails",
]
PARAMS = ParetoParams.model_validate(
    {"unit_name": "complaints", "categories": NAMES, "total": {"min": 300, "max": 800}}
)
ALWAYS_TIED = ParetoParams.model_validate({**PARAMS.model_dump(), "tie_share": 1.0})
QCC = {
    "contact num.": 94,
    "price code": 80,
    "supplier code": 66,
    "part num.": 33,
    "schedule date": 27,
}
QCC_PARAMS = ParetoParams.model_validate(
    {"unit_name": "defects", "categories": list(QCC), "total": {"min": 300, "max": 300}}
)


def variant(params=PARAMS, seed=3):
    return KIND.generate(params, random.Random(seed))


def qcc_variant():
    """qcc's pareto.chart example as a learner's data set, asked at supplier code."""
    v = variant(QCC_PARAMS)
    v["categories"] = [{"row": i, "name": n, "count": c} for i, (n, c) in enumerate(QCC.items(), 1)]
    v["total"], v["ask"] = 300, "supplier code"
    return v


def grade(params, v, **changes):
    answer = {**KIND.solve(params, v), **changes}
    return KIND.grade(params, v, answer, KIND.parts(params))


def counts(v):
    return {row["name"]: row["count"] for row in v["categories"]}


class TestTheKey:
    @pytest.mark.parametrize("params", [PARAMS, ALWAYS_TIED], ids=["plain", "tied"])
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=80, deadline=None)
    def test_the_reference_answer_scores_full_marks(self, params, seed):
        v = variant(params, seed)
        raw = KIND.to_form(params, v, KIND.solve(params, v))
        result = KIND.grade(params, v, KIND.parse(params, v, raw), KIND.parts(params))
        assert result.score == 1, [(p.name, p.feedback) for p in result.parts]

    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=80, deadline=None)
    def test_the_counts_always_fit_the_scenario(self, seed):
        v = variant(PARAMS, seed)
        assert [row["name"] for row in v["categories"]] == NAMES
        assert PARAMS.total.min <= v["total"] <= PARAMS.total.max
        assert sum(counts(v).values()) == v["total"]
        assert min(counts(v).values()) >= 1
        result = pareto(counts(v))
        assert all(not 79.9 < r.cumulative_percent < 80 for r in result.rows)
        assert len(result.vital_few) < len(NAMES)
        ask_count = counts(v)[v["ask"]]
        assert list(counts(v).values()).count(ask_count) == 1, "the asked category is never tied"
        assert v["ask"] not in (result.rows[0].category, result.rows[-1].category)

    def test_the_key_is_app_lss_pareto(self):
        v = variant()
        result = pareto(counts(v))
        key = KIND.solve(PARAMS, v)
        assert [NAMES[row - 1] for row in key["order"]] == [r.category for r in result.rows]
        assert {NAMES[row - 1] for row in key["vital"]} == set(result.vital_few)
        asked = next(r for r in result.rows if r.category == v["ask"])
        assert key["cumulative"] == asked.cumulative_percent

    def test_qccs_published_example_reaches_80_percent_at_the_third_category(self):
        key = KIND.solve(QCC_PARAMS, qcc_variant())
        assert key["cumulative"] == pytest.approx(80.0)
        assert key["vital"] == [1, 2, 3]
        assert key["order"] == [1, 2, 3, 4, 5]

    def test_the_big_categories_and_the_vital_few_vary_by_learner(self):
        keys = [KIND.solve(PARAMS, variant(PARAMS, s)) for s in range(40)]
        assert len({k["order"][0] for k in keys}) >= 4
        assert len({len(k["vital"]) for k in keys}) >= 2

    def test_some_variants_have_a_tie(self):
        tied = [s for s in range(40) if len(set(counts(variant(PARAMS, s)).values())) < 7]
        assert 0 < len(tied) < 40


class TestFeedback:
    def test_tied_categories_may_come_in_either_order(self):
        v = variant(ALWAYS_TIED, 2)
        key = KIND.solve(ALWAYS_TIED, v)
        values = [counts(v)[NAMES[row - 1]] for row in key["order"]]
        at = next(i for i in range(len(values) - 1) if values[i] == values[i + 1])
        swapped = list(key["order"])
        swapped[at], swapped[at + 1] = swapped[at + 1], swapped[at]
        part = by_part(grade(ALWAYS_TIED, v, order=swapped))["order"]
        assert part.score == 1
        assert "may come in either order" in part.feedback

    def test_smallest_first_is_named(self):
        v = variant()
        order = list(reversed(KIND.solve(PARAMS, v)["order"]))
        part = by_part(grade(PARAMS, v, order=order))["order"]
        assert part.score < 1
        assert "smallest first" in part.feedback

    def test_the_check_sheets_order_is_named_and_scored_per_category(self):
        v = variant()
        part = by_part(grade(PARAMS, v, order=[1, 2, 3, 4, 5, 6, 7]))["order"]
        assert "order of the check sheet" in part.feedback
        assert 0 <= part.score < 1

    def test_one_pair_swapped_loses_two_sevenths(self):
        v = variant(PARAMS, 5)
        order = list(KIND.solve(PARAMS, v)["order"])
        assert counts(v)[NAMES[order[0] - 1]] > counts(v)[NAMES[order[1] - 1]]
        order[0], order[1] = order[1], order[0]
        part = by_part(grade(PARAMS, v, order=order))["order"]
        assert part.score == pytest.approx(5 / 7)
        assert "5 of 7 categories" in part.feedback

    def test_the_categorys_own_share_is_named(self):
        v = variant()
        own = 100 * counts(v)[v["ask"]] / v["total"]
        part = by_part(grade(PARAMS, v, cumulative=own))["cumulative"]
        assert part.score == 0
        assert "own share" in part.feedback

    def test_stopping_at_the_category_above_is_named(self):
        v = variant()
        key = KIND.solve(PARAMS, v)["cumulative"]
        part = by_part(grade(PARAMS, v, cumulative=key - 100 * counts(v)[v["ask"]] / v["total"]))
        assert "includes" in part["cumulative"].feedback

    def test_a_fraction_for_a_percentage_is_a_scale_hint(self):
        v = variant()
        key = KIND.solve(PARAMS, v)["cumulative"]
        part = by_part(grade(PARAMS, v, cumulative=key / 100))["cumulative"]
        assert part.score == 0
        assert "not a fraction" in part.feedback

    def test_a_near_miss_earns_half(self):
        v = variant()
        key = KIND.solve(PARAMS, v)["cumulative"]
        part = by_part(grade(PARAMS, v, cumulative=key + 0.3))["cumulative"]
        assert part.score == 0.5

    def test_the_cumulative_percentage_and_vital_few_follow_the_learners_own_order(self):
        v = variant(PARAMS, 11)
        order = [1, 2, 3, 4, 5, 6, 7]
        running = 0
        for row in order:
            running += v["categories"][row - 1]["count"]
            if NAMES[row - 1] == v["ask"]:
                break
        own_vital, total = [], 0
        for row in order:
            own_vital.append(row)
            total += v["categories"][row - 1]["count"]
            if total >= 0.8 * v["total"]:
                break
        result = by_part(
            grade(
                PARAMS,
                v,
                order=order,
                cumulative=100 * running / v["total"],
                vital=sorted(own_vital),
            )
        )
        assert result["order"].score < 1
        assert result["cumulative"].score == 1
        assert "Consistent with your order" in result["cumulative"].feedback
        if set(own_vital) != set(KIND.solve(PARAMS, v)["vital"]):
            assert "Consistent with your order" in result["vital"].feedback
        assert result["vital"].score == 1

    def test_stopping_before_80_percent_is_named(self):
        v = variant()
        key = KIND.solve(PARAMS, v)
        short = sorted(set(key["vital"]) - {key["order"][len(key["vital"]) - 1]})
        part = by_part(grade(PARAMS, v, vital=short))["vital"]
        assert part.score == pytest.approx(1 - 1 / len(key["vital"]))
        assert "stopped before 80%" in part.feedback

    def test_one_past_80_percent_is_named(self):
        v = variant()
        key = KIND.solve(PARAMS, v)
        extra = sorted(set(key["vital"]) | {key["order"][len(key["vital"])]})
        part = by_part(grade(PARAMS, v, vital=extra))["vital"]
        assert "one category past" in part.feedback

    def test_skipping_a_big_category_is_named(self):
        v = variant()
        key = KIND.solve(PARAMS, v)
        picked = sorted(set(key["vital"][1:]) | {key["order"][-1]})
        part = by_part(grade(PARAMS, v, vital=picked))["vital"]
        assert "top of the Pareto order" in part.feedback

    def test_feedback_never_names_the_vital_few(self):
        v = variant()
        key = KIND.solve(PARAMS, v)
        part = by_part(grade(PARAMS, v, vital=[key["order"][-1]]))["vital"]
        assert part.score == 0
        top = NAMES[key["order"][0] - 1]
        assert top not in part.feedback and top in part.expected


class TestParse:
    def test_every_unreadable_field_is_named(self):
        v = variant()
        raw = {
            "rank-1": ["1"],
            "rank-2": ["1"],
            "rank-3": ["x"],
            "rank-4": ["4"],
            "rank-5": ["5"],
            "rank-6": ["6"],
            "cumulative": ["lots"],
            "vital": ["12"],
        }
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(PARAMS, v, raw)
        errors = raised.value.errors
        assert set(errors) == {"rank-1", "rank-2", "rank-3", "rank-7", "cumulative", "vital"}
        assert "more than one category" in errors["rank-1"]
        assert errors["rank-7"].startswith("Rank of App login fails")

    def test_no_vital_few_ticked_is_refused(self):
        v = variant()
        raw = KIND.to_form(PARAMS, v, KIND.solve(PARAMS, v))
        raw["vital"] = []
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(PARAMS, v, raw)
        assert set(raised.value.errors) == {"vital"}

    def test_a_percent_sign_is_allowed(self):
        v = variant()
        raw = {**KIND.to_form(PARAMS, v, KIND.solve(PARAMS, v)), "cumulative": ["83,7%"]}
        assert KIND.parse(PARAMS, v, raw)["cumulative"] == pytest.approx(83.7)


class TestParams:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"categories": ["A", "B", "C"]}, "at least 4"),
            ({"categories": ["A", "B", "C", "a"]}, "must differ"),
            ({"categories": ["A", "B", "C", "Other"]}, "is not one cause"),
            ({"total": {"min": 40, "max": 50}}, "10 per category"),
            ({"decay": {"min": 0.1, "max": 0.5}}, "decay"),
            ({"threshold": 80}, "threshold"),
            ({"colour": "red"}, "colour"),
        ],
    )
    def test_inconsistent_params_are_refused_with_a_clear_message(self, change, message):
        with pytest.raises(ValueError, match=message):
            ParetoParams.model_validate({**PARAMS.model_dump(), **change})


class TestTheDrawing:
    def test_the_reference_chart_is_well_formed(self):
        v = variant()
        root = parse_svg(reference_chart(PARAMS, v, "chart"))
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title").text == "Pareto chart of complaints"
        desc = root.find(f"{SVG}desc").text
        assert "Marked as the vital few" in desc
        assert len(root.findall(f".//{SVG}rect")) == 7
        assert len(root.findall(f".//{SVG}circle")) == 7, "one cumulative point per bar"
        assert root.findall(f".//{SVG}script") == []
        labels = [t.text for t in root.iter(f"{SVG}text")]
        assert "80%" in labels and "100.0%" in labels
        assert all(e.get("id", "chart").startswith("chart") for e in root.iter())

    def test_the_bars_fall_and_the_vital_few_are_dark(self):
        v = variant()
        root = parse_svg(reference_chart(PARAMS, v, "chart"))
        heights = [float(r.get("height")) for r in root.iter(f"{SVG}rect")]
        assert heights == sorted(heights, reverse=True)
        dark = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#0b5fa5"]
        assert len(dark) == len(KIND.solve(PARAMS, v)["vital"])

    def test_the_learners_chart_draws_their_own_order(self):
        v = variant()
        raw = {f"rank-{i}": [str(i)] for i in range(1, 8)} | {"vital": ["1"]}
        root = parse_svg(learner_chart(PARAMS, v, raw, "mine"))
        assert root.find(f"{SVG}title").text.startswith("Your answer")
        tips = [r.find(f"{SVG}title").text for r in root.iter(f"{SVG}rect")]
        assert [t.split(":")[0] for t in tips] == NAMES
        dark = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#0b5fa5"]
        assert len(dark) == 1

    def test_author_text_is_escaped(self):
        params = ParetoParams.model_validate(
            {**PARAMS.model_dump(), "categories": ["<script>x</script>", *NAMES[1:]]}
        )
        svg = reference_chart(params, variant(params), "chart")
        assert "<script>" not in svg
        parse_svg(svg)


SLUG = "yb-10-pareto-complaints"
PAGE = f"/exercises/{SLUG}"


class TestThePage:
    def test_the_page_shows_the_counts_the_fields_and_the_csv_link(self, signed_in, content):
        page = signed_in("ada").get(PAGE).text
        assert f'href="/exercises/{SLUG}/data.csv"' in page
        assert 'name="rank-7"' in page and 'name="vital"' in page
        assert 'aria-label="Rank of Mess left after the job"' in page
        assert f'<label for="{SLUG}-cumulative">Cumulative percentage at' in page

    def test_a_learner_submits_and_gets_feedback_with_their_chart(
        self, signed_in, content, db, cast
    ):
        ada = signed_in("ada")
        form = reference_form(db, cast["ada"], SLUG)
        form.update({f"rank-{i}": [str(i)] for i in range(1, 8)})
        assert submit(ada, SLUG, form).status_code == 303
        page = ada.get(PAGE).text
        assert "order of the check sheet" in page or "categories are at a rank" in page
        assert "Your last answer drawn: the bars in your order" in page
        assert 0 < db.exec(select(Attempt)).one().score < 1

    def test_the_reference_answer_passes(self, signed_in, content, db, cast):
        ada = signed_in("ada")
        assert submit(ada, SLUG, reference_form(db, cast["ada"], SLUG)).status_code == 303
        assert db.exec(select(Attempt)).one().score == 1

    def test_a_malformed_answer_is_a_422_naming_the_field(self, signed_in, content, db, cast):
        ada = signed_in("ada")
        form = reference_form(db, cast["ada"], SLUG)
        form["cumulative"] = ["lots"]
        form["rank-2"] = form["rank-1"]
        response = submit(ada, SLUG, form)
        assert response.status_code == 422
        assert "“lots” is not a number." in response.text
        assert "is given to more than one category" in response.text
        assert db.exec(select(Attempt)).all() == []

    def test_the_csv_is_the_learners_own_data(self, signed_in, content, new_client):
        ada = signed_in("ada")
        response = ada.get(f"{PAGE}/data.csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["Category", "Complaints"]
        assert rows[1][0] == "Repair not done on the day booked"
        page = ada.get(PAGE).text
        assert all(f">{row[1]}<" in page for row in rows[1:])
        ben = new_client()
        sign_in(ben, "ben")
        assert list(csv.reader(io.StringIO(ben.get(f"{PAGE}/data.csv").text)))[1:] != rows[1:]

    def test_the_attempt_chart_is_for_its_owner_only(self, signed_in, content, db, new_client):
        ada = signed_in("ada")
        answer = {f"rank-{i}": str(i) for i in range(1, 8)} | {"cumulative": "50", "vital": "1"}
        submit(ada, SLUG, answer)
        attempt = db.exec(select(Attempt)).one()
        own = ada.get(f"/attempts/{attempt.id}/chart.svg")
        assert own.status_code == 200
        assert own.headers["content-type"] == "image/svg+xml"
        assert parse_svg(own.text).find(f"{SVG}title").text.startswith("Your answer")
        ben = new_client()
        sign_in(ben, "ben")
        assert ben.get(f"/attempts/{attempt.id}/chart.svg").status_code == 404

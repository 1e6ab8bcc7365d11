"""Pareto ranking and the vital few against qcc's worked example, ties, wrong inputs and
properties.

Published source: qcc's pareto.chart example (Scrucca, R News 4/1, 2004): error causes
price code 80, schedule date 27, supplier code 66, contact num. 94, part num. 33, printed
as 31.33, 58.00, 80.00, 91.00 and 100.00 cumulative percent.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.lss.pareto import ParetoRow, pareto

QCC_DEFECTS = {
    "price code": 80,
    "schedule date": 27,
    "supplier code": 66,
    "contact num.": 94,
    "part num.": 33,
}

counts_by_category = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3),
    st.integers(min_value=0, max_value=1_000),
    min_size=1,
    max_size=12,
).filter(lambda counts: sum(counts.values()) > 0)


class TestQccExample:
    def test_the_ranking_and_percentages(self):
        analysis = pareto(QCC_DEFECTS)
        assert analysis.total == 300
        assert [row.category for row in analysis.rows] == [
            "contact num.",
            "price code",
            "supplier code",
            "part num.",
            "schedule date",
        ]
        assert [round(row.percent, 2) for row in analysis.rows] == [31.33, 26.67, 22.0, 11.0, 9.0]
        assert [round(row.cumulative_percent, 2) for row in analysis.rows] == [
            31.33,
            58.0,
            80.0,
            91.0,
            100.0,
        ]
        assert analysis.rows[0] == ParetoRow(
            "contact num.", 94, pytest.approx(94 / 3), pytest.approx(94 / 3)
        )

    def test_a_category_landing_exactly_on_80_percent_ends_the_vital_few(self):
        assert pareto(QCC_DEFECTS).vital_few == ("contact num.", "price code", "supplier code")


class TestVitalFew:
    def test_the_category_that_crosses_80_percent_belongs_to_the_vital_few(self):
        analysis = pareto({"Late": 50, "Wrong item": 25, "Damaged": 10, "Missing": 10, "Other": 5})
        # 50%, 75%, 85%: three categories are needed to reach 80%.
        assert analysis.vital_few == ("Late", "Wrong item", "Damaged")

    def test_one_dominant_category_is_the_vital_few_on_its_own(self):
        assert pareto({"Keying errors": 90, "Missing signature": 10}).vital_few == (
            "Keying errors",
        )

    def test_another_threshold_can_be_asked_for(self):
        analysis = pareto(QCC_DEFECTS, threshold=0.5)
        assert analysis.vital_few == ("contact num.", "price code")
        assert analysis.threshold == 0.5


class TestOrdering:
    def test_ties_are_broken_by_name(self):
        analysis = pareto({"b": 5, "a": 5, "c": 9, "B": 5})
        assert [row.category for row in analysis.rows] == ["c", "a", "B", "b"]

    def test_categories_without_defects_come_last_with_zero_percent(self):
        analysis = pareto({"Unused": 0, "Used": 4})
        assert analysis.rows[-1] == ParetoRow("Unused", 0, 0.0, 100.0)
        assert analysis.vital_few == ("Used",)

    def test_fractional_counts_such_as_hours_are_allowed(self):
        analysis = pareto({"Rework": 12.5, "Waiting": 37.5})
        assert [row.percent for row in analysis.rows] == [75.0, 25.0]


class TestWrongInputs:
    @pytest.mark.parametrize(
        ("counts", "message"),
        [
            ({}, "counts needs at least one category"),
            ({"Late": 3, "Lost": -1}, "The count of 'Lost' cannot be negative"),
            ({"Late": 3, "Lost": math.nan}, "The count of 'Lost' must be a finite number"),
            ({"Late": 3, "Lost": "2"}, "The count of 'Lost' must be a finite number"),
            ({"Late": 0, "Lost": 0}, "counts are all zero"),
            ({"": 3}, "Every category in counts needs a name"),
            ({7: 3}, "Every category in counts needs a name"),
        ],
    )
    def test_it_is_refused_with_a_reason(self, counts, message):
        with pytest.raises(ValueError, match=message):
            pareto(counts)

    def test_a_percentage_threshold_gets_a_hint(self):
        with pytest.raises(ValueError, match=r"between 0 and 1 \(got 80\)\. Write percentages as"):
            pareto(QCC_DEFECTS, threshold=80)

    def test_a_zero_threshold_is_refused(self):
        with pytest.raises(ValueError, match="threshold must be above 0"):
            pareto(QCC_DEFECTS, threshold=0)


class TestProperties:
    @given(counts_by_category)
    def test_rows_are_ranked_and_add_up_to_100_percent(self, counts):
        analysis = pareto(counts)
        keys = [(-row.count, row.category.casefold(), row.category) for row in analysis.rows]
        assert keys == sorted(keys)
        assert math.fsum(row.percent for row in analysis.rows) == pytest.approx(100)
        assert analysis.rows[-1].cumulative_percent == pytest.approx(100)

    @given(counts_by_category, st.floats(min_value=0.05, max_value=1))
    def test_the_vital_few_is_the_shortest_head_reaching_the_threshold(self, counts, threshold):
        analysis = pareto(counts, threshold)
        head = analysis.rows[: len(analysis.vital_few)]
        assert tuple(row.category for row in head) == analysis.vital_few
        assert head[-1].cumulative_percent >= 100 * threshold - 1e-9
        if len(head) > 1:
            assert head[-2].cumulative_percent < 100 * threshold

    @given(counts_by_category, st.integers(min_value=2, max_value=1_000))
    def test_scaling_every_count_changes_no_share(self, counts, factor):
        before = pareto(counts)
        after = pareto({category: factor * count for category, count in counts.items()})
        assert after.vital_few == before.vital_few
        for old, new in zip(before.rows, after.rows, strict=True):
            assert new.percent == pytest.approx(old.percent)

"""The toolkit's analyses give the figures app.lss gives for the same data, and refuse bad
data with a message naming the field."""

import pytest

from app.errors import InvalidInput
from app.lss import spc, stats
from app.lss.capability import capability
from app.lss.doe import factorial_effects, full_factorial
from app.toolkit import analyses

# Montgomery, Introduction to Statistical Quality Control, the flow width data used across
# SPC texts is long; a short individuals series whose limits are easy to recompute is enough
# here, since app.lss.spc is itself tested against the published examples.
VALUES = [31.2, 29.8, 33.5, 30.1, 28.7, 32.4, 30.9, 29.5, 31.8, 30.2, 34.1, 29.9, 49.5, 30.4]


def csv(columns: dict[str, list]) -> str:  # type: ignore[type-arg]
    rows = zip(*columns.values(), strict=True)
    return ",".join(columns) + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n"


class TestControlChart:
    def test_individuals_limits_and_signals_are_app_lss_ones(self):
        data = csv({"day": list(range(1, 15)), "minutes": VALUES})
        result = analyses.control_chart(analyses.ControlChartInput(data=data)).result
        limits = spc.imr_limits(VALUES)
        assert result["center"] == pytest.approx(limits.individuals.center)
        assert result["ucl"] == pytest.approx([limits.individuals.ucl] * len(VALUES))
        expected = spc.run_rule_violations(
            VALUES, limits.individuals.center, limits.sigma, [1, 2, 5, 6]
        )
        assert [s["sample"] for s in result["signals"]] == sorted({v.index + 1 for v in expected})
        assert result["signals"][0]["sample"] == 13  # the 49.5

    def test_a_p_chart_has_limits_per_sample_from_the_size_column(self):
        data = csv({"abandoned": [12, 30, 9, 15], "offered": [300, 620, 280, 410]})
        given = analyses.ControlChartInput(
            data=data, chart="p", column="abandoned", size_column="offered"
        )
        result = analyses.control_chart(given).result
        limits = spc.p_chart_limits([12, 30, 9, 15], [300, 620, 280, 410])
        assert result["ucl"] == pytest.approx(list(limits.ucl))
        assert result["points"] == pytest.approx(list(limits.points))

    def test_an_xbar_chart_reads_each_row_as_a_subgroup(self):
        groups = [[5.1, 4.9, 5.3], [5.0, 5.2, 4.8], [5.4, 5.1, 5.0], [4.7, 5.0, 5.2]]
        data = "a,b,c\n" + "\n".join(",".join(map(str, g)) for g in groups)
        result = analyses.control_chart(
            analyses.ControlChartInput(data=data, chart="xbar_r")
        ).result
        assert result["center"] == pytest.approx(spc.xbar_r_limits(groups).xbar.center)

    def test_more_defectives_than_inspected_names_the_row(self):
        data = csv({"bad": [3, 9], "n": [10, 8]})
        given = analyses.ControlChartInput(data=data, chart="p", column="bad", size_column="n")
        with pytest.raises(InvalidInput) as raised:
            analyses.control_chart(given)
        assert raised.value.detail == "Row 3: 9 found in a sample of 8."

    def test_too_few_points_is_a_clear_error(self):
        with pytest.raises(InvalidInput) as raised:
            analyses.control_chart(analyses.ControlChartInput(data="minutes\n4\n"))
        assert "at least 2" in raised.value.detail


class TestCapability:
    def test_indices_are_app_lss_ones(self):
        data = csv({"hours": VALUES[:12]})
        given = analyses.CapabilityInput(data=data, lsl=25, usl=36)
        result = analyses.capability(given).result
        expected = capability(VALUES[:12], 25, 36)
        assert result["cpk"] == pytest.approx(expected.cpk)
        assert result["ppk"] == pytest.approx(expected.ppk)
        assert result["cp"] == pytest.approx(expected.cp)

    def test_lsl_at_or_above_usl_is_refused(self):
        with pytest.raises(ValueError, match=r"lsl \(5\) must be below usl \(5\)"):
            analyses.CapabilityInput(data="x\n1\n", lsl=5, usl=5)

    def test_data_with_no_variation_is_refused(self):
        with pytest.raises(InvalidInput, match="no variation"):
            analyses.capability(analyses.CapabilityInput(data="x\n3\n3\n3\n", usl=5))


class TestPareto:
    def test_rows_each_counting_once_are_counted(self):
        data = "reason\n" + "\n".join(["fee"] * 6 + ["card"] * 3 + ["address"])
        result = analyses.pareto(analyses.ParetoInput(data=data)).result
        assert [r["category"] for r in result["rows"]] == ["fee", "card", "address"]
        assert result["vital_few"] == ["fee", "card"]

    def test_a_count_column_adds_up_repeated_categories(self):
        data = csv({"reason": ["fee", "card", "fee"], "n": [5, 7, 4]})
        result = analyses.pareto(analyses.ParetoInput(data=data, column="reason", count_column="n"))
        assert [(r["category"], r["count"]) for r in result.result["rows"]] == [
            ("fee", 9),
            ("card", 7),
        ]


class TestHypothesisTest:
    def test_a_paired_test_is_app_lss_one(self):
        before, after = [12.1, 13.4, 11.8, 14.2, 12.9], [10.4, 11.9, 11.2, 12.0, 11.1]
        given = analyses.HypothesisTestInput(data=csv({"b": before, "a": after}), test="paired")
        result = analyses.hypothesis_test(given).result
        expected = stats.t_test_paired(before, after)
        assert result["statistic"] == pytest.approx(expected.t)
        assert result["p_value"] == pytest.approx(expected.p_value)
        assert result["reject_null"] is (expected.p_value < 0.05)

    def test_groups_of_different_sizes_leave_blank_cells(self):
        data = "a,b,c\n1,4,7\n2,5,8\n3,6,\n2,,\n"
        given = analyses.HypothesisTestInput(data=data, test="anova")
        result = analyses.hypothesis_test(given).result
        expected = stats.one_way_anova([[1, 2, 3, 2], [4, 5, 6], [7, 8]])
        assert result["statistic"] == pytest.approx(expected.f)
        assert result["df"] == [2, 6]

    def test_a_chi_square_test_reads_the_table_of_counts(self):
        table = [[30, 10], [20, 40]]
        data = "yes,no\n30,10\n20,40\n"
        result = analyses.hypothesis_test(
            analyses.HypothesisTestInput(data=data, test="chi_square")
        ).result
        assert result["statistic"] == pytest.approx(stats.chi_square_independence(table).statistic)

    def test_a_chi_square_chart_shows_the_counts_by_column(self):
        data = "yes,no\n30,10\n20,40\n"
        given = analyses.HypothesisTestInput(data=data, test="chi_square")
        svg = analyses.hypothesis_test(given).svg
        assert svg is not None and ">yes<" in svg and ">no<" in svg

    def test_the_wrong_number_of_columns_is_named(self):
        with pytest.raises(InvalidInput) as raised:
            analyses.hypothesis_test(
                analyses.HypothesisTestInput(data="a,b,c\n1,2,3\n", test="paired")
            )
        assert raised.value.field == "columns"
        assert raised.value.detail == "Paired t-test needs exactly 2 columns."


class TestDoe:
    def test_effects_reproduce_app_lss_with_settings_coded_from_two_values(self):
        design = full_factorial(3)
        y = [42, 35, 39, 30, 37, 31, 34, 24]
        rows = ["script,queue,staff,minutes"]
        for run, value in zip(design, y, strict=True):
            rows.append(",".join(str(10 + 5 * run[f]) for f in "ABC") + f",{value}")
        result = analyses.doe(analyses.DoeInput(data="\n".join(rows))).result
        expected = factorial_effects(design, y)
        assert result["effects"]["script"] == pytest.approx(expected.effects["A"])
        assert result["effects"]["script×queue"] == pytest.approx(expected.effects["AB"])

    def test_a_factor_with_three_settings_is_refused(self):
        with pytest.raises(InvalidInput, match="exactly two settings"):
            analyses.doe(analyses.DoeInput(data="a,b,y\n1,1,3\n2,1,4\n3,2,5\n1,2,6\n"))

"""Control limits against published worked examples, the constants table, run rules, wrong
inputs and properties.

Published sources typed in here:
- NIST/SEMATECH e-Handbook of Statistical Methods, §6.3.2.2 (individuals, flow rate),
  §6.3.3.1 (c chart, wafer defects), §6.3.3.2 (p chart, wafers of 50 chips).
- Montgomery, Introduction to Statistical Quality Control (6th ed.): piston-ring diameters
  (Table 6.3, X̄-R and X̄-S, Example 6.3), orange-juice cans (Table 7.1, the same numbers as
  NIST §6.3.3.2), nonconformities on printed circuit boards (Table 7.7), personal computers
  (u chart, n = 5), dyed cloth (u chart, varying units), Appendix VI (factors).
  The R package qcc ships these data sets (pistonrings, orangejuice, circuit, pcmanufact,
  dyedcloth); where Montgomery rounds, qcc's printed output gives more digits.
- Pyzdek & Keller, The Handbook for Quality Management (2nd ed., McGraw-Hill 2013),
  Tables 9.6–9.7: bruised peaches, a p chart with sample sizes of 250 and 500.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import trapezoid
from scipy.stats import norm

from app.lss.spc import (
    Violation,
    c_chart_limits,
    chart_constants,
    imr_limits,
    np_chart_limits,
    p_chart_limits,
    run_rule_violations,
    u_chart_limits,
    xbar_r_limits,
    xbar_s_limits,
)

# NIST §6.3.2.2: flow rate of the first 10 batches of a new process.
NIST_FLOW_RATE = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]

# Montgomery Table 6.3 / qcc pistonrings: inside diameter (mm), 25 phase-I samples of 5 …
PISTON_RINGS = [
    [74.030, 74.002, 74.019, 73.992, 74.008],
    [73.995, 73.992, 74.001, 74.011, 74.004],
    [73.988, 74.024, 74.021, 74.005, 74.002],
    [74.002, 73.996, 73.993, 74.015, 74.009],
    [73.992, 74.007, 74.015, 73.989, 74.014],
    [74.009, 73.994, 73.997, 73.985, 73.993],
    [73.995, 74.006, 73.994, 74.000, 74.005],
    [73.985, 74.003, 73.993, 74.015, 73.988],
    [74.008, 73.995, 74.009, 74.005, 74.004],
    [73.998, 74.000, 73.990, 74.007, 73.995],
    [73.994, 73.998, 73.994, 73.995, 73.990],
    [74.004, 74.000, 74.007, 74.000, 73.996],
    [73.983, 74.002, 73.998, 73.997, 74.012],
    [74.006, 73.967, 73.994, 74.000, 73.984],
    [74.012, 74.014, 73.998, 73.999, 74.007],
    [74.000, 73.984, 74.005, 73.998, 73.996],
    [73.994, 74.012, 73.986, 74.005, 74.007],
    [74.006, 74.010, 74.018, 74.003, 74.000],
    [73.984, 74.002, 74.003, 74.005, 73.997],
    [74.000, 74.010, 74.013, 74.020, 74.003],
    [73.988, 74.001, 74.009, 74.005, 73.996],
    [74.004, 73.999, 73.990, 74.006, 74.009],
    [74.010, 73.989, 73.990, 74.009, 74.014],
    [74.015, 74.008, 73.993, 74.000, 74.010],
    [73.982, 73.984, 73.995, 74.017, 74.013],
]
# … and the 15 phase-II samples (26 to 40) that Montgomery charts against those limits.
PISTON_RINGS_PHASE_II = [
    [74.012, 74.015, 74.030, 73.986, 74.000],
    [73.995, 74.010, 73.990, 74.015, 74.001],
    [73.987, 73.999, 73.985, 74.000, 73.990],
    [74.008, 74.010, 74.003, 73.991, 74.006],
    [74.003, 74.000, 74.001, 73.986, 73.997],
    [73.994, 74.003, 74.015, 74.020, 74.004],
    [74.008, 74.002, 74.018, 73.995, 74.005],
    [74.001, 74.004, 73.990, 73.996, 73.998],
    [74.015, 74.000, 74.016, 74.025, 74.000],
    [74.030, 74.005, 74.000, 74.016, 74.012],
    [74.001, 73.990, 73.995, 74.010, 74.024],
    [74.015, 74.020, 74.024, 74.005, 74.019],
    [74.035, 74.010, 74.012, 74.015, 74.026],
    [74.017, 74.013, 74.036, 74.025, 74.026],
    [74.010, 74.005, 74.029, 74.000, 74.020],
]

# Montgomery Table 7.1 = NIST §6.3.3.2: nonconforming cans (or chips) in 30 samples of 50.
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
                8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip

# Pyzdek & Keller Table 9.6: bruised peaches per shipment, one crate (250) or two (500).
PEACH_SIZES = [250] * 10 + [500] * 3 + [250] * 8 + [500] * 4
PEACHES_BRUISED = [47, 42, 55, 51, 46, 61, 39, 44, 41, 51, 88, 101, 101,
                   40, 48, 47, 50, 48, 57, 45, 43, 105, 98, 100, 96]  # fmt: skip

# NIST §6.3.3.1: defects on 25 successive wafers (the inspection unit).
WAFER_DEFECTS = [16, 14, 28, 16, 12, 20, 10, 12, 10, 17, 19, 17, 14,
                 16, 15, 13, 14, 16, 11, 20, 11, 19, 16, 31, 13]  # fmt: skip

# Montgomery Table 7.7 / qcc circuit: nonconformities in 26 samples of 100 boards.
CIRCUIT_BOARDS = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16,
                  19, 10, 17, 13, 22, 18, 39, 30, 24, 16, 19, 17, 15]  # fmt: skip

# Montgomery / qcc pcmanufact: nonconformities in 20 samples of 5 personal computers.
COMPUTERS = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5]

# Montgomery / qcc dyedcloth: defects per roll, units of 50 m² inspected per roll.
CLOTH_DEFECTS = [14, 12, 20, 11, 7, 10, 21, 16, 19, 23]
CLOTH_UNITS = [10, 8, 13, 10, 9.5, 10, 12, 10.5, 12, 12.5]

# Factors for n = 2…10 (docs LSS-REFERENCE §3.4, = Montgomery Appendix VI), in the order
# n, A2, A3, c4, B3, B4, d2, D3, D4, E2; three decimals, c4 four.
PUBLISHED_FACTORS = [
    (2, 1.880, 2.659, 0.7979, 0, 3.267, 1.128, 0, 3.267, 2.660),
    (3, 1.023, 1.954, 0.8862, 0, 2.568, 1.693, 0, 2.574, 1.772),
    (4, 0.729, 1.628, 0.9213, 0, 2.266, 2.059, 0, 2.282, 1.457),
    (5, 0.577, 1.427, 0.9400, 0, 2.089, 2.326, 0, 2.114, 1.290),
    (6, 0.483, 1.287, 0.9515, 0.030, 1.970, 2.534, 0, 2.004, 1.184),
    (7, 0.419, 1.182, 0.9594, 0.118, 1.882, 2.704, 0.076, 1.924, 1.109),
    (8, 0.373, 1.099, 0.9650, 0.185, 1.815, 2.847, 0.136, 1.864, 1.054),
    (9, 0.337, 1.032, 0.9693, 0.239, 1.761, 2.970, 0.184, 1.816, 1.010),
    (10, 0.308, 0.975, 0.9727, 0.284, 1.716, 3.078, 0.223, 1.777, 0.975),
    # Appendix VI, larger subgroups (E2 = 3/d2 worked from the tabled d2).
    (15, 0.223, 0.789, 0.9823, 0.428, 1.572, 3.472, 0.347, 1.653, 0.864),
    (20, 0.180, 0.680, 0.9869, 0.510, 1.490, 3.735, 0.415, 1.585, 0.803),
    (25, 0.153, 0.606, 0.9896, 0.565, 1.435, 3.931, 0.459, 1.541, 0.763),
]

measurement = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)
scale = st.floats(min_value=0.01, max_value=100)
shift = st.floats(min_value=-1e3, max_value=1e3)


def table_tolerance(statistic: float) -> float:
    """§2.0: a constant printed to three decimals moves a limit by up to 0.0005 × the statistic."""
    return 0.0005 * statistic + 1e-12


def range_moments(n: int) -> tuple[float, float]:
    """d2 and d3 by numerical integration: F(w) = n∫φ(x)[Φ(x + w) − Φ(x)]^(n−1) dx is the CDF
    of the range of n standard normal values; d2 = ∫(1 − F), E[W²] = 2∫w(1 − F)."""
    step = 0.01
    x = np.linspace(-8, 8, 1601)
    w = np.linspace(0, 10, 1001)
    cdf = norm.cdf(np.linspace(-8, 18, 2601))  # Φ on the lattice x + w
    shifted = cdf[np.arange(len(x))[None, :] + np.arange(len(w))[:, None]]
    inner = norm.pdf(x)[None, :] * (shifted - cdf[: len(x)][None, :]) ** (n - 1)
    survival = 1 - n * trapezoid(inner, dx=step, axis=1)
    d2 = trapezoid(survival, dx=step)
    return d2, math.sqrt(2 * trapezoid(w * survival, dx=step) - d2**2)


class TestChartConstants:
    @pytest.mark.parametrize(
        ("n", "a2", "a3", "c4", "b3", "b4", "d2", "d3_factor", "d4_factor", "e2"),
        PUBLISHED_FACTORS,
    )
    def test_they_match_the_published_table(
        self, n, a2, a3, c4, b3, b4, d2, d3_factor, d4_factor, e2
    ):
        constants = chart_constants(n)
        tabled = (constants.A2, constants.d2, constants.D3, constants.D4)
        assert tabled == (a2, d2, d3_factor, d4_factor)
        assert constants.c4 == pytest.approx(c4, abs=5e-5)
        for exact, printed in [
            (constants.A3, a3),
            (constants.B3, b3),
            (constants.B4, b4),
            (constants.E2, e2),
        ]:
            assert exact == pytest.approx(printed, abs=5e-4)

    @pytest.mark.parametrize("n", range(2, 26))
    def test_every_tabled_row_agrees_with_numerical_integration(self, n):
        d2, d3 = range_moments(n)
        constants = chart_constants(n)
        assert constants.d2 == pytest.approx(d2, abs=5e-4)
        assert abs(constants.A2 - 3 / (d2 * math.sqrt(n))) <= 5e-4
        # The printed D3/D4 were worked from rounded d2 and d3, so they may be one unit off
        # in the third decimal (D4 for n = 3 is printed 2.574; the exact value is 2.5746).
        assert abs(constants.D3 - max(0.0, 1 - 3 * d3 / d2)) <= 1.1e-3
        assert abs(constants.D4 - (1 + 3 * d3 / d2)) <= 1.1e-3

    def test_c4_for_two_is_the_square_root_of_2_over_pi(self):
        assert chart_constants(2).c4 == pytest.approx(math.sqrt(2 / math.pi), rel=1e-14)

    @given(st.integers(min_value=2, max_value=25))
    def test_the_exact_s_factors_are_consistent(self, n):
        constants = chart_constants(n)
        assert 0 < constants.c4 < 1 < constants.B4
        if constants.B3 > 0:
            assert abs(constants.B3 + constants.B4 - 2) < 1e-12
        assert constants.A3 * constants.c4 * math.sqrt(n) == pytest.approx(3)

    @pytest.mark.parametrize("size", [0, 1, 26, 2.5])
    def test_sizes_outside_2_to_25_are_refused(self, size):
        with pytest.raises(ValueError, match="subgroup_size must be a whole number from 2 to 25"):
            chart_constants(size)


class TestIndividualsChart:
    def test_the_nist_flow_rate_example(self):
        chart = imr_limits(NIST_FLOW_RATE)
        assert chart.moving_ranges == pytest.approx([2.0, 2.3, 1.4, 3.5, 3.4, 1.4, 0.2, 1.2, 1.5])
        assert chart.individuals.center == pytest.approx(50.81)
        assert chart.moving_range.center == pytest.approx(1.8778, abs=5e-5)
        assert chart.individuals.ucl == pytest.approx(55.8041, abs=5e-5)
        assert chart.individuals.lcl == pytest.approx(45.8159, abs=5e-5)
        # MR chart: 0 and D4(2) × MR̄ = 3.267 × 1.87778.
        assert (chart.moving_range.lcl, chart.moving_range.ucl) == (
            0,
            pytest.approx(6.1347, abs=5e-5),
        )
        assert chart.sigma == pytest.approx(1.8778 / 1.128, abs=5e-5)

    def test_one_value_is_not_enough(self):
        with pytest.raises(ValueError, match="values needs at least 2 values"):
            imr_limits([5.0])

    def test_a_missing_value_is_refused(self):
        with pytest.raises(ValueError, match="values must all be finite"):
            imr_limits([1.0, float("nan"), 2.0])

    @given(st.lists(measurement, min_size=2, max_size=40))
    def test_limits_are_symmetric_and_ordered(self, values):
        chart = imr_limits(values)
        x = chart.individuals
        assert x.lcl <= x.center <= x.ucl
        assert x.ucl - x.center == pytest.approx(x.center - x.lcl, abs=1e-9)
        assert chart.moving_range.lcl == 0 <= chart.moving_range.center <= chart.moving_range.ucl

    @given(st.lists(measurement, min_size=2, max_size=40), scale, shift)
    def test_shifting_and_scaling_the_data_moves_the_limits_with_it(self, values, a, b):
        before = imr_limits(values)
        after = imr_limits([a * value + b for value in values])
        for old, new in [
            (before.individuals.center, after.individuals.center),
            (before.individuals.lcl, after.individuals.lcl),
            (before.individuals.ucl, after.individuals.ucl),
        ]:
            assert new == pytest.approx(a * old + b, rel=1e-9, abs=1e-8 * (1 + a))
        assert after.moving_range.ucl == pytest.approx(a * before.moving_range.ucl, abs=1e-8 * a)


class TestXbarRChart:
    def test_montgomerys_piston_rings(self):
        chart = xbar_r_limits(PISTON_RINGS)
        # Montgomery: x̿ = 74.001, R̄ = 0.023, UCL 74.014, LCL 73.988.
        assert chart.xbar.center == pytest.approx(74.001, abs=5e-4)
        assert (chart.xbar.lcl, chart.xbar.ucl) == (
            pytest.approx(73.988, abs=5e-4),
            pytest.approx(74.014, abs=5e-4),
        )
        # qcc's printed output, which uses exact A2 = 3/(d2·√n) in place of the tabled 0.577.
        assert chart.xbar.center == pytest.approx(74.00118, abs=5e-6)
        assert chart.r.center == pytest.approx(0.02276, abs=5e-7)
        assert chart.sigma_within == pytest.approx(0.009785039, abs=5e-10)
        tolerance = table_tolerance(chart.r.center)
        assert chart.xbar.lcl == pytest.approx(73.98805, abs=tolerance)
        assert chart.xbar.ucl == pytest.approx(74.0143, abs=tolerance)

    def test_the_range_chart_uses_the_tabled_d4(self):
        chart = xbar_r_limits(PISTON_RINGS)
        # LSS-REFERENCE §2.0: 0.048115 with the tabled D4 = 2.114; qcc's exact D4 gives
        # 0.04812533, within the table-constant tolerance.
        assert chart.r.ucl == pytest.approx(0.048115, abs=5e-7)
        assert chart.r.ucl == pytest.approx(0.04812533, abs=table_tolerance(0.02276))
        assert chart.r.lcl == 0

    def test_phase_two_samples_37_to_39_plot_above_the_phase_one_limits(self):
        limits = xbar_r_limits(PISTON_RINGS)
        means = xbar_r_limits(PISTON_RINGS_PHASE_II).means
        flagged = run_rule_violations(means, limits.xbar.center, limits.sigma_of_mean, rules={1})
        # Montgomery, phase II: samples 37, 38 and 39 (indices 11–13 of samples 26–40).
        assert [26 + violation.index for violation in flagged] == [37, 38, 39]

    def test_phase_one_has_no_point_beyond_the_limits(self):
        chart = xbar_r_limits(PISTON_RINGS)
        assert run_rule_violations(chart.means, chart.xbar.center, chart.sigma_of_mean, {1}) == []

    def test_unequal_subgroups_are_refused(self):
        with pytest.raises(ValueError, match=r"All subgroups must have the same size.*\[4, 5\]"):
            xbar_r_limits([[1, 2, 3, 4, 5], [1, 2, 3, 4]])

    @pytest.mark.parametrize(
        "subgroups",
        [[[1.0], [2.0]], [list(range(26)), list(range(26))]],
        ids=["size 1", "size 26"],
    )
    def test_subgroup_sizes_outside_2_to_25_are_refused(self, subgroups):
        with pytest.raises(ValueError, match="size of the subgroups must be a whole number"):
            xbar_r_limits(subgroups)

    def test_one_subgroup_is_not_enough(self):
        with pytest.raises(ValueError, match="subgroups needs at least 2 subgroups"):
            xbar_r_limits([[1, 2, 3]])

    @given(
        st.integers(min_value=2, max_value=10).flatmap(
            lambda n: st.lists(
                st.lists(measurement, min_size=n, max_size=n), min_size=2, max_size=8
            )
        ),
        scale,
        shift,
    )
    def test_limits_are_symmetric_ordered_and_move_with_the_data(self, subgroups, a, b):
        for limits_of, spread_chart in ((xbar_r_limits, "r"), (xbar_s_limits, "s")):
            chart = limits_of(subgroups)
            moved = limits_of([[a * value + b for value in group] for group in subgroups])
            xbar, spread = chart.xbar, getattr(chart, spread_chart)
            assert xbar.lcl <= xbar.center <= xbar.ucl
            assert xbar.ucl - xbar.center == pytest.approx(xbar.center - xbar.lcl, abs=1e-9)
            assert 0 <= spread.lcl <= spread.center <= spread.ucl
            assert moved.xbar.ucl == pytest.approx(a * xbar.ucl + b, rel=1e-9, abs=1e-8 * (1 + a))
            assert getattr(moved, spread_chart).ucl == pytest.approx(
                a * spread.ucl, rel=1e-9, abs=1e-9
            )


class TestXbarSChart:
    def test_montgomerys_piston_rings(self):
        chart = xbar_s_limits(PISTON_RINGS)
        # Montgomery Example 6.3: X̄ limits 74.014 and 73.988.
        assert (chart.xbar.lcl, chart.xbar.ucl) == (
            pytest.approx(73.988, abs=5e-4),
            pytest.approx(74.014, abs=5e-4),
        )
        # qcc: s̄ = 0.009240037, s chart UCL 0.019302416 (exact B4, as here), σ = s̄/c4.
        assert chart.s.center == pytest.approx(0.009240037, abs=5e-10)
        assert chart.s.ucl == pytest.approx(0.019302416, abs=1e-9)
        assert chart.s.lcl == 0
        assert chart.sigma_within == pytest.approx(0.009829977, abs=5e-10)

    def test_a_b3_above_zero_gives_a_lower_limit(self):
        chart = xbar_s_limits([[1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 8]])
        assert chart.s.lcl == pytest.approx(chart_constants(6).B3 * chart.s.center)
        assert chart.s.lcl > 0


class TestPChart:
    def test_the_nist_and_montgomery_orange_juice_cans(self):
        chart = p_chart_limits(ORANGE_JUICE, [50] * 30)
        assert chart.center == pytest.approx(0.2313, abs=5e-5)
        assert chart.ucl == pytest.approx([0.4102] * 30, abs=5e-5)
        assert chart.lcl == pytest.approx([0.0524] * 30, abs=5e-5)
        # qcc: 0.2313333, 0.05242755, 0.4102391.
        assert (chart.center, chart.lcl[0], chart.ucl[0]) == pytest.approx(
            (0.2313333, 0.05242755, 0.4102391), abs=5e-8
        )
        beyond = run_rule_violations(chart.points, chart.center, chart.sigma, rules={1})
        assert [violation.index + 1 for violation in beyond] == [15, 23]

    def test_montgomerys_revised_limits_without_samples_15_and_23(self):
        kept = [d for sample, d in enumerate(ORANGE_JUICE, start=1) if sample not in (15, 23)]
        chart = p_chart_limits(kept, [50] * len(kept))
        assert (chart.center, chart.lcl[0], chart.ucl[0]) == pytest.approx(
            (0.2150, 0.0407, 0.3893), abs=5e-5
        )

    def test_pyzdek_and_kellers_peaches_have_limits_for_each_sample_size(self):
        chart = p_chart_limits(PEACHES_BRUISED, PEACH_SIZES)
        assert chart.center == pytest.approx(1544 / 8000)
        assert chart.center == pytest.approx(0.193, abs=5e-4)
        published = {250: (0.1181, 0.2679), 500: (0.1400, 0.2460)}  # Table 9.7
        # The book rounds σ for n = 500 to 0.01765 first (0.193 ± 0.05295), so its last digit
        # can be one off the exact 0.14005 and 0.24595: allow one unit in the fourth decimal.
        for size, lcl, ucl in zip(PEACH_SIZES, chart.lcl, chart.ucl, strict=True):
            assert (lcl, ucl) == pytest.approx(published[size], abs=1e-4)

    def test_a_low_proportion_floors_the_lower_limit_at_zero(self):
        chart = p_chart_limits([1, 0, 2, 1], [50, 50, 50, 50])
        assert chart.lcl == (0, 0, 0, 0)

    def test_more_defectives_than_units_is_refused_naming_the_sample(self):
        with pytest.raises(
            ValueError, match=r"defectives\[1\] \(51\) cannot exceed sample_sizes\[1\]"
        ):
            p_chart_limits([3, 51], [50, 50])

    @pytest.mark.parametrize(
        ("defectives", "sizes", "message"),
        [
            ([3, -1], [50, 50], r"defectives\[1\] cannot be negative"),
            ([3, 1.5], [50, 50], r"defectives\[1\] must be a whole number"),
            ([3, 1], [50, 0], r"sample_sizes\[1\] must be greater than zero"),
            ([3, 1], [50], "Give one of sample_sizes per point: 2 needed, 1 given"),
            ([3], [50], "defectives needs at least 2 values"),
        ],
    )
    def test_impossible_counts_are_refused(self, defectives, sizes, message):
        with pytest.raises(ValueError, match=message):
            p_chart_limits(defectives, sizes)

    @given(
        st.lists(
            st.integers(min_value=1, max_value=500).flatmap(
                lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
            ),
            min_size=2,
            max_size=30,
        )
    )
    def test_limits_bracket_the_centre_and_are_symmetric_unless_clipped(self, samples):
        defectives, sizes = zip(*samples, strict=True)
        chart = p_chart_limits(defectives, sizes)
        for lcl, ucl, sigma in zip(chart.lcl, chart.ucl, chart.sigma, strict=True):
            assert 0 <= lcl <= chart.center <= ucl <= 1
            if lcl > 0 and ucl < 1:
                assert ucl - chart.center == pytest.approx(chart.center - lcl)
                assert ucl - lcl == pytest.approx(6 * sigma)


class TestNpChart:
    def test_the_orange_juice_cans_as_counts(self):
        # n = 50 times the NIST/Montgomery p chart: 50 × 0.2313, 0.0524 and 0.4102.
        chart = np_chart_limits(ORANGE_JUICE, 50)
        assert (chart.center, chart.lcl, chart.ucl) == pytest.approx(
            (50 * 0.2313333, 50 * 0.05242755, 50 * 0.4102391), abs=5e-6
        )
        assert (round(chart.center, 2), round(chart.lcl, 2), round(chart.ucl, 2)) == (
            11.57,
            2.62,
            20.51,
        )

    def test_a_negative_lower_limit_is_floored_at_zero(self):
        # qcc 2.7 output for 50 lots of 200 wafers (centre 7.14, limits 0 and 15.01184).
        defective_wafers = [8, 7, 11, 3, 6, 11, 4, 4, 5, 8, 8, 6, 7, 6, 10, 7, 9, 5, 6, 8,
                            8, 10, 4, 11, 4, 11, 6, 6, 9, 5, 4, 7, 5, 7, 8, 5, 10, 9, 7, 9,
                            4, 9, 4, 7, 11, 8, 10, 8, 7, 5]  # fmt: skip
        chart = np_chart_limits(defective_wafers, 200)
        assert (chart.center, chart.lcl, chart.ucl) == pytest.approx((7.14, 0, 15.01184), abs=5e-6)

    def test_more_defectives_than_the_sample_size_is_refused(self):
        with pytest.raises(ValueError, match=r"defectives\[2\] \(60\) cannot exceed sample_size"):
            np_chart_limits([3, 4, 60], 50)

    @pytest.mark.parametrize("size", [0, -5, 12.5])
    def test_a_sample_size_that_is_not_a_positive_whole_number_is_refused(self, size):
        with pytest.raises(ValueError, match="sample_size must be"):
            np_chart_limits([3, 4], size)

    @given(st.integers(min_value=1, max_value=1000), st.data())
    def test_np_limits_are_n_times_the_p_limits(self, n, data):
        defectives = data.draw(st.lists(st.integers(0, n), min_size=2, max_size=20))
        counts = np_chart_limits(defectives, n)
        shares = p_chart_limits(defectives, [n] * len(defectives))
        assert counts.center == pytest.approx(n * shares.center)
        assert counts.lcl == pytest.approx(n * shares.lcl[0], abs=1e-9)
        assert counts.ucl == pytest.approx(n * shares.ucl[0])


class TestCChart:
    def test_the_nist_wafer_defects(self):
        chart = c_chart_limits(WAFER_DEFECTS)
        assert (chart.center, chart.lcl, chart.ucl) == pytest.approx((16, 4, 28))
        beyond = run_rule_violations(WAFER_DEFECTS, chart.center, math.sqrt(chart.center), {1})
        assert [violation.index + 1 for violation in beyond] == [24]  # 31 defects; 28 is on it

    def test_montgomerys_printed_circuit_boards(self):
        chart = c_chart_limits(CIRCUIT_BOARDS)
        # Montgomery: c̄ = 19.85, UCL 33.22, LCL 6.48, worked from the rounded c̄ (19.85 ±
        # 3·√19.85 = 33.216), so allow the rounding chain; qcc: 19.84615, 33.21086, 6.481447.
        assert (chart.center, chart.lcl, chart.ucl) == pytest.approx((19.85, 6.48, 33.22), abs=0.01)
        assert (chart.center, chart.lcl, chart.ucl) == pytest.approx(
            (19.84615, 6.481447, 33.21086), abs=5e-6
        )

    @pytest.mark.parametrize(
        ("counts", "message"),
        [
            ([4, -2, 3], r"counts\[1\] cannot be negative"),
            ([4, 2.5], r"counts\[1\] must be a whole"),
        ],
    )
    def test_impossible_counts_are_refused(self, counts, message):
        with pytest.raises(ValueError, match=message):
            c_chart_limits(counts)

    @given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=2, max_size=30))
    def test_limits_are_symmetric_unless_the_lower_one_is_floored(self, counts):
        chart = c_chart_limits(counts)
        assert 0 <= chart.lcl <= chart.center <= chart.ucl
        if chart.lcl > 0:
            assert chart.ucl - chart.center == pytest.approx(chart.center - chart.lcl)


class TestUChart:
    def test_montgomerys_personal_computers(self):
        chart = u_chart_limits(COMPUTERS, [5] * 20)
        assert chart.center == pytest.approx(1.93)
        assert chart.ucl == pytest.approx([3.79] * 20, abs=5e-3)
        assert chart.lcl == pytest.approx([0.07] * 20, abs=5e-3)

    def test_the_dyed_cloth_has_limits_for_each_roll(self):
        chart = u_chart_limits(CLOTH_DEFECTS, CLOTH_UNITS)
        assert chart.center == pytest.approx(153 / 107.5)
        assert chart.center == pytest.approx(1.42, abs=5e-3)  # Montgomery's ū
        for units, lcl, ucl in zip(CLOTH_UNITS, chart.lcl, chart.ucl, strict=True):
            half_width = 3 * math.sqrt(chart.center / units)
            assert (lcl, ucl) == pytest.approx(
                (chart.center - half_width, chart.center + half_width)
            )
        assert chart.points[0] == pytest.approx(1.4)
        # The smallest roll (8 units) has the widest limits.
        assert chart.ucl[1] == max(chart.ucl)

    def test_zero_units_are_refused_naming_the_sample(self):
        with pytest.raises(ValueError, match=r"units\[1\] must be greater than zero"):
            u_chart_limits([3, 4], [2, 0])

    @given(
        st.lists(
            st.tuples(st.integers(0, 500), st.floats(min_value=0.5, max_value=100)),
            min_size=2,
            max_size=30,
        )
    )
    def test_limits_bracket_the_centre(self, samples):
        defects, units = zip(*samples, strict=True)
        chart = u_chart_limits(defects, units)
        for lcl, ucl in zip(chart.lcl, chart.ucl, strict=True):
            assert 0 <= lcl <= chart.center <= ucl


def rules_hit(values, sigma=1.0, **options):
    return [(v.rule, v.index) for v in run_rule_violations(values, 0.0, sigma, **options)]


class TestRunRules:
    @pytest.mark.parametrize(
        ("values", "expected"),
        [
            ([0, 3.2, 0], [(1, 1)]),
            ([0, -3.5, 0], [(1, 1)]),
            ([0.5] * 9, [(2, 8)]),
            ([0.0, 0.1, 0.2, 0.3, 0.4, 0.5], [(3, 5)]),
            ([0.5, -0.5] * 7, [(4, 13)]),
            ([2.5, 0, 2.5], [(5, 2)]),
            ([1.5, 1.5, 0, 1.5, 1.5], [(6, 4)]),
            ([1.5, -1.5] * 4, [(8, 7)]),
        ],
        ids=["1 high", "1 low", "2", "3", "4", "5", "6", "8"],
    )
    def test_each_rule_flags_the_point_that_completes_its_pattern(self, values, expected):
        assert rules_hit(values, rules={1, 2, 3, 4, 5, 6, 8}) == expected

    def test_fifteen_points_hugging_the_centre_break_rule_7(self):
        assert rules_hit([0.5, -0.5, 0.2] * 5, rules={7}) == [(7, 14)]

    def test_every_point_of_a_run_from_the_nth_on_is_flagged(self):
        assert rules_hit([0.5] * 11, rules={2}) == [(2, 8), (2, 9), (2, 10)]

    def test_a_point_may_break_several_rules(self):
        hits = run_rule_violations([0.5] * 8 + [3.5], 0.0, 1.0)
        assert [(v.rule, v.index) for v in hits] == [(1, 8), (2, 8)]
        assert hits[0] == Violation(1, 8, "One point beyond 3σ from the centre line")

    def test_the_flagged_point_of_two_of_three_must_itself_be_beyond_2_sigma(self):
        assert rules_hit([2.5, 2.5, 0], rules={5}) == [(5, 1)]
        assert rules_hit([2.5, -2.5, -1.0], rules={5}) == []  # opposite sides do not add up

    def test_the_window_is_cut_short_at_the_start_of_the_series(self):
        assert rules_hit([2.5, 2.5], rules={5}) == [(5, 1)]

    def test_equal_neighbours_break_a_trend(self):
        assert rules_hit([0.0, 0.1, 0.1, 0.2, 0.3, 0.4, 0.5], rules={3}) == []

    def test_a_point_on_the_centre_line_breaks_a_run(self):
        assert rules_hit([0.5] * 4 + [0.0] + [0.5] * 4, rules={2}) == []

    def test_rule_8_needs_points_on_both_sides(self):
        assert rules_hit([1.5] * 8, rules={8}) == []

    def test_a_point_exactly_on_the_3_sigma_limit_is_not_beyond_it(self):
        # (0.4 − 0.1)/0.1 is 3.0000000000000004 in floating point.
        assert run_rule_violations([0.1, 0.4, 0.1], 0.1, 0.1, rules={1}) == []

    def test_western_electric_rule_4_is_a_run_of_8(self):
        assert rules_hit([0.5] * 8, rules={2}, same_side_run=8) == [(2, 7)]
        assert "8 points in a row" in run_rule_violations([1] * 8, 0, 1, {2}, 8)[0].description

    def test_trends_are_read_from_the_plotted_values_not_the_zones(self):
        hits = run_rule_violations([1, 2, 3, 4, 5, 6], 0, [1, 1, 10, 1, 10, 1], rules={3})
        assert [(v.rule, v.index) for v in hits] == [(3, 5)]

    def test_varying_limits_take_one_sigma_per_point(self):
        chart = p_chart_limits([5, 20, 50], [50, 50, 500])
        hits = run_rule_violations(chart.points, chart.center, chart.sigma, rules={1})
        assert [v.index for v in hits] == [1]

    @pytest.mark.parametrize(
        ("sigma", "message"),
        [
            (0, "sigma must be greater than zero"),
            ([1, 1], r"Give one sigma, or one per value \(3\)"),
        ],
    )
    def test_a_bad_sigma_is_refused(self, sigma, message):
        with pytest.raises(ValueError, match=message):
            run_rule_violations([1, 2, 3], 0, sigma)

    def test_an_unknown_rule_is_refused(self):
        with pytest.raises(
            ValueError, match=r"rules must be Nelson rule numbers 1 to 8 \(got \[9\]\)"
        ):
            run_rule_violations([1, 2, 3], 0, 1, rules={1, 9})

    @given(
        st.lists(st.floats(min_value=-2.9, max_value=2.9), min_size=1, max_size=40),
        st.floats(min_value=3.001, max_value=50),
        st.sampled_from([1, -1]),
        st.data(),
    )
    def test_a_point_beyond_3_sigma_always_breaks_rule_1(self, values, z, side, data):
        index = data.draw(st.integers(min_value=0, max_value=len(values)))
        series = [*values[:index], side * z, *values[index:]]
        center, sigma = 10.0, 0.5
        scaled = [center + sigma * value for value in series]
        hits = run_rule_violations(scaled, center, sigma)
        assert Violation(1, index, "One point beyond 3σ from the centre line") in hits
        assert [v.index for v in hits if v.rule == 1] == [index]

    @given(st.integers(min_value=1, max_value=60), st.floats(-1e3, 1e3), st.floats(0.01, 100))
    def test_a_constant_series_at_the_centre_only_breaks_rule_7(self, length, center, sigma):
        hits = run_rule_violations([center] * length, center, sigma)
        assert {v.rule for v in hits} <= {7}
        assert [v.index for v in hits] == list(range(14, length))

    @given(st.lists(st.floats(min_value=-6, max_value=6), min_size=1, max_size=50))
    def test_violations_are_ordered_and_point_at_real_values(self, values):
        hits = run_rule_violations(values, 0, 1)
        assert hits == sorted(hits, key=lambda v: (v.index, v.rule))
        assert all(0 <= v.index < len(values) and 1 <= v.rule <= 8 for v in hits)

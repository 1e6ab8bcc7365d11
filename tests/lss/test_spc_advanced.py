"""EWMA and tabular CUSUM charts and their average run lengths against published worked
examples, wrong inputs and properties.

Published sources typed in here:
- NIST/SEMATECH e-Handbook of Statistical Methods, §6.3.2.4 (EWMA: 20 values, λ = 0.3,
  EWMA₀ = 50, s = 2.0539; the printed EWMA series and the limits 47.4115 and 52.5884, which
  NIST computes with √(λ/(2 − λ)) rounded to 0.4201, so the lower one is printed a unit low in
  the last place) and §6.3.2.3 (tabular CUSUM: 20 means of 4, target 325, k = 0.3175,
  h = 4.1959; S_hi first exceeds h at sample 14).
- Montgomery, Introduction to Statistical Quality Control (6th ed.), ch. 9: the 30 observations
  of Table 9.1 (μ0 = 10, σ = 1; the last ten from a mean of 11), the tabular CUSUM of Table 9.2
  (k = 0.5, h = 5: C⁺ = 5.28 at observation 29 with N⁺ = 7, new mean estimated as 11.25), the
  EWMA of the same data (λ = 0.1, L = 2.7: z₁ = 9.945, z₂ = 9.7495, UCL₁ = 10.27), Table 9.3
  (CUSUM ARLs, k = 0.5, h = 4 and 5) and Table 9.11 (EWMA ARLs after Lucas & Saccucci 1990).
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.lss.spc_advanced import cusum_arl, ewma, ewma_arl, shewhart_arl, tabular_cusum

NIST_EWMA_DATA = [52.0, 47.0, 53.0, 49.3, 50.1, 47.0, 51.0, 50.1, 51.2, 50.5,
                  49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]  # fmt: skip
NIST_EWMA_PRINTED = [
    50.60, 49.52, 50.56, 50.18, 50.16, 49.21, 49.75, 49.85, 50.26, 50.33,
    50.11, 49.36, 49.52, 50.05, 49.38, 49.92, 50.73, 51.23, 51.94, 51.99,
]  # fmt: skip

NIST_CUSUM_DATA = [324.925, 324.675, 324.725, 324.350, 325.350, 325.225, 324.125, 324.525,
                   325.225, 324.600, 324.625, 325.150, 328.325, 327.250, 327.825, 328.500,
                   326.675, 327.775, 326.875, 328.350]  # fmt: skip
# NIST's S_hi and S_lo columns, printed to 2 decimals.
NIST_S_HI = [0.00, 0.00, 0.00, 0.00, 0.03, 0.00, 0.00, 0.00, 0.00, 0.00,
             0.00, 0.00, 3.01, 4.94, 7.45, 10.63, 11.99, 14.44, 16.00, 19.04]  # fmt: skip
NIST_S_LO = [0.00, 0.01, 0.00, 0.33, 0.00, 0.00, 0.56, 0.72, 0.17, 0.25,
             0.31, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00]  # fmt: skip

MONTGOMERY = [9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46, 9.20, 10.34,
              9.03, 11.47, 10.51, 9.40, 10.08, 9.37, 10.62, 10.31, 8.52, 10.84,
              10.90, 9.33, 12.29, 11.50, 10.60, 11.08, 10.38, 11.62, 11.31, 10.52]  # fmt: skip
# Montgomery Table 9.2: C⁺ and C⁻ for each observation, to 2 decimals.
MONTGOMERY_C_PLUS = [0, 0, 0, 1.16, 2.82, 2.50, 0.04, 1.00, 0, 0,
                     0, 0.97, 0.98, 0, 0, 0, 0.12, 0, 0, 0.34,
                     0.74, 0, 1.79, 2.79, 2.89, 3.47, 3.35, 4.47, 5.28, 5.30]  # fmt: skip
MONTGOMERY_C_MINUS = [0.05, 1.56, 1.77, 0, 0, 0, 1.46, 0, 0.30, 0,
                      0.47, 0, 0, 0.10, 0, 0.13, 0, 0, 0.98, 0,
                      0, 0.17, 0, 0, 0, 0, 0, 0, 0, 0]  # fmt: skip

SHIFTS = [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4]
# Montgomery Table 9.3: two-sided tabular CUSUM with k = 0.5.
CUSUM_ARL_H4 = [168, 74.2, 26.6, 13.3, 8.38, 4.75, 3.34, 2.62, 2.19, 1.71]
CUSUM_ARL_H5 = [465, 139, 38.0, 17.0, 10.4, 5.75, 4.01, 3.11, 2.57, 2.01]
# Montgomery Table 9.11 (Lucas & Saccucci): EWMA with asymptotic limits, (λ, L) → ARLs.
EWMA_ARL = {
    (0.40, 3.054): [500, 224, 71.2, 28.4, 14.3, 5.9, 3.5, 2.5, 2.0, 1.4],
    (0.25, 2.998): [500, 170, 48.2, 20.1, 11.1, 5.5, 3.6, 2.7, 2.3, 1.7],
    (0.20, 2.962): [500, 150, 41.8, 18.2, 10.5, 5.5, 3.7, 2.9, 2.4, 1.9],
    (0.10, 2.814): [500, 106, 31.3, 15.9, 10.3, 6.1, 4.4, 3.4, 2.9, 2.2],
    (0.05, 2.615): [500, 84.1, 28.8, 16.4, 11.4, 7.1, 5.2, 4.2, 3.5, 2.7],
}

measurement = st.integers(min_value=-10_000, max_value=10_000).map(lambda c: c / 100)
sigmas = st.integers(min_value=1, max_value=1000).map(lambda c: c / 100)
lambdas = st.integers(min_value=1, max_value=100).map(lambda c: c / 100)


class TestEwma:
    def test_the_nist_example(self):
        chart = ewma(NIST_EWMA_DATA, target=50, sigma=2.0539, lam=0.3, L=3)
        assert [round(z, 2) for z in chart.statistic] == NIST_EWMA_PRINTED
        assert chart.asymptotic_ucl == pytest.approx(52.5884, abs=5e-5)
        assert chart.asymptotic_lcl == pytest.approx(47.4115, abs=1e-4)
        assert chart.signals == chart.asymptotic_signals == ()

    def test_montgomerys_example_with_exact_limits(self):
        chart = ewma(MONTGOMERY, target=10, sigma=1, lam=0.1, L=2.7)
        assert chart.statistic[0] == pytest.approx(9.945)
        assert chart.statistic[1] == pytest.approx(9.7495)
        assert round(chart.ucl[0], 2) == 10.27
        assert round(chart.lcl[0], 2) == 9.73
        assert chart.signals[0] == 28  # observation 29
        # The first limit is exactly λ·L·σ wide: √(1 − (1 − λ)²) = √(λ(2 − λ)).
        assert chart.ucl[0] - 10 == pytest.approx(0.1 * 2.7)

    def test_lambda_one_is_the_individuals_chart(self):
        chart = ewma([1.0, 4.0, -3.5], target=0, sigma=1, lam=1, L=3)
        assert chart.statistic == (1.0, 4.0, -3.5)
        assert chart.ucl == (3.0, 3.0, 3.0)
        assert chart.signals == (1, 2)

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [
            ({"values": []}, "values"),
            ({"values": [1.0, math.nan]}, "values"),
            ({"values": [[1.0, 2.0]]}, "values"),
            ({"target": math.inf}, "target"),
            ({"sigma": 0}, "sigma"),
            ({"lam": 0}, "lam"),
            ({"lam": 1.5}, "lam"),
            ({"L": -3}, "L"),
        ],
    )
    def test_bad_arguments_are_refused_by_name(self, kwargs, name):
        arguments = {"values": [1.0, 2.0], "target": 0.0, "sigma": 1.0} | kwargs
        with pytest.raises(ValueError, match=rf"^{name} "):
            ewma(**arguments)

    @given(st.lists(measurement, min_size=1, max_size=40), measurement, sigmas, lambdas)
    def test_limits_are_symmetric_about_the_target_and_widen(self, values, target, sigma, lam):
        chart = ewma(values, target, sigma, lam)
        for lcl, ucl in zip(chart.lcl, chart.ucl, strict=True):
            assert target - lcl == pytest.approx(ucl - target)
            assert chart.asymptotic_lcl - 1e-9 <= lcl <= target <= ucl
            assert ucl <= chart.asymptotic_ucl + 1e-9
        assert list(chart.ucl) == sorted(chart.ucl)

    @given(st.integers(min_value=1, max_value=200), measurement, sigmas, lambdas)
    def test_constant_data_at_target_never_signals(self, n, target, sigma, lam):
        chart = ewma([target] * n, target, sigma, lam)
        assert chart.signals == chart.asymptotic_signals == ()
        assert all(z == pytest.approx(target) for z in chart.statistic)

    @given(st.lists(measurement, min_size=1, max_size=40), lambdas)
    def test_the_statistic_stays_between_the_target_and_the_data(self, values, lam):
        chart = ewma(values, 0.0, 1.0, lam)
        low, high = min([0.0, *values]), max([0.0, *values])
        assert all(low - 1e-9 <= z <= high + 1e-9 for z in chart.statistic)


class TestTabularCusum:
    def test_montgomerys_table(self):
        chart = tabular_cusum(MONTGOMERY, target=10, sigma=1, k=0.5, h=5)
        assert [round(c, 2) for c in chart.upper] == MONTGOMERY_C_PLUS
        assert [round(c, 2) for c in chart.lower] == MONTGOMERY_C_MINUS
        assert chart.upper_signals == (28, 29)
        assert chart.lower_signals == ()
        assert chart.upper_run[28] == 7
        assert chart.shift_estimate(28) == pytest.approx(11.25, abs=5e-3)
        assert (chart.reference, chart.decision_interval) == (0.5, 5)

    def test_the_nist_example(self):
        sigma = 1.27 / math.sqrt(4)  # NIST: σ of a mean of four
        chart = tabular_cusum(NIST_CUSUM_DATA, 325, sigma, k=0.5, h=4.1959 / sigma)
        assert chart.reference == pytest.approx(0.3175)
        assert chart.upper == pytest.approx(NIST_S_HI, abs=0.005 + 1e-9)
        assert chart.lower == pytest.approx(NIST_S_LO, abs=0.005 + 1e-9)
        assert chart.signals[0] == 13  # sample 14
        assert chart.upper_signals == tuple(range(13, 20))

    def test_a_downward_shift_signals_on_the_lower_sum(self):
        chart = tabular_cusum([9.0] * 12, target=10, sigma=1, k=0.5, h=5)
        assert chart.lower[:3] == (0.5, 1.0, 1.5)
        assert chart.lower_signals == (10, 11)
        assert chart.shift_estimate(10) == pytest.approx(9.0)
        with pytest.raises(ValueError, match="index 3"):
            chart.shift_estimate(3)

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [
            ({"values": []}, "values"),
            ({"values": [math.inf]}, "values"),
            ({"target": math.nan}, "target"),
            ({"sigma": -1}, "sigma"),
            ({"k": -0.5}, "k"),
            ({"h": 0}, "h"),
        ],
    )
    def test_bad_arguments_are_refused_by_name(self, kwargs, name):
        arguments = {"values": [1.0, 2.0], "target": 0.0, "sigma": 1.0} | kwargs
        with pytest.raises(ValueError, match=rf"^{name} "):
            tabular_cusum(**arguments)

    @given(st.integers(min_value=1, max_value=200), measurement, sigmas)
    def test_constant_data_at_target_never_signals(self, n, target, sigma):
        chart = tabular_cusum([target] * n, target, sigma)
        assert chart.signals == ()
        assert set(chart.upper) == set(chart.lower) == {0.0}

    @given(st.lists(measurement, min_size=1, max_size=40), measurement, sigmas)
    def test_mirroring_the_data_swaps_the_two_sums(self, values, target, sigma):
        chart = tabular_cusum(values, target, sigma)
        mirror = tabular_cusum([2 * target - v for v in values], target, sigma)
        assert mirror.upper == pytest.approx(chart.lower, abs=1e-6)
        assert mirror.lower == pytest.approx(chart.upper, abs=1e-6)
        assert all(c >= 0 for c in chart.upper + chart.lower)


class TestAverageRunLength:
    def test_the_shewhart_chart(self):
        assert shewhart_arl(0) == pytest.approx(370.4, abs=0.05)
        assert shewhart_arl(1) == pytest.approx(43.9, abs=0.05)
        assert shewhart_arl(2) == pytest.approx(6.3, abs=0.05)
        assert shewhart_arl(-1) == pytest.approx(shewhart_arl(1))

    @pytest.mark.parametrize(("h", "table"), [(4, CUSUM_ARL_H4), (5, CUSUM_ARL_H5)])
    def test_montgomerys_cusum_table(self, h, table):
        for shift, printed in zip(SHIFTS, table, strict=True):
            assert cusum_arl(shift, 0.5, h) == pytest.approx(printed, rel=0.005), shift

    @pytest.mark.parametrize(("design", "table"), EWMA_ARL.items())
    def test_lucas_and_saccuccis_ewma_table(self, design, table):
        lam, L = design
        for shift, printed in zip(SHIFTS, table, strict=True):
            # Printed to 3 significant figures, or 1 decimal below 10.
            tolerance = max(0.05, 0.005 * printed)
            assert ewma_arl(shift, lam, L) == pytest.approx(printed, abs=tolerance), shift

    def test_bad_arguments_are_refused_by_name(self):
        with pytest.raises(ValueError, match=r"^lam "):
            ewma_arl(1, lam=0)
        with pytest.raises(ValueError, match=r"^h "):
            cusum_arl(1, h=-1)
        with pytest.raises(ValueError, match=r"^shift "):
            shewhart_arl(math.nan)

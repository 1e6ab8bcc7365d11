"""t-tests, ANOVA, chi-square, regression and normality against published worked examples.

Where a source prints only summary statistics (NIST 1.3.5.2 and 1.3.5.3), the tests build a
sample with exactly that size, mean and standard deviation: the t statistic depends on
nothing else.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from app.lss.stats import (
    chi_square_independence,
    linear_regression,
    multiple_regression,
    normality,
    one_way_anova,
    t_test_one_sample,
    t_test_paired,
    t_test_two_sample,
)


def sample_with(n: int, mean: float, sd: float) -> list[float]:
    """n values whose sample mean and standard deviation (n − 1) are exactly as given."""
    base = np.linspace(-1.0, 1.0, n) ** 3
    z = (base - base.mean()) / base.std(ddof=1)
    return list(mean + sd * z)


# Student's sleep data (Cushny & Peebles 1905), R's `sleep`: extra hours of sleep for the
# same 10 patients on two drugs.
SLEEP_DRUG_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_DRUG_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

samples = st.lists(
    st.floats(min_value=-1e3, max_value=1e3, allow_nan=False), min_size=2, max_size=25
).filter(lambda values: max(values) - min(values) > 1e-3)


class TestOneSampleT:
    # NIST e-Handbook 1.3.5.2, heat flow meter (ZARR13.DAT): n = 195, mean 9.261460,
    # standard deviation 0.2278881E-01.
    HEAT_FLOW = sample_with(195, 9.261460, 0.02278881)

    def test_the_nist_heat_flow_meter_interval_for_the_mean(self):
        result = t_test_one_sample(self.HEAT_FLOW, mu0=5)
        low, high = result.confidence_interval(0.95)
        assert result.df == 194
        assert low == pytest.approx(9.258242, abs=1e-6)
        assert high == pytest.approx(9.264679, abs=1e-6)

    def test_the_nist_heat_flow_meter_t_against_5(self):
        result = t_test_one_sample(self.HEAT_FLOW, mu0=5)
        assert result.t == pytest.approx(2611.2838, abs=1e-3)
        assert result.p_value < 1e-300
        assert result.reject_at(0.05)

    def test_one_sided_p_values_split_the_two_sided_one(self):
        values = [5.1, 4.9, 5.6, 5.8, 6.0, 5.2, 5.5]
        two_sided = t_test_one_sample(values, 5.0)
        greater = t_test_one_sample(values, 5.0, alternative="greater")
        less = t_test_one_sample(values, 5.0, alternative="less")
        assert greater.p_value == pytest.approx(two_sided.p_value / 2)
        assert less.p_value == pytest.approx(1 - two_sided.p_value / 2)
        assert greater.critical_value(0.05) == pytest.approx(sps.t.ppf(0.95, 6))
        assert less.critical_value(0.05) == pytest.approx(-sps.t.ppf(0.95, 6))

    def test_too_few_values_are_refused_naming_the_argument(self):
        with pytest.raises(ValueError, match="values needs at least 2 values"):
            t_test_one_sample([3.0], 1.0)

    def test_zero_variance_is_refused(self):
        with pytest.raises(ValueError, match="values has zero variance"):
            t_test_one_sample([2.0, 2.0, 2.0], 1.0)

    def test_an_unknown_alternative_is_refused(self):
        with pytest.raises(ValueError, match="alternative must be one of"):
            t_test_one_sample([1.0, 2.0], 1.0, alternative="bigger")

    def test_a_missing_value_is_refused(self):
        with pytest.raises(ValueError, match="values contains a value that is not a finite"):
            t_test_one_sample([1.0, math.nan, 2.0], 1.0)

    @given(samples, st.floats(min_value=-1e3, max_value=1e3))
    def test_t_changes_sign_when_the_data_are_mirrored(self, values, mu0):
        result = t_test_one_sample(values, mu0)
        mirrored = t_test_one_sample([-v for v in values], -mu0)
        assert mirrored.t == pytest.approx(-result.t, rel=1e-9, abs=1e-9)
        assert mirrored.p_value == pytest.approx(result.p_value, rel=1e-6, abs=1e-12)


class TestTwoSampleT:
    # NIST e-Handbook 1.3.5.3, AUTO83B.DAT: miles per gallon of US and Japanese cars.
    US_CARS = sample_with(249, 20.14458, 6.41470)
    JAPANESE_CARS = sample_with(79, 30.48101, 6.10771)

    def test_the_nist_pooled_t_for_us_and_japanese_cars(self):
        result = t_test_two_sample(self.US_CARS, self.JAPANESE_CARS)
        assert result.test == "two-sample pooled"
        assert result.t == pytest.approx(-12.62059, abs=5e-5)
        assert result.pooled_sd == pytest.approx(6.34260, abs=1e-5)
        assert result.df == 326
        assert result.critical_value(0.05) == pytest.approx(1.9673, abs=5e-5)
        assert result.reject_at(0.05)

    def test_the_nist_one_sided_critical_value(self):
        result = t_test_two_sample(self.US_CARS, self.JAPANESE_CARS, alternative="greater")
        assert result.critical_value(0.05) == pytest.approx(1.6495, abs=5e-5)
        assert not result.reject_at(0.05)  # the US mean is lower, not higher

    def test_welch_on_students_sleep_data_matches_r(self):
        # R: t.test(extra ~ group, data = sleep) → t = -1.8608, df = 17.776, p = 0.07939
        result = t_test_two_sample(SLEEP_DRUG_1, SLEEP_DRUG_2, equal_var=False)
        assert result.test == "two-sample Welch"
        assert result.t == pytest.approx(-1.8608, abs=5e-5)
        assert result.df == pytest.approx(17.776, abs=5e-4)
        assert result.p_value == pytest.approx(0.07939, abs=5e-6)
        assert result.pooled_sd is None
        assert not result.reject_at(0.05)

    def test_pooled_on_students_sleep_data_matches_r(self):
        # R: t.test(extra ~ group, data = sleep, var.equal = TRUE) → df = 18, p = 0.07919
        result = t_test_two_sample(SLEEP_DRUG_1, SLEEP_DRUG_2)
        assert result.t == pytest.approx(-1.8608, abs=5e-5)
        assert result.df == 18
        assert result.p_value == pytest.approx(0.07919, abs=5e-6)
        assert result.estimate == pytest.approx(0.75 - 2.33)

    def test_a_hypothesised_difference_shifts_t(self):
        result = t_test_two_sample(SLEEP_DRUG_1, SLEEP_DRUG_2, difference=-1.58)
        assert result.t == pytest.approx(0, abs=1e-12)

    def test_one_sample_without_spread_is_allowed_but_not_two(self):
        result = t_test_two_sample([1.0, 1.0, 1.0], [2.0, 3.0, 4.0])
        assert result.t == pytest.approx(-2 / math.sqrt(0.5 * (1 / 3 + 1 / 3)))
        with pytest.raises(ValueError, match="a and b both have zero variance"):
            t_test_two_sample([1.0, 1.0], [2.0, 2.0])

    def test_too_few_values_in_b_are_refused(self):
        with pytest.raises(ValueError, match="b needs at least 2 values"):
            t_test_two_sample([1.0, 2.0], [3.0])

    @given(samples, samples, st.booleans())
    def test_t_changes_sign_when_the_samples_swap(self, a, b, equal_var):
        forward = t_test_two_sample(a, b, equal_var=equal_var)
        swapped = t_test_two_sample(b, a, equal_var=equal_var)
        assert swapped.t == pytest.approx(-forward.t, rel=1e-9, abs=1e-9)
        assert swapped.df == pytest.approx(forward.df)
        assert swapped.p_value == pytest.approx(forward.p_value, rel=1e-6, abs=1e-12)

    @given(samples, samples, st.booleans(), st.sampled_from(["two-sided", "less", "greater"]))
    def test_p_values_are_probabilities(self, a, b, equal_var, alternative):
        result = t_test_two_sample(a, b, equal_var=equal_var, alternative=alternative)
        assert 0 <= result.p_value <= 1
        low, high = result.confidence_interval(0.95)
        assert low <= result.estimate <= high


class TestPairedT:
    def test_students_sleep_data_matches_r(self):
        # R: t.test(extra ~ group, data = sleep, paired = TRUE) → t = -4.0621, df = 9,
        # p-value = 0.002833, mean difference -1.58
        result = t_test_paired(SLEEP_DRUG_1, SLEEP_DRUG_2)
        assert result.test == "paired"
        assert result.t == pytest.approx(-4.0621, abs=5e-5)
        assert result.df == 9
        assert result.p_value == pytest.approx(0.002833, abs=5e-7)
        assert result.estimate == pytest.approx(-1.58)
        assert result.difference_sd == pytest.approx(1.229995, abs=5e-7)
        assert result.reject_at(0.01)

    def test_the_sleep_interval_matches_r(self):
        # R: 95 percent confidence interval -2.4598858 -0.7001142
        low, high = t_test_paired(SLEEP_DRUG_1, SLEEP_DRUG_2).confidence_interval()
        assert (low, high) == (pytest.approx(-2.4598858), pytest.approx(-0.7001142))

    def test_pairs_of_different_lengths_are_refused(self):
        with pytest.raises(ValueError, match="before and after must have the same length"):
            t_test_paired([1.0, 2.0, 3.0], [1.0, 2.0])

    def test_identical_differences_are_refused(self):
        with pytest.raises(ValueError, match="differences before − after has zero variance"):
            t_test_paired([1.0, 2.0, 3.0], [0.0, 1.0, 2.0])

    @given(st.lists(st.tuples(st.integers(-500, 500), st.integers(-500, 500)), min_size=2))
    def test_t_changes_sign_when_before_and_after_swap(self, pairs):
        before, after = [float(p[0]) for p in pairs], [float(p[1]) for p in pairs]
        differences = {b - a for b, a in pairs}
        if len(differences) < 2:
            return
        forward, swapped = t_test_paired(before, after), t_test_paired(after, before)
        assert swapped.t == pytest.approx(-forward.t)
        assert 0 <= forward.p_value <= 1


class TestOneWayAnova:
    # NIST e-Handbook 7.4.3.3: one factor at three levels, five observations each.
    NIST_LEVELS = (
        [6.9, 5.4, 5.8, 4.6, 4.0],
        [8.3, 6.8, 7.8, 9.2, 6.5],
        [8.0, 10.5, 8.1, 6.9, 9.3],
    )
    # NIST StRD ANOVA, SiRstv (silicon resistivity, 5 instruments × 5 measurements).
    SIRSTV = (
        [196.3052, 196.1240, 196.1890, 196.2569, 196.3403],
        [196.3042, 196.3825, 196.1669, 196.3257, 196.0422],
        [196.1303, 196.2005, 196.2889, 196.0343, 196.1811],
        [196.2795, 196.1748, 196.1494, 196.1485, 195.9885],
        [196.2119, 196.1051, 196.1850, 196.0052, 196.2090],
    )

    def test_the_nist_handbook_table(self):
        result = one_way_anova(self.NIST_LEVELS)
        assert result.group_means == pytest.approx((5.34, 7.72, 8.56))
        assert result.ss_between == pytest.approx(27.897, abs=5e-4)
        assert result.ss_within == pytest.approx(17.452, abs=5e-4)
        assert result.ss_total == pytest.approx(45.349, abs=5e-4)
        assert (result.df_between, result.df_within, result.df_total) == (2, 12, 14)
        assert result.ms_between == pytest.approx(13.949, abs=5e-4)
        assert result.ms_within == pytest.approx(1.454, abs=5e-4)
        assert result.f == pytest.approx(9.59, abs=5e-3)
        assert result.critical_value(0.05) == pytest.approx(3.89, abs=5e-3)
        assert result.reject_at(0.05)

    def test_the_strd_sirstv_certified_values(self):
        result = one_way_anova(self.SIRSTV)
        assert result.ss_between == pytest.approx(5.11462616000000e-02, rel=1e-10)
        assert result.ss_within == pytest.approx(2.16636560000000e-01, rel=1e-10)
        assert result.ms_between == pytest.approx(1.27865654000000e-02, rel=1e-10)
        assert result.ms_within == pytest.approx(1.08318280000000e-02, rel=1e-10)
        assert result.f == pytest.approx(1.18046237440255, rel=1e-10)
        assert result.r_squared == pytest.approx(1.90999039051129e-01, rel=1e-10)
        assert result.residual_sd == pytest.approx(1.04076068334656e-01, rel=1e-10)
        assert not result.reject_at(0.05)

    def test_named_groups_keep_their_names(self):
        result = one_way_anova({"day": [1.0, 2.0, 3.0], "night": [2.0, 4.0]})
        assert result.group_names == ("day", "night")
        assert result.group_sizes == (3, 2)

    def test_a_single_group_is_refused(self):
        with pytest.raises(ValueError, match="groups needs at least 2 groups"):
            one_way_anova([[1.0, 2.0, 3.0]])

    def test_an_empty_group_is_refused_by_name(self):
        with pytest.raises(ValueError, match="Group 'night' needs at least 1 value "):
            one_way_anova({"day": [1.0, 2.0], "night": []})

    def test_groups_of_one_value_each_are_refused(self):
        with pytest.raises(ValueError, match="at least one group with 2 or more values"):
            one_way_anova([[1.0], [2.0], [3.0]])

    def test_no_variation_within_groups_is_refused(self):
        with pytest.raises(ValueError, match="no variation within any group"):
            one_way_anova([[1.0, 1.0], [2.0, 2.0]])

    @given(st.lists(samples, min_size=2, max_size=6))
    def test_ss_total_is_ss_between_plus_ss_within(self, groups):
        result = one_way_anova(groups)
        values = np.concatenate([np.asarray(group) for group in groups])
        direct = math.fsum((values - values.mean()) ** 2)
        assert result.ss_total == pytest.approx(direct, rel=1e-9, abs=1e-6)
        assert 0 <= result.p_value <= 1
        assert result.f == pytest.approx(sps.f_oneway(*groups).statistic, rel=1e-6)


class TestChiSquareIndependence:
    # Agresti, An Introduction to Categorical Data Analysis (2007), table 2.5: party
    # identification by gender (also the example in R's chisq.test help).
    PARTY_BY_GENDER = ((762, 327, 468), (484, 239, 477))

    def test_agrestis_party_identification_table(self):
        result = chi_square_independence(self.PARTY_BY_GENDER)
        assert result.statistic == pytest.approx(30.07, abs=5e-3)
        assert result.df == 2
        assert result.p_value == pytest.approx(2.954e-07, rel=1e-3)
        assert result.expected[0] == pytest.approx((703.7, 319.6, 533.7), abs=0.05)
        assert result.expected[1] == pytest.approx((542.3, 246.4, 411.3), abs=0.05)
        assert result.warning is None and result.cells_below_5 == 0
        assert result.critical_value(0.05) == pytest.approx(5.991, abs=5e-4)
        assert result.reject_at(0.001)

    def test_small_expected_counts_are_flagged(self):
        result = chi_square_independence([[3, 1], [2, 6]])
        assert result.cells_below_5 == 4
        assert result.min_expected == pytest.approx(5 * 4 / 12)
        assert "expected count below 5" in result.warning

    def test_yates_correction_only_when_asked_for(self):
        table = [[12, 5], [7, 9]]
        observed = np.array(table, dtype=float)
        expected = observed.sum(1, keepdims=True) * observed.sum(0) / observed.sum()
        plain = chi_square_independence(table)
        yates = chi_square_independence(table, correction=True)
        assert not plain.yates_correction and yates.yates_correction
        assert plain.statistic == pytest.approx(((observed - expected) ** 2 / expected).sum())
        assert yates.statistic == pytest.approx(
            ((abs(observed - expected) - 0.5) ** 2 / expected).sum()
        )

    def test_a_single_row_is_refused(self):
        with pytest.raises(ValueError, match="table must have at least 2 rows and 2 columns"):
            chi_square_independence([[1, 2, 3]])

    def test_negative_counts_are_refused(self):
        with pytest.raises(ValueError, match="table must hold counts"):
            chi_square_independence([[1, -2], [3, 4]])

    def test_an_empty_column_is_refused(self):
        with pytest.raises(ValueError, match="table column 2 is all zeros"):
            chi_square_independence([[1, 0], [3, 0]])

    @given(st.lists(st.lists(st.integers(1, 200), min_size=2, max_size=4), min_size=2, max_size=4))
    def test_p_values_are_probabilities(self, rows):
        width = min(len(row) for row in rows)
        result = chi_square_independence([row[:width] for row in rows])
        assert 0 <= result.p_value <= 1
        assert result.df == (len(rows) - 1) * (width - 1)


# NIST StRD linear regression, Norris (calibration of ozone monitors), y then x.
NORRIS = [
    (0.1, 0.2), (338.8, 337.4), (118.1, 118.2), (888.0, 884.6), (9.2, 10.1), (228.1, 226.5),
    (668.5, 666.3), (998.5, 996.3), (449.1, 448.6), (778.9, 777.0), (559.2, 558.2),
    (0.3, 0.4), (0.1, 0.6), (778.1, 775.5), (668.8, 666.9), (339.3, 338.0), (448.9, 447.5),
    (10.8, 11.6), (557.7, 556.0), (228.3, 228.1), (998.0, 995.8), (888.8, 887.6),
    (119.6, 120.2), (0.3, 0.3), (0.6, 0.3), (557.6, 556.8), (339.3, 339.1), (888.0, 887.2),
    (998.5, 999.0), (778.9, 779.0), (10.2, 11.1), (117.6, 118.3), (228.9, 229.2),
    (668.4, 669.1), (449.2, 448.9), (0.2, 0.5),
]  # fmt: skip

# NIST StRD linear regression, Longley: employment, then the six predictors x1..x6.
LONGLEY = [
    (60323, 83.0, 234289, 2356, 1590, 107608, 1947),
    (61122, 88.5, 259426, 2325, 1456, 108632, 1948),
    (60171, 88.2, 258054, 3682, 1616, 109773, 1949),
    (61187, 89.5, 284599, 3351, 1650, 110929, 1950),
    (63221, 96.2, 328975, 2099, 3099, 112075, 1951),
    (63639, 98.1, 346999, 1932, 3594, 113270, 1952),
    (64989, 99.0, 365385, 1870, 3547, 115094, 1953),
    (63761, 100.0, 363112, 3578, 3350, 116219, 1954),
    (66019, 101.2, 397469, 2904, 3048, 117388, 1955),
    (67857, 104.6, 419180, 2822, 2857, 118734, 1956),
    (68169, 108.4, 442769, 2936, 2798, 120445, 1957),
    (66513, 110.8, 444546, 4681, 2637, 121950, 1958),
    (68655, 112.6, 482704, 3813, 2552, 123366, 1959),
    (69564, 114.2, 502601, 3931, 2514, 125368, 1960),
    (69331, 115.7, 518173, 4806, 2572, 127852, 1961),
    (70551, 116.9, 554894, 4007, 2827, 130081, 1962),
]
LONGLEY_CERTIFIED = {  # estimate, standard deviation of the estimate
    "intercept": (-3482258.63459582, 890420.383607373),
    "x1": (15.0618722713733, 84.9149257747669),
    "x2": (-0.358191792925910e-01, 0.334910077722432e-01),
    "x3": (-2.02022980381683, 0.488399681651699),
    "x4": (-1.03322686717359, 0.214274163161675),
    "x5": (-0.511041056535807e-01, 0.226073200069370),
    "x6": (1829.15146461355, 455.478499142212),
}

# NIST StRD linear regression, Pontius (load cell calibration), fitted as y = b0 + b1·x + b2·x².
PONTIUS_Y = [
    0.11019, 0.21956, 0.32949, 0.43899, 0.54803, 0.65694, 0.76562, 0.87487, 0.98292, 1.09146,
    1.20001, 1.30822, 1.41599, 1.52399, 1.63194, 1.73947, 1.84646, 1.95392, 2.06128, 2.16844,
    0.11052, 0.22018, 0.32939, 0.43886, 0.54798, 0.65739, 0.76596, 0.87474, 0.98300, 1.09150,
    1.20004, 1.30818, 1.41613, 1.52408, 1.63159, 1.73965, 1.84696, 1.95445, 2.06177, 2.16829,
]  # fmt: skip
PONTIUS_X = [150_000 * step for step in range(1, 21)] * 2

CERTIFIED = {"rel": 1e-9}  # StRD values carry 15 digits; we ask for 9


class TestLinearRegression:
    def test_norris_certified_values(self):
        result = linear_regression([x for _, x in NORRIS], [y for y, _ in NORRIS])
        assert result.terms == ("intercept", "x")
        assert result.intercept == pytest.approx(-0.262323073774029, **CERTIFIED)
        assert result.coefficients["x"] == pytest.approx(1.00211681802045, **CERTIFIED)
        assert result.standard_errors["intercept"] == pytest.approx(0.232818234301152, **CERTIFIED)
        assert result.standard_errors["x"] == pytest.approx(0.429796848199937e-03, **CERTIFIED)
        assert result.residual_standard_error == pytest.approx(0.884796396144373, **CERTIFIED)
        assert result.r_squared == pytest.approx(0.999993745883712, **CERTIFIED)
        assert result.ss_regression == pytest.approx(4255954.13232369, **CERTIFIED)
        assert result.ss_residual == pytest.approx(26.6173985294224, **CERTIFIED)
        assert (result.df_regression, result.df_residual) == (1, 34)
        assert result.f == pytest.approx(5436385.54079785, **CERTIFIED)
        assert result.t_values["x"] ** 2 == pytest.approx(result.f)
        assert result.reject_at(0.05)

    def test_a_prediction_uses_the_fitted_line(self):
        result = linear_regression([1, 2, 3, 4], [3.1, 4.9, 7.2, 8.8], x_name="hours")
        assert result.terms == ("intercept", "hours")
        assert result.predict(5) == pytest.approx(
            result.intercept + 5 * result.coefficients["hours"]
        )
        assert result.fitted[0] + result.residuals[0] == pytest.approx(3.1)

    def test_x_and_y_of_different_lengths_are_refused(self):
        with pytest.raises(ValueError, match="x and y must have the same length"):
            linear_regression([1, 2, 3], [1, 2, 3, 4])

    def test_x_and_y_rows_of_different_lengths_are_refused(self):
        with pytest.raises(ValueError, match="X and y must have the same number of rows"):
            multiple_regression([[1, 2], [2, 1], [3, 5], [4, 4]], [1, 2, 3])

    def test_a_constant_x_is_refused(self):
        with pytest.raises(ValueError, match="X column 'x' has zero variance"):
            linear_regression([2, 2, 2, 2], [1, 2, 3, 4])

    def test_a_constant_y_is_refused(self):
        with pytest.raises(ValueError, match="y has zero variance"):
            linear_regression([1, 2, 3, 4], [5, 5, 5, 5])

    def test_too_few_points_are_refused(self):
        with pytest.raises(ValueError, match="x needs at least 3 values"):
            linear_regression([1, 2], [1, 2])

    @given(
        st.lists(st.integers(-1000, 1000), min_size=3, max_size=30, unique=True),
        st.integers(-50, 50),
        st.integers(-50, 50),
    )
    def test_exact_linear_data_give_r_squared_one(self, xs, intercept, slope):
        ys = [intercept + slope * x + 0.0 for x in xs]
        if slope == 0:
            with pytest.raises(ValueError, match="y has zero variance"):
                linear_regression(xs, ys)
            return
        result = linear_regression(xs, ys)
        assert result.r_squared == pytest.approx(1.0, abs=1e-12)
        assert result.coefficients["x"] == pytest.approx(slope, abs=1e-9)
        assert result.intercept == pytest.approx(intercept, abs=1e-7)

    @given(
        st.lists(
            st.tuples(st.floats(-100, 100), st.floats(-100, 100)), min_size=4, max_size=30
        ).filter(lambda pts: len({round(x, 3) for x, _ in pts}) > 2)
    )
    def test_p_values_are_probabilities_and_r_squared_a_fraction(self, points):
        ys = [y for _, y in points]
        if max(ys) - min(ys) < 1e-6:
            return
        result = linear_regression([x for x, _ in points], ys)
        assert all(0 <= p <= 1 for p in result.p_values.values())
        assert 0 <= result.f_p_value <= 1
        assert -1e-9 <= result.r_squared <= 1 + 1e-9


class TestMultipleRegression:
    def test_longley_certified_values(self):
        result = multiple_regression([row[1:] for row in LONGLEY], [row[0] for row in LONGLEY])
        assert result.terms == tuple(LONGLEY_CERTIFIED)
        for term, (estimate, standard_error) in LONGLEY_CERTIFIED.items():
            assert result.coefficients[term] == pytest.approx(estimate, **CERTIFIED), term
            assert result.standard_errors[term] == pytest.approx(standard_error, **CERTIFIED), term
        assert result.residual_standard_error == pytest.approx(304.854073561965, **CERTIFIED)
        assert result.r_squared == pytest.approx(0.995479004577296, **CERTIFIED)
        assert result.ss_regression == pytest.approx(184172401.944494, **CERTIFIED)
        assert result.ss_residual == pytest.approx(836424.055505915, **CERTIFIED)
        assert result.f == pytest.approx(330.285339234588, **CERTIFIED)
        assert (result.df_regression, result.df_residual) == (6, 9)

    def test_longley_adjusted_r_squared(self):
        result = multiple_regression([row[1:] for row in LONGLEY], [row[0] for row in LONGLEY])
        assert result.adjusted_r_squared == pytest.approx(1 - (1 - 0.995479004577296) * 15 / 9)

    def test_pontius_quadratic_certified_values(self):
        result = multiple_regression(
            [[x, x * x] for x in PONTIUS_X], PONTIUS_Y, names=("load", "load²")
        )
        assert result.coefficients["intercept"] == pytest.approx(0.673565789473684e-03, **CERTIFIED)
        assert result.coefficients["load"] == pytest.approx(0.732059160401003e-06, **CERTIFIED)
        assert result.coefficients["load²"] == pytest.approx(-0.316081871345029e-14, **CERTIFIED)
        assert result.standard_errors["load²"] == pytest.approx(0.486652849992036e-16, **CERTIFIED)
        assert result.residual_standard_error == pytest.approx(0.205177424076185e-03, **CERTIFIED)
        assert result.r_squared == pytest.approx(0.999999900178537, **CERTIFIED)
        assert result.f == pytest.approx(185330865.995752, **CERTIFIED)

    def test_predict_needs_one_value_per_predictor(self):
        result = multiple_regression([[1, 0], [0, 1], [1, 1], [2, 1], [1, 3]], [1, 2, 3, 5, 6])
        assert result.predict([1, 1]) == pytest.approx(
            result.intercept + result.coefficients["x1"] + result.coefficients["x2"]
        )
        with pytest.raises(ValueError, match="x needs one value per predictor"):
            result.predict(1)

    def test_collinear_predictors_are_refused(self):
        with pytest.raises(ValueError, match="X has collinear columns"):
            multiple_regression([[1, 2], [2, 4], [3, 6.0], [4, 8], [5, 9.99999999999999]], range(5))

    def test_too_few_observations_for_the_coefficients_are_refused(self):
        with pytest.raises(ValueError, match="need at least 4 observations to fit 3 coefficients"):
            multiple_regression([[1, 2], [2, 1], [3, 5]], [1, 2, 3])

    def test_names_must_match_the_columns(self):
        with pytest.raises(ValueError, match="names needs one name per column of X"):
            multiple_regression([[1, 2], [2, 1], [3, 5], [4, 4]], [1, 2, 3, 4], names=("a",))

    @given(
        st.lists(st.tuples(st.integers(-20, 20), st.integers(-20, 20)), min_size=5, max_size=20),
        st.tuples(st.integers(-9, 9), st.integers(-9, 9), st.integers(-9, 9)),
    )
    def test_exact_plane_data_give_r_squared_one(self, points, beta):
        matrix = np.array(points, dtype=float)
        centred = matrix - matrix.mean(axis=0)
        if np.linalg.matrix_rank(centred) < 2 or beta[1:] == (0, 0):
            return
        ys = beta[0] + matrix @ np.array(beta[1:], dtype=float)
        result = multiple_regression(matrix, ys)
        assert result.r_squared == pytest.approx(1.0, abs=1e-10)
        assert result.coefficients["x1"] == pytest.approx(beta[1], abs=1e-7)
        assert result.coefficients["x2"] == pytest.approx(beta[2], abs=1e-7)


class TestNormality:
    # Shapiro & Wilk (1965), section 4: weights in pounds of 11 men.
    WEIGHTS = (148, 154, 158, 160, 161, 162, 166, 170, 182, 195, 236)

    def test_shapiro_and_wilks_weights_are_not_normal(self):
        result = normality(self.WEIGHTS)
        assert round(result.shapiro_wilk, 2) == 0.79  # as published
        assert result.shapiro_wilk == pytest.approx(0.78881, abs=5e-6)  # R's shapiro.test
        assert result.shapiro_wilk_p_value == pytest.approx(0.006704, abs=5e-7)
        assert not result.normal_at_5pct
        assert result.reject_at(0.05)

    def test_anderson_darling_follows_its_definition(self):
        values = np.array(self.WEIGHTS, dtype=float)
        n = values.size
        z = np.sort((values - values.mean()) / values.std(ddof=1))
        i = np.arange(1, n + 1)
        a2 = -n - np.sum((2 * i - 1) * (sps.norm.logcdf(z) + sps.norm.logsf(z[::-1]))) / n
        result = normality(self.WEIGHTS)
        assert result.anderson_darling == pytest.approx(a2)
        assert result.anderson_darling_critical_5pct == round(
            0.752 / (1 + 0.75 / n + 2.25 / n**2), 3
        )
        assert result.anderson_darling > result.anderson_darling_critical_5pct

    def test_normal_scores_pass(self):
        values = sps.norm.ppf((np.arange(1, 31) - 0.5) / 30)
        result = normality(values)
        assert result.normal_at_5pct
        assert result.anderson_darling_p_value == 0.15  # the top of Stephens' table
        assert not result.reject_at(0.10)

    def test_alpha_outside_the_table_is_refused(self):
        with pytest.raises(ValueError, match=r"between 0\.01 and 0\.15"):
            normality(self.WEIGHTS).reject_at(0.2)

    def test_constant_values_are_refused(self):
        with pytest.raises(ValueError, match="values has zero variance"):
            normality([4.0] * 10)

    def test_two_values_are_too_few(self):
        with pytest.raises(ValueError, match="values needs at least 3 values"):
            normality([1.0, 2.0])

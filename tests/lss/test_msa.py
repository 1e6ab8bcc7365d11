"""Gauge R&R against the AIAG MSA 4th edition example (10 parts × 3 appraisers × 3 trials).

The average and range figures are the AIAG data sheet and report (chapter III, section B).
The sheet rounds its intermediates (R̿ = 0.3417, X̄diff = 0.4446, Rp = 3.511) before
multiplying, so the σ components agree to 5e-5 and the percentages to 0.01 points.
The ANOVA figures are the AIAG ANOVA table and variance components (as reproduced in
McNeese, "Three Ways to Analyze a Gage R&R Study", BPI Consulting 2015); the sums of squares
are also cross-checked below against nested least-squares fits, computed independently of
the module.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.lss.msa import aiag_verdict, gauge_rr
from app.lss.stats import multiple_regression

# AIAG MSA 4th ed.: appraiser → trials 1–3, each listing parts 1–10.
AIAG_SHEET = {
    "A": [
        [0.29, -0.56, 1.34, 0.47, -0.80, 0.02, 0.59, -0.31, 2.26, -1.36],
        [0.41, -0.68, 1.17, 0.50, -0.92, -0.11, 0.75, -0.20, 1.99, -1.25],
        [0.64, -0.58, 1.27, 0.64, -0.84, -0.21, 0.66, -0.17, 2.01, -1.31],
    ],
    "B": [
        [0.08, -0.47, 1.19, 0.01, -0.56, -0.20, 0.47, -0.63, 1.80, -1.68],
        [0.25, -1.22, 0.94, 1.03, -1.20, 0.22, 0.55, 0.08, 2.12, -1.62],
        [0.07, -0.68, 1.34, 0.20, -1.28, 0.06, 0.83, -0.34, 2.19, -1.50],
    ],
    "C": [
        [0.04, -1.38, 0.88, 0.14, -1.46, -0.29, 0.02, -0.46, 1.77, -1.49],
        [-0.11, -1.13, 1.09, 0.20, -1.07, -0.67, 0.01, -0.56, 1.45, -1.77],
        [-0.15, -0.96, 0.67, 0.11, -1.45, -0.49, 0.21, -0.49, 1.87, -2.16],
    ],
}
# The same study as parts × operators × trials.
AIAG = [[[AIAG_SHEET[op][trial][part] for trial in range(3)] for op in "ABC"] for part in range(10)]


@pytest.fixture(scope="module")
def average_range_study():
    return gauge_rr(AIAG, method="average_range")


@pytest.fixture(scope="module")
def anova_study():
    return gauge_rr(AIAG)


class TestAiagAverageAndRange:
    @pytest.fixture
    def study(self, average_range_study):
        return average_range_study

    def test_the_data_sheet_intermediates(self, study):
        sheet = study.average_range
        assert sheet.operator_means == pytest.approx((0.1903, 0.0683, -0.2543), abs=5e-5)
        assert sheet.operator_average_ranges == pytest.approx((0.184, 0.513, 0.328), abs=5e-4)
        assert sheet.r_double_bar == pytest.approx(0.3417, abs=5e-5)
        assert sheet.x_diff == pytest.approx(0.4446, abs=1e-4)
        assert sheet.part_range == pytest.approx(3.511, abs=5e-4)
        assert (sheet.k1, sheet.k2, sheet.k3) == (0.5908, 0.5231, 0.3146)

    def test_the_range_chart_limit_and_the_cell_above_it(self, study):
        # UCL_R = D4 × R̿ = 2.574 × 0.3417; appraiser B's part 4 spans 1.03 − 0.01 = 1.02.
        assert study.average_range.range_limit == pytest.approx(0.8795, abs=5e-4)
        assert study.average_range.ranges_above_limit == ((4, 2),)

    def test_the_published_components(self, study):
        assert study.repeatability == pytest.approx(0.20188, abs=5e-5)
        assert study.reproducibility == pytest.approx(0.22963, abs=5e-5)
        assert study.gauge_rr == pytest.approx(0.30575, abs=5e-5)
        assert study.part_to_part == pytest.approx(1.10456, abs=5e-5)
        assert study.total_variation == pytest.approx(1.14610, abs=5e-5)
        assert study.interaction is None

    def test_the_published_percentages_ndc_and_verdict(self, study):
        percent = study.percent_study_variation
        assert percent["repeatability"] == pytest.approx(17.62, abs=0.01)
        assert percent["reproducibility"] == pytest.approx(20.04, abs=0.01)
        assert percent["gauge_rr"] == pytest.approx(26.68, abs=0.01)
        assert percent["part_to_part"] == pytest.approx(96.38, abs=0.01)
        assert study.ndc == 5 and study.ndc_adequate
        assert study.verdict == "conditional"
        assert study.anova is None


class TestAiagAnova:
    @pytest.fixture
    def study(self, anova_study):
        return anova_study

    def test_the_published_anova_table(self, study):
        table = study.anova.table
        assert table["part"].ss == pytest.approx(88.3619, abs=5e-5)
        assert table["operator"].ss == pytest.approx(3.1673, abs=5e-5)
        assert table["part×operator"].ss == pytest.approx(0.3590, abs=5e-5)
        assert table["repeatability"].ss == pytest.approx(2.7589, abs=5e-5)
        assert table["total"].ss == pytest.approx(94.6471, abs=5e-5)
        dfs = [table[k].df for k in ("part", "operator", "part×operator", "repeatability", "total")]
        assert dfs == [9, 2, 18, 60, 89]
        assert table["operator"].ms == pytest.approx(1.58363, abs=5e-6)
        assert table["part"].ms == pytest.approx(9.81799, abs=5e-6)
        assert table["repeatability"].ms == pytest.approx(0.04598, abs=5e-6)
        assert table["operator"].f == pytest.approx(79.41, abs=5e-3)
        assert table["part"].f == pytest.approx(492.29, abs=5e-3)
        assert table["part×operator"].f == pytest.approx(0.434, abs=5e-4)

    def test_the_interaction_is_pooled(self, study):
        anova = study.anova
        assert anova.interaction_p_value == pytest.approx(0.974, abs=5e-4)
        assert anova.interaction_pooled
        pooled = anova.pooled_table["repeatability"]
        assert (pooled.ss, pooled.df) == (pytest.approx(3.1179, abs=5e-5), 78)
        assert study.interaction == 0

    def test_the_published_variance_components(self, study):
        variances = study.variances
        assert variances["repeatability"] == pytest.approx(0.039973, abs=5e-7)
        assert variances["reproducibility"] == pytest.approx(0.051455, abs=5e-7)
        assert variances["gauge_rr"] == pytest.approx(0.091428, abs=1e-6)  # sum of the rounded two
        assert variances["part_to_part"] == pytest.approx(1.086447, abs=5e-7)
        assert variances["total_variation"] == pytest.approx(1.177875, abs=5e-7)

    def test_the_published_percentages_and_ndc(self, study):
        percent = study.percent_study_variation
        assert percent["repeatability"] == pytest.approx(18.4, abs=0.05)
        assert percent["reproducibility"] == pytest.approx(20.9, abs=0.05)
        assert percent["gauge_rr"] == pytest.approx(27.9, abs=0.05)
        assert percent["part_to_part"] == pytest.approx(96.0, abs=0.05)
        assert study.percent_contribution["gauge_rr"] == pytest.approx(
            percent["gauge_rr"] ** 2 / 100
        )
        assert study.ndc == 4 and not study.ndc_adequate
        assert study.verdict == "conditional"

    def test_the_sums_of_squares_match_nested_least_squares_fits(self, study):
        rows = [(p, o, y) for p in range(10) for o in range(3) for y in AIAG[p][o]]
        y = [value for _, _, value in rows]

        def residual_ss(columns):
            matrix = [[column(p, o) for column in columns] for p, o, _ in rows]
            return multiple_regression(matrix, y).ss_residual

        parts = [lambda p, o, i=i: float(p == i) for i in range(1, 10)]
        operators = [lambda p, o, j=j: float(o == j) for j in range(1, 3)]
        cells = [
            lambda p, o, i=i, j=j: float(p == i and o == j) for i in range(1, 10) for j in (1, 2)
        ]
        ss_total = math.fsum((np.array(y) - np.mean(y)) ** 2)
        after_parts = residual_ss(parts)
        after_operators = residual_ss(parts + operators)
        after_cells = residual_ss(parts + operators + cells)
        table = study.anova.table
        assert table["part"].ss == pytest.approx(ss_total - after_parts, rel=1e-9)
        assert table["operator"].ss == pytest.approx(after_parts - after_operators, rel=1e-9)
        assert table["part×operator"].ss == pytest.approx(after_operators - after_cells, rel=1e-9)
        assert table["repeatability"].ss == pytest.approx(after_cells, rel=1e-9)


def designed_study(noise: float = 0.5) -> list[list[list[float]]]:
    """3 parts × 3 operators × 2 trials: part 10/20/30, operator −3/0/+3, an interaction
    table whose rows and columns sum to zero, and trials at cell mean ± noise.

    By hand (p = o = 3, r = 2): SS_E = 18·0.25 = 4.5 on 9 df → MS_E = 0.5;
    SS_PO = 2·(6·2²) = 48 on 4 df → 12; SS_O = 6·(9 + 0 + 9) = 108 on 2 df → 54;
    SS_P = 6·(100 + 0 + 100) = 1200 on 2 df → 600. Interaction F = 24 on (4, 9): not pooled.
    σ²_E = 0.5, σ²_PO = (12 − 0.5)/2 = 5.75, σ²_O = (54 − 12)/6 = 7, σ²_P = (600 − 12)/6 = 98.
    """
    interaction = [[2, -2, 0], [-2, 0, 2], [0, 2, -2]]
    return [
        [
            [part + operator + interaction[i][j] + delta for delta in (-noise, noise)]
            for j, operator in enumerate((-3, 0, 3))
        ]
        for i, part in enumerate((10, 20, 30))
    ]


class TestAnovaWithAnInteraction:
    def test_the_hand_calculated_components(self):
        study = gauge_rr(designed_study())
        assert not study.anova.interaction_pooled
        assert study.anova.pooled_table is None
        assert study.anova.table["part×operator"].f == pytest.approx(24)
        variances = study.variances
        assert variances["repeatability"] == pytest.approx(0.5)
        assert variances["interaction"] == pytest.approx(5.75)
        assert variances["operator"] == pytest.approx(7)
        assert variances["reproducibility"] == pytest.approx(12.75)
        assert variances["part_to_part"] == pytest.approx(98)
        assert study.percent_study_variation["gauge_rr"] == pytest.approx(
            100 * math.sqrt(13.25 / 111.25)
        )
        assert study.ndc == 3  # ⌊1.41 × √(98/13.25)⌋ = ⌊3.83⌋
        assert study.verdict == "unacceptable"

    def test_part_and_operator_are_tested_against_the_interaction(self):
        table = gauge_rr(designed_study()).anova.table
        assert table["part"].f == pytest.approx(600 / 12)
        assert table["operator"].f == pytest.approx(54 / 12)

    def test_a_strict_alpha_never_pools(self):
        study = gauge_rr(AIAG, interaction_alpha=1.0)
        table = study.anova.table
        assert not study.anova.interaction_pooled
        assert study.interaction == 0  # MS_PO < MS_E, so the component is set to 0
        assert study.variances["repeatability"] == pytest.approx(table["repeatability"].ms)
        assert study.variances["operator"] == pytest.approx(
            (table["operator"].ms - table["part×operator"].ms) / 30
        )

    def test_alpha_zero_always_pools(self):
        study = gauge_rr(designed_study(), interaction_alpha=0.0)
        assert study.anova.interaction_pooled
        pooled = study.anova.pooled_table["repeatability"]
        assert pooled.ms == pytest.approx((48 + 4.5) / 13)


class TestVerdict:
    @pytest.mark.parametrize(
        ("percent", "verdict"),
        [(0, "acceptable"), (9.99, "acceptable"), (10, "conditional"), (30, "conditional"),
         (30.01, "unacceptable"), (100, "unacceptable")],
    )  # fmt: skip
    def test_the_aiag_bands(self, percent, verdict):
        assert aiag_verdict(percent) == verdict

    def test_a_fraction_outside_0_to_100_is_refused(self):
        with pytest.raises(ValueError, match="percent_grr must be a percentage"):
            aiag_verdict(-1)


class TestInvalidStudies:
    def test_an_unknown_method_is_refused(self):
        with pytest.raises(ValueError, match="method must be 'anova' or 'average_range'"):
            gauge_rr(AIAG, method="range")

    def test_a_part_missing_an_operator_is_refused(self):
        study = [part[:] for part in AIAG]
        study[3] = study[3][:2]
        with pytest.raises(ValueError, match=r"measurements\[3\] has 2 operators"):
            gauge_rr(study)

    def test_a_cell_missing_a_trial_is_refused(self):
        study = [[cell[:] for cell in part] for part in AIAG]
        study[2][1] = study[2][1][:2]
        with pytest.raises(ValueError, match=r"measurements\[2\]\[1\] has 2 trials"):
            gauge_rr(study)

    @pytest.mark.parametrize(
        ("study", "message"),
        [
            ([[[1.0, 1.1], [1.2, 1.0]]], "at least 2 parts"),
            ([[[1.0, 1.1]], [[2.0, 2.1]]], "at least 2 operators"),
            ([[[1.0], [1.1]], [[2.0], [2.1]]], "at least 2 trials"),
            ([[[1.0, math.nan], [1.1, 1.2]], [[2.0, 2.1], [2.2, 2.0]]], "not a finite number"),
        ],
    )
    def test_too_small_or_broken_studies_are_refused(self, study, message):
        with pytest.raises(ValueError, match=message):
            gauge_rr(study)

    def test_exact_repeats_everywhere_are_refused(self):
        study = [[[part + op] * 3 for op in (0.0, 0.1)] for part in (1.0, 2.0, 3.0)]
        with pytest.raises(ValueError, match="repeat exactly on every trial"):
            gauge_rr(study)

    def test_average_and_range_needs_the_aiag_constants(self):
        study = [[[*cell, cell[0]] for cell in part] for part in AIAG]  # 4 trials
        with pytest.raises(ValueError, match=r"constants for 2 to 3 trials .*use method='anova'"):
            gauge_rr(study, method="average_range")
        assert gauge_rr(study).trials == 4


studies = st.builds(
    lambda seed, parts, operators, trials: (
        np.random.default_rng(seed).normal(size=(parts, operators, trials)).tolist()
    ),
    st.integers(0, 2**32 - 1),
    st.integers(2, 10),
    st.integers(2, 3),
    st.integers(2, 3),
)


class TestProperties:
    @settings(max_examples=60)
    @given(studies, st.sampled_from(["anova", "average_range"]))
    def test_components_add_up_in_variance(self, study, method):
        result = gauge_rr(study, method=method)
        percent = result.percent_study_variation
        assert percent["gauge_rr"] ** 2 + percent["part_to_part"] ** 2 == pytest.approx(1e4)
        contribution = result.percent_contribution
        assert contribution["gauge_rr"] + contribution["part_to_part"] == pytest.approx(100)
        assert result.gauge_rr == pytest.approx(
            math.hypot(result.repeatability, result.reproducibility)
        )
        assert all(value >= 0 for value in result.variances.values())
        assert result.ndc == math.floor(1.41 * result.part_to_part / result.gauge_rr)

    @settings(max_examples=60)
    @given(studies)
    def test_the_anova_sums_of_squares_add_up(self, study):
        table = gauge_rr(study).anova.table
        parts = math.fsum(
            table[k].ss for k in ("part", "operator", "part×operator", "repeatability")
        )
        assert parts == pytest.approx(table["total"].ss)
        assert all(0 <= table[k].p_value <= 1 for k in ("part", "operator", "part×operator"))

    @settings(max_examples=40)
    @given(
        studies,
        st.floats(0.01, 100),
        st.floats(-100, 100),
        st.sampled_from(["anova", "average_range"]),
    )
    def test_percentages_do_not_depend_on_units(self, study, scale, shift, method):
        original = gauge_rr(study, method=method)
        rescaled = gauge_rr((np.array(study) * scale + shift).tolist(), method=method)
        for name, value in original.percent_study_variation.items():
            assert rescaled.percent_study_variation[name] == pytest.approx(value, abs=1e-6)
        assert rescaled.gauge_rr == pytest.approx(original.gauge_rr * scale)

"""Capability indices and expected ppm against published worked examples, one-sided
specifications, wrong inputs and properties.

Published sources: Montgomery's piston rings (Introduction to Statistical Quality Control,
Table 6.3; specification 74.000 ± 0.05 mm) with qcc's process.capability output for several
specifications (Scrucca, R News 4/1, 2004; reproduced in mistat's test suite), and
LSS-REFERENCE §3.3 (Cp 1.703, Cpk 1.663, Pp 1.655, Ppk 1.616); Montgomery's table of the
process capability ratio against process fallout in ppm (ch. 8).
"""

import statistics

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.lss.capability import capability, capability_indices, expected_ppm
from tests.lss.test_spc import NIST_FLOW_RATE, PISTON_RINGS

RINGS = [value for sample in PISTON_RINGS for value in sample]

# Montgomery: PCR (centred process) → fallout in ppm, two-sided and one-sided specification.
FALLOUT_TWO_SIDED = [(0.5, 133_614), (1.0, 2_700), (1.1, 967), (1.2, 318), (1.3, 96),
                     (1.4, 27), (1.5, 7)]  # fmt: skip
FALLOUT_ONE_SIDED = [(0.5, 66_807), (1.0, 1_350)]

measurements = st.lists(
    st.integers(min_value=-10_000, max_value=10_000).map(lambda hundredths: hundredths / 100),
    min_size=4,
    max_size=40,
)


class TestPistonRings:
    def test_the_published_indices(self):
        study = capability(RINGS, lsl=73.95, usl=74.05, subgroup_size=5)
        assert study.mean == pytest.approx(74.00118, abs=5e-6)
        assert study.sigma_within == pytest.approx(0.009785039, abs=5e-10)  # R̄/d2
        assert (study.cp, study.cpk, study.pp, study.ppk) == pytest.approx(
            (1.703, 1.663, 1.655, 1.616), abs=5e-4
        )
        # qcc: Cp_l 1.743, Cp_u 1.663.
        assert (study.cpl, study.cpu) == pytest.approx((1.743, 1.663), abs=5e-4)

    def test_a_tight_specification_with_qccs_expected_fallout(self):
        study = capability(RINGS, lsl=73.99, usl=74.01, subgroup_size=5)
        assert (study.cp, study.cpl, study.cpu, study.cpk) == pytest.approx(
            (0.3407, 0.3807, 0.3006, 0.3006), rel=5e-4
        )
        # qcc prints Exp<LSL 13% and Exp>USL 18%, from the within σ.
        assert round(study.ppm_within.below / 10_000) == 13
        assert round(study.ppm_within.above / 10_000) == 18

    def test_an_off_centre_specification(self):
        study = capability(RINGS, lsl=73.99, usl=74.1, subgroup_size=5)
        assert (study.cp, study.cpu, study.cpk) == pytest.approx((1.8736, 3.3665, 0.3807), rel=5e-4)

    def test_the_overall_ppm_goes_with_ppk(self):
        study = capability(RINGS, lsl=73.95, usl=74.05, subgroup_size=5)
        assert study.ppm_overall == expected_ppm(study.mean, study.sigma_overall, 73.95, 74.05)
        assert study.ppm_within == expected_ppm(study.mean, study.sigma_within, 73.95, 74.05)
        assert study.ppm_within.total < study.ppm_overall.total < 1


class TestOneSidedSpecifications:
    def test_a_lower_limit_only_gives_cpk_from_that_side(self):
        study = capability(RINGS, lsl=73.99, usl=None, subgroup_size=5)
        assert (study.cp, study.cpu, study.pp, study.ppu) == (None, None, None, None)
        assert study.cpk == study.cpl == pytest.approx(0.3807, rel=5e-4)
        assert study.ppm_overall.above == 0
        assert study.ppm_overall.total == study.ppm_overall.below > 0

    def test_an_upper_limit_only_gives_cpk_from_that_side(self):
        study = capability(RINGS, lsl=None, usl=74.01, subgroup_size=5)
        assert study.cp is None
        assert study.cpk == study.cpu == pytest.approx(0.3006, rel=5e-4)
        assert study.ppk == study.ppu
        assert study.ppm_within.below == 0


class TestIndividuals:
    def test_the_within_sigma_is_the_mean_moving_range_over_1_128(self):
        # NIST §6.3.2.2 flow rate: MR̄ = 1.8778, so σ_within = 1.8778/1.128 = 1.6647.
        study = capability(NIST_FLOW_RATE, lsl=45, usl=57)
        assert study.subgroup_size == 1
        assert study.sigma_within == pytest.approx(1.8778 / 1.128, abs=5e-5)
        assert study.cp == pytest.approx(12 / (6 * 1.8778 / 1.128), abs=5e-5)
        assert study.sigma_overall == pytest.approx(statistics.stdev(NIST_FLOW_RATE))


class TestFormulas:
    def test_a_hand_worked_example(self):
        # LSL 8, USL 20, μ 16, σ 2: Cp = 12/12, Cpl = 8/6, Cpu = 4/6.
        indices = capability_indices(16, 2, lsl=8, usl=20)
        assert (indices.cp, indices.cpl, indices.cpu, indices.cpk) == pytest.approx(
            (1.0, 4 / 3, 2 / 3, 2 / 3)
        )

    @pytest.mark.parametrize(("cp", "ppm"), FALLOUT_TWO_SIDED)
    def test_the_fallout_of_a_centred_process(self, cp, ppm):
        assert round(expected_ppm(0, 1, lsl=-3 * cp, usl=3 * cp).total) == ppm

    @pytest.mark.parametrize(("cp", "ppm"), FALLOUT_ONE_SIDED)
    def test_the_fallout_of_a_one_sided_specification(self, cp, ppm):
        assert round(expected_ppm(0, 1, usl=3 * cp).total) == ppm


class TestWrongInputs:
    def test_a_lower_limit_at_or_above_the_upper_one_is_refused(self):
        with pytest.raises(ValueError, match=r"lsl \(74.05\) must be below usl \(73.95\)"):
            capability(RINGS, lsl=74.05, usl=73.95, subgroup_size=5)
        with pytest.raises(ValueError, match=r"lsl \(12\) must be below usl \(12\)"):
            capability_indices(10, 1, lsl=12, usl=12)

    def test_no_specification_is_refused(self):
        with pytest.raises(ValueError, match="Give a specification limit: lsl, usl or both"):
            capability(RINGS, lsl=None, usl=None)

    @pytest.mark.parametrize(
        ("values", "size", "message"),
        [
            (RINGS, 0, "subgroup_size must be a whole number from 1 to 25"),
            (RINGS, 26, "subgroup_size must be a whole number from 1 to 25"),
            (RINGS[:-1], 5, "values holds 124 measurements, not a whole number of subgroups"),
            (RINGS[:5], 5, "values needs at least 10 measurements for subgroup_size 5"),
            ([1.0], 1, "values needs at least 2 measurements"),
            ([1.0, float("nan"), 2.0], 1, "values must be a flat list of finite numbers"),
            ([3.0] * 10, 5, "values show no variation"),
        ],
    )
    def test_unusable_values_are_refused(self, values, size, message):
        with pytest.raises(ValueError, match=message):
            capability(values, lsl=0, usl=100, subgroup_size=size)

    @pytest.mark.parametrize("sigma", [0, -1, float("inf")])
    def test_a_sigma_that_is_not_positive_is_refused(self, sigma):
        with pytest.raises(ValueError, match="sigma must be greater than zero"):
            expected_ppm(10, sigma, lsl=5)


def spec_around(values: list[float], data: st.DataObject) -> tuple[float, float]:
    low, high = min(values), max(values)
    width = high - low
    lsl = data.draw(st.floats(low - 2 * width - 1, high))
    usl = data.draw(st.floats(lsl + 0.01 * width + 0.01, high + 2 * width + 1))
    return lsl, usl


class TestProperties:
    @given(measurements, st.sampled_from([1, 2, 4]), st.data())
    def test_cpk_never_exceeds_cp_and_ppk_never_exceeds_pp(self, values, size, data):
        values = values[: len(values) // size * size]
        subgroups = [values[start : start + size] for start in range(0, len(values), size)]
        assume(len(subgroups) >= 2 and len(set(values)) > 1)
        assume(size == 1 or any(len(set(subgroup)) > 1 for subgroup in subgroups))
        lsl, usl = spec_around(values, data)
        study = capability(values, lsl, usl, subgroup_size=size)
        assert study.cpk <= study.cp + 1e-12
        assert study.ppk <= study.pp + 1e-12
        assert study.ppm_overall.total == pytest.approx(
            study.ppm_overall.below + study.ppm_overall.above
        )

    @given(measurements, st.floats(0.1, 100), st.floats(-1e3, 1e3), st.data())
    def test_indices_do_not_change_with_units_or_origin(self, values, a, b, data):
        assume(len(set(values)) > 1)
        lsl, usl = spec_around(values, data)
        before = capability(values, lsl, usl)
        after = capability([a * value + b for value in values], a * lsl + b, a * usl + b)
        for name in ("cp", "cpk", "pp", "ppk"):
            assert getattr(after, name) == pytest.approx(getattr(before, name), rel=1e-6)
        assert after.ppm_overall.total == pytest.approx(
            before.ppm_overall.total, rel=1e-5, abs=1e-6
        )

    @given(st.floats(-100, 100), st.floats(0.01, 50), st.floats(-100, 100), st.floats(0.1, 50))
    def test_the_worse_side_sets_cpk_and_its_ppm(self, mean, sigma, lsl, width):
        indices = capability_indices(mean, sigma, lsl, lsl + width)
        ppm = expected_ppm(mean, sigma, lsl, lsl + width)
        assert indices.cpk == min(indices.cpl, indices.cpu)
        assert indices.cp == pytest.approx((indices.cpl + indices.cpu) / 2)
        # The minimum Z is 3·Cpk, and the worse side's fallout is Φ(−3·Cpk).
        worse = ppm.below if indices.cpl <= indices.cpu else ppm.above
        assert worse == pytest.approx(
            expected_ppm(0, 1, usl=3 * indices.cpk).above, rel=1e-6, abs=1e-9
        )

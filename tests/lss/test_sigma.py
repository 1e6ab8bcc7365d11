"""DPU, DPMO and the sigma level against the published conversion table."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.lss.sigma import dpmo, dpmo_from_sigma, dpo, dpu, sigma_level, yield_from_dpmo

# Sigma level ↔ DPMO, one tail with the 1.5 shift (Motorola / Harry convention).
PUBLISHED_TABLE = [(1, 691_462), (2, 308_538), (3, 66_807), (4, 6_210), (5, 233), (6, 3.4)]


class TestDefectRates:
    def test_dpu_dpo_and_dpmo_for_a_claims_example(self):
        # 1,200 claims with 5 opportunities each and 90 defects found.
        assert dpu(90, 1200) == pytest.approx(0.075)
        assert dpo(90, 1200, 5) == pytest.approx(0.015)
        assert dpmo(90, 1200, 5) == pytest.approx(15_000)

    def test_more_defects_than_opportunities_is_refused(self):
        with pytest.raises(ValueError, match="more defects than opportunities"):
            dpo(11, 2, 5)

    def test_zero_units_is_refused(self):
        with pytest.raises(ValueError, match="Units must be greater than zero"):
            dpu(3, 0)


class TestSigmaLevel:
    @pytest.mark.parametrize(("sigma", "published_dpmo"), PUBLISHED_TABLE)
    def test_sigma_to_dpmo_matches_the_published_table(self, sigma, published_dpmo):
        assert dpmo_from_sigma(sigma) == pytest.approx(
            published_dpmo, abs=0.5 if sigma < 6 else 0.05
        )

    @pytest.mark.parametrize(("sigma", "published_dpmo"), PUBLISHED_TABLE)
    def test_dpmo_to_sigma_matches_the_published_table(self, sigma, published_dpmo):
        assert sigma_level(published_dpmo) == pytest.approx(sigma, abs=0.01)

    def test_300000_dpmo_is_2_02_sigma(self):
        # =NORMSINV(1 - 300000/1e6) + 1.5
        assert round(sigma_level(300_000), 2) == 2.02

    def test_without_the_shift_it_reports_the_long_term_z(self):
        assert sigma_level(66_807, shift=0) == pytest.approx(1.5, abs=1e-4)

    @pytest.mark.parametrize("bad", [0, 1_000_000, -5, float("nan")])
    def test_a_dpmo_without_a_sigma_level_is_refused(self, bad):
        with pytest.raises(ValueError):
            sigma_level(bad)

    @given(st.floats(min_value=-2.0, max_value=7.5))
    def test_sigma_level_and_dpmo_from_sigma_are_inverse(self, sigma):
        assert sigma_level(dpmo_from_sigma(sigma)) == pytest.approx(sigma, abs=1e-6)

    @given(st.floats(min_value=0.01, max_value=999_999))
    def test_more_defects_never_mean_a_higher_sigma(self, value):
        assert sigma_level(value) >= sigma_level(min(value * 1.01, 999_999.5))

    def test_yield_from_dpmo(self):
        assert yield_from_dpmo(6_210) == pytest.approx(0.99379)

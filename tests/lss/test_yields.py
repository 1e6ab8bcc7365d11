"""Yield formulas against published worked examples, wrong inputs and properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.lss.yields import (
    final_yield,
    first_pass_yield,
    normalized_yield,
    rolled_throughput_yield,
    rolled_throughput_yield_from_dpu,
)

step_yield = st.floats(min_value=0, max_value=1)


class TestFirstPassYield:
    def test_it_counts_only_units_right_first_time(self):
        # 1,000 claims in, 80 reworked, 20 rejected: 900 right first time.
        assert first_pass_yield(1000, 900) == pytest.approx(0.90)

    def test_final_yield_hides_the_rework_that_fpy_shows(self):
        assert final_yield(1000, 980) == pytest.approx(0.98)
        assert first_pass_yield(1000, 900) < final_yield(1000, 980)

    @pytest.mark.parametrize(
        ("units_in", "passed", "message"),
        [(0, 0, "greater than zero"), (100, -1, "cannot be negative"), (100, 101, "cannot exceed")],
    )
    def test_impossible_counts_are_refused_with_a_reason(self, units_in, passed, message):
        with pytest.raises(ValueError, match=message):
            first_pass_yield(units_in, passed)


class TestRolledThroughputYield:
    def test_it_multiplies_the_step_yields(self):
        assert rolled_throughput_yield([0.95, 0.90, 0.98]) == pytest.approx(0.8379)

    def test_harrys_dpu_example_gives_0_853850(self):
        # M. Harry, iSixSigma (2004): DPU 0.10, 0.05 and 0.008.
        assert rolled_throughput_yield_from_dpu([0.10, 0.05, 0.008]) == pytest.approx(
            0.853850, abs=5e-7
        )

    def test_a_percentage_instead_of_a_fraction_gets_a_hint(self):
        with pytest.raises(ValueError, match=r"93% is 0\.93"):
            rolled_throughput_yield([0.95, 93])

    def test_no_steps_is_refused(self):
        with pytest.raises(ValueError, match="at least one step"):
            rolled_throughput_yield([])

    @given(st.lists(step_yield, min_size=1, max_size=12))
    def test_rty_never_exceeds_any_step_yield(self, yields):
        rty = rolled_throughput_yield(yields)
        assert 0 <= rty <= min(yields) + 1e-12

    @given(st.lists(st.floats(min_value=0.01, max_value=1), min_size=1, max_size=12))
    def test_normalised_yield_recovers_the_rty(self, yields):
        rty = rolled_throughput_yield(yields)
        assert normalized_yield(rty, len(yields)) ** len(yields) == pytest.approx(rty, rel=1e-9)

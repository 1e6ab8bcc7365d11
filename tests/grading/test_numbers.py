"""Reading typed numbers and judging them with tolerance."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.grading.numbers import NumberFormatError, Tolerance, format_number, judge, parse_number


class TestParsingNumbers:
    @pytest.mark.parametrize(
        ("text", "unit", "expected"),
        [
            ("0.93", "number", 0.93),
            (" 1,234.5 ", "number", 1234.5),
            ("1 234", "number", 1234),
            ("0,93", "number", 0.93),
            ("93%", "percent", 93),
            ("93.5", "percent", 93.5),
            ("93%", "fraction", 0.93),
            ("-2.5", "number", -2.5),
            ("1e3", "number", 1000),
            ("12", "count", 12),
        ],
    )
    def test_it_reads_the_ways_people_write_numbers(self, text, unit, expected):
        assert parse_number(text, unit) == pytest.approx(expected)

    @pytest.mark.parametrize(
        ("text", "unit", "message"),
        [
            ("", "number", "Enter a number"),
            ("ninety", "number", "is not a number"),
            ("1e400", "number", "finite"),
            ("nan", "number", "finite"),
            ("12%", "number", "leave out the % sign"),
            ("2.5", "count", "whole number"),
            ("9" * 41, "number", "at most 40 characters"),
        ],
    )
    def test_it_refuses_what_is_not_a_number_with_a_reason(self, text, unit, message):
        with pytest.raises(NumberFormatError, match=message):
            parse_number(text, unit)

    @given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
    def test_any_number_python_prints_reads_back_unchanged(self, value):
        assert parse_number(repr(value)) == value


class TestJudging:
    def test_within_the_relative_tolerance_is_correct(self):
        assert judge(100.4, 100, Tolerance(rtol=0.005)).verdict == "correct"

    def test_a_near_miss_earns_half_credit_as_a_rounding_slip(self):
        judgement = judge(101.5, 100, Tolerance(rtol=0.005))
        assert (judgement.score, judgement.verdict) == (0.5, "rounding")

    def test_a_factor_of_100_is_named_as_a_percent_mix_up(self):
        assert judge(0.93, 93, Tolerance(rtol=0.005)).verdict == "scale"
        assert judge(9300, 93, Tolerance(rtol=0.005)).verdict == "scale"

    def test_far_off_is_wrong(self):
        assert judge(150, 100, Tolerance(rtol=0.005)).score == 0

    def test_absolute_tolerance_for_sigma_levels(self):
        assert judge(3.009, 3.0, Tolerance(atol=0.01)).verdict == "correct"
        assert judge(3.02, 3.0, Tolerance(atol=0.01)).verdict == "rounding"

    def test_exact_parts_accept_only_the_value(self):
        assert judge(7, 7, Tolerance()).verdict == "correct"
        assert judge(8, 7, Tolerance()).verdict == "wrong"

    @given(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        st.floats(min_value=0, max_value=0.1),
    )
    def test_the_reference_value_always_passes_its_own_tolerance(self, value, rtol):
        assert judge(value, value, Tolerance(rtol=rtol)).score == 1


def test_feedback_numbers_are_formatted_plainly():
    assert format_number(1234567.891, 2) == "1,234,567.89"
    assert format_number(0.5000) == "0.5"
    assert format_number(12.0) == "12"


class TestSignificantFigures:
    def test_an_answer_right_to_the_figures_asked_for_passes(self):
        three = Tolerance(sig_figs=3)
        assert judge(0.854, 0.853850, three).verdict == "correct"
        assert judge(66_800, 66_807, three).verdict == "correct"
        assert judge(0.852, 0.853850, three).verdict != "correct"

    def test_significant_figures_combine_with_other_tolerances(self):
        assert Tolerance(rtol=0.01, sig_figs=3).allowed(100) == 1.0
        assert Tolerance(atol=0.01, sig_figs=2).allowed(3.14159) == 0.05

    def test_an_exercise_may_ask_for_significant_figures_on_a_part(self):
        from app.grading.kinds.base import PartOverride, PartSpec, apply_overrides

        parts = apply_overrides({"rty": PartSpec("RTY")}, {"rty": PartOverride(sig_figs=3)})
        assert parts["rty"].tolerance.sig_figs == 3

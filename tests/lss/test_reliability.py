"""Reliability functions against published figures, wrong inputs and properties.

Published sources: MIL-HDBK-338B §5.3 (the characteristic life η is the age by which 63.2% of a
Weibull population has failed, whatever β; β = 1 is the exponential with λ = 1/η) and §6.4
(series: R = ΠRᵢ; parallel: R = 1 − Π(1 − Rᵢ); k-out-of-n: the binomial sum, e.g. 2 of 3 at
0.9 is 0.972); NIST/SEMATECH e-Handbook §8.1.6.2 (Weibull mean η·Γ(1 + 1/β)), and §8.1.8.1–2
(series and parallel systems); O'Connor & Kleyner, Practical Reliability Engineering: A =
MTBF/(MTBF + MTTR), the exponential R(MTBF) = e⁻¹ = 0.368 and the Rayleigh mean 0.886·η.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.lss.reliability import (
    availability,
    exponential_reliability,
    k_out_of_n_reliability,
    parallel_reliability,
    series_reliability,
    weibull_hazard,
    weibull_mean_life,
    weibull_reliability,
)

probability = st.integers(min_value=0, max_value=1000).map(lambda c: c / 1000)
positive_number = st.integers(min_value=1, max_value=100_000).map(lambda c: c / 10)


class TestPublishedFigures:
    def test_only_36_8_percent_survive_to_the_mtbf(self):
        assert exponential_reliability(1000, 1 / 1000) == pytest.approx(0.3679, abs=5e-5)

    @pytest.mark.parametrize("shape", [0.5, 1, 2, 3.5])
    def test_63_2_percent_have_failed_at_the_characteristic_life(self, shape):
        assert 1 - weibull_reliability(2000, shape, 2000) == pytest.approx(0.632, abs=5e-4)

    def test_shape_one_is_the_exponential(self):
        assert weibull_reliability(300, 1, 2000) == pytest.approx(
            exponential_reliability(300, 1 / 2000)
        )
        assert weibull_hazard(300, 1, 2000) == pytest.approx(1 / 2000)

    def test_the_weibull_mean(self):
        assert weibull_mean_life(1, 500) == pytest.approx(500)
        assert weibull_mean_life(2, 1) == pytest.approx(math.sqrt(math.pi) / 2)
        assert round(weibull_mean_life(2, 1), 4) == 0.8862

    def test_the_location_parameter_delays_failures(self):
        assert weibull_reliability(100, 2, 1000, location=150) == 1.0
        assert weibull_reliability(1150, 2, 1000, location=150) == pytest.approx(math.exp(-1))

    def test_the_hazard_rises_for_wear_out_and_falls_for_early_failures(self):
        assert weibull_hazard(200, 3, 1000) > weibull_hazard(100, 3, 1000)
        assert weibull_hazard(200, 0.5, 1000) < weibull_hazard(100, 0.5, 1000)
        assert weibull_hazard(0, 3, 1000) == 0.0

    def test_availability(self):
        assert round(availability(1000, 10), 4) == 0.9901
        assert availability(500, 0) == 1.0

    def test_series_parallel_and_k_out_of_n(self):
        assert round(series_reliability([0.95, 0.98, 0.99]), 4) == 0.9217
        assert parallel_reliability([0.9, 0.9]) == pytest.approx(0.99)
        assert k_out_of_n_reliability(2, 3, 0.9) == pytest.approx(0.972)
        assert k_out_of_n_reliability(1, 3, 0.9) == pytest.approx(parallel_reliability([0.9] * 3))
        assert k_out_of_n_reliability(3, 3, 0.9) == pytest.approx(series_reliability([0.9] * 3))


class TestWrongInputs:
    @pytest.mark.parametrize(
        ("call", "name"),
        [
            (lambda: exponential_reliability(-1, 0.1), "time"),
            (lambda: exponential_reliability(1, math.nan), "failure_rate"),
            (lambda: weibull_reliability(1, 0, 10), "shape"),
            (lambda: weibull_reliability(1, 2, -10), "scale"),
            (lambda: weibull_reliability(1, 2, 10, location=-1), "location"),
            (lambda: weibull_hazard(0, 0.5, 10), "time"),
            (lambda: weibull_mean_life(2, 0), "scale"),
            (lambda: availability(0, 5), "mtbf"),
            (lambda: availability(100, -5), "mttr"),
            (lambda: series_reliability([]), "reliabilities"),
            (lambda: series_reliability([0.9, 95]), r"reliabilities\[1\]"),
            (lambda: parallel_reliability([-0.1]), r"reliabilities\[0\]"),
            (lambda: k_out_of_n_reliability(4, 3, 0.9), "k"),
            (lambda: k_out_of_n_reliability(1, 0, 0.9), "n"),
            (lambda: k_out_of_n_reliability(1, 2, 1.2), "reliability"),
        ],
    )
    def test_each_names_the_argument(self, call, name):
        with pytest.raises(ValueError, match=rf"^{name} "):
            call()

    def test_a_percentage_gets_a_hint(self):
        with pytest.raises(ValueError, match=r"93% is 0\.93"):
            series_reliability([93])


class TestProperties:
    @given(st.lists(probability, min_size=1, max_size=8))
    def test_series_is_below_and_parallel_above_every_component(self, values):
        series, parallel = series_reliability(values), parallel_reliability(values)
        assert series <= min(values) + 1e-12
        assert parallel >= max(values) - 1e-12
        assert 0 <= series <= parallel + 1e-12 <= 1 + 1e-12

    @given(st.lists(probability, min_size=1, max_size=8))
    def test_parallel_is_one_minus_the_series_of_the_unreliabilities(self, values):
        unreliable = series_reliability([1 - r for r in values])
        assert parallel_reliability(values) == pytest.approx(1 - unreliable)

    @given(positive_number, positive_number, positive_number)
    def test_reliability_falls_with_time(self, t, shape, scale):
        shape = min(shape, 20)
        assert weibull_reliability(t, shape, scale) >= weibull_reliability(t * 2, shape, scale)

    @given(positive_number, positive_number)
    def test_availability_is_a_fraction(self, mtbf, mttr):
        assert 0 < availability(mtbf, mttr) < 1

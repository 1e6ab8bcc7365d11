"""Takt, PCE, Little's law, OEE and the value-stream summary against worked examples."""

from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.lss.flow import (
    FlowStep,
    littles_law_lead_time,
    oee,
    process_cycle_efficiency,
    takt_time,
    value_stream_metrics,
)

DAY = 55_200  # Acme: two shifts of 28,800 s less 1,200 s of breaks, in seconds


class TestLearningToSeeAcme:
    def test_takt_is_60_seconds(self):
        assert takt_time(DAY, 18_400 / 20) == pytest.approx(60)

    def test_pce_depends_on_the_length_of_the_day(self):
        # 188 s of processing in a lead time of 23.6 days.
        assert process_cycle_efficiency(188, 23.6 * DAY) == pytest.approx(0.000144, abs=5e-7)
        assert process_cycle_efficiency(188, 23.6 * 86_400) == pytest.approx(0.0000922, abs=5e-8)


class TestLittlesLaw:
    def test_600_claims_at_40_a_day_take_15_days(self):
        assert littles_law_lead_time(600, 40) == pytest.approx(15)

    def test_zero_throughput_is_refused(self):
        with pytest.raises(ValueError, match="Throughput must be greater than zero"):
            littles_law_lead_time(10, 0)


class TestOee:
    def test_the_classic_shift_example_gives_74_8_percent(self):
        availability = 373 / 420
        performance = (1.0 * 19_271) / (373 * 60)
        quality = 18_848 / 19_271
        assert availability == pytest.approx(0.8881, abs=5e-5)
        assert performance == pytest.approx(0.8611, abs=5e-5)
        assert quality == pytest.approx(0.9780, abs=5e-5)
        assert oee(availability, performance, quality) == pytest.approx(0.7479, abs=5e-5)
        # The identity: OEE = good count × ideal cycle time / planned production time.
        assert oee(availability, performance, quality) == pytest.approx(18_848 * 1.0 / (420 * 60))

    def test_a_percentage_is_refused_with_a_hint(self):
        with pytest.raises(ValueError, match="Availability must be between 0 and 1"):
            oee(88.8, 0.9, 0.9)


class TestValueStreamMetrics:
    # The motor-insurance claim from Yellow Belt module 1, in minutes (450 per working day).
    CLAIM: ClassVar[list[FlowStep]] = [
        FlowStep("Register claim", 20, wait_time=1 * 450),
        FlowStep("Check policy cover", 10, wait_time=2 * 450),
        FlowStep("Assess damage", 20, wait_time=2 * 450),
        FlowStep("Fraud screening", 5, wait_time=2 * 450),
        FlowStep("Quality check", 10, wait_time=2 * 450, complete_accurate=0.8),
        FlowStep("Settle and pay", 25, wait_time=1 * 450),
    ]

    def test_it_totals_lead_time_touch_time_and_pce(self):
        summary = value_stream_metrics(self.CLAIM, demand=40, available_time=450)
        assert summary.value_added_time == 90
        assert summary.lead_time / 450 == pytest.approx(10.2)
        assert summary.non_value_added_time == 10 * 450
        assert summary.process_cycle_efficiency == pytest.approx(0.2 / 10.2)
        assert summary.rolled_throughput_yield == pytest.approx(0.8)

    def test_it_finds_the_bottleneck_and_the_steps_over_takt(self):
        summary = value_stream_metrics(self.CLAIM, demand=40, available_time=450)
        assert summary.takt_time == pytest.approx(11.25)
        assert summary.bottleneck == "Settle and pay"
        assert summary.bottleneck_exceeds_takt
        assert summary.steps_over_takt == ("Register claim", "Assess damage", "Settle and pay")

    def test_more_operators_shorten_a_steps_cycle_time(self):
        steps = [FlowStep("Assess", 20, operators=2), FlowStep("Pay", 11)]
        summary = value_stream_metrics(steps, demand=40, available_time=450)
        assert summary.bottleneck == "Pay"
        assert not summary.bottleneck_exceeds_takt

    @pytest.mark.parametrize(
        ("step", "message"),
        [
            (FlowStep("A", -1), "Process time of 'A' must be greater than zero"),
            (FlowStep("A", 5, wait_time=-2), "Wait time of 'A' cannot be negative"),
            (FlowStep("A", 5, complete_accurate=95), "%C&A of 'A' must be between 0 and 1"),
            (FlowStep("A", 5, operators=0), "at least one operator"),
        ],
    )
    def test_invalid_steps_are_refused_naming_the_step(self, step, message):
        with pytest.raises(ValueError, match=message):
            value_stream_metrics([step], demand=10, available_time=100)

    @given(
        st.lists(
            st.builds(
                FlowStep,
                name=st.text(min_size=1, max_size=5),
                process_time=st.floats(min_value=0.01, max_value=1e4),
                wait_time=st.floats(min_value=0, max_value=1e6),
                complete_accurate=st.floats(min_value=0, max_value=1),
                operators=st.integers(min_value=1, max_value=5),
            ),
            min_size=1,
            max_size=10,
        )
    )
    def test_pce_is_a_fraction_and_lead_time_covers_touch_time(self, steps):
        summary = value_stream_metrics(steps, demand=10, available_time=480)
        assert 0 < summary.process_cycle_efficiency <= 1
        assert summary.lead_time >= summary.value_added_time
        assert summary.rolled_throughput_yield <= min(s.complete_accurate for s in steps) + 1e-12

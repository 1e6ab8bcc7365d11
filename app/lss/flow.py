"""Lean flow metrics: takt time, lead time, process cycle efficiency, Little's law, OEE,
and the summary of a value stream map.

Sources: Rother & Shook, Learning to See (LEI, 1999) — takt, timeline ladder; Acme
Stamping: 55,200 s available per day, 920 pieces per day, takt 60 s. M. George, Lean Six
Sigma (2002) — PCE. Martin & Osterling, Value Stream Mapping (2014) — PT, LT, %C&A,
activity ratio, rolled %C&A. Little (1961) — L = λW. Nakajima, TPM — OEE = A × P × Q.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.lss._checks import fraction, non_negative, positive


def takt_time(available_time: float, demand: float) -> float:
    """Takt = net available working time per period / customer demand per period.

    Acme: 55,200 s per day / 920 pieces per day = 60 s per piece.
    """
    positive("Available time", available_time)
    positive("Customer demand", demand)
    return available_time / demand


def process_cycle_efficiency(value_added_time: float, lead_time: float) -> float:
    """PCE = value-added time / total lead time, both in the same unit (0 to 1).

    Acme: 188 s of processing in 23.6 days of 55,200 s is 188 / 1,302,720 = 0.014%.
    """
    non_negative("Value-added time", value_added_time)
    positive("Lead time", lead_time)
    if value_added_time > lead_time:
        raise ValueError(
            f"Value-added time ({value_added_time}) cannot exceed the lead time ({lead_time}); "
            "check that both use the same unit."
        )
    return value_added_time / lead_time


def littles_law_lead_time(wip: float, throughput: float) -> float:
    """Lead time W = WIP L / throughput λ (long-run averages of a stable system).

    Example: 600 claims in progress, 40 closed per day: lead time = 15 days.
    """
    non_negative("Work in progress", wip)
    positive("Throughput", throughput)
    return wip / throughput


def oee(availability: float, performance: float, quality: float) -> float:
    """OEE = availability × performance × quality.

    Worked example (420 min planned, 373 min run, ideal cycle 1 s, 19,271 made, 18,848 good):
    0.8881 × 0.8611 × 0.9780 = 0.7479.
    """
    fraction("Availability", availability)
    fraction("Performance", performance)
    fraction("Quality", quality)
    return availability * performance * quality


@dataclass(frozen=True)
class FlowStep:
    """One process block of a value stream map; all times in the same unit.

    process_time is the hands-on (touch, value-added) time per unit, wait_time the time a
    unit spends queued before the step, complete_accurate the share of output the next
    step can use as received (%C&A or FPY, 0 to 1), operators the people sharing the work.
    """

    name: str
    process_time: float
    wait_time: float = 0.0
    complete_accurate: float = 1.0
    operators: int = 1

    @property
    def cycle_time(self) -> float:
        """How often the step completes a unit: touch time shared among its operators."""
        return self.process_time / self.operators


@dataclass(frozen=True)
class ValueStreamSummary:
    lead_time: float
    value_added_time: float
    non_value_added_time: float
    process_cycle_efficiency: float
    takt_time: float
    bottleneck: str
    bottleneck_cycle_time: float
    bottleneck_exceeds_takt: bool
    steps_over_takt: tuple[str, ...]
    rolled_throughput_yield: float


def value_stream_metrics(
    steps: Sequence[FlowStep], demand: float, available_time: float
) -> ValueStreamSummary:
    """Summarise a value stream: lead time = Σ (wait + process); value-added = Σ process;
    PCE = value-added / lead time; takt = available time / demand; the bottleneck is the
    step with the longest cycle time; rolled yield = Π %C&A.
    """
    if not steps:
        raise ValueError("A value stream needs at least one process step.")
    for step in steps:
        _check_step(step)
    takt = takt_time(available_time, demand)
    value_added = math.fsum(step.process_time for step in steps)
    lead_time = value_added + math.fsum(step.wait_time for step in steps)
    bottleneck = max(steps, key=lambda step: step.cycle_time)
    return ValueStreamSummary(
        lead_time=lead_time,
        value_added_time=value_added,
        non_value_added_time=lead_time - value_added,
        process_cycle_efficiency=process_cycle_efficiency(value_added, lead_time),
        takt_time=takt,
        bottleneck=bottleneck.name,
        bottleneck_cycle_time=bottleneck.cycle_time,
        bottleneck_exceeds_takt=bottleneck.cycle_time > takt,
        steps_over_takt=tuple(step.name for step in steps if step.cycle_time > takt),
        rolled_throughput_yield=math.prod(step.complete_accurate for step in steps),
    )


def _check_step(step: FlowStep) -> None:
    positive(f"Process time of '{step.name}'", step.process_time)
    non_negative(f"Wait time of '{step.name}'", step.wait_time)
    fraction(f"%C&A of '{step.name}'", step.complete_accurate)
    if step.operators < 1:
        raise ValueError(f"'{step.name}' needs at least one operator (got {step.operators}).")

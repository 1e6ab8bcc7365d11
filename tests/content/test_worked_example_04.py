"""The worked example of Yellow Belt module 4 (value stream mapping) agrees with app.lss.

The inputs are hard-coded as the text states them; every figure the text quotes is
recomputed here and must appear in the module (and its figure) exactly as written.
"""

import math

import pytest

from app.config import REPO_ROOT
from app.lss.flow import (
    FlowStep,
    littles_law_lead_time,
    process_cycle_efficiency,
    takt_time,
    value_stream_metrics,
)

FOLDER = REPO_ROOT / "courses" / "yellow-belt" / "04-value-stream-mapping"
TEXT = (FOLDER / "index.md").read_text(encoding="utf-8")
FIGURE = (FOLDER / "loan-current-state.svg").read_text(encoding="utf-8")

# Inputs of the small business loan, as the module states them.
DEMAND = 15  # applications per working day
AVAILABLE = 450  # minutes per working day
HOURS_PER_DAY = 7.5
STEPS = [  # name, queue in front, process minutes, people, %C&A
    ("Check application", 9, 12, 1, 0.70),
    ("Credit analysis", 18, 50, 2, 0.85),
    ("Credit decision", 12, 20, 1, 0.95),
    ("Loan agreement", 30, 28, 1, 0.90),
    ("Pay out loan", 6, 10, 1, 0.98),
]


def fmt(value: float, decimals: int = 2) -> str:
    """A number as the text writes it: rounded, without trailing zeros."""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def wait_days(queue: float) -> float:
    return littles_law_lead_time(queue, DEMAND)


def flow_steps() -> list[FlowStep]:
    """The map in minutes: waits converted from queues with Little's law."""
    return [
        FlowStep(name, minutes, wait_days(queue) * AVAILABLE, ca, people)
        for name, queue, minutes, people, ca in STEPS
    ]


SUMMARY = value_stream_metrics(flow_steps(), DEMAND, AVAILABLE)


def test_the_inputs_are_those_in_the_text():
    assert f"**{DEMAND} applications**" in TEXT
    assert f"**{AVAILABLE} minutes**" in TEXT
    assert f"{fmt(HOURS_PER_DAY)}-hour day" in TEXT
    assert AVAILABLE == HOURS_PER_DAY * 60
    for n, (name, queue, minutes, people, ca) in enumerate(STEPS, start=1):
        assert f"| {n} {name} | {queue} | {minutes} | {people} | {round(ca * 100)}% |" in TEXT


@pytest.mark.parametrize("n, name, queue", [(n, s[0], s[1]) for n, s in enumerate(STEPS, 1)])
def test_each_queue_is_turned_into_a_wait_with_littles_law(n, name, queue):
    days = wait_days(queue)
    hours = days * HOURS_PER_DAY
    assert f"| {n} {name} | {queue} ÷ {DEMAND} | {fmt(days)} | {fmt(hours)} |" in TEXT
    assert f"{fmt(hours)} h</text>" in FIGURE


def test_the_waits_add_up():
    total_queue = sum(s[1] for s in STEPS)
    days = wait_days(total_queue)
    assert f"| **Total** | {total_queue} ÷ {DEMAND} | **{fmt(days)}** | " in TEXT
    assert f"**{fmt(days * HOURS_PER_DAY)}** |" in TEXT


def test_lead_time_process_time_and_pce():
    minutes = [s[2] for s in STEPS]
    process_hours = SUMMARY.value_added_time / 60
    waits_hours = (SUMMARY.lead_time - SUMMARY.value_added_time) / 60
    lead_hours = SUMMARY.lead_time / 60
    assert " + ".join(map(str, minutes)) + f" = {fmt(SUMMARY.value_added_time)} minutes" in TEXT
    assert f"{fmt(SUMMARY.value_added_time)} ÷ 60 = {fmt(process_hours)} working hours" in TEXT
    assert f"{fmt(waits_hours)} + {fmt(process_hours)} = {fmt(lead_hours)} working hours" in TEXT
    assert f"{fmt(lead_hours)} ÷ {fmt(HOURS_PER_DAY)} = {fmt(lead_hours / HOURS_PER_DAY)}" in TEXT
    pce = 100 * SUMMARY.process_cycle_efficiency
    assert f"{fmt(process_hours)} ÷ {fmt(lead_hours)} × 100 = {fmt(pce, 1)}%" in TEXT
    assert f"other {fmt(100 - pce, 1)}% of its journey" in TEXT
    assert f"Applications wait for {fmt(waits_hours)} of their {fmt(lead_hours)} hours" in TEXT
    assert f"Lead time {fmt(lead_hours)} h" in FIGURE
    assert f"PCE {fmt(process_hours)} ÷ {fmt(lead_hours)} = {fmt(pce, 1)}%" in FIGURE
    assert f"Process time {fmt(SUMMARY.value_added_time)} min" in FIGURE


def test_the_lead_time_of_one_step():
    _, queue, minutes, _, _ = STEPS[3]
    wait = wait_days(queue) * HOURS_PER_DAY
    assert f"{fmt(wait)} + {minutes} ÷ 60 = {fmt(wait + minutes / 60)} working hours" in TEXT


def test_takt_time_cycle_times_and_the_bottleneck():
    assert SUMMARY.takt_time == takt_time(AVAILABLE, DEMAND)
    assert f"**Takt time:** {AVAILABLE} ÷ {DEMAND} = {fmt(SUMMARY.takt_time)} minutes" in TEXT
    analysis = flow_steps()[1]
    assert f"{fmt(analysis.process_time)} ÷ 2 = {fmt(analysis.cycle_time)} minutes" in TEXT
    assert SUMMARY.bottleneck == "Loan agreement"
    assert not SUMMARY.bottleneck_exceeds_takt
    bottleneck_ct = SUMMARY.bottleneck_cycle_time
    assert f"the loan agreement, at {fmt(bottleneck_ct)} minutes" in TEXT
    assert f"{AVAILABLE} ÷ {fmt(bottleneck_ct)} = {fmt(AVAILABLE / bottleneck_ct)} applic" in TEXT
    higher_takt = takt_time(AVAILABLE, 17)
    assert higher_takt < bottleneck_ct
    assert f"{AVAILABLE} ÷ 17 = {fmt(higher_takt, 1)} minutes" in TEXT
    assert f"Takt {AVAILABLE} ÷ {DEMAND} = {fmt(SUMMARY.takt_time)} min" in FIGURE


def test_rolled_complete_and_accurate():
    rolled = SUMMARY.rolled_throughput_yield
    factors = " × ".join(f"{s[4]:.2f}" for s in STEPS)
    assert f"{factors} = {fmt(rolled, 3)}" in TEXT
    assert f"rolled %C&A of {fmt(100 * rolled, 1)}%" in TEXT
    assert f"Rolled %C&amp;A {fmt(100 * rolled, 1)}%" in FIGURE


def test_the_teaching_examples():
    assert f"30 ÷ 15 = {fmt(littles_law_lead_time(30, 15))} working days" in TEXT
    assert f"2 × 7.5 = {fmt(2 * 7.5)} working hours" in TEXT
    finished = AVAILABLE / 36
    assert f"450 ÷ 36 = {fmt(finished)} requests" in TEXT
    growth = DEMAND - finished
    assert f"15 − {fmt(finished)} = {fmt(growth)} a day, or {fmt(growth * 10)} over" in TEXT
    rolled = math.prod([0.9, 0.9, 0.8])
    assert f"0.9 × 0.9 × 0.8 = {fmt(rolled, 3)}, so only about {round(rolled * 100)}%" in TEXT


def test_the_future_state():
    cap = 15
    wait_hours = littles_law_lead_time(cap, DEMAND) * HOURS_PER_DAY
    process_hours = SUMMARY.value_added_time / 60
    lead = wait_hours + process_hours
    pce = 100 * process_cycle_efficiency(process_hours, lead)
    assert f"{cap} ÷ {DEMAND} = 1 working day, or {fmt(wait_hours)} working hours" in TEXT
    assert f"{fmt(wait_hours)} + {fmt(process_hours)} = {fmt(lead)} working hours" in TEXT
    assert f"{fmt(process_hours)} ÷ {fmt(lead)} × 100 = {fmt(pce, 0)}%" in TEXT

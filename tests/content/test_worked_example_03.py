"""Courses/yellow-belt/03-eight-wastes: every figure the text quotes is recomputed from the
inputs it states (onboarding new starters, the shared mailbox, the weekly batch) and looked
for in the text exactly as written."""

import pytest

from app.config import REPO_ROOT
from app.lss.flow import FlowStep, littles_law_lead_time, value_stream_metrics

TEXT = (REPO_ROOT / "courses" / "yellow-belt" / "03-eight-wastes" / "index.md").read_text(
    encoding="utf-8"
)

# Onboarding, as the text states it.
STARTERS_PER_DAY = 30
WORKING_DAY_MINUTES = 450  # 7.5 hours
# (step, what happens, wait in queue before the step in working days, touch minutes)
STEPS = [
    (1, "HR admin logs the new-starter form", 2, 15),
    (2, "Pre-employment checks right to work and references", 3, 45),
    (3, "Contracts issues the contract", 2, 30),
    (4, "Payroll sets up the pay record", 4, 25),
    (5, "IT service desk orders a laptop and system access", 3, 20),
]
PRE_EMPLOYMENT_QUEUE = 90
# Rework: share sent back, extra touch minutes, extra working days.
MISSING_DETAILS = (0.25, 20, 2)
WRONG_DATES = (0.10, 30, 3)
WORKING_DAYS_PER_MONTH = 20
HOURS_PER_DAY = 7.5

# Other examples in the text.
MAILBOX_EMAILS, MAILBOX_PER_DAY = 600, 150
DAYS_PER_WEEK = 5


def fmt(value: float) -> str:
    """A figure as the text writes it: thousands separated, no trailing zeros."""
    value = round(value, 4)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0")


@pytest.fixture(scope="module")
def summary():
    """The value stream in working days: touch time converted at 450 minutes a day."""
    flow = [
        FlowStep(name=what, process_time=minutes / WORKING_DAY_MINUTES, wait_time=wait)
        for _, what, wait, minutes in STEPS
    ]
    return value_stream_metrics(flow, demand=STARTERS_PER_DAY, available_time=1)


def test_the_text_states_the_inputs():
    assert f"takes on {STARTERS_PER_DAY} new starters each working day" in TEXT
    assert f"A working day is 7.5 hours, or {WORKING_DAY_MINUTES} minutes" in TEXT
    assert HOURS_PER_DAY * 60 == WORKING_DAY_MINUTES
    for number, what, wait, minutes in STEPS:
        assert f"| {number} | {what} | {wait} | {minutes} |" in TEXT
    total_wait = sum(s[2] for s in STEPS)
    total_touch = sum(s[3] for s in STEPS)
    assert f"| | **Total** | **{total_wait}** | **{total_touch}** |" in TEXT
    assert "one form in four (25%)" in TEXT
    assert f"an average of {MISSING_DETAILS[2]} working days for the reply" in TEXT
    assert f"adds {MISSING_DETAILS[1]} minutes" in TEXT
    assert "one contract in ten (10%)" in TEXT
    assert f"adds {WRONG_DATES[1]} minutes of touch time and {WRONG_DATES[2]} working days" in TEXT


def test_touch_time_lead_time_and_waiting_share(summary):
    touch = [s[3] for s in STEPS]
    touch_days = summary.value_added_time
    assert (
        f"{' + '.join(map(str, touch))} = {sum(touch)} minutes, and {sum(touch)} ÷ "
        f"{WORKING_DAY_MINUTES} = {fmt(touch_days)} working days"
    ) in TEXT
    queue = summary.non_value_added_time
    lead = summary.lead_time
    assert f"{fmt(queue)} + {fmt(touch_days)} = {fmt(lead)} working days" in TEXT
    waiting_share = queue / lead
    working_share = summary.process_cycle_efficiency
    assert (
        f"{fmt(queue)} ÷ {fmt(lead)} = {waiting_share:.3f}, about {waiting_share * 100:.0f}%"
    ) in TEXT
    assert f"only about {working_share * 100:.0f}% of its journey" in TEXT
    assert (fmt(lead), f"{waiting_share * 100:.0f}") == ("14.3", "98")


def test_littles_law_for_the_queue_and_the_whole_process(summary):
    days = littles_law_lead_time(PRE_EMPLOYMENT_QUEUE, STARTERS_PER_DAY)
    assert (
        f"{PRE_EMPLOYMENT_QUEUE} ÷ {STARTERS_PER_DAY} = {fmt(days)} days, the figure in the table"
    ) in TEXT
    assert days == STEPS[1][2]
    in_progress = STARTERS_PER_DAY * summary.lead_time
    assert (
        f"{STARTERS_PER_DAY} × {fmt(summary.lead_time)} = {fmt(in_progress)} cases are in progress"
    ) in TEXT
    assert (
        f"| Inventory | {fmt(in_progress)} cases in progress; {PRE_EMPLOYMENT_QUEUE} in one" in TEXT
    )
    assert in_progress == pytest.approx(429)


def test_rework_per_100_starters_and_per_month():
    touch = sum(s[3] for s in STEPS)
    first_pass = 100 * touch
    missing = 100 * MISSING_DETAILS[0] * MISSING_DETAILS[1]
    wrong = 100 * WRONG_DATES[0] * WRONG_DATES[1]
    rework = missing + wrong
    assert f"100 × {touch} = {fmt(first_pass)} minutes" in TEXT
    assert (
        f"{fmt(100 * MISSING_DETAILS[0])} × {MISSING_DETAILS[1]} = {fmt(missing)} minutes" in TEXT
    )
    assert f"{fmt(100 * WRONG_DATES[0])} × {WRONG_DATES[1]} = {fmt(wrong)} minutes" in TEXT
    assert (
        f"{fmt(first_pass)} + {fmt(missing)} + {fmt(wrong)} = {fmt(first_pass + rework)} minutes"
    ) in TEXT
    increase = rework / first_pass
    per_starter = rework / 100
    assert (
        f"The rework is {fmt(rework)} minutes, {fmt(rework)} ÷ {fmt(first_pass)} = "
        f"{increase:.3f}, or {increase * 100:.1f}% more work: {fmt(per_starter)} minutes "
        "per new starter"
    ) in TEXT

    per_month = STARTERS_PER_DAY * WORKING_DAYS_PER_MONTH
    month_minutes = per_month * per_starter
    month_hours = month_minutes / 60
    fte_hours = HOURS_PER_DAY * WORKING_DAYS_PER_MONTH
    fte = month_hours / fte_hours
    assert f"{STARTERS_PER_DAY} × {WORKING_DAYS_PER_MONTH} = {per_month} new starters" in TEXT
    assert (
        f"{per_month} × {fmt(per_starter)} = {fmt(month_minutes)} minutes, or "
        f"{fmt(month_hours)} hours"
    ) in TEXT
    assert f"{HOURS_PER_DAY} × {WORKING_DAYS_PER_MONTH} = {fmt(fte_hours)} hours a month" in TEXT
    assert f"{fmt(month_hours)} ÷ {fmt(fte_hours)} = {fte:.2f}, about half a person" in TEXT
    assert (rework, month_hours, f"{fte:.2f}") == (800, 80, "0.53")


def test_rework_adds_0_8_days_to_the_average_lead_time(summary):
    extra = [share * days for share, _, days in (MISSING_DETAILS, WRONG_DATES)]
    average_extra = sum(extra)
    assert (
        f"{fmt(MISSING_DETAILS[0])} × {MISSING_DETAILS[2]} + {fmt(WRONG_DATES[0])} × "
        f"{WRONG_DATES[2]} = {fmt(extra[0])} + {fmt(extra[1])} = {fmt(average_extra)} "
        "working days"
    ) in TEXT
    new_lead = summary.lead_time + average_extra
    assert (
        f"rises from {fmt(summary.lead_time)} to {fmt(summary.lead_time)} + "
        f"{fmt(average_extra)} = {fmt(new_lead)} working days"
    ) in TEXT
    per_starter = sum(share * minutes for share, minutes, _ in (MISSING_DETAILS, WRONG_DATES))
    extra_touch_days = per_starter / WORKING_DAY_MINUTES
    assert (
        f"The {fmt(per_starter)} extra minutes are only {fmt(per_starter)} ÷ "
        f"{WORKING_DAY_MINUTES} = {extra_touch_days:.3f} days"
    ) in TEXT
    # Too small to change the lead time at one decimal place.
    assert f"{new_lead + extra_touch_days:.1f}" == fmt(new_lead) == "15.1"


def test_the_waste_table_matches_the_example(summary):
    queue, lead = summary.non_value_added_time, summary.lead_time
    assert f"| Waiting | {fmt(queue)} of the {fmt(lead)} working days" in TEXT
    hand_offs = len(STEPS)  # one into each team, the first from the hiring manager
    assert (
        f"| Transport | {['', 'One', 'Two', 'Three', 'Four', 'Five'][hand_offs]} hand-offs" in TEXT
    )
    assert (
        f"{MISSING_DETAILS[0]:.0%} of forms incomplete; {WRONG_DATES[0]:.0%} of contracts" in TEXT
    )


def test_the_mailbox_and_the_weekly_batch():
    days = littles_law_lead_time(MAILBOX_EMAILS, MAILBOX_PER_DAY)
    assert f"holds {MAILBOX_EMAILS} unread emails" in TEXT
    assert f"answers {MAILBOX_PER_DAY} a day" in TEXT
    assert f"{MAILBOX_EMAILS} ÷ {MAILBOX_PER_DAY} = {fmt(days)} working days" in TEXT
    half_week = DAYS_PER_WEEK / 2
    assert f"{DAYS_PER_WEEK} ÷ 2 = {fmt(half_week)} working days" in TEXT
    assert "A daily run cuts that to half a day" in TEXT
    assert (days, half_week) == (4, 2.5)

"""Courses/yellow-belt/02-lean-principles: every figure the text quotes is recomputed from
the inputs it states (the lost bank card, the batch of brackets, the pharmacy porter rounds)
and looked for in the text exactly as written."""

import math

import pytest

from app.config import REPO_ROOT
from app.lss.flow import process_cycle_efficiency

MODULE = REPO_ROOT / "courses" / "yellow-belt" / "02-lean-principles"
TEXT = (MODULE / "index.md").read_text(encoding="utf-8")
FIGURE = (MODULE / "batch-or-flow.svg").read_text(encoding="utf-8")

VA = "Value-adding"
NNVA = "Necessary non-value-adding"
WASTE = "Pure waste"

# The card replacement value stream as the table states it:
# (step, what happens, wait before the step in hours, touch minutes, category).
CARD_STEPS = [
    (1, "The agent asks the security questions", 0, 3, NNVA),
    (2, "The agent blocks the card and takes the replacement order", 0, 4, VA),
    (3, "The agent re-keys the order into the separate card system", 0, 3, WASTE),
    (4, "The card bureau prints, embosses and packs the card", 36, 2, VA),
    (5, "The customer receives the card and phones to activate it", 48, 5, NNVA),
]
OVERNIGHT_FILE_HOURS = 12
PRINT_RUN_HOURS = 24
POST_HOURS = 48
# The redesign: steps 1, 2 and 4 remain; about 4 hours before printing; 24 hours of post.
NEW_STEPS = (1, 2, 4)
NEW_WAIT_BEFORE_PRINTING_HOURS = 4
FIRST_CLASS_POST_HOURS = 24

# The factory example: brackets through cut, drill and deburr, 1 minute each.
BRACKETS = 10
OPERATIONS = 3
MINUTES_PER_OPERATION = 1

# The pharmacy: porter rounds every 2 hours each way; 12 discharges a day.
ROUND_INTERVAL_HOURS = 2
DISCHARGES_PER_DAY = 12


def fmt(value: float) -> str:
    """A figure as the text writes it: thousands separated, no trailing zeros."""
    value = round(value, 4)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0")


def touch(steps=None) -> list[int]:
    return [s[3] for s in CARD_STEPS if steps is None or s[0] in steps]


class TestTheLostCard:
    def test_the_table_states_each_step_and_its_totals(self):
        for number, what, wait, minutes, category in CARD_STEPS:
            assert f"| {number} | {what} | {wait} | {minutes} | {category} |" in TEXT
        total_wait = sum(s[2] for s in CARD_STEPS)
        total_touch = sum(touch())
        assert f"| | **Total** | **{total_wait}** | **{total_touch}** | |" in TEXT
        assert (total_wait, total_touch) == (84, 17)

    def test_the_waits_are_explained(self):
        wait_step_4 = OVERNIGHT_FILE_HOURS + PRINT_RUN_HOURS
        assert wait_step_4 == CARD_STEPS[3][2] == 36
        assert f"waits {OVERNIGHT_FILE_HOURS} hours for the bank's overnight file" in TEXT
        assert f"then {PRINT_RUN_HOURS} hours for the bureau's daily print run" in TEXT
        assert f"{OVERNIGHT_FILE_HOURS} + {PRINT_RUN_HOURS} = {wait_step_4} hours" in TEXT
        assert CARD_STEPS[4][2] == POST_HOURS
        assert f"the card spends {POST_HOURS} hours in the post" in TEXT

    def test_touch_time_and_its_split_by_category(self):
        minutes = touch()
        assert f"{' + '.join(map(str, minutes))} = {sum(minutes)} minutes" in TEXT
        by = {c: [s[3] for s in CARD_STEPS if s[4] == c] for c in (VA, NNVA, WASTE)}
        assert (
            f"**Value-adding time:** {' + '.join(map(str, by[VA]))} = {sum(by[VA])} minutes" in TEXT
        )
        assert (
            f"Necessary non-value-adding: {' + '.join(map(str, by[NNVA]))} = "
            f"{sum(by[NNVA])} minutes" in TEXT
        )
        assert f"Pure waste at the steps: {sum(by[WASTE])} minutes" in TEXT
        assert (sum(by[VA]), sum(by[NNVA]), sum(by[WASTE])) == (6, 8, 3)

    def test_waiting_and_lead_time(self):
        wait = sum(s[2] for s in CARD_STEPS)
        wait_minutes = wait * 60
        lead = wait_minutes + sum(touch())
        assert (
            f"{CARD_STEPS[3][2]} + {CARD_STEPS[4][2]} = {wait} hours, which is {wait} × 60 = "
            f"{fmt(wait_minutes)} minutes, or {wait} ÷ 24 = {fmt(wait / 24)} days"
        ) in TEXT
        assert f"{fmt(wait_minutes)} + {sum(touch())} = {fmt(lead)} minutes" in TEXT
        assert lead == 5057

    def test_the_value_added_share_is_about_0_12_percent(self):
        va = sum(s[3] for s in CARD_STEPS if s[4] == VA)
        lead = sum(s[2] for s in CARD_STEPS) * 60 + sum(touch())
        share = process_cycle_efficiency(va, lead)
        assert f"{va} ÷ {fmt(lead)} = {share:.4f}, about {share * 100:.2f}%" in TEXT
        assert "For more than 99.8% of the lead time" in TEXT
        assert 1 - share > 0.998

    def test_the_redesign(self):
        va = sum(s[3] for s in CARD_STEPS if s[4] == VA)
        old_lead = sum(s[2] for s in CARD_STEPS) * 60 + sum(touch())
        pay_again = touch(steps=(1, 2))
        assert f"pay within {' + '.join(map(str, pay_again))} = {sum(pay_again)} minutes" in TEXT
        assert (
            f"an order waits about {NEW_WAIT_BEFORE_PRINTING_HOURS} hours before printing" in TEXT
        )
        assert f"first-class post, taking {FIRST_CLASS_POST_HOURS} hours" in TEXT

        new_touch = touch(steps=NEW_STEPS)
        assert f"{' + '.join(map(str, new_touch))} = {sum(new_touch)} minutes" in TEXT
        new_wait = NEW_WAIT_BEFORE_PRINTING_HOURS + FIRST_CLASS_POST_HOURS
        new_wait_minutes = new_wait * 60
        assert (
            f"{NEW_WAIT_BEFORE_PRINTING_HOURS} + {FIRST_CLASS_POST_HOURS} = {new_wait} hours, "
            f"or {fmt(new_wait_minutes)} minutes"
        ) in TEXT
        new_lead = new_wait_minutes + sum(new_touch)
        assert (
            f"{fmt(new_wait_minutes)} + {sum(new_touch)} = {fmt(new_lead)} minutes, "
            f"about a third of the old {fmt(old_lead)} minutes"
        ) in TEXT
        assert round(new_lead / old_lead, 1) == 0.3
        share = process_cycle_efficiency(va, new_lead)
        assert f"{va} ÷ {fmt(new_lead)} = {share:.4f}, about {share * 100:.2f}%" in TEXT
        assert f"fell from {fmt(old_lead)} minutes to {sum(pay_again)} minutes" in TEXT
        assert (new_lead, f"{share * 100:.2f}") == (1689, "0.36")


class TestBatchOrFlow:
    def test_the_inputs_are_stated(self):
        assert f"Each takes {MINUTES_PER_OPERATION} minute per bracket" in TEXT
        assert f"an order is for {BRACKETS} brackets" in TEXT

    def test_batch_working(self):
        ends = [(op + 1) * BRACKETS * MINUTES_PER_OPERATION for op in range(OPERATIONS)]
        first = ends[-2] + MINUTES_PER_OPERATION
        assert f"Cutting ends at {ends[0]} minutes and drilling at {ends[1]} minutes" in TEXT
        assert f"at {first} minutes and the last at {ends[-1]} minutes" in TEXT
        assert f"nobody sees it until {first} minutes, by which time all {BRACKETS}" in TEXT
        assert f"first bracket done at {first} min, last at {ends[-1]} min" in FIGURE
        assert (first, ends[-1]) == (21, 30)

    def test_one_piece_flow(self):
        first = OPERATIONS * MINUTES_PER_OPERATION
        last = first + (BRACKETS - 1) * MINUTES_PER_OPERATION
        terms = " + ".join([str(MINUTES_PER_OPERATION)] * OPERATIONS)
        assert f"{terms} = {first} minutes" in TEXT
        assert f"{first} + {BRACKETS - 1} = {last} minutes" in TEXT
        # By the time the first bracket is deburred, cutting has finished this many.
        cut_by_then = first // MINUTES_PER_OPERATION
        assert f"after {first} minutes, when only {cut_by_then} brackets have been cut" in TEXT
        assert f"first bracket done at {first} min, last at {last} min" in FIGURE
        assert (first, last) == (3, 12)


class TestPharmacyRounds:
    def test_porter_rounds_add_two_hours_and_24_bed_hours(self):
        average_wait = ROUND_INTERVAL_HOURS / 2
        both = average_wait * 2
        assert f"every {ROUND_INTERVAL_HOURS} hours" in TEXT
        assert f"{ROUND_INTERVAL_HOURS} ÷ 2 = {fmt(average_wait)} hour" in TEXT
        assert f"{fmt(average_wait)} + {fmt(average_wait)} = {fmt(both)} hours" in TEXT
        bed_hours = DISCHARGES_PER_DAY * both
        assert f"{DISCHARGES_PER_DAY} × {fmt(both)} = {fmt(bed_hours)} bed-hours" in TEXT
        assert bed_hours == pytest.approx(24)
        assert math.isclose(bed_hours / 24, 1)  # "a whole bed every day"

"""The figures quoted in module 8 (Flow and pull) agree with the arithmetic behind them.

The inputs are hard-coded as the text states them; every figure the text quotes is
recomputed here and must appear in the module exactly as written."""

import math

from app.config import REPO_ROOT
from app.lss.flow import littles_law_lead_time, takt_time

MODULE = REPO_ROOT / "courses" / "yellow-belt" / "08-flow-and-pull" / "index.md"
TEXT = MODULE.read_text(encoding="utf-8")


def shown(value: float, decimals: int = 2) -> str:
    """A number as the text writes it: thousands separators, no trailing zeros."""
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def test_littles_law_service_examples():
    # Contact centre: 12 callers waiting, 3 answered a minute.
    wait = littles_law_lead_time(12, 3)
    assert wait == 4
    assert f"12 ÷ 3 = {shown(wait)} minutes" in TEXT
    # Emergency department: 45 patients present, 15 leave an hour.
    stay = littles_law_lead_time(45, 15)
    assert stay == 3
    assert f"45 ÷ 15 = {shown(stay)} hours" in TEXT
    # Mortgage team: 480 in progress, 160 completed a week, five-day week.
    weeks = littles_law_lead_time(480, 160)
    days = littles_law_lead_time(480, 160 / 5)
    assert weeks == 3 and days == 15 == weeks * 5
    assert f"480 ÷ 160 = {shown(weeks)} weeks, or {shown(days)} working days" in TEXT
    assert f"480 ÷ {shown(160 / 5)} a day gives the same" in TEXT


def test_batch_of_50_against_one_piece_flow():
    items, steps, minutes_per_step = 50, 3, 3
    step_done = [items * minutes_per_step * (k + 1) for k in range(steps)]
    assert step_done == [150, 300, 450]
    assert f"50 × 3 = {step_done[0]} minutes" in TEXT
    assert f"finishes at {step_done[1]} minutes" in TEXT
    assert f"Step 3 finishes at {step_done[2]} minutes, a full 7.5-hour day" in TEXT
    assert step_done[2] / 60 == 7.5

    first = steps * minutes_per_step
    last = first + (items - 1) * minutes_per_step
    average = sum(first + k * minutes_per_step for k in range(items)) / items
    assert (first, last, average) == (9, 156, 82.5)
    assert average == (first + last) / 2
    assert f"3 + 3 + 3 = {first} minutes" in TEXT
    assert f"9 + 49 × 3 = {last} minutes" in TEXT
    assert f"(9 + 156) ÷ 2 = {shown(average)} minutes" in TEXT
    assert f"{first} minutes a form" in TEXT
    cut = 1 - average / step_done[2]
    assert f"a cut of about {round(cut * 100)}%" in TEXT
    assert f"idle for {step_done[0]} and {step_done[1]} minutes" in TEXT


def test_replenishment_kanban():
    demand, lead_days, safety, box = 36, 2, 0.20, 10
    exact = demand * lead_days * (1 + safety) / box
    cards = math.ceil(exact)
    assert f"36 × 2 × 1.2 ÷ 10 = {shown(exact)}" in TEXT
    assert f"rounds up to {cards} cards" in TEXT
    assert f"The loop holds {cards * box} packs, {shown(cards * box / demand)} days" in TEXT


def test_helpdesk_capacity_check():
    takt = takt_time(420, 120)
    assert f"420 ÷ 120 = {shown(takt)} minutes" in TEXT
    needed = 15 / takt
    assert f"15 ÷ 3.5 = {shown(needed)} advisers, which rounds up to {math.ceil(needed)}" in TEXT


def test_claims_team_worked_example():
    handlers, minutes_each, demand, open_claims, work_content = 6, 390, 60, 900, 39

    lead_now = littles_law_lead_time(open_claims, demand)
    assert f"900 ÷ 60 = {shown(lead_now)} working days" in TEXT

    takt = takt_time(minutes_each, demand)
    assert f"390 ÷ 60 = {shown(takt)} minutes" in TEXT
    needed = math.ceil(work_content / takt - 1e-9)
    assert needed == handlers
    assert f"39 ÷ 6.5 = {needed} handlers" in TEXT
    assert f"carries about {open_claims // handlers}" in TEXT

    target_lead = 3
    target_wip = demand * target_lead
    excess = open_claims - target_wip
    assert f"60 × 3 = {target_wip} claims open" in TEXT
    assert f"900 − 180 = {excess} claims to clear" in TEXT

    per_handler = minutes_each / work_content
    extra = 2 * per_handler
    assert f"390 ÷ 39 = {shown(per_handler)} claims a day, adding {shown(extra)} a day" in TEXT
    assert f"720 ÷ 20 = {shown(excess / extra)} working days" in TEXT

    capacity = (handlers + 1) * per_handler
    assert f"settle {shown(capacity)} claims a day" in TEXT
    assert f"60 ÷ 70 = {round(demand / capacity * 100)}%" in TEXT
    assert f"passes {2 * demand} claims, two days of demand" in TEXT

    lead_after = littles_law_lead_time(target_wip, demand)
    assert lead_after == target_lead
    assert f"180 ÷ 60 = {shown(lead_after)} working days, down from {shown(lead_now)}" in TEXT

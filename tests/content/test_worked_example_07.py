"""The worked example in module 7 (missed physiotherapy appointments at Westbrook Hospital):
every figure the A3 quotes is recomputed from its inputs and must appear exactly as written,
and the A3 itself meets the structure checks the pdca exercises apply."""

import re
from datetime import date

from app.config import REPO_ROOT

MODULE = REPO_ROOT / "courses/yellow-belt/07-pdca-problem-solving"
TEXT = (MODULE / "index.md").read_text(encoding="utf-8")
FIGURE = (MODULE / "dna-fishbone.svg").read_text(encoding="utf-8")

# Inputs, as the text states them.
A3_DATE = date(2025, 1, 13)
GOAL_DEADLINE = date(2025, 6, 30)
STANDARD = 5.0  # % of appointments missed, at most
SLOT_MINUTES = 30
BEFORE = {"First": (1_200, 216), "Follow-up": (3_600, 360)}  # booked, missed
AFTER = {"First": (1_250, 110), "Follow-up": (3_700, 148)}
SURVEY = {
    "Forgot, or did not know about it": 46,
    "Could not get through to cancel": 14,
    "Felt better, no longer needed it": 12,
    "Other (transport, illness)": 8,
}
MOBILE_NUMBERS = (58, 91)  # % of patients with a mobile number on record, before and after
COUNTERMEASURES = [  # (why it tackles, due date)
    (4, date(2025, 1, 31)),
    (3, date(2025, 2, 14)),
    (2, date(2025, 3, 14)),
]


def share(part: int, whole: int) -> float:
    return 100 * part / whole


def share_of(pair: tuple[int, int]) -> float:
    """The share missed of a (booked, missed) pair, in percent."""
    booked, missed = pair
    return share(missed, booked)


def pct(value: float) -> str:
    return f"{value:.1f}%"


def totals(table: dict[str, tuple[int, int]]) -> tuple[int, int]:
    return sum(n for n, _ in table.values()), sum(m for _, m in table.values())


def hours_lost(missed: int) -> float:
    return missed * SLOT_MINUTES / 60


def test_the_current_condition_table():
    for label, (booked, missed) in BEFORE.items():
        assert f"| {label} | {booked:,} | {missed} | {pct(share(missed, booked))} |" in TEXT
    booked, missed = totals(BEFORE)
    assert f"| **All** | **{booked:,}** | **{missed}** | **{pct(share(missed, booked))}** |" in TEXT


def test_the_gap_and_the_time_lost():
    booked, missed = totals(BEFORE)
    baseline = share(missed, booked)
    assert f"{missed} ÷ {booked:,} = **{pct(baseline)}**" in TEXT
    assert (
        f"{baseline:.1f} − {STANDARD:g} = **{baseline - STANDARD:.1f} percentage points**" in TEXT
    )
    minutes = missed * SLOT_MINUTES
    assert (
        f"{missed} × {SLOT_MINUTES} = {minutes:,} minutes, or **{hours_lost(missed):g} hours**"
        in TEXT
    )


def test_the_problem_statement_and_goal():
    booked, missed = totals(BEFORE)
    assert (
        f"{pct(share(missed, booked))} of booked physiotherapy appointments ({missed} of "
        f"{booked:,}) were missed without notice, against the hospital standard of "
        f"{STANDARD:g}%" in TEXT
    )
    assert f"**{STANDARD:g}% or less by {GOAL_DEADLINE.day} June {GOAL_DEADLINE.year}**" in TEXT
    assert f"opened this A3 on **{A3_DATE.day} January {A3_DATE.year}**" in TEXT
    assert GOAL_DEADLINE > A3_DATE


def test_the_survey():
    total = sum(SURVEY.values())
    assert total == 80
    for reason, patients in SURVEY.items():
        assert f"| {reason} | {patients} | {pct(share(patients, total))} |" in TEXT
    forgot = SURVEY["Forgot, or did not know about it"]
    assert f"{forgot} of the {total} ({pct(share(forgot, total))}) forgot" in TEXT
    assert f"a mobile number is held for only {MOBILE_NUMBERS[0]}% of patients" in TEXT


def test_the_countermeasures_meet_the_a3_rules():
    whys = re.findall(r"^[0-9]\. \*\*Why", TEXT, flags=re.MULTILINE)
    deepest = len(whys)
    assert deepest >= 3
    assert any(why == deepest for why, _ in COUNTERMEASURES)
    for n, (why, due) in enumerate(COUNTERMEASURES, start=1):
        assert 1 <= why <= deepest
        assert A3_DATE <= due <= GOAL_DEADLINE
        assert f"| {why} |" in TEXT and f"| {due.isoformat()} | Done |" in TEXT
        assert f"\n| {n} | " in TEXT


def test_the_check_table_and_results():
    for label, (booked, missed) in AFTER.items():
        assert f"| {label} | {booked:,} | {missed} | {pct(share(missed, booked))} |" in TEXT
    booked, missed = totals(AFTER)
    after = share(missed, booked)
    before = share_of(totals(BEFORE))
    assert f"| **All** | **{booked:,}** | **{missed}** | **{pct(after)}** |" in TEXT
    assert f"{missed} ÷ {booked:,} = **{pct(after)}**" in TEXT
    assert f"down {before - after:.1f} percentage points from {pct(before)}" in TEXT
    assert after > STANDARD and "just short of the 5% goal" in TEXT
    # Follow-ups met the standard; first appointments did not.
    assert share_of(AFTER["Follow-up"]) <= STANDARD < share_of(AFTER["First"])


def test_the_hours_given_back():
    before, after = totals(BEFORE)[1], totals(AFTER)[1]
    minutes = after * SLOT_MINUTES
    assert (
        f"{after} × {SLOT_MINUTES} = {minutes:,} minutes, or **{hours_lost(after):g} hours**"
        in TEXT
    )
    assert f"**{hours_lost(before) - hours_lost(after):g} hours** a quarter given back" in TEXT
    assert f"rose from {MOBILE_NUMBERS[0]}% to {MOBILE_NUMBERS[1]}%" in TEXT


def test_the_figure_shows_the_baseline_and_the_six_categories():
    assert f"{pct(share_of(totals(BEFORE)))} of booked" in FIGURE
    for category in (
        "People",
        "Process / methods",
        "Policies",
        "Place / environment",
        "Systems / equipment",
        "Materials / information",
    ):
        assert f">{category}</text>" in FIGURE

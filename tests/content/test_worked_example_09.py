"""The figures quoted in module 9 (Standard work, 5S and visual management) agree with the
arithmetic behind them.

The inputs are hard-coded as the text states them; every figure the text quotes is
recomputed here and must appear in the module exactly as written."""

from datetime import datetime

from app.config import REPO_ROOT
from app.lss.flow import takt_time

MODULE = REPO_ROOT / "courses" / "yellow-belt" / "09-standard-work-5s-visual" / "index.md"
TEXT = MODULE.read_text(encoding="utf-8")


def shown(value: float, decimals: int = 2) -> str:
    """A number as the text writes it: thousands separators, no trailing zeros."""
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def test_pharmacy_takt_time():
    takt = takt_time(480, 240)
    assert takt == 2
    assert "dispense 240 prescriptions in a 480-minute day" in TEXT
    assert f"finish one every {shown(takt)} minutes" in TEXT


def test_tiered_meetings_reach_the_site_within_an_hour():
    tier_1, tier_3 = datetime(2024, 1, 1, 8, 45), datetime(2024, 1, 1, 9, 45)
    minutes = (tier_3 - tier_1).total_seconds() / 60
    assert "ward huddles at 08:45 (tier 1)" in TEXT
    assert "meets at 09:45 (tier 3)" in TEXT
    assert f"within {shown(minutes)} minutes" in TEXT


def test_shared_drive_5s_worked_example():
    secretaries, searches_a_day, minutes_before, minutes_after = 12, 10, 3, 1
    files, archived, deleted = 6400, 2900, 1150
    working_days, hours_of_5s_each = 225, 4
    audit_max, score_before, score_after = 20, 6, 17
    letters_sampled, old_template = 200, 9

    assert (
        f"gets {score_before} out of {audit_max}, or {round(score_before / audit_max * 100)}%"
        in TEXT
    )
    assert (
        f"rises to {score_after} out of {audit_max}, or {round(score_after / audit_max * 100)}%"
        in TEXT
    )

    search_before = searches_a_day * minutes_before
    assert f"10 × 3 = {search_before} minutes a day per secretary" in TEXT
    assert f"9 ÷ 200 = {shown(old_template / letters_sampled * 100)}%" in TEXT

    remaining = files - archived - deleted
    assert f"6,400 − 2,900 − 1,150 = {shown(remaining)} files remain" in TEXT

    search_after = searches_a_day * minutes_after
    assert f"10 × 1 = {search_after} minutes" in TEXT

    per_person = search_before - search_after
    assert f"30 − 10 = {per_person} minutes a day" in TEXT
    team_minutes = secretaries * per_person
    team_hours = team_minutes / 60
    assert (
        f"12 × 20 = {team_minutes} minutes a day, which is 240 ÷ 60 = {shown(team_hours)} hours"
        in TEXT
    )
    yearly = team_hours * working_days
    assert f"4 × 225 = {shown(yearly)} hours" in TEXT
    assert f"The {shown(yearly)} hours are not a reason to cut a post" in TEXT

    effort = secretaries * hours_of_5s_each
    assert f"12 × 4 = {effort} hours in all" in TEXT
    assert f"48 ÷ 4 = {shown(effort / team_hours)} working days" in TEXT

"""The worked example in module 6 (late card-dispute resolutions at Harbour Bank): every figure
the text quotes is recomputed from the example's inputs and must appear exactly as written."""

import pytest

from app.config import REPO_ROOT
from app.lss.sigma import dpmo, sigma_level

MODULE = REPO_ROOT / "courses/yellow-belt/06-six-sigma-dmaic"
TEXT = (MODULE / "index.md").read_text(encoding="utf-8")
FIGURE = (MODULE / "dispute-days-before-after.svg").read_text(encoding="utf-8")

# Inputs, as the text states them.
COST_PER_LATE = 40  # £ per late dispute
BEFORE = {"fraud": (2_700, 108), "merchant": (1_800, 927)}  # disputes, late
AFTER = {"fraud": (2_700, 108), "merchant": (1_800, 216)}
EVIDENCE_MISSING = (720, 576)  # merchant disputes, late
EVIDENCE_COMPLETE = (1_080, 351)
NEW_HANDLERS = (900, 216)
EXPERIENCED_HANDLERS = (3_600, 819)
PILOT = (400, 52)
GOAL = 8.0  # % late at most
# Disputes by working days to resolve (0–5, 6–10, 11–15, 16–20, 21–25, over 25), from the
# figure; the standard is 15 working days, so the last three bands are late.
BANDS_BEFORE = [1_170, 1_215, 1_080, 585, 270, 180]
BANDS_AFTER = [1_305, 1_755, 1_116, 234, 63, 27]
BAND_MIDPOINTS = [2.5, 8, 13, 18, 23, 30]  # working days, for a rough average
QUOTED_AVERAGES = (10.9, 8.5)  # working days, measured from the case data


def share(late: int, total: int) -> float:
    return 100 * late / total


def share_of(pair: tuple[int, int]) -> float:
    """The share late of a (disputes, late) pair, in percent."""
    disputes, late = pair
    return share(late, disputes)


def pct(value: float) -> str:
    return f"{value:.1f}%"


def money(value: float) -> str:
    return f"£{value:,.0f}"


def totals(table: dict[str, tuple[int, int]]) -> tuple[int, int]:
    return sum(n for n, _ in table.values()), sum(late for _, late in table.values())


def test_the_baseline_table_adds_up():
    for disputes, late in BEFORE.values():
        assert f"{disputes:,} | {late:,} | {pct(share(late, disputes))}" in TEXT
    disputes, late = totals(BEFORE)
    assert (disputes, late) == (4_500, 1_035)
    assert f"**{disputes:,}** | **{late:,}** | **{pct(share(late, disputes))}**" in TEXT
    assert f"{late:,} ÷ {disputes:,} = {late / disputes:.3f}, or **23.0%**" in TEXT


def test_the_cost_of_late_disputes():
    _, late = totals(BEFORE)
    assert f"{late:,} × £{COST_PER_LATE} = **{money(late * COST_PER_LATE)}** a quarter" in TEXT


def test_the_verified_and_rejected_causes():
    merchant_late = BEFORE["merchant"][1]
    assert [a + b for a, b in zip(EVIDENCE_MISSING, EVIDENCE_COMPLETE, strict=True)] == list(
        BEFORE["merchant"]
    )
    assert f"{merchant_late} of the {totals(BEFORE)[1]:,} late cases" in TEXT
    disputes, late = EVIDENCE_MISSING
    assert f"In {disputes} merchant disputes" in TEXT
    assert f"{late} were late, **{pct(share_of(EVIDENCE_MISSING))}**" in TEXT
    disputes, late = EVIDENCE_COMPLETE
    assert f"Of the {disputes:,} with evidence complete, {late} were late, " in TEXT
    assert f"**{pct(share_of(EVIDENCE_COMPLETE))}**. Verified." in TEXT

    assert [a + b for a, b in zip(NEW_HANDLERS, EXPERIENCED_HANDLERS, strict=True)] == list(
        totals(BEFORE)
    )
    disputes, late = NEW_HANDLERS
    assert f"{late} of {disputes} disputes (**{pct(share_of(NEW_HANDLERS))}**)" in TEXT
    disputes, late = EXPERIENCED_HANDLERS
    assert f"{late} of {disputes:,} (**{pct(share_of(EXPERIENCED_HANDLERS))}**)" in TEXT


def test_the_pilot():
    disputes, late = PILOT
    assert f"{late} of {disputes} merchant disputes were late, **{pct(share_of(PILOT))}**" in TEXT
    assert f"against {pct(share_of(BEFORE['merchant']))}" in TEXT


def test_the_after_table_and_the_goal():
    for disputes, late in AFTER.values():
        assert f"{disputes:,} | {late:,} | {pct(share(late, disputes))}" in TEXT
    disputes, late = totals(AFTER)
    after = share(late, disputes)
    before = share_of(totals(BEFORE))
    assert f"**{disputes:,}** | **{late:,}** | **{pct(after)}**" in TEXT
    assert f"{late:,} ÷ {disputes:,} = **{pct(after)}**, inside the {GOAL:.0f}% goal" in TEXT
    assert after <= GOAL
    assert f"{before - after:.1f} percentage points below {pct(before)}" in TEXT


def test_the_saving():
    fewer = totals(BEFORE)[1] - totals(AFTER)[1]
    quarter = fewer * COST_PER_LATE
    assert f"1,035 − 324 = **{fewer}** a quarter" in TEXT
    assert f"{fewer} × £{COST_PER_LATE} = **{money(quarter)}** saved a quarter" in TEXT
    assert f"**{money(4 * quarter)}** a year" in TEXT


def test_the_bands_match_the_tables_and_the_figure():
    for bands, table in ((BANDS_BEFORE, BEFORE), (BANDS_AFTER, AFTER)):
        disputes, late = totals(table)
        assert sum(bands) == disputes
        assert sum(bands[3:]) == late  # over 15 working days
    # The tail over 20 days, as the text quotes it.
    tail_before = share(sum(BANDS_BEFORE[4:]), sum(BANDS_BEFORE))
    tail_after = share(sum(BANDS_AFTER[4:]), sum(BANDS_AFTER))
    assert f"fell from {pct(tail_before)} to {pct(tail_after)}" in TEXT
    # Bar labels in the figure are each band's share of disputes.
    for bands in (BANDS_BEFORE, BANDS_AFTER):
        for count in bands:
            assert f">{share(count, sum(bands)):g}</text>" in FIGURE
    assert "23.0% late" in FIGURE and "7.2% late" in FIGURE


@pytest.mark.parametrize(
    ("bands", "quoted"), [(BANDS_BEFORE, QUOTED_AVERAGES[0]), (BANDS_AFTER, QUOTED_AVERAGES[1])]
)
def test_the_quoted_averages_fit_the_bands(bands, quoted):
    rough = sum(m * n for m, n in zip(BAND_MIDPOINTS, bands, strict=True)) / sum(bands)
    assert abs(rough - quoted) < 0.1
    assert f"from {QUOTED_AVERAGES[0]} to {QUOTED_AVERAGES[1]} working days" in TEXT


def test_the_sigma_levels():
    for table, dpmo_text, sigma_text in (
        (BEFORE, "230,000", "2.24"),
        (AFTER, "72,000", "2.96"),
    ):
        disputes, late = totals(table)
        value = dpmo(late, disputes, 1)
        assert f"{value:,.0f}" == dpmo_text
        assert f"{sigma_level(value):.2f}" == sigma_text
        assert dpmo_text in TEXT and f"about {sigma_text} sigma" in TEXT

"""The data behind a hypothesis-test exercise: one of the exercise's situations, drawn for
each learner, its data set generated from the seed, and the reference test computed by
app.lss.stats.

A variant holds only what the learner is shown (the data, the case's words, α and the
conclusions in a shuffled order); which test is right is never in it, since a variant is
also served by the API. The grader finds the test through the situation's number.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.grading.data_csv import csv_rows
from app.lss import stats

Test = Literal[
    "one_sample", "two_sample_pooled", "two_sample_welch", "paired", "anova", "chi_square"
]
TESTS: dict[str, str] = {
    "one_sample": "One-sample t-test",
    "two_sample_pooled": "Two-sample t-test, pooled (equal variances)",
    "two_sample_welch": "Two-sample t-test, Welch (unequal variances)",
    "paired": "Paired t-test",
    "anova": "One-way ANOVA",
    "chi_square": "Chi-square test of independence",
}
STATISTIC = {
    "one_sample": "t",
    "two_sample_pooled": "t",
    "two_sample_welch": "t",
    "paired": "t",
    "anova": "F",
    "chi_square": "χ²",
}
# How the data are laid out, which the learner sees anyway.
LAYOUT = {
    "one_sample": "one_sample",
    "two_sample_pooled": "groups",
    "two_sample_welch": "groups",
    "paired": "pairs",
    "anova": "groups",
    "chi_square": "table",
}
# The tests that can be run on each layout: a learner who picks one of these gets their
# numbers checked against that test too (the choice itself still loses its marks).
RUNNABLE = {
    "one_sample": ("one_sample",),
    "groups": ("two_sample_pooled", "two_sample_welch", "anova"),
    "pairs": ("paired", "two_sample_pooled", "two_sample_welch", "anova"),
    "table": ("chi_square",),
}


@dataclass(frozen=True)
class Outcome:
    """A test's numbers, as graded: the statistic, one or two degrees of freedom, p."""

    test: str
    statistic: float
    df: float
    df2: float | None
    p_value: float


def values_of(variant: dict[str, Any]) -> list[tuple[str, list[float]]]:
    """The measured data as (name, values) per group; pairs give the two columns."""
    layout = variant["layout"]
    if layout == "pairs":
        first, second = variant["groups"]
        return [
            (first, [row["values"][0] for row in variant["pairs"]]),
            (second, [row["values"][1] for row in variant["pairs"]]),
        ]
    if layout == "table":
        return []
    return [(group["name"], group["values"]) for group in variant["groups"]]


def counts_of(variant: dict[str, Any]) -> list[list[int]]:
    return [row["counts"] for row in variant["table"]]


def outcome(test: str, variant: dict[str, Any]) -> Outcome | None:
    """The test run on the learner's data by app.lss.stats, or None where it cannot run."""
    layout = variant["layout"]
    if test not in RUNNABLE[layout]:
        return None
    if test == "chi_square":
        chi = stats.chi_square_independence(counts_of(variant))
        return Outcome(test, chi.statistic, chi.df, None, chi.p_value)
    groups = [values for _, values in values_of(variant)]
    if test == "one_sample":
        one = stats.t_test_one_sample(groups[0], variant["target"])
        return Outcome(test, one.t, one.df, None, one.p_value)
    if test == "anova":
        anova = stats.one_way_anova(groups)
        return Outcome(test, anova.f, anova.df_between, anova.df_within, anova.p_value)
    if len(groups) != 2:
        return None
    if test == "paired":
        paired = stats.t_test_paired(groups[0], groups[1])
        return Outcome(test, paired.t, paired.df, None, paired.p_value)
    two = stats.t_test_two_sample(groups[0], groups[1], equal_var=test == "two_sample_pooled")
    return Outcome(test, two.t, two.df, None, two.p_value)


def normal_values(
    rng: random.Random, n: int, mean: float, sd: float, decimals: int, floor: float
) -> list[float]:
    """n values from N(mean, sd), rounded as shown; values below `floor` are drawn again
    (a service time is never negative)."""
    values: list[float] = []
    while len(values) < n:
        value = round(rng.gauss(mean, sd), decimals)
        if value >= floor:
            values.append(value)
    return values


def multinomial(rng: random.Random, n: int, shares: Sequence[float]) -> list[int]:
    """n cases spread over the categories with the given probabilities."""
    counts = [0] * len(shares)
    for _ in range(n):
        pick, total = rng.random(), 0.0
        for index, share in enumerate(shares):
            total += share
            if pick < total or index == len(shares) - 1:
                counts[index] += 1
                break
    return counts


def data_csv(variant: dict[str, Any]) -> str:
    """The learner's data set as CSV, laid out as the table on the page."""
    unit = f" ({variant['value_unit']})" if variant["value_unit"] else ""
    layout = variant["layout"]
    if layout == "table":
        rows = [["Outcome", *variant["columns"]]]
        rows += [[row["category"], *row["counts"]] for row in variant["table"]]
    elif layout == "pairs":
        rows = [[variant["unit_label"], *(f"{name}{unit}" for name in variant["groups"])]]
        rows += [[row["label"], *row["values"]] for row in variant["pairs"]]
    else:
        rows = [["Group", f"{variant['measure'][:1].upper()}{variant['measure'][1:]}{unit}"]]
        rows += [[g["name"], value] for g in variant["groups"] for value in g["values"]]
    return csv_rows(rows)

"""The toolkit's catalogue: each analysis with its input model, its form and an example.

The web pages and the JSON API both read this table, so a tool added here appears in both.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from app.lss.spc import NELSON_RULES
from app.toolkit import analyses
from app.toolkit.analyses import Analysis


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text, number, select, checks, checkbox, list (comma-separated)
    hint: str = ""
    options: dict[str, str] = field(default_factory=dict)  # value → label


@dataclass(frozen=True)
class Tool:
    slug: str
    title: str
    summary: str
    Input: type[BaseModel]
    run: Callable[[Any], Analysis]
    fields: list[FormField]
    example: str  # CSV text a learner can start from
    example_settings: dict[str, str] = field(default_factory=dict)  # the example's form values


COLUMN_HINT = "A column name from the header row; blank takes the last column of numbers."
LIST_HINT = "Column names separated by commas; blank takes every column of numbers."

TOOLS = [
    Tool(
        "control-chart",
        "Control chart",
        "Centre line, control limits and the points that break the run rules, for variables "
        "and attribute charts.",
        analyses.ControlChartInput,
        analyses.control_chart,
        [
            FormField("chart", "Chart", "select", options=analyses.CHART_NAMES),
            FormField("column", "Values or counts column", hint=COLUMN_HINT),
            FormField(
                "columns",
                "Subgroup columns (X̄ charts)",
                "list",
                "Each row is one subgroup. " + LIST_HINT,
            ),
            FormField(
                "size_column",
                "Sample size column (p, np, u)",
                hint="Units inspected in each sample: calls, claims, invoices.",
            ),
            FormField(
                "rules",
                "Run rules to apply",
                "checks",
                options={
                    str(n): f"{n}. {text.format(run='9')}" for n, text in NELSON_RULES.items()
                },
            ),
            FormField(
                "run_length",
                "Points on one side that signal a shift (rule 2)",
                "select",
                options={"9": "9 (Nelson, Minitab)", "8": "8 (Western Electric)", "7": "7"},
            ),
        ],
        "day,minutes\n1,31.2\n2,29.8\n3,33.5\n4,30.1\n5,28.7\n6,32.4\n7,30.9\n8,29.5\n"
        "9,31.8\n10,30.2\n11,34.1\n12,29.9\n13,30.6\n14,31.1\n15,42.8\n16,30.4\n",
    ),
    Tool(
        "capability",
        "Process capability",
        "Cp, Cpk, Pp and Ppk against your customer's specification, with the expected "
        "share out of specification.",
        analyses.CapabilityInput,
        analyses.capability,
        [
            FormField("column", "Measurements column", hint=COLUMN_HINT),
            FormField("lsl", "Lower specification limit (LSL)", "number", "Blank if none."),
            FormField("usl", "Upper specification limit (USL)", "number", "Blank if none."),
            FormField(
                "subgroup_size",
                "Subgroup size",
                "number",
                "1 for individual values (σ within from the moving range); 2–25 for "
                "consecutive subgroups (from R̄/d2).",
            ),
        ],
        "hours\n" + "20.1\n21.3\n20.1\n20.0\n19.0\n20.2\n22.3\n21.2\n22.2\n20.9\n21.1\n20.8\n17.8\n"
        "21.9\n21.3\n21.3\n17.8\n17.7\n19.1\n19.8\n21.0\n20.4\n21.3\n19.5\n",
        {"column": "hours", "usl": "24"},
    ),
    Tool(
        "pareto",
        "Pareto analysis",
        "Categories in order with their share and cumulative share, and the vital few.",
        analyses.ParetoInput,
        analyses.pareto,
        [
            FormField("column", "Category column", hint="Blank takes the first column."),
            FormField(
                "count_column",
                "Count column",
                hint="Blank when each row is one occurrence, to be counted.",
            ),
            FormField("threshold", "Vital few up to", "number", "A share, such as 0.8."),
        ],
        "reason,complaints\nWrong fee charged,142\nCard not received,97\nLong wait on phone,61\n"
        "Address not updated,23\nStatement error,14\nRude staff,9\nOther,6\n",
        {"column": "reason", "count_column": "complaints"},
    ),
    Tool(
        "hypothesis-test",
        "Hypothesis test",
        "t-tests, one-way ANOVA and the chi-square test of independence, with the decision "
        "at your significance level.",
        analyses.HypothesisTestInput,
        analyses.hypothesis_test,
        [
            FormField("test", "Test", "select", options=analyses.TEST_NAMES),
            FormField(
                "columns",
                "Columns",
                "list",
                "One column (one-sample), two (two-sample, paired), one per group (ANOVA) or "
                "the table's columns of counts (chi-square). " + LIST_HINT,
            ),
            FormField("mu0", "Hypothesised mean (one-sample)", "number"),
            FormField("equal_var", "Assume equal variances (pooled two-sample test)", "checkbox"),
            FormField("alpha", "Significance level α", "number"),
        ],
        "before,after\n12.1,10.4\n13.4,11.9\n11.8,11.2\n14.2,12.0\n12.9,11.1\n13.7,12.8\n"
        "12.4,10.9\n13.1,11.5\n",
    ),
    Tool(
        "doe",
        "Factorial experiment",
        "Effects and coefficients of a two-level full or fractional factorial design.",
        analyses.DoeInput,
        analyses.doe,
        [
            FormField("factors", "Factor columns", "list", "Blank takes every other column."),
            FormField("response", "Response column", hint="Blank takes the last column."),
        ],
        "script,queue,staff,minutes\n-1,-1,-1,42\n1,-1,-1,35\n-1,1,-1,39\n1,1,-1,30\n"
        "-1,-1,1,37\n1,-1,1,31\n-1,1,1,34\n1,1,1,24\n",
    ),
]
BY_SLUG = {tool.slug: tool for tool in TOOLS}

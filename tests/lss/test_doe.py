"""Two-level factorials against Montgomery's Design and Analysis of Experiments and the
NIST/SEMATECH e-Handbook."""

import math
from itertools import combinations
from typing import ClassVar

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.lss.doe import factorial_effects, fractional_factorial, full_factorial

# Montgomery, Example 6.2: filtration rate of a chemical in a pilot plant; factors A
# temperature, B pressure, C formaldehyde concentration, D stirring rate; runs in standard
# order (1), a, b, ab, c, ac, bc, abc, d, ad, bd, abd, cd, acd, bcd, abcd.
FILTRATION = [45, 71, 48, 65, 68, 60, 80, 65, 43, 100, 45, 104, 75, 86, 70, 96]
FILTRATION_EFFECTS = {
    "A": 21.625, "B": 3.125, "C": 9.875, "D": 14.625,
    "AB": 0.125, "AC": -18.125, "AD": 16.625, "BC": 2.375, "BD": -0.375, "CD": -1.125,
    "ABC": 1.875, "ABD": 4.125, "ACD": -1.625, "BCD": -2.625, "ABCD": 1.375,
}  # fmt: skip

# Montgomery, Example 6.1: plasma etch rate, A gap, B C2F6 flow, C power, two replicates
# per run in standard order.
ETCH = [
    [550, 604], [669, 650], [633, 601], [642, 635],
    [1037, 1052], [749, 868], [1075, 1063], [729, 860],
]  # fmt: skip

# NIST/SEMATECH e-Handbook 5.6.1, eddy current probe sensitivity: X1 number of turns,
# X2 winding distance, X3 wire gauge, runs in standard order.
EDDY_CURRENT = [1.70, 4.57, 0.55, 3.39, 1.51, 4.59, 0.67, 4.29]


def filtration_rate(run: dict[str, int]) -> float:
    """The Example 6.2 response for a run, looked up by its settings."""
    index = sum(2**i for i, factor in enumerate("ABCD") if run[factor] == 1)
    return FILTRATION[index]


class TestDesigns:
    def test_a_full_factorial_is_in_standard_order(self):
        assert [tuple(run.values()) for run in full_factorial(3)] == [
            (-1, -1, -1), (1, -1, -1), (-1, 1, -1), (1, 1, -1),
            (-1, -1, 1), (1, -1, 1), (-1, 1, 1), (1, 1, 1),
        ]  # fmt: skip

    def test_the_half_fraction_sets_d_to_abc(self):
        runs = fractional_factorial(4, {"D": "ABC"})
        assert len(runs) == 8
        assert all(run["D"] == run["A"] * run["B"] * run["C"] for run in runs)
        assert list(runs[0]) == ["A", "B", "C", "D"]

    def test_a_negated_generator_gives_the_other_half(self):
        runs = fractional_factorial(4, {"D": "-ABC"})
        assert all(run["D"] == -run["A"] * run["B"] * run["C"] for run in runs)

    def test_a_quarter_fraction(self):
        runs = fractional_factorial(5, {"D": "AB", "E": "AC"})
        assert len(runs) == 8
        assert all(run["E"] == run["A"] * run["C"] for run in runs)

    @pytest.mark.parametrize(
        ("k", "generators", "message"),
        [
            (4, {"E": "ABC"}, "generators must define the last 1 factors"),
            (4, {"D": "A"}, "at least two different base factors"),
            (4, {"D": "ABD"}, "at least two different base factors"),
            (5, {"C": "AB", "E": "AB"}, "generators must define the last 2 factors"),
            (5, {"D": "AB", "E": "-BA"}, "are the same word"),
            (3, {}, "generators needs between 1 and 2 entries"),
        ],
    )
    def test_bad_generators_are_refused(self, k, generators, message):
        with pytest.raises(ValueError, match=message):
            fractional_factorial(k, generators)

    @pytest.mark.parametrize("k", [0, 13, 2.5])
    def test_k_out_of_range_is_refused(self, k):
        with pytest.raises(ValueError, match="k must be a whole number of factors"):
            full_factorial(k)


class TestFiltrationRate:
    ANALYSIS: ClassVar = factorial_effects(full_factorial(4), FILTRATION)

    def test_the_published_effects(self):
        assert self.ANALYSIS.effects == pytest.approx(FILTRATION_EFFECTS)
        assert list(self.ANALYSIS.effects) == list(FILTRATION_EFFECTS)
        assert self.ANALYSIS.mean == pytest.approx(70.0625)

    def test_coefficients_are_half_the_effects(self):
        assert self.ANALYSIS.coefficients["AC"] == pytest.approx(-9.0625)

    def test_the_published_sums_of_squares(self):
        ss = self.ANALYSIS.sum_of_squares
        assert ss["A"] == pytest.approx(1870.5625)
        assert ss["C"] == pytest.approx(390.0625)
        assert ss["D"] == pytest.approx(855.5625)
        assert ss["AC"] == pytest.approx(1314.0625)
        assert ss["AD"] == pytest.approx(1105.5625)
        assert math.fsum(ss.values()) == pytest.approx(self.ANALYSIS.ss_total)

    def test_a_full_factorial_has_no_aliases_and_no_error_estimate(self):
        assert self.ANALYSIS.defining_relation == ()
        assert self.ANALYSIS.resolution is None
        assert all(aliases == () for aliases in self.ANALYSIS.aliases.values())
        assert self.ANALYSIS.p_values is None
        with pytest.raises(ValueError, match="Without replicates there is no error estimate"):
            self.ANALYSIS.significant_at(0.05)

    def test_the_half_normal_plot_singles_out_a_c_d_ac_and_ad(self):
        plot = self.ANALYSIS.half_normal_plot
        assert {point.term for point in plot[-5:]} == {"A", "C", "D", "AC", "AD"}
        assert [point.rank for point in plot] == list(range(1, 16))
        assert plot[-1].term == "A"
        assert plot[-1].probability == pytest.approx(14.5 / 15)
        assert plot[-1].quantile == pytest.approx(2.128, abs=5e-4)  # Φ⁻¹(0.5 + 0.4833)

    def test_the_normal_plot_puts_ac_lowest(self):
        plot = self.ANALYSIS.normal_plot
        assert plot[0].term == "AC"
        assert plot[0].quantile == pytest.approx(-plot[-1].quantile)
        assert [p.effect for p in plot] == sorted(FILTRATION_EFFECTS.values())

    def test_the_reduced_model_predicts_the_best_run(self):
        # Montgomery's reduced model ŷ = 70.06 + 10.81 A + 4.94 C + 7.31 D − 9.06 AC + 8.31 AD
        best = {"A": 1, "B": 1, "C": -1, "D": 1}
        predicted = self.ANALYSIS.predict(best, terms=("A", "C", "D", "AC", "AD"))
        assert predicted == pytest.approx(70.0625 + 10.8125 - 4.9375 + 7.3125 + 9.0625 + 8.3125)


class TestHalfFraction:
    # Montgomery, Example 8.1: the filtration experiment run as a 2^(4−1) with I = ABCD.
    DESIGN: ClassVar = fractional_factorial(4, {"D": "ABC"})
    ANALYSIS: ClassVar = factorial_effects(DESIGN, [filtration_rate(run) for run in DESIGN])

    def test_the_published_estimates(self):
        assert self.ANALYSIS.effects == pytest.approx(
            {"A": 19.0, "B": 1.5, "C": 14.0, "D": 16.5, "AB": -1.0, "AC": -18.5, "AD": 19.0}
        )

    def test_the_defining_relation_and_resolution(self):
        assert self.ANALYSIS.defining_relation == ("ABCD",)
        assert self.ANALYSIS.resolution == 4
        assert self.ANALYSIS.runs == 8

    def test_the_published_alias_structure(self):
        assert self.ANALYSIS.aliases == {
            "A": ("BCD",), "B": ("ACD",), "C": ("ABD",), "D": ("ABC",),
            "AB": ("CD",), "AC": ("BD",), "AD": ("BC",),
        }  # fmt: skip

    def test_the_other_half_has_negative_aliases(self):
        design = fractional_factorial(4, {"D": "-ABC"})
        analysis = factorial_effects(design, [filtration_rate(run) for run in design])
        assert analysis.defining_relation == ("-ABCD",)
        assert analysis.aliases["A"] == ("-BCD",)
        assert analysis.aliases["AB"] == ("-CD",)

    def test_a_resolution_iii_quarter_fraction(self):
        design = fractional_factorial(5, {"D": "AB", "E": "AC"})
        analysis = factorial_effects(design, range(8))
        assert set(analysis.defining_relation) == {"ABD", "ACE", "BCDE"}
        assert analysis.resolution == 3
        assert analysis.aliases["A"] == ("BD", "CE", "ABCDE")


class TestPlasmaEtch:
    ANALYSIS: ClassVar = factorial_effects(full_factorial(3), ETCH)

    def test_the_published_effects_and_sums_of_squares(self):
        assert self.ANALYSIS.effects == pytest.approx(
            {"A": -101.625, "B": 7.375, "C": 306.125, "AB": -24.875, "AC": -153.625,
             "BC": -2.125, "ABC": 5.625}
        )  # fmt: skip
        assert self.ANALYSIS.sum_of_squares["A"] == pytest.approx(41310.5625)
        assert self.ANALYSIS.sum_of_squares["C"] == pytest.approx(374850.0625)
        assert self.ANALYSIS.sum_of_squares["AC"] == pytest.approx(94402.5625)
        assert self.ANALYSIS.ss_total == pytest.approx(531420.9375)

    def test_the_published_error_and_p_values(self):
        analysis = self.ANALYSIS
        assert (analysis.replicates, analysis.observations, analysis.error_df) == (2, 16, 8)
        assert analysis.error_mean_square == pytest.approx(2252.5625)
        assert analysis.error_mean_square * analysis.error_df == pytest.approx(18020.50)
        assert analysis.standard_errors["A"] == pytest.approx(2 * math.sqrt(2252.5625 / 16))
        assert analysis.t_values["A"] ** 2 == pytest.approx(18.34, abs=5e-3)  # F for A
        assert analysis.p_values["A"] == pytest.approx(0.0027, abs=5e-5)
        assert analysis.p_values["C"] < 0.0001
        assert analysis.p_values["AC"] == pytest.approx(0.0002, abs=5e-5)
        assert analysis.significant_at(0.05) == ("A", "C", "AC")

    def test_replicates_may_be_listed_as_repeated_runs(self):
        design = full_factorial(3) * 2
        response = [pair[0] for pair in ETCH] + [pair[1] for pair in ETCH]
        assert factorial_effects(design, response).p_values == pytest.approx(self.ANALYSIS.p_values)


class TestEddyCurrent:
    def test_the_nist_effects_and_prediction(self):
        rows = [[run["A"], run["B"], run["C"]] for run in full_factorial(3)]
        analysis = factorial_effects(rows, EDDY_CURRENT, factors=("X1", "X2", "X3"))
        assert analysis.mean == pytest.approx(2.65875)
        assert analysis.effects["X1"] == pytest.approx(3.1025)
        assert analysis.effects["X2"] == pytest.approx(-0.8675)
        assert "X1×X2" in analysis.effects
        settings_ = {"X1": -1, "X2": -1, "X3": 0}
        assert analysis.predict(settings_, terms=("X1", "X2")) == pytest.approx(1.54125)


class TestInvalidDesigns:
    def test_a_level_that_is_not_coded_is_refused(self):
        design = full_factorial(2)
        design[2] = {"A": -1, "B": 0}
        with pytest.raises(ValueError, match="design run 3, factor 'B' must be -1 or \\+1"):
            factorial_effects(design, [1, 2, 3, 4])

    def test_a_response_per_run_is_required(self):
        with pytest.raises(ValueError, match="response needs one entry per design run \\(4\\)"):
            factorial_effects(full_factorial(2), [1, 2, 3])

    def test_unequal_replication_is_refused(self):
        with pytest.raises(ValueError, match="same number of replicates"):
            factorial_effects(full_factorial(2), [[1, 2], 3, 4, 5])

    def test_a_design_that_is_not_a_regular_fraction_is_refused(self):
        with pytest.raises(ValueError, match="not a regular two-level factorial"):
            factorial_effects(full_factorial(2)[:3], [1, 2, 3])

    def test_plain_rows_need_factor_names(self):
        with pytest.raises(ValueError, match="factors must name the design columns"):
            factorial_effects([[-1, -1], [1, 1]], [1, 2])

    def test_a_run_missing_a_factor_is_refused(self):
        design = full_factorial(2)
        del design[1]["B"]
        with pytest.raises(ValueError, match="design run 2 must set exactly the factors A, B"):
            factorial_effects(design, [1, 2, 3, 4])

    def test_a_missing_response_is_refused(self):
        with pytest.raises(ValueError, match="response for run 2 must be finite numbers"):
            factorial_effects(full_factorial(2), [1, math.nan, 3, 4])

    def test_every_run_the_same_is_refused(self):
        with pytest.raises(ValueError, match="needs both levels"):
            factorial_effects([{"A": 1}, {"A": 1}], [1, 2])

    def test_predict_names_unknown_terms(self):
        analysis = factorial_effects(full_factorial(2), [1, 2, 3, 5])
        with pytest.raises(ValueError, match="terms CD are not estimated here"):
            analysis.predict({"A": 1, "B": 1}, terms=("A", "CD"))
        with pytest.raises(ValueError, match="settings needs a coded value for B"):
            analysis.predict({"A": 1})


responses = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)


class TestProperties:
    @given(
        st.integers(1, 5).flatmap(
            lambda k: st.tuples(st.just(k), st.lists(responses, min_size=2**k, max_size=2**k))
        )
    )
    def test_the_full_model_reproduces_every_run(self, case):
        k, response = case
        design = full_factorial(k)
        analysis = factorial_effects(design, response)
        for run, observed in zip(design, response, strict=True):
            assert analysis.predict(run) == pytest.approx(observed, abs=1e-9)
        assert math.fsum(analysis.sum_of_squares.values()) == pytest.approx(
            analysis.ss_total, rel=1e-9, abs=1e-6
        )

    @settings(max_examples=50)
    @given(
        st.integers(3, 7).flatmap(lambda k: st.tuples(st.just(k), st.integers(1, k - 2), st.data()))
    )
    def test_every_word_is_accounted_for_once_in_a_fraction(self, case):
        k, p, data = case
        base = "ABCDEFG"[: k - p]
        assume(2 ** (k - p) - (k - p) - 1 >= p)  # enough interaction words to choose from
        words = ["".join(w) for n in range(2, len(base) + 1) for w in combinations(base, n)]
        chosen = data.draw(st.lists(st.sampled_from(words), min_size=p, max_size=p, unique=True))
        generators = dict(zip("ABCDEFG"[k - p : k], chosen, strict=True))
        design = fractional_factorial(k, generators)
        analysis = factorial_effects(design, [float(i) for i in range(len(design))])
        assert len(analysis.effects) == 2 ** (k - p) - 1
        named = list(analysis.effects) + [
            a.lstrip("-") for v in analysis.aliases.values() for a in v
        ]
        named += [word.lstrip("-") for word in analysis.defining_relation]
        assert len(named) == len(set(named)) == 2**k - 1
        assert len(analysis.defining_relation) == 2**p - 1

    @given(
        st.integers(1, 4).flatmap(
            lambda k: st.tuples(st.just(k), st.lists(responses, min_size=2**k, max_size=2**k))
        )
    )
    def test_swapping_the_levels_of_a_flips_its_effect(self, case):
        k, response = case
        design = full_factorial(k)
        mirrored = [{**run, "A": -run["A"]} for run in design]
        forward, backward = (
            factorial_effects(design, response),
            factorial_effects(mirrored, response),
        )
        assert backward.effects["A"] == pytest.approx(-forward.effects["A"], abs=1e-9)

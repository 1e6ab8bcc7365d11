"""Two-level factorial experiments: designs, effects, aliases and effect plots.

Designs are in coded units: each run sets every factor to −1 (low) or +1 (high). A design
is a list of runs, each a mapping factor → ±1 ({"A": -1, "B": 1}), or rows of ±1 with
the factor names passed separately. Full 2^k and regular fractional 2^(k−p) designs are
analysed; runs may be replicated (repeat a run, or give a list of responses for it), but
every distinct run must be replicated equally. Centre points are not supported.

A term is written by joining factor names: "AB" for single-letter names, "Temp×Time" for
longer ones.

Sources: Montgomery, Design and Analysis of Experiments — effect = ȳ(+) − ȳ(−) =
contrast/(n·2^(k−1)), coefficient = effect/2, SS = contrast²/(n·2^k), se(effect) =
2·S/√(n·2^k); Example 6.1 (plasma etch, 2³ × 2), Example 6.2 (filtration rate, 2⁴),
Example 8.1 (its 2^(4−1) half fraction, I = ABCD). Box, Hunter & Hunter — alias
structure from the defining relation. NIST/SEMATECH e-Handbook 5.6.1 (eddy current 2³).
"""

import itertools
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

MAX_FACTORS = 12
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def full_factorial(k: int) -> list[dict[str, int]]:
    """The 2^k runs in standard (Yates) order, factors named A, B, C…: A alternates
    fastest, so 2³ gives (1), a, b, ab, c, ac, bc, abc."""
    _check_k(k)
    names = LETTERS[:k]
    return [
        {name: 1 if (run >> index) & 1 else -1 for index, name in enumerate(names)}
        for run in range(2**k)
    ]


def fractional_factorial(k: int, generators: Mapping[str, str]) -> list[dict[str, int]]:
    """A regular 2^(k−p) fraction: a full factorial in the first k − p letters (the base
    factors) plus one column per generator, e.g. fractional_factorial(4, {"D": "ABC"}) is
    the half fraction with I = ABCD. A generator may be negated ("-ABC") to take the other
    fraction. The generated factors must be the last p letters.
    """
    _check_k(k)
    p = len(generators)
    if not 1 <= p < k:
        raise ValueError(f"generators needs between 1 and {k - 1} entries for k = {k} (got {p}).")
    base = LETTERS[: k - p]
    if set(generators) != set(LETTERS[k - p : k]):
        raise ValueError(
            f"generators must define the last {p} factors "
            f"({', '.join(LETTERS[k - p : k])}) from the base factors {', '.join(base)}."
        )
    parsed = {}
    for factor, word in generators.items():
        sign, letters = (-1, word[1:]) if word.startswith("-") else (1, word)
        if len(letters) < 2 or len(set(letters)) != len(letters) or set(letters) - set(base):
            raise ValueError(
                f"generators[{factor!r}] must be a product of at least two different base "
                f"factors ({', '.join(base)}), e.g. 'ABC' (got {word!r})."
            )
        duplicate = [other for other, (_, used) in parsed.items() if set(used) == set(letters)]
        if duplicate:
            raise ValueError(
                f"generators[{factor!r}] and generators[{duplicate[0]!r}] are the same word, "
                "so those two factors could never be told apart."
            )
        parsed[factor] = (sign, letters)
    runs = full_factorial(k - p)
    for run in runs:
        for factor in sorted(parsed):
            sign, letters = parsed[factor]
            run[factor] = sign * math.prod(run[letter] for letter in letters)
    return runs


def _check_k(k: int) -> None:
    if not isinstance(k, int) or not 1 <= k <= MAX_FACTORS:
        raise ValueError(f"k must be a whole number of factors from 1 to {MAX_FACTORS} (got {k}).")


@dataclass(frozen=True)
class EffectPlotPoint:
    """One effect on a normal or half-normal probability plot: the i-th smallest (rank i,
    from 1) of m effects sits at probability (i − 0.5)/m and at the normal quantile
    Φ⁻¹(probability) (normal plot, signed effects) or Φ⁻¹(0.5 + probability/2) (half-normal
    plot, |effects|)."""

    term: str
    effect: float
    rank: int
    probability: float
    quantile: float


@dataclass(frozen=True)
class FactorialAnalysis:
    """Effects of a two-level factorial, ordered main effects first, then two-factor
    interactions, and so on.

    factors: the factor names. runs: distinct design points; replicates: observations per
    point; observations = runs × replicates. mean: the grand mean (the model intercept).
    effects: term → ȳ(+) − ȳ(−); coefficients: term → effect/2; sum_of_squares: term →
    observations × effect²/4. For a fraction each term stands for its alias chain:
    aliases maps the term to the other words it is confounded with, signed ("BCD",
    "-BCD"); defining_relation lists the words equal to I (empty for a full factorial) and
    resolution is the length of its shortest word (None for a full factorial).
    With replicates, error_df = runs × (replicates − 1), error_mean_square is the pure
    error, and standard_errors (2·√(MS_E/observations)), t_values and p_values (two-sided)
    are given per term; without replicates these are None.
    normal_plot and half_normal_plot hold the effect plot data, smallest first.
    """

    factors: tuple[str, ...]
    runs: int
    replicates: int
    observations: int
    mean: float
    effects: dict[str, float]
    coefficients: dict[str, float]
    sum_of_squares: dict[str, float]
    ss_total: float
    aliases: dict[str, tuple[str, ...]]
    defining_relation: tuple[str, ...]
    resolution: int | None
    error_df: int | None
    error_mean_square: float | None
    standard_errors: dict[str, float] | None
    t_values: dict[str, float] | None
    p_values: dict[str, float] | None
    normal_plot: tuple[EffectPlotPoint, ...]
    half_normal_plot: tuple[EffectPlotPoint, ...]

    def significant_at(self, alpha: float = 0.05) -> tuple[str, ...]:
        """The terms whose p-value is below alpha; needs replicates."""
        if self.p_values is None:
            raise ValueError(
                "Without replicates there is no error estimate; judge the effects "
                "on the normal or half-normal plot."
            )
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, e.g. 0.05 (got {alpha}).")
        return tuple(term for term, p in self.p_values.items() if p < alpha)

    def predict(self, settings: Mapping[str, float], terms: Sequence[str] | None = None) -> float:
        """ŷ = mean + Σ coefficient × (product of the coded settings) over terms (all
        estimated terms unless a reduced model is named, e.g. ("A", "C", "AC"))."""
        missing = [name for name in self.factors if name not in settings]
        if missing:
            raise ValueError(f"settings needs a coded value for {', '.join(missing)}.")
        chosen = tuple(self.coefficients) if terms is None else tuple(terms)
        unknown = [term for term in chosen if term not in self.coefficients]
        if unknown:
            raise ValueError(
                f"terms {', '.join(unknown)} are not estimated here; "
                f"use {', '.join(self.coefficients)}."
            )
        words = {_label(word, self.factors): word for word in _words(len(self.factors))}
        return self.mean + math.fsum(
            self.coefficients[term] * math.prod(settings[self.factors[i]] for i in words[term])
            for term in chosen
        )


def factorial_effects(
    design: Sequence[Mapping[str, float]] | Sequence[Sequence[float]],
    response: Sequence[float] | Sequence[Sequence[float]],
    factors: Sequence[str] | None = None,
) -> FactorialAnalysis:
    """Analyse a 2^k or regular 2^(k−p) design: every estimable effect, its coefficient and
    sum of squares, the alias structure derived from the design columns, effect plot data
    and, with replicates, standard errors and p-values.

    design: runs as mappings factor → ±1, or rows of ±1 with factors naming the columns.
    response: one value per run, or a list of replicate values per run.
    Montgomery Example 6.2 (filtration rate): A = 21.625, C = 9.875, D = 14.625,
    AC = −18.125, AD = 16.625.
    """
    names, matrix = _design_matrix(design, factors)
    x, y = _observations(matrix, response)
    points, inverse, counts = np.unique(x, axis=0, return_inverse=True, return_counts=True)
    if np.any(counts != counts[0]):
        raise ValueError(
            "response must give every distinct run the same number of replicates "
            f"(got between {counts.min()} and {counts.max()})."
        )
    replicates, runs, observations = int(counts[0]), len(points), y.size
    if runs < 2:
        raise ValueError("design needs both levels of at least one factor (every run is the same).")
    classes, identity = _alias_classes(points, len(names))

    mean = math.fsum(y) / observations
    effects, aliases = {}, {}
    for members in classes:
        sign, representative = members[0]
        column = np.prod(x[:, list(representative)], axis=1)
        label = _label(representative, names)
        effects[label] = float(column @ y) / (observations / 2)
        aliases[label] = tuple(
            ("" if word_sign == sign else "-") + _label(word, names)
            for word_sign, word in members[1:]
        )
    point_means = np.array([y[inverse.ravel() == i].mean() for i in range(runs)])
    ss_error = math.fsum((y - point_means[inverse.ravel()]) ** 2)
    sums_of_squares = {term: observations * effect**2 / 4 for term, effect in effects.items()}
    defining = tuple(("" if s > 0 else "-") + _label(word, names) for s, word in identity)
    return FactorialAnalysis(
        factors=names,
        runs=runs,
        replicates=replicates,
        observations=observations,
        mean=mean,
        effects=effects,
        coefficients={term: effect / 2 for term, effect in effects.items()},
        sum_of_squares=sums_of_squares,
        ss_total=math.fsum((y - mean) ** 2),
        aliases=aliases,
        defining_relation=defining,
        resolution=min((len(word) for _, word in identity), default=None),
        **_inference(effects, ss_error, runs, replicates, observations),
        normal_plot=_plot(effects, half=False),
        half_normal_plot=_plot(effects, half=True),
    )


def _design_matrix(
    design: Sequence[Mapping[str, float]] | Sequence[Sequence[float]],
    factors: Sequence[str] | None,
) -> tuple[tuple[str, ...], np.ndarray]:
    if len(design) < 2:
        raise ValueError(f"design needs at least 2 runs (got {len(design)}).")
    if isinstance(design[0], Mapping):
        names = tuple(design[0]) if factors is None else tuple(factors)
        rows = []
        for number, run in enumerate(design, start=1):
            if not isinstance(run, Mapping) or set(run) != set(names):
                raise ValueError(
                    f"design run {number} must set exactly the factors {', '.join(names)}."
                )
            rows.append([run[name] for name in names])
    else:
        if factors is None:
            raise ValueError("factors must name the design columns when runs are plain rows.")
        names = tuple(factors)
        rows = [list(run) for run in design]
        for number, row in enumerate(rows, start=1):
            if len(row) != len(names):
                raise ValueError(f"design run {number} needs {len(names)} values, one per factor.")
    if not 1 <= len(names) <= MAX_FACTORS:
        raise ValueError(f"design needs between 1 and {MAX_FACTORS} factors (got {len(names)}).")
    if len(set(names)) != len(names) or not all(isinstance(n, str) and n for n in names):
        raise ValueError("factors must be distinct, non-empty names.")
    for number, row in enumerate(rows, start=1):
        for name, value in zip(names, row, strict=True):
            if value not in (-1, 1):
                raise ValueError(
                    f"design run {number}, factor {name!r} must be -1 or +1 in coded units "
                    f"(got {value})."
                )
    return names, np.asarray(rows, dtype=int)


def _observations(
    matrix: np.ndarray, response: Sequence[float] | Sequence[Sequence[float]]
) -> tuple[np.ndarray, np.ndarray]:
    if len(response) != len(matrix):
        raise ValueError(
            f"response needs one entry per design run ({len(matrix)}), got {len(response)}."
        )
    rows, values = [], []
    for number, (run, entry) in enumerate(zip(matrix, response, strict=True), start=1):
        replicate_values = list(entry) if isinstance(entry, Sequence | np.ndarray) else [entry]
        if not replicate_values:
            raise ValueError(f"response for run {number} is empty.")
        for value in replicate_values:
            if not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ValueError(
                    f"response for run {number} must be finite numbers (got {value!r})."
                )
            rows.append(run)
            values.append(float(value))
    return np.asarray(rows), np.asarray(values)


def _words(k: int) -> list[tuple[int, ...]]:
    """Every non-empty set of factor indices, main effects first, then pairs, and so on."""
    return [word for order in range(1, k + 1) for word in itertools.combinations(range(k), order)]


def _label(word: tuple[int, ...], names: tuple[str, ...]) -> str:
    separator = "" if all(len(name) == 1 for name in names) else "×"
    return separator.join(names[i] for i in word)


def _alias_classes(
    points: np.ndarray, k: int
) -> tuple[list[list[tuple[int, tuple[int, ...]]]], list[tuple[int, tuple[int, ...]]]]:
    """Group the words whose columns over the distinct runs agree up to sign. The group of
    constant columns is the defining relation; each other group is one alias chain, led by
    its shortest word. Refuses a design whose chains are not balanced and orthogonal."""
    groups: dict[bytes, list[tuple[int, tuple[int, ...]]]] = {}
    columns: dict[bytes, np.ndarray] = {}
    for word in _words(k):
        column = np.prod(points[:, list(word)], axis=1)
        sign = int(column[0])
        key = (column * sign).astype(np.int8).tobytes()
        groups.setdefault(key, []).append((sign, word))
        columns.setdefault(key, column * sign)
    constant = np.ones(len(points), dtype=np.int8).tobytes()
    identity = groups.pop(constant, [])
    columns.pop(constant, None)
    chains = np.array(list(columns.values())).reshape(len(columns), len(points))
    runs = len(points)
    if (
        len(groups) != runs - 1
        or not np.array_equal(chains @ chains.T, runs * np.eye(len(groups), dtype=int))
        or np.any(chains.sum(axis=1))
    ):
        raise ValueError(
            f"design is not a regular two-level factorial: its {runs} distinct runs are neither "
            "a full 2^k design nor a 2^(k−p) fraction built from generators, so the effects "
            "are not orthogonal."
        )
    return list(groups.values()), identity


_INFERENCE_FIELDS = ("error_df", "error_mean_square", "standard_errors", "t_values", "p_values")


def _inference(
    effects: dict[str, float], ss_error: float, runs: int, replicates: int, observations: int
) -> dict:
    """Pure-error inference for the effects (the FactorialAnalysis fields of that name)."""
    if replicates < 2:
        return dict.fromkeys(_INFERENCE_FIELDS)
    error_df = runs * (replicates - 1)
    ms_error = ss_error / error_df
    standard_error = 2 * math.sqrt(ms_error / observations)
    t_values = {
        term: (effect / standard_error if standard_error else math.copysign(math.inf, effect))
        for term, effect in effects.items()
    }
    return {
        "error_df": error_df,
        "error_mean_square": ms_error,
        "standard_errors": dict.fromkeys(effects, standard_error),
        "t_values": t_values,
        "p_values": {
            term: float(min(1.0, 2 * sps.t.sf(abs(t), error_df))) if math.isfinite(t) else 0.0
            for term, t in t_values.items()
        },
    }


def _plot(effects: dict[str, float], *, half: bool) -> tuple[EffectPlotPoint, ...]:
    m = len(effects)
    ordered = sorted(effects.items(), key=lambda item: abs(item[1]) if half else item[1])
    points = []
    for rank, (term, effect) in enumerate(ordered, start=1):
        probability = (rank - 0.5) / m
        quantile = sps.norm.ppf(0.5 + probability / 2 if half else probability)
        points.append(EffectPlotPoint(term, effect, rank, probability, float(quantile)))
    return tuple(points)

"""Paired bootstrap of a config-B-minus-config-A difference over the same questions."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

N_RESAMPLES = 1000
SEED = 20240917
CONFIDENCE = 0.95

# Statistic over axis 1 of a (resamples × questions) matrix.
Statistic = Callable[[np.ndarray], np.ndarray]

STATISTICS: dict[str, Statistic] = {
    "mean": lambda m: m.mean(axis=1),
    "p50": lambda m: np.percentile(m, 50, axis=1),
    "p95": lambda m: np.percentile(m, 95, axis=1),
}


@dataclass(frozen=True)
class Delta:
    """B − A on the paired questions, with its bootstrap confidence interval."""

    a: float
    b: float
    delta: float
    ci_low: float
    ci_high: float
    n: int  # paired questions where both values are defined

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def paired_bootstrap(
    a: Sequence[float],
    b: Sequence[float],
    statistic: str = "mean",
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    confidence: float = CONFIDENCE,
) -> Delta:
    """Resample question indices with replacement — the same indices for both configs — and
    take the percentile interval of stat(B) − stat(A).

    Questions where either value is NaN (undefined, e.g. precision with no citation) are left
    out so that both sides always see the same questions.
    """
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if xa.shape != xb.shape:
        raise ValueError("paired samples must have the same length")
    keep = ~(np.isnan(xa) | np.isnan(xb))
    xa, xb = xa[keep], xb[keep]
    n = int(xa.size)
    if n == 0:
        return Delta(math.nan, math.nan, math.nan, math.nan, math.nan, 0)
    stat = STATISTICS[statistic]
    va, vb = float(stat(xa[None, :])[0]), float(stat(xb[None, :])[0])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_resamples, n))
    diffs = stat(xb[idx]) - stat(xa[idx])
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(diffs, [tail, 100 - tail])
    return Delta(va, vb, vb - va, float(low), float(high), n)

"""The distribution of the time to detection under several independent activities.

Detection happens at the first activity that sees the misuse: T = min_i T_i, so with
independent activities the survival functions multiply, S(t) = prod_i S_i(t), and the CDF is
F = 1 - S. :func:`detection_distribution` computes it

* **analytically** when every activity has a closed form (:func:`~.processes.cdf`: periodic,
  Poisson and continuous processes, fixed or uniform delays); quantiles by bisection on the
  exact CDF;
* by **Monte Carlo** otherwise (a 'random' process) or on request: every activity draws its
  detection times vectorised (no loop over samples) and the minimum is taken. Samples are drawn
  in chunks; chunk ``i`` of activity ``a`` uses the random stream
  ``SeedSequence(seed, spawn_key=(i, crc32(a.key)))``, so the draws of an activity do not depend
  on which other activities are present (adding one can only make each sample earlier), and
  results depend on ``seed`` and ``chunk_size`` only, not on where chunks run. With ``address``
  (or a ``client``) the chunks are mapped over a Dask ``distributed.Client``, as in
  :mod:`enrichwatch.breakout.montecarlo`; the results are bit-identical to the local run.

Examples
--------
>>> from enrichwatch.detection.processes import Activity
>>> d = detection_distribution([Activity.periodic("inspection", 30.0)])
>>> d.method, round(d.median, 6), round(d.quantile(0.9), 6), round(d.cdf(10.0), 6)
('analytic', 15.0, 27.0, 0.333333)
>>> detection_distribution([]).probability_ever
0.0
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..parallel import ProgressLike, run_chunks
from .processes import Activity, analytic, cdf, limit, sample

__all__ = ["METHODS", "DetectionDistribution", "detection_distribution", "run_chunk"]

#: How the distribution is computed: 'auto' (analytic when possible), 'analytic', 'monte-carlo'.
METHODS: tuple[str, ...] = ("auto", "analytic", "monte-carlo")

_TOL = 1e-12
_MAX_DAYS = 1e7


@dataclass(frozen=True)
class DetectionDistribution:
    """Time to detection [days since the misuse began] under ``activities``.

    ``method`` is 'analytic' or 'monte-carlo'; for Monte Carlo, ``draws`` holds the sorted
    sampled times (``inf``: never detected). :meth:`cdf`, :meth:`quantile`, :attr:`median`,
    :attr:`p90` and :attr:`probability_ever` answer for either.
    """

    activities: tuple[Activity, ...]
    method: str
    samples: int = 0
    seed: int | None = None
    chunk_size: int = 0
    backend: str = "local"
    draws: np.ndarray | None = field(default=None, repr=False, compare=False)

    def cdf(self, t):
        """P(detected by t) [-], t [days] (scalar or array)."""
        t_arr = np.asarray(t, dtype=float)
        if self.draws is not None:
            out = np.searchsorted(self.draws, t_arr, side="right") / self.draws.size
        else:
            s = np.ones_like(t_arr)
            for a in self.activities:          # a loop over activities, not samples
                s = s * (1.0 - cdf(a, t_arr))
            out = 1.0 - s
        return float(out) if np.ndim(out) == 0 else out

    @functools.cached_property
    def probability_ever(self) -> float:
        """P(detected at all) [-]."""
        if self.draws is not None:
            return float(np.isfinite(self.draws).mean()) if self.draws.size else 0.0
        return 1.0 - math.prod(1.0 - limit(a) for a in self.activities)

    def quantile(self, q: float) -> float:
        """Smallest t [days] with P(detected by t) >= q; ``inf`` if never that likely."""
        if not 0.0 < q <= 1.0:
            raise InputError("q", q, "a probability in (0, 1]")
        if self.probability_ever < q - _TOL:
            return math.inf
        if self.draws is not None:
            k = int(math.ceil(q * self.draws.size - 1e-9)) - 1
            return float(self.draws[max(k, 0)])
        return _bisect(self.cdf, q)

    @functools.cached_property
    def median(self) -> float:
        return self.quantile(0.5)

    @functools.cached_property
    def p90(self) -> float:
        return self.quantile(0.9)

    def position(self, t: float) -> float:
        """Where ``t`` [days] falls in the distribution: P(detected by t), as a quantile."""
        return float(self.cdf(t))

    def grid(self, horizon: float, points: int = 241) -> tuple[np.ndarray, np.ndarray]:
        """(times [days], CDF) on ``points`` evenly spaced times from 0 to ``horizon``."""
        t = np.linspace(0.0, horizon, points)
        return t, np.asarray(self.cdf(t), dtype=float)

    def as_dict(self, horizon: float | None = None, points: int = 121) -> dict:
        h = horizon if horizon is not None else _horizon(self)
        t, f = self.grid(h, points)
        return {"method": self.method, "samples": self.samples or None, "seed": self.seed,
                "median_days": _num(self.median), "p90_days": _num(self.p90),
                "probability_ever": self.probability_ever,
                "cdf": {"days": t.tolist(), "probability": f.tolist()}}

    def __repr__(self) -> str:
        return (f"DetectionDistribution({self.method}, {len(self.activities)} activities: "
                f"median {self.median:.4g} days, P90 {self.p90:.4g} days, "
                f"ever {self.probability_ever:.3g})")


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _horizon(d: DetectionDistribution) -> float:
    finite = [x for x in (d.p90, d.median) if math.isfinite(x)]
    return max(31.0, 1.2 * max(finite)) if finite else 365.0


def _bisect(f, q: float) -> float:
    hi = 1.0
    while f(hi) < q - _TOL:
        hi *= 2.0
        if hi > _MAX_DAYS:
            return math.inf
    lo = 0.0
    if f(lo) >= q - _TOL:
        return 0.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if f(mid) >= q - _TOL:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-12 * max(1.0, hi):
            break
    return hi


def _streams(activities: Sequence[Activity]) -> list[int]:
    """A stable 32-bit stream key per activity (repeated keys numbered)."""
    seen: dict[str, int] = {}
    out = []
    for a in activities:
        n = seen.get(a.key, 0)
        seen[a.key] = n + 1
        out.append(zlib.crc32(f"{a.key}#{n}".encode()))
    return out


def run_chunk(activities: tuple[Activity, ...], seed: int, index: int, size: int) -> np.ndarray:
    """Detection times [days] of chunk ``index`` (``size`` samples): the unit sent to Dask."""
    out = np.full(size, math.inf)
    for a, key in zip(activities, _streams(activities), strict=True):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index, key)))
        out = np.minimum(out, sample(a, rng, size))
    return out


def _check(method: str, samples: int, chunk_size: int, seed: int) -> None:
    if method not in METHODS:
        raise InputError("method", method, "one of " + ", ".join(METHODS))
    for name, v, low in (("samples", samples, 1), ("chunk_size", chunk_size, 1),
                         ("seed", seed, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise InputError(name, v, f"a whole number >= {low}")


def detection_distribution(activities: Sequence[Activity], *, method: str = "auto",
                           samples: int = 100_000, seed: int = 0, chunk_size: int = 50_000,
                           address: str | None = None, client=None,
                           progress: ProgressLike = None) -> DetectionDistribution:
    """Distribution of the time to detection under independent ``activities``.

    Parameters
    ----------
    activities : sequence of Activity
        May be empty (no verification: never detected).
    method : {'auto', 'analytic', 'monte-carlo'}
        'auto' is analytic when every activity has a closed form, Monte Carlo otherwise.
    samples, seed, chunk_size : int
        Monte Carlo samples, random seed, samples per chunk.
    address : str, optional
        A Dask scheduler (``tcp://host:8786``) to run the chunks on.
    client : distributed.Client, optional
        An existing client instead of ``address``.
    progress : Progress, optional
        One phase of samples (Monte Carlo only), advanced as each chunk finishes, locally or
        on Dask (:mod:`enrichwatch.parallel`); a plain callable ``progress(done, total)`` (the
        earlier interface) is called after each chunk with counts of chunks.

    Returns
    -------
    DetectionDistribution
    """
    _check(method, samples, chunk_size, seed)
    acts = tuple(activities)
    closed = all(analytic(a) for a in acts)
    if method == "analytic" and not closed:
        raise InputError("method", method, "'monte-carlo' or 'auto' for activities without a "
                                           "closed form ('random' visits)")
    if method == "analytic" or (method == "auto" and closed):
        return DetectionDistribution(acts, "analytic")
    parts, backend = run_chunks(run_chunk, acts, seed=seed, total=samples,
                                chunk_size=chunk_size, address=address, client=client,
                                progress=progress, what="Monte Carlo samples")
    draws = np.sort(np.concatenate(parts))
    draws.setflags(write=False)
    return DetectionDistribution(acts, "monte-carlo", samples, seed, chunk_size, backend, draws)

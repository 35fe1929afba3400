"""Monte Carlo of the accountancy tests, vectorised over iterations, locally or on Dask.

What is sampled
---------------
The true values are the area's records as given; each iteration draws the measurement errors
and adds the loss pattern. MUF is linear in the errors, so two samplers give the same
distribution:

* ``method="aggregated"`` (default): the random errors of all records folded into K normal
  draws per iteration (``R z`` with ``R R^T`` the random part of the MUF covariance), and one
  standard normal per systematic group (point or instrument x calibration period), mapped by the
  exact loadings. Cost per iteration: K + G draws, independent of the number of records.
* ``method="records"``: one random draw per measured record (J per iteration) and one per
  systematic group: the literal simulation, for checking the aggregated sampler on small areas.

Per iteration: MUF, CUMUF, SITMUF (with the exact covariance, the same for every iteration:
the covariance is a property of the measurement system at the declared values), Page's
statistic on SITMUF and GEMUF V1; alarms of the single-balance MUF test, the end-of-horizon
CUMUF and GEMUF tests and Page's test. No Python loop runs over iterations (one loop over the K
balances inside Page's recursion).

Reproducibility and Dask
------------------------
As the breakout Monte Carlo (:mod:`enrichwatch.breakout.montecarlo`): iterations are drawn in
chunks of ``chunk_size``; chunk ``i`` uses ``SeedSequence(seed, spawn_key=(i,))``, so results
depend on ``seed`` and ``chunk_size`` only. With ``address`` (or ``client``) the chunks are
mapped over a ``distributed.Client`` (:func:`enrichwatch.parallel.run_chunks`); the results are
bit-identical to the local run.

Examples
--------
>>> from enrichwatch.accountancy.balance import (BalancePeriods, Items, MaterialBalanceArea,
...                                              MeasurementPoint)
>>> from enrichwatch.accountancy.measurement import MeasurementModel, Uncertainty
>>> t, w = [5, 15, 25, 35], Items.from_weight_percent
>>> area = MaterialBalanceArea("toy", (
...     MeasurementPoint("in", "input", w(t, [100] * 4)),
...     MeasurementPoint("out", "output", w(t, [100] * 4)),
...     MeasurementPoint("inv", "inventory", w([0, 10, 20, 30, 40], [50] * 5))))
>>> model = MeasurementModel.uniform(area.names, Uncertainty(0.01, 0.005))
>>> mc = monte_carlo(area, model, BalancePeriods.regular(0, 10, 4), iterations=2000, seed=1)
>>> bool(abs(mc.detection["gemuf"] - 0.05) < 0.02)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import stats
from scipy.linalg import solve_triangular

from ..errors import InputError
from ..parallel import ProgressLike, run_chunks
from .balance import BalanceDesign, BalancePeriods, MaterialBalanceArea, Quantity, balance_design
from .detection import LossPattern
from .measurement import MeasurementModel, error_structure
from .muf import muf_covariance
from .sequential import PageTest, PageThreshold, cholesky_factor, page_threshold

__all__ = ["AccountancyMonteCarlo", "McModel", "monte_carlo", "prepare", "run_chunk"]

TESTS: tuple[str, ...] = ("muf", "cumuf", "gemuf", "page")


@dataclass(frozen=True, kw_only=True, eq=False)
class McModel:
    """Everything a chunk needs (picklable, shipped once to each Dask worker).

    ``mean`` (K,): expected MUF (declared MUF + loss) [kg]; ``random_sqrt`` (K, K) with
    ``random_sqrt @ random_sqrt.T`` the random part of the covariance, or, for the records
    sampler, ``record_coef`` (K, J) and ``record_sd`` (J,); ``loadings`` (K, G) systematic;
    ``chol`` (K, K) lower Cholesky factor of the whole covariance; thresholds of the tests.
    """

    mean: np.ndarray
    random_sqrt: np.ndarray | None
    record_coef: np.ndarray | None
    record_sd: np.ndarray | None
    loadings: np.ndarray
    chol: np.ndarray
    sigma: np.ndarray
    sigma_cumuf: float
    muf_z: np.ndarray
    cumuf_z: float
    gemuf_h: float
    page: PageTest
    keep_sequences: bool = False


def _psd_sqrt(a: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(a)
    return v * np.sqrt(np.clip(w, 0.0, None))


def prepare(design: BalanceDesign, model: MeasurementModel, *, loss: LossPattern | None = None,
            alpha: float = 0.05, page: PageTest | PageThreshold | None = None,
            method: Literal["aggregated", "records"] = "aggregated",
            keep_sequences: bool = False, muf_alpha=None,
            baseline: Literal["declared", "zero"] = "declared") -> McModel:
    """The sampler of ``design`` under ``model`` (with its exact covariance) for
    :func:`run_chunk` (``muf_alpha``: false-alarm probability of the single-balance MUF test,
    default ``alpha``; ``baseline``: expected MUF without loss, the declared one or zero)."""
    if method not in ("aggregated", "records"):
        raise InputError("method", method, "'aggregated' or 'records'")
    cov = muf_covariance(design, model)
    k = design.periods.count
    if baseline not in ("declared", "zero"):
        raise InputError("baseline", baseline, "'declared' or 'zero'")
    mean = (design.muf() if baseline == "declared" else np.zeros(k)) + (
        np.zeros(k) if loss is None else _loss(loss, k))
    z = float(stats.norm.isf(alpha)) if 0 < alpha < 1 else _bad_alpha(alpha)
    muf_alpha = alpha if muf_alpha is None else muf_alpha
    muf_z = _muf_z(muf_alpha, k)
    test = _page(page, alpha, k)
    records = method == "records"
    e = error_structure(design, model) if records else None
    return McModel(
        mean=mean, random_sqrt=None if records else _psd_sqrt(cov.random),
        record_coef=design.coef * design.values if records else None,
        record_sd=np.sqrt(e.random_var) if e is not None else None,
        loadings=np.asarray(cov.systematic_loadings), chol=cholesky_factor(cov.matrix),
        sigma=cov.sigma_muf, sigma_cumuf=float(np.sqrt(cov.matrix.sum())), muf_z=muf_z,
        cumuf_z=z,
        gemuf_h=float(stats.chi2.isf(alpha, k)), page=test, keep_sequences=keep_sequences)


def _muf_z(muf_alpha, k: int) -> np.ndarray:
    """The single-balance thresholds [sigma-MUF], one per balance (one or K probabilities)."""
    a = np.broadcast_to(np.asarray(muf_alpha, float), (k,)) if np.ndim(muf_alpha) == 0 \
        or np.size(muf_alpha) == k else None
    if a is None or not np.all((a > 0) & (a < 1)):
        _bad_alpha(muf_alpha)
    return stats.norm.isf(a)


def _bad_alpha(alpha) -> float:
    raise InputError("alpha", alpha, "a probability strictly between 0 and 1")


def _loss(loss: LossPattern, k: int) -> np.ndarray:
    if not isinstance(loss, LossPattern) or loss.amounts_kg.size != k:
        raise InputError("loss", loss, f"a LossPattern over the {k} balances")
    return loss.amounts_kg


def _page(page, alpha: float, k: int) -> PageTest:
    if page is None:
        return page_threshold(alpha, k).test()
    if isinstance(page, PageThreshold):
        return page.test()
    if not isinstance(page, PageTest):
        raise InputError("page", type(page).__name__, "a PageTest or a PageThreshold")
    return page


def _draw_muf(mc: McModel, rng: np.random.Generator, size: int) -> np.ndarray:
    k = mc.mean.size
    if mc.record_coef is not None:
        assert mc.record_sd is not None
        r = rng.standard_normal((size, mc.record_sd.size)) * mc.record_sd
        muf = mc.mean + r @ mc.record_coef.T
    else:
        assert mc.random_sqrt is not None
        muf = mc.mean + rng.standard_normal((size, k)) @ mc.random_sqrt.T
    if mc.loadings.shape[1]:
        muf += rng.standard_normal((size, mc.loadings.shape[1])) @ mc.loadings.T
    return muf


def run_chunk(mc: McModel, seed: int, index: int, size: int) -> dict:
    """Draw and test chunk ``index`` of ``size`` iterations (the unit of work sent to Dask)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    muf = _draw_muf(mc, rng, size)
    sit = solve_triangular(mc.chol, muf.T, lower=True).T
    gem = np.cumsum(sit**2, axis=1)
    up, down = mc.page.statistics(sit)
    page_alarm = mc.page.alarms(sit)
    muf_alarm = muf > mc.muf_z * mc.sigma
    out = {
        "muf_first": _first(muf_alarm), "page_first": _first(page_alarm),
        "cumuf": muf.sum(axis=1) > mc.cumuf_z * mc.sigma_cumuf,
        "gemuf": gem[:, -1] > mc.gemuf_h,
        "muf_by_balance": muf_alarm.sum(axis=0), "page_by_balance": page_alarm.sum(axis=0),
    }
    if mc.keep_sequences:
        out.update(muf=muf, sitmuf=sit, gemuf_v1=gem, page_upper=up, page_lower=down)
    return out


def _first(alarms: np.ndarray) -> np.ndarray:
    return np.where(alarms.any(axis=1), alarms.argmax(axis=1), -1).astype(np.int32)


@dataclass(frozen=True, eq=False)
class AccountancyMonteCarlo:
    """Monte Carlo results.

    ``detection[test]``: fraction of iterations in which ``test`` alarmed within the horizon
    (false-alarm rate under no loss) with ``standard_error[test]`` (binomial);
    ``alarm_rate_by_balance[test]`` (K,): fraction alarming at each balance (``muf``, ``page``);
    ``first_alarm[test]`` (N,): first alarming balance or -1 (``muf``, ``page``);
    ``sequences``: per-iteration arrays (N, K) if kept (``muf``, ``sitmuf``, ``gemuf_v1``,
    ``page_upper``, ``page_lower``).
    """

    iterations: int
    seed: int
    chunk_size: int
    method: str
    backend: str
    loss: LossPattern | None
    page: PageTest
    detection: Mapping[str, float]
    standard_error: Mapping[str, float]
    alarm_rate_by_balance: Mapping[str, np.ndarray] = field(repr=False)
    first_alarm: Mapping[str, np.ndarray] = field(repr=False)
    sequences: Mapping[str, np.ndarray] = field(repr=False)

    def as_dict(self) -> dict:
        return {"iterations": self.iterations, "seed": self.seed, "chunk_size": self.chunk_size,
                "method": self.method, "backend": self.backend,
                "loss": None if self.loss is None else self.loss.name,
                "page": {"k": self.page.k, "h": self.page.h, "side": self.page.side},
                "detection": dict(self.detection), "standard_error": dict(self.standard_error),
                "alarm_rate_by_balance": {k: v.tolist()
                                          for k, v in self.alarm_rate_by_balance.items()}}


def _check(iterations, chunk_size):
    for name, v in (("iterations", iterations), ("chunk_size", chunk_size)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InputError(name, v, "a whole number >= 1")


def _collect(parts: list[dict], n: int, keep: bool) -> tuple[dict, dict, dict, dict, dict]:
    first = {t: np.concatenate([p[f"{t}_first"] for p in parts]) for t in ("muf", "page")}
    alarms = {"muf": first["muf"] >= 0, "page": first["page"] >= 0,
              "cumuf": np.concatenate([p["cumuf"] for p in parts]),
              "gemuf": np.concatenate([p["gemuf"] for p in parts])}
    detection = {t: float(alarms[t].mean()) for t in TESTS}
    se = {t: float(np.sqrt(p * (1 - p) / n)) for t, p in detection.items()}
    by_balance = {t: sum(p[f"{t}_by_balance"] for p in parts) / n for t in ("muf", "page")}
    seqs = ({s: np.concatenate([p[s] for p in parts])
             for s in ("muf", "sitmuf", "gemuf_v1", "page_upper", "page_lower")
             if parts[0][s] is not None} if keep else {})
    return detection, se, by_balance, first, seqs


def monte_carlo(area: MaterialBalanceArea | BalanceDesign, model: MeasurementModel,
                periods: BalancePeriods | None = None, quantity: Quantity = "U", *,
                loss: LossPattern | None = None, iterations: int = 10_000, seed: int = 0,
                chunk_size: int = 10_000, alpha: float = 0.05,
                page: PageTest | PageThreshold | None = None,
                method: Literal["aggregated", "records"] = "aggregated",
                keep_sequences: bool = False, address: str | None = None, client=None,
                progress: ProgressLike = None, muf_alpha=None,
                baseline: Literal["declared", "zero"] = "declared") -> AccountancyMonteCarlo:
    """Monte Carlo of MUF, SITMUF, Page and GEMUF with their alarms (module docstring).

    Parameters
    ----------
    area : MaterialBalanceArea or BalanceDesign
        The area (with ``periods`` and ``quantity``) or a prepared design.
    model : MeasurementModel
    loss : LossPattern, optional
        Loss per balance [kg]; none: false-alarm rates.
    iterations, seed, chunk_size : int
    alpha : float
        False-alarm probability of the MUF test (per balance), CUMUF and GEMUF (horizon).
    page : PageTest or PageThreshold, optional
        Default: upper side, k = 0.5, h calibrated (Markov chain) for ``alpha`` over K balances.
    method : {'aggregated', 'records'}
    keep_sequences : bool
        Return the per-iteration sequences.
    address, client
        A Dask scheduler address or ``distributed.Client``: run the chunks there.
    progress : Progress, optional
        One phase of iterations, advanced as each chunk finishes, locally or on Dask
        (:mod:`enrichwatch.parallel`). A plain callable ``progress(done, total)`` (the earlier
        interface) is called after each chunk with counts of chunks.
    muf_alpha : float or array_like (K,), optional
        False-alarm probability of the single-balance MUF test (default ``alpha``).
    baseline : {'declared', 'zero'}
        Expected MUF without loss: the declared values' MUF (they are the truth), or zero
        (the performance of the measurement system whatever the data showed; the closed forms
        of :mod:`.detection` assume this).
    """
    _check(iterations, chunk_size)
    if isinstance(area, BalanceDesign):
        design = area
    elif periods is None:
        raise InputError("periods", None, "the balance periods")
    else:
        design = balance_design(area, periods, quantity)
    mc = prepare(design, model, loss=loss, alpha=alpha, page=page, method=method,
                 keep_sequences=keep_sequences, muf_alpha=muf_alpha, baseline=baseline)
    parts, backend = run_chunks(run_chunk, mc, seed=seed, total=iterations,
                                chunk_size=chunk_size, address=address, client=client,
                                progress=progress, what="Monte Carlo iterations")
    detection, se, by_balance, first, seqs = _collect(parts, iterations, keep_sequences)
    return AccountancyMonteCarlo(iterations, seed, chunk_size, method, backend, loss, mc.page,
                                 detection, se, by_balance, first, seqs)


"""Steady state of any set of separating stages joined by streams (the engine under cascades
and networks).

The model (stated once, used everywhere):

* Each stage ``i`` takes a feed flow ``L_i`` [kg U/yr] and splits it at its **mass cut**
  ``theta_i`` into heads ``theta_i L_i`` and tails ``(1 - theta_i) L_i``. Cuts are inputs (the
  hydraulic design of the cascade), so the total flows solve one *linear* system
  ``(I - H diag(theta) - T diag(1 - theta)) L = b``, where ``H[d, s]`` (``T[d, s]``) is the
  fraction of the heads (tails) of stage ``s`` routed to stage ``d`` and ``b`` the external feeds.
* Separation: the heads and tails of a stage satisfy, for every isotope ``k``,
  ``(w^h_k / w^h_238) = gamma_ik (w^t_k / w^t_238)`` (mass-fraction ratios equal atom-fraction
  ratios up to a constant factor that cancels). Writing ``t_i = w^h_238 / w^t_238``, the share of
  isotope ``k`` that leaves in the heads is
  ``a_ik = theta_i gamma_ik t_i / (theta_i gamma_ik t_i + 1 - theta_i)``.
* For given ``t`` the component flows solve one linear system per isotope,
  ``(I - H diag(a_k) - T diag(1 - a_k)) N_k = b_k``; ``t`` is then fixed by requiring that each
  stage's heads carry the share ``theta_i`` of the stage's actual feed,
  ``sum_k (a_ik - theta_i) N_ik = 0`` (written without cancellation; see
  :func:`solve_compositions`). This is solved by Newton's method on ``u = ln t`` with the exact
  Jacobian, and the converged state is checked stage by stage.

Mass is conserved isotope by isotope by construction: every component flow solves a
conservation system exactly (to rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError

__all__ = [
    "StageGraph",
    "StageSolution",
    "flow_matrix",
    "solve_compositions",
    "solve_flows",
    "withdrawal_flows",
]

_NEWTON_TOL = 1e-13
_NEWTON_MAX_ITER = 60


@dataclass(frozen=True)
class StageGraph:
    """Routing of the stages' heads and tails.

    Attributes
    ----------
    heads_route, tails_route : ndarray, shape (S, S)
        ``[d, s]``: fraction of the heads (tails) of stage ``s`` fed to stage ``d``.
    heads_out, tails_out : ndarray, shape (W, S)
        ``[w, s]``: fraction of the heads (tails) of stage ``s`` leaving through withdrawal ``w``.
    """

    heads_route: np.ndarray
    tails_route: np.ndarray
    heads_out: np.ndarray
    tails_out: np.ndarray

    @property
    def n_stages(self) -> int:
        return self.heads_route.shape[0]


def flow_matrix(graph: StageGraph, cuts: np.ndarray) -> np.ndarray:
    """``I - H diag(theta) - T diag(1 - theta)``: the total-flow conservation matrix."""
    eye = np.eye(graph.n_stages)
    return eye - graph.heads_route * cuts[None, :] - graph.tails_route * (1.0 - cuts)[None, :]


def solve_flows(graph: StageGraph, cuts: np.ndarray, external: np.ndarray) -> np.ndarray:
    """Stage feed flows ``L`` [kg U/yr] for fixed cuts and external feeds ``b``."""
    return np.linalg.solve(flow_matrix(graph, cuts), external)


def withdrawal_flows(graph: StageGraph, cuts: np.ndarray, flows: np.ndarray) -> np.ndarray:
    """Total flow leaving through each withdrawal [kg U/yr]."""
    return graph.heads_out @ (cuts * flows) + graph.tails_out @ ((1.0 - cuts) * flows)


@dataclass(frozen=True)
class StageSolution:
    """Converged steady state of a stage graph (all arrays over stages ``S`` and isotopes ``K``).

    ``feed_components[i, k]`` is the mass flow of isotope ``k`` into stage ``i`` [kg/yr];
    ``heads_share[i, k]`` the share of it leaving in the heads.
    """

    cuts: np.ndarray
    flows: np.ndarray
    feed_components: np.ndarray
    heads_share: np.ndarray
    tails_share: np.ndarray
    iterations: int

    @property
    def heads_components(self) -> np.ndarray:
        return self.feed_components * self.heads_share

    @property
    def tails_components(self) -> np.ndarray:
        return self.feed_components * self.tails_share


def _split(cuts, gamma, u):
    """Shares of each isotope to the heads (a) and to the tails (b = 1 - a), and the split
    residual weight c = (a - theta) / (theta (1 - theta)), all without cancellation."""
    gt = gamma * np.exp(u)[:, None]
    theta = cuts[:, None]
    denom = theta * gt + (1.0 - theta)
    return theta * gt / denom, (1.0 - theta) / denom, (gt - 1.0) / denom, gt / denom**2


def _component_matrices(graph: StageGraph, heads_share, tails_share) -> np.ndarray:
    """Per-isotope conservation matrices, shape (K, S, S)."""
    eye = np.eye(graph.n_stages)[None]
    return (eye - graph.heads_route[None] * heads_share.T[:, None, :]
            - graph.tails_route[None] * tails_share.T[:, None, :])


def solve_compositions(graph: StageGraph, cuts: np.ndarray, flows: np.ndarray,
                       gamma: np.ndarray, external_components: np.ndarray,
                       where: str = "stages") -> StageSolution:
    """Newton solve of the stage compositions for fixed flows and stage factors.

    The unknowns are ``u_i = ln t_i``; the residual of stage ``i`` is
    ``sum_k c_ik N_ik / L_i`` with ``c_ik = (a_ik - theta_i) / (theta_i (1 - theta_i))``: it is
    zero when the heads carry exactly the share ``theta_i`` of the stage's *actual* feed. With
    the total-flow matrix non-singular (every stage drains to a withdrawal), that also makes
    each stage's feed equal ``L_i`` — even where tails or heads run round closed loops.

    Parameters
    ----------
    graph : StageGraph
    cuts, flows : ndarray, shape (S,)
        Mass cuts [1] and stage feed flows [kg U/yr] (from :func:`solve_flows`).
    gamma : ndarray, shape (S, K)
        Overall stage separation factor of each isotope relative to U-238 [1].
    external_components : ndarray, shape (S, K)
        External isotope mass inputs to each stage [kg/yr].
    where : str
        Name used in a :class:`~enrichwatch.errors.ConvergenceError`.
    """
    active = flows > 0.0
    scale = np.where(active, flows, 1.0)
    diff = graph.heads_route - graph.tails_route

    def evaluate(u):
        a, b, c, dc = _split(cuts, gamma, u)
        mats = _component_matrices(graph, a, b)
        try:
            comps = np.linalg.solve(mats, external_components.T[:, :, None])[:, :, 0].T
        except np.linalg.LinAlgError as err:
            raise ConvergenceError(where, f"singular stage balance ({err})") from None
        resid = np.where(active, (c * comps).sum(axis=1) / scale, 0.0)
        return (a, b, c, dc), mats, comps, resid, float(np.linalg.norm(resid))

    u = np.zeros(len(cuts))
    shares, mats, comps, resid, norm = evaluate(u)
    for iteration in range(1, _NEWTON_MAX_ITER + 1):
        if np.max(np.abs(resid)) < _NEWTON_TOL:
            return _checked(StageSolution(cuts, flows, comps, shares[0], shares[1], iteration),
                            where)
        jac = _jacobian(mats, shares, comps, diff, active, scale)
        try:
            step = np.linalg.solve(jac, -resid)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(jac, -resid, rcond=None)[0]
        step *= min(1.0, 4.0 / max(float(np.max(np.abs(step))), 1e-300))
        for _ in range(30):                       # backtracking line search on the residual
            trial = evaluate(u + step)
            if trial[4] < norm or trial[4] < _NEWTON_TOL:
                break
            step *= 0.5
        u = u + step
        shares, mats, comps, resid, norm = trial
    worst = int(np.argmax(np.abs(resid)))
    raise ConvergenceError(where, f"heads/cut mismatch {np.max(np.abs(resid)):.2e} at "
                                  f"stage {worst} after {_NEWTON_MAX_ITER} Newton iterations")


def _jacobian(mats, shares, comps, diff, active, scale):
    """d(residual_i)/d(u_j) (inactive stages pinned)."""
    a, b, c, dc = shares
    ap_n = a * b * comps                                           # dN enters via da/du = a b
    inv = np.linalg.inv(mats)                                      # (K, S, S)
    # dN_k/du = inv_k @ diff @ diag(ap_n[:, k]);  J = diag(sum_k dc N) + sum_k diag(c_k) dN_k/du
    dn = np.einsum("kij,jl->kil", inv, diff) * ap_n.T[:, None, :]   # (K, S, S)
    jac = (np.diag((dc * comps).sum(axis=1)) + np.einsum("ik,kij->ij", c, dn)) / scale[:, None]
    jac[~active] = 0.0
    jac[~active, ~active] = 1.0
    return jac


def _checked(sol: StageSolution, where: str) -> StageSolution:
    """Every active stage's feed must equal its flow and split at its cut (to 1e-9)."""
    total = sol.feed_components.sum(axis=1)
    heads = sol.heads_components.sum(axis=1)
    scale = np.maximum(sol.flows, 1e-300)
    bad = np.maximum(np.abs(total - sol.flows), np.abs(heads - sol.cuts * sol.flows)) / scale
    bad[sol.flows <= 0.0] = 0.0
    if np.max(bad) > 1e-9:
        raise ConvergenceError(where, f"stage balance closes only to {np.max(bad):.1e} at stage "
                                      f"{int(np.argmax(bad))}")
    return sol

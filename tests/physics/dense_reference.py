"""The dense stage solver as it was before issue 14 (kept here, not in src, as the reference
the sparse solver must reproduce to 1e-9).

Copied from ``src/enrichwatch/physics/steady_state.py`` and ``network.py`` at commit d044c43
(dense ``(S, S)`` routing, ``np.linalg.solve`` per isotope, the Jacobian from
``np.linalg.inv``); only the names and the inputs (dense matrices instead of a ``StageGraph``)
differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from enrichwatch.errors import ConvergenceError

_NEWTON_TOL = 1e-13
_NEWTON_MAX_ITER = 60


@dataclass(frozen=True)
class DenseGraph:
    """Dense routing: ``[d, s]`` fractions of stage ``s``'s heads (tails) into ``d``."""

    heads_route: np.ndarray
    tails_route: np.ndarray
    heads_out: np.ndarray
    tails_out: np.ndarray

    @property
    def n_stages(self) -> int:
        return self.heads_route.shape[0]


def dense_graph(cascades, links=()) -> tuple[DenseGraph, list[str]]:
    """The routing of a network of ``cascades`` (a sequence of FixedCascade) joined by
    ``links``, built densely as ``Network._build_graph`` did (withdrawal names in the same
    order)."""
    cascades = {c.name: c for c in cascades}
    offsets = dict(zip(cascades, np.cumsum([0] + [c.n_stages for c in cascades.values()])
                       .tolist(), strict=False))
    n = sum(c.n_stages for c in cascades.values())
    heads, tails = np.zeros((n, n)), np.zeros((n, n))
    remaining = {(name, out): 1.0 for name in cascades for out in ("product", "tails")}
    for name, c in cascades.items():
        idx = np.arange(offsets[name], offsets[name] + c.n_stages)
        heads[idx[1:], idx[:-1]] = 1.0
        tails[idx[:-1], idx[1:]] = 1.0

    def output_stage(name, output):
        return offsets[name] + (cascades[name].n_stages - 1 if output == "product" else 0)

    for link in links:
        target = cascades[link.target]
        stage = target.feed_stage if link.stage is None else link.stage
        (heads if link.output == "product" else tails)[offsets[link.target] + stage,
                                                        output_stage(link.source, link.output)] \
            += link.fraction
        remaining[(link.source, link.output)] -= link.fraction
    names = [f"{c}.{o}" for (c, o), r in remaining.items() if r > 1e-12]
    heads_out, tails_out = np.zeros((len(names), n)), np.zeros((len(names), n))
    for w, label in enumerate(names):
        c, o = label.rsplit(".", 1)
        (heads_out if o == "product" else tails_out)[w, output_stage(c, o)] = remaining[(c, o)]
    return DenseGraph(heads, tails, heads_out, tails_out), names


def stuck_cascades(cascades, links=()) -> list[str]:
    """Cascades with a stage that reaches no withdrawal, as ``Network._check_exits`` found
    them stage by stage on the dense routing."""
    g, _ = dense_graph(cascades, links)
    drains = (g.heads_out.sum(axis=0) + g.tails_out.sum(axis=0)) > 0
    adjacency = (g.heads_route + g.tails_route).T > 0          # [s, d]: s feeds d
    reach = drains.copy()
    while True:
        grown = reach | (adjacency & reach[None, :]).any(axis=1)
        if np.array_equal(grown, reach):
            break
        reach = grown
    owner = np.repeat([c.name for c in cascades], [c.n_stages for c in cascades])
    return sorted(set(owner[~reach].tolist()))


def flow_matrix(graph: DenseGraph, cuts: np.ndarray) -> np.ndarray:
    eye = np.eye(graph.n_stages)
    return eye - graph.heads_route * cuts[None, :] - graph.tails_route * (1.0 - cuts)[None, :]


def solve_flows(graph: DenseGraph, cuts: np.ndarray, external: np.ndarray) -> np.ndarray:
    return np.linalg.solve(flow_matrix(graph, cuts), external)


def _split(cuts, gamma, u):
    gt = gamma * np.exp(u)[:, None]
    theta = cuts[:, None]
    denom = theta * gt + (1.0 - theta)
    return theta * gt / denom, (1.0 - theta) / denom, (gt - 1.0) / denom, gt / denom**2


def _component_matrices(graph: DenseGraph, heads_share, tails_share) -> np.ndarray:
    eye = np.eye(graph.n_stages)[None]
    return (eye - graph.heads_route[None] * heads_share.T[:, None, :]
            - graph.tails_route[None] * tails_share.T[:, None, :])


def solve_compositions(graph: DenseGraph, cuts, flows, gamma, external_components):
    """Component flows (S, K), heads shares (S, K) and Newton iterations, as the dense solver
    computed them."""
    active = flows > 0.0
    scale = np.where(active, flows, 1.0)
    diff = graph.heads_route - graph.tails_route

    def evaluate(u):
        a, b, c, dc = _split(cuts, gamma, u)
        mats = _component_matrices(graph, a, b)
        comps = np.linalg.solve(mats, external_components.T[:, :, None])[:, :, 0].T
        resid = np.where(active, (c * comps).sum(axis=1) / scale, 0.0)
        return (a, b, c, dc), mats, comps, resid, float(np.linalg.norm(resid))

    u = np.zeros(len(cuts))
    shares, mats, comps, resid, norm = evaluate(u)
    for iteration in range(1, _NEWTON_MAX_ITER + 1):
        if np.max(np.abs(resid)) < _NEWTON_TOL:
            return comps, shares[0], iteration
        jac = _jacobian(mats, shares, comps, diff, active, scale)
        try:
            step = np.linalg.solve(jac, -resid)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(jac, -resid, rcond=None)[0]
        step *= min(1.0, 4.0 / max(float(np.max(np.abs(step))), 1e-300))
        for _ in range(30):
            trial = evaluate(u + step)
            if trial[4] < norm or trial[4] < _NEWTON_TOL:
                break
            step *= 0.5
        u = u + step
        shares, mats, comps, resid, norm = trial
    raise ConvergenceError("dense reference", "no convergence")


def _jacobian(mats, shares, comps, diff, active, scale):
    a, b, c, dc = shares
    ap_n = a * b * comps
    inv = np.linalg.inv(mats)
    dn = np.einsum("kij,jl->kil", inv, diff) * ap_n.T[:, None, :]
    jac = (np.diag((dc * comps).sum(axis=1)) + np.einsum("ik,kij->ij", c, dn)) / scale[:, None]
    jac[~active] = 0.0
    jac[~active, ~active] = 1.0
    return jac

"""Shared pieces of the transient tests: the reference vectors as operations, and a small
cascade to run checks on."""

import json
from pathlib import Path

import numpy as np

from enrichwatch.physics.transient import Operation, Routing, initial_state, stage_flows

VECTORS = {v["id"]: v for v in json.loads(
    (Path(__file__).parents[1] / "reference" / "transient_vectors.json").read_text())}


def vector(vid: str) -> dict:
    return VECTORS[vid]


def vector_operation(vid: str, closed_total: float | None = None) -> Operation:
    """The first segment of a vector as an operation (gamma and hold-ups as given)."""
    inp = vector(vid)["inputs"]
    seg = inp["segments"][0]
    routing = Routing.from_destinations(seg["heads_to"], seg["tails_to"])
    n = inp["stages"]
    cuts, gamma = np.array(seg["cuts"]), np.array(seg["gamma"])
    feed, u235 = np.zeros(n), np.zeros(n)
    for f in seg["external_feeds"]:
        feed[f["stage"]] += f["kgU_per_h"]
        u235[f["stage"]] += f["kgU_per_h"] * f["u235_wt_frac"]
    scale = None if closed_total is None else (lambda idx, v: closed_total / v.sum())
    sol = stage_flows(routing, cuts, feed, closed_scale=scale)
    return Operation(routing, cuts, sol.flows, feed, u235,
                     np.array(inp["holdup_kgU_per_stage"]), gamma=gamma,
                     closed_blocks=sol.closed_blocks)


def chain(n: int, feed_stage: int, *, cut: float = 0.5, gamma: float = 1.3,
          feed: float = 0.1, assay: float = 0.00711, holdup: float = 0.04,
          product: str = "product", tails: str = "tails") -> Operation:
    """A square binary cascade of ``n`` stages with fixed cuts (the shape of vector a)."""
    routing = Routing.from_destinations([*range(1, n), product], [tails, *range(n - 1)])
    cuts = np.full(n, cut)
    b = np.zeros(n)
    b[feed_stage] = feed
    flows = stage_flows(routing, cuts, b).flows
    return Operation(routing, cuts, flows, b, assay * b, np.full(n, holdup),
                     gamma=np.full(n, gamma))


def filled(op: Operation, assay: float) -> np.ndarray:
    """Initial state: every stage at ``assay``, nothing withdrawn."""
    return initial_state(op.holdup, np.full(op.routing.n_stages, assay),
                         len(op.routing.withdrawals))

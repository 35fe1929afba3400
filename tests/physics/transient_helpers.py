"""Shared pieces of the transient tests: the reference vectors as operations, and a small
cascade to run checks on."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from enrichwatch.composition import Assay, Composition
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network
from enrichwatch.physics.transient import (
    Configuration,
    FeedSetting,
    History,
    Operation,
    Routing,
    Segment,
    ValveSetting,
    initial_state,
    stage_flows,
)

_LEU = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
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


def fordow_like() -> dict[str, History]:
    """Two 166-machine IR-6 cascades (5 -> 20 %, 20 -> 50 %, B's tails back to A: the Fordow
    example plant's layout, 68 unknowns, so a dense Jacobian) run through the two histories
    the Fordow case states: a start-up with a feed ramp and the product withheld (stage
    factors following the ramped flows), and a feed stop at total reflux with an alternative
    closure, from the steady state."""
    ir6 = load_catalog().get("IR-6")
    w = Assay.from_weight_percent
    a = design_cascade(ir6, _LEU, w(20.0), w(2.5), total_machines=166, name="A")
    b = design_cascade(ir6, Composition.from_mass_percent({"U235": 20.0, "U238": 80.0}),
                       w(50.0), w(5.0), total_machines=166, name="B")
    feed = [ExternalFeed("feed", "A", _LEU, a.design.feed_kg_per_yr)]
    net = Network([a, b], [Link("A", "product", "B"), Link("B", "tails", "A")], feed)
    config = {"plant": Configuration.from_network("plant", net)}
    start = History("start-up", config,
                    (Segment("ramp", 12.0, "plant", withdrawals={"B.product": ValveSetting(0.0)},
                             ramp_h=6.0, ramp_from=0.0),
                     Segment("production", 40.0, "plant")), thresholds=(0.6, 0.837))
    change = History("cylinder change", config,
                     (Segment("production", 24.0, "plant"),
                      Segment("change", 26.0, "plant", {"feed": FeedSetting(on=False)},
                              {"B.product": ValveSetting(0.0), "A.tails": ValveSetting(0.0)},
                              "closed_throughput", alternatives=("closed_design",)),
                      Segment("resumed", 60.0, "plant")),
                     initial="steady", thresholds=(0.6, 0.837))
    return {"start-up": start, "cylinder change": change}


def built_runs(history: History, plan) -> list:
    """``(segments, y0)`` of each variant of ``plan`` on ``history`` (``build_operations``
    sharing one cache), as ``integrate`` takes them."""
    from enrichwatch.physics.transient.plant import build_operations

    cache: dict = {}
    out = []
    for v in plan:
        ops, y0 = build_operations(history, v, cache=cache)
        out.append(([(op, a, b) for op, (a, b) in zip(ops, history.times(), strict=True)],
                    y0))
    return out


def mixed_models(runs: list, segment: int, seed: int, inventory: list[bool],
                 ramp: list[bool]) -> tuple[list, list]:
    """Models of one ``segment`` of every run of :func:`built_runs`, some made
    inventory-driven or ramped, at random states near the start (``seed``)."""
    from enrichwatch.physics.transient.system import Model

    rng = np.random.default_rng(seed)
    models, states = [], []
    for (segs, y0), inv, ramped in zip(runs, inventory, ramp, strict=False):
        op, t0, _ = segs[segment]
        op = replace(op, inventory_driven=inv)
        if ramped and not inv:
            op = replace(op, ramp_h=3.0, ramp_from=0.2)
        models.append(Model(op, t0))
        states.append(y0 * rng.uniform(0.7, 1.3, y0.size))
    return models, states

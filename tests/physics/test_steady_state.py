"""Regressions from the independent review of the stage solver (2026-11-27).

Reference figures marked "independent solver" come from a separate implementation (Jacobi
relaxation plus a root polish on all stage balances, written without the project's solver) used
in that review; they agree with this solver to ~1e-13 on well-conditioned cases.
"""

from pathlib import Path

import numpy as np
import pytest

from enrichwatch.composition import Assay, Composition
from enrichwatch.errors import ConfigurationError, ConvergenceError, MassError
from enrichwatch.physics.cascade import FixedCascade, design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network

NAT = Composition.from_mass_percent({"U235": 0.711, "U238": 99.289})
IR6 = load_catalog().get("IR-6")
#: The IR-1 the review's figures were computed with (350 m/s rotor; see the file's header).
IR1 = load_catalog(Path(__file__).parent / "data" / "review-2026-11-ir1.toml").get("IR-1")
W = Assay.from_weight_percent


@pytest.fixture(scope="module")
def a_cascade():
    return design_cascade(IR1, NAT, W(4.0), W(0.3), feed_kg_per_yr=2000.0, name="A")


def _stage_consistency(cs):
    """Largest relative stage imbalance: feed = heads + tails, isotope by isotope."""
    flows = cs.stage_feed_kg_per_yr[:, None]
    heads = cs.cuts[:, None] * flows * cs.stage_heads
    tails = (1 - cs.cuts[:, None]) * flows * cs.stage_tails
    return np.max(np.abs(flows * cs.stage_feed - heads - tails) / flows)


def test_closed_tails_loop_on_itself(a_cascade):
    """Review B1: tails routed back into the cascade leave the product as the only exit."""
    feed = [ExternalFeed("f", "A", NAT, 2000.0)]
    state = Network([a_cascade], [Link("A", "tails", "A")], feed).solve()
    product = state.withdrawals["A.product"]
    assert product.rate_kg_per_yr == pytest.approx(2000.0, rel=1e-12)
    assert product.composition.fraction("U235") == pytest.approx(0.00711, rel=1e-10)
    assert _stage_consistency(state.cascades["A"]) < 1e-12


def test_tails_loop_between_two_cascades(a_cascade):
    """Review B1': A.tails -> B, B.tails -> A; independent solver: A.product 640.262 kg/yr at
    1.258611 %, B.product 1359.738 kg/yr at 0.453145 %."""
    b = design_cascade(IR1, Composition.from_mass_percent({"U235": 0.3, "U238": 99.7}),
                       W(0.711), W(0.15), feed_kg_per_yr=1800.0, name="B")
    state = Network([a_cascade, b], [Link("A", "tails", "B"), Link("B", "tails", "A")],
                    [ExternalFeed("f", "A", NAT, 2000.0)]).solve()
    a_out, b_out = state.withdrawals["A.product"], state.withdrawals["B.product"]
    assert a_out.rate_kg_per_yr == pytest.approx(640.262, abs=5e-4)
    assert a_out.assay.weight_percent == pytest.approx(1.258611, abs=5e-7)
    assert b_out.rate_kg_per_yr == pytest.approx(1359.738, abs=5e-4)
    assert b_out.assay.weight_percent == pytest.approx(0.453145, abs=5e-7)


def test_one_stage_tails_loop_is_consistent():
    """Review B1'': a one-stage cascade with its tails fed back into itself."""
    one = FixedCascade(IR6, (10,), 0, name="one")
    state = Network([one], [Link("one", "tails", "one")],
                    [ExternalFeed("f", "one", NAT, 100.0)]).solve()
    assert _stage_consistency(state.cascades["one"]) < 1e-12


@pytest.mark.parametrize("cut, tails_u235", [(0.99, 0.000502248), (0.995, 0.00050163),
                                             (0.999, 0.000501147)])
def test_cuts_close_to_one(cut, tails_u235):
    """Review B2: cuts near 1 (independent solver's tails assays, 6 significant digits)."""
    d = design_cascade(IR1, NAT, W(3.67), W(0.4), feed_kg_per_yr=1500.0)
    c = FixedCascade(IR1, d.machines_per_stage, d.feed_stage, (cut,) * d.n_stages, name="c")
    state = c.solve(NAT, 1500.0)
    assert state.tails.composition.fraction("U235") == pytest.approx(tails_u235, rel=2e-6)
    assert _stage_consistency(state) < 1e-10


def test_tiny_imposed_product_rate_is_honoured(a_cascade):
    """Review B3: no stage may be skipped for carrying a small flow."""
    state = a_cascade.solve(NAT, 2000.0, product_kg_per_yr=1e-12)
    assert state.product.rate_kg_per_yr == pytest.approx(1e-12, rel=1e-9)


def test_over_specified_withdrawal_rates(a_cascade):
    """Review B4: imposing every withdrawal over-specifies the network."""
    c = design_cascade(IR6, Composition.from_mass_percent({"U235": 4.0, "U238": 96.0}),
                       W(60.0), W(1.0), feed_kg_per_yr=150.0, name="C")
    net = Network([a_cascade, c], [Link("A", "product", "C", stage=c.n_stages // 2),
                                   Link("C", "tails", "A", stage=a_cascade.feed_stage + 3)],
                  [ExternalFeed("f", "A", NAT, 2000.0)])
    with pytest.raises(ConfigurationError, match="all but at least one"):
        net.solve({"C.product": 20.0, "A.tails": 1980.0})
    assert net.solve({"C.product": 20.0}).withdrawals["C.product"].rate_kg_per_yr == \
        pytest.approx(20.0, rel=1e-9)


def test_absurd_feed_rate_names_the_flow_per_machine(a_cascade):
    """Review B5: a flow so high that the machines no longer separate."""
    with pytest.raises(MassError, match="flow per machine"):
        a_cascade.solve(NAT, 2000.0 * 1e18)


def test_convergence_error_is_a_runtime_error():
    assert issubclass(ConvergenceError, RuntimeError)


def test_single_stage_relations_vector():
    """centrifuge-mbmore-stage-assays (tests/reference/stage_vectors.json): one stage with heads
    factor 1.4 at cut 0.5 fed at 0.7 %. The stage solver takes the overall factor
    gamma = R_heads / R_tails, so gamma is built from the heads factor and the stage balance;
    the solver must then give the vector's heads and tails assays. (The vector's third figure,
    mbmore's exp(N(alpha - 1)) approximation, is flagged by mbmore itself as valid only near
    alpha = 1 and is not a relation enrichwatch uses.)"""
    import json
    from pathlib import Path

    from enrichwatch.physics import steady_state as ss

    vec = json.loads((Path(__file__).parents[1] / "reference" / "stage_vectors.json")
                     .read_text())[0]
    i, e, tol = vec["inputs"], vec["expected"], vec["tolerance"]["abs"]
    ratio = i["x_feed"] / (1 - i["x_feed"])
    x_heads = i["alpha"] * ratio / (1 + i["alpha"] * ratio)
    x_tails = (i["x_feed"] - i["cut"] * x_heads) / (1 - i["cut"])
    gamma = (x_heads / (1 - x_heads)) / (x_tails / (1 - x_tails))
    graph = ss.StageGraph(np.zeros((1, 1)), np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1)))
    cuts = np.array([i["cut"]])
    flows = ss.solve_flows(graph, cuts, np.array([1.0]))
    # mass fractions of a U-235/U-238 mixture; the separation relation holds for mass ratios
    sol = ss.solve_compositions(graph, cuts, flows, np.array([[gamma, 1.0]]),
                                np.array([[i["x_feed"], 1 - i["x_feed"]]]))
    heads = sol.heads_components[0] / sol.heads_components[0].sum()
    tails = sol.tails_components[0] / sol.tails_components[0].sum()
    assert heads[0] == pytest.approx(e["product_assay"], abs=tol)
    assert tails[0] == pytest.approx(e["stage_tail_assay_cut0.5"], abs=tol)


def test_a_batch_member_whose_newton_system_overflows_is_left_to_its_solve_alone(
        monkeypatch):
    """A stage with a flow of 1e-310 kg U/yr and finite shares and component flows: its row of
    the Newton system (the share weights over the flow) overflows. Alone the solve gives up on
    that; in a batch the member must not be stepped with that system (LAPACK can return a
    finite step from it, and the member would go on where alone it stops): it gets None, to
    be solved alone, and the other member is its own solve bit for bit."""
    from enrichwatch.physics import steady_state as ss
    from enrichwatch.physics.sparse_systems import SparsePattern

    up = np.diag(np.ones(2), -1)
    product, tails = np.zeros((2, 3)), np.zeros((2, 3))
    product[0, 2] = tails[1, 0] = 1.0

    def graph():
        return ss.StageGraph(up, up.T, product, tails)

    cuts, flows = np.array([0.5, 1e-3, 0.5]), np.array([1.0, 2.0, 1e-310])
    gamma = np.array([[1.3, 1.0]] * 3)
    feed = np.array([[0.0, 0.0], [0.00711, 0.99289], [0.0, 0.0]])
    with pytest.raises(ConvergenceError, match="the Newton system overflows"):
        ss.solve_compositions(graph(), cuts, flows, gamma, feed)
    batch = ss.batch_graph((graph(), graph()), 2)
    newton, solve_blocks, stepped = batch.graph.systems(2).newton, SparsePattern.solve_blocks, []

    def recorded(pattern, values, rhs, blocks):
        if pattern is newton:
            stepped.extend(start for start, *_ in blocks)
        return solve_blocks(pattern, values, rhs, blocks)

    monkeypatch.setattr(SparsePattern, "solve_blocks", recorded)
    halves, healthy = np.full(3, 0.5), np.array([1.0, 2.0, 1.0])    # fed 1 kg U/yr at 1
    found = ss.solve_compositions_batch(batch, np.concatenate([cuts, halves]),
                                        np.concatenate([flows, healthy]),
                                        np.tile(gamma, (2, 1)), np.tile(feed, (2, 1)),
                                        np.zeros(6))
    assert found[0] is None and 0 not in stepped and stepped
    alone = ss.solve_compositions(graph(), halves, healthy, gamma, feed)
    assert found[1].feed_components.tobytes() == alone.feed_components.tobytes()
    assert found[1].log_ratio.tobytes() == alone.log_ratio.tobytes()

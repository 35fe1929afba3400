"""Issue 14: the sparse stage solver gives what the dense one gave (to 1e-9), on random
networks, and runs its solves with BLAS on one thread.

The dense reference is the solver as it was before (``tests/physics/dense_reference.py``).
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_info, threadpool_limits

from enrichwatch.composition import Composition
from enrichwatch.errors import ConfigurationError
from enrichwatch.physics import steady_state as ss
from enrichwatch.physics.cascade import FixedCascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network
from enrichwatch.physics.sparse_systems import SparsePattern
from tests.physics import dense_reference as ref

IR6 = load_catalog().get("IR-6")
ISOTOPES = {"U234": 0.0054, "U235": 0.711, "U236": 0.002, "U238": 99.2816}
#: Agreement demanded of the sparse solver with the dense one (issue 14), relative to the
#: stage flow for component flows.
RTOL = 1e-9


@st.composite
def random_parts(draw):
    """1-5 cascades of 1-12 stages, random cuts, links anywhere (loops allowed), 1-3 feeds or
    one into every cascade."""
    n = draw(st.integers(1, 5))
    cascades = []
    for i in range(n):
        counts = draw(st.lists(st.integers(1, 40), min_size=1, max_size=12))
        cuts = draw(st.lists(st.floats(0.25, 0.75), min_size=len(counts),
                             max_size=len(counts)))
        cascades.append(FixedCascade(IR6, tuple(counts), draw(st.integers(0, len(counts) - 1)),
                                     tuple(cuts), name=f"C{i}"))
    links, left = [], {}
    for _ in range(draw(st.integers(0, 2 * n))):
        source, target = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        output = draw(st.sampled_from(["product", "tails"]))
        share = left.get((source, output), 1.0)
        fraction = share if draw(st.booleans()) else share * draw(st.floats(0.1, 0.9))
        if fraction < 1e-3:
            continue
        left[(source, output)] = share - fraction
        stage = draw(st.none() | st.integers(0, cascades[target].n_stages - 1))
        links.append(Link(f"C{source}", output, f"C{target}", stage, fraction))
    isotopes = draw(st.sampled_from([("U235", "U238"), ("U234", "U235", "U238"),
                                     tuple(ISOTOPES)]))
    feeds = []
    feed_all = draw(st.booleans())            # else some cascades may have no flow at all
    for k in range(n if feed_all else draw(st.integers(1, 3))):
        pct = {iso: ISOTOPES[iso] * draw(st.floats(0.5, 5.0)) for iso in isotopes[:-1]}
        pct[isotopes[-1]] = 100.0 - sum(pct.values())
        target = k if feed_all else draw(st.integers(0, n - 1))
        feeds.append(ExternalFeed(f"f{k}", f"C{target}", Composition.from_mass_percent(pct),
                                  draw(st.floats(0.2, 3.0)) * 20 * IR6.design_feed_kg_per_yr,
                                  draw(st.none() | st.integers(0,
                                                               cascades[target].n_stages - 1))))
    return cascades, links, feeds


@st.composite
def random_networks(draw):
    """Networks of :func:`random_parts` (those with a loop without an exit left out)."""
    try:
        return Network(*draw(random_parts()))
    except ConfigurationError:
        assume(False)


def _inputs(net: Network):
    """Cuts, external totals and isotope flows (S, K), and the isotopes of ``net``."""
    isotopes = net.isotopes()
    n = net.graph.n_stages
    offsets = np.cumsum([0] + [c.n_stages for c in net.cascades.values()])
    start = dict(zip(net.cascades, offsets[:-1].tolist(), strict=True))
    total, comps = np.zeros(n), np.zeros((n, len(isotopes)))
    for f in net.feeds:
        c = net.cascades[f.target]
        s = start[f.target] + (c.feed_stage if f.stage is None else f.stage)
        total[s] += f.rate_kg_per_yr
        comps[s] += f.rate_kg_per_yr * np.array([f.composition.fraction(i) for i in isotopes])
    cuts = np.concatenate([c.stage_cuts for c in net.cascades.values()])
    return cuts, total, comps, isotopes, start


@settings(max_examples=60, deadline=None)
@given(random_networks())
def test_routing_is_the_dense_routing(net):
    dense, names = ref.dense_graph(net.cascades.values(), net.links)
    g = net.graph
    assert list(net.withdrawal_names) == names
    for attr in ("heads_route", "tails_route", "heads_out", "tails_out"):
        np.testing.assert_array_equal(getattr(g, attr).toarray(), getattr(dense, attr), attr)


@settings(max_examples=60, deadline=None)
@given(random_networks())
def test_sparse_solver_matches_the_dense_solver(net):
    """Flows, every stage's isotope flows and the withdrawals agree to 1e-9 with the dense
    solver, for the same cuts and stage factors."""
    dense, _ = ref.dense_graph(net.cascades.values(), net.links)
    cuts, total, comps, isotopes, start = _inputs(net)
    flows = ss.solve_flows(net.graph, cuts, total)
    np.testing.assert_allclose(flows, ref.solve_flows(dense, cuts, total), rtol=RTOL,
                               atol=RTOL * total.sum())
    flows = np.maximum(flows, 0.0)
    gamma = np.concatenate([c.stage_factors(isotopes, flows[start[name]:start[name] + c.n_stages],
                                            cuts[start[name]:start[name] + c.n_stages])
                            for name, c in net.cascades.items()])
    sol = ss.solve_compositions(net.graph, cuts, flows, gamma, comps)
    want, heads_share, _ = ref.solve_compositions(dense, cuts, flows, gamma, comps)
    # relative to the stage's flow; in stages without flow (a cascade nothing reaches) the
    # dense solver left round-off (~1e-11 kg/yr), the sparse one exact zeros: there relative to
    # the total feed
    stage = np.where(flows > 0.0, flows, total.sum())[:, None]
    np.testing.assert_allclose(sol.feed_components / stage, want / stage, rtol=0, atol=RTOL)
    np.testing.assert_allclose(sol.heads_share, heads_share, rtol=RTOL, atol=RTOL)
    state = net.solve()
    out = dense.heads_out @ (want * heads_share) + dense.tails_out @ (want * (1 - heads_share))
    for w, name in enumerate(net.withdrawal_names):
        got = np.array([state.withdrawals[name].isotope_kg_per_yr[i] for i in isotopes])
        np.testing.assert_allclose(got, out[w], rtol=RTOL, atol=RTOL * total.sum())


@settings(max_examples=100, deadline=None)
@given(random_parts())
def test_loops_without_exit_are_found_as_stage_by_stage(parts):
    """The exit check walks cascades and links; it refuses exactly the networks in which the
    old stage-by-stage walk found a stage that reaches no withdrawal, naming the same
    cascades."""
    cascades, links, feeds = parts
    stuck = ref.stuck_cascades(cascades, links)
    if not stuck:
        Network(cascades, links, feeds)
        return
    with pytest.raises(ConfigurationError, match="exit") as err:
        Network(cascades, links, feeds)
    assert err.value.value == " -> ".join(stuck)


def _network_with_recycle():
    a = FixedCascade(IR6, (8, 12, 16, 12, 8, 4), 2, name="A")
    b = FixedCascade(IR6, (4, 6, 4, 2), 1, name="B")
    feed = Composition.from_mass_percent({"U234": 0.04, "U235": 4.5, "U238": 95.46})
    return Network([a, b], [Link("A", "product", "B"), Link("B", "tails", "A", stage=4)],
                   [ExternalFeed("f", "A", feed, 40 * IR6.design_feed_kg_per_yr)])


def test_singular_newton_system_falls_back_to_least_squares(monkeypatch):
    """If the bordered Newton system were exactly singular, the step is the least-squares
    one of the (dense) Jacobian, as before; on a regular network both give the same state."""
    net = _network_with_recycle()
    expected = net.solve()
    n_newton = net.graph.n_stages * (len(net.isotopes()) + 1)
    solve = SparsePattern.solve
    calls = []

    def singular_newton(self, values, rhs):
        if self.size == n_newton:
            calls.append(self.size)
            raise np.linalg.LinAlgError("singular matrix")
        return solve(self, values, rhs)

    monkeypatch.setattr(SparsePattern, "solve", singular_newton)
    state = net.solve()
    assert calls
    for name, stream in expected.withdrawals.items():
        assert state.withdrawals[name].rate_kg_per_yr == pytest.approx(stream.rate_kg_per_yr,
                                                                       rel=RTOL)
        np.testing.assert_allclose(state.withdrawals[name].composition.mass_fractions,
                                   stream.composition.mass_fractions, rtol=RTOL)


def test_graph_from_matrices_equals_graph_from_streams():
    net = _network_with_recycle()
    g = net.graph
    again = ss.StageGraph(g.heads_route.toarray(), g.tails_route.toarray(), g.heads_out,
                          g.tails_out.toarray())
    for attr in ("dst", "src", "heads", "tails"):
        np.testing.assert_array_equal(getattr(again.routes, attr), getattr(g.routes, attr))
        np.testing.assert_array_equal(getattr(again.exits, attr), getattr(g.exits, attr))
    dense, _ = ref.dense_graph(net.cascades.values(), net.links)
    cuts = _inputs(net)[0]
    np.testing.assert_array_equal(ss.flow_matrix(g, cuts).toarray(), ref.flow_matrix(dense, cuts))


def _star(spokes: int, stages: int) -> Network:
    """A hub cascade whose tails feed ``spokes`` cascades, each returning its product to the
    hub's feed stage: every spoke touches the hub, so no numbering makes the systems narrow."""
    hub = FixedCascade(IR6, (4,) * 10, 5, name="H")
    spoke = [FixedCascade(IR6, (4,) * stages, 0, name=f"S{i}") for i in range(spokes)]
    links = ([Link("H", "tails", f"S{i}", fraction=1.0 / spokes) for i in range(spokes)]
             + [Link(f"S{i}", "product", "H") for i in range(spokes)])
    return Network([hub, *spoke], links, [ExternalFeed("f", "H", Composition.from_mass_percent(
        {"U235": 0.711, "U238": 99.289}), 100.0)])


def test_a_cascade_is_banded_and_a_network_with_far_links_is_not():
    """The cheap banded path serves cascades; a loop from the tails end to the middle makes the
    systems wide as numbered, but narrow once renumbered (reverse Cuthill-McKee): the banded
    path serves it too. A star of cascades round one stage is wide in any numbering: SuperLU
    (dense LU when tiny) serves it."""
    cascade = FixedCascade(IR6, (4,) * 60, 30, name="C")
    alone = Network([cascade], feeds=[ExternalFeed("f", "C", Composition.from_mass_percent(
        {"U235": 0.711, "U238": 99.289}), 100.0)])
    assert alone.graph.flow_pattern.banded
    assert alone.graph.systems(2).components.banded and alone.graph.systems(2).newton.banded
    assert alone.graph.systems(2).newton.order is None          # narrow as numbered
    loop = Network([cascade], [Link("C", "tails", "C")], alone.feeds)
    newton = loop.graph.systems(2).newton
    assert newton.banded and newton.order is not None and newton.lower <= 3 * 3
    assert sorted(newton.order.tolist()) == list(range(newton.size))
    assert _star(16, 3).graph.systems(2).newton.method == "superlu"
    assert _star(12, 1).graph.systems(2).newton.method == "dense"


@pytest.mark.parametrize("make", [_network_with_recycle, lambda: _star(12, 1),
                                  lambda: _star(16, 3)])
def test_banded_dense_and_superlu_paths_give_the_same_state(make, monkeypatch):
    """The stage systems solved by each path (banded after renumbering, dense LU, SuperLU)
    give the same flows and stage compositions, to rounding."""
    net = make()
    cuts, total, comps, isotopes, start = _inputs(net)
    g = net.graph
    results = {}
    build = SparsePattern.from_entries.__func__
    for method in ("banded", "dense", "superlu"):
        monkeypatch.setattr(SparsePattern, "from_entries", classmethod(
            lambda cls, rows, cols, size, reorder=False, method=method:
            build(cls, rows, cols, size, reorder=reorder, method=method)))
        fresh = ss.StageGraph.from_streams(g.n_stages, g.n_withdrawals, g.routes, g.exits)
        assert fresh.flow_pattern.method == method
        flows = np.maximum(ss.solve_flows(fresh, cuts, total), 0.0)
        gamma = net._stage_factors(isotopes, cuts, flows)
        sol = ss.solve_compositions(fresh, cuts, flows, gamma, comps)
        assert fresh.systems(len(isotopes)).newton.method == method
        results[method] = flows, sol.feed_components
    flows, feed = results["superlu"]
    for method in ("banded", "dense"):
        np.testing.assert_allclose(results[method][0], flows, rtol=1e-12, atol=1e-12 * flows.max())
        np.testing.assert_allclose(results[method][1], feed, rtol=1e-10, atol=1e-12 * flows.max())


def _blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_solves_run_blas_on_one_thread_and_restore_it(monkeypatch):
    net = _network_with_recycle()
    seen = []
    solve = SparsePattern.solve

    def spy(self, values, rhs):
        seen.append(_blas_threads())
        return solve(self, values, rhs)

    monkeypatch.setattr(SparsePattern, "solve", spy)
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        net.solve({"B.product": 1.0})               # cut shifts, flows, compositions
        assert _blas_threads() == before
    assert before and max(before) == 2, "test needs a BLAS that can run two threads"
    assert seen and all(threads == [1] * len(threads) for threads in seen)


def test_direct_composition_solve_runs_blas_on_one_thread(monkeypatch):
    net = _network_with_recycle()
    cuts, total, comps, isotopes, start = _inputs(net)
    flows = ss.solve_flows(net.graph, cuts, total)
    gamma = np.concatenate([c.stage_factors(isotopes, flows[start[n]:start[n] + c.n_stages],
                                            cuts[start[n]:start[n] + c.n_stages])
                            for n, c in net.cascades.items()])
    seen = []
    solve = SparsePattern.solve
    monkeypatch.setattr(SparsePattern, "solve",
                        lambda self, v, r: seen.append(_blas_threads()) or solve(self, v, r))
    with threadpool_limits(limits=2, user_api="blas"):
        ss.solve_compositions(net.graph, cuts, flows, gamma, comps)
    assert seen and all(threads == [1] * len(threads) for threads in seen)

"""The shortcuts of the batched network solves (issue 14) give what the plain numpy and the
readers they replace give, bit for bit: row sums over the isotopes, the withdrawals of
converged members, their stage-balance checks on their own stages, the members' Newton starts,
isotope balance figures and stage factors taken at once, a curve's U-235 fraction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from enrichwatch.composition import Composition
from enrichwatch.errors import ConvergenceError
from enrichwatch.facility import load_facility
from enrichwatch.physics import capability
from enrichwatch.physics import network_batch as nw
from enrichwatch.physics import steady_state as ss
from enrichwatch.physics.network import Network
from enrichwatch.physics.variants import settings as variant_settings
from enrichwatch.physics.variants import vary

ROOT = Path(__file__).parents[2] / "examples" / "fordow-2023"

_FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)


@pytest.fixture(scope="module")
def fordow() -> list[Network]:
    net = load_facility(ROOT / "observed.toml").to_network()
    return [vary(net, s) for s in variant_settings(net)]


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 10)),
                  elements=_FLOATS | st.sampled_from([0.0, -0.0, 1e300, -1e300, 1e-300])),
       st.booleans())
@settings(max_examples=200, deadline=None)
def test_row_sums_are_numpys_sums(x, fortran):
    x = np.asfortranarray(x) if fortran else x
    with np.errstate(over="ignore", invalid="ignore"):
        expected, found = x.sum(axis=1), ss._row_sums(x)
    assert found.tobytes() == expected.tobytes()      # bit for bit, signs of zero too


def test_row_sums_of_other_shapes_are_numpys():
    for x in (np.ones((3, 0)), np.arange(24.0).reshape(2, 3, 4)):
        assert np.array_equal(ss._row_sums(x), x.sum(axis=1))


def _union(fordow, count):
    graphs = tuple(n.graph for n in fordow[:count])
    batch = ss.batch_graph(graphs, 3)
    assert batch is not None
    return batch


@given(st.integers(1, 9), st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_withdrawals_from_the_exit_stages_are_withdrawn(fordow, count, seed):
    batch = _union(fordow, count)
    rng = np.random.default_rng(seed)
    n = batch.graph.n_stages
    comps = rng.lognormal(0.0, 3.0, (n, 3))
    heads = rng.random((n, 3))
    tails = 1.0 - heads
    expected = ss.withdrawn(batch.graph, comps * heads, comps * tails)
    found = ss._withdrawn_shares(batch.graph, comps, heads, tails)
    assert found.tobytes() == expected.tobytes()


@given(st.integers(1, 9), st.integers(0, 2**32 - 1), st.data())
@settings(max_examples=25, deadline=None)
def test_a_members_balance_check_on_its_own_stages_is_the_whole(fordow, count, seed, data):
    batch = _union(fordow, count)
    rng = np.random.default_rng(seed)
    n = batch.graph.n_stages
    comps = rng.lognormal(0.0, 1.0, (n, 3))
    heads = rng.random((n, 3))
    flows = comps.sum(axis=1) * (1.0 + rng.normal(0.0, 1e-9, n))
    flows[rng.random(n) < 0.1] = 0.0
    cuts = rng.random(n)
    whole = ss._worst_balance(comps, heads, flows, cuts, batch.stages[:-1])
    members = np.array(sorted(data.draw(st.sets(st.integers(0, count - 1), min_size=1))))
    rows = np.isin(batch.member, members)
    sizes = np.diff(batch.stages)[members]
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    part = ss._worst_balance(comps[rows], heads[rows], flows[rows], cuts[rows], firsts)
    assert part.tobytes() == whole[members].tobytes()


def test_the_starts_at_once_are_each_members_start():
    rng = np.random.default_rng(3)
    starts = [rng.normal(size=4), None, np.array([1.0, np.nan, 2.0]), rng.normal(size=2),
              np.arange(3, dtype=np.int64), rng.normal(size=7)]
    sizes = [4, 5, 3, 3, 3, 2]
    expected = np.concatenate([ss._start(s, n) for s, n in zip(starts, sizes, strict=True)])
    assert nw._starts(starts, sizes).tobytes() == expected.tobytes()


def test_the_balances_at_once_are_each_states(fordow):
    """The batch's isotope balance figures are those each state finds on its own, and a
    member whose balance does not close fails as its state does."""
    requests = [(net, None, None) for net in fordow[:4]]
    batched = nw._solve_together(requests)
    for (net, _, _), state in zip(requests, batched, strict=True):
        alone = net.solve()
        assert state.withdrawals.keys() == alone.withdrawals.keys()
        for name in alone.withdrawals:
            assert state.withdrawals[name].isotope_kg_per_yr == \
                alone.withdrawals[name].isotope_kg_per_yr
    rng = np.random.default_rng(5)
    kept, solutions = [], []
    for net in fordow[:3]:
        external, comps, feeds = net._external(net.isotopes())
        kept.append(nw._Member(net, {}, None, net.isotopes(), external, comps, feeds))
        flows = rng.lognormal(0.0, 1.0, (len(net.withdrawal_names), 3))
        solutions.append(ss.StageSolution(*[np.zeros(1)] * 5, 1, None, flows))
    solutions.append(None)
    kept.append(kept[0])
    found = nw._balances(kept, solutions)
    for member, sol, worst in zip(kept[:3], solutions[:3], found[:3], strict=True):
        inflow = member.network._inflow(member.feeds)
        outflow = np.maximum(sol.withdrawals, 0.0).sum(axis=0)
        assert worst == float(np.max(np.abs((inflow - outflow)
                                            / np.maximum(inflow, 1e-300))))
        with pytest.raises(ConvergenceError, match="isotope balance"):
            member.network._state(member.isotopes, sol, {}, member.feeds, {}, worst=worst)
    assert found[3] is None


def test_stage_factors_gathered_from_the_union_are_each_members(fordow):
    """Each machine's stages gathered from the union's arrays (members left out in between)
    give the factors each member's own arrays give, bit for bit; a member whose machine no
    longer separates gets None either way."""
    nets = fordow[:5]
    cuts, flows = [], []
    for net in nets:
        c = net._design_cut_array.copy()
        cuts.append(c)
        flows.append(ss.solve_flows(net.graph, c, net._external(net.isotopes())[0]))
    flows[3] = np.full_like(flows[3], np.nan)      # no factor there
    firsts = np.cumsum([0] + [len(c) for c in cuts])
    union = (np.concatenate(cuts), np.concatenate(flows))
    chosen = [0, 2, 3, 4]
    items = [(nets[k], cuts[k], flows[k]) for k in chosen]
    alone = nw._factors_235_many(items)
    gathered = nw._factors_235_many(items, union=(*union, [int(firsts[k]) for k in chosen]))
    assert [a is None for a in alone] == [g is None for g in gathered] == [False, False, True,
                                                                          False]
    for a, g in zip(alone, gathered, strict=True):
        if a is not None:
            for (law_a, stages_a, gamma_a), (law_g, stages_g, gamma_g) in zip(a, g,
                                                                              strict=True):
                assert law_a is law_g and stages_a is stages_g
                assert gamma_a.tobytes() == gamma_g.tobytes()


@given(st.dictionaries(st.sampled_from(["U234", "U235", "U236", "U238"]),
                       st.floats(1e-9, 1.0), min_size=1))
@settings(max_examples=100, deadline=None)
def test_a_curves_assay_is_the_compositions_u235_fraction(amounts):
    if "U235" not in amounts and "U238" not in amounts:
        amounts["U238"] = 1.0
    composition = Composition.from_mass_fractions(amounts, normalize=True)
    assert capability._u235(composition) == composition.fraction("U235")


@given(st.lists(st.integers(1, 300), min_size=1, max_size=6), st.integers(0, 2**32 - 1))
@settings(max_examples=100, deadline=None)
def test_a_members_norm_in_the_union_is_its_norm_alone(sizes, seed):
    """The batch's residual norm of each member is the norm its solve alone takes, bit for
    bit, wherever its stages start in the union (a line search compares these norms)."""
    rng = np.random.default_rng(seed)
    resid = rng.lognormal(0.0, 5.0, sum(sizes)) * rng.choice([-1.0, 1.0], sum(sizes))
    first = np.cumsum([0] + sizes[:-1])
    found = ss._norms(resid, first)
    for k, (start, size) in enumerate(zip(first.tolist(), sizes, strict=True)):
        assert found[k] == ss._norm(resid[start:start + size].copy())

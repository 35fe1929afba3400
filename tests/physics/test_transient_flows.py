"""Stage flows of the flow closures (physics.transient.system.stage_flows): small plants are
solved with dense arrays, large ones with sparse matrices; both give the same groups, closed
blocks, stuck and dry stages, and flows equal to rounding."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from enrichwatch.physics.transient import Routing, stage_flows
from enrichwatch.physics.transient.system import _groups_dense, _groups_sparse
from tests.physics.transient_helpers import fordow_like


def _routing(n: int, heads: list, tails: list) -> Routing:
    return Routing.from_destinations(heads, tails)


@st.composite
def plants(draw):
    """Random routings: each stage sends heads and tails to a stage or a withdrawal (so some
    groups drain, some are closed loops, some stages are stuck)."""
    n = draw(st.integers(1, 14))
    dest = st.one_of(st.integers(0, n - 1), st.sampled_from(["product", "tails"]))
    heads = draw(st.lists(dest, min_size=n, max_size=n))
    tails = draw(st.lists(dest, min_size=n, max_size=n))
    cuts = np.array(draw(st.lists(st.floats(0.2, 0.8), min_size=n, max_size=n)))
    feed = np.array(draw(st.lists(st.sampled_from([0.0, 0.0, 1.0, 0.3]), min_size=n,
                                  max_size=n)))
    return _routing(n, heads, tails), cuts, feed


@settings(max_examples=150, deadline=None)
@given(plants())
def test_dense_groups_are_the_sparse_groups(plant):
    routing, cuts, _ = plant
    dense, sparse_ = _groups_dense(routing, cuts), _groups_sparse(routing, cuts)
    np.testing.assert_array_equal(dense[0], sparse_[0].toarray())
    np.testing.assert_array_equal(dense[1], sparse_[1])
    np.testing.assert_array_equal(dense[2], sparse_[2])


@settings(max_examples=150, deadline=None)
@given(plants(), st.booleans())
def test_dense_and_sparse_flows_agree(plant, scaled):
    routing, cuts, feed = plant
    scale = (lambda idx, v: 2.0 / v.sum()) if scaled else None
    try:
        dense = stage_flows(routing, cuts, feed, closed_scale=scale)
    except Exception as err:        # the same refusal either way
        with pytest.raises(type(err)):
            _sparse_flows(routing, cuts, feed, scale)
        return
    other = _sparse_flows(routing, cuts, feed, scale)
    np.testing.assert_allclose(dense.flows, other.flows, rtol=1e-10,
                               atol=1e-12 * max(1.0, np.abs(other.flows).max(initial=0.0)))
    assert [b.tolist() for b in dense.closed_blocks] == [b.tolist() for b in other.closed_blocks]
    np.testing.assert_array_equal(dense.stuck, other.stuck)
    np.testing.assert_array_equal(dense.dry, other.dry)


def _sparse_flows(routing, cuts, feed, scale):
    """stage_flows through the sparse path (as for a plant above the dense size)."""
    import enrichwatch.physics.transient.system as system

    saved = system._DENSE_RHS
    system._DENSE_RHS = 0
    try:
        return stage_flows(routing, cuts, feed, closed_scale=scale)
    finally:
        system._DENSE_RHS = saved


def test_labels_number_groups_as_scipy_does():
    """Groups numbered in the order of their first stage: the order of the closed blocks."""
    routing = _routing(6, [1, "p", 3, 2, 5, 4], [0, 0, 2, 3, 4, 5])
    _, labels, _ = _groups_dense(routing, np.full(6, 0.5))
    _, want = connected_components(routing.heads_route + routing.tails_route
                                   + sparse.identity(6), directed=False)
    np.testing.assert_array_equal(labels, want)
    assert labels.tolist() == [0, 0, 1, 1, 2, 2]


def test_fordow_plant_flows_by_both_paths():
    """The Fordow-like plant of the transient tests in production and with its valves closed
    and feed off (the two linked cascades one closed block at total reflux)."""
    history = fordow_like()["cylinder change"]
    from enrichwatch.physics.transient import Variant
    from enrichwatch.physics.transient.plant import _Builder

    builder = _Builder(history, Variant())
    config = history.first
    cuts = builder.cuts(config)
    for index, seg in enumerate(history.segments):
        feed, _ = builder.feeds(config, seg, index)
        routing = builder._valves(builder.routing(config), seg, index, cuts, feed,
                                  seg.closure, None, config)
        scale = (lambda idx, v: 1.0 / v.sum()) if seg.closure != "fixed_cuts" else None
        dense = stage_flows(routing, cuts, feed, closed_scale=scale)
        other = _sparse_flows(routing, cuts, feed, scale)
        np.testing.assert_allclose(dense.flows, other.flows, rtol=1e-12)
        assert len(dense.closed_blocks) == len(other.closed_blocks) == \
            (1 if seg.closure != "fixed_cuts" else 0)

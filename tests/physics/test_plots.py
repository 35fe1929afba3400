"""Tests of enrichwatch.physics.plots: network diagrams and stage profiles.

Diagram artists are found by their ``gid`` (see the module docstring). Geometry checks sample
each drawn stream at 200 points; a point counts as inside a cascade box when it is more than
1e-6 data units inside its edges.
"""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.path import Path

from enrichwatch.composition import Assay, Composition, check_rate_unit
from enrichwatch.errors import InputError
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network
from enrichwatch.physics.plots import plot_network, plot_stage_profile
from tests.fordow_networks import fordow_networks

W = Assay.from_weight_percent


@pytest.fixture(scope="module")
def fordow():
    """The two illustrative Fordow interconnections and their states."""
    return fordow_networks()


@pytest.fixture(scope="module")
def three():
    """Three cascades with a split product, a second feed and two recycles into A."""
    ir6 = load_catalog().get("IR-6")
    nat = Composition.from_mass_percent({"U235": 0.711, "U238": 99.289})
    leu = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
    a = design_cascade(ir6, nat, W(5.0), W(0.3), total_machines=160, name="A")
    b = design_cascade(ir6, leu, W(20.0), W(2.0), total_machines=120, name="B")
    c = design_cascade(ir6, Composition.from_mass_percent({"U235": 20.0, "U238": 80.0}),
                       W(60.0), W(5.0), total_machines=100, name="C")
    net = Network([a, b, c], [Link("A", "product", "B"),
                              Link("B", "product", "C", fraction=0.7),
                              Link("C", "tails", "A", stage=a.feed_stage + 2),
                              Link("B", "tails", "A", fraction=0.5)],
                  [ExternalFeed("natural", "A", nat, 3000.0),
                   ExternalFeed("LEU top-up", "B", leu, 100.0)])
    return net, net.solve()


def gids(ax, prefix):
    return [a for a in ax.get_children() if str(a.get_gid()).startswith(prefix)]


def texts(ax):
    return "\n".join(t.get_text() for t in ax.texts)


def boxes(ax):
    """Cascade boxes as (x0, y0, x1, y1) in data units."""
    return [(p.get_x(), p.get_y(), p.get_x() + p.get_width(), p.get_y() + p.get_height())
            for p in gids(ax, "cascade-")]


def drawn(arrow):
    """Vertices of an arrow as drawn (shaft and head, data units), without closing codes."""
    path = arrow.get_path()
    codes = path.codes if path.codes is not None else np.full(len(path.vertices), Path.LINETO)
    return path.vertices[codes != Path.CLOSEPOLY]


def sampled(arrow):
    v = drawn(arrow)
    t = np.linspace(0.0, 1.0, 200)[:, None]
    return np.concatenate([a + t * (b - a) for a, b in zip(v[:-1], v[1:], strict=True)])


def test_network_without_state_draws_boxes_streams_and_terminals(fordow):
    net, _ = fordow["declared"]
    ax = plot_network(net)
    assert len(gids(ax, "cascade-")) == 2
    assert len(gids(ax, "link-")) == 2
    assert len(gids(ax, "feed-")) == 1
    assert len(gids(ax, "withdrawal-")) == 2
    assert "kg U/month" in texts(ax)            # the feed is known without a state
    assert "A.tails" in texts(ax) and "B.product" in texts(ax)
    assert "kg-SWU/yr" not in texts(ax)


def test_network_with_state_labels_rates_and_assays(fordow):
    net, state = fordow["declared"]
    ax = plot_network(net, state)
    shown = texts(ax)
    for s in state.withdrawals.values():
        assert f"{s.rate_kg_per_yr / 12:.3f} kg U/month" in shown
        assert f"{s.assay.weight_percent:.2f} wt% U-235" in shown
    assert "(HEU)" in shown                      # B.product is above 20 %
    for c in state.cascades.values():
        assert f"{c.swu_machines_kg_per_yr:.0f} kg-SWU/yr" in shown


def test_network_draws_on_given_axes_with_labels_and_yearly_rates(fordow):
    net, state = fordow["declared"]
    ax = Figure().add_subplot()
    out = plot_network(net, state, ax=ax, labels={"A": "Unit 1", "B.product": "HEU out"},
                       rate_unit="kg U/yr")
    assert out is ax
    assert "Unit 1" in texts(ax) and "HEU out" in texts(ax)
    rate = state.withdrawals["B.product"].rate_kg_per_yr
    assert f"{rate:.3f} kg U/yr" in texts(ax)


def test_stage_label_only_when_not_the_feed_stage(fordow):
    declared, alternative = fordow["declared"][0], fordow["alternative"][0]
    assert "into stage" not in texts(plot_network(declared))
    stage = alternative.links[0].stage
    assert f"into stage {stage}" in texts(plot_network(alternative))


@pytest.mark.parametrize("case", ["declared", "alternative", "three"])
def test_streams_never_run_through_a_cascade_box(fordow, three, case):
    net, state = three if case == "three" else fordow[case]
    ax = plot_network(net, state)
    rects = boxes(ax)
    for arrow in gids(ax, "link-") + gids(ax, "feed-") + gids(ax, "withdrawal-"):
        points = sampled(arrow)
        for x0, y0, x1, y1 in rects:
            inside = ((points[:, 0] > x0 + 1e-6) & (points[:, 0] < x1 - 1e-6)
                      & (points[:, 1] > y0 + 1e-6) & (points[:, 1] < y1 - 1e-6))
            assert not inside.any(), arrow.get_gid()


def test_recycle_enters_from_the_right_and_forward_stream_from_the_left(fordow):
    net, state = fordow["declared"]
    ax = plot_network(net, state)
    (ax0, _, ax1, _), (bx0, _, _, _) = boxes(ax)
    forward, recycle = (drawn(a) for a in gids(ax, "link-"))
    assert forward[0, 0] == pytest.approx((ax0 + ax1) / 2)       # leaves A's top centre
    assert recycle[0, 0] > ax1                                  # comes from B, to the right
    # the arrow tips reach the receiving box (within 0.1 data units, the head's mitre) at its
    # left edge (forward) and at its right edge (recycle)
    assert forward[:, 0].max() == pytest.approx(bx0, abs=0.1)
    assert recycle[:, 0].min() == pytest.approx(ax1, abs=0.1)


def test_three_cascade_network_labels_shares_and_stages(three):
    net, state = three
    ax = plot_network(net, state)
    assert len(gids(ax, "cascade-")) == 3
    assert len(gids(ax, "link-")) == 4
    assert len(gids(ax, "feed-")) == 2
    assert len(gids(ax, "withdrawal-")) == len(state.withdrawals) == 4
    assert "70 % share" in texts(ax) and "50 % share" in texts(ax)
    assert f"into stage {net.links[2].stage}" in texts(ax)


def test_withdrawal_names_match_the_solved_state(fordow, three):
    for net, state in (*fordow.values(), three):
        assert list(net.withdrawal_names) == list(state.withdrawals)


def test_plots_show_only_kg_u_rate_units(fordow):
    assert check_rate_unit("kg U/yr") == "kg U/yr"
    with pytest.raises(InputError, match="rate_unit"):
        check_rate_unit("kg UF6/month")           # needs isotopics: not a display unit
    with pytest.raises(ValueError):
        plot_network(fordow["declared"][0], rate_unit="g/s")


@pytest.mark.parametrize("case, cascade, stages", [
    ("declared", "A", [4]), ("declared", "B", [9]),
    ("alternative", "A", [4]), ("alternative", "B", [7])])
def test_inlet_stages_are_the_stages_fed_from_outside(fordow, case, cascade, stages):
    cs = fordow[case][1].cascades[cascade]
    assert list(cs.inlet_stages) == stages
    assert np.all(cs.external_in >= 0.0)


def test_stage_profile_lines_feed_stage_and_machine_bars(fordow):
    cs = fordow["alternative"][1].cascades["B"]
    ax = plot_stage_profile(cs)
    assert {line.get_gid() for line in gids(ax, "profile-")} == \
        {"profile-feed", "profile-heads", "profile-tails"}
    assert [line.get_gid() for line in gids(ax, "feed-stage-")] == ["feed-stage-7"]
    assert ax.get_yscale() == "log"
    heads = next(line for line in ax.lines if line.get_gid() == "profile-heads")
    assert np.allclose(heads.get_ydata(), 100 * cs.stage_heads[:, cs.isotopes.index("U235")])
    twin = next(a for a in ax.figure.axes if a is not ax)
    assert len(twin.patches) == cs.n_stages
    assert [p.get_height() for p in twin.patches] == list(cs.machines_per_stage)


def test_stage_profile_draws_on_given_axes(fordow):
    cs = fordow["declared"][1].cascades["A"]
    ax = Figure().add_subplot()
    assert plot_stage_profile(cs, ax=ax) is ax
    assert len(gids(ax, "profile-")) == 3


def test_importing_enrichwatch_plotting_and_report_stays_light():
    code = ("import sys, enrichwatch, enrichwatch.physics.plots, enrichwatch.report; "
            "print(sorted(m for m in ('matplotlib', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


# -- issue 16: highlighted streams, labels kept apart ------------------------------------------
def test_network_highlights_the_links_asked_for(fordow):
    net, state = fordow["alternative"]
    ax = plot_network(net, state, highlight=[0])
    halos = [line for line in ax.lines if str(line.get_gid()).startswith("changed-link-")]
    assert [h.get_gid() for h in halos] == ["changed-link-0"]
    assert any(t.get_text().startswith("changed\n") for t in ax.texts)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "changed stream (not in the other configuration)"]
    plain = plot_network(net, state)
    assert plain.get_legend() is None
    assert not any(str(line.get_gid()).startswith("changed-") for line in plain.lines)


def _label_boxes(notes):
    renderer = notes[0].figure.canvas.get_renderer()
    return [n.get_window_extent(renderer) for n in notes]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(0.0, 10.0), st.integers(0, 3)), min_size=1, max_size=12))
def test_place_labels_keeps_labels_apart_when_there_is_room(points):
    """Any points on four rows of a wide axes: no two labels share ink."""
    from enrichwatch.physics.plots import new_axes, place_labels

    ax = new_axes(7.0, 3.5)
    ax.set_xlim(-1, 11)
    ax.set_ylim(-1, 4)
    notes = place_labels(ax, [(x, y, f"#{i}", {"fontsize": 8}) for i, (x, y) in
                              enumerate(points)])
    assert len(notes) == len(points)
    found = _label_boxes(notes)
    for i, a in enumerate(found):
        for b in found[i + 1:]:
            assert not (min(a.x1, b.x1) > max(a.x0, b.x0) and min(a.y1, b.y1) > max(a.y0, b.y0))


def test_place_labels_prefers_the_side_asked_for():
    from enrichwatch.physics.plots import new_axes, place_labels

    ax = new_axes(4.0, 3.0)
    below, right = place_labels(ax, [(0.2, 0.5, "a", {}), (0.7, 0.5, "b", {}, "right")])
    assert below.get_position()[1] < 0 and below.get_ha() == "center"
    assert right.get_position()[0] > 0 and right.get_ha() == "left"

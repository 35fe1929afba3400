"""Plots of cascade networks and stage profiles (matplotlib, imported only when a plot is made).

Every function takes an optional ``ax`` and returns the axes it drew on. Without ``ax`` a new
:class:`matplotlib.figure.Figure` is made directly (Agg canvas, no pyplot state, no change to the
user's backend); pass an ``ax`` of your own to show the plot interactively. Nothing here
computes physics: rates and assays come from the solved state (a link's rate from
:meth:`~enrichwatch.physics.network.NetworkState.link_rate_kg_per_yr`),
HEU is :attr:`Assay.is_heu <enrichwatch.composition.Assay.is_heu>`, and rates are shown in
``rate_unit`` ({'kg U/month', 'kg U/yr'}) by :func:`~enrichwatch.composition.display_rate`
while the state holds kg U/yr.

Artists that tests and reports look for carry a ``gid``: ``"cascade-<i>"`` (box of the i-th
cascade), ``"link-<i>"`` (i-th :class:`~enrichwatch.physics.network.Link`), ``"feed-<i>"``,
``"withdrawal-<i>"``, and in stage profiles ``"profile-feed"``, ``"profile-heads"``,
``"profile-tails"``, ``"feed-stage-<k>"`` and ``"machines-<k>"`` (bar of stage k).

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> from enrichwatch.physics.cascade import design_cascade
>>> from enrichwatch.physics.machines import load_catalog
>>> from enrichwatch.physics.network import ExternalFeed, Network
>>> leu = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
>>> a = design_cascade(load_catalog().get("IR-6"), leu, Assay.from_weight_percent(20.0),
...                    Assay.from_weight_percent(2.5), total_machines=166, name="A")
>>> net = Network([a], feeds=[ExternalFeed("feed", "A", leu, 2000.0)])
>>> ax = plot_network(net, net.solve())
>>> [p.get_gid() for p in ax.patches if str(p.get_gid()).startswith("cascade-")]
['cascade-0']
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..composition import check_rate_unit, display_rate
from ..constants import HEU_THRESHOLD_WT_PCT

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ProfileLimits", "new_axes", "place_labels", "plot_network", "plot_stage_profile",
           "profile_limits"]

# Diagram geometry, in data units (one unit is 0.55 inch on a figure this module makes).
_BOX_W, _BOX_H, _DX = 3.1, 3.4, 6.4
_CHANNEL, _APPROACH = 1.0, 0.32
_INCH_PER_UNIT = 0.55
_PRODUCT_COLOR, _TAILS_COLOR, _FEED_COLOR = "#b2182b", "#2166ac", "#1b7837"
_CHANGED_COLOR = "#fdb863"          # halo under a highlighted (changed) stream


def new_axes(width_in: float, height_in: float) -> Axes:
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), layout="constrained").add_subplot()


# -- labels that keep clear of each other --------------------------------------------------------
#: Where a label may go, in points from its anchor, in order of preference.
_OFFSETS = {
    "below": ((0, -6, "center", "top"), (0, 6, "center", "bottom"), (7, 0, "left", "center"),
              (-7, 0, "right", "center"), (0, -17, "center", "top"), (0, 17, "center", "bottom")),
    "right": ((7, 0, "left", "center"), (-7, 0, "right", "center"), (0, 7, "center", "bottom"),
              (0, -7, "center", "top"), (19, 0, "left", "center"), (-19, 0, "right", "center")),
}
_LABEL_PAD_PX = 2.0
#: When every place above is taken (many labels on one point), labels stack farther out:
#: this many more rings, each a line of text [pt] or a short label's width [pt] farther.
_EXTRA_RINGS = 8
_RING_STEP_PT = (11, 22)


def _candidates(prefer: str):
    """The places to try for one label: the preferred ones, then rings farther out."""
    yield from _OFFSETS[prefer]
    dy, dx = _RING_STEP_PT
    for k in range(1, _EXTRA_RINGS + 1):
        yield (0, -17 - dy * k, "center", "top")
        yield (0, 17 + dy * k, "center", "bottom")
        yield (19 + dx * k, 0, "left", "center")
        yield (-19 - dx * k, 0, "right", "center")


def _renderer(figure):
    if not hasattr(figure.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(figure)
    figure.draw_without_rendering()                   # settle the layout first
    return figure.canvas.get_renderer()


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def place_labels(ax, items) -> list:
    """Annotate points with labels that do not overlap each other or the axes' other texts.

    Each label takes the first of its candidate places (below the point, or to its right,
    then the other sides, then farther out, ring by ring) whose box, padded by 2 px, touches
    no label or text already there; if none is free, the one with the least overlap.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes, with everything but the labels drawn (the layout is settled first).
    items : iterable of tuple
        ``(x, y, text, text_kwargs)`` or ``(x, y, text, text_kwargs, prefer)``, ``x, y`` in
        data coordinates, ``prefer`` one of {'below', 'right'} (default 'below').

    Returns
    -------
    list of matplotlib.text.Annotation
    """
    renderer = _renderer(ax.figure)
    taken = [t.get_window_extent(renderer).padded(_LABEL_PAD_PX) for t in ax.texts
             if t.get_visible() and t.get_text().strip()]
    out = []
    for x, y, text, kw, *prefer in items:
        best = None
        for dx, dy, ha, va in _candidates(prefer[0] if prefer else "below"):
            note = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points",
                               ha=ha, va=va, **kw)
            box = note.get_window_extent(renderer).padded(_LABEL_PAD_PX)
            cost = sum(_overlap(box, t) for t in taken)
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, note, box)
            else:
                note.remove()
            if cost == 0.0:
                break
        assert best is not None
        taken.append(best[2])
        out.append(best[1])
    return out


def _label(labels, name: str) -> str:
    return str((labels or {}).get(name, name))


def _fmt_stream(rate_kg_per_yr: float, assay, unit: str) -> str:
    text = f"{display_rate(rate_kg_per_yr, unit):.3f} {unit}"
    return text if assay is None else f"{text}\n{assay.weight_percent:.2f} wt% U-235"


# -- network diagram ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Layout:
    """Where each cascade sits and which channel each link runs in."""

    x: dict[str, float]
    channel: dict[int, float]
    level: dict[int, int]
    top: float
    bottom: float

    @classmethod
    def of(cls, network) -> _Layout:
        x = {name: i * _DX for i, name in enumerate(network.cascades)}
        # per level, the x-spans already used
        levels: dict[str, list[list[tuple[float, float]]]] = {"product": [], "tails": []}
        channel, level_of = {}, {}
        # shortest streams take the channels nearest the boxes, so that longer ones nest round
        for i, link in sorted(enumerate(network.links),
                              key=lambda il: abs(x[il[1].source] - x[il[1].target])):
            xs, xt = x[link.source], x[link.target]
            reach = _BOX_W / 2 + _APPROACH + 0.18 * 3 + 0.3      # farthest approach, + margin
            span = (xs, xt - reach) if xt > xs else (xt - reach, xs) if xt == xs else \
                (xt + reach, xs)
            span = (min(span) - 0.3, max(span) + 0.3)
            used = levels[link.output]
            level = next((k for k, spans in enumerate(used)
                          if all(span[1] < lo or span[0] > hi for lo, hi in spans)), len(used))
            if level == len(used):
                used.append([])
            used[level].append(span)
            level_of[i] = level
            sign = 1.0 if link.output == "product" else -1.0
            channel[i] = (_BOX_H if sign > 0 else 0.0) + sign * (level + 1) * _CHANNEL
        up, down = len(levels["product"]), len(levels["tails"])
        return cls(x, channel, level_of, _BOX_H + (up + 1) * _CHANNEL, -(down + 1) * _CHANNEL)


def _stage_y(cascade, stage: int | None) -> float:
    k = cascade.feed_stage if stage is None else stage
    return _BOX_H * (k + 0.5) / cascade.n_stages


def _draw_box(ax, i: int, cascade, x: float, text: str) -> None:
    from matplotlib.patches import FancyBboxPatch

    box = FancyBboxPatch((x - _BOX_W / 2, 0.0), _BOX_W, _BOX_H, gid=f"cascade-{i}",
                         boxstyle="round,pad=0,rounding_size=0.12", fc="#f4f4f4", ec="#333333",
                         lw=1.3, zorder=2)
    ax.add_patch(box)
    for k in range(cascade.n_stages):
        y, feed = _stage_y(cascade, k), k == cascade.feed_stage
        for side in (-1, 1):
            edge = x + side * _BOX_W / 2
            ax.plot([edge, edge - side * (0.22 if feed else 0.1)], [y, y], zorder=3,
                    color="#333333" if feed else "#9a9a9a", lw=1.4 if feed else 0.7)
    title, _, rest = text.partition("\n")
    ax.text(x, _BOX_H / 2 + 0.25, title, ha="center", va="bottom", fontsize=12, zorder=4,
            fontweight="bold")
    ax.text(x, _BOX_H / 2 + 0.1, rest, ha="center", va="top", fontsize=9.5, zorder=4,
            linespacing=1.5)


def _box_text(name: str, cascade, cascade_state, labels) -> str:
    lines = [_label(labels, name), f"{cascade.n_stages} stages, feed at {cascade.feed_stage}",
             f"{cascade.n_machines} × {cascade.machine.name}"]
    if cascade_state is not None:
        lines.append(f"{cascade_state.swu_machines_kg_per_yr:.0f} kg-SWU/yr")
    return "\n".join(lines)


def _entry_points(network, layout: _Layout) -> dict:
    """Side (x) and height (y) where each link and feed enters its target, spread apart when
    several arrive at the same stage and side."""
    wanted = {}
    for i, link in enumerate(network.links):
        side = -1.0 if layout.x[link.source] < layout.x[link.target] or \
            link.source == link.target else 1.0
        wanted[("link", i)] = (link.target, side, link.stage)
    for i, feed in enumerate(network.feeds):
        wanted[("feed", i)] = (feed.target, -1.0, feed.stage)
    groups = defaultdict(list)
    for key, (target, side, stage) in wanted.items():
        c = network.cascades[target]
        groups[(target, side, c.feed_stage if stage is None else stage)].append(key)
    points = {}
    for (target, side, stage), keys in groups.items():
        y0 = _stage_y(network.cascades[target], stage)
        for j, key in enumerate(keys):
            dy = (j - (len(keys) - 1) / 2) * 0.16
            points[key] = (layout.x[target] + side * _BOX_W / 2, y0 + dy, side)
    return points


def _arrow(ax, vertices, color: str, gid: str, lw: float = 1.6) -> None:
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    arrow = FancyArrowPatch(path=Path(np.asarray(vertices, dtype=float)), arrowstyle="-|>",
                            mutation_scale=13, color=color, lw=lw, gid=gid, zorder=5,
                            shrinkA=0, shrinkB=0, joinstyle="miter")
    ax.add_patch(arrow)


def _link_text(link, target, network_state, unit) -> str:
    head = []
    if link.fraction < 1.0:
        head.append(f"{100 * link.fraction:.0f} % share")
    if link.stage is not None and link.stage != target.feed_stage:
        head.append(f"into stage {link.stage}")
    lines = [" · ".join(head)] if head else []
    if network_state is not None:
        out = getattr(network_state.cascades[link.source], link.output)
        lines.append(_fmt_stream(network_state.link_rate_kg_per_yr(link), out.assay, unit))
    return "\n".join(lines)


def _draw_link(ax, i, link, network, layout, entry, network_state, unit,
               changed: bool = False) -> None:
    xs, (xe, ye, side) = layout.x[link.source], entry
    y_out = _BOX_H if link.output == "product" else 0.0
    y_ch = layout.channel[i]
    x_app = xe + side * (_APPROACH + 0.18 * min(layout.level[i], 3))
    color = _PRODUCT_COLOR if link.output == "product" else _TAILS_COLOR
    path = [(xs, y_out), (xs, y_ch), (x_app, y_ch), (x_app, ye), (xe, ye)]
    if changed:
        xy = np.asarray(path, dtype=float)
        ax.plot(xy[:, 0], xy[:, 1], color=_CHANGED_COLOR, lw=9, alpha=0.85, zorder=4.5,
                solid_capstyle="round", solid_joinstyle="round", gid=f"changed-link-{i}")
    _arrow(ax, path, color, f"link-{i}", lw=2.4 if changed else 1.6)
    text = _link_text(link, network.cascades[link.target], network_state, unit)
    if changed:
        text = "changed" + ("\n" + text if text else "")
    if text:
        # over the first gap the stream crosses, clear of other cascades' exits
        reach = min(abs(x_app - xs), _DX - _BOX_W / 2 - _APPROACH)
        x_text = xs + (np.sign(x_app - xs) or -1.0) * reach / 2
        ax.text(x_text, y_ch, text, ha="center", va="center", fontsize=8.5, color=color,
                zorder=6, linespacing=1.25,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.9})


def _terminal(ax, x, y, text, color, va="center", ha="center", bold=False) -> None:
    ax.text(x, y, text, ha=ha, va=va, fontsize=9, zorder=7, linespacing=1.3,
            fontweight="bold" if bold else "normal",
            bbox={"boxstyle": "round,pad=0.35", "fc": "white", "ec": color, "lw": 1.2})


def _draw_feed(ax, i, feed, entry, layout, network_state, labels, unit) -> None:
    """A feed into the first cascade comes from a terminal on its left; one into a cascade
    further right from a terminal above, so that it stays clear of the streams between them."""
    xe, ye, _ = entry
    rate, assay = feed.rate_kg_per_yr, feed.composition.assay
    if network_state is not None and feed.name in network_state.feeds:
        stream = network_state.feeds[feed.name]
        rate, assay = stream.rate_kg_per_yr, stream.assay
    text = _label(labels, feed.name) + "\n" + _fmt_stream(rate, assay, unit)
    if layout.x[feed.target] == min(layout.x.values()):
        x0 = xe - 1.05
        _arrow(ax, [(x0, ye), (xe, ye)], _FEED_COLOR, f"feed-{i}")
        _terminal(ax, x0, ye, text, _FEED_COLOR, ha="right")
        return
    x0 = xe - _APPROACH - 0.18 * 4 - 0.3 * (i % 2)
    _arrow(ax, [(x0, layout.top), (x0, ye), (xe, ye)], _FEED_COLOR, f"feed-{i}")
    _terminal(ax, x0, layout.top, text, _FEED_COLOR, va="bottom")


def _draw_withdrawal(ax, i, name, network, layout, network_state, labels, unit) -> None:
    cascade, output = name.rsplit(".", 1)
    x = layout.x[cascade]
    product = output == "product"
    y0, y1 = (_BOX_H, layout.top) if product else (0.0, layout.bottom)
    color = _PRODUCT_COLOR if product else _TAILS_COLOR
    _arrow(ax, [(x, y0), (x, y1)], color, f"withdrawal-{i}")
    text, heu = _label(labels, name), False
    if network_state is not None:
        s = network_state.withdrawals[name]
        text += "\n" + _fmt_stream(s.rate_kg_per_yr, s.assay, unit)
        heu = s.assay is not None and s.assay.is_heu
    if heu:
        text += "  (HEU)"
    _terminal(ax, x, y1, text, "#d6604d" if heu else "#555555",
              va="bottom" if product else "top", bold=heu)


def _frame(ax, network, layout: _Layout) -> None:
    n = len(network.cascades)
    ax.set_xlim(-_BOX_W / 2 - 3.9, (n - 1) * _DX + _BOX_W / 2 + 1.1)
    ax.set_ylim(layout.bottom - 1.2, layout.top + 1.2)
    ax.set_axis_off()


def plot_network(network, state=None, ax: Axes | None = None, labels: dict | None = None, *,
                 rate_unit: str = "kg U/month", highlight=()) -> Axes:
    """Diagram of a cascade network: cascades, streams, external feeds and withdrawals.

    Cascades are boxes laid out left to right in the network's order (stages from 0 at the
    bottom to the product end at the top, the feed stage marked by a longer tick). Product
    leaves from the top of a box and tails from the bottom; a stream enters its receiving
    cascade at the height of the receiving stage, from the left when it comes from the left or
    from outside, from the right when it comes back from a cascade further right (recycle).

    Parameters
    ----------
    network : Network
        The network to draw.
    state : NetworkState, optional
        Its solved state; when given, streams are labelled with rates and U-235 assays and
        HEU (>= 20 wt% U-235) withdrawals are highlighted.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure sized to the network.
    labels : dict, optional
        Display names for cascades, feeds and withdrawals, keyed by their names
        (``{"A": "Cascade 1", "B.product": "HEU product"}``).
    rate_unit : {'kg U/month', 'kg U/yr'}
        Unit of the rates shown.
    highlight : collection of int, optional
        Indices of links (in ``network.links``) to highlight as changed: drawn thicker over
        an amber halo (gid ``"changed-link-<i>"``), labelled "changed", with a legend entry.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_rate_unit(rate_unit)
    highlight = {int(i) for i in highlight}
    layout = _Layout.of(network)
    if ax is None:
        n = len(network.cascades)
        width = ((n - 1) * _DX + _BOX_W + 5.0) * _INCH_PER_UNIT
        ax = new_axes(max(width, 6.5), (layout.top - layout.bottom + 2.4) * _INCH_PER_UNIT)
    for i, (name, cascade) in enumerate(network.cascades.items()):
        cs = None if state is None else state.cascades[name]
        _draw_box(ax, i, cascade, layout.x[name], _box_text(name, cascade, cs, labels))
    entries = _entry_points(network, layout)
    for i, link in enumerate(network.links):
        _draw_link(ax, i, link, network, layout, entries[("link", i)], state, rate_unit,
                   changed=i in highlight)
    for i, feed in enumerate(network.feeds):
        _draw_feed(ax, i, feed, entries[("feed", i)], layout, state, labels, rate_unit)
    for i, name in enumerate(network.withdrawal_names):
        _draw_withdrawal(ax, i, name, network, layout, state, labels, rate_unit)
    _frame(ax, network, layout)
    if highlight:
        _changed_legend(ax)
    return ax


def _changed_legend(ax) -> None:
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], color=_CHANGED_COLOR, lw=8, alpha=0.85,
                              label="changed stream (not in the other configuration)")],
              loc="lower right", fontsize=8.5, frameon=False)


# -- stage profile ------------------------------------------------------------------------------
def _u235_percent(cascade_state, fractions: np.ndarray) -> np.ndarray:
    if "U235" not in cascade_state.isotopes:
        return np.full(fractions.shape[0], np.nan)
    pct = 100.0 * fractions[:, cascade_state.isotopes.index("U235")]
    return np.where(pct > 0.0, pct, np.nan)


def _machine_bars(ax, cascade_state, stages: np.ndarray, most: int | None = None):
    twin = ax.twinx()
    counts = np.asarray(cascade_state.machines_per_stage)
    bars = twin.bar(stages, counts, width=0.8, color="#bdbdbd", alpha=0.55,
                    label="machines per stage")
    for k, bar in enumerate(bars):
        bar.set_gid(f"machines-{k}")
    twin.set_ylim(0.0, (counts.max() if most is None else most) * 1.8)
    twin.set_ylabel("machines per stage")
    ax.set_zorder(twin.get_zorder() + 1)
    ax.patch.set_visible(False)
    return bars


def _mark_feed_stages(ax, cascade_state) -> None:
    stages = np.flatnonzero(cascade_state.external_in_kg_per_yr > 0.0)
    for j, k in enumerate(stages):
        ax.axvline(k, color=_FEED_COLOR, ls="--", lw=1.1, gid=f"feed-stage-{k}",
                   label="stage with external inflow" if j == 0 else None)
        ax.annotate("inflow", (k, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -10), textcoords="offset points", fontsize=7.5,
                    color=_FEED_COLOR)


@dataclass(frozen=True)
class ProfileLimits:
    """Axis limits shared by stage profiles drawn to be compared.

    Parameters
    ----------
    stages : int
        Stages shown (0 to ``stages - 1``).
    assay_wt_pct : tuple of float
        U-235 range [wt%] of the (log) assay axis.
    machines : int
        Most machines in a stage (the machine axis runs to 1.8 times this).
    """

    stages: int
    assay_wt_pct: tuple[float, float]
    machines: int


def profile_limits(*cascade_states) -> ProfileLimits:
    """Limits that show every one of ``cascade_states`` whole, for profiles on shared axes
    (:func:`plot_stage_profile` with ``limits``)."""
    assays = np.concatenate([_u235_percent(cs, f) for cs in cascade_states
                             for f in (cs.stage_feed, cs.stage_heads, cs.stage_tails)])
    assays = assays[np.isfinite(assays)]
    lo, hi = (float(assays.min()), float(assays.max())) if assays.size else (0.1, 100.0)
    return ProfileLimits(stages=max(int(cs.n_stages) for cs in cascade_states),
                         assay_wt_pct=(lo / 1.25, hi * 1.25),
                         machines=max(int(np.max(cs.machines_per_stage))
                                      for cs in cascade_states))


def plot_stage_profile(cascade_state, ax: Axes | None = None, *,
                       limits: ProfileLimits | None = None) -> Axes:
    """U-235 assay of each stage's feed, heads and tails against stage number.

    Log y-axis in wt% U-235; stages that receive material from outside the cascade (external
    feeds or streams from other cascades) are marked by dashed lines; machines per stage are
    drawn as bars on a secondary y-axis. A dotted line marks the HEU threshold when it falls
    inside the plotted range.

    Parameters
    ----------
    cascade_state : CascadeState
        A solved cascade (``NetworkState.cascades[name]`` or ``FixedCascade.solve(...)``).
    ax : matplotlib.axes.Axes, optional
        Axes for the assays (a twin axis is added for the machines); default a new figure.
    limits : ProfileLimits, optional
        Axis limits to draw on (:func:`profile_limits` of the profiles to be compared), so
        that two profiles share their axes; default fitted to this cascade.

    Returns
    -------
    matplotlib.axes.Axes
        The assay axes.
    """
    if ax is None:
        ax = new_axes(6.4, 4.0)
    stages = np.arange(cascade_state.n_stages)
    bars = _machine_bars(ax, cascade_state, stages, None if limits is None else limits.machines)
    for key, fractions, color, marker in (
            ("feed", cascade_state.stage_feed, "#333333", "o"),
            ("heads", cascade_state.stage_heads, _PRODUCT_COLOR, "^"),
            ("tails", cascade_state.stage_tails, _TAILS_COLOR, "v")):
        ax.plot(stages, _u235_percent(cascade_state, fractions), marker=marker, ms=3.5,
                lw=1.4, color=color, gid=f"profile-{key}", label=f"stage {key}")
    ax.set_yscale("log")
    if limits is not None:
        ax.set_xlim(-0.6, limits.stages - 0.4)
        ax.set_ylim(*limits.assay_wt_pct)
    _mark_feed_stages(ax, cascade_state)
    low, high = ax.get_ylim()
    if low < HEU_THRESHOLD_WT_PCT < high:
        ax.axhline(HEU_THRESHOLD_WT_PCT, color="#d6604d", ls=":", lw=1.0, gid="heu-threshold",
                   label=f"HEU ({HEU_THRESHOLD_WT_PCT:g} %)")
    _style_profile(ax, cascade_state, bars)
    return ax


def _style_profile(ax, cascade_state, bars) -> None:
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

    ax.set_xlabel("stage (0 = tails end)")
    ax.set_ylabel("U-235 [wt%]")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_title(f"Cascade {cascade_state.name}: stage profile", fontsize=10)
    ax.grid(True, which="major", color="#e0e0e0", lw=0.6)
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles + [bars], names + ["machines per stage"], fontsize=7.5, ncol=3,
              loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)

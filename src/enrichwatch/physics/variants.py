"""A network under its stated uncertain inputs: stage factor, machine rating and stage layout.

The figures computed for a plant rest on inputs that public information does not fix: the
machines' design stage factor (``Machine.gamma_range``, from the catalog), their separative
power (``Machine.swu_range_per_yr``, from the catalog) and, for cascades designed by enrichwatch
from targets, the stage layout itself. :func:`settings` lists the points at which a consequence
is evaluated: the nominal point first, then every corner of the box spanned by the inputs that
have a range (low and high stage factor, low and high rating, layout as designed or redesigned).
:func:`vary` builds the network of one setting; :class:`Spread` summarises a figure over the
settings: nominal, low, high and the input that moves it most (its main effect over the
corners: the mean change when that input goes from its low to its high setting).

Layouts. "as designed": the stages designed for the nominal machine are kept and the machine
changes in them (a built plant whose machines perform differently). "redesigned": every cascade
that has a design (:func:`~enrichwatch.physics.cascade.design_cascade`) is designed again for
the varied machine with the same number of machines, so the stage count and feed stage can
change; a stream or feed into a chosen stage keeps its distance from the feed stage. Cascades
given stage by stage have one layout only.

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> from enrichwatch.physics.cascade import design_cascade
>>> from enrichwatch.physics.machines import load_catalog
>>> from enrichwatch.physics.network import ExternalFeed, Network
>>> leu = Composition.from_mass_percent({"U235": 20.0, "U238": 80.0})
>>> c = design_cascade(load_catalog().get("IR-6"), leu, Assay.from_weight_percent(60.0),
...                    Assay.from_weight_percent(5.0), total_machines=166, name="B")
>>> net = Network([c], feeds=[ExternalFeed("feed", "B", leu, c.design.feed_kg_per_yr)])
>>> points = settings(net)
>>> len(points), points[0].label
(9, 'nominal')
>>> values = [vary(net, s).solve().withdrawals["B.product"].assay.weight_percent
...           for s in points]
>>> spread = Spread.from_values(points, values)
>>> spread.low <= spread.nominal <= spread.high, spread.driver in INPUTS
(True, True)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np

from ..errors import ConfigurationError
from .cascade import FixedCascade, design_cascade
from .network import Network

__all__ = ["INPUTS", "LAYOUTS", "Setting", "Spread", "settings", "uncertain_inputs", "vary"]

STAGE_FACTOR, RATING, LAYOUT = "stage factor", "machine rating", "stage layout"
#: The uncertain inputs, in the order they are reported.
INPUTS = (STAGE_FACTOR, RATING, LAYOUT)
AS_DESIGNED, REDESIGNED = "as designed", "redesigned"
#: The two stage layouts of a designed cascade.
LAYOUTS = (AS_DESIGNED, REDESIGNED)
_LOW_HIGH = ("low", "high")


@dataclass(frozen=True)
class Setting:
    """One point of the uncertain inputs: positions ``'low'``, ``'nominal'`` or ``'high'`` of
    the stage factor and the rating (every machine type at the same position of its own
    range), and the layout (``'as designed'`` or ``'redesigned'``)."""

    stage_factor: str = "nominal"
    rating: str = "nominal"
    layout: str = AS_DESIGNED

    @property
    def positions(self) -> dict[str, str]:
        return {STAGE_FACTOR: self.stage_factor, RATING: self.rating, LAYOUT: self.layout}

    @property
    def label(self) -> str:
        if self == Setting():
            return "nominal"
        return ", ".join(f"{k} {v}" for k, v in self.positions.items()
                         if v not in ("nominal", AS_DESIGNED))

    def _low_high(self, name: str) -> str | None:
        """'low' or 'high' for this input's two corner settings, else None."""
        value = self.positions[name]
        if name == LAYOUT:
            return {AS_DESIGNED: "low", REDESIGNED: "high"}[value]
        return value if value in _LOW_HIGH else None


def _machines(network: Network) -> dict[str, Any]:
    return {c.machine.name: c.machine for c in network.cascades.values()}


def _moves(network: Network) -> dict[str, bool]:
    """Which inputs have a range in this network."""
    machines = _machines(network).values()
    gamma = any(m.stage_factor_range[0] < m.stage_factor_range[1] for m in machines)
    rating = any(m.swu_range_per_yr[0] < m.swu_range_per_yr[1] for m in machines)
    designed = any(c.design is not None for c in network.cascades.values())
    return {STAGE_FACTOR: gamma, RATING: rating, LAYOUT: designed and (gamma or rating)}


def uncertain_inputs(network: Network) -> dict[str, str]:
    """The inputs that have a range in ``network``, each with its range in words."""
    moves, out = _moves(network), {}
    machines = _machines(network)
    if moves[STAGE_FACTOR]:
        out[STAGE_FACTOR] = "; ".join(
            f"{name} {m.stage_factor_range[0]:g}-{m.stage_factor_range[1]:g} (design "
            f"{m.design_gamma:.3g})" for name, m in machines.items()
            if m.stage_factor_range[0] < m.stage_factor_range[1])
    if moves[RATING]:
        out[RATING] = "; ".join(
            f"{name} {m.swu_range_per_yr[0]:g}-{m.swu_range_per_yr[1]:g} kg-SWU/yr (nominal "
            f"{m.nominal_swu_per_yr:g})" for name, m in machines.items()
            if m.swu_range_per_yr[0] < m.swu_range_per_yr[1])
    if moves[LAYOUT]:
        out[LAYOUT] = ("as designed for the nominal machine, or redesigned for the varied "
                       "machine (same machine count; a stream into a chosen stage keeps its "
                       "distance from the feed stage)")
    return out


def settings(network: Network) -> tuple[Setting, ...]:
    """The nominal setting, then every corner of the inputs that have a range in ``network``."""
    moves = _moves(network)
    gammas = _LOW_HIGH if moves[STAGE_FACTOR] else ("nominal",)
    ratings = _LOW_HIGH if moves[RATING] else ("nominal",)
    layouts = LAYOUTS if moves[LAYOUT] else (AS_DESIGNED,)
    corners = [Setting(g, r, lay) for g, r, lay in product(gammas, ratings, layouts)]
    return (Setting(),) + tuple(s for s in corners if s != Setting())


def _position(rng: tuple[float, float], nominal: float, where: str) -> float:
    return {"low": rng[0], "nominal": nominal, "high": rng[1]}[where]


def _varied_machine(machine, setting: Setting):
    swu = _position(machine.swu_range_per_yr, machine.nominal_swu_per_yr, setting.rating)
    if machine.geometry is not None:
        return machine.varied(swu_per_yr=swu)
    gamma = _position(machine.stage_factor_range, machine.design_gamma, setting.stage_factor)
    return machine.varied(swu_per_yr=swu, gamma=gamma)


def vary(network: Network, setting: Setting) -> Network:
    """The network of ``setting``: its machines moved, its designed cascades redesigned if the
    setting says so. The nominal setting returns ``network`` itself."""
    if setting == Setting():
        return network
    machines = {name: _varied_machine(m, setting) for name, m in _machines(network).items()}
    cascades, shift = {}, {}
    for name, c in network.cascades.items():
        new = _redesign(c, machines[c.machine.name]) if (
            setting.layout == REDESIGNED and c.design is not None) else \
            dataclasses.replace(c, machine=machines[c.machine.name])
        cascades[name], shift[name] = new, new.feed_stage - c.feed_stage
    links = [dataclasses.replace(k, stage=_stage(k.stage, shift[k.target], cascades[k.target]))
             for k in network.links]
    feeds = [dataclasses.replace(f, stage=_stage(f.stage, shift[f.target], cascades[f.target]))
             for f in network.feeds]
    return Network(cascades.values(), links, feeds)


def _redesign(cascade: FixedCascade, machine) -> FixedCascade:
    d = cascade.design
    if d is None:
        raise ConfigurationError("cascade.design", cascade.name,
                                 "a designed cascade (built by design_cascade) to redesign")
    return design_cascade(machine, d.feed, d.product, d.tails, total_machines=cascade.n_machines,
                          law=cascade.law, name=cascade.name)


def _stage(stage: int | None, shift: int, cascade: FixedCascade) -> int | None:
    if stage is None:
        return None
    return int(np.clip(stage + shift, 0, cascade.n_stages - 1))


def _finite(value) -> float | None:
    if value is None:
        return None
    x = float(value)
    return x if np.isfinite(x) else None


@dataclass(frozen=True)
class Spread:
    """A figure over the settings of the uncertain inputs.

    ``nominal`` is its value at the nominal setting, ``low`` and ``high`` the extremes over all
    settings (None where no setting gives a finite value); ``missing`` counts the settings where
    the figure does not exist (an assay out of reach: no rate, infinite months). ``effects``
    gives each input's main effect over the corners (mean at its high setting less mean at its
    low setting; for the layout: redesigned less as designed), ``driver`` the input with the
    largest one.
    """

    nominal: float | None
    low: float | None
    high: float | None
    effects: Mapping[str, float] = field(default_factory=dict)
    driver: str | None = None
    missing: int = 0
    settings: int = 1

    @classmethod
    def from_values(cls, points: Sequence[Setting], values: Sequence[float | None]) -> Spread:
        values = [_finite(v) for v in values]
        good = [v for v in values if v is not None]
        effects = {}
        for name in INPUTS:
            sides: dict[str, list[float]] = {"low": [], "high": []}
            for s, v in zip(points, values, strict=True):
                side = s._low_high(name)
                if side is not None and v is not None:
                    sides[side].append(v)
            if sides["low"] and sides["high"] and any(
                    s.positions[name] not in ("nominal", AS_DESIGNED) for s in points):
                effects[name] = float(np.mean(sides["high"]) - np.mean(sides["low"]))
        driver = max(effects, key=lambda k: abs(effects[k]), default=None)
        return cls(values[0], min(good, default=None), max(good, default=None), effects,
                   driver, len(values) - len(good), len(values))

    def as_dict(self) -> dict[str, Any]:
        return {"nominal": self.nominal, "low": self.low, "high": self.high,
                "moved_most_by": self.driver, "effects": dict(self.effects),
                "settings": self.settings, "settings_without_value": self.missing}

    def text(self, fmt: str = ".3g", unit: str = "") -> str:
        """``'58.9 wt% (range 54.8-62.3 over 9 settings; moved most by stage factor)'``."""
        def f(x):
            return "n/a" if x is None else format(x, fmt)
        unit = f" {unit}" if unit else ""
        if self.settings <= 1:
            return f"{f(self.nominal)}{unit}"
        extra = f"; {self.missing} without a value" if self.missing else ""
        driver = f"; moved most by {self.driver}" if self.driver else ""
        return (f"{f(self.nominal)}{unit} (range {f(self.low)}-{f(self.high)} over "
                f"{self.settings} settings{extra}{driver})")

"""Steady states of streams and cascades: what the solvers return.

:class:`StreamState` is one stream (rate and isotopics); :class:`CascadeState` one cascade,
stage by stage. Both are immutable values shared by :mod:`~enrichwatch.physics.cascade` and
:mod:`~enrichwatch.physics.network`, so that neither needs the other's internals.

Examples
--------
>>> import numpy as np
>>> s = stream_state(("U235", "U238"), np.array([1.0, 3.0]))
>>> s.rate_kg_per_yr, round(float(s.assay.weight_percent), 6)
(4.0, 25.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..composition import Composition
from . import steady_state as ss
from .swu import value

if TYPE_CHECKING:
    from .machines import Machine


class _Cascade(Protocol):
    """What a cascade state is built from (a :class:`~enrichwatch.physics.cascade.FixedCascade`)."""

    # read-only, so that a frozen dataclass satisfies it
    @property
    def name(self) -> str: ...
    @property
    def machine(self) -> Machine: ...
    @property
    def machines_per_stage(self) -> tuple[int, ...]: ...

__all__ = ["CascadeState", "StreamState", "stream_state"]


@dataclass(frozen=True)
class StreamState:
    """A stream at steady state: rate [kg U/yr] and isotopics (None when the rate is zero)."""

    rate_kg_per_yr: float
    composition: Composition | None
    isotope_kg_per_yr: Mapping[str, float] = field(repr=False)

    @property
    def assay(self):
        """U-235 :class:`~enrichwatch.composition.Assay` of the stream (None when empty)."""
        return None if self.composition is None else self.composition.assay


def stream_state(isotopes, components: np.ndarray) -> StreamState:
    """A :class:`StreamState` from its isotope flows [kg/yr] (negative round-off clipped)."""
    components = np.maximum(components, 0.0)
    rate = float(components.sum())
    comp = Composition(tuple(isotopes), components / rate) if rate > 0.0 else None
    return StreamState(rate, comp, dict(zip(isotopes, components.tolist(), strict=True)))


@dataclass(frozen=True, kw_only=True)
class CascadeState:
    """Steady state of one cascade (inside a network or alone).

    Stage arrays run from the tails end (index 0) to the product end. Flows in kg U/yr;
    compositions are mass fractions aligned with :attr:`isotopes`. ``external_in[i, k]`` is the
    flow of isotope ``k`` entering stage ``i`` from outside the cascade (network feeds and
    streams from other cascades) [kg/yr].
    """

    name: str
    isotopes: tuple[str, ...]
    machines_per_stage: np.ndarray
    cuts: np.ndarray
    stage_feed_kg_per_yr: np.ndarray
    stage_feed: np.ndarray
    stage_heads: np.ndarray
    stage_tails: np.ndarray
    gamma_235: np.ndarray
    swu_per_machine: np.ndarray
    product: StreamState
    tails: StreamState
    external_in: np.ndarray = field(repr=False)

    @classmethod
    def from_solution(cls, cascade: _Cascade, isotopes, sol: ss.StageSolution,
                      sl: slice) -> CascadeState:
        flows, cuts = sol.flows[sl], sol.cuts[sl]
        n = np.array(cascade.machines_per_stage)
        per_machine = np.maximum(flows / n, 1e-12)
        feed_c, heads_c, tails_c = (sol.feed_components[sl], sol.heads_components[sl],
                                    sol.tails_components[sl])

        def frac(c):
            tot = c.sum(axis=1, keepdims=True)
            return np.divide(c, tot, out=np.zeros_like(c), where=tot > 0)

        # inflow from outside the cascade: stage feed less the neighbours' heads and tails
        external = feed_c.copy()
        external[1:] -= heads_c[:-1]
        external[:-1] -= tails_c[1:]
        external[np.abs(external) < 1e-12 * max(float(feed_c.sum(axis=1).max()), 1e-300)] = 0.0
        gamma = cascade.machine.gamma_235(per_machine, cuts)
        return cls(name=cascade.name, isotopes=tuple(isotopes), machines_per_stage=n, cuts=cuts,
                   stage_feed_kg_per_yr=flows, stage_feed=frac(feed_c),
                   stage_heads=frac(heads_c), stage_tails=frac(tails_c),
                   gamma_235=np.asarray(gamma),
                   swu_per_machine=np.asarray(cascade.machine.separative_power(per_machine,
                                                                               cuts)),
                   product=stream_state(isotopes, heads_c[-1]),
                   tails=stream_state(isotopes, tails_c[0]),
                   external_in=np.maximum(external, 0.0))

    @property
    def n_stages(self) -> int:
        return len(self.cuts)

    @property
    def external_in_kg_per_yr(self) -> np.ndarray:
        """Total flow entering each stage from outside the cascade [kg U/yr]."""
        return self.external_in.sum(axis=1)

    @property
    def inlet_stages(self) -> np.ndarray:
        """Stages that receive material from outside the cascade."""
        return np.flatnonzero(self.external_in_kg_per_yr > 0.0)

    @property
    def swu_machines_kg_per_yr(self) -> float:
        """Separative power of all machines at their operating points [kg-SWU/yr]."""
        return float(np.sum(self.swu_per_machine * self.machines_per_stage))

    def _u235(self, fractions: np.ndarray) -> np.ndarray:
        return fractions[..., self.isotopes.index("U235")] if "U235" in self.isotopes else \
            np.zeros(fractions.shape[:-1])

    @property
    def stage_assay(self) -> np.ndarray:
        """U-235 mass fraction of each stage's feed [1]."""
        return self._u235(self.stage_feed)

    @property
    def swu_value_kg_per_yr(self) -> float:
        """Separative work the cascade delivers, summed over stages with the binary value
        function of the U-235 mass fraction [kg-SWU/yr] (heads V + tails V - feed V)."""
        heads = self.cuts * self.stage_feed_kg_per_yr
        tails = self.stage_feed_kg_per_yr - heads
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = (heads * value(self._u235(self.stage_heads))
                     + tails * value(self._u235(self.stage_tails))
                     - self.stage_feed_kg_per_yr * value(self._u235(self.stage_feed)))
        return float(np.nansum(terms))

    def __repr__(self) -> str:
        def at(stream: StreamState) -> str:
            if stream.composition is None:
                return f"{stream.rate_kg_per_yr:.6g} kg U/yr"
            pct = 100 * self._u235(stream.composition.mass_fractions)
            return f"{stream.rate_kg_per_yr:.6g} kg U/yr at {pct:.4g} wt% U-235"

        return (f"CascadeState({self.name!r}: {self.n_stages} stages, "
                f"{int(self.machines_per_stage.sum())} machines; product {at(self.product)}; "
                f"tails {at(self.tails)})")

"""The enrichment physics engine: separative work, ideal cascades, machines, fixed cascades and
networks of them at steady state, and what a configuration can produce.

One module per question:

* :mod:`~enrichwatch.physics.swu`: binary enrichment balances and separative work
  (:func:`enrich`, :func:`reachable_product`, :func:`optimal_tails`, :func:`value_function`);
* :mod:`~enrichwatch.physics.separation`: stage separation factors for every isotope
  (:class:`WoodCentrifuge`, :class:`WoodDiffusion`, :class:`PerUnitMass`);
* :mod:`~enrichwatch.physics.ideal`: multi-isotope ideal (matched-abundance-ratio) cascades
  (:func:`ideal_cascade`);
* :mod:`~enrichwatch.physics.centrifuge`: the separation formulas of one centrifuge (stage
  relations, Glaser's eq. 10 for a rotor, :class:`RotorGeometry`, and the Dirac bound);
* :mod:`~enrichwatch.physics.machines`: the machine model and the sourced machine catalog
  (:func:`load_catalog`, :class:`Machine`, :class:`MachineCatalog`);
* :mod:`~enrichwatch.physics.cascade` and :mod:`~enrichwatch.physics.network`: fixed cascades
  (:func:`design_cascade`, :class:`FixedCascade`) and networks of them (:class:`Network`,
  :class:`Link`, :class:`ExternalFeed`), solved by :mod:`~enrichwatch.physics.steady_state`
  (on the stages and streams of :mod:`~enrichwatch.physics.stage_graph`) into
  :class:`CascadeState` and :class:`NetworkState` values;
* :mod:`~enrichwatch.physics.capability`: the rate for an assay and the months to one
  significant quantity, the highest assay over the withdrawal rate (:func:`rate_for_assay`,
  :func:`max_assay`, :func:`months_to_one_sq`; :func:`~.capability.maximum_assay` labels it);
* :mod:`~enrichwatch.physics.plots`: network diagrams and stage profiles (matplotlib).

The names are loaded lazily (PEP 562), each from its module on first use, so that importing
one module (``from enrichwatch.physics.swu import enrich``: numpy only) does not load the
others (SciPy).

Examples
--------
>>> from enrichwatch import physics
>>> from enrichwatch.composition import Assay
>>> w = Assay.from_weight_percent
>>> round(physics.enrich(w(0.711), w(3.5), w(0.3), product_kg=1.0).swu_kg, 3)
4.339
"""

from __future__ import annotations

from ..lazy import lazy_exports

# As typing.TYPE_CHECKING (without importing typing): type checkers read it as true, so they
# see the imports below; at run time __getattr__ loads each name on first use.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from .capability import RateAtAssay, max_assay, months_to_one_sq, rate_for_assay
    from .cascade import CascadeDesign, FixedCascade, design_cascade
    from .centrifuge import (
        RotorGeometry,
        dirac_separative_power,
        gamma_from_separative_power,
        raetz_separative_power,
        separative_power_from_gamma,
    )
    from .ideal import (
        IdealCascade,
        StageProfile,
        U235Fraction,
        ideal_cascade,
        ideal_cascade_from_stages,
        multi_isotope_value,
    )
    from .machines import CatalogError, Machine, MachineCatalog, load_catalog
    from .network import ExternalFeed, Link, Network, NetworkState
    from .plots import plot_network, plot_stage_profile
    from .separation import PerUnitMass, SeparationLaw, WoodCentrifuge, WoodDiffusion
    from .states import CascadeState, StreamState
    from .swu import (
        BinaryEnrichment,
        enrich,
        optimal_tails,
        reachable_product,
        value,
        value_function,
    )

#: Public name -> the module of this package that defines it.
_EXPORTS = {
    "BinaryEnrichment": "swu",
    "enrich": "swu",
    "optimal_tails": "swu",
    "reachable_product": "swu",
    "value": "swu",
    "value_function": "swu",
    "PerUnitMass": "separation",
    "SeparationLaw": "separation",
    "WoodCentrifuge": "separation",
    "WoodDiffusion": "separation",
    "IdealCascade": "ideal",
    "StageProfile": "ideal",
    "U235Fraction": "ideal",
    "ideal_cascade": "ideal",
    "ideal_cascade_from_stages": "ideal",
    "multi_isotope_value": "ideal",
    "RotorGeometry": "centrifuge",
    "dirac_separative_power": "centrifuge",
    "gamma_from_separative_power": "centrifuge",
    "raetz_separative_power": "centrifuge",
    "separative_power_from_gamma": "centrifuge",
    "CatalogError": "machines",
    "Machine": "machines",
    "MachineCatalog": "machines",
    "load_catalog": "machines",
    "CascadeState": "states",
    "StreamState": "states",
    "CascadeDesign": "cascade",
    "FixedCascade": "cascade",
    "design_cascade": "cascade",
    "ExternalFeed": "network",
    "Link": "network",
    "Network": "network",
    "NetworkState": "network",
    "RateAtAssay": "capability",
    "max_assay": "capability",
    "months_to_one_sq": "capability",
    "rate_for_assay": "capability",
    "plot_network": "plots",
    "plot_stage_profile": "plots",
}

__all__ = [
    "BinaryEnrichment",
    "CascadeDesign",
    "CascadeState",
    "CatalogError",
    "ExternalFeed",
    "FixedCascade",
    "IdealCascade",
    "Link",
    "Machine",
    "MachineCatalog",
    "Network",
    "NetworkState",
    "PerUnitMass",
    "RateAtAssay",
    "RotorGeometry",
    "SeparationLaw",
    "StageProfile",
    "StreamState",
    "U235Fraction",
    "WoodCentrifuge",
    "WoodDiffusion",
    "design_cascade",
    "dirac_separative_power",
    "enrich",
    "gamma_from_separative_power",
    "ideal_cascade",
    "ideal_cascade_from_stages",
    "load_catalog",
    "max_assay",
    "months_to_one_sq",
    "multi_isotope_value",
    "optimal_tails",
    "plot_network",
    "plot_stage_profile",
    "raetz_separative_power",
    "rate_for_assay",
    "reachable_product",
    "separative_power_from_gamma",
    "value",
    "value_function",
]


if not TYPE_CHECKING:  # hidden from type checkers, so that they flag unknown names
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), __all__)

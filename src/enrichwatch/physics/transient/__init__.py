"""Cascades in time: the binary U-235/U-238 transient model of fixed cascades and networks.

Every steady-state model answers "what does this configuration produce?"; this one answers
"what happens on the way there?": during a start-up, a feed interruption, a throttled or closed
withdrawal, or a re-piping, the assay at some point of a cascade can rise above its steady value,
for a time, and some uranium can be withdrawn or held at that assay.

The model (stage equations of the kind in Cohen, The Theory of Isotope Separation, 1951)
in its modules:

* :mod:`.stage`: the binary stage relation (heads and tails assays from the hold-up assay);
* :mod:`.system`: routing, flow closures and the stage balances with their analytic sparse
  Jacobian (:class:`Routing`, :class:`Operation`, :func:`stage_flows`, :class:`Model`);
* :mod:`.integrate`: segments integrated in turn by an implicit solver with threshold events
  (:func:`integrate`, :class:`Watch`);
* :mod:`.radau`: scipy's Radau with its dense LU called straight from LAPACK (the same numbers
  as ``method="Radau"``, less Python work per step);
* :mod:`.batch`: the variants of a sweep integrated together as one stacked system
  (:func:`integrate_batch`: each variant within the tolerances on every step), and the runs
  of several histories and plants (:func:`integrate_requests`: those sharing their segment
  times and size stacked);
* :mod:`.newton`: the Newton matrices of a stacked system (block lower triangular blocks, their
  stage blocks as one banded matrix) and :class:`~.newton.StackedRadau`, scipy's Radau that
  factorises them for all runs at once;
* :mod:`.analysis`: steady limits, time constants, peaks, settling, uranium above an assay;
* :mod:`.plant`: operating histories over the plant descriptions of the steady solver
  (:class:`History`, :class:`Configuration`, :class:`Segment`, :class:`HoldUp`);
* :mod:`.results`: :func:`run_history`, :func:`run_histories` (several variants at once),
  :func:`run_history_sets` (several histories at once) and
  :class:`TransientResult`;
* :mod:`.uncertainty`: the uncertain inputs swept (:func:`sweep_history`;
  :func:`sweep_histories` for several histories at once).

Multi-isotope transients are not modelled: the binary form is exact for U-235/U-238 feeds;
minor isotopes are counted with U-238.
"""

from .analysis import (
    equilibrium_time_scale,
    peak,
    settling_time,
    steady_limit,
    time_constants,
    withdrawn_above,
)
from .batch import integrate_batch, integrate_requests
from .integrate import METHODS, Crossing, Run, Watch, initial_state, integrate
from .plant import (
    HOURS_PER_YEAR,
    Configuration,
    FeedSetting,
    History,
    HoldUp,
    Segment,
    ValveSetting,
    Variant,
)
from .results import (
    SegmentSummary,
    TransientResult,
    run_histories,
    run_history,
    run_history_sets,
)
from .stage import heads_assay, point_assays, tails_assay
from .system import CLOSURES, FlowSolution, Model, Operation, Routing, stage_flows
from .uncertainty import Range, Sweep, sweep_histories, sweep_history, variants

__all__ = [
    "CLOSURES",
    "HOURS_PER_YEAR",
    "METHODS",
    "Configuration",
    "Crossing",
    "FeedSetting",
    "FlowSolution",
    "History",
    "HoldUp",
    "Model",
    "Operation",
    "Range",
    "Routing",
    "Run",
    "Segment",
    "SegmentSummary",
    "Sweep",
    "TransientResult",
    "ValveSetting",
    "Variant",
    "Watch",
    "equilibrium_time_scale",
    "heads_assay",
    "initial_state",
    "integrate",
    "integrate_batch",
    "integrate_requests",
    "peak",
    "point_assays",
    "run_histories",
    "run_history",
    "run_history_sets",
    "settling_time",
    "stage_flows",
    "steady_limit",
    "sweep_histories",
    "sweep_history",
    "tails_assay",
    "time_constants",
    "variants",
    "withdrawn_above",
]

"""enrichwatch: safeguards analysis of uranium enrichment plants.

``import enrichwatch as ew`` is the public face: every name in ``__all__`` (listed, with an
example each, in docs/api.md) is re-exported from the package that defines it. Names load
lazily (PEP 562): ``import enrichwatch`` itself loads neither numpy, SciPy nor SQLAlchemy, and
the first use of a name loads only its package (``ew.enrich``: numpy; ``ew.RecordStore``:
SQLAlchemy). The packages themselves (``ew.physics``, ``ew.records``, ...) load the same way.

Examples
--------
>>> import enrichwatch as ew
>>> w = ew.Assay.from_weight_percent
>>> round(ew.enrich(w(0.711), w(90.0), w(0.3), product_kg=25.0).swu_kg, 1)
4823.4
"""

# Nothing is imported here at run time, not even `typing` (~10 ms) or `importlib` (with
# `warnings`): type checkers read TYPE_CHECKING as true, so they see the imports below;
# at run time __getattr__ (enrichwatch.lazy) loads each name on first use.
TYPE_CHECKING = False

if TYPE_CHECKING:  # what type checkers and IDEs see
    from .breakout import (
        StateFileError,
        breakout_timeline,
        load_state,
        monte_carlo,
        plan_breakout,
    )
    from .composition import Assay, Composition, kg_u_to_kg_uf6, kg_uf6_to_kg_u
    from .errors import (
        AssayError,
        ConfigurationError,
        ConvergenceError,
        EnrichwatchError,
        EnrichwatchWarning,
        InputError,
        MassError,
        UnknownNameError,
    )
    from .evaluation import RuleSetError, case_records, evaluate, load_rule_set
    from .facility import (
        Facility,
        FacilityFileError,
        compare_results,
        load_facility,
        save_facility,
        solve_plant,
    )
    from .files import ProblemsError
    from .physics import (
        CatalogError,
        ExternalFeed,
        FixedCascade,
        Link,
        Machine,
        MachineCatalog,
        Network,
        PerUnitMass,
        U235Fraction,
        WoodCentrifuge,
        WoodDiffusion,
        design_cascade,
        enrich,
        ideal_cascade,
        load_catalog,
        max_assay,
        months_to_one_sq,
        optimal_tails,
        rate_for_assay,
        reachable_product,
        value_function,
    )
    from .records import (
        RecordDraft,
        RecordError,
        RecordStore,
        Signer,
        StoreError,
        load_case_file,
        read_case_file,
    )
    from .report import (
        ReportConfiguration,
        render_breakout_report,
        render_compare_report,
        render_evaluation_report,
        render_solve_report,
        render_timeline_report,
        write_report,
    )

__version__ = "0.1.0"

#: Package (its public face, ``enrichwatch.<package>.__all__``) -> the names re-exported here.
_FACES = {
    "composition": ("Assay", "Composition", "kg_u_to_kg_uf6", "kg_uf6_to_kg_u"),
    "physics": (
        # separative work
        "enrich", "reachable_product", "optimal_tails", "value_function",
        # ideal cascades and separation laws
        "ideal_cascade", "U235Fraction", "WoodCentrifuge", "WoodDiffusion", "PerUnitMass",
        # machines
        "load_catalog", "Machine", "MachineCatalog", "CatalogError",
        # fixed cascades and networks, and what they can produce
        "design_cascade", "FixedCascade", "Network", "Link", "ExternalFeed",
        "max_assay", "rate_for_assay", "months_to_one_sq",
    ),
    "facility": ("Facility", "load_facility", "save_facility", "solve_plant", "compare_results",
                 "FacilityFileError"),
    "records": ("RecordStore", "RecordDraft", "Signer", "read_case_file", "load_case_file",
                "RecordError", "StoreError"),
    "evaluation": ("evaluate", "case_records", "load_rule_set", "RuleSetError"),
    "breakout": ("load_state", "plan_breakout", "monte_carlo", "breakout_timeline",
                 "StateFileError"),
    "report": ("write_report", "render_solve_report", "render_compare_report",
               "ReportConfiguration", "render_evaluation_report", "render_breakout_report",
               "render_timeline_report"),
    "errors": ("EnrichwatchError", "InputError", "AssayError", "MassError", "UnknownNameError",
               "ConfigurationError", "ConvergenceError", "EnrichwatchWarning"),
    "files": ("ProblemsError",),
}

#: Public name -> the package it is loaded from.
_EXPORTS = {name: package for package, names in _FACES.items() for name in names}

#: Modules and packages reachable as attributes (``ew.physics``), loaded on first use too.
_SUBMODULES = ("breakout", "cli", "composition", "constants", "dates", "errors", "evaluation",
               "facility", "files", "physics", "records", "report")

__all__ = [
    "Assay",
    "AssayError",
    "CatalogError",
    "Composition",
    "ConfigurationError",
    "ConvergenceError",
    "EnrichwatchError",
    "EnrichwatchWarning",
    "ExternalFeed",
    "Facility",
    "FacilityFileError",
    "FixedCascade",
    "InputError",
    "Link",
    "Machine",
    "MachineCatalog",
    "MassError",
    "Network",
    "PerUnitMass",
    "ProblemsError",
    "RecordDraft",
    "RecordError",
    "RecordStore",
    "ReportConfiguration",
    "RuleSetError",
    "Signer",
    "StateFileError",
    "StoreError",
    "U235Fraction",
    "UnknownNameError",
    "WoodCentrifuge",
    "WoodDiffusion",
    "__version__",
    "breakout_timeline",
    "case_records",
    "compare_results",
    "design_cascade",
    "enrich",
    "evaluate",
    "ideal_cascade",
    "kg_u_to_kg_uf6",
    "kg_uf6_to_kg_u",
    "load_case_file",
    "load_catalog",
    "load_facility",
    "load_rule_set",
    "load_state",
    "max_assay",
    "monte_carlo",
    "months_to_one_sq",
    "optimal_tails",
    "plan_breakout",
    "rate_for_assay",
    "reachable_product",
    "read_case_file",
    "render_breakout_report",
    "render_compare_report",
    "render_evaluation_report",
    "render_solve_report",
    "render_timeline_report",
    "save_facility",
    "solve_plant",
    "value_function",
    "write_report",
]


def _lazy():
    # The helper is imported on first use, so that `import enrichwatch` loads no other module.
    from .lazy import lazy_exports

    return lazy_exports(__name__, _EXPORTS, globals(), __all__, submodules=_SUBMODULES)


if not TYPE_CHECKING:  # hidden from type checkers, so that they flag unknown names
    def __getattr__(name: str):
        return _lazy()[0](name)


def __dir__():
    return _lazy()[1]()

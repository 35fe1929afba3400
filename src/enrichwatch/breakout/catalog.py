"""The bundled machine catalog, read through the cache.

Building the bundled catalog designs its geometry-defined machines: the design feed of each
maximises Glaser's eq. 10, found with :mod:`scipy.optimize` (whose import alone takes ~0.4 s of
a command that otherwise starts in a fraction of that). With a cache active (:mod:`.cache`),
:func:`bundled_catalog` keeps the built machines on disk, keyed by the catalog's text and the
code, and a repeated run reads them back.

An entry read back is untrusted input: it must agree with the catalog file on every stated
figure (names and their order, ratings and ranges, design cuts, notes and sources, stage
factors, the design feeds they give and their ranges, rotor geometry, stated design feeds), and
a design feed the catalog leaves to eq. 10 must be a maximum of eq. 10 (checked at +-1e-5
relative). Otherwise it is a miss and the catalog is built again.

Examples
--------
>>> from enrichwatch.physics.machines import load_catalog
>>> bundled_catalog() == load_catalog()          # no cache active: the physics' own
True
"""

from __future__ import annotations

import dataclasses
import hashlib

from ..files import parse_toml, read_package_text
from ..physics.machines import Machine, MachineCatalog, RotorGeometry, feed_from_gamma, load_catalog
from .cache import EntryError, memoised

__all__ = ["bundled_catalog"]

_LABEL = "enrichwatch/data/machines.toml"
_FIELDS = tuple(f.name for f in dataclasses.fields(Machine))
_STEP = 1e-5              # relative step of the check that a design feed maximises eq. 10


def bundled_catalog() -> MachineCatalog:
    """The bundled machine catalog (:func:`~enrichwatch.physics.machines.load_catalog`), from
    the active cache when it holds it (see the module docstring)."""
    text = read_package_text("machines.toml")
    return memoised("catalog", lambda: {"label": _LABEL,
                                        "sha256": hashlib.sha256(text.encode()).hexdigest()},
                    load_catalog, _doc, lambda doc: _from_doc(doc, text))


def _doc(catalog: MachineCatalog) -> dict:
    return {"machines": [dataclasses.asdict(m) for m in catalog.machines]}


def _from_doc(doc, text: str) -> MachineCatalog:
    entries = parse_toml(text, _LABEL).get("machine")
    if not (isinstance(doc, dict) and set(doc) == {"machines"}
            and isinstance(doc["machines"], list) and isinstance(entries, list)
            and len(doc["machines"]) == len(entries)):
        raise EntryError("not the machines of this catalog")
    return MachineCatalog(tuple(_machine(f, e) for f, e in zip(doc["machines"], entries,
                                                                strict=True)), _LABEL)


def _machine(fields, entry: dict) -> Machine:
    """A machine from its cached fields, checked against its entry in the catalog file."""
    if not isinstance(fields, dict) or tuple(fields) != _FIELDS:
        raise EntryError("not the fields of a machine")
    values = dict(fields)
    for key in ("swu_range_per_yr", "gamma_range"):
        if isinstance(values[key], list):
            values[key] = tuple(values[key])
    if values["geometry"] is not None:
        values["geometry"] = RotorGeometry(**values["geometry"])
    machine = Machine(**values)                        # validates types and ranges
    if machine != _stated(machine, entry):
        raise EntryError(f"machine {machine.name!r} differs from the catalog file")
    return machine


def _stated(machine: Machine, entry: dict) -> Machine:
    """``machine`` with every figure the catalog file states put back from the file; its
    derived design feed kept, once checked (raises for a feed eq. 10 does not maximise)."""
    rating = entry["rating"]
    nominal = float(rating["nominal_swu_per_yr"])
    cut = float(entry.get("design_cut", 0.5))
    common = {"name": entry["name"], "nominal_swu_per_yr": nominal, "design_cut": cut,
              "swu_range_per_yr": (float(rating["low_swu_per_yr"]),
                                   float(rating["high_swu_per_yr"])),
              "notes": entry.get("notes", "")}
    if "separation" in entry:
        sep = entry["separation"]
        ranged = "low_gamma" in sep or "high_gamma" in sep
        return dataclasses.replace(
            machine, **common, geometry=None,
            design_feed_kg_per_yr=float(feed_from_gamma(nominal, float(sep["gamma"]), cut)),
            gamma_range=(float(sep["low_gamma"]), float(sep["high_gamma"])) if ranged else None,
            source=f"rating: {rating['source']}; separation: {sep['source']}")
    geo = entry["geometry"]
    stated = {k: float(v) for k, v in geo.items() if k not in ("source",
                                                                "design_feed_kg_per_yr")}
    feed = geo.get("design_feed_kg_per_yr")
    out = dataclasses.replace(
        machine, **common, geometry=RotorGeometry(**stated), gamma_range=None,
        design_feed_kg_per_yr=machine.design_feed_kg_per_yr if feed is None else float(feed),
        source=f"rating: {rating['source']}; geometry: {geo['source']}")
    if feed is None:
        _check_optimum(out)
    return out


def _check_optimum(machine: Machine) -> None:
    q = machine.design_feed_kg_per_yr
    best = machine.model_swu_per_yr or 0.0
    for factor in (1.0 - _STEP, 1.0 + _STEP):
        near = dataclasses.replace(machine, design_feed_kg_per_yr=q * factor)
        if not (near.model_swu_per_yr or 0.0) < best:
            raise EntryError(f"design feed of {machine.name!r} does not maximise eq. 10")

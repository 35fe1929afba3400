"""The machine catalog finds the design feed of a rotor-defined machine when it is first used.

Reading a catalog checks every entry; only eq. 10's optimisation of the design feed (and the
import of scipy.optimize it needs) waits for the first use of that machine (issue 14). The
machines built late must be the very machines an eager build gives, and an entry whose
optimisation fails must say so, naming the file and the machine, when it is used.
"""

import dataclasses
import pickle
import subprocess
import sys

import pytest

from enrichwatch.errors import InputError
from enrichwatch.files import parse_toml, read_package_text
from enrichwatch.physics.machines import (
    CatalogError,
    Machine,
    MachineCatalog,
    RotorGeometry,
    load_catalog,
)

RATED = """
[[machine]]
name = "Rated-1"
[machine.rating]
nominal_swu_per_yr = 2.0
low_swu_per_yr = 1.5
high_swu_per_yr = 2.5
source = "test fixture"
[machine.separation]
gamma = 1.3
source = "test fixture"
"""

ROTOR = """
[[machine]]
name = "Rotor-1"
design_cut = 0.5
[machine.rating]
nominal_swu_per_yr = 5.0
low_swu_per_yr = 4.0
high_swu_per_yr = 6.5
source = "test fixture"
[machine.geometry]
length_m = 1.0
diameter_m = 0.15
speed_m_s = 485.0
flow_ratio = 2.0
source = "test fixture"
"""

# k = L/F = 1000: eq. 10 at cut 0.5 has no maximum inside the design-feed search (found by
# running the optimisation: it ends at a search bound); every figure on its own is allowed
NO_OPTIMUM = ROTOR.replace("Rotor-1", "Flat-1").replace("flow_ratio = 2.0", "flow_ratio = 1000.0")


def _write(tmp_path, text, name="catalog.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _eager(entry: dict) -> Machine:
    """The machine of a bundled [geometry] entry built at once by Machine.from_geometry."""
    rating, geo = entry["rating"], entry["geometry"]
    figures = {k: float(v) for k, v in geo.items() if k != "source"}
    return Machine.from_geometry(
        entry["name"], RotorGeometry(**figures), swu_per_yr=float(rating["nominal_swu_per_yr"]),
        swu_range_per_yr=(float(rating["low_swu_per_yr"]), float(rating["high_swu_per_yr"])),
        cut=float(entry.get("design_cut", 0.5)),
        source=f"rating: {rating['source']}; geometry: {geo['source']}",
        notes=entry.get("notes", ""))


def _run(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True)


def test_loading_the_bundled_catalog_optimises_nothing():
    _run("import sys\n"
         "from enrichwatch.physics.machines import load_catalog\n"
         "cat = load_catalog()\n"
         "assert cat.names[:3] == ('P-1', 'P-2', 'IR-1'), cat.names\n"
         "assert 'P-1' in cat and len(cat) == 7\n"
         "cat.get('IR-6').gamma_235(300.0, 0.5)\n"
         "assert 'scipy.optimize' not in sys.modules\n"
         "assert cat.get('IR-1').design_feed_kg_per_yr > 0.0\n"
         "assert 'scipy.optimize' in sys.modules\n")


def test_rotor_machines_built_late_equal_an_eager_build(tmp_path):
    text = read_package_text("machines.toml")
    rotors = [e for e in parse_toml(text, "machines.toml")["machine"] if "geometry" in e]
    assert len(rotors) == 3                       # P-1, P-2, IR-1 in the bundled catalog
    fresh = load_catalog(_write(tmp_path, text))  # not the process-wide bundled catalog
    for entry in rotors:
        late = fresh.get(entry["name"])
        assert late == _eager(entry)              # every field exactly, the design feed too
        assert late.model_swu_per_yr == _eager(entry).model_swu_per_yr


def test_a_machine_is_built_once_and_kept(tmp_path):
    cat = load_catalog(_write(tmp_path, ROTOR + RATED))
    first = cat.get("rotor 1")
    assert cat.get("ROTOR_1") is first
    assert next(iter(cat)) is first and cat.machines[0] is first


def test_a_lazy_catalog_equals_its_built_machines(tmp_path):
    path = _write(tmp_path, ROTOR + RATED)
    lazy, built = load_catalog(path), load_catalog(path)
    eager = MachineCatalog(built.machines, str(path))
    assert lazy == eager and hash(lazy) == hash(eager)
    assert lazy != MachineCatalog(built.machines, "elsewhere.toml")
    assert lazy != MachineCatalog(built.machines[::-1], str(path))
    with pytest.raises(dataclasses.FrozenInstanceError):
        lazy.path = "other"                       # type: ignore[misc]


def test_an_unused_lazy_catalog_pickles(tmp_path):
    cat = load_catalog(_write(tmp_path, ROTOR))
    back = pickle.loads(pickle.dumps(cat))
    assert back.get("Rotor-1") == cat.get("Rotor-1")


@pytest.mark.parametrize("change, fragment", [
    (("speed_m_s = 485.0", "speed_m_s = 100.0"), "(Rotor-1): speed_m_s"),      # no r1/r2
    (("length_m = 1.0", "length_m = -1.0"), "(Rotor-1): length_m"),
    (("low_swu_per_yr = 4.0", "low_swu_per_yr = 5.5"), "(Rotor-1): swu_range_per_yr"),
    (("design_cut = 0.5", "design_cut = 1.5"), "(Rotor-1): cut"),
    (("name = \"Rotor-1\"", "name = \" \""), "name"),
    (("flow_ratio = 2.0", "flow_ratio = \"2\""), "(Rotor-1).geometry.flow_ratio"),
])
def test_bad_rotor_entries_are_still_refused_at_load(tmp_path, change, fragment):
    path = _write(tmp_path, ROTOR.replace(*change))
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert str(path) in str(info.value) and fragment in str(info.value)


def test_a_design_feed_eq10_cannot_find_is_reported_on_first_use(tmp_path):
    path = _write(tmp_path, RATED + NO_OPTIMUM)
    cat = load_catalog(path)                      # every figure is allowed: the load succeeds
    assert cat.names == ("Rated-1", "Flat-1") and "flat 1" in cat
    assert cat.get("Rated-1").design_gamma == pytest.approx(1.3, rel=1e-12)
    for _ in range(2):                            # the same error each time, nothing kept
        with pytest.raises(CatalogError) as info:
            cat.get("Flat-1")
        message = str(info.value)
        assert str(path) in message and "machine[1] (Flat-1).geometry" in message
        assert "eq. 10" in message and "design_feed_kg_per_yr" in message
        assert isinstance(info.value, InputError)
    with pytest.raises(CatalogError, match=r"\(Flat-1\)"):
        list(cat)


def test_a_stated_design_feed_needs_no_optimisation(tmp_path):
    text = NO_OPTIMUM.replace('flow_ratio = 1000.0\n',
                              'flow_ratio = 1000.0\ndesign_feed_kg_per_yr = 300.0\n')
    machine = load_catalog(_write(tmp_path, text)).get("Flat-1")
    assert machine.design_feed_kg_per_yr == 300.0
    assert machine.separative_power(300.0, 0.5) == pytest.approx(5.0, rel=1e-12)

"""Helpers of the breakout tests (imported by name: the test directories are not packages)."""

from enrichwatch.breakout import CascadeGroup
from enrichwatch.composition import Assay
from enrichwatch.physics.machines import load_catalog

W = Assay.from_weight_percent
CATALOG = load_catalog()


def group(name, machine="IR-6", machines=166, count=1, **kw):
    return CascadeGroup(name, CATALOG.get(machine), machines, count, **kw)

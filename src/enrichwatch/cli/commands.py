"""Registers every command module on the app (imported by :func:`enrichwatch.cli.main`)."""

from . import machines, physics, plant, records  # noqa: F401

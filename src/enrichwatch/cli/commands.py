"""Registers every command module on the app (imported by :func:`enrichwatch.cli.main`)."""

from . import breakout, machines, physics, plant, records  # noqa: F401

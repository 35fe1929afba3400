"""Alembic migrations of the records store, run by :meth:`RecordStore.init` (programmatically;
the ``alembic`` command is not needed). Script location: ``enrichwatch.records:migrations``."""

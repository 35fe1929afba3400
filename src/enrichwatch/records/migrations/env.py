"""Alembic environment: runs on the connection (already in a locked transaction) that
:meth:`enrichwatch.records.RecordStore.init` passes in ``config.attributes["connection"]``."""

from alembic import context


def run_migrations() -> None:
    """Run the migrations on the connection handed over by ``RecordStore.init``."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run the records migrations through RecordStore.init() (online only)")
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


if hasattr(context, "config"):  # only while Alembic runs this script (not on a plain import)
    run_migrations()

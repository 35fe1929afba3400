"""The database tables (SQLAlchemy Core), as the migrations in ``migrations/`` create them.

``records`` is the append-only ledger: one row per record, every text exactly as hashed (dates
``YYYY-MM-DD``, ``recorded_at`` ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, ``payload`` canonical JSON), so
that a changed byte anywhere changes the recomputed hash. Database triggers reject UPDATE and
DELETE on it. ``ledger_head`` is a single row holding the last id and hash written, updated in
the same transaction as each append (it detects records deleted from the end, and its
``last_id`` may only grow).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from .snapshot import HEAD_REVISION  # (defined where SQLAlchemy is not needed)

__all__ = ["HEAD_REVISION", "RECORD_COLUMNS", "ledger_head", "metadata", "records"]


metadata = MetaData()

records = Table(
    "records", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("kind", Text, nullable=False),
    Column("facility", Text, nullable=False),
    Column("valid_from", String(10), nullable=False),
    Column("known_on", String(10), nullable=False),
    Column("recorded_at", String(27), nullable=False),
    Column("supersedes", Integer, ForeignKey("records.id"), nullable=True, unique=True),
    Column("source", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("submitted_by", Text, nullable=True),
    Column("signature", String(128), nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_records_facility_kind", "facility", "kind"),
    Index("ix_records_kind", "kind"),
)

ledger_head = Table(
    "ledger_head", metadata,
    Column("singleton", Integer, primary_key=True, autoincrement=False),
    Column("last_id", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
    CheckConstraint("singleton = 1", name="ck_ledger_head_singleton"),
)

#: The columns of ``records`` in :class:`~enrichwatch.records.chain.StoredRow` order.
RECORD_COLUMNS = tuple(records.c)

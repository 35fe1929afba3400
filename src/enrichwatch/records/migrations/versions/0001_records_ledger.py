"""The records ledger: the append-only ``records`` table, the ``ledger_head`` row, and the
triggers that make the database itself refuse UPDATE and DELETE of records.

Revision ID: 0001_records_ledger
Revises:
Create Date: 2024-06-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_records_ledger"
down_revision = None
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER records_no_update BEFORE UPDATE ON records
       BEGIN SELECT RAISE(ABORT, 'records are append-only: UPDATE is not allowed'); END""",
    """CREATE TRIGGER records_no_delete BEFORE DELETE ON records
       BEGIN SELECT RAISE(ABORT, 'records are append-only: DELETE is not allowed'); END""",
    """CREATE TRIGGER ledger_head_no_delete BEFORE DELETE ON ledger_head
       BEGIN SELECT RAISE(ABORT, 'the ledger head cannot be deleted'); END""",
    """CREATE TRIGGER ledger_head_only_grows BEFORE UPDATE ON ledger_head
       WHEN NEW.last_id < OLD.last_id
       BEGIN SELECT RAISE(ABORT, 'the ledger head may only move forward'); END""",
)

_POSTGRES_TRIGGERS = (
    """CREATE FUNCTION records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'records are append-only: % is not allowed', TG_OP
           USING ERRCODE = 'insufficient_privilege';
       END $$""",
    """CREATE FUNCTION ledger_head_only_grows() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP <> 'UPDATE' OR NEW.last_id < OLD.last_id THEN
           RAISE EXCEPTION 'the ledger head may only move forward (% refused)', TG_OP
             USING ERRCODE = 'insufficient_privilege';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER records_no_update_delete BEFORE UPDATE OR DELETE ON records
       FOR EACH ROW EXECUTE FUNCTION records_append_only()""",
    """CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON records
       FOR EACH STATEMENT EXECUTE FUNCTION records_append_only()""",
    """CREATE TRIGGER ledger_head_guard BEFORE UPDATE OR DELETE ON ledger_head
       FOR EACH ROW EXECUTE FUNCTION ledger_head_only_grows()""",
    """CREATE TRIGGER ledger_head_no_truncate BEFORE TRUNCATE ON ledger_head
       FOR EACH STATEMENT EXECUTE FUNCTION records_append_only()""",
)


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("facility", sa.Text, nullable=False),
        sa.Column("valid_from", sa.String(10), nullable=False),
        sa.Column("known_on", sa.String(10), nullable=False),
        sa.Column("recorded_at", sa.String(27), nullable=False),
        sa.Column("supersedes", sa.Integer, sa.ForeignKey("records.id"), nullable=True,
                  unique=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("submitted_by", sa.Text, nullable=True),
        sa.Column("signature", sa.String(128), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_records_facility_kind", "records", ["facility", "kind"])
    op.create_index("ix_records_kind", "records", ["kind"])
    head = op.create_table(
        "ledger_head",
        sa.Column("singleton", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_id", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.CheckConstraint("singleton = 1", name="ck_ledger_head_singleton"),
    )
    op.bulk_insert(head, [{"singleton": 1, "last_id": 0, "last_hash": GENESIS_HASH}])
    dialect = op.get_bind().dialect.name
    triggers = _POSTGRES_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("the records ledger is append-only: there is no downgrade")

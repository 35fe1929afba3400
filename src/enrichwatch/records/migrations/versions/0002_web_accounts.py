"""Accounts of the web application (``enrichwatch.web.accounts``): accounts with their role,
party and hashed password, the facilities a state operator is bound to, API tokens (stored
hashed) and the audit trail of account administration. They live beside the ledger, in the
same database; they are not records (the ledger's kinds are unchanged) and not hash-chained.

Revision ID: 0002_web_accounts
Revises: 0001_records_ledger
Create Date: 2026-01-15
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_web_accounts"
down_revision = "0001_records_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_accounts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("party", sa.String(64), nullable=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.String(27), nullable=False),
    )
    op.create_table(
        "web_account_facilities",
        sa.Column("account_id", sa.Integer, sa.ForeignKey("web_accounts.id"),
                  primary_key=True),
        sa.Column("facility", sa.String(32), primary_key=True),
    )
    op.create_table(
        "web_api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("web_accounts.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.String(27), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "web_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(27), nullable=False),
        sa.Column("account", sa.String(64), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("web_audit")
    op.drop_table("web_api_tokens")
    op.drop_table("web_account_facilities")
    op.drop_table("web_accounts")

"""Failed logins of the web application (``enrichwatch.web.accounts.LoginLimiter``): one row
per failed attempt, counted per account name and per client address, with its time (seconds
since the epoch, UTC). They used to be counted in each server process's memory; in the
database, every process serving one database shares the limit. Rows older than the window are
deleted as new attempts come.

Revision ID: 0003_web_login_failures
Revises: 0002_web_accounts
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_web_login_failures"
down_revision = "0002_web_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("at_s", sa.Float, nullable=False),
    )
    op.create_index("ix_web_login_failures_subject", "web_login_failures",
                    ["scope", "subject", "at_s"])
    op.create_index("ix_web_login_failures_at", "web_login_failures", ["at_s"])


def downgrade() -> None:
    op.drop_index("ix_web_login_failures_at", "web_login_failures")
    op.drop_index("ix_web_login_failures_subject", "web_login_failures")
    op.drop_table("web_login_failures")

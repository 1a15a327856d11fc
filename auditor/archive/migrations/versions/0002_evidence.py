"""Evidence: chained raw captures, post versions linked to them, review decisions.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.Column("pruned_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    op.create_index("ix_captures_body_sha256", "captures", ["body_sha256"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("post_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decisions_finding_id", "decisions", ["finding_id"])
    with op.batch_alter_table("post_versions") as batch:
        batch.add_column(sa.Column("capture_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_post_versions_capture", "captures", ["capture_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("post_versions") as batch:
        batch.drop_constraint("fk_post_versions_capture", type_="foreignkey")
        batch.drop_column("capture_id")
    op.drop_index("ix_decisions_finding_id", "decisions")
    op.drop_table("decisions")
    op.drop_index("ix_captures_body_sha256", "captures")
    op.drop_table("captures")

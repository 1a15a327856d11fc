"""An account's last error as its parts: kind, message and advice, instead of one string.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("last_error_kind", sa.String(32), nullable=True))
        batch.add_column(sa.Column("last_error_advice", sa.Text(), nullable=True))
    accounts = sa.table(
        "accounts", sa.column("id", sa.Integer), sa.column("last_error", sa.Text),
        sa.column("last_error_kind", sa.String),
    )
    connection = op.get_bind()
    # Earlier versions stored "kind: message. advice"; keep the message whole, take the kind out.
    failed = sa.select(accounts.c.id, accounts.c.last_error).where(accounts.c.last_error.isnot(None))
    for row in connection.execute(failed):
        kind, _, rest = row.last_error.partition(": ")
        if rest and kind.replace("-", "").isalpha():
            connection.execute(
                accounts.update().where(accounts.c.id == row.id).values(last_error_kind=kind, last_error=rest)
            )


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("last_error_advice")
        batch.drop_column("last_error_kind")

"""scan chunks (fan-out progress)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('scans', sa.Column('chunks_total', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('scans', sa.Column('chunks_done', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('scans') as batch:
        batch.drop_column('chunks_done')
        batch.drop_column('chunks_total')

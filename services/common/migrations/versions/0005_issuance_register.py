"""issuance register and baselines

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issuances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), sa.ForeignKey('agencies.id'), nullable=False),
    sa.Column('reference', sa.String(length=160), nullable=False),
    sa.Column('doc_type', sa.String(length=120), nullable=True),
    sa.Column('issued_on', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('document_id', sa.Integer(), sa.ForeignKey('documents.id'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agency_id', 'reference', 'issued_on', name='uq_issuances_agency_ref_date'),
    )
    op.create_index('ix_issuances_agency_id', 'issuances', ['agency_id'])
    op.create_index('ix_issuances_issued_on', 'issuances', ['issued_on'])
    op.create_table('baselines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), sa.ForeignKey('agencies.id'), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agency_id', 'year', name='uq_baselines_agency_year'),
    )


def downgrade() -> None:
    op.drop_table('baselines')
    op.drop_index('ix_issuances_issued_on', 'issuances')
    op.drop_index('ix_issuances_agency_id', 'issuances')
    op.drop_table('issuances')

"""review queue: draft review state, versions, audit log

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 11:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents') as batch:
        batch.add_column(sa.Column('review_state', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('previous_version_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_documents_previous_version', 'documents', ['previous_version_id'], ['id'])
        batch.create_index('ix_documents_review_state', ['review_state'])
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), sa.ForeignKey('documents.id'), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('actor_key_id', sa.Integer(), sa.ForeignKey('api_keys.id'), nullable=True),
    sa.Column('actor_role', sa.String(length=20), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_events_document_id', 'audit_events', ['document_id'])


def downgrade() -> None:
    op.drop_index('ix_audit_events_document_id', 'audit_events')
    op.drop_table('audit_events')
    with op.batch_alter_table('documents') as batch:
        batch.drop_index('ix_documents_review_state')
        batch.drop_constraint('fk_documents_previous_version', type_='foreignkey')
        batch.drop_column('previous_version_id')
        batch.drop_column('submitted_at')
        batch.drop_column('review_state')

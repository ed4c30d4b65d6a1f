"""topic counts: keep demo bookings apart

Revision ID: c4f2a9d71b3e
Revises: 8b0bb8d8e523
Create Date: 2026-11-21 14:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4f2a9d71b3e'
down_revision = '8b0bb8d8e523'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('topic_count', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('demo', sa.Boolean(), nullable=False, server_default=sa.text('false'))
        )
        batch_op.drop_constraint('uq_topic_count_day_office_id_topic', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_topic_count_day_office_id_topic_demo'),
            ['day', 'office_id', 'topic', 'demo'],
        )


def downgrade():
    with op.batch_alter_table('topic_count', schema=None) as batch_op:
        batch_op.drop_constraint('uq_topic_count_day_office_id_topic_demo', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_topic_count_day_office_id_topic'), ['day', 'office_id', 'topic']
        )
        batch_op.drop_column('demo')

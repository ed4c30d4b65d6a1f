"""Topic counts written at booking time: the appointment's own topics are erased later."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from ..booking.slots import BERLIN
from ..extensions import db
from ..models import Appointment, TopicCount


def count_topics(appointment: Appointment) -> None:
    """Add one per topic of a new booking to its month's counts, in the booking's transaction.

    An insert-or-increment in one statement, so concurrent bookings never lose a count and
    never collide on the unique (day, office, topic, demo) constraint.
    """
    if not appointment.topics:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Per month, never per day: on a day with one booking at an office, a day's topic
    # counts would be that person's topics (health, violence), which the purge erases.
    day = appointment.created_at.astimezone(BERLIN).date().replace(day=1)
    # One statement for all topics; rows sorted, so two transactions lock the same rows in the
    # same order (no deadlock).
    office, demo = appointment.office_id, appointment.demo
    rows = [
        {"day": day, "office_id": office, "topic": topic, "demo": demo, "count": 1}
        for topic in sorted(set(appointment.topics))
    ]
    statement = insert(TopicCount).values(rows)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "office_id", "topic", "demo"],
            set_={"count": TopicCount.count + statement.excluded.count},
        )
    )

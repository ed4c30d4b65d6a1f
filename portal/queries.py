"""Database reads shared by the public pages and the JSON API."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .constants import SOURCE_LANGUAGE
from .extensions import db
from .models import Office, Service, SocialArea, Topic, TopicTranslation


def topics_in(lang: str) -> list[tuple[Topic, TopicTranslation]]:
    """Every topic with its text in ``lang`` (the German source where a translation is missing)."""
    topics = db.session.scalars(
        select(Topic).options(selectinload(Topic.translations)).order_by(Topic.position)
    )
    pairs = []
    for topic in topics:
        translation = topic.translation(lang) or topic.translation(SOURCE_LANGUAGE)
        if translation is not None:
            pairs.append((topic, translation))
    return pairs


def topic_by_slug(slug: str) -> Topic | None:
    return db.session.scalar(
        select(Topic)
        .where(Topic.slug == slug)
        .options(
            selectinload(Topic.translations),
            selectinload(Topic.services).selectinload(Service.appointment_types),
        )
    )


def services(slug: str | None = None) -> list[Service]:
    """Services in directory order with offices, opening hours and eligibility rules loaded."""
    query = (
        select(Service)
        .options(
            selectinload(Service.offices).selectinload(Office.opening_hours),
            selectinload(Service.offices).selectinload(Office.area),
            selectinload(Service.eligibility_rules),
            selectinload(Service.appointment_types),
        )
        .order_by(Service.position)
    )
    if slug is not None:
        query = query.where(Service.slug == slug)
    return list(db.session.scalars(query))


def areas() -> list[SocialArea]:
    return list(db.session.scalars(select(SocialArea).order_by(SocialArea.position)))

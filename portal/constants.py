"""Explicit constants shared by the portal, the API and the content loader."""

from enum import StrEnum

LANGUAGES: tuple[str, ...] = ("de", "en", "ar", "fa", "uk")
SOURCE_LANGUAGE = "de"
RTL_LANGUAGES = frozenset({"ar", "fa"})
# Names of the languages in their own script, for the language switcher.
NATIVE_NAMES: dict[str, str] = {
    "de": "Deutsch",
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی",
    "uk": "Українська",
}
TIMEZONE = "Europe/Berlin"

TOPIC_SLUGS: tuple[str, ...] = (
    "asylum-procedure",
    "residence-status",
    "family-reunification",
    "benefits",
    "housing",
    "health",
    "psychosocial-support",
    "work",
    "language-courses",
    "school-childcare",
    "legal-advice",
    "discrimination",
    "violence-protection",
    "return",
    "registration-documents",
)


class TranslationStatus(StrEnum):
    SOURCE = "source"  # the German original
    UP_TO_DATE = "up_to_date"
    OUTDATED = "outdated"
    MISSING = "missing"
    MACHINE_TRANSLATED = "machine_translated"
    IN_REVIEW = "in_review"


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    COUNSELLOR = "counsellor"


class ResidenceStatus(StrEnum):
    ASYLUM_SEEKER = "asylum-seeker"
    DULDUNG = "duldung"
    TEMPORARY_PROTECTION = "temporary-protection"
    PROTECTION_STATUS = "protection-status"
    RESIDENCE_PERMIT = "residence-permit"
    SETTLEMENT_PERMIT = "settlement-permit"
    LATE_REPATRIATE = "late-repatriate"
    EU_CITIZEN = "eu-citizen"
    GERMAN_CITIZEN = "german-citizen"


class Housing(StrEnum):
    COMMUNAL_ACCOMMODATION = "communal-accommodation"
    TRANSITIONAL_FLAT = "transitional-flat"
    OWN_FLAT = "own-flat"
    OTHER = "other"


class ContactChannel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    VIDEO = "video"


RESIDENCE_STATUS_CODES = frozenset(status.value for status in ResidenceStatus)
HOUSING_CODES = frozenset(housing.value for housing in Housing)
CONTACT_CHANNEL_CODES = frozenset(channel.value for channel in ContactChannel)


class SearchKind(StrEnum):
    TOPIC = "topic"
    SERVICE = "service"


# Nationwide emergency and help numbers, shown on every page as tap-to-call links.
EMERGENCY_NUMBERS: tuple[tuple[str, str], ...] = (
    ("110", "110"),
    ("112", "112"),
    ("116 016", "116016"),
    ("0800 111 0 111", "08001110111"),
)


class AppointmentMode(StrEnum):
    """How a counselling appointment takes place."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class Origin(StrEnum):
    """Where a booking was made."""

    PORTAL = "portal"
    CHAT = "chat"


class CancelledBy(StrEnum):
    CLIENT = "client"
    COUNSELLOR = "counsellor"


class MessageStatus(StrEnum):
    """Delivery state of a queued notification."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry
    CANCELLED = "cancelled"  # no longer relevant, e.g. a reminder for a cancelled appointment
    UNDELIVERABLE = "undeliverable"  # e.g. a reserved demo address that can never receive mail


class MessageKind(StrEnum):
    CLIENT_CONFIRMATION = "client_confirmation"
    CLIENT_RESCHEDULED = "client_rescheduled"
    CLIENT_CANCELLED = "client_cancelled"
    CLIENT_REMINDER = "client_reminder"
    COUNSELLOR_NEW = "counsellor_new"
    COUNSELLOR_CHANGED = "counsellor_changed"
    COUNSELLOR_CANCELLED = "counsellor_cancelled"


class MessageChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


APPOINTMENT_MODE_CODES = frozenset(mode.value for mode in AppointmentMode)
# Languages a client can ask an interpreter for (ISO 639-1), beyond the portal's own five.
INTERPRETER_LANGUAGES: tuple[str, ...] = (
    "ar",
    "fa",
    "uk",
    "ru",
    "en",
    "fr",
    "tr",
    "ku",
    "ps",
    "ti",
    "so",
    "sq",
    "sr",
    "ro",
    "pl",
)
INTERPRETER_LANGUAGE_CODES = frozenset(INTERPRETER_LANGUAGES)

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
    LEAD = "lead"  # head of a counselling service: the figures for the annual report


class WorkflowState(StrEnum):
    """Where a content revision stands. Only a published revision is ever shown to clients."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"


# Allowed moves between workflow states (a reviewer can send a revision back to draft).
WORKFLOW_TRANSITIONS: dict[WorkflowState, frozenset[WorkflowState]] = {
    WorkflowState.DRAFT: frozenset({WorkflowState.IN_REVIEW, WorkflowState.PUBLISHED}),
    WorkflowState.IN_REVIEW: frozenset({WorkflowState.DRAFT, WorkflowState.PUBLISHED}),
    WorkflowState.PUBLISHED: frozenset(),
}


class RecordType(StrEnum):
    """Kinds of editable records; a revision names its record by type and key (slug based)."""

    TOPIC_TRANSLATION = "topic_translation"  # key "<topic slug>:<lang>"
    SERVICE = "service"  # key: service slug
    OFFICE = "office"  # key: office slug
    CONSENT_TEXT = "consent_text"  # key "<purpose>:<lang>"


class RevisionOrigin(StrEnum):
    BASELINE = "baseline"  # the record as it was before its first edit in Lotse
    EDITOR = "editor"  # written by a person
    MACHINE = "machine"  # a machine-translation draft; always needs a person's review
    RESTORE = "restore"  # a copy of an older revision


class JobKind(StrEnum):
    MACHINE_TRANSLATION = "machine_translation"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


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


class ConsentPurpose(StrEnum):
    """What a client agrees to, each a separate and unticked choice (Art. 6, 7, 9 GDPR)."""

    ARRANGE_APPOINTMENT = "arrange-appointment"  # needed to book
    SHARE_SUMMARY = "share-summary"  # the pre-intake summary goes to the service and case system
    SPECIAL_CATEGORIES = "special-categories"  # health and vulnerability, Art. 9(2)(a)


class IntakeStatus(StrEnum):
    DRAFT = "draft"  # being answered; never shared
    SUBMITTED = "submitted"  # the client sent it; waiting for its summary to be prepared
    PREPARED = "prepared"  # summary built (with machine translation) and handed over
    WITHDRAWN = "withdrawn"  # consent withdrawn or deleted by the client; answers erased
    PURGED = "purged"  # retention period over; answers erased, counts kept


class HandoverEvent(StrEnum):
    INTAKE_SUBMITTED = "intake.submitted"
    INTAKE_WITHDRAWN = "intake.withdrawn"
    APPOINTMENT_CANCELLED = "appointment.cancelled"


class HandoverStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # gave up after the last attempt; staff can retry
    CANCELLED = "cancelled"  # withdrawn by the client before it was delivered


class CaseSystem(StrEnum):
    """Kinds of receiving systems, one module each in integrations/case_system/."""

    WEBHOOK = "webhook"
    EMAIL = "email"
    FILE_DROP = "file_drop"
    ZAMMAD = "zammad"


class AuditAction(StrEnum):
    INTAKE_VIEWED = "intake.viewed"
    INTAKE_MARKED_IMPORTED = "intake.marked_imported"
    HANDOVER_RETRIED = "handover.retried"
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    ACCOUNT_LOCKED = "auth.locked"
    ACCOUNT_UNLOCKED = "auth.unlocked"
    TOTP_ENROLLED = "auth.totp_enrolled"
    TOTP_RESET = "auth.totp_reset"
    RECOVERY_CODE_USED = "auth.recovery_code_used"
    PASSWORD_RESET = "auth.password_reset"
    PASSWORD_CHANGED = "auth.password_changed"
    USER_CREATED = "user.created"
    USER_CHANGED = "user.changed"
    CONTENT_SAVED = "content.saved"
    CONTENT_SUBMITTED = "content.submitted"
    CONTENT_RETURNED = "content.returned"
    CONTENT_PUBLISHED = "content.published"
    CONTENT_RESTORED = "content.restored"
    CONTENT_CONFIRMED = "content.confirmed"
    MACHINE_DRAFT_REQUESTED = "content.machine_draft"
    CONTENT_EXPORTED = "content.exported"
    FIGURES_VIEWED = "figures.viewed"
    FIGURES_EXPORTED = "figures.exported"
    AUDIT_VIEWED = "audit.viewed"


class Urgency(StrEnum):
    VERY_URGENT = "very-urgent"  # today or in the next days
    SOON = "soon"  # in the next weeks
    NOT_URGENT = "not-urgent"


class YesNo(StrEnum):
    YES = "yes"
    NO = "no"


class LetterKind(StrEnum):
    """Letters that often carry a deadline."""

    ASYLUM_DECISION = "asylum-decision"  # BAMF decision, appeal deadline
    HEARING_INVITATION = "hearing-invitation"  # Anhörung
    FOREIGNERS_AUTHORITY = "foreigners-authority"
    BENEFITS_OFFICE = "benefits-office"  # Jobcenter, Sozialamt
    COURT = "court"
    FAMILY_REUNIFICATION = "family-reunification"
    OTHER = "other"


class VulnerabilityIndicator(StrEnum):
    """The groups of Art. 21 of Directive 2013/33/EU (reception conditions)."""

    MINOR = "minor"
    UNACCOMPANIED_MINOR = "unaccompanied-minor"
    DISABILITY = "disability"
    OLDER_PERSON = "older-person"
    PREGNANCY = "pregnancy"
    SINGLE_PARENT = "single-parent"
    SERIOUS_ILLNESS = "serious-illness"
    MENTAL_HEALTH = "mental-health"
    VIOLENCE_SURVIVOR = "violence-survivor"  # torture, rape or other serious violence
    TRAFFICKING = "trafficking"


# The one answer every question offers.
UNKNOWN = "unknown"


class ChatCountKind(StrEnum):
    """What the chat statistics count (never any text)."""

    CONVERSATION = "conversation"  # a new conversation, by language
    MESSAGE = "message"  # a client message, by language and detected intent

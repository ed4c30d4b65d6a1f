"""The assistant through the portal's chat page, with real Rasa, action server and portal.

Per language: greeting → topic question → booking a real free slot → booking code; an
emergency in the middle of a booking; a language switch; a Russian message; bad input.
Expected texts come from the same catalogs the assistant uses (locales/*/bot.po).
"""

from __future__ import annotations

import re
from functools import cache

import httpx
import pytest
from babel.support import Translations

from portal import create_app
from portal.cli import create_user
from portal.constants import RecordType, Role
from portal.editor import revisions, topic_records

from .conftest import ROOT, Chat, System

LANGUAGES = ("de", "en", "ar", "fa", "uk")
CODE = re.compile(r"\b[2-9BCDFGHJKMNPQRSTVWXZ]{4}-[2-9BCDFGHJKMNPQRSTVWXZ]{4}\b")
EMERGENCY_NUMBERS = ("112", "110", "116 016", "0800 111 0 111")
EMERGENCY_LINKS = ("tel:112", "tel:110", "tel:116016", "tel:08001110111")

MESSAGES = {
    "de": {
        "greet": "Hallo, guten Tag",
        "topic": ("wie lange dauert mein asylverfahren beim BAMF?", "asylum-procedure"),
        "book": "Ich möchte einen Termin bei der Beratung",
        "emergency": "Hilfe mein Mann schlägt mich gerade und droht mich umzubringen",
    },
    "en": {
        "greet": "hi there",
        "topic": ("my wife is still in turkey how can i bring her here", "family-reunification"),
        "book": "can i book an appointment with a counsellor",
        "emergency": "my flat is on fire and my child is inside",
    },
    "ar": {
        "greet": "مرحبا",
        "topic": ("بدي اعرف كيف جيب مرتي وولادي لالمانيا", "family-reunification"),
        "book": "بدي احجز موعد عند المستشار",
        "emergency": "زوجي عم يضربني هلق وبدو يقتلني",
    },
    "fa": {
        "greet": "سلام وقت بخیر",
        "topic": ("من دنبال خونه هستم چطوری از کمپ برم بیرون", "housing"),
        "book": "میخوام یه وقت مشاوره بگیرم",
        "emergency": "میخوام خودمو بکشم دیگه نمیتونم",
    },
    "uk": {
        "greet": "Добрий день",
        "topic": ("як продовжити дозвіл на проживання за §24", "residence-status"),
        "book": "хочу записатися на консультацію",
        "emergency": "в квартирі пожежа допоможіть",
    },
}


@cache
def catalog(lang: str) -> Translations:
    return Translations.load(str(ROOT / "locales"), [lang], domain="bot")


def text(lang: str, msgid: str, **values: object) -> str:
    """The catalog text whose English source is, or starts with, msgid."""
    sources = [
        key for key in catalog("de")._catalog if isinstance(key, str) and key.startswith(msgid)
    ]
    assert sources, f"no text starting with {msgid!r} in the bot catalog"
    source = msgid if msgid in sources else sources[0]
    translated = source if lang == "en" else catalog(lang).gettext(source)
    return " ".join(translated.format(**values).split())


def joined(answers: list[str]) -> str:
    return " ".join(answers)


def topic_title(system: System, slug: str, lang: str) -> str:
    return str(
        httpx.get(f"{system.portal}/api/v1/topics/{slug}", params={"lang": lang}).json()["title"]
    )


def book_through_the_form(chat: Chat, lang: str, max_steps: int = 14) -> str:
    """Answer every step with the first offered button (skip contact, agree, book)."""
    answers = chat.say(MESSAGES[lang]["book"])
    for _step in range(max_steps):
        found = CODE.search(joined(answers))
        if found:
            return found.group(0)
        titles = [title for title, _payload in chat.page.buttons]
        for wanted in ("Book now", "I agree", "Skip", "No interpreter needed"):
            if text(lang, wanted) in titles:
                answers = chat.press(text(lang, wanted))
                break
        else:
            assert titles, f"no buttons to go on with: {answers}"
            answers = chat.press(chat.page.buttons[0][1])
    raise AssertionError(f"not booked after {max_steps} steps: {answers}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_greeting_topic_and_booking_in_every_language(system: System, lang: str) -> None:
    chat = Chat(system.portal, lang)
    greeting = joined(chat.say(MESSAGES[lang]["greet"]))
    assert greeting == text(lang, "Hello! I am Lotse")
    question, slug = MESSAGES[lang]["topic"]
    answer = joined(chat.say(question))
    assert topic_title(system, slug, lang) in answer, answer
    assert f"/{lang}/topics/{slug}" in answer
    code = book_through_the_form(chat, lang)
    page = joined(text for _who, text in chat.page.turns)
    assert f"/{lang}/appointments/" in page
    assert code in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_emergency_in_the_middle_of_a_booking(system: System, lang: str) -> None:
    chat = Chat(system.portal, lang)
    chat.say(MESSAGES[lang]["book"])
    question_before = [title for title, _ in chat.page.buttons]
    answers = joined(chat.say(MESSAGES[lang]["emergency"]))
    for number in EMERGENCY_NUMBERS:
        assert number in answers, (number, answers)
    assert set(EMERGENCY_LINKS) <= set(chat.page.links)
    assert (
        text(lang, "I am still here. When you are safe, we can continue where we stopped.")
        in answers
    )
    # The booking goes on where it stopped: the same question with the same buttons.
    assert [title for title, _ in chat.page.buttons] == question_before


def test_a_language_switch_changes_the_answers(system: System) -> None:
    chat = Chat(system.portal, "de")
    assert text("de", "Hello! I am Lotse") in joined(chat.say("Hallo"))
    switched = joined(chat.say("English please, I don't understand German"))
    assert "From now on I write in English." in switched, switched
    assert "I am a computer program" in joined(chat.say("are you a real person?"))


def test_one_ambiguous_word_keeps_the_language(system: System) -> None:
    chat = Chat(system.portal, "uk")
    chat.say("Добрий день")
    answers = joined(chat.say("سلام"))
    assert re.search("[а-яіїєґ]", answers.lower()), answers


def test_a_russian_message_is_answered_in_ukrainian(system: System) -> None:
    chat = Chat(system.portal, "de")
    answers = joined(chat.say("Здравствуйте, мне нужна квартира, как найти жильё?"))
    assert text("uk", "You wrote in Russian.") in answers
    assert "Deutsch" in [title for title, _ in chat.page.buttons]


def test_manage_a_booking_made_in_the_chat(system: System) -> None:
    chat = Chat(system.portal, "en")
    code = book_through_the_form(chat, "en")
    answers = joined(chat.say(f"I want to cancel my appointment {code}"))
    assert code in answers
    answers = joined(chat.press("Cancel this appointment"))
    assert f"Your appointment {code} is cancelled." in answers


def test_find_service_with_skipped_questions(system: System) -> None:
    chat = Chat(system.portal, "en")
    chat.say("which office is responsible for me?")
    for _question in range(4):
        chat.press("Skip")
    answers = joined([text for who, text in chat.page.turns if who == "bot"])
    assert "These services are responsible for you:" in answers
    assert "Opening hours:" in answers


def test_privacy_answer(system: System) -> None:
    chat = Chat(system.portal, "ar")
    answers = joined(chat.say("شو بتعملوا بمعلوماتي الشخصية؟ مين بيشوفها"))
    assert text("ar", "Your privacy: this chat keeps", hours=24) in answers


@pytest.mark.parametrize(
    ("message", "status"),
    [("", 422), ("   ", 422), ("x" * 20000, 422)],
)
def test_empty_or_huge_messages_get_a_translated_error_and_keep_the_text(
    system: System, message: str, status: int
) -> None:
    chat = Chat(system.portal, "de")
    response = chat.post({"message": message}, json=False)
    assert response.status_code == status
    assert "Nachricht" in response.text  # the German error, not an English one
    if message.strip():
        assert message in response.text  # nothing typed is lost


@pytest.mark.parametrize(
    "message",
    ["😀😀😀", "\u202eمرحبا\u202c\x00\x07", "سلام"],
)
def test_odd_input_gets_an_answer_in_the_conversation_language(
    system: System, message: str
) -> None:
    chat = Chat(system.portal, "de")
    chat.say("Hallo")
    answers = chat.say(message)
    assert answers
    assert not re.search("[\u0600-\u06ff]", joined(answers)), answers


def test_without_javascript_the_form_posts_and_redirects(system: System) -> None:
    chat = Chat(system.portal, "fa")
    response = chat.post({"message": "سلام"}, json=False)
    assert response.status_code == 303
    page = chat.client.get(response.headers["location"])
    assert "chat__turn--bot" in page.text and 'dir="auto"' in page.text


def test_a_payload_not_offered_is_refused(system: System) -> None:
    chat = Chat(system.portal, "en")
    chat.say("hello")
    response = chat.post({"payload": '/choose{"choice": "confirm"}'})
    assert response.status_code == 409


HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))'


def publish_hostile_work_topic(system: System) -> None:
    """An editor publishes a German topic text full of markup, through the editors' workflow."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": system.env["DATABASE_URL"]})
    with app.app_context():
        editor = create_user("e2e-editor@lotse.invalid", "E2E Editor", Role.EDITOR, "x" * 16)
        key = topic_records.record_key("work", "de")
        data = revisions.current_data(RecordType.TOPIC_TRANSLATION, key)
        assert data is not None
        data["title"] = f"Arbeit {HOSTILE}"[:80]
        data["summary"] = f"Arbeit und Arbeitserlaubnis {HOSTILE}"
        base = revisions.newest_number(RecordType.TOPIC_TRANSLATION, key)
        draft = revisions.save(RecordType.TOPIC_TRANSLATION, key, data, base=base, author=editor)
        revisions.publish(draft, editor)


def test_markup_an_editor_published_reaches_the_chat_as_text(system: System) -> None:
    publish_hostile_work_topic(system)
    chat = Chat(system.portal, "de")
    answers = joined(chat.say("Darf ich arbeiten? Ich brauche eine Arbeitserlaubnis"))
    assert "Arbeit und Arbeitserlaubnis <script>alert(1)</script>" in answers, answers
    html = chat.client.get("/de/chat").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert 'href="javascript:' not in html

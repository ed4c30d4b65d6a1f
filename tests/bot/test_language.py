"""Language identification per message and the conversation's sticky language."""

import pytest
from actions.language import named_language, next_language
from lotse_nlu.language import detect


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("عندي سؤال عن الإقامة تبعي", "ar"),
        ("شلونك اريد اسأل عن الجوب سنتر", "ar"),
        ("من میخوام برای اقامتم سوال کنم", "fa"),
        ("سلام من یک سوال دارم درباره کار", "fa"),
        ("Добрий день, мені потрібна допомога з житлом", "uk"),
        ("Здравствуйте, мне нужна помощь с жильём", "ru"),
        ("Hallo, ich brauche einen Termin beim Jobcenter", "de"),
        ("hello i need help with my residence permit", "en"),
        ("عندي Duldung شو لازم اعمل", "ar"),  # German loan word in an Arabic sentence
        ("دارم Duldung چکار کنم", "fa"),
    ],
)
def test_detects_the_language_of_a_sentence(text: str, language: str) -> None:
    found = detect(text)
    assert found is not None and found.language == language


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "123 456", "?!"])
def test_no_letters_no_language(text: str) -> None:
    assert detect(text) is None


def _step(current, votes, text):
    found = detect(text)
    return next_language(current, votes, found.__dict__ if found else None)


@pytest.mark.parametrize(
    ("current", "word"), [("uk", "سلام"), ("de", "Так"), ("fa", "مرحبا"), ("en", "ok")]
)
def test_one_ambiguous_word_never_flips_the_conversation(current: str, word: str) -> None:
    assert _step(current, [], word)[0] == current


def test_two_clear_messages_switch_within_a_script() -> None:
    language, votes = _step("de", [], "hello i need help with my flat")
    assert language == "de"
    language, votes = _step(language, votes, "where can i find a german course")
    assert language == "en"


def test_a_sentence_in_another_script_switches_at_once() -> None:
    assert _step("de", [], "مرحبا عندي سؤال عن الاقامة")[0] == "ar"


def test_russian_counts_as_ukrainian() -> None:
    assert _step("de", [], "Здравствуйте, мне нужна помощь с жильём")[0] == "uk"


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("English please, I don't understand German", "de", "en"),
        ("بالعربي لو سمحت", "de", "ar"),
        ("فارسی صحبت کن", "en", "fa"),
        ("можна українською?", "de", "uk"),
        ("auf Deutsch bitte", "en", "de"),
        ("change language", "de", None),
    ],
)
def test_named_language(text: str, current: str, expected: str) -> None:
    assert named_language(text, current) == expected

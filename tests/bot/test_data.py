"""The training data, domain and texts: Rasa's validator, the intent contract, the catalogs."""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"
LANGUAGES = ("de", "en", "ar", "fa", "uk")
CONTRACT = {
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "help",
    "out_of_scope",
    "change_language",
    "book_appointment",
    "manage_appointment",
    "talk_to_human",
    "emergency",
    "privacy",
    "find_service",
    "ask_asylum_procedure",
    "ask_residence_status",
    "ask_family_reunification",
    "ask_benefits",
    "ask_housing",
    "ask_health",
    "ask_psychosocial_support",
    "ask_work",
    "ask_language_courses",
    "ask_school_childcare",
    "ask_legal_advice",
    "ask_discrimination",
    "ask_violence_protection",
    "ask_return",
    "ask_registration_documents",
}
MIN_EXAMPLES = 25


def examples(lang: str) -> dict:
    data = yaml.safe_load((BOT / "data" / "nlu" / f"{lang}.yml").read_text(encoding="utf-8"))
    return {
        item["intent"]: [line[2:].strip() for line in item["examples"].splitlines() if line.strip()]
        for item in data["nlu"]
    }


def test_rasa_data_validate() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("rasa")), "data", "validate"],
        cwd=BOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_domain_has_exactly_the_contract_intents() -> None:
    domain = yaml.safe_load((BOT / "domain.yml").read_text())
    assert set(domain["intents"]) == CONTRACT | {"choose"}  # choose: button presses only


@pytest.mark.parametrize("lang", LANGUAGES)
def test_enough_varied_examples_per_intent(lang: str) -> None:
    found = examples(lang)
    assert set(found) == CONTRACT
    for intent, texts in found.items():
        assert len(texts) >= MIN_EXAMPLES, (intent, len(texts))
        assert len(set(texts)) == len(texts), [t for t, n in Counter(texts).items() if n > 1]


def test_no_example_has_two_intents() -> None:
    owner: dict = {}
    for lang in (*LANGUAGES, "ru"):
        for intent, texts in examples(lang).items():
            for text in texts:
                assert owner.setdefault(text.casefold(), intent) == intent, (
                    text,
                    intent,
                    owner[text.casefold()],
                )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_assistant_text_is_translated(lang: str) -> None:
    template = read_po((ROOT / "locales" / "bot.pot").open("rb"))
    catalog = read_po((ROOT / "locales" / lang / "LC_MESSAGES" / "bot.po").open("rb"))
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        assert translated is not None and translated.string, f"{lang}: {message.id!r} missing"
        placeholders = sorted(re.findall(r"\{\w+\}", message.id))
        assert sorted(re.findall(r"\{\w+\}", translated.string)) == placeholders, message.id

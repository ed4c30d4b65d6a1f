"""The trained assistant answers a greeting in the language it was greeted in.

Runs in the assistant's own environment (Python 3.10, Rasa) on the model that
`make test` trains from bot/; it loads the model exactly as `rasa run` does.
"""

import asyncio
import uuid
from pathlib import Path

import pytest
from rasa.core.agent import Agent

MODEL = Path(__file__).resolve().parents[2] / "bot" / "models" / "lotse.tar.gz"

GREETINGS = {
    "de": ("Hallo, guten Tag", "Ich bin Lotse"),
    "en": ("Hello there", "I am Lotse"),
    "ar": ("مرحبا", "أنا لوتسه"),
    "fa": ("سلام، وقت بخیر", "من لوتسه"),
    "uk": ("Привіт", "Я Lotse"),
}


@pytest.fixture(scope="module")
def agent() -> Agent:
    assert MODEL.exists(), "train first: make test trains bot/models/lotse.tar.gz"
    return Agent.load(str(MODEL))


def reply(agent: Agent, text: str, sender: str) -> str:
    responses = asyncio.run(agent.handle_text(text, sender_id=sender))
    return " ".join(r.get("text", "") for r in responses)


@pytest.mark.parametrize("lang", sorted(GREETINGS))
def test_hello_in_every_language(agent: Agent, lang: str) -> None:
    text, expected = GREETINGS[lang]
    answer = reply(agent, text, sender=f"test-{lang}-{uuid.uuid4()}")
    assert expected in answer, f"{lang}: {answer!r}"


def test_ambiguous_word_keeps_conversation_language(agent: Agent) -> None:
    sender = f"test-sticky-{uuid.uuid4()}"
    assert "Я Lotse" in reply(agent, "Привіт, добрий день", sender)
    # "Так" (yes) is a word of several languages; it must not flip the conversation.
    assert "Ukrainian" not in reply(agent, "Так", sender)
    assert "До побачення" in reply(agent, "бувай", sender)

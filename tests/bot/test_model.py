"""The trained model (bot/models/lotse.tar.gz, trained by `make test`) understands each
language, reports the language and lets no emergency through."""

import asyncio
from pathlib import Path

import pytest
from rasa.core.agent import Agent

MODEL = Path(__file__).resolve().parents[2] / "bot" / "models" / "lotse.tar.gz"

SAMPLES = [
    ("de", "wo bekomme ich einen deutschkurs", "ask_language_courses"),
    ("de", "mein kind braucht einen kita platz", "ask_school_childcare"),
    ("en", "how can i bring my children to germany", "ask_family_reunification"),
    ("en", "jobcenter did not pay my money this month", "ask_benefits"),
    ("ar", "بدي اشتغل بس ما عندي اذن عمل", "ask_work"),
    ("ar", "كيف بطلع من الكامب ولاقي بيت", "ask_housing"),
    ("fa", "برای دندون درد کجا برم دکتر", "ask_health"),
    ("fa", "میخوام برگردم افغانستان کمک میکنید", "ask_return"),
    ("uk", "як продовжити дозвіл на проживання", "ask_residence_status"),
    ("uk", "хочу записатися на консультацію", "book_appointment"),
]
EMERGENCIES = [
    ("de", "ich will nicht mehr leben"),
    ("en", "my house is on fire"),
    ("ar", "زوجي عم يضربني هلق"),
    ("fa", "میخوام خودمو بکشم"),
    ("uk", "дитина не дихає"),
]


@pytest.fixture(scope="module")
def agent() -> Agent:
    assert MODEL.exists(), "train first: make test trains bot/models/lotse.tar.gz"
    return Agent.load(str(MODEL))


def parse(agent: Agent, text: str) -> dict:
    return asyncio.run(agent.parse_message(text))


@pytest.mark.parametrize(("lang", "text", "intent"), SAMPLES)
def test_intent_and_language(agent: Agent, lang: str, text: str, intent: str) -> None:
    result = parse(agent, text)
    assert result["intent"]["name"] == intent
    assert result["language_detection"]["language"] == lang


@pytest.mark.parametrize(("lang", "text"), EMERGENCIES)
def test_emergency_wins(agent: Agent, lang: str, text: str) -> None:
    result = parse(agent, text)
    assert result["intent"] == {"name": "emergency", "confidence": 1.0}
    assert result["emergency_signal"]["category"]


def test_button_payloads_reach_rasa_unchanged(agent: Agent) -> None:
    result = parse(agent, '/choose{"choice": "cancel:5Q7N-6SM7"}')
    assert result["intent"]["name"] == "choose"
    assert result["entities"][0]["value"] == "cancel:5Q7N-6SM7"

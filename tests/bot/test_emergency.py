"""The emergency safety net: every language's list catches acute danger, not ordinary questions."""

from pathlib import Path

import pytest
import yaml
from lotse_nlu.emergency import CATEGORIES, find_emergency, keyword_lists

DATA = Path(__file__).resolve().parents[2] / "bot" / "data" / "nlu"

ACUTE = {
    "de": [
        "ich will nicht mehr leben",
        "Hilfe, mein Mann schlägt mich",
        "es brennt in der küche, feuer!",
        "mein baby atmet nicht",
    ],
    "en": [
        "i want to kill myself",
        "he is beating me right now",
        "my house is on fire",
        "my father is unconscious call ambulance",
    ],
    "ar": ["بدي اقتل حالي", "زوجي عم يضربني هلق", "في حريق بالبيت", "ابني ما عم يتنفس"],
    "fa": ["میخوام خودمو بکشم", "شوهرم داره منو میزنه", "خونه آتیش گرفته", "بچم نفس نمیکشه"],
    "uk": [
        "я хочу покінчити з собою",
        "чоловік мене б'є зараз",
        "у квартирі пожежа",
        "дитина не дихає",
    ],
}


@pytest.mark.parametrize("lang", sorted(ACUTE))
def test_every_language_has_all_categories(lang: str) -> None:
    data = yaml.safe_load(
        (
            Path(__file__).resolve().parents[2] / "bot" / "lotse_nlu" / "keywords" / f"{lang}.yml"
        ).read_text()
    )
    assert all(data.get(category) for category in CATEGORIES)


@pytest.mark.parametrize(("lang", "message"), [(lang, m) for lang, ms in ACUTE.items() for m in ms])
def test_acute_danger_is_caught(lang: str, message: str) -> None:
    assert find_emergency(message) is not None, message


def test_ordinary_questions_rarely_trigger_the_net() -> None:
    """Fewer than 1 % of the non-emergency training examples contain an emergency phrase."""
    examples = []
    for path in DATA.glob("*.yml"):
        for item in yaml.safe_load(path.read_text())["nlu"]:
            if item["intent"] != "emergency":
                examples += [line[2:] for line in item["examples"].splitlines() if line.strip()]
    hits = [text for text in examples if find_emergency(text)]
    assert len(hits) / len(examples) < 0.01, hits


def test_keyword_lists_are_loaded() -> None:
    assert len(keyword_lists()) > 400

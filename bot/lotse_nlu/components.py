"""Custom Rasa components of the NLU pipeline (see config.yml for their order).

1. ``LanguageDetector`` reports the language of the raw message.
2. ``TextNormalizer`` replaces the text by its normalised spelling for the featurizers.
3. ``EmergencySafetyNet`` runs after the classifiers and turns any message containing an
   emergency phrase into the ``emergency`` intent, whatever the classifier said.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from .emergency import find_emergency
from .language import LANGUAGE_DETECTION, detect
from .normalize import normalize

EMERGENCY_INTENT = "emergency"
EMERGENCY_SIGNAL = "emergency_signal"
INTENT_RANKING = "intent_ranking"
# Button payloads ("/choose{...}") are read by Rasa's RegexMessageHandler after the pipeline;
# they must reach it unchanged (entity values are case-sensitive) and carry no language.
PAYLOAD_PREFIX = "/"


def _client_text(message: Message) -> str:
    text = message.get(TEXT) or ""
    return "" if text.startswith(PAYLOAD_PREFIX) else text


class _Stateless(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> _Stateless:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class LanguageDetector(_Stateless):
    """Adds ``language_detection`` to the parse data; must run before ``TextNormalizer``."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = detect(_client_text(message))
            message.set(LANGUAGE_DETECTION, asdict(found) if found else None, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextNormalizer(_Stateless):
    """Gives the featurizers one spelling, in training and at run time alike."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if _client_text(message):
                message.set(TEXT, normalize(message.get(TEXT)))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            if example.get(TEXT):
                example.set(TEXT, normalize(example.get(TEXT)))
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EmergencySafetyNet(_Stateless):
    """An emergency phrase makes the intent ``emergency`` with full confidence."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            signal = find_emergency(_client_text(message))
            if signal is None:
                continue
            intent = {INTENT_NAME_KEY: EMERGENCY_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [
                entry
                for entry in message.get(INTENT_RANKING) or []
                if entry.get(INTENT_NAME_KEY) != EMERGENCY_INTENT
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING, [intent, *ranking], add_to_output=True)
            message.set(EMERGENCY_SIGNAL, asdict(signal), add_to_output=True)
        return messages

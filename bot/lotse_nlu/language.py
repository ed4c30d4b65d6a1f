"""Detects the language of each message and offers it as the entity ``language``.

The domain maps that entity to the ``language`` slot, so the conversation keeps
its language until a message is clearly in another one: below ``min_confidence``
(short, ambiguous words such as "سلام" or "Так") no entity is set and the slot
stays as it was.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from lingua import Language, LanguageDetectorBuilder
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# Russian is detected so that it is not mistaken for Ukrainian; it is answered in Ukrainian.
CODES = {
    Language.GERMAN: "de",
    Language.ENGLISH: "en",
    Language.ARABIC: "ar",
    Language.PERSIAN: "fa",
    Language.UKRAINIAN: "uk",
    Language.RUSSIAN: "uk",
}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_confidence": 0.6}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.min_confidence = float(config["min_confidence"])
        self.detector = LanguageDetectorBuilder.from_languages(*CODES).build()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls(config)

    def detect(self, text: str) -> Optional[tuple]:
        """(language code, confidence) of the most likely language, or None."""
        if not text or not text.strip():
            return None
        values = self.detector.compute_language_confidence_values(text)
        if not values:
            return None
        best = values[0]
        return CODES[best.language], best.value

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            detected = self.detect(text)
            if detected is None or detected[1] < self.min_confidence:
                continue
            entity = {
                "entity": "language",
                "value": detected[0],
                "start": 0,
                "end": len(text),
                "confidence": detected[1],
                "extractor": self.__class__.__name__,
            }
            message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

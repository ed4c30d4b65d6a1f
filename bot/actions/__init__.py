"""Custom actions of the Lotse assistant (rasa-sdk action server: `rasa run actions`)."""

import sys
from pathlib import Path

# The actions share the normalisation of the NLU pipeline (bot/lotse_nlu); the action
# server is started from bot/, tests from the repository root.
_BOT_DIR = str(Path(__file__).resolve().parents[1])
if _BOT_DIR not in sys.path:
    sys.path.insert(0, _BOT_DIR)

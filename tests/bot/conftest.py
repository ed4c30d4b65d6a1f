"""Tests in the assistant's environment (Python 3.10, Rasa): bot/ is importable."""

import sys
from pathlib import Path

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"
sys.path.insert(0, str(BOT_DIR))

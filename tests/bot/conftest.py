import sys
from pathlib import Path

# Rasa imports the project's custom components (bot/lotse_nlu) by module path, as `rasa run`
# does from inside bot/.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bot"))

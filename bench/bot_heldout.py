"""Intent accuracy of the trained model on the held-out client messages (bench/data/heldout,
written independently of the training data and never trained on).

    cd bot && PYTHONPATH=. ../.venv/bot/bin/python ../bench/bot_heldout.py models/lotse.tar.gz
A prediction of nlu_fallback counts as its best real intent (the assistant then asks back
with that intent as the first button); the fallback rate is reported beside it.
"""

import asyncio
import collections
import sys
from pathlib import Path

import yaml
from rasa.core.agent import Agent

HELDOUT = Path(__file__).resolve().parent / "data" / "heldout"


async def evaluate(agent: Agent) -> None:
    for lang in ("de", "en", "ar", "fa", "uk"):
        data = yaml.safe_load((HELDOUT / f"{lang}.yml").read_text(encoding="utf-8"))
        right = total = fallback = 0
        confusions: collections.Counter = collections.Counter()
        for item in data["nlu"]:
            for line in item["examples"].splitlines():
                text = line.strip()[2:].strip()
                if not text:
                    continue
                result = await agent.parse_message(text)
                predicted = result["intent"]["name"]
                if predicted == "nlu_fallback":
                    fallback += 1
                    ranking = [
                        r["name"] for r in result["intent_ranking"] if r["name"] != "nlu_fallback"
                    ]
                    predicted = ranking[0] if ranking else predicted
                total += 1
                right += predicted == item["intent"]
                if predicted != item["intent"]:
                    confusions[(item["intent"], predicted)] += 1
        print(f"| {lang} | {total} | {right / total:.1%} | {fallback / total:.1%} | "
              f"{', '.join(f'{a}→{b}' for (a, b), _ in confusions.most_common(3))} |")


if __name__ == "__main__":
    print("| language | messages | accuracy | fallback | most frequent confusions |")
    print("|---|---|---|---|---|")
    asyncio.run(evaluate(Agent.load(sys.argv[1])))

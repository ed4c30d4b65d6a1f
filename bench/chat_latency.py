"""Chat latency through the portal at 1 and 20 concurrent conversations, beside Rasa's bare
/model/parse, and the memory of each process.

Runs against a running system (`make run`, or the same three processes on other ports):
    .venv/portal/bin/python -m bench.chat_latency --portal http://127.0.0.1:5000 \
        --rasa http://127.0.0.1:5005 [--out bench/results/bot-latency.md]
Each conversation is one browser session (cookie, CSRF token) posting to /{lang}/chat with
`Accept: application/json`, as the page's script does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

MESSAGES = [
    ("de", "Hallo, ich brauche Hilfe bei der Wohnungssuche"),
    ("en", "how can i get a german course"),
    ("ar", "عندي Duldung شو لازم اعمل"),
    ("fa", "میخوام خانواده‌ام رو بیارم آلمان"),
    ("uk", "як продовжити дозвіл за §24"),
]
ROUNDS = 4


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def conversation(portal: str, lang: str, text: str) -> list[float]:
    timings = []
    with httpx.Client(base_url=portal, timeout=60) as client:
        page = client.get(f"/{lang}/chat").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        for _ in range(ROUNDS):
            start = time.perf_counter()
            response = client.post(
                f"/{lang}/chat",
                data={"csrf_token": token, "message": text},
                headers={"Accept": "application/json"},
            )
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.text[:200]
    return timings


def through_portal(portal: str, concurrent: int) -> list[float]:
    jobs = [MESSAGES[i % len(MESSAGES)] for i in range(concurrent)]
    with ThreadPoolExecutor(max_workers=concurrent) as pool:
        results = pool.map(lambda job: conversation(portal, *job), jobs)
    return [t for timings in results for t in timings]


def bare_parse(rasa: str) -> list[float]:
    timings = []
    with httpx.Client(timeout=60) as client:
        for _ in range(ROUNDS):
            for _lang, text in MESSAGES:
                start = time.perf_counter()
                client.post(f"{rasa}/model/parse", json={"text": text}).raise_for_status()
                timings.append((time.perf_counter() - start) * 1000)
    return timings


def memory() -> dict[str, float]:
    """Resident memory (MiB) of the processes, summed per kind."""
    output = subprocess.run(["ps", "-eo", "rss,args"], capture_output=True, text=True).stdout
    kinds = {
        "portal (gunicorn, all workers)": "gunicorn",
        "Rasa server": "rasa run --enable-api",
        "action server": "rasa run actions",
    }
    found = {}
    for label, needle in kinds.items():
        rss = [int(line.split(None, 1)[0]) for line in output.splitlines()[1:] if needle in line]
        found[label] = round(sum(rss) / 1024, 1)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--portal", default="http://127.0.0.1:5000")
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument("--out", default="bench/results/bot-latency.md")
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    rows = [("Rasa /model/parse (floor)", bare_parse(args.rasa))]
    for concurrent in (1, 20):
        rows.append(
            (
                f"portal /chat, {concurrent} concurrent conversation(s)",
                through_portal(args.portal, concurrent),
            )
        )
    lines = [
        "# Chat latency and memory",
        "",
        f"Date: {dt.date.today().isoformat()} · machine: {os.cpu_count()} cores · "
        "command: `.venv/portal/bin/python -m bench.chat_latency "
        f"--portal {args.portal} --rasa {args.rasa}`",
        "",
        "| path | messages | p50 ms | p95 ms |",
        "|---|---|---|---|",
    ]
    for label, timings in rows:
        p50, p95 = statistics.median(timings), percentile(timings, 0.95)
        lines.append(f"| {label} | {len(timings)} | {p50:.0f} | {p95:.0f} |")
    lines += ["", "| process | resident memory (MiB) |", "|---|---|"]
    lines += [f"| {label} | {mib} |" for label, mib in memory().items()]
    if args.note:
        lines += ["", args.note]
    with open(args.out, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Benchmarks of the public portal, run by `make bench`.

1. Page weight: bytes transferred (compressed HTML + CSS, as a browser gets them) per page
   type and language, against the 30 KB budget of a topic page.
2. Load: latency p50/p95 and throughput of a topic page under concurrent clients on
   loopback, served by gunicorn (the production server), beside a static file served by the
   same server as the floor.
3. Booking (bench/booking.py) and hand-over (bench/handover.py): consent to delivery at a
   local webhook, outbox throughput with the receiver down then up.

Results go to bench/results/<date>-<host>.json and are summarised in bench/results/README.md.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from portal.constants import LANGUAGES

from .machine import machine

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BUDGET_BYTES = 30 * 1024
PAGE_TYPES = {
    "home": "/{lang}/",
    "topic": "/{lang}/topics/asylum-procedure",
    "services": "/{lang}/services",
    "service": "/{lang}/services/unmsa",
    "finder": "/{lang}/finder?submitted=1&age=30",
    "search": "/{lang}/search?q=asyl",
}
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
DURATION_S = float(os.environ.get("BENCH_SECONDS", "10"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "LOTSE_SECRET_KEY": "benchmark-only",
    }
    lotse = str(Path(sys.executable).parent / "lotse")
    for command in (["db", "upgrade"], ["content", "load"]):
        subprocess.run([lotse, *command], env=env, check=True, capture_output=True)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [
            gunicorn,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
            "portal:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def fetch(port: int, path: str, encoding: str = "br, gzip") -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": encoding, "Accept-Language": "de"})
    response = connection.getresponse()
    body = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    connection.close()
    return response.status, body, headers


def page_weights(port: int) -> dict[str, dict[str, dict[str, int]]]:
    weights: dict[str, dict[str, dict[str, int]]] = {}
    for name, template in PAGE_TYPES.items():
        for lang in LANGUAGES:
            path = template.format(lang=lang)
            status, body, _ = fetch(port, path)
            assert status == 200, (name, lang, status)
            raw = fetch(port, path, encoding="identity")[1].decode()
            total = len(body)
            css_bytes = sum(
                len(fetch(port, href.replace("&amp;", "&"))[1])
                for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', raw)
            )
            scripts = len(re.findall(r"<script", raw))
            weights.setdefault(name, {})[lang] = {
                "html_bytes": total,
                "css_bytes": css_bytes,
                "scripts": scripts,
                "total_bytes": total + css_bytes,
            }
    return weights


def load(port: int, path: str) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + DURATION_S

    def client() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        failed = 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            except OSError:
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
    }


def summary_table(result: dict[str, object]) -> str:
    weights = result["page_weight_bytes"]
    assert isinstance(weights, dict)
    lines = ["| page | " + " | ".join(LANGUAGES) + " |", "|---|" + "---|" * len(LANGUAGES)]
    for name, per_lang in weights.items():
        cells = [f"{per_lang[lang]['total_bytes'] / 1024:.1f} KB" for lang in LANGUAGES]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    loads = result["load"]
    assert isinstance(loads, dict)
    lines += [
        "",
        "| load (gunicorn, loopback) | requests/s | p50 | p95 | errors |",
        "|---|---|---|---|---|",
    ]
    for name, figures in loads.items():
        lines.append(
            f"| {name} | {figures['throughput_rps']} | {figures['p50_ms']} ms | "
            f"{figures['p95_ms']} ms | {figures['errors']} |"
        )
    return "\n".join(lines)


def booking_benchmarks() -> dict[str, object]:
    from tests.portal import pg_server

    from . import booking

    if not pg_server.available():
        return booking.run(None)
    with pg_server.running_server() as url:
        return booking.run(url)


def handover_benchmarks() -> dict[str, object]:
    from . import handover

    return handover.run()


def main() -> int:
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="lotse-bench-"))
    server = start_server(workdir, port)
    try:
        weights = page_weights(port)
        css_path = re.findall(
            r'href="(/static/lotse.css[^"]*)"', fetch(port, "/de/", "identity")[1].decode()
        )[0]
        result: dict[str, object] = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "settings": {
                "concurrency": CONCURRENCY,
                "seconds": DURATION_S,
                "gunicorn_workers": WORKERS,
                "client": "Python threads with keep-alive on the same machine",
            },
            "budget_topic_page_bytes": BUDGET_BYTES,
            "page_weight_bytes": weights,
            "load": {
                "topic page /de/topics/asylum-procedure": load(port, "/de/topics/asylum-procedure"),
                "static file (floor) " + css_path.split("?")[0]: load(port, css_path),
            },
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    result["booking"] = booking_benchmarks()
    result["handover"] = handover_benchmarks()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.date.today().isoformat()
    out = RESULTS / f"{stamp}-{platform.node() or 'machine'}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    from . import booking, handover

    table = (
        summary_table(result)
        + "\n\n"
        + booking.table(result["booking"])  # type: ignore[arg-type]
        + "\n\n"
        + handover.table(result["handover"])  # type: ignore[arg-type]
    )
    (RESULTS / "README.md").write_text(
        "# Benchmark results\n\nLatest run of `make bench` "
        f"({result['date']}, {result['machine']['cores']} cores, {result['machine']['cpu']}, "  # type: ignore[index]
        f"{result['machine']['memory_gib']} GiB). Raw figures: `{out.name}`.\n\n"  # type: ignore[index]
        "Page weight = compressed HTML + CSS as transferred; budget for a topic page: 30 KB; "
        "no page loads a script or anything from a third party.\n\n" + table + "\n"
    )
    print(table)
    over = [
        f"{lang}"
        for lang, w in result["page_weight_bytes"]["topic"].items()  # type: ignore[index]
        if w["total_bytes"] > BUDGET_BYTES
    ]
    if over:
        print(f"topic page over the 30 KB budget in: {', '.join(over)}", file=sys.stderr)
        return 1
    double = [
        backend
        for backend, figures in result["booking"].items()  # type: ignore[attr-defined]
        if figures["concurrent_attempts_one_slot"]["bookings_in_database"] != 1
    ]
    if double:
        print(f"one slot was booked more than once on: {', '.join(double)}", file=sys.stderr)
        return 1
    faulty = [
        backend
        for backend, figures in result["handover"].items()  # type: ignore[attr-defined]
        if figures["outbox_throughput"]["lost"] or figures["outbox_throughput"]["duplicated"]
    ]
    if faulty:
        print(f"hand-over events lost or duplicated on: {', '.join(faulty)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

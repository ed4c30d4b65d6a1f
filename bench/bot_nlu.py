"""NLU pipeline comparison of the assistant: production "logreg" against a "diet" candidate.

Run from the bot directory with the bot's own venv (Rasa 3.6, Python 3.10):

    cd bot && PYTHONPATH=. nice -n 10 ../.venv/bot/bin/python ../bench/bot_nlu.py

(`nice` because the run takes a while on two cores; it does not change the figures other
than the timings when the machine is busy.) Options: `--diet-epochs N` overrides the DIET
epochs of bench/configs/nlu-diet.yml (60), `--pipelines`, `--langs`, `--skip-cv`,
`--skip-heldout` and `--no-write` are for quick partial runs (a partial run never writes
the results files), `--note TEXT` adds a line to the notes of the results.

Pipelines (bench/configs/):
  logreg  nlu-logreg.yml: the NLU pipeline of bot/config.yml, policies left out.
  diet    nlu-diet.yml: the same pre-processing and featurizers, DIETClassifier instead of
          LogisticRegressionClassifier, the same FallbackClassifier and EmergencySafetyNet.

Measures:
  1. Stratified 3-fold cross-validation per language on bot/data/nlu/<lang>.yml, the way
     `rasa test nlu --cross-validation --folds 3` does it (rasa's drop_intents_below_freq,
     generate_folds, train_nlu and evaluate_intents; only the train-fold metrics, which
     rasa also computes, are skipped). The folds are the same for both pipelines
     (numpy seed 42 before each language). Reported: intent accuracy and weighted F1 as
     rasa reports them, i.e. with a FallbackClassifier prediction undone (rasa's
     get_eval_data does that), and the strict accuracy in which nlu_fallback is wrong, and
     the fallback rate.
  2. Held-out: one model per pipeline trained on all of bot/data/nlu (six languages), then
     every message of bench/data/heldout/<lang>.yml parsed in process with
     rasa.core.agent.Agent. nlu_fallback counts as wrong ("accuracy"); "accuracy, fallback
     undone" replaces it by the best-ranked other intent. Fallback rate, weighted F1 and
     the five most frequent confusions (true -> predicted, nlu_fallback included) per
     language.
  3. Wall time of training each full model (rasa.model_training.train_nlu, the function
     behind `rasa train nlu`, in process, imports already done) and parse latency p50/p95
     per message (Agent.parse_message in process, over all held-out messages after a
     warm-up).

Rasa's training cache is switched off (RASA_MAX_CACHE_SIZE=0) so that no training reuses a
cached component, telemetry is off, and every temporary directory is removed at the end.
Results: bench/results/bot-nlu.json and bench/results/bot-nlu.md.
"""

from __future__ import annotations

import os
import sys

# Deterministic hashing (set iteration order) needs PYTHONHASHSEED before start-up.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])

os.environ["RASA_MAX_CACHE_SIZE"] = "0"
os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ["LOG_LEVEL"] = "ERROR"  # also hides DIET's per-epoch progress bar
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")

import argparse
import asyncio
import collections
import datetime as dt
import json
import logging
import random
import shutil
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from machine import machine  # bench/machine.py: this script runs with bench/ on sys.path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
TRAIN_DIR = BOT / "data" / "nlu"
HELDOUT_DIR = ROOT / "bench" / "data" / "heldout"
CONFIGS = {
    "logreg": ROOT / "bench" / "configs" / "nlu-logreg.yml",
    "diet": ROOT / "bench" / "configs" / "nlu-diet.yml",
}
RESULTS = ROOT / "bench" / "results"
CV_LANGS = ["de", "en", "ar", "fa", "uk", "ru"]
HELDOUT_LANGS = ["de", "en", "ar", "fa", "uk"]
FOLDS = 3
SEED = 42
DIET_EPOCHS = 60
FALLBACK = "nlu_fallback"
WARMUP = 20
DATE = "2026-11-21"
COMMAND = "cd bot && PYTHONPATH=. nice -n 10 ../.venv/bot/bin/python ../bench/bot_nlu.py"


def seed_everything() -> None:
    random.seed(SEED)
    np.random.seed(SEED)
    try:
        import tensorflow as tf

        tf.random.set_seed(SEED)
    except ImportError:  # pragma: no cover
        pass


def quiet() -> None:
    warnings.filterwarnings("ignore")
    for name in ("rasa", "tensorflow", "absl", "matplotlib", "sklearn", "asyncio"):
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.getLogger().setLevel(logging.ERROR)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine_with_versions() -> dict[str, Any]:
    import rasa
    import sklearn
    import tensorflow as tf

    return {
        **machine(),
        "rasa": rasa.__version__,
        "tensorflow": tf.__version__,
        "scikit_learn": sklearn.__version__,
    }


def write_config(name: str, diet_epochs: int, workdir: Path) -> Path:
    """A private copy of the pipeline's config (read once, so that the run does not depend
    on the file staying in place); for DIET with the epochs asked for."""
    import rasa.shared.utils.io

    config = rasa.shared.utils.io.read_yaml_file(CONFIGS[name])
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["epochs"] = diet_epochs
    target = workdir / f"nlu-{name}.yml"
    rasa.shared.utils.io.write_yaml(config, target)
    return target


def pipeline_summary(path: Path) -> list[str]:
    import rasa.shared.utils.io

    config = rasa.shared.utils.io.read_yaml_file(path)
    return [
        component["name"]
        + (
            " (" + ", ".join(f"{k}={v}" for k, v in component.items() if k != "name") + ")"
            if len(component) > 1
            else ""
        )
        for component in config["pipeline"]
    ]


def train(config: Path, data: Path, out: Path, name: str) -> tuple[str, float]:
    import rasa.model_training

    seed_everything()
    start = time.perf_counter()
    model = rasa.model_training.train_nlu(str(config), str(data), str(out), fixed_model_name=name)
    seconds = time.perf_counter() - start
    if not model:
        raise RuntimeError(f"training {name} failed")
    return str(model), seconds


def load_agent(model: str) -> Any:
    from rasa.core.agent import Agent

    return Agent.load(model)


async def _parse_all(agent: Any, texts: list[str]) -> list[tuple[dict[str, Any], float]]:
    out = []
    for text in texts:
        start = time.perf_counter()
        result = await agent.parse_message(text)
        out.append((result, time.perf_counter() - start))
    return out


def parse_all(agent: Any, texts: list[str]) -> list[tuple[dict[str, Any], float]]:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(_parse_all(agent, texts))
    finally:
        loop.close()


def strict_and_undone(result: dict[str, Any]) -> tuple[str, str]:
    """(the intent the bot acts on, the intent with a fallback replaced by the best other)."""
    strict = (result.get("intent") or {}).get("name") or ""
    undone = strict
    if strict == FALLBACK:
        for entry in result.get("intent_ranking") or []:
            if entry.get("name") != FALLBACK:
                undone = entry["name"]
                break
    return strict, undone


def weighted_f1(targets: list[str], predictions: list[str]) -> float:
    from rasa.model_testing import get_evaluation_metrics

    _, _, f1, _ = get_evaluation_metrics(targets, predictions, output_dict=True)
    return float(f1)


def examples(path: Path) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(ex.get("text"), ex.get("intent")) for ex in data.intent_examples]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


# --- 1. cross-validation -------------------------------------------------------------------


def cross_validate_language(config: Path, lang: str, workdir: Path) -> dict[str, Any]:
    from rasa.nlu.test import (
        IntentEvaluationResult,
        drop_intents_below_freq,
        evaluate_intents,
        generate_folds,
    )
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data

    data = drop_intents_below_freq(load_data(str(TRAIN_DIR / f"{lang}.yml")), cutoff=FOLDS)
    np.random.seed(SEED)  # generate_folds shuffles with numpy's global state
    rasa_results: list[Any] = []
    strict_hits = fallbacks = total = 0
    fold_acc: list[float] = []
    train_seconds: list[float] = []
    folds = list(generate_folds(FOLDS, data))
    for i, (train_data, test_data) in enumerate(folds):
        fold_dir = workdir / f"{lang}-fold{i}"
        fold_dir.mkdir()
        train_file = fold_dir / "train.yml"
        RasaYAMLWriter().dump(train_file, train_data)
        model, seconds = train(config, train_file, fold_dir, f"fold{i}")
        train_seconds.append(seconds)
        agent = load_agent(model)
        tests = [(ex.get("text"), ex.get("intent")) for ex in test_data.intent_examples]
        parsed = parse_all(agent, [text for text, _ in tests])
        hits = 0
        for (text, target), (result, _) in zip(tests, parsed, strict=True):
            strict, undone = strict_and_undone(result)
            confidence = None
            for entry in result.get("intent_ranking") or []:
                if entry.get("name") == undone:
                    confidence = entry.get("confidence")
                    break
            rasa_results.append(IntentEvaluationResult(target, undone, text, confidence))
            strict_hits += strict == target
            fallbacks += strict == FALLBACK
            hits += undone == target
            total += 1
        fold_acc.append(hits / len(tests))
        del agent
        shutil.rmtree(fold_dir)
    evaluation = evaluate_intents(rasa_results, None, False, False, True, report_as_dict=True)
    return {
        "examples": total,
        "intents": len(data.intents),
        "accuracy": round(float(evaluation["accuracy"]), 4),
        "weighted_f1": round(float(evaluation["f1_score"]), 4),
        "weighted_precision": round(float(evaluation["precision"]), 4),
        "accuracy_fold_mean": round(statistics.mean(fold_acc), 4),
        "accuracy_fold_std": round(statistics.pstdev(fold_acc), 4),
        "strict_accuracy": round(strict_hits / total, 4),
        "fallback_rate": round(fallbacks / total, 4),
        "train_seconds_per_fold": [round(s, 1) for s in train_seconds],
    }


# --- 2. and 3. held-out, training time, latency ----------------------------------------------


def heldout(
    config: Path, name: str, workdir: Path, langs: list[str], seen: set[str]
) -> dict[str, Any]:
    from lotse_nlu.normalize import normalize

    out = workdir / f"full-{name}"
    out.mkdir()
    model, seconds = train(config, TRAIN_DIR, out, name)
    size = Path(model).stat().st_size
    agent = load_agent(model)
    warm = [text for lang in langs for text, _ in examples(HELDOUT_DIR / f"{lang}.yml")][:WARMUP]
    parse_all(agent, warm)
    per_lang: dict[str, Any] = {}
    latencies: list[float] = []
    for lang in langs:
        tests = examples(HELDOUT_DIR / f"{lang}.yml")
        parsed = parse_all(agent, [text for text, _ in tests])
        targets = [target for _, target in tests]
        strict = []
        undone = []
        safety_net = 0
        for result, seconds_one in parsed:
            s, u = strict_and_undone(result)
            strict.append(s)
            undone.append(u)
            latencies.append(seconds_one)
            safety_net += bool(result.get("emergency_signal"))
        n = len(tests)
        unseen = [i for i, (text, _) in enumerate(tests) if normalize(text).casefold() not in seen]
        confusions = collections.Counter(
            (t, p) for t, p in zip(targets, strict, strict=True) if t != p
        ).most_common()
        confusions_undone = collections.Counter(
            (t, p) for t, p in zip(targets, undone, strict=True) if t != p
        ).most_common()
        # Ties broken by name so the list does not depend on the order of the data.
        confusions.sort(key=lambda item: (-item[1], item[0]))
        confusions_undone.sort(key=lambda item: (-item[1], item[0]))
        per_lang[lang] = {
            "examples": n,
            "accuracy": round(sum(t == p for t, p in zip(targets, strict, strict=True)) / n, 4),
            "accuracy_fallback_undone": round(
                sum(t == p for t, p in zip(targets, undone, strict=True)) / n, 4
            ),
            "fallback_rate": round(strict.count(FALLBACK) / n, 4),
            "unseen_examples": len(unseen),
            "accuracy_unseen": round(
                sum(targets[i] == strict[i] for i in unseen) / max(len(unseen), 1), 4
            ),
            "accuracy_unseen_fallback_undone": round(
                sum(targets[i] == undone[i] for i in unseen) / max(len(unseen), 1), 4
            ),
            "weighted_f1": round(weighted_f1(targets, strict), 4),
            "weighted_f1_fallback_undone": round(weighted_f1(targets, undone), 4),
            "emergency_safety_net_hits": safety_net,
            "top_confusions": [
                {"true": t, "predicted": p, "count": c} for (t, p), c in confusions[:5]
            ],
            "top_confusions_fallback_undone": [
                {"true": t, "predicted": p, "count": c} for (t, p), c in confusions_undone[:5]
            ],
        }
    all_targets = [t for lang in langs for _, t in examples(HELDOUT_DIR / f"{lang}.yml")]
    total = sum(v["examples"] for v in per_lang.values())
    del agent
    shutil.rmtree(out)
    return {
        "train_seconds": round(seconds, 1),
        "model_bytes": size,
        "parse_ms_p50": round(percentile(latencies, 50) * 1000, 2),
        "parse_ms_p95": round(percentile(latencies, 95) * 1000, 2),
        "parse_ms_mean": round(statistics.mean(latencies) * 1000, 2),
        "parsed_messages": len(latencies),
        "overall": {
            "examples": total,
            "accuracy": round(
                sum(v["accuracy"] * v["examples"] for v in per_lang.values()) / total, 4
            ),
            "accuracy_fallback_undone": round(
                sum(v["accuracy_fallback_undone"] * v["examples"] for v in per_lang.values())
                / total,
                4,
            ),
            "fallback_rate": round(
                sum(v["fallback_rate"] * v["examples"] for v in per_lang.values()) / total, 4
            ),
            "intents": len(set(all_targets)),
            "unseen_examples": sum(v["unseen_examples"] for v in per_lang.values()),
            "accuracy_unseen": round(
                sum(v["accuracy_unseen"] * v["unseen_examples"] for v in per_lang.values())
                / max(sum(v["unseen_examples"] for v in per_lang.values()), 1),
                4,
            ),
        },
        "languages": per_lang,
    }


def seen_texts() -> set[str]:
    """The training examples, normalised as the pipeline does and case-folded."""
    from lotse_nlu.normalize import normalize

    return {normalize(text).casefold() for text, _ in examples(TRAIN_DIR)}


def overlap(langs: list[str], seen: set[str]) -> dict[str, int]:
    """Held-out messages whose normalised text is also a training example (should be 0)."""
    from lotse_nlu.normalize import normalize

    return {
        lang: sum(
            normalize(text).casefold() in seen for text, _ in examples(HELDOUT_DIR / f"{lang}.yml")
        )
        for lang in langs
    }


# --- report --------------------------------------------------------------------------------


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def better(a: float, b: float, names: tuple[str, str], tie: float = 0.005) -> str:
    if abs(a - b) < tie:
        return "tie"
    return names[0] if a > b else names[1]


def markdown(report: dict[str, Any]) -> str:
    pipes = list(report["pipelines"])
    lines = [
        "# Assistant NLU: pipeline comparison",
        "",
        f"Date: {report['date']} (run started {report['started']}, took "
        f"{report['total_minutes']:.0f} min). Machine: {report['machine']['cores']} cores "
        f"(`nproc`), {report['machine']['cpu']}, {report['machine']['memory_gib']} GiB; "
        f"Rasa {report['machine']['rasa']}, TensorFlow {report['machine']['tensorflow']}, "
        f"scikit-learn {report['machine']['scikit_learn']}, Python {report['machine']['python']}.",
        "",
        f"Command: `{report['command']}` (script: `bench/bot_nlu.py`, raw figures: "
        "`bench/results/bot-nlu.json`).",
        "",
        "Pipelines (configs in `bench/configs/`):",
        "",
    ]
    for name in pipes:
        p = report["pipelines"][name]
        lines.append(f"- **{name}** (`{p['config']}`): " + " → ".join(p["components"]))
    lines += [""]
    for note in report["notes"]:
        lines.append(f"- {note}")
    lines.append("")

    cv = report.get("cross_validation")
    if cv:
        lines += [
            f"## 1. Cross-validation per language ({FOLDS} folds, stratified, same folds for both)",
            "",
            "Accuracy and weighted F1 as `rasa test nlu --cross-validation` computes them "
            "(a FallbackClassifier prediction is undone, i.e. replaced by the intent it "
            "shadowed). *Strict* counts `nlu_fallback` as wrong; *fallback* is the share of "
            "test messages that fell back.",
            "",
            "| lang | n | "
            + " | ".join(f"{n} acc | {n} F1 | {n} strict | {n} fallback" for n in pipes)
            + " | better (F1) | better (strict) |",
            "|---|---|" + "---|" * (4 * len(pipes)) + "---|---|",
        ]
        for lang in cv[pipes[0]]:
            row = [lang, str(cv[pipes[0]][lang]["examples"])]
            for name in pipes:
                r = cv[name][lang]
                row += [
                    pct(r["accuracy"]),
                    f"{r['weighted_f1']:.3f}",
                    pct(r["strict_accuracy"]),
                    pct(r["fallback_rate"]),
                ]
            if len(pipes) == 2:
                a, b = cv[pipes[0]][lang], cv[pipes[1]][lang]
                row.append(better(a["weighted_f1"], b["weighted_f1"], (pipes[0], pipes[1])))
                row.append(better(a["strict_accuracy"], b["strict_accuracy"], (pipes[0], pipes[1])))
            else:
                row += ["–", "–"]
            lines.append("| " + " | ".join(row) + " |")
        lines += [
            "",
            "*better*: the higher figure, *tie* when the two differ by less than 0.5 points. "
            "Cross-validation wall time: "
            + ", ".join(f"{n} {report['cv_minutes'][n]:.1f} min" for n in pipes)
            + ".",
            "",
        ]

    ho = report.get("heldout")
    if ho:
        lines += [
            "## 2. Held-out set (model trained on all of `bot/data/nlu`, 6 languages)",
            "",
            "`bench/data/heldout/<lang>.yml`, not part of the training files (but see the "
            "overlap below). *acc*: `nlu_fallback` counts as wrong (what the bot acts on); "
            "*acc undone*: a fallback replaced by the best-ranked other intent; *fallback*: "
            "share of messages that fell back; *better*: higher *acc*, *tie* below 0.5 "
            "points.",
            "",
            "| lang | n | "
            + " | ".join(f"{n} acc | {n} acc undone | {n} fallback | {n} F1" for n in pipes)
            + " | better (acc) |",
            "|---|---|" + "---|" * (4 * len(pipes)) + "---|",
        ]
        langs = list(ho[pipes[0]]["languages"])
        for lang in [*langs, "all"]:
            first = ho[pipes[0]]["overall"] if lang == "all" else ho[pipes[0]]["languages"][lang]
            row = [f"**{lang}**" if lang == "all" else lang, str(first["examples"])]
            for name in pipes:
                r = ho[name]["overall"] if lang == "all" else ho[name]["languages"][lang]
                row += [
                    pct(r["accuracy"]),
                    pct(r["accuracy_fallback_undone"]),
                    pct(r["fallback_rate"]),
                    "–" if lang == "all" else f"{r['weighted_f1']:.3f}",
                ]
            if len(pipes) == 2:
                a = ho[pipes[0]]["overall" if lang == "all" else "languages"]
                b = ho[pipes[1]]["overall" if lang == "all" else "languages"]
                if lang != "all":
                    a, b = a[lang], b[lang]
                row.append(better(a["accuracy"], b["accuracy"], (pipes[0], pipes[1])))
            else:
                row.append("–")
            lines.append("| " + " | ".join(row) + " |")
        n_lang = ho[pipes[0]]["languages"][langs[0]]["examples"]
        acc_all = ho[pipes[0]]["overall"]["accuracy"]
        se = (acc_all * (1 - acc_all) / n_lang) ** 0.5
        lines += [
            "",
            f"With {n_lang} messages per language one message is {100 / n_lang:.2f} points, and "
            f"the standard error of an accuracy near {acc_all * 100:.0f} % is about "
            f"{se * 100:.1f} points: per-language differences of one or two points are "
            "within noise.",
            "",
            "Held-out messages whose normalised, case-folded text is also a training example: "
            + ", ".join(f"{k} {v}" for k, v in report["heldout_overlap"].items())
            + ". Accuracy (`nlu_fallback` wrong) on the other, unseen held-out messages only:",
            "",
            "| lang | unseen n | " + " | ".join(f"{n} acc unseen" for n in pipes) + " |",
            "|---|---|" + "---|" * len(pipes),
        ]
        for lang in [*langs, "all"]:
            rows = [
                ho[name]["overall"] if lang == "all" else ho[name]["languages"][lang]
                for name in pipes
            ]
            lines.append(
                f"| {lang} | {rows[0]['unseen_examples']} | "
                + " | ".join(pct(r["accuracy_unseen"]) for r in rows)
                + " |"
            )
        lines += [
            "",
            "Five most frequent confusions (true → predicted, count; `nlu_fallback` included):",
            "",
            "| lang | " + " | ".join(pipes) + " |",
            "|---|" + "---|" * len(pipes),
        ]
        for lang in langs:
            cells = []
            for name in pipes:
                conf = ho[name]["languages"][lang]["top_confusions"]
                cells.append(
                    "<br>".join(f"{c['true']} → {c['predicted']} ({c['count']})" for c in conf)
                    or "none"
                )
            lines.append(f"| {lang} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "## 3. Training time and parse latency",
            "",
            "Full model (all of `bot/data/nlu`), trained in process with "
            "`rasa.model_training.train_nlu` (what `rasa train nlu` calls), Rasa's training "
            "cache off. Latency: `Agent.parse_message` in process, one message at a time, over "
            f"all {ho[pipes[0]]['parsed_messages']} held-out messages after {WARMUP} warm-up "
            "messages.",
            "",
            "| pipeline | training (wall) | model size | parse p50 | parse p95 | parse mean |",
            "|---|---|---|---|---|---|",
        ]
        for name in pipes:
            r = ho[name]
            lines.append(
                f"| {name} | {r['train_seconds']:.1f} s | {r['model_bytes'] / 1e6:.1f} MB | "
                f"{r['parse_ms_p50']:.2f} ms | {r['parse_ms_p95']:.2f} ms | "
                f"{r['parse_ms_mean']:.2f} ms |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--diet-epochs", type=int, default=DIET_EPOCHS)
    parser.add_argument("--pipelines", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--langs", nargs="+", default=None)
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--skip-heldout", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--note", action="append", default=[], help="added to the notes")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="only rewrite bench/results/bot-nlu.md from bench/results/bot-nlu.json",
    )
    args = parser.parse_args()
    if args.render_only:
        report = json.loads((RESULTS / "bot-nlu.json").read_text())
        (RESULTS / "bot-nlu.md").write_text(markdown(report))
        return
    partial = (
        args.pipelines != list(CONFIGS)
        or args.langs is not None
        or args.skip_cv
        or args.skip_heldout
    )
    cv_langs = [lang for lang in CV_LANGS if args.langs is None or lang in args.langs]
    heldout_langs = [lang for lang in HELDOUT_LANGS if args.langs is None or lang in args.langs]

    if Path.cwd().resolve() != BOT:
        sys.exit(f"run from {BOT} (custom components): {COMMAND}")

    quiet()
    started = dt.datetime.now().astimezone()
    # Imports before any timing, so that no pipeline pays for TensorFlow's start-up.
    import rasa.model_training
    import rasa.nlu.classifiers.diet_classifier
    import rasa.nlu.classifiers.logistic_regression_classifier
    import rasa.nlu.test  # noqa: F401

    quiet()

    report: dict[str, Any] = {
        "date": DATE,
        "started": started.isoformat(timespec="seconds"),
        "machine": machine_with_versions(),
        "command": COMMAND
        + (f" --diet-epochs {args.diet_epochs}" if args.diet_epochs != DIET_EPOCHS else ""),
        "argv": sys.argv[1:],
        "settings": {
            "folds": FOLDS,
            "seed": SEED,
            "diet_epochs": args.diet_epochs,
            "cv_languages": cv_langs,
            "heldout_languages": heldout_langs,
            "warmup_messages": WARMUP,
            "rasa_training_cache": "off (RASA_MAX_CACHE_SIZE=0)",
            "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED"),
        },
        "notes": [],
        "pipelines": {},
    }
    report["machine"]["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    if args.diet_epochs != DIET_EPOCHS:
        report["notes"].append(
            f"DIET trained with {args.diet_epochs} epochs instead of the {DIET_EPOCHS} of "
            "bench/configs/nlu-diet.yml, in the cross-validation and in the full model alike, "
            "because the DIET cross-validation at 60 epochs takes more than 40 minutes on "
            "this machine."
        )
    report["notes"].extend(args.note)
    report["notes"].append(
        "Russian (ru) has training data but no held-out file, so it appears only in the "
        "cross-validation."
    )

    workdir = Path(tempfile.mkdtemp(prefix="lotse-bot-nlu-"))
    try:
        configs = {name: write_config(name, args.diet_epochs, workdir) for name in args.pipelines}
        for name, path in configs.items():
            report["pipelines"][name] = {
                "config": str(CONFIGS[name].relative_to(ROOT)),
                "components": pipeline_summary(path),
            }
        if not args.skip_cv:
            report["cross_validation"] = {}
            report["cv_minutes"] = {}
            for name, config in configs.items():
                start = time.perf_counter()
                report["cross_validation"][name] = {}
                for lang in cv_langs:
                    log(f"cross-validation {name} {lang}")
                    lang_dir = workdir / f"cv-{name}"
                    lang_dir.mkdir(exist_ok=True)
                    result = cross_validate_language(config, lang, lang_dir)
                    report["cross_validation"][name][lang] = result
                    log(
                        f"  {lang}: acc {result['accuracy']:.3f} "
                        f"F1 {result['weighted_f1']:.3f} "
                        f"strict {result['strict_accuracy']:.3f} "
                        f"fallback {result['fallback_rate']:.3f}"
                    )
                report["cv_minutes"][name] = round((time.perf_counter() - start) / 60, 2)
                log(f"cross-validation {name}: {report['cv_minutes'][name]:.1f} min")
            if report["cv_minutes"].get("diet", 0) > 40:
                report["notes"].append(
                    f"The DIET cross-validation took {report['cv_minutes']['diet']:.1f} min at "
                    f"{args.diet_epochs} epochs."
                )
        if not args.skip_heldout:
            seen = seen_texts()
            report["heldout_overlap"] = overlap(heldout_langs, seen)
            report["heldout"] = {}
            for name, config in configs.items():
                log(f"full model and held-out {name}")
                result = heldout(config, name, workdir, heldout_langs, seen)
                report["heldout"][name] = result
                log(
                    f"  {name}: train {result['train_seconds']} s, "
                    f"acc {result['overall']['accuracy']:.3f}, "
                    f"p50 {result['parse_ms_p50']} ms, p95 {result['parse_ms_p95']} ms"
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    report["notes"].append(
        "Load average (1, 5, 15 min) at the start "
        f"{report['machine']['loadavg_start']} and at the end "
        f"{report['machine']['loadavg_end']} of the run: with anything above about 1 the "
        f"{report['machine']['cores']} cores were shared, and the times are upper bounds."
    )
    report["total_minutes"] = round(
        (dt.datetime.now().astimezone() - started).total_seconds() / 60, 1
    )
    text = markdown(report)
    if partial or args.no_write:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        print(text)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bot-nlu.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "bot-nlu.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

"""Tiny but real argostranslate packages, built from scratch for the tests (nothing downloaded).

A package holds a SentencePiece model trained on a few sentences and a one-layer CTranslate2
Transformer whose weights make it output one fixed sentence, whatever the input:

- token embeddings and all attention and feed-forward weights are zero, so the decoder state
  at step k is just the learned position encoding e_k, a one-hot vector (steps past the end
  reuse the last one);
- the output projection row of the k-th piece of the sentence is LayerNorm(e_k) times a large
  scale, so at step k that piece wins by far, and at the last step </s> does.

Beam search therefore returns exactly the sentence, which lets tests assert what a user sees.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import sentencepiece as spm
from ctranslate2.specs import TransformerSpec

# Written for the tests; every output sentence is added, so all its characters are known.
CORPUS = (
    "hello world",
    "good morning",
    "where is the office",
    "Hallo Welt",
    "Guten Morgen",
    "Wo ist das Büro",
    "مرحبا بالعالم",
    "صباح الخير",
    "سلام دنیا",
)
NAMES = {"ar": "Arabic", "de": "German", "en": "English", "fa": "Persian"}
MODEL_DIM = 32  # one-hot positions: an output sentence may have up to MODEL_DIM - 1 pieces
POSITIONS = 512  # more than CTranslate2's default max_decoding_length (256)
LOGIT_SCALE = 10.0  # the chosen piece's logit exceeds the others by far more than 100


def build_package(
    tmp_dir: Path,
    source: str,
    target: str,
    output_sentence: str,
    *,
    version: str = "1_0",
    bundled_sbd: str | None = None,
) -> Path:
    """Write translate-<source>_<target>.argosmodel (always outputting output_sentence) into
    tmp_dir and return its path. bundled_sbd adds an empty splitter folder ("stanza", …)."""
    folder = f"translate-{source}_{target}-{version}"
    root = tmp_dir / folder
    root.mkdir(parents=True)
    processor = _train_sentencepiece(root, output_sentence)
    _save_model(root / "model", processor, output_sentence)
    _write_metadata(root, source, target, version)
    if bundled_sbd:
        (root / bundled_sbd).mkdir()
        (root / bundled_sbd / "README.txt").write_text("no model: tests the fallback\n")
    return _zip(root, tmp_dir / f"{folder}.argosmodel")


def _train_sentencepiece(root: Path, output_sentence: str) -> Any:
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([*CORPUS, output_sentence] * 10),
        model_prefix=str(root / "sentencepiece"),
        vocab_size=48,
        hard_vocab_limit=False,  # the tiny corpus may not fill the vocabulary
        character_coverage=1.0,
        minloglevel=2,
    )
    (root / "sentencepiece.vocab").unlink()  # not part of the package format
    return spm.SentencePieceProcessor(model_file=str(root / "sentencepiece.model"))


def _save_model(model_dir: Path, processor: Any, output_sentence: str) -> None:
    vocabulary = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    output_ids = [*processor.encode(output_sentence), processor.eos_id()]
    assert processor.unk_id() not in output_ids and len(output_ids) < MODEL_DIM
    spec = TransformerSpec.from_config(num_layers=1, num_heads=2)
    _set_neutral_weights(spec, len(vocabulary))
    positions = _position_encodings(len(output_ids))
    spec.decoder.position_encodings.encodings = positions
    spec.decoder.projection.weight = _projection(positions, output_ids, len(vocabulary))
    # SentencePiece's <unk>, <s>, </s> are CTranslate2's default special tokens.
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize()
    model_dir.mkdir()
    spec.save(str(model_dir))


def _set_neutral_weights(spec: Any, vocabulary_size: int) -> None:
    """Zero embeddings and sublayers (each residual block passes its input through), unit
    layer norms."""
    d = MODEL_DIM
    spec.encoder.embeddings[0].weight = _zeros(vocabulary_size, d)
    spec.decoder.embeddings.weight = _zeros(vocabulary_size, d)
    for norm in (spec.encoder.layer_norm, spec.decoder.layer_norm):
        _unit_layer_norm(norm)
    for layer in spec.encoder.layer:
        _zero_attention(layer.self_attention, (3 * d, d), (d, d))
        _zero_feed_forward(layer.ffn)
    for layer in spec.decoder.layer:
        _zero_attention(layer.self_attention, (3 * d, d), (d, d))
        _zero_attention(layer.attention, (d, d), (2 * d, d), (d, d))
        _zero_feed_forward(layer.ffn)


def _zero_attention(attention: Any, *shapes: tuple[int, int]) -> None:
    _unit_layer_norm(attention.layer_norm)
    for linear, shape in zip(attention.linear, shapes, strict=True):
        linear.weight = _zeros(*shape)


def _zero_feed_forward(ffn: Any) -> None:
    _unit_layer_norm(ffn.layer_norm)
    ffn.linear_0.weight = _zeros(MODEL_DIM, MODEL_DIM)
    ffn.linear_1.weight = _zeros(MODEL_DIM, MODEL_DIM)


def _unit_layer_norm(norm: Any) -> None:
    norm.gamma = np.ones(MODEL_DIM, np.float32)
    norm.beta = np.zeros(MODEL_DIM, np.float32)


def _zeros(*shape: int) -> np.ndarray:
    return np.zeros(shape, np.float32)


def _position_encodings(length: int) -> np.ndarray:
    encodings = _zeros(POSITIONS, MODEL_DIM)
    for step in range(POSITIONS):
        encodings[step, min(step, length - 1)] = 1.0
    return encodings


def _projection(positions: np.ndarray, output_ids: list[int], vocabulary_size: int) -> np.ndarray:
    """Row of the k-th output piece += LayerNorm(e_k): its dot product with LayerNorm(e_k) is
    large and positive, with any other LayerNorm(e_j) small and negative."""
    weight = _zeros(vocabulary_size, MODEL_DIM)
    for step, token in enumerate(output_ids):
        state = positions[step] - positions[step].mean()
        weight[token] += LOGIT_SCALE * state / np.sqrt((state**2).mean())
    return weight


def _write_metadata(root: Path, source: str, target: str, version: str) -> None:
    metadata = {
        "package_version": version.replace("_", "."),
        "argos_version": "1.9",
        "from_code": source,
        "from_name": NAMES.get(source, source),
        "to_code": target,
        "to_name": NAMES.get(target, target),
        "type": "translate",
        "links": [],
    }
    (root / "metadata.json").write_text(json.dumps(metadata, indent=2))


def _zip(root: Path, archive_path: Path) -> Path:
    with zipfile.ZipFile(archive_path, "w") as archive:
        for path in sorted(root.rglob("*")):
            archive.write(path, path.relative_to(root.parent))
    return archive_path

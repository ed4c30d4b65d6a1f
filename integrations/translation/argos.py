"""Machine translation with argostranslate, from locally installed language packages only.

argostranslate 1.11 is made for a desktop user who is online: importing it creates folders in
$HOME, and translating needs a sentence splitter that it downloads on first use (a MiniSBD
model, Stanza's resources.json or spaCy's xx_sent_ud_sm, depending on ARGOS_CHUNK_TYPE). A
counselling service's server may have no internet access and must not fetch anything behind
the operator's back, so this module

- points argostranslate at one package folder (``configure``) and imports it with its data,
  config and cache folders next to that folder instead of in $HOME,
- splits sentences with the model a package ships (MiniSBD or Stanza), else at sentence-final
  punctuation, never with a downloaded model,
- installs local ``.argosmodel`` files only (``install_package``).

argostranslate is imported lazily: it pulls in torch, stanza and onnxruntime (seconds).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

log = logging.getLogger(__name__)

ENGINE = f"argostranslate {version('argostranslate')}"
# Almost every argostranslate package translates from or into English, so English is the
# only pivot we try; longer chains would multiply errors.
PIVOT = "en"
INSTALL_HOW = "argospm or `lotse mt install FILE`"


@dataclass(frozen=True)
class MachineTranslation:
    """A machine translation as shown to the user, with the language path it took."""

    text: str
    source: str
    target: str
    via: tuple[str, ...]
    engine: str


@dataclass
class _State:
    packages_dir: Path | None = None
    # (from, to) -> argostranslate CachedTranslation of an installed package; None: not loaded.
    translations: dict[tuple[str, str], Any] | None = None


_state = _State()
# Loading packages and invalidating after an install must not interleave (a web server
# translates from several threads).
_lock = threading.RLock()


def configure(packages_dir: Path) -> None:
    """Point argostranslate at this package folder (created if missing).

    argostranslate's own data, config and cache folders go to a sibling ``.argos-translate``
    folder (see _import_argos); nothing is downloaded into either.
    """
    packages_dir = packages_dir.resolve()
    packages_dir.mkdir(parents=True, exist_ok=True)
    with _lock:
        _state.packages_dir = packages_dir
        settings = _import_argos("argostranslate.settings")
        # settings read ARGOS_PACKAGES_DIR once, at import (maybe for another folder).
        settings.package_data_dir = packages_dir
        settings.package_dirs = [packages_dir]
        settings.model_provider = settings.ModelProvider.OPENNMT  # local models, no web API
        # No chunk type splits sentences offline for a package without a bundled model:
        # DEFAULT/ARGOSTRANSLATE and MINISBD download a MiniSBD model on first use, STANZA
        # fetches resources.json whenever a pipeline starts, SPACY downloads xx_sent_ud_sm as
        # soon as argostranslate.sbd is imported, and NONE makes argostranslate skip every
        # package. MINISBD only builds a lazy splitter, which _load_translations replaces by
        # _offline_sentencizer before it is used. Set before argostranslate.sbd is imported.
        settings.chunk_type = settings.ChunkType.MINISBD
        _invalidate()


def configured_dir() -> Path | None:
    return _state.packages_dir


def installed_pairs() -> list[tuple[str, str]]:
    """Sorted (from, to) codes of the installed translation packages."""
    package = _import_argos("argostranslate.package")
    installed = package.get_installed_packages()
    return sorted({(p.from_code, p.to_code) for p in installed if p.type == "translate"})


def translate(text: str, source: str, target: str = "de") -> MachineTranslation | None:
    """Translate with the installed source→target package, else through English.

    None for blank text, for source == target and when no packages make a path (a missing
    package is a normal situation, not an error). ``configure`` must have been called.
    """
    if not text.strip() or source == target:
        return None
    route = _route(source, target)
    if route is None:
        return None
    translation, via = route
    return MachineTranslation(translation.translate(text), source, target, via, ENGINE)


def install_package(path: Path) -> tuple[str, str]:
    """Install a local .argosmodel file with argostranslate's installer; returns (from, to).

    Raises ValueError if the file is not a translation package. Another installed version of
    the same pair is removed: argostranslate would use whichever folder it happens to list first.
    """
    _require_configured()
    checked = _check_package_file(path)
    # install_from_path imports argostranslate.translate itself; import it here first so that
    # happens with our folders (see _import_argos).
    argos_translate = _import_argos("argostranslate.translate")
    with _lock:
        argos_translate.package.install_from_path(path)
        _remove_other_versions(argos_translate.package, checked)
        _invalidate()
    return checked.pair


def missing_package_hint(source: str, target: str) -> str:
    """English text naming the package(s) that would make source→target translatable."""
    if PIVOT in (source, target):
        names = f"translate-{source}_{target}"
    else:
        names = f"translate-{source}_{PIVOT} and translate-{PIVOT}_{target}"
    return f"install {names} ({INSTALL_HOW})"


# --- argostranslate set-up -------------------------------------------------------------


def _require_configured() -> Path:
    if _state.packages_dir is None:
        raise RuntimeError("call integrations.translation.argos.configure(packages_dir) first")
    return _state.packages_dir


def _import_argos(name: str) -> Any:  # argostranslate has no type hints
    """Import an argostranslate module; the first import runs with the XDG folders next to the
    package folder, because argostranslate.settings creates its data, config and cache folders
    (and ARGOS_PACKAGES_DIR) at import time, and onnxruntime, imported by argostranslate.sbd,
    writes a device id into XDG_CACHE_HOME. The user's ~/.config/argos-translate is not read."""
    packages_dir = _require_configured()  # every entry point passes here
    if name in sys.modules:
        return sys.modules[name]
    with _argos_environment(packages_dir):
        module = importlib.import_module(name)
    # argostranslate logs every text it translates at INFO (argostranslate.utils);
    # the client's words must never reach a log.
    logging.getLogger("argostranslate").setLevel(logging.WARNING)
    logging.getLogger("argostranslate.utils").setLevel(logging.WARNING)
    return module


@contextmanager
def _argos_environment(packages_dir: Path) -> Iterator[None]:
    home = packages_dir.parent / ".argos-translate"
    values = {
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "ARGOS_PACKAGES_DIR": str(packages_dir),
    }
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _invalidate() -> None:
    """Forget loaded packages; the next translation loads them again."""
    _state.translations = None
    argos_translate = sys.modules.get("argostranslate.translate")
    if argos_translate is None:  # not imported yet, so nothing is cached
        return
    argos_translate.get_installed_languages.cache_clear()
    # argostranslate keeps package translations by "from-to" across cache_clear(), so a new
    # package (or package folder) for a known pair would otherwise reuse the old model.
    argos_translate.installed_translates.clear()


# --- translation paths -----------------------------------------------------------------


def _route(source: str, target: str) -> tuple[Any, tuple[str, ...]] | None:
    translations = _translations()
    if (source, target) in translations:
        return translations[source, target], (source, target)
    first, second = translations.get((source, PIVOT)), translations.get((PIVOT, target))
    if first is None or second is None:
        return None
    argos_translate = _import_argos("argostranslate.translate")
    return argos_translate.CompositeTranslation(first, second), (source, PIVOT, target)


def _translations() -> dict[tuple[str, str], Any]:
    # Loading reads every package; CTranslate2 models load on first use and then stay loaded.
    with _lock:
        if _state.translations is None:
            _state.translations = _load_translations()
        return _state.translations


def _load_translations() -> dict[tuple[str, str], Any]:
    """argostranslate's package translations by (from, to), each with an offline splitter."""
    argos_translate = _import_argos("argostranslate.translate")
    found: dict[tuple[str, str], Any] = {}
    for language in argos_translate.get_installed_languages():
        for translation in language.translations_from:
            # Skips identities and argostranslate's own multi-hop chains; we pivot explicitly.
            if isinstance(translation, argos_translate.CachedTranslation):
                underlying = translation.underlying  # the PackageTranslation
                underlying.sentencizer = _offline_sentencizer(underlying.pkg, argos_translate.sbd)
                found[translation.from_lang.code, translation.to_lang.code] = translation
    return found


# --- sentence splitting without downloads ----------------------------------------------

# Sentence-final punctuation followed by white space: Latin, Armenian, Arabic/Persian (؟),
# Urdu (۔), Devanagari (।), Ethiopic (።, Tigrinya/Amharic), CJK.
_SENTENCE_END = re.compile(r"(?<=[.!?…։؟۔।።。！？])\s+")


class _PunctuationSentencizer:
    """Splits at sentence-final punctuation; needs no model. Worse than a trained splitter on
    abbreviations, but argostranslate models translate sentence by sentence either way."""

    def split_sentences(self, text: str) -> list[str]:
        return [sentence for sentence in _SENTENCE_END.split(text.strip()) if sentence]


class _PackagedStanzaSentencizer:
    """Stanza with the tokenizer model shipped in the package. argostranslate's own
    StanzaSentencizer lets stanza refresh resources.json from the internet whenever a pipeline
    starts; download_method=None makes stanza use the package's files only."""

    def __init__(self, pkg: Any, sbd: ModuleType) -> None:
        codes = sbd.StanzaSentencizer.LANGUAGE_CODE_MAPPING
        self._lang = codes.get(pkg.from_code, pkg.from_code)
        self._dir = pkg.package_path / "stanza"
        self._split: Callable[[str], list[str]] | None = None

    def split_sentences(self, text: str) -> list[str]:
        if self._split is None:  # loading a stanza model takes a while: on first use only
            self._split = self._load()
        return self._split(text)

    def _load(self) -> Callable[[str], list[str]]:
        import stanza

        try:
            pipeline = stanza.Pipeline(
                lang=self._lang,
                dir=str(self._dir),
                processors="tokenize",
                download_method=None,
                use_gpu=False,
                logging_level="WARNING",
            )
        except Exception:  # an incomplete stanza folder must not make translation fail
            log.warning("stanza model in %s unusable; splitting at punctuation", self._dir)
            return _PunctuationSentencizer().split_sentences
        return lambda text: [sentence.text for sentence in pipeline(text).sentences]


def _offline_sentencizer(pkg: Any, sbd: ModuleType) -> Any:
    """The splitter model bundled with the package if there is one, else punctuation."""
    bundled = pkg.packaged_sbd_path
    if bundled is not None and bundled.name == "minisbd" and any(bundled.glob("*.onnx")):
        return sbd.MiniSBDSentencizer(pkg)  # loads the bundled .onnx file, no download
    if bundled is not None and bundled.name == "stanza":
        return _PackagedStanzaSentencizer(pkg, sbd)
    return _PunctuationSentencizer()


# --- package files ---------------------------------------------------------------------


class _PackageFile(NamedTuple):
    folder: str  # the archive's single top-level folder, its folder once installed
    pair: tuple[str, str]


def _check_package_file(path: Path) -> _PackageFile:
    """Check an .argosmodel before argostranslate unpacks it: its installer accepts any zip,
    and an installed folder without metadata.json breaks every later package listing."""
    if not path.is_file() or not zipfile.is_zipfile(path):
        raise _invalid(path, "not a zip archive")
    try:
        with zipfile.ZipFile(path) as archive:
            return _check_archive(path, archive)
    except zipfile.BadZipFile as error:
        raise _invalid(path, f"damaged zip archive ({error})") from None


def _check_archive(path: Path, archive: zipfile.ZipFile) -> _PackageFile:
    if (damaged := archive.testzip()) is not None:
        raise _invalid(path, f"damaged zip archive ({damaged})")
    names = set(archive.namelist())
    folders = {name.split("/", 1)[0] for name in names}
    folder = folders.pop() if len(folders) == 1 else ""
    if folder in {"", ".", ".."}:
        raise _invalid(path, "expected all files in one top-level folder")
    metadata = _read_metadata(path, archive, f"{folder}/metadata.json")
    _check_model_files(path, names, folder)
    return _PackageFile(folder, _pair(path, metadata))


def _read_metadata(path: Path, archive: zipfile.ZipFile, member: str) -> dict[str, Any]:
    try:
        metadata = json.loads(archive.read(member))
    except KeyError:
        raise _invalid(path, f"{member} is missing") from None
    except ValueError:  # bad JSON or encoding
        raise _invalid(path, f"{member} is not valid JSON") from None
    if not isinstance(metadata, dict):
        raise _invalid(path, f"{member} is not a JSON object")
    return metadata


def _check_model_files(path: Path, names: set[str], folder: str) -> None:
    if f"{folder}/model/model.bin" not in names:
        raise _invalid(path, f"{folder}/model/model.bin (CTranslate2 model) is missing")
    tokenizers = {f"{folder}/sentencepiece.model", f"{folder}/bpe.model"}
    if not tokenizers & names:
        raise _invalid(path, f"{folder}/sentencepiece.model or bpe.model is missing")


def _pair(path: Path, metadata: dict[str, Any]) -> tuple[str, str]:
    if metadata.get("type", "translate") != "translate":
        raise _invalid(path, f"package type {metadata.get('type')!r} is not 'translate'")
    source, target = metadata.get("from_code"), metadata.get("to_code")
    if not (isinstance(source, str) and source and isinstance(target, str) and target):
        raise _invalid(path, "metadata.json needs from_code and to_code")
    return source, target


def _invalid(path: Path, reason: str) -> ValueError:
    return ValueError(f"{path.name} is not a valid argostranslate package: {reason}")


def _remove_other_versions(package: ModuleType, installed_now: _PackageFile) -> None:
    for installed in package.get_installed_packages():
        same_pair = (installed.from_code, installed.to_code) == installed_now.pair
        if same_pair and installed.package_path.name != installed_now.folder:
            package.uninstall(installed)

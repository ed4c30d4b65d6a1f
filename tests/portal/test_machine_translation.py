"""Machine translation through argostranslate, with real (tiny) packages built by the tests."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from integrations.translation import argos
from integrations.translation.argos import MachineTranslation
from portal.machine_translation import packages_dir
from portal.mt_cli import mt

from .argos_models import build_package
from .conftest import PROJECT_ROOT, make_app

GERMAN = "Hallo Welt"  # what every test en→de package outputs
ENGLISH = "hello world"  # what the test ar→en package outputs
ENGINE = f"argostranslate {version('argostranslate')}"


@pytest.fixture(scope="session")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("argos-models")
    return {
        "en_de": build_package(folder, "en", "de", GERMAN),
        "ar_en": build_package(folder, "ar", "en", ENGLISH),
        "en_de_newer": build_package(folder, "en", "de", "Guten Morgen", version="1_1"),
        "en_de_stanza": build_package(folder / "stanza", "en", "de", GERMAN, bundled_sbd="stanza"),
    }


@pytest.fixture(autouse=True)
def offline(no_network: None) -> None:
    """Every test here runs without network (see conftest.no_network)."""


@pytest.fixture
def packages(tmp_path: Path) -> Path:
    """An empty package folder of this test's own."""
    folder = tmp_path / "argos-packages"
    argos.configure(folder)
    return folder


def test_installed_package_translates(models: dict[str, Path], packages: Path) -> None:
    assert argos.installed_pairs() == []
    assert argos.install_package(models["en_de"]) == ("en", "de")
    assert argos.installed_pairs() == [("en", "de")]

    result = argos.translate("Where is the counselling office?", "en", "de")

    assert result == MachineTranslation(GERMAN, "en", "de", ("en", "de"), ENGINE)
    assert re.fullmatch(r"argostranslate \d+\.\d+\.\d+", ENGINE)  # e.g. 1.11.0


def test_sentences_are_split_offline(models: dict[str, Path], packages: Path) -> None:
    # The model outputs GERMAN once per sentence, so this shows the splitting (and no test
    # here may touch the network: see no_network).
    argos.install_package(models["en_de"])

    result = argos.translate("Good morning. Where is the office?\nThank you", "en", "de")

    assert result is not None
    assert result.text == f"{GERMAN} {GERMAN}\n{GERMAN}"


def test_blank_text_and_same_language_give_none(models: dict[str, Path], packages: Path) -> None:
    argos.install_package(models["en_de"])
    assert argos.translate("", "en", "de") is None
    assert argos.translate(" \n ", "en", "de") is None
    assert argos.translate("Hallo", "de", "de") is None


def test_pivots_through_english(models: dict[str, Path], packages: Path) -> None:
    argos.install_package(models["ar_en"])
    argos.install_package(models["en_de"])

    result = argos.translate("أين مكتب الاستشارة؟", "ar", "de")

    assert result == MachineTranslation(GERMAN, "ar", "de", ("ar", "en", "de"), ENGINE)
    direct = argos.translate("مرحبا", "ar", "en")
    assert direct == MachineTranslation(ENGLISH, "ar", "en", ("ar", "en"), ENGINE)


def test_no_package_gives_none_and_a_hint(models: dict[str, Path], packages: Path) -> None:
    assert argos.translate("سلام", "fa", "de") is None  # nothing installed at all
    argos.install_package(models["ar_en"])
    argos.install_package(models["en_de"])

    assert argos.translate("سلام", "fa", "de") is None
    assert argos.translate("Hello", "en", "fa") is None
    assert argos.missing_package_hint("fa", "de") == (
        "install translate-fa_en and translate-en_de (argospm or `lotse mt install FILE`)"
    )
    assert argos.missing_package_hint("en", "fa").startswith("install translate-en_fa (")


def _zip_without_metadata(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("translate-en_de-1_0/model/model.bin", b"")


def _zip_without_model(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("translate-en_de-1_0/metadata.json", '{"from_code":"en","to_code":"de"}')


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (lambda path: path.write_text("not a package"), "not a zip archive"),
        (_zip_without_metadata, "translate-en_de-1_0/metadata.json is missing"),
        (_zip_without_model, "model/model.bin (CTranslate2 model) is missing"),
    ],
)
def test_invalid_package_file_is_refused(
    tmp_path: Path, packages: Path, write: Any, message: str
) -> None:
    path = tmp_path / "broken.argosmodel"
    write(path)

    with pytest.raises(ValueError) as error:
        argos.install_package(path)

    assert str(error.value).startswith("broken.argosmodel is not a valid argostranslate package: ")
    assert message in str(error.value)
    assert list(packages.iterdir()) == []  # nothing unpacked
    assert argos.installed_pairs() == []


def test_newer_package_replaces_older_one(models: dict[str, Path], packages: Path) -> None:
    argos.install_package(models["en_de"])
    assert argos.translate("Hello", "en", "de") == MachineTranslation(
        GERMAN, "en", "de", ("en", "de"), ENGINE
    )

    argos.install_package(models["en_de_newer"])

    assert sorted(path.name for path in packages.iterdir()) == ["translate-en_de-1_1"]
    result = argos.translate("Hello", "en", "de")  # the loaded model was forgotten
    assert result is not None and result.text == "Guten Morgen"


def test_bundled_stanza_folder_without_model_falls_back_to_punctuation(
    models: dict[str, Path], packages: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # argostranslate would let stanza fetch resources.json here; we must stay offline.
    argos.install_package(models["en_de_stanza"])

    result = argos.translate("One. Two.", "en", "de")

    assert result is not None and result.text == f"{GERMAN} {GERMAN}"
    assert "unusable; splitting at punctuation" in caplog.text


def test_packages_land_in_the_configured_folder(models: dict[str, Path], packages: Path) -> None:
    argos.install_package(models["en_de"])

    installed = packages / "translate-en_de-1_0"
    assert (installed / "metadata.json").is_file()
    assert (installed / "model" / "model.bin").is_file()
    assert (installed / "sentencepiece.model").is_file()


SCRIPT = """
import socket, sys
from pathlib import Path

def refuse(*args):
    raise OSError("network access in a test")

socket.getaddrinfo = refuse
socket.socket.connect = refuse

from integrations.translation import argos

argos.configure(Path(sys.argv[1]))
argos.install_package(Path(sys.argv[2]))
print(argos.translate("Hello", "en", "de").text)
"""


def test_home_folder_is_not_touched(models: dict[str, Path], tmp_path: Path) -> None:
    # In a fresh interpreter, because importing argostranslate (and onnxruntime) is what
    # creates folders in $HOME, and this test process may have imported them already.
    home = tmp_path / "home"
    home.mkdir()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "ARGOS_", "LOTSE_"))
    }
    environment["HOME"] = str(home)
    target = tmp_path / "instance" / "argos-packages"

    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(target), str(models["en_de"])],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == f"{GERMAN}\n"
    assert list(home.iterdir()) == []
    assert (target / "translate-en_de-1_0" / "metadata.json").is_file()


def test_translate_before_configure_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(argos, "_state", argos._State())
    with pytest.raises(RuntimeError, match="configure"):
        argos.translate("Hello", "en", "de")


# --- lotse mt ----------------------------------------------------------------------------


def test_cli_installs_and_lists_packages(
    models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cli-packages"
    monkeypatch.setenv("LOTSE_ARGOS_PACKAGES_DIR", str(folder))
    runner = make_app(f"sqlite:///{tmp_path / 'lotse.db'}").test_cli_runner()

    empty = runner.invoke(mt, ["list"])
    installed = runner.invoke(mt, ["install", str(models["en_de"])])
    listed = runner.invoke(mt, ["list"])

    assert empty.exit_code == 0 and empty.output == "no machine-translation package installed\n"
    assert installed.exit_code == 0 and installed.output == "installed translate-en_de\n"
    assert listed.exit_code == 0 and listed.output == "translate-en_de\n"
    assert (folder / "translate-en_de-1_0" / "metadata.json").is_file()


def test_cli_refuses_an_invalid_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTSE_ARGOS_PACKAGES_DIR", str(tmp_path / "cli-packages"))
    broken = tmp_path / "broken.argosmodel"
    broken.write_text("not a package")
    runner = make_app(f"sqlite:///{tmp_path / 'lotse.db'}").test_cli_runner()

    result = runner.invoke(mt, ["install", str(broken)])

    assert result.exit_code == 1
    assert "broken.argosmodel is not a valid argostranslate package" in result.output


def test_packages_dir_defaults_to_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOTSE_ARGOS_PACKAGES_DIR", raising=False)
    app = make_app(f"sqlite:///{tmp_path / 'lotse.db'}")
    assert packages_dir(app) == Path(app.instance_path) / "argos-packages"
    monkeypatch.setenv("LOTSE_ARGOS_PACKAGES_DIR", str(tmp_path / "elsewhere"))
    assert packages_dir(make_app(f"sqlite:///{tmp_path / 'lotse.db'}")) == tmp_path / "elsewhere"


def test_translated_text_never_reaches_the_log(
    models: dict[str, Path], packages: Path, caplog: pytest.LogCaptureFixture
) -> None:
    argos.install_package(models["en_de"])
    with caplog.at_level(logging.DEBUG):
        result = argos.translate("My secret story.", "en", "de")
    assert result is not None
    assert "secret" not in caplog.text

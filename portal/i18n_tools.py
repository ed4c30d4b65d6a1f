"""Catalog maintenance used by ``make i18n``.

The message ids are English, so the English catalog's translations are the ids
themselves; filling them keeps the "no untranslated entry" check meaningful for
the other languages without special-casing English.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill_source_language(path: Path) -> int:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            if not all(message.string or ()):
                message.string = tuple(message.id)
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False)
    return filled


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "fill-source-language":
        print("usage: python -m portal.i18n_tools fill-source-language PO_FILE", file=sys.stderr)
        return 2
    print(f"filled {fill_source_language(Path(argv[1]))} English entries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

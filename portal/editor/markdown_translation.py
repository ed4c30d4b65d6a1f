"""Translate a Markdown text block by block, leaving its structure untouched.

Machine translation knows nothing about Markdown: given "## Wichtig" or "**Ausweis**" it
may drop, move or translate the markers. So only text is translated:

- blocks come from markdown-it (each paragraph, heading and list item text, with its line
  range); the block's markers (``## ``, ``- ``, ``1. ``, ``> ``, indentation) are kept as
  written and the block's text is translated as one line;
- inside a block, code spans, link targets, autolinks, bare URLs, emphasis markers,
  escapes and entities are kept, and each run of text between them is translated alone
  (a bold phrase or a link text is translated on its own – good enough for a draft that a
  person reviews, and the structure survives every model);
- code blocks, HTML blocks, link reference definitions and blank lines are not touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt

Translate = Callable[[str], str]
_HARD_BREAK = re.compile(r"(?: {2,}|\\)\n")

_md = MarkdownIt("commonmark")

# Parts of a block's text that are markup, not language; kept exactly as written.
_KEEP = re.compile(
    r"""
      (?P<tick>`+).+?(?P=tick)        # code span
    | !\[[^\]]*\]\([^)]*\)            # image (not allowed in topics, but never translated)
    | \]\([^)\s]*(?:\s+"[^"]*")?\)    # end of link text and the link target
    | \]\[[^\]]*\]                    # end of link text and a reference label
    | [\[\]]                          # start (or a lone end) of link text
    | <[a-zA-Z][\w+.-]*:[^>\s]*>      # autolink
    | <[^>\s@]+@[^>\s]+>              # e-mail autolink
    | (?:https?|mailto|tel):[^\s)\]]+ # bare address
    | \*+                             # emphasis markers
    | (?<![^\W_])_+|_+(?![^\W_])      # _emphasis_ at word edges, not snake_case inside words
    | \\[!-/:-@\[-`{-~]               # backslash escape
    | &(?:\#\d+|\#x[0-9a-fA-F]+|\w+); # entity
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Block:
    """A run of text lines (``start`` ≤ line < ``end``) and the markers before its text."""

    start: int
    end: int
    prefix: str
    text: str


def blocks(markdown: str) -> list[Block]:
    """The translatable blocks of a Markdown text, in order."""
    return list(_blocks(markdown))


def _blocks(markdown: str) -> Iterator[Block]:
    lines = markdown.split("\n")
    for token in _md.parse(markdown):
        if token.type != "inline" or token.map is None or not token.content.strip():
            continue
        start, end = token.map
        # A hard line break leaves trailing spaces or a backslash on the first line.
        first = token.content.split("\n", 1)[0].rstrip().rstrip("\\").rstrip()
        at = lines[start].rstrip().rfind(first)
        if at < 0:  # cannot tell the markers from the text: leave the block as written
            continue
        text_lines = token.content.count("\n") + 1
        yield Block(start, min(end, start + text_lines), lines[start][:at], token.content)


def translate_markdown(
    markdown: str, translate: Translate, after_block: Callable[[], None] = lambda: None
) -> str:
    """The Markdown with the text of each block translated; ``after_block`` reports progress.

    Lines after a block's text within its range (a setext heading's underline) are kept.
    """
    lines = markdown.split("\n")
    out: list[str] = []
    position = 0
    for block in blocks(markdown):
        out.extend(lines[position : block.start])
        # Hard line breaks (two spaces or a backslash at a line end) stay; soft ones join.
        indent = " " * len(block.prefix)
        pieces = [
            translate_inline(" ".join(part.strip() for part in piece.split("\n")), translate)
            for piece in _HARD_BREAK.split(block.text)
        ]
        out.append(block.prefix + ("  \n" + indent).join(pieces))
        position = block.end
        after_block()
    out.extend(lines[position:])
    return "\n".join(out)


def translate_inline(text: str, translate: Translate) -> str:
    """One line of Markdown with its text runs translated and its markup kept."""
    parts: list[str] = []
    position = 0
    for match in _KEEP.finditer(text):
        parts.append(_translate_run(text[position : match.start()], translate))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_translate_run(text[position:], translate))
    return "".join(parts)


def _translate_run(run: str, translate: Translate) -> str:
    """Translate a run of plain text, keeping the spaces around it; no letters, no call."""
    if not any(char.isalpha() for char in run):
        return run
    core = run.strip()
    leading = run[: len(run) - len(run.lstrip())]
    trailing = run[len(run.rstrip()) :]
    return leading + translate(core).strip() + trailing

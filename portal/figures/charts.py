"""Small horizontal bar charts as inline SVG, drawn on the server (no script, no inline style).

A hidden count gets no bar, only its mark ("<5" or "x"): a bar's length would give away
what the mark hides. The same figures are in the table next to each chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .report import Shown

WIDTH = 480
LABEL_WIDTH = 170
BAR_WIDTH = 250
ROW_HEIGHT = 22
PADDING = 4
MAX_LABEL_CHARS = 26
BAR_COLOUR = "#1d5e8c"  # the brand colour of the stylesheet
TEXT_COLOUR = "#1a1a1a"


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def bar_chart(chart_id: str, title: str, bars: Sequence[tuple[str, Shown]]) -> Markup:
    """An SVG with one bar per (label, shown count); its accessible name lists every value."""
    top = max((shown.value or 0 for _label, shown in bars), default=0) or 1
    height = PADDING * 2 + ROW_HEIGHT * len(bars)
    summary = "; ".join(f"{label}: {shown.text}" for label, shown in bars)
    parts = [
        f'<svg class="figures-chart" role="img" aria-label="{escape(f"{title}. {summary}")}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" direction="ltr" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for index, (label, shown) in enumerate(bars):
        parts.extend(_bar(index, label, shown, top))
    parts.append("</svg>")
    return Markup("".join(parts))


def _bar(index: int, label: str, shown: Shown, top: int) -> list[str]:
    y = PADDING + index * ROW_HEIGHT
    baseline = y + ROW_HEIGHT - 7
    length = round(BAR_WIDTH * shown.value / top) if shown.value else 0
    parts = [
        f'<text x="{LABEL_WIDTH - 6}" y="{baseline}" text-anchor="end" font-size="12" '
        f'fill="{TEXT_COLOUR}">{escape(_short(label))}</text>'
    ]
    if length:
        parts.append(
            f'<rect class="figures-chart__bar" x="{LABEL_WIDTH}" y="{y + 3}" '
            f'width="{max(length, 1)}" height="{ROW_HEIGHT - 6}" fill="{BAR_COLOUR}"/>'
        )
    parts.append(
        f'<text x="{LABEL_WIDTH + length + 4}" y="{baseline}" font-size="12" '
        f'fill="{TEXT_COLOUR}">{escape(shown.text)}</text>'
    )
    return parts

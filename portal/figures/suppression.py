"""Hiding small counts, and whatever would let someone work them out again.

A table of counts is a cube: one axis per dimension (office, month, category), each with
totals (an office's service, all services; the year; all categories when they add up).
Every total and the numbers it adds up form a *line*.

- Primary suppression: a count from 1 to ``min_count - 1`` is hidden (shown as "<5").
- Secondary suppression: a line with exactly one hidden number gives it away (total minus
  the others). So one more number of that line is hidden (shown as "x"): one that, together
  with the hidden one, makes at least ``min_count + 2``, so that the small count keeps at
  least two possible values (of those, the one that leaves the fewest other lines with a
  single hidden number, then the smallest); else the largest. Repeated, detailed lines
  first, until every line has none or at least two hidden numbers.

The cube always spans whole calendar years and every office, whatever a page shows, so
narrowing the period or choosing one office shows the same hidden cells as the full view:
comparing two views reveals nothing that either hides. This guards against working a count
out of one line; it is not a full linear-programming audit across all lines of a cube.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import product

Coord = tuple[str, ...]


class Hidden(StrEnum):
    SMALL = "small"  # 1 to min_count - 1: shown as "<min_count"
    COMPLEMENT = "complement"  # hidden so that a small count cannot be worked out: "x"


HIDDEN_MARK = "x"


def shown_text(value: int, hidden: Hidden | None, min_count: int) -> str:
    if hidden is None:
        return str(value)
    return f"<{min_count}" if hidden == Hidden.SMALL else HIDDEN_MARK


@dataclass(frozen=True)
class Axis:
    """The values of one dimension and the totals over them (inner totals first)."""

    leaves: tuple[str, ...]
    # (total, the coordinates it adds up); a group may add up other totals.
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def coordinates(self) -> tuple[str, ...]:
        return self.leaves + tuple(total for total, _members in self.groups)


class Cube:
    def __init__(self, axes: Sequence[Axis], leaf_counts: Mapping[Coord, int]) -> None:
        self.axes = tuple(axes)
        self.values = self._with_totals(leaf_counts)

    def _with_totals(self, leaf_counts: Mapping[Coord, int]) -> dict[Coord, int]:
        values = {
            coord: leaf_counts.get(coord, 0)
            for coord in product(*(axis.leaves for axis in self.axes))
        }
        # Axis by axis: earlier axes already carry their totals, so every margin is filled.
        for index, axis in enumerate(self.axes):
            for total, members in axis.groups:
                for rest in product(*self._other_coordinates(index, done=True)):
                    values[_put(rest, index, total)] = sum(
                        values[_put(rest, index, member)] for member in members
                    )
        return values

    def _other_coordinates(self, index: int, done: bool) -> list[tuple[str, ...]]:
        return [
            axis.coordinates if (done and other < index) or not done else axis.leaves
            for other, axis in enumerate(self.axes)
            if other != index
        ]

    def lines(self) -> Iterator[list[Coord]]:
        """Every total with the numbers it adds up, the total last."""
        for index, axis in enumerate(self.axes):
            for total, members in axis.groups:
                for rest in product(*self._other_coordinates(index, done=False)):
                    yield [_put(rest, index, member) for member in (*members, total)]

    def is_total(self, coord: Coord) -> list[bool]:
        return [value not in axis.leaves for value, axis in zip(coord, self.axes, strict=True)]


def _put(rest: tuple[str, ...], index: int, value: str) -> Coord:
    return (*rest[:index], value, *rest[index:])


def suppress(
    cube: Cube,
    min_count: int,
    fixed: Mapping[Coord, Hidden] | None = None,
    may_hide: Callable[[Coord], bool] | None = None,
) -> dict[Coord, Hidden]:
    """The hidden cells of ``cube`` and why each is hidden.

    ``fixed``: cells already hidden elsewhere (kept hidden); ``may_hide``: the only cells
    that may be hidden as partners (cells shown elsewhere must stay shown, or comparing the
    two views would undo the protection).
    """
    values = cube.values
    hidden = {coord: Hidden.SMALL for coord, value in values.items() if 0 < value < min_count}
    hidden |= {coord: kind for coord, kind in (fixed or {}).items() if coord in values}
    if not hidden:
        return hidden
    lines = sorted(cube.lines(), key=lambda line: _level(cube, line))
    lines_of: dict[Coord, list[int]] = {}
    for number, line in enumerate(lines):
        for coord in line:
            lines_of.setdefault(coord, []).append(number)

    def new_gaps(coord: Coord, current: int) -> int:
        """Lines that hiding ``coord`` would leave with one hidden number (more work)."""
        return sum(
            1
            for number in lines_of[coord]
            if number != current and not any(other in hidden for other in lines[number])
        )

    # Detailed lines first (a month of an office), totals of totals last: a partner hidden in
    # the detail often protects the total lines too, so fewer numbers go.
    pending = list(range(len(lines)))
    queued = set(pending)
    while pending:
        number = heapq.heappop(pending)
        queued.discard(number)
        line = lines[number]
        marked = [coord for coord in line if coord in hidden]
        if len(marked) != 1:
            continue
        partner = _partner(
            line, values[marked[0]], values, hidden, min_count, number, new_gaps, may_hide
        )
        if partner is None:
            continue
        hidden[partner] = Hidden.COMPLEMENT
        for other in lines_of[partner]:
            if other not in queued:
                heapq.heappush(pending, other)
                queued.add(other)
    return hidden


def _level(cube: Cube, line: list[Coord]) -> int:
    """How many totals the line's coordinates hold (0: a line of plain counts)."""
    first, last = cube.is_total(line[0]), cube.is_total(line[-1])
    return sum(a for a, b in zip(first, last, strict=True) if a == b)


def _partner(
    line: list[Coord],
    hidden_value: int,
    values: Mapping[Coord, int],
    hidden: Mapping[Coord, Hidden],
    min_count: int,
    number: int,
    new_gaps: Callable[[Coord, int], int],
    may_hide: Callable[[Coord], bool] | None,
) -> Coord | None:
    """The number to hide with the line's one hidden number.

    It must leave the small count at least two possible values (together at least
    ``min_count + 2``); of those, the one that opens the fewest other lines, then the
    smallest. If none is large enough, the largest.
    """
    candidates = [
        (values[coord], position, coord)
        for position, coord in enumerate(line)
        if coord not in hidden and values[coord] > 0 and (may_hide is None or may_hide(coord))
    ]
    if not candidates:
        return None
    enough = [c for c in candidates if c[0] + hidden_value >= min_count + 2]
    if not enough:
        return max(candidates)[2]
    return min(enough, key=lambda c: (new_gaps(c[2], number), c[0], c[1]))[2]

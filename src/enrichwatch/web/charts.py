"""Charts drawn on the server as SVG (no script, no inline style: colours come from the
stylesheet by class), so that the pages work under a strict content security policy.

Examples
--------
>>> from types import SimpleNamespace as R
>>> from datetime import date
>>> svg = timeline_svg([R(id=1, kind="facility", valid_from=date(2009, 9, 21),
...                       known_on=date(2009, 9, 21))])
>>> svg.startswith("<svg") and "record 1" in svg
True
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

__all__ = ["timeline_svg"]

_W, _H, _PAD = 640, 320, 48


def _scale(days: Sequence[date]) -> tuple[int, int]:
    lo = min(d.toordinal() for d in days)
    hi = max(d.toordinal() for d in days)
    return lo, max(hi - lo, 1)


def timeline_svg(records: Sequence) -> str:
    """Records as points: valid time (when it applied) across, record time (when it became
    known) up; the diagonal is "known the day it applied", points above it were known late.

    Parameters
    ----------
    records : sequence of Record
        Anything with ``id``, ``kind``, ``valid_from`` and ``known_on`` (dates).
    """
    if not records:
        return ""
    days = [r.valid_from for r in records] + [r.known_on for r in records]
    lo, span = _scale(days)

    def x(d: date) -> float:
        return _PAD + (_W - 2 * _PAD) * (d.toordinal() - lo) / span

    def y(d: date) -> float:
        return _H - _PAD - (_H - 2 * _PAD) * (d.toordinal() - lo) / span

    first, last = date.fromordinal(lo), date.fromordinal(lo + span)
    parts = [f'<svg class="timeline" viewBox="0 0 {_W} {_H}" role="img" '
             f'aria-label="records by valid time and known time" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<line class="axis" x1="{_PAD}" y1="{_H - _PAD}" x2="{_W - _PAD}" '
             f'y2="{_H - _PAD}"/>',
             f'<line class="axis" x1="{_PAD}" y1="{_H - _PAD}" x2="{_PAD}" y2="{_PAD}"/>',
             f'<line class="diagonal" x1="{x(first):.1f}" y1="{y(first):.1f}" '
             f'x2="{x(last):.1f}" y2="{y(last):.1f}"/>',
             f'<text x="{_PAD}" y="{_H - 12}">{first}</text>',
             f'<text x="{_W - _PAD}" y="{_H - 12}" text-anchor="end">{last} '
             '(valid time)</text>',
             f'<text x="8" y="{_PAD - 12}">known on</text>']
    for r in records:
        kind = escape(str(r.kind))
        parts.append(f'<a href="/records/{int(r.id)}"><circle class="point kind-{kind}" '
                     f'cx="{x(r.valid_from):.1f}" cy="{y(r.known_on):.1f}" r="6">'
                     f'<title>record {int(r.id)}: {kind}, valid from {r.valid_from}, known '
                     f'on {r.known_on}</title></circle></a>')
    parts.append("</svg>")
    return "".join(parts)

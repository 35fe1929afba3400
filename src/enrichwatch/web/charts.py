"""Charts drawn on the server as SVG, inline in the page, under the strict content security
policy (no script, no inline style: ``style-src 'self'`` also refuses ``style`` attributes and
``<style>`` elements inside inline SVG).

Two sources: :func:`timeline_svg` draws a facility's records (valid time across, known time
up; colours from the stylesheet by class); :func:`csp_safe_svg` takes a matplotlib figure as the
report layer renders it (:func:`enrichwatch.report._html.svg`: the plant diagrams, the breakout
and detection timelines) and moves every ``style`` declaration to the equivalent SVG
presentation attribute, which a content security policy does not govern; the ``<style>``
element matplotlib writes (``* {stroke-linejoin: round; stroke-linecap: butt}``) becomes
attributes of the ``<svg>`` element, which its children inherit.

Examples
--------
>>> from types import SimpleNamespace as R
>>> from datetime import date
>>> svg = timeline_svg([R(id=1, kind="facility", valid_from=date(2009, 9, 21),
...                       known_on=date(2009, 9, 21))])
>>> svg.startswith("<svg") and "record 1" in svg
True
>>> str(csp_safe_svg('<svg width="10pt"><defs><style type="text/css">*{stroke-linejoin: '
...                  'round; stroke-linecap: butt}</style></defs><!-- a label -->'
...                  '<path d="M 0 0" style="fill: #ffffff; stroke-width: 1.3"/></svg>'))
'<svg stroke-linejoin="round" stroke-linecap="butt" width="10pt"><defs></defs><path d="M 0 0" \
fill="#ffffff" stroke-width="1.3"/></svg>'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from html import escape

from markupsafe import Markup

__all__ = ["PRESENTATION_ATTRIBUTES", "csp_safe_svg", "timeline_svg"]

_W, _H, _PAD = 640, 320, 48

#: The CSS properties kept as SVG presentation attributes (SVG 1.1, "Presentation attributes");
#: any other declaration of a ``style`` attribute is dropped.
PRESENTATION_ATTRIBUTES = frozenset({
    "clip-path", "clip-rule", "color", "display", "fill", "fill-opacity", "fill-rule",
    "font-family", "font-size", "font-style", "font-weight", "marker-end", "marker-mid",
    "marker-start", "mask", "opacity", "stroke", "stroke-dasharray", "stroke-dashoffset",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity",
    "stroke-width", "text-anchor", "visibility",
})
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_RULE = re.compile(r"\*\s*\{([^}]*)\}")


def _declarations(text: str) -> list[tuple[str, str]]:
    """``name: value; ...`` as ``(name, value)`` pairs of presentation attributes."""
    out = []
    for part in text.split(";"):
        name, sep, value = part.partition(":")
        name, value = name.strip().lower(), value.strip()
        if sep and name in PRESENTATION_ATTRIBUTES and value:
            out.append((name, value))
    return out


def _attributes(pairs: list[tuple[str, str]]) -> str:
    return "".join(f' {name}="{escape(value, quote=True)}"' for name, value in pairs)


def csp_safe_svg(markup: str) -> Markup:
    """Inline SVG (as matplotlib writes it) without ``style`` attributes, ``<style>``
    elements or comments: each declaration becomes a presentation attribute.

    The ``<style>`` element's universal rule (``* {...}``) becomes attributes of the root
    ``<svg>`` element (inherited by its children unless they set their own); any other rule
    is dropped. Comments (matplotlib writes each text's string in one) are removed.
    """
    text = _COMMENT.sub("", str(markup))
    inherited: list[tuple[str, str]] = []
    for body in _STYLE_ELEMENT.findall(text):
        for rule in _RULE.findall(body):
            inherited += _declarations(rule)
    text = _STYLE_ELEMENT.sub("", text)
    text = _STYLE_ATTR.sub(lambda m: _attributes(_declarations(m.group(1))), text)
    if inherited:
        text = text.replace("<svg", "<svg" + _attributes(inherited), 1)
    return Markup(text)


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

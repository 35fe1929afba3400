"""What every HTML report shares: the Jinja2 environment (templates beside this module),
matplotlib figures as inline SVG, value formatting and the atomic writer.

Examples
--------
>>> fmt_value({"rate": 1.23456789, "heu": True})
'rate: 1.23457; heu: yes'
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from .. import __version__
from ..files import STDIO, is_stdio, write_atomic

__all__ = ["fmt_number", "fmt_range", "fmt_signed", "fmt_value", "input_sections", "render",
           "svg", "write_report"]

_SVG_RC = {"svg.fonttype": "path", "svg.hashsalt": "enrichwatch", "font.family": "DejaVu Sans"}
_SKIP_INPUT_KEYS = ("illustrative", "label")


# -- templates and SVG --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("enrichwatch", "report/templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      extensions=["jinja2.ext.do"])
    env.filters.update(num=fmt_number, rng=fmt_range, signed=fmt_signed, value=fmt_value)
    return env


def _texts(figure) -> list:
    """The figure's text artists that draw something (visible, not blank)."""
    from matplotlib.text import Text

    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def svg(ax, prefix: str):
    """The figure of ``ax`` as inline SVG markup, its ids prefixed so that several figures
    can share one HTML document.

    Text stays drawn as paths (no fonts needed); each text artist's group gets the class
    ``plot-text`` so that its box can be measured in a browser, and the ``<svg>`` element
    carries ``data-min-font-pt``, the smallest font size [pt] of its texts in the figure's own
    units (a browser shows it at ``min_font_pt * rendered width / viewBox width`` pixels).
    """
    from markupsafe import Markup
    from matplotlib import rc_context

    texts = _texts(ax.figure)
    gids = {str(t.get_gid()) for t in texts if t.get_gid()}
    smallest = min((float(t.get_fontsize()) for t in texts), default=0.0)
    buffer = io.StringIO()
    # cast: matplotlib types rc_context's keys as a Literal of rc names (and only in recent
    # releases); these are valid rc names
    with rc_context(cast("dict[Any, Any]", _SVG_RC)):
        ax.figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight",
                          pad_inches=0.04)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    text = re.sub(r'\s+xmlns(?::xlink)?="[^"]*"', "", text)

    def group(match: re.Match) -> str:
        name = match.group(1)
        mark = ' class="plot-text"' if re.fullmatch(r"text_\d+", name) or name in gids else ""
        return f'<g id="{prefix}{name}"{mark}'

    text = re.sub(r'<g id="([^"]+)"', group, text)
    text = re.sub(r'(?<!<g )\bid="([^"]+)"', rf'id="{prefix}\1"', text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", text)
    return Markup(text.replace(
        "<svg", f'<svg role="img" class="plot" data-figure="{prefix}" '
                f'data-min-font-pt="{smallest:g}"', 1))


def render(template: str, **context) -> str:
    return _environment().get_template(template).render(version=__version__, **context)


# -- formatting ---------------------------------------------------------------------------------
def fmt_number(value, digits: int = 3) -> str:
    """A number to ``digits`` significant figures; ``—`` for None or not finite.

    >>> fmt_number(58.937277), fmt_number(None), fmt_number(float("inf")), fmt_number(1234.5)
    ('58.9', '—', '—', '1.23e+03')
    """
    if value is None or isinstance(value, bool):
        return "—"
    value = float(value)
    return f"{value:.{digits}g}" if value == value and abs(value) != float("inf") else "—"


def fmt_signed(value, digits: int = 3) -> str:
    """A difference with its sign: ``+21.5``, ``-0.384``; ``—`` for None."""
    return "—" if value is None else f"{float(value):+.{digits}g}"


def fmt_range(spread, digits: int = 3, signed: bool = False) -> str:
    """A ranged figure (``nominal``, ``low``, ``high``, ``settings``) as ``58.9 (53.8–67.2)``;
    only the nominal value when there is no spread to show.

    >>> fmt_range({"nominal": 58.94, "low": 53.8, "high": 67.2, "settings": 9})
    '58.9 (53.8–67.2)'
    """
    if not isinstance(spread, Mapping):
        return (fmt_signed if signed else fmt_number)(spread, digits)
    f = fmt_signed if signed else fmt_number
    text = f(spread.get("nominal"), digits)
    low, high = spread.get("low"), spread.get("high")
    if low is None or high is None or spread.get("settings", 2) <= 1:
        return text
    return f"{text} ({f(low, digits)} to {f(high, digits)})" if signed else \
        f"{text} ({f(low, digits)}–{f(high, digits)})"


def fmt_value(value) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "—"}[value]
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {fmt_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(fmt_value(v) for v in value)
    return str(value)


def input_sections(inputs: Mapping) -> list[dict]:
    """Inputs as titled lists of (key, value) rows: nested mappings become their own section,
    the other top-level entries one "General" section."""
    general, sections = [], []
    for key, value in inputs.items():
        if key in _SKIP_INPUT_KEYS:
            continue
        if isinstance(value, Mapping):
            rows = [(str(k).replace("_", " "), fmt_value(v)) for k, v in value.items()]
            sections.append({"title": str(key).replace("_", " "), "rows": rows})
        else:
            general.append((str(key).replace("_", " "), fmt_value(value)))
    return ([{"title": "General", "rows": general}] if general else []) + sections


def write_report(html: str, path) -> Path:
    """Write ``html`` to ``path`` atomically (:func:`enrichwatch.files.write_atomic`), so
    readers never see a half-written report; ``-`` writes it to standard output.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    if is_stdio(path):
        sys.stdout.write(html)
        sys.stdout.flush()
        return Path(STDIO)
    return write_atomic(path, html)



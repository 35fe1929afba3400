"""Open reports in headless Chromium (Debian's, driven by Playwright; no browser download) and
measure their layout from the DOM: text boxes that overlap, horizontal overflow, figures
without a caption or a legend, and the smallest font each plot is drawn at.

``Page layout`` is measured, not guessed: HTML text is every text node's client rectangles
(``Range.getClientRects``), plot text is the box of each text group of an inline SVG figure
(``g.plot-text``, one per matplotlib text artist, see :func:`enrichwatch.report._html.svg`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

__all__ = ["WIDTHS", "Layout", "launch", "measure", "tick_labels"]

#: Viewport widths [CSS px] every report is checked at.
WIDTHS = (1280, 800)
#: Two text boxes overlap when they share more than this [CSS px] in both directions
#: (glyph boxes of adjacent inline text touch; anything larger is ink on ink).
OVERLAP_PX = 1.0

_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def chromium_path() -> str | None:
    """Debian's Chromium (``apt-get install chromium``), or another found on PATH."""
    for path in _CANDIDATES:
        if Path(path).exists():
            return path
    return next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)),
                None)


def launch():
    """(playwright, browser), or the reason there is none (a string) to skip with."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "the Python package 'playwright' is not installed (pip install -e '.[test]')"
    path = chromium_path()
    if path is None:
        return "Chromium is not installed (apt-get install chromium)"
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=path, args=[
            "--no-sandbox", "--disable-gpu", "--no-proxy-server",
            "--host-resolver-rules=MAP * ~NOTFOUND"])
    except Exception as err:  # noqa: BLE001 - any failure to start is a reason to skip
        pw.stop()
        return f"Chromium ({path}) could not be started: {str(err).splitlines()[0]}"
    return pw, browser


_MEASURE = r"""() => {
  const boxes = [];
  const add = (r, text, owner) => {
    if (r.width > 0 && r.height > 0)
      boxes.push({x0: r.left + scrollX, y0: r.top + scrollY, x1: r.right + scrollX,
                  y1: r.bottom + scrollY, text: text.slice(0, 60), owner});
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: n => (n.textContent.trim() && !n.parentElement.closest('svg, style')
                      && n.parentElement.checkVisibility({contentVisibilityAuto: true,
                                                          visibilityProperty: true}))
      ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT});
  const range = document.createRange();
  let node, owner = 0;
  while ((node = walker.nextNode())) {
    owner += 1;
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) add(r, node.textContent.trim(), owner);
  }
  for (const g of document.querySelectorAll('svg.plot g.plot-text')) {
    owner += 1;
    add(g.getBoundingClientRect(), 'svg:' + g.id,
        owner);
  }
  boxes.sort((a, b) => a.y0 - b.y0);
  const overlaps = [], tol = %(tol)s;
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length && boxes[j].y0 < a.y1 - tol; j++) {
      const b = boxes[j];
      if (a.owner === b.owner) continue;
      const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      if (w > tol && h > tol) overlaps.push([a.text, b.text, Math.round(w), Math.round(h)]);
    }
  }
  const figures = [...document.querySelectorAll('svg.plot')].map(s => {
    const fig = s.closest('figure');
    const cap = fig && fig.querySelector('figcaption');
    const vb = s.viewBox.baseVal;
    return {figure: s.dataset.figure,
            caption: cap ? cap.textContent.trim() : '',
            legend: !!s.querySelector('g[id*="legend_"]'),
            min_font_px: parseFloat(s.dataset.minFontPt) * s.getBoundingClientRect().width
                         / vb.width,
            width_px: s.getBoundingClientRect().width};
  });
  const scrolled = [...document.querySelectorAll('.table-scroll, table')]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => (e.querySelector('tr') || e).textContent.trim().slice(0, 80));
  return {overlaps, figures, scrolled, texts: boxes.length,
          scroll_width: document.documentElement.scrollWidth, inner_width: innerWidth};
}""".replace("%(tol)s", str(OVERLAP_PX))


@dataclass(frozen=True)
class Layout:
    """What a page looks like at one viewport width."""

    width: int
    overlaps: list
    figures: list
    scrolled: list
    texts: int
    scroll_width: int
    inner_width: int
    screenshot: Path


def measure(browser, html_path: Path, width: int, shots: Path) -> Layout:
    """Open ``html_path`` at ``width`` CSS px, take a full-page screenshot into ``shots``
    and measure the layout."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(html_path.as_uri())
        shot = shots / f"{html_path.stem}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        found = page.evaluate(_MEASURE)
    finally:
        page.close()
    return Layout(width=width, screenshot=shot, **found)


_TICKS = r"""([figure, axis]) => {
  const svg = document.querySelector(`svg.plot[data-figure="${figure}"]`);
  if (!svg) return null;
  return [...svg.querySelectorAll(`g[id^="${figure}${axis}tick_"] g.plot-text`)].map(g => {
    const r = g.getBoundingClientRect();
    return {id: g.id, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom};
  });
}"""


def tick_labels(browser, html_path: Path, width: int, figure: str, axis: str = "y") -> list:
    """Boxes [CSS px] of the tick labels on ``axis`` ('x' or 'y') of the figure whose
    ``data-figure`` is ``figure`` (None when there is no such figure), at ``width``."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(html_path.as_uri())
        return page.evaluate(_TICKS, [figure, axis])
    finally:
        page.close()

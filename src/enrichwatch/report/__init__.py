"""Self-contained HTML reports (Jinja2 templates beside the modules, inline SVG plots).

A report is one HTML string with everything inside it: CSS in a ``<style>`` element, plots as
inline SVG from matplotlib (text drawn as paths, so no fonts are needed), no scripts, and a
Content-Security-Policy that forbids loading anything, so it opens offline and the same way
everywhere. User-provided text (titles, names, inputs, assumptions) is escaped by Jinja2's
autoescape. Rendering and writing are separate steps: the ``render_*`` functions return
strings, :func:`write_report` writes one atomically; :func:`figure_svg` gives one figure as
inline SVG (the web application's pages use it). One module per report kind:
:mod:`~enrichwatch.report.plant` (solve, compare), :mod:`~enrichwatch.report.evaluation`,
:mod:`~enrichwatch.report.breakout` (plan, timeline), :mod:`~enrichwatch.report.detection`
(one misuse, the timeline), :mod:`~enrichwatch.report.transient`. Reports format values they
are given; they compute no physics.
"""

from ._html import svg as figure_svg
from ._html import write_report
from .breakout import render_breakout_report, render_timeline_report
from .detection import render_detection_report, render_detection_timeline_report
from .evaluation import render_evaluation_report
from .plant import ReportConfiguration, render_compare_report, render_solve_report
from .transient import render_transient_report

__all__ = [
    "ReportConfiguration",
    "figure_svg",
    "render_breakout_report",
    "render_compare_report",
    "render_detection_report",
    "render_detection_timeline_report",
    "render_evaluation_report",
    "render_solve_report",
    "render_timeline_report",
    "render_transient_report",
    "write_report",
]

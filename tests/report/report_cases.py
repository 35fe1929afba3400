"""One rendered report of every kind, from the shipped examples, for the browser tests.

Each case is built once per test session (``render_case`` caches); the breakout timeline
joins two short runs so that one report holds a tornado, the long source URLs of 2023 and
the gap of November 2025 without planning every date.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples"

__all__ = ["REPORT_KINDS", "render_case"]


def _solve() -> str:
    from enrichwatch.cli.plant import _report_inputs
    from enrichwatch.facility import solve_plant
    from enrichwatch.report import render_solve_report

    p = solve_plant(EXAMPLES / "fordow-2023" / "declared.toml")
    return render_solve_report(p.facility.name, p.network, p.state,
                               inputs=_report_inputs(p.facility, p.network),
                               assumptions=list(p.facility.info.assumptions), labels=p.labels)


def _compare() -> str:
    from enrichwatch.cli.plant import _report_inputs
    from enrichwatch.facility import solve_plant
    from enrichwatch.facility.results import compare_results
    from enrichwatch.report import ReportConfiguration, render_compare_report

    paths = [EXAMPLES / "fordow-2023" / f"{n}.toml" for n in ("declared", "observed")]
    a, b = (solve_plant(p) for p in paths)
    configs = [ReportConfiguration(network=s.network, state=s.state,
                                   inputs=_report_inputs(s.facility, s.network, p.name),
                                   assumptions=s.facility.info.assumptions)
               for s, p in zip((a, b), paths, strict=True)]
    return render_compare_report(f"{a.facility.name} vs {b.facility.name}", *configs,
                                 [c.as_dict() for c in compare_results(a.result, b.result)],
                                 labels={**a.labels, **b.labels})


def _evaluation(rule_sets=()) -> str:
    from enrichwatch.evaluation import case_records, evaluate
    from enrichwatch.report import render_evaluation_report

    records = case_records(EXAMPLES / "fordow-2023" / "case.toml")
    return render_evaluation_report(evaluate(records, "FFEP", "2023-02-01",
                                             rule_sets=rule_sets), records)


def _breakout() -> str:
    from enrichwatch.breakout import calibration_state, monte_carlo, plan_breakout
    from enrichwatch.report import render_breakout_report

    state = calibration_state("feb-2023")
    plan = plan_breakout(state)
    return render_breakout_report(plan, monte_carlo(state, samples=200, seed=0, plan=plan))


def _timeline() -> str:
    from enrichwatch.breakout import breakout_timeline
    from enrichwatch.report import render_timeline_report

    early = breakout_timeline(models=("repiped",), since="2023-02", until="2023-03",
                              sq_definition="iaea")
    late = breakout_timeline(models=("repiped",), since="2025-09", until="2026")
    assert any(r.gap for r in late.rows)
    return render_timeline_report(replace(early, rows=early.rows + late.rows))


def _detection() -> str:
    from enrichwatch.detection import detect, load_misuse, load_regime
    from enrichwatch.report import render_detection_report

    regime = load_regime()
    misuse = load_misuse(EXAMPLES / "detection" / "fordow-repiping-2023.toml", regime)
    return render_detection_report(detect(misuse, regime), regime=regime)


def _detection_timeline() -> str:
    from enrichwatch.breakout.timeline import stock_reports
    from enrichwatch.detection import BreakoutProfile, detection_timeline, load_regime
    from enrichwatch.report import render_detection_timeline_report

    def profile(day, days=5.0):
        return BreakoutProfile(day, "analyst", "90pct", days, 1.0, 0.0, ("Fordow FFEP",), (),
                               ((1.0, 0.0), (days, 25.0)))

    regime = load_regime()
    profiles = {r.date: None if r.gap else profile(r.date) for r in stock_reports()}
    return render_detection_timeline_report(
        detection_timeline(regime, profiles=profiles, since="2016", until="2026"),
        regime=regime)


def _transient() -> str:
    from enrichwatch.facility.history import history_from_text
    from enrichwatch.physics.transient import sweep_history
    from enrichwatch.report import render_transient_report
    from tests.report.test_transient_report import DECLARED, TEXT

    hf = history_from_text(TEXT, DECLARED, str(ROOT / "h.toml"))
    return render_transient_report(hf, sweep_history(hf.history, holdup=False,
                                                     stage_factor=False))


def _accountancy() -> str:
    from enrichwatch.accountancy.study import analyse
    from enrichwatch.accountancy.study_io import load_study
    from enrichwatch.report.accountancy import render_accountancy_report

    study = load_study(EXAMPLES / "accountancy" / "abrupt-loss.toml")
    return render_accountancy_report(analyse(study, iterations=200))


_BUILDERS = {"solve": _solve, "compare": _compare, "evaluation": _evaluation,
             "evaluation-jcpoa": lambda: _evaluation(("jcpoa",)), "breakout": _breakout,
             "breakout-timeline": _timeline, "detection": _detection,
             "detection-timeline": _detection_timeline, "transient": _transient,
             "accountancy": _accountancy}

#: Every report kind the package writes (evaluation twice: with the JCPOA rule set its
#: timeline holds six findings on three dates).
REPORT_KINDS = tuple(_BUILDERS)


@cache
def render_case(kind: str) -> str:
    """The HTML of report ``kind`` (one of :data:`REPORT_KINDS`)."""
    return _BUILDERS[kind]()

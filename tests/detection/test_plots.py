"""The plot of one misuse's detection time."""

from datetime import date

from enrichwatch.detection import (
    BreakoutProfile,
    breakout_misuse,
    detect,
    load_regime,
    plot_detection,
)


def test_plot_marks_completion_timeliness_and_heu():
    profile = BreakoutProfile("2023-02-28", "analyst", "90pct", 11.4, 1.0, 0.0,
                              ("Fordow FFEP",), (), ((1.0, 0.0), (11.4, 25.0)))
    result = detect(breakout_misuse(profile, date(2023, 2, 28)), load_regime())
    ax = plot_detection(result)
    gids = {line.get_gid() for line in ax.lines}
    assert {"detection-cdf", "timeliness", "completion", "detection-p50"} <= gids
    twin = [a for a in ax.figure.axes if a is not ax]
    assert twin and "heu-profile" in {line.get_gid() for line in twin[0].lines}
    assert ax.get_xlim()[1] > 30.4                 # the timeliness goal is on the plot

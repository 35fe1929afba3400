"""History files (issue 11): the examples load, and bad input is reported with file, key and
value (segments overlapping or going back in time, a negative hold-up, a configuration, feed or
withdrawal that does not exist, a threshold outside 0-100 %, ...)."""

import typing
from pathlib import Path

import numpy as np
import pytest

from enrichwatch.facility.history import (
    HistoryFileError,
    _Closure,
    history_from_text,
    load_history,
)
from enrichwatch.physics.transient import CLOSURES, run_history

ROOT = Path(__file__).parents[2]
DECLARED = ROOT / "examples" / "fordow-2023" / "declared.toml"
EXAMPLES = sorted((ROOT / "examples" / "transient").glob("*.toml"))
HEAD = '[history]\nname = "t"\n'
SEGMENT = '[[segments]]\nend_h = 2.0\n'


def _problems(text: str, tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(HistoryFileError) as caught:
        load_history(path, DECLARED)
    return [(p.where, p.key, p.value) for p in caught.value.problems], caught.value


def test_the_closure_type_lists_every_closure():
    assert typing.get_args(_Closure) == CLOSURES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_load(path):
    hf = load_history(path, DECLARED)
    assert hf.history.illustrative and hf.product == "B.product"
    assert hf.history.segments[-1].end_h == 72.0
    assert hf.history.thresholds == pytest.approx((0.6, 0.837), rel=1e-15)


@pytest.mark.parametrize(("body", "key", "value"), [
    (SEGMENT + '[[segments]]\nstart_h = 1.0\nend_h = 4.0\n', "segments[1].start_h", 1.0),
    (SEGMENT + '[[segments]]\nend_h = 1.5\n', "segments[1].end_h", 1.5),
    (SEGMENT + '[[segments]]\nstart_h = 3.0\nend_h = 4.0\n', "segments[1].start_h", 3.0),
    ('[holdup]\nrotor_g = -0.5\n' + SEGMENT, "holdup.rotor_g", -0.5),
    ('[holdup]\nrange_g = [2.0, 10.0]\n' + SEGMENT, "holdup.range_g", [2.0, 10.0]),
    ('[outputs]\nthresholds_pct = [60.0, 120.0]\n' + SEGMENT, "outputs.thresholds_pct[1]",
     120.0),
    ('[outputs]\nthresholds_pct = [0.0]\n' + SEGMENT, "outputs.thresholds_pct[0]", 0.0),
    (SEGMENT + 'configuration = "repiped"\n', "segments[0].configuration", "repiped"),
    (SEGMENT + '[segments.withdrawals]\n"LEU product" = "closed"\n',
     'segments[0].withdrawals."LEU product"', "LEU product"),
    (SEGMENT + '[segments.feeds."natural"]\non = false\n', "segments[0].feeds.natural",
     "natural"),
    (SEGMENT + '[segments.withdrawals]\n"HEU product" = "shut"\n',
     'segments[0].withdrawals."HEU product"', "shut"),
    (SEGMENT + '[segments.withdrawals]\n"HEU product" = 1.5\n',
     'segments[0].withdrawals."HEU product"', 1.5),
    (SEGMENT + 'closure = "reflux"\n', "segments[0].closure", "reflux"),
    (SEGMENT + 'closure = "closed_throughput"\nramp_h = 1.0\n', "segments[0].ramp_h", 1.0),
    ('[initial]\nstate = "steady"\nconfiguration = "x"\n' + SEGMENT, "initial.configuration",
     "x"),
    ('[configurations]\nother = "missing.toml"\n' + SEGMENT, "file", None),
    (SEGMENT + 'duration_h = 3.0\n', "segments[0].end_h", 2.0),
])
def test_bad_input_names_file_key_and_value(tmp_path, body, key, value):
    problems, err = _problems(HEAD + body, tmp_path)
    keys = {k: v for _, k, v in problems}
    assert key in keys, problems
    if value is not None:
        assert keys[key] == value
    assert str(tmp_path / "bad.toml") in str(err) or "missing.toml" in str(err)


def test_every_problem_at_once(tmp_path):
    text = (HEAD + '[holdup]\nrotor_g = -1.0\n[outputs]\nthresholds_pct = [101.0]\n'
            + SEGMENT + '[[segments]]\nend_h = 1.0\nconfiguration = "nope"\n')
    problems, _ = _problems(text, tmp_path)
    assert {k for _, k, _ in problems} >= {"holdup.rotor_g", "outputs.thresholds_pct[0]"}


def test_what_cannot_run_is_found_before_running(tmp_path):
    """Feed off and withdrawals open at fixed cuts: nothing would flow; the dry run names the
    segment and suggests the closures that can run it."""
    text = HEAD + SEGMENT + '[segments.feeds."5 % feed"]\non = false\n'
    problems, err = _problems(text, tmp_path)
    assert problems[0][1] == "segments[0] ('segment 0')"
    assert "inventory" in str(err)


def test_throttle_above_what_the_open_valve_passes(tmp_path):
    text = HEAD + SEGMENT + '[segments.withdrawals]\n"HEU product" = { rate = 1000.0 }\n'
    problems, err = _problems(text, tmp_path)
    assert problems[0][1:] == ('segments[0].withdrawals."HEU product".rate', 1000.0)
    assert "at most what the open valve passes" in str(err)


def test_configurations_must_share_their_cascades(tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(DECLARED.read_text().replace("total_machines = 166", "total_machines = 164",
                                                  1))
    text = HEAD + f'[configurations]\nother = "{other.name}"\n' + SEGMENT + \
        '[[segments]]\nend_h = 3.0\nconfiguration = "other"\n'
    problems, err = _problems(text, tmp_path)
    assert problems[0][1] == "configurations.other"
    assert "the same cascades" in str(err)


def test_throttled_valve_passes_the_rate_asked_for(tmp_path):
    """{ rate = R } opens the product valve just enough to pass R (plant file unit: kg U/month),
    the rest refluxed into B's top stage."""
    text = HEAD + '[initial]\nstate = "steady"\n' + SEGMENT + \
        '[segments.withdrawals]\n"HEU product" = { rate = 2.0 }\n'
    hf = history_from_text(text, DECLARED, str(tmp_path / "h.toml"))
    result = run_history(hf.history)
    k = result.withdrawals.index("B.product")
    per_month = result.withdrawal_rates[:, k] * 8766.0 / 12.0
    np.testing.assert_allclose(per_month, 2.0, rtol=1e-9)
    assert result.streams["B.product"][-1] > result.streams["B.product"][0]


def test_segment_feed_rate_and_assay(tmp_path):
    text = HEAD + SEGMENT + '[segments.feeds."5 % feed"]\nrate = 61.65\nassay_pct = 4.5\n'
    hf = history_from_text(text, DECLARED, str(tmp_path / "h.toml"))
    result = run_history(hf.history)
    assert result.balance["fed_kg_u"] == pytest.approx(61.65 * 12 / 8766 * 2.0, rel=1e-12)
    assert result.balance["fed_kg_u235"] == pytest.approx(0.045 * result.balance["fed_kg_u"],
                                                          rel=1e-12)

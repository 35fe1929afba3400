"""A network whose composition solve does not converge (issue 14): the work is bounded by
iteration counts, and the error names the setting, the stage at fault and its flow; the
capability scans report it instead of answering "cannot reach"."""

from __future__ import annotations

import pytest

from enrichwatch.composition import Assay, Composition
from enrichwatch.errors import ConfigurationError, ConvergenceError
from enrichwatch.physics import steady_state as ss
from enrichwatch.physics.capability import maximum_assay, rate_for_assay
from enrichwatch.physics.cascade import FixedCascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network

NATURAL = Composition.from_mass_percent({"U235": 0.711, "U238": 99.289})
IR1 = load_catalog().get("IR-1")


def _chain(iterations: int, stages: int = 30, count: int = 3) -> Network:
    """``count`` cascades in a recycle chain, every cut 0.1: the top stages of the last
    cascade carry ~1e-27 of the feed and their compositions defeat Newton's method."""
    layout = tuple(max(1, int(20 - abs(i - stages // 2) * 30 / stages)) for i in range(stages))
    cascades = [FixedCascade(IR1, layout, stages // 2, cuts=(0.1,) * stages, name=f"C{i}")
                for i in range(count)]
    links = [Link(f"C{i}", "product", f"C{i + 1}") for i in range(count - 1)]
    links += [Link(f"C{i + 1}", "tails", f"C{i}") for i in range(count - 1)]
    return Network(cascades, links, [ExternalFeed("feed", "C0", NATURAL, 1200.0)],
                   max_newton_iterations=iterations)


@pytest.fixture()
def evaluations(monkeypatch):
    """Counts the residual evaluations (each one sparse solve) of the composition solves."""
    count = [0]
    real = ss._Problem.evaluate

    def counted(self, u):
        count[0] += 1
        return real(self, u)

    monkeypatch.setattr(ss._Problem, "evaluate", counted)
    return count


def test_the_error_names_the_setting_the_stage_and_its_flow(evaluations):
    with pytest.raises(ConvergenceError) as err:
        _chain(iterations=4).solve()
    text = str(err.value)
    assert "network of C0, C1, C2 at the design cuts" in text
    assert "of cascade C" in text and "feed flow" in text and "kg U/yr" in text
    # bounded by counts: at most 4 Newton steps of at most 30 halvings, plus the start
    assert 1 < evaluations[0] <= 1 + 4 * ss._LINE_SEARCH_HALVINGS


def test_more_iterations_do_not_rescue_it_and_stay_bounded(evaluations):
    with pytest.raises(ConvergenceError, match="Newton"):
        _chain(iterations=60).solve()
    assert evaluations[0] <= 1 + 60 * ss._LINE_SEARCH_HALVINGS


def test_the_cap_applies_to_a_network_that_would_converge():
    # 16 stages: converges in 7 iterations with every BLAS kernel tried. (With 30 stages,
    # whether Newton's method settles on the stages of ~1e-14 of the feed depends on the last
    # bits of the arithmetic: 15 iterations with one processor's OpenBLAS kernels, a stall
    # with another's.)
    net = _chain(iterations=60, stages=16, count=2)          # converges in a few iterations
    assert net.solve().newton_iterations > 2
    with pytest.raises(ConvergenceError, match="after 2 Newton iterations"):
        _chain(iterations=2, stages=16, count=2).solve()


def test_a_withdrawal_rate_setting_is_named():
    net = _chain(iterations=3)
    with pytest.raises(ConvergenceError, match=r"C2\.product withdrawn at 0\.5 kg U/yr"):
        net.solve({"C2.product": 0.5})


def test_capability_reports_the_failure_instead_of_cannot_reach():
    """Before: rate_for_assay answered None ("cannot reach 90 %") after scanning rates that
    could not converge either."""
    net = _chain(iterations=3)
    with pytest.raises(ConvergenceError, match="at the design cuts"):
        rate_for_assay(net, "C2.product", Assay.from_weight_percent(90.0))
    with pytest.raises(ConvergenceError, match="at the design cuts"):
        maximum_assay(net, "C2.product")


def test_many_cascades_are_summarised_in_the_message():
    with pytest.raises(ConvergenceError) as err:
        _chain(iterations=2, stages=10, count=8).solve()
    assert "network of 8 cascades (C0, C1, C2, ..., C7)" in str(err.value)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "60"])
def test_the_iteration_cap_is_checked(bad):
    with pytest.raises(ConfigurationError, match="max_newton_iterations"):
        _chain(iterations=bad)



def test_an_overflowing_newton_system_ends_at_once(evaluations):
    """20 cascades of 100 stages at cuts of 0.1: the top stages carry ~1e-200 of the feed and
    the Newton system overflows on the first step. Before: a dense least-squares step over
    all 2,000 stages (O(S^3): seconds here, minutes at the 10,000-stage plant limit) after
    each such step."""
    with pytest.raises(ConvergenceError, match="overflow"):
        _chain(iterations=60, stages=100, count=20).solve()
    assert evaluations[0] <= 3

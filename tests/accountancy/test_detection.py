"""Detection probabilities: closed forms against the Monte Carlo, loss patterns."""

import numpy as np
import pytest

from enrichwatch.accountancy import (
    LossPattern,
    PageTest,
    abrupt_loss,
    detection_probabilities,
    monte_carlo,
    muf_covariance,
    page_threshold,
    protracted_loss,
)
from enrichwatch.errors import InputError
from tests.accountancy.helpers import balanced_plant

N = 40_000


def _tol(p: float, n: int = N) -> float:
    """4 binomial standard errors, plus the Markov chain's discretisation (~1e-4)."""
    return 4 * np.sqrt(max(p * (1 - p), 1e-4) / n) + 2e-4


@pytest.fixture(scope="module")
def plant():
    area, periods, model = balanced_plant(12)
    cov = muf_covariance(area, model, periods, "U235")
    return area, periods, model, cov


@pytest.mark.parametrize("loss", [
    abrupt_loss(6.0, 12, 4),                   # kg U-235 in balance 5
    protracted_loss(20.0, 12),                 # kg U-235 over the year
    protracted_loss(10.0, 12, first=6, last=9),
    None,
])
def test_closed_forms_agree_with_the_monte_carlo(plant, loss):
    area, periods, model, cov = plant
    page = page_threshold(0.05, 12)
    pattern = loss if loss is not None else LossPattern("none", np.zeros(12))
    closed = detection_probabilities(pattern, cov.matrix, alpha=0.05, page=page)
    mc = monte_carlo(area, model, periods, "U235", loss=loss, iterations=N, seed=31, page=page)
    for test, p in (("cumuf", closed.cumuf), ("gemuf", closed.gemuf),
                    ("page", closed.page[-1])):
        assert mc.detection[test] == pytest.approx(p, abs=_tol(p)), test
    for k, p in enumerate(closed.muf):
        assert mc.alarm_rate_by_balance["muf"][k] == pytest.approx(p, abs=_tol(p)), k


def test_without_loss_every_test_has_its_false_alarm_probability(plant):
    *_, cov = plant
    closed = detection_probabilities(LossPattern("none", np.zeros(12)), cov.matrix, alpha=0.05)
    assert closed.muf == pytest.approx([0.05] * 12)
    assert closed.cumuf == pytest.approx(0.05) and closed.gemuf == pytest.approx(0.05)
    assert closed.page[-1] == pytest.approx(0.05, abs=1e-8)


def test_detection_grows_with_the_loss(plant):
    *_, cov = plant
    pd = [detection_probabilities(protracted_loss(m, 12), cov.matrix) for m in (5, 20, 60)]
    for test in ("cumuf", "gemuf"):
        values = [getattr(p, test) for p in pd]
        assert values == sorted(values) and values[-1] > 0.9
    assert [p.page[-1] for p in pd] == sorted(p.page[-1] for p in pd)


def test_page_by_balance_is_cumulative_and_reacts_to_an_abrupt_loss(plant):
    *_, cov = plant
    d = detection_probabilities(abrupt_loss(8.0, 12, 6), cov.matrix,
                                page=PageTest(0.5, 3.0, "both"))
    assert np.all(np.diff(d.page) >= -1e-12)
    assert d.page[6] - d.page[5] > 10 * (d.page[5] - d.page[4])
    assert d.as_dict()["page_test"] == {"k": 0.5, "h": 3.0, "side": "both"}


def test_loss_patterns():
    a = abrupt_loss(75.0, 12, 0)
    assert a.amounts_kg.tolist() == [75.0] + [0.0] * 11 and a.total_kg == 75.0
    p = protracted_loss(12.0, 12, first=2, last=5)
    assert p.amounts_kg[2:6].tolist() == [3.0] * 4 and p.total_kg == pytest.approx(12.0)
    with pytest.raises(InputError):
        abrupt_loss(1.0, 12, 12)
    with pytest.raises(InputError):
        protracted_loss(1.0, 12, first=5, last=2)
    with pytest.raises(InputError):
        LossPattern("bad", [1.0, np.nan])


def test_a_loss_of_the_wrong_length_is_refused(plant):
    *_, cov = plant
    with pytest.raises(InputError) as err:
        detection_probabilities(abrupt_loss(1.0, 4, 0), cov.matrix)
    assert err.value.param == "loss.amounts_kg"

"""The accountancy Monte Carlo: samplers, reproducibility, Dask."""

import json

import numpy as np
import pytest

from enrichwatch.accountancy import (
    MeasurementModel,
    PageTest,
    Uncertainty,
    abrupt_loss,
    balance_design,
    monte_carlo,
    muf_covariance,
)
from enrichwatch.errors import InputError
from tests.accountancy.helpers import balanced_plant, toy_area, toy_model, vector


def test_aggregated_and_record_samplers_give_the_same_distribution():
    area, periods, model = balanced_plant(4, calibration_h=1460.0)
    n = 20_000
    agg = monte_carlo(area, model, periods, "U235", iterations=n, seed=3, keep_sequences=True)
    rec = monte_carlo(area, model, periods, "U235", iterations=n, seed=4, keep_sequences=True,
                      method="records")
    cov = muf_covariance(area, model, periods, "U235").matrix
    tol = 5 * np.sqrt(2 / n) * np.diag(cov).max()
    for mc in (agg, rec):
        assert np.cov(mc.sequences["muf"].T) == pytest.approx(cov, abs=tol)
        assert np.abs(mc.sequences["muf"].mean(axis=0)).max() < 5 * np.sqrt(cov.max() / n)


def test_same_seed_same_result_and_chunks_are_independent_of_the_backend():
    area, periods, model = balanced_plant(3)
    a = monte_carlo(area, model, periods, iterations=2500, seed=9, chunk_size=1000,
                    keep_sequences=True)
    b = monte_carlo(area, model, periods, iterations=2500, seed=9, chunk_size=1000,
                    keep_sequences=True)
    assert np.array_equal(a.sequences["muf"], b.sequences["muf"])
    assert np.array_equal(a.first_alarm["page"], b.first_alarm["page"])
    c = monte_carlo(area, model, periods, iterations=2500, seed=10, chunk_size=1000,
                    keep_sequences=True)
    assert not np.array_equal(a.sequences["muf"], c.sequences["muf"])


def test_progress_sequences_and_summary():
    area, periods, model = balanced_plant(3)
    calls = []
    mc = monte_carlo(area, model, periods, iterations=2500, chunk_size=1000,
                     progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert mc.sequences == {} and mc.first_alarm["page"].shape == (2500,)
    assert set(mc.detection) == {"muf", "cumuf", "gemuf", "page"}
    json.dumps(mc.as_dict())
    assert mc.alarm_rate_by_balance["muf"].shape == (3,)


def test_a_loss_moves_the_muf_mean():
    area, periods, model = balanced_plant(4)
    loss = abrupt_loss(50.0, 4, 2)
    mc = monte_carlo(area, model, periods, loss=loss, iterations=4000, seed=1,
                     keep_sequences=True, page=PageTest(0.5, 3.0))
    sigma = muf_covariance(area, model, periods).sigma_muf
    assert mc.sequences["muf"].mean(axis=0) == pytest.approx(loss.amounts_kg,
                                                             abs=5 * sigma.max() / 60)
    assert mc.page.h == 3.0


def test_a_prepared_design_can_be_given():
    v = vector("SG-MUF-003")
    area, periods = toy_area(v["inputs"])
    d = balance_design(area, periods)
    mc = monte_carlo(d, toy_model(v["inputs"]), iterations=1000, seed=0, keep_sequences=True)
    assert mc.sequences["muf"].shape == (1000, 4)


def test_bad_arguments():
    area, periods, model = balanced_plant(2)
    with pytest.raises(InputError):
        monte_carlo(area, model, periods, iterations=0)
    with pytest.raises(InputError):
        monte_carlo(area, model, periods, chunk_size=-1)
    with pytest.raises(InputError):
        monte_carlo(area, model, periods, method="exact")
    with pytest.raises(InputError):
        monte_carlo(area, model)                                  # no periods
    with pytest.raises(InputError):
        monte_carlo(area, model, periods, loss=abrupt_loss(1.0, 3, 0))


def test_every_error_zero_makes_the_covariance_singular():
    area, periods, _ = balanced_plant(2)
    zero = MeasurementModel.uniform(area.names, Uncertainty(0.0, 0.0))
    with pytest.raises(InputError) as err:
        monte_carlo(area, zero, periods, iterations=10)
    assert err.value.param == "covariance[0][0]" and err.value.value == 0.0




def test_dask_gives_the_local_result(local_cluster):
    cluster, client = local_cluster
    area, periods, model = balanced_plant(3)
    kw = {"iterations": 3000, "seed": 5, "chunk_size": 1000, "keep_sequences": True}
    local = monte_carlo(area, model, periods, **kw)
    remote = monte_carlo(area, model, periods, address=cluster.scheduler_address, **kw)
    assert np.array_equal(local.sequences["sitmuf"], remote.sequences["sitmuf"])
    assert remote.backend.startswith("tcp://") and local.backend == "local"
    via_client = monte_carlo(area, model, periods, client=client, **kw)
    assert via_client.detection == local.detection

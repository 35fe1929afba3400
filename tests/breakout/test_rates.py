"""Unit rates of cascades on enrichment steps, from the fixed-cascade and network physics."""

import numpy as np
import pytest

from enrichwatch.breakout.rates import step_rate
from enrichwatch.breakout.state import BuiltJob
from enrichwatch.composition import Assay, Composition
from enrichwatch.constants import DAYS_PER_YEAR
from enrichwatch.errors import InputError
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.swu import value

W = Assay.from_weight_percent
CAT = load_catalog()
JOB = BuiltJob(W(5.0), W(60.0), W(2.0))
STEPS = [(0.60, 0.90, 0.20), (0.20, 0.60, 0.045), (0.045, 0.20, 0.00711)]


@pytest.mark.parametrize("model,job", [("repiped", None), ("as-built", JOB)])
@pytest.mark.parametrize("xf,xp,xw", STEPS)
def test_rates_close_the_balances_and_respect_the_power(model, job, xf, xp, xw):
    m = CAT.get("IR-6")
    r = step_rate(m, 166, job, xf, xp, xw, model)
    assert r.available and r.exact_tails
    f, p, w = r.feed_kg_per_day, r.product_kg_per_day, r.tails_kg_per_day
    assert f == pytest.approx(p + w, rel=1e-12)
    assert f * xf == pytest.approx(p * xp + w * xw, rel=1e-9)          # U-235 balance
    work = p * value(xp) + w * value(xw) - f * value(xf)
    assert work == pytest.approx(r.value_work_kg_swu_per_day, rel=1e-9)
    assert work <= 166 * m.nominal_swu_per_yr / DAYS_PER_YEAR * (1 + 1e-12)
    assert work > 0.7 * 166 * m.nominal_swu_per_yr / DAYS_PER_YEAR      # most of the power


def test_exact_operating_point_is_reproduced_by_the_solver():
    m = CAT.get("IR-6")
    r = step_rate(m, 166, None, 0.60, 0.90, 0.20, "repiped")
    feed = Composition.binary(W(60.0))
    c = design_cascade(m, feed, W(90.0), W(20.0), total_machines=166)
    s = c.solve(feed, r.feed_kg_per_day * DAYS_PER_YEAR,
                product_kg_per_yr=r.product_kg_per_day * DAYS_PER_YEAR)
    assert s.product.assay.weight_percent == pytest.approx(90.0, rel=1e-7)
    assert s.tails.assay.weight_percent == pytest.approx(20.0, rel=1e-7)


def test_rates_are_cached_for_identical_cascades():
    m = CAT.get("IR-2m")
    step_rate.cache_clear()
    a = step_rate(m, 174, None, 0.60, 0.90, 0.20, "repiped")
    b = step_rate(m, 174, None, 0.60, 0.90, 0.20, "repiped")
    assert a is b and step_rate.cache_info().hits == 1


def test_rate_scales_with_separative_power():
    m = CAT.get("IR-6")
    lo = step_rate(m.with_separative_power(4.7), 166, None, 0.6, 0.9, 0.2, "repiped")
    hi = step_rate(m, 166, None, 0.6, 0.9, 0.2, "repiped")
    assert lo.product_kg_per_day == pytest.approx(0.94 * hi.product_kg_per_day, rel=0.02)


def test_too_few_machines_give_no_rate():
    r = step_rate(CAT.get("IR-1"), 5, None, 0.045, 0.20, 0.00711, "repiped")
    assert not r.available and "no cascade" in r.method


def test_bad_arguments():
    with pytest.raises(InputError):
        step_rate(CAT.get("IR-1"), 174, None, 0.2, 0.1, 0.05, "repiped")
    with pytest.raises(InputError):
        step_rate(CAT.get("IR-1"), 174, None, 0.2, 0.6, 0.05, "sideways")


def test_as_built_does_less_than_repiped():
    m = CAT.get("IR-6")
    a = step_rate(m, 166, JOB, 0.60, 0.90, 0.20, "as-built")
    b = step_rate(m, 166, None, 0.60, 0.90, 0.20, "repiped")
    assert a.product_kg_per_day < b.product_kg_per_day
    assert np.isfinite(a.cap) and a.cap <= 1.0

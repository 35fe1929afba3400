"""The ideal-SWU lower bound (golden values: the bin-25kg-wgu-grid vector)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from enrichwatch.breakout import ideal_swu_bound
from enrichwatch.errors import InputError
from enrichwatch.physics.swu import value

VECTORS = {v["id"]: v for v in json.loads(
    (Path(__file__).parent / "reference_vectors.json").read_text())}


def _cases():
    v = VECTORS["bin-25kg-wgu-grid"]
    for key, exp in v["expected"].items():
        xf, xt = (float(part.split("=")[1]) for part in key.split(","))
        yield pytest.param(xf, xt, exp, id=key)


@pytest.mark.parametrize("xf,xt,expected", list(_cases()))
def test_reproduces_bin_25kg_wgu_grid(xf, xt, expected):
    """With the feed limited to the vector's feed, the tails are forced to the vector's tails
    and the bound is the vector's SWU (tolerance 1e-6 relative, as the vector states; the
    tangent relaxation costs < 1e-7 here)."""
    levels = sorted({xt, xf, 0.9})
    stock = [0.0] * len(levels)
    stock[levels.index(xf)] = expected["feed_kg"]
    waste = min(levels) * 0.5
    b = ideal_swu_bound(levels, stock, waste, 25.0)
    assert b.swu_kg == pytest.approx(expected["swu_kgSWU"], rel=1e-6)


def test_free_tails_match_a_direct_minimisation():
    """One stock, tails discarded at any assay: the bound equals min over the feed used."""
    x, m, p, xp = 0.60, 87.5, 27.78, 0.90

    def swu(feed):
        w = feed - p
        y = (feed * x - p * xp) / w
        return p * value(xp) + w * value(y) - feed * value(x)

    lo = p * (xp - 1e-9) / x
    best = minimize_scalar(swu, bounds=(lo + 1e-6, m), method="bounded").fun
    b = ideal_swu_bound([x, xp], [m, 0.0], 0.2, p)
    assert b.swu_kg <= best + 1e-9
    assert b.swu_kg == pytest.approx(best, rel=1e-4)


def test_in_stock_and_unreachable():
    assert ideal_swu_bound([0.6, 0.9], [10.0, 30.0], 0.2, 27.0).swu_kg == 0.0
    b = ideal_swu_bound([0.6, 0.9], [10.0, 0.0], 0.2, 27.0)
    assert math.isinf(b.swu_kg) and math.isinf(b.with_power(5.0).days)


def test_natural_feed_unlimited_gives_the_infinite_feed_limit():
    """From unlimited natural uranium the tails tend to 0.711 %, and the work to
    P (V(x_P) - V(x_F) - (x_P - x_F) V'(x_F)) (tolerance 1e-4: the tangent grid)."""
    from enrichwatch.physics.swu import value_derivative
    xf, xp, p = 0.00711, 0.90, 25.0
    limit = p * (value(xp) - value(xf) - (xp - xf) * value_derivative(xf))
    b = ideal_swu_bound([xf, xp], [math.inf, 0.0], 0.003, p)
    assert b.swu_kg == pytest.approx(float(limit), rel=1e-4)
    assert b.swu_kg <= float(limit) * (1 + 1e-9)


def test_more_stock_never_raises_the_bound():
    base = ideal_swu_bound([0.045, 0.2, 0.6, 0.9], [2000.0, 100.0, 10.0, 0.0], 0.00711, 50.0)
    more = ideal_swu_bound([0.045, 0.2, 0.6, 0.9], [2000.0, 100.0, 40.0, 0.0], 0.00711, 50.0)
    assert more.swu_kg <= base.swu_kg + 1e-9
    assert np.isfinite(base.swu_kg)


def test_checks_its_input():
    with pytest.raises(InputError):
        ideal_swu_bound([0.6, 0.2], [1.0, 0.0], 0.1, 1.0)
    with pytest.raises(InputError):
        ideal_swu_bound([0.2, 0.9], [1.0, 0.0], 0.1, -1.0)

"""Enrichment-plant checks: SQ constants (SG-CONST-001), SWU per SQ (bin-25kg-wgu-grid),
cylinder contents against published figures, declared balances and their uncertainty, the
declared plant's capacity from the physics engine, the findings, bad input."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from enrichwatch.accountancy.measurement import PointMeasurement, Uncertainty
from enrichwatch.accountancy.plant_checks import (
    DeclaredStream,
    check_plant,
    cylinder_content,
    declared_balance,
    plant_capacity,
    significant_quantities,
    sq_category,
    swu_per_sq,
)
from enrichwatch.composition import Assay
from enrichwatch.constants import (
    DAYS_PER_YEAR,
    SQ_DEPLETED_U_KG,
    SQ_HEU_U235_KG,
    SQ_LEU_U235_KG,
    SQ_NATURAL_U_KG,
    UF6_CYLINDERS,
)
from enrichwatch.errors import AssayError, EnrichwatchWarning, InputError, UnknownNameError
from enrichwatch.facility import solve_plant
from enrichwatch.physics.swu import enrich
from tests.accountancy.verification_vectors import VECTORS

ROOT = Path(__file__).parents[2]
NATANZ = ROOT / "examples" / "natanz-jcpoa" / "ir1-cascade.toml"
FORDOW = ROOT / "examples" / "fordow-2023" / "declared.toml"
BINARY = {v["id"]: v for v in json.loads((ROOT / "tests" / "reference" /
                                          "binary_vectors.json").read_text())}
W = Assay.from_weight_percent
RSD = PointMeasurement.relative(mass_random=0.0005, mass_systematic=0.0005, assay_random=0.002,
                               assay_systematic=0.001)


def test_sg_const_001_significant_quantities():
    """SG-CONST-001: the SQs of uranium (tolerance 0) and their use by category."""
    e = VECTORS["SG-CONST-001"]["expected"]
    assert (SQ_HEU_U235_KG, SQ_LEU_U235_KG, SQ_NATURAL_U_KG, SQ_DEPLETED_U_KG) == (
        e["HEU_kg_U235"], e["LEU_kg_U235"], e["NatU_kg_U"], e["DU_kg_U"])
    assert significant_quantities(e["HEU_kg_U235"] / 0.9, W(90.0)) == pytest.approx(1.0)
    assert significant_quantities(e["LEU_kg_U235"] / 0.05, W(5.0)) == pytest.approx(1.0)
    assert significant_quantities(e["NatU_kg_U"], W(0.711)) == pytest.approx(1.0)
    assert significant_quantities(e["DU_kg_U"], W(0.25)) == pytest.approx(1.0)
    # "HEU/LEU split at 20% U-235"
    assert [sq_category(W(x)) for x in (20.0, 19.99, 0.72, 0.711, 0.7)] == \
        ["HEU", "LEU", "natural", "natural", "depleted"]


@pytest.mark.parametrize("case", BINARY["bin-25kg-wgu-grid"]["inputs"]["cases"])
def test_swu_per_sq_reproduces_bin_25kg_wgu_grid(case):
    """bin-25kg-wgu-grid: 25 kg U of 90 % (22.5 kg U-235) from each feed and tails
    (rel 1e-6); one IAEA SQ (25 kg U-235) needs 25/22.5 times that."""
    xf, xt = (float(part.split("=")[1]) for part in case.split(","))
    expected = BINARY["bin-25kg-wgu-grid"]["expected"][case]["swu_kgSWU"]
    feed, tails = Assay.from_mass_fraction(xf), Assay.from_mass_fraction(xt)
    assert swu_per_sq(feed, tails, sq_kg_u235=22.5) == pytest.approx(expected, rel=1e-6)
    assert swu_per_sq(feed, tails) == pytest.approx(expected * 25 / 22.5, rel=1e-6)


def test_swu_per_sq_from_natural_uranium_is_the_domain_scale():
    """domain.md section 3: about 5,400-5,800 kg-SWU per SQ of HEU from natural uranium at
    0.30-0.25 % tails ("about": within 1 %)."""
    assert swu_per_sq(W(0.711), W(0.30)) == pytest.approx(5400, rel=0.01)
    assert swu_per_sq(W(0.711), W(0.25)) == pytest.approx(5800, rel=0.01)


def test_cylinder_contents_match_the_published_figures():
    """Eccleston and Wonder (NNSA, 2010, from USEC-651): a 48Y "holds 12,500 kg UF6 (8,450 kg
    U)", with natural uranium "60.1 kgs of 235U"; a 30B "holds 2,270 kg UF6 (1,540 kg U)", at
    4 % "61.6 kgs of 235U" (figures rounded as published). The 30B's 1,540 kg U and 61.6 kg
    U-235 are those of the full 2,277 kg UF6 of USEC-651 (2,270 kg would hold 1,535 kg U)."""
    big = cylinder_content("48Y", W(0.711), kg_uf6=12_500.0)
    assert big.kg_u == pytest.approx(8450, abs=5) and big.kg_u235 == pytest.approx(60.1, abs=0.05)
    assert cylinder_content("48Y", W(0.711)).kg_u == pytest.approx(8450, abs=5)
    small = cylinder_content("30B", W(4.0))
    assert small.kg_u == pytest.approx(1540, abs=5)
    assert small.kg_u235 == pytest.approx(61.6, abs=0.05)
    assert UF6_CYLINDERS["30B"] == (2277.0, 5.0) and UF6_CYLINDERS["48Y"] == (12501.0, 4.5)


def test_sq_per_cylinder():
    full = cylinder_content("30B", W(5.0))
    assert full.category == "LEU" and full.sq == pytest.approx(full.kg_u * 0.05 / 75)
    assert 1.0 < full.sq < 1.1                   # a full 30B of 5 % LEU is about one LEU SQ
    run = enrich(W(5.0), W(90.0), W(0.3), feed_kg=full.kg_u)
    assert full.heu_sq == pytest.approx(run.product_kg * 0.9 / 25, rel=1e-12)
    assert full.heu_swu_kg == pytest.approx(run.swu_kg, rel=1e-12)
    tails = cylinder_content("48Y", W(0.25))
    assert tails.category == "depleted" and tails.heu_sq == 0.0
    assert tails.sq == pytest.approx(tails.kg_u / 20_000)
    heu = cylinder_content("5A", W(90.0))
    assert heu.sq == pytest.approx(heu.heu_sq) and heu.heu_swu_kg == 0.0
    with pytest.warns(EnrichwatchWarning, match="5 wt%"):
        cylinder_content("30B", W(20.0))


# -- declared balances ------------------------------------------------------------------------


def _binary(scale=1.0, rsd=RSD):
    run = enrich(W(0.711), W(3.5), W(0.3), product_kg=1000.0 * scale)
    return (DeclaredStream.from_weight_percent("feed", [run.feed_kg / 2] * 2, 0.711, rsd),
            DeclaredStream.from_weight_percent("product", [run.product_kg], 3.5, rsd),
            DeclaredStream.from_weight_percent("tails", [run.tails_kg], 0.3, rsd)), run


def test_a_shared_scale_cancels_in_the_uranium_balance():
    """Feed, product and tails weighed on one scale share its systematic error: in F - P - T
    it cancels (F = P + T), so only the random parts remain; separate scales add up."""
    scale = Uncertainty(0.0005, 0.001, instrument="scale", key="scale")
    shared = PointMeasurement(scale)
    streams, _ = _binary(rsd=shared)
    alone, _ = _binary(rsd=PointMeasurement(Uncertainty(0.0005, 0.001)))
    random = math.sqrt(sum(0.0005 ** 2 * float(np.sum(s.kg_u ** 2)) for s in streams))
    assert declared_balance(*streams).u_balance_sd == pytest.approx(random, rel=1e-9)
    each = sum(0.001 ** 2 * float(np.sum(s.kg_u)) ** 2 for s in streams)
    assert declared_balance(*alone).u_balance_sd == pytest.approx(math.sqrt(random ** 2 + each),
                                                                  rel=1e-9)


def test_balanced_declaration_implies_the_binary_separative_work():
    streams, run = _binary()
    b = declared_balance(*streams)
    assert b.u_balance_kg == pytest.approx(0.0, abs=1e-9)
    assert b.u235_balance_kg == pytest.approx(0.0, abs=1e-9)
    assert b.swu_kg == pytest.approx(run.swu_kg, rel=1e-12)


def test_item_values_are_summed_not_averaged():
    """Two product lots of 3 % and 60 %: the implied work counts each lot's value (mixing them
    would destroy work)."""
    feed = DeclaredStream.from_weight_percent("feed", [2000.0], 0.711)
    lots = DeclaredStream.from_weight_percent("product", [10.0, 1.0], [3.0, 60.0])
    mixed = DeclaredStream("product", np.array([11.0]), lots.mean_assay)
    tails = DeclaredStream.from_weight_percent("tails", [1989.0], 0.66)
    assert declared_balance(feed, lots, tails).swu_kg > declared_balance(feed, mixed, tails).swu_kg


def test_uncertainties_match_a_seeded_simulation():
    """Linear propagation against 100,000 simulated measurement sets (random per item,
    systematic per stream): the standard deviations agree within 3 % (Monte Carlo error of an
    sd ~ 0.2 %, linearisation error far smaller at these relative errors)."""
    streams, _ = _binary(rsd=PointMeasurement.relative(0.002, 0.001, 0.01, 0.005))
    b = declared_balance(*streams)
    rng = np.random.default_rng(7)
    runs, u, u235, swu = 100_000, 0.0, 0.0, 0.0
    from enrichwatch.physics.swu import separative_work
    for s, sign in zip(streams, (1, -1, -1), strict=True):
        r, k = s.measurement, s.kg_u.size
        m = s.kg_u * (1 + rng.normal(0, r.mass.random_rsd, (runs, k))
                      + rng.normal(0, r.mass.systematic_rsd, (runs, 1)))
        x = s.fractions * (1 + rng.normal(0, r.assay.random_rsd, (runs, k))
                           + rng.normal(0, r.assay.systematic_rsd, (runs, 1)))
        u = u + sign * m.sum(axis=1)
        u235 = u235 + sign * (m * x).sum(axis=1)
        value = separative_work(x, x, x, 0.0, m, 0.0).sum(axis=1)     # sum m V(x)
        swu = swu - sign * value
    assert np.std(u) == pytest.approx(b.u_balance_sd, rel=0.03)
    assert np.std(u235) == pytest.approx(b.u235_balance_sd, rel=0.03)
    assert np.std(swu) == pytest.approx(b.swu_sd, rel=0.03)


# -- against the declared plant ----------------------------------------------------------------


@pytest.fixture(scope="module")
def natanz():
    return solve_plant(NATANZ, capability=False)


def _declared_year(solved, scale=1.0, product_scale=1.0):
    """A year of the plant's own steady-state streams, in monthly cylinders, scaled."""
    r = solved.result
    wd = {w.name: w for w in r.withdrawals}
    product = next(w for n, w in wd.items() if n.endswith(".product"))
    tails = next(w for n, w in wd.items() if n.endswith(".tails"))
    feed_rate = sum(r.feeds.values())
    feed_pct = 100 * solved.network.feeds[0].composition.fraction("U235")

    def monthly(name, rate, pct, extra=1.0):
        return DeclaredStream.from_weight_percent(name, [rate * scale * extra] * 12, pct, RSD)

    return (monthly("feed", feed_rate, feed_pct),
            monthly("product", product.rate_kg_per_month, product.assay_wt_pct, product_scale),
            monthly("tails", tails.rate_kg_per_month, tails.assay_wt_pct))


def test_capacity_from_the_physics_engine(natanz):
    cap = plant_capacity(natanz)
    cascade = natanz.result.cascades[0]
    assert cap.delivered == pytest.approx(cascade.swu_value_per_month, rel=1e-12)
    assert cap.machines == pytest.approx(cascade.swu_machines_per_month, rel=1e-12)
    net = natanz.network.cascades[cascade.name]
    assert cap.nominal == pytest.approx(net.nominal_swu_kg_per_yr / 12, rel=1e-12)
    # the net work of the external streams: no interconnection, so close to the stage sum
    assert cap.net == pytest.approx(cap.delivered, rel=0.01)
    # IR-1 rated 0.75-1.0 kg-SWU/yr about 0.9: sd = net (0.25 / sqrt 12) / 0.9
    assert cap.net_sd == pytest.approx(cap.net * 0.25 / math.sqrt(12) / 0.9, rel=1e-12)
    assert plant_capacity(NATANZ) == cap                           # from the file, same result


def test_consistent_declaration_passes(natanz):
    c = check_plant(*_declared_year(natanz), natanz, DAYS_PER_YEAR)
    assert c.findings == ()
    assert c.excess_swu_kg == pytest.approx(0.0, abs=1e-6 * c.capacity_swu_kg)
    assert c.balance.u_balance_kg == pytest.approx(0.0, abs=1e-9)


def test_declared_production_beyond_capacity(natanz):
    c = check_plant(*_declared_year(natanz, scale=1.5), natanz, DAYS_PER_YEAR)
    assert c.excess_production and not c.u_balance_alarm
    assert c.excess_swu_kg == pytest.approx(0.5 * c.capacity_swu_kg, rel=1e-6)
    assert any("more than" in f for f in c.findings)
    down = check_plant(*_declared_year(natanz), natanz, DAYS_PER_YEAR, operating_fraction=0.5)
    assert down.excess_production                 # declared downtime: the same output is too much


def test_unaccounted_capacity():
    fordow = solve_plant(FORDOW, capability=False)
    c = check_plant(*_declared_year(fordow, scale=0.3), fordow, DAYS_PER_YEAR, min_sq=0.5)
    assert c.unaccounted_capacity and not c.excess_production
    assert c.spare_sq == pytest.approx(-c.excess_swu_kg / c.swu_per_sq)
    assert c.swu_per_sq == pytest.approx(swu_per_sq(c.balance.feed.mean_assay,
                                                    c.balance.tails.mean_assay))
    assert any("SQ of HEU" in f for f in c.findings)
    assert not check_plant(*_declared_year(fordow, scale=0.3), fordow, DAYS_PER_YEAR,
                           min_sq=5.0).unaccounted_capacity


def test_balance_alarms(natanz):
    c = check_plant(*_declared_year(natanz, product_scale=1.05), natanz, DAYS_PER_YEAR)
    assert c.u_balance_alarm and c.u235_balance_alarm
    assert c.balance.u_balance_kg < 0                    # more declared out than in
    assert any("uranium balance" in f for f in c.findings)


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("call, error, param", [
    (lambda: DeclaredStream.from_weight_percent("feed", [-1.0], 0.711), InputError, "feed.kg_u"),
    (lambda: DeclaredStream.from_weight_percent("product", [1.0], 120.0), AssayError,
     "product.assay"),
    (lambda: DeclaredStream.from_weight_percent("tails", [1.0], 0.0), AssayError, "tails.assay"),
    (lambda: DeclaredStream.from_weight_percent("feed", [1.0, float("nan")], 0.711), InputError,
     "feed.kg_u"),
    (lambda: DeclaredStream.from_weight_percent("feed", [1.0, 2.0], [0.7, 0.7, 0.7]), ValueError,
     None),
    (lambda: PointMeasurement.relative(mass_random=1.0), InputError,
     "measurement.mass.random_rsd"),
    (lambda: PointMeasurement.relative(assay_systematic=-0.1), InputError,
     "measurement.assay.systematic_rsd"),
    (lambda: cylinder_content("30X", W(3.0)), UnknownNameError, "model"),
    (lambda: cylinder_content("30B", W(3.0), kg_uf6=3000.0), InputError, "kg_uf6"),
    (lambda: cylinder_content("30B", W(3.0), kg_uf6=-1.0), InputError, "kg_uf6"),
    (lambda: significant_quantities(-5.0, W(3.0)), InputError, "kg_u"),
    (lambda: swu_per_sq(W(0.711), W(1.0)), AssayError, "tails"),
])
def test_bad_input_names_the_key(call, error, param):
    with pytest.raises(error) as caught:
        call()
    if param is not None:
        assert caught.value.param == param and param in str(caught.value)


@pytest.mark.parametrize("kw, param", [
    ({"period_days": 0.0}, "period_days"),
    ({"period_days": -30.0}, "period_days"),
    ({"operating_fraction": 1.2}, "operating_fraction"),
    ({"false_alarm": 0.0}, "false_alarm"),
    ({"min_sq": -1.0}, "min_sq"),
])
def test_bad_check_options(natanz, kw, param):
    with pytest.raises(InputError) as caught:
        check_plant(*_declared_year(natanz), natanz, **({"period_days": 365.25} | kw))
    assert caught.value.param == param

"""``enrichwatch swu`` and ``enrichwatch ideal``: binary and multi-isotope calculators."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum

import typer

from ..errors import AssayBound, InputError
from .app import JSON_OPTION, BadInput, app, emit
from .options import named_options

__all__ = ["Basis", "Process", "ideal", "swu"]


class Basis(StrEnum):
    mass = "mass"
    atom = "atom"


class Process(StrEnum):
    centrifuge = "centrifuge"
    diffusion = "diffusion"


#: The library's parameter names and the options of ``swu`` that carry them.
_SWU_OPTIONS = {"feed": "--feed", "product": "--product", "tails": "--tails",
                "feed_kg": "--feed-kg", "product_kg": "--product-kg", "tails_kg": "--tails-kg",
                "swu_kg": "--swu-kg", "feed_price": "--feed-price", "swu_price": "--swu-price",
                "amounts": "--feed-kg/--product-kg/--tails-kg/--swu-kg"}
_SWU_PHRASES = {"without a tails assay": "without --tails", "with a tails assay": "with --tails"}
#: ... and of ``ideal``.
_IDEAL_OPTIONS = {"feed": "--feed", "product": "--product", "tails": "--tails",
                  "feed_kg": "--feed-kg", "product_kg": "--product-kg", "gamma_235": "--gamma-235",
                  "alpha": "--alpha-per-mass", "m_star": "--mstar"}
_IDEAL_PHRASES = {"None or a finite": "a finite", "; pass normalize=True to rescale": "",
                  "use integer_stages=False": "use --real-stages"}


def _percent_hint(product: float) -> None:
    """Warn (stderr) when the assays look like fractions: they are read as percents."""
    if product is not None and product < 1.0:
        from .app import console

        console(stderr=True).print(f"note: assays are percents: --product {product:g} means "
                                   f"{product:g} % U-235 (write 90 for 90 %)")


_UNIT = {"mass": "wt%", "atom": "atom %"}


class AssayOutOfRange(BadInput):
    """An assay option out of its range, worded in the percent and basis the user typed (the
    library words it in fractions): ``--tails = 0.8 wt%: must be below the feed assay 0.711
    wt%``."""

    def __init__(self, param: str, value: float, unit: str, must: str) -> None:
        super().__init__(param, value, f"an assay {must}")
        self.unit, self.must = unit, must

    def __str__(self) -> str:
        return f"{self.param} = {self.value:g} {self.unit}: must be {self.must}"


def _percent_as_typed(bound: AssayBound, basis: Basis, binary: bool) -> float | None:
    """A bound [percent] on the basis typed, or None when it is on the other basis of a stream
    that is not U-235/U-238 only (its other isotopes would be needed to convert it)."""
    if bound.basis == basis.value or bound.fraction in (0.0, 1.0):
        return bound.percent
    if not binary:
        return None
    from ..composition import Assay

    if bound.basis == "mass":
        return float(Assay.from_mass_fraction(bound.fraction).atom_percent)
    return float(Assay.from_atom_fraction(bound.fraction).weight_percent)


def _must(bound: AssayBound, basis: Basis, binary: bool, feed_percent: float | None,
          remedy: str) -> str | None:
    """What an assay must be, in percent of ``basis``: ``below the feed assay 0.711 wt%``; the
    feed's assay as typed (``feed_percent``) where the user typed it. None if not convertible."""
    unit = _UNIT[basis.value]
    percent = _percent_as_typed(bound, basis, binary)
    if bound.kind == "at most":
        if percent is None:
            return None
        why = f", {bound.why}" if bound.why else ""
        return f"at most {percent:.6g} {unit}{why}{remedy}"
    feed = feed_percent if feed_percent is not None else percent
    if feed is None:
        return None
    side = "above" if bound.kind == "above feed" else "below"
    return f"{side} the feed assay {feed:g} {unit}"


@contextmanager
def _assays_as_typed(options: Mapping[str, str], typed: Mapping[str, object], basis: Basis, *,
                     binary: bool, feed_percent: float | None = None,
                     remedy: str = "") -> Iterator[None]:
    """Re-word a library error that carries a U-235 assay bound (its ``bound``, an
    :class:`~enrichwatch.errors.AssayBound` in fractions: product not above the feed's, tails
    not below it, product beyond reach) in the percent and basis typed.

    ``options`` maps the library's parameters to options, ``typed`` an option to its value as
    given; ``binary``: the library's assays are of U-235/U-238 only (so a bound converts between
    the bases); ``feed_percent``: the feed's U-235 as typed [percent of ``basis``], if it was;
    ``remedy``: words after a reach bound (``; use --real-stages``). Other errors pass unchanged.
    """
    try:
        yield
    except InputError as err:
        option = options.get(str(err.param))
        value = typed.get(option) if option is not None else None
        must = None if err.bound is None else _must(err.bound, basis, binary, feed_percent,
                                                   remedy)
        if option is None or not isinstance(value, int | float) or must is None:
            raise
        raise AssayOutOfRange(option, value, _UNIT[basis.value], must) from None


def _assay(value: float | None, basis: Basis, param: str):
    from ..composition import Assay

    if value is None:
        return None
    build = Assay.from_weight_percent if basis is Basis.mass else Assay.from_atom_percent
    return build(value, param=param)


@app.command()
def swu(
    feed: float = typer.Option(..., help="Feed U-235 assay [percent]."),
    product: float = typer.Option(..., help="Product U-235 assay [percent]."),
    tails: float = typer.Option(None, help="Tails U-235 assay [percent]; solved for if omitted "
                                           "and two amounts are given."),
    basis: Basis = typer.Option(Basis.mass, help="Basis of the assays (weight or atom percent)."),
    feed_kg: float = typer.Option(None, "--feed-kg", help="Feed mass [kg U]."),
    product_kg: float = typer.Option(None, "--product-kg", help="Product mass [kg U]."),
    tails_kg: float = typer.Option(None, "--tails-kg", help="Tails mass [kg U]."),
    swu_kg: float = typer.Option(None, "--swu-kg", help="Separative work [kg-SWU]."),
    optimal_tails: bool = typer.Option(False, "--optimal-tails",
                                       help="Use the cost-optimal tails assay (needs --feed-price "
                                            "and --swu-price)."),
    feed_price: float = typer.Option(None, help="Feed price [currency per kg U] for "
                                                "--optimal-tails; any currency, the same "
                                                "for both."),
    swu_price: float = typer.Option(None, help="SWU price [currency per kg-SWU] for "
                                               "--optimal-tails."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Binary enrichment: feed, product, tails, SWU; any one unknown; optimal tails.

    Give the feed and product assays and either a tails assay and one amount, or two amounts
    (the tails assay is then solved), or --optimal-tails with prices and one amount.

    Example: enrichwatch swu --feed 0.711 --product 90 --tails 0.3 --product-kg 1 --json
    """
    from ..physics import swu as binary

    _percent_hint(product)
    if optimal_tails and (tails is not None or feed_price is None or swu_price is None):
        raise BadInput("--optimal-tails", True, "--feed-price and --swu-price, and no --tails")
    typed = {"--feed": feed, "--product": product, "--tails": tails}
    with named_options(_SWU_OPTIONS, typed, _SWU_PHRASES), \
            _assays_as_typed(_SWU_OPTIONS, typed, basis, binary=True, feed_percent=feed):
        f, p = _assay(feed, basis, "feed"), _assay(product, basis, "product")
        t = _assay(tails, basis, "tails")
        if optimal_tails:
            t = binary.optimal_tails(f, feed_price, swu_price)
        result = binary.enrich(f, p, t, feed_kg=feed_kg, product_kg=product_kg,
                               tails_kg=tails_kg, swu_kg=swu_kg)
    given = {"feed_kg": feed_kg, "product_kg": product_kg, "tails_kg": tails_kg,
             "swu_kg": swu_kg, "tails_assay_wt_pct": tails}
    solved = [k for k, v in given.items() if v is None]
    payload = _swu_payload(result, optimal_tails, solved)
    if optimal_tails:
        payload["cost"] = _cost(payload, feed_price, swu_price)
    emit(as_json, payload, lambda out: _swu_table(out, payload), schema="swu")


def _cost(p: dict, feed_price: float, swu_price: float) -> dict:
    """Feed and enrichment cost at the given prices (currency of the prices)."""
    feed, work = p["feed_kg"] * feed_price, p["swu_kg"] * swu_price
    return {"feed_price_per_kg_u": feed_price, "swu_price_per_kg_swu": swu_price,
            "feed": feed, "swu": work, "total": feed + work,
            "per_kg_u_product": (feed + work) / p["product_kg"] if p["product_kg"] else None,
            "currency": "as given for the prices"}


def _swu_payload(r, optimal: bool, solved: list[str]) -> dict:
    values = r.as_dict()          # the library's keys: *_assay_wt_pct, *_kg, swu_kg
    return {
        **{f"{s}_assay_wt_pct": values[f"{s}_assay_wt_pct"] for s in ("feed", "product",
                                                                       "tails")},
        "tails_assay_optimised": optimal,
        **{k: values[k] for k in ("feed_kg", "product_kg", "tails_kg", "swu_kg")},
        "solved": solved,
        "units": {"mass": "kg U", "swu": "kg-SWU", "assay": "wt% U-235"},
    }


def _swu_table(out, p: dict) -> None:
    from rich.table import Table

    table = Table(title="Binary enrichment (U-235/U-238); * = solved")
    for col in ("stream", "assay (wt% U-235)", "mass (kg U)"):
        table.add_column(col, justify="right" if col != "stream" else "left")
    mark = {k: "*" if k in p["solved"] else "" for k in
            ("feed_kg", "product_kg", "tails_kg", "swu_kg", "tails_assay_wt_pct")}
    for name in ("feed", "product", "tails"):
        assay = f"{name}_assay_wt_pct"
        table.add_row(name, f"{p[assay]:.6g}{mark.get(assay, '')}",
                      f"{p[f'{name}_kg']:.6g}{mark[f'{name}_kg']}")
    out.print(table)
    note = " (cost-optimal tails)" if p["tails_assay_optimised"] else ""
    out.print(f"separative work: [bold]{p['swu_kg']:.6g} kg-SWU[/]{mark['swu_kg']}{note}")
    if "cost" in p:
        c = p["cost"]
        out.print(f"cost at {c['feed_price_per_kg_u']:g} per kg U of feed and "
                  f"{c['swu_price_per_kg_swu']:g} per kg-SWU (currency of the prices): feed "
                  f"{c['feed']:.6g} + enrichment {c['swu']:.6g} = [bold]{c['total']:.6g}[/]"
                  + (f", {c['per_kg_u_product']:.6g} per kg U of product"
                     if c["per_kg_u_product"] is not None else ""))


def _parse_feed(text: str, basis: Basis):
    from ..composition import Composition

    values = {}
    for part in filter(None, (s.strip() for s in text.split(","))):
        name, sep, number = part.partition("=")
        try:
            values[name.strip()] = float(number)
        except ValueError:
            raise BadInput("--feed", part, "ISOTOPE=PERCENT pairs such as U235=0.711") from None
        if not sep:
            raise BadInput("--feed", part, "ISOTOPE=PERCENT pairs such as U235=0.711")
    build = Composition.from_mass_percent if basis is Basis.mass else Composition.from_atom_percent
    return build(values, param="--feed")


def _law(gamma_235, alpha_per_mass, mstar, process: Process):
    from ..physics import separation

    if (gamma_235 is None) == (alpha_per_mass is None) and process is Process.centrifuge:
        raise BadInput("--gamma-235/--alpha-per-mass", (gamma_235, alpha_per_mass),
                       "exactly one of --gamma-235 and --alpha-per-mass")
    if alpha_per_mass is not None:
        return separation.PerUnitMass(alpha_per_mass, mstar)
    if mstar is not None:
        raise BadInput("--mstar", mstar, "--mstar only with --alpha-per-mass")
    if process is Process.diffusion:
        return separation.WoodDiffusion()
    return separation.WoodCentrifuge(gamma_235)


@app.command()
def ideal(
    feed: str = typer.Option(..., help="Feed composition, ISOTOPE=PERCENT pairs, e.g. "
                                       "U234=0.0055,U235=0.711,U238=99.2835."),
    basis: Basis = typer.Option(Basis.mass, help="Basis of the feed and the target assays."),
    product: float = typer.Option(..., help="Product U-235 target [percent]."),
    tails: float = typer.Option(..., help="Tails U-235 target [percent]."),
    gamma_235: float = typer.Option(None, "--gamma-235",
                                    help="U-235/U-238 overall stage factor (Wood 2008 factors)."),
    alpha_per_mass: float = typer.Option(None, "--alpha-per-mass",
                                         help="Stage factor per unit mass difference."),
    mstar: float = typer.Option(None, "--mstar", help="Key weight M* [g/mol]; optimised for "
                                                      "least total flow if omitted."),
    process: Process = typer.Option(Process.centrifuge, help="Wood (2008) law for --gamma-235."),
    feed_kg: float = typer.Option(None, "--feed-kg", help="Feed mass [kg U]."),
    product_kg: float = typer.Option(None, "--product-kg", help="Product mass [kg U]."),
    real_stages: bool = typer.Option(False, "--real-stages",
                                     help="Real-valued stage numbers hitting both targets "
                                          "(default: whole stages, product overshoots)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Multi-isotope ideal (matched-abundance-ratio) cascade for a feed composition.

    Example: enrichwatch ideal --feed U234=0.0055,U235=0.711,U238=99.2835 --basis atom
    --product 90 --tails 0.1 --gamma-235 1.3 --feed-kg 100 --json
    """
    from ..physics.ideal import U235Fraction, ideal_cascade

    _percent_hint(product)
    target = U235Fraction.weight_percent if basis is Basis.mass else U235Fraction.atom_percent
    typed = {"--feed": feed, "--product": product, "--tails": tails}
    with named_options(_IDEAL_OPTIONS, typed, _IDEAL_PHRASES):
        comp = _parse_feed(feed, basis)
        with named_options({"u235_percent": "--product"}):
            x_product = target(product)
        with named_options({"u235_percent": "--tails"}):
            x_tails = target(tails)
        law = _law(gamma_235, alpha_per_mass, mstar, process)
    if feed_kg is None and product_kg is None:
        feed_kg = 1.0
    from ..errors import ConvergenceError

    remedy = "" if real_stages else "; use --real-stages"
    try:
        with named_options(_IDEAL_OPTIONS, typed, _IDEAL_PHRASES), \
                _assays_as_typed(_IDEAL_OPTIONS, typed, basis, binary=False, remedy=remedy):
            c = ideal_cascade(comp, x_product, x_tails, law, feed_kg=feed_kg,
                              product_kg=product_kg, integer_stages=not real_stages)
    except ConvergenceError as err:
        raise BadInput("--gamma-235/--alpha-per-mass", gamma_235 or alpha_per_mass,
                       f"a stage separation factor that reaches the targets ({err.reason})"
                       ) from None
    payload = _ideal_payload(c, basis) | {"targets": _targets(c, basis, product, tails)}
    emit(as_json, payload, lambda out: _ideal_table(out, payload), schema="ideal")


def _law_json(law, m_star: float) -> dict:
    """The separation law as named fields (not a Python repr)."""
    from ..physics import separation

    if isinstance(law, separation.PerUnitMass):
        return {"kind": "per-unit-mass", "alpha_per_mass": law.alpha,
                "m_star_g_per_mol": m_star, "m_star_optimised": law.m_star is None}
    kind = "wood-diffusion" if isinstance(law, separation.WoodDiffusion) else "wood-centrifuge"
    return {"kind": kind, "gamma_235": float(law.gamma_235)}


def _law_text(law: dict) -> str:
    if law["kind"] == "per-unit-mass":
        how = "optimised for least total flow" if law["m_star_optimised"] else "given"
        return (f"factor {law['alpha_per_mass']:g} per unit mass difference, key weight M* "
                f"{law['m_star_g_per_mol']:.4f} g/mol ({how})")
    name = "Wood diffusion law" if law["kind"] == "wood-diffusion" else "Wood centrifuge law"
    return f"{name}, U-235/U-238 stage factor {law['gamma_235']:.6g}"


def _ideal_payload(c, basis: Basis) -> dict:
    def comp(x):
        return {"mass_pct": x.as_dict("mass", percent=True),
                "atom_pct": x.as_dict("atom", percent=True)}

    return {
        "basis": basis.value,
        "law": _law_json(c.law, float(c.m_star)),
        "m_star": float(c.m_star),
        "n_enriching": c.n_enriching,
        "n_stripping": c.n_stripping,
        "integer_stages": c.integer_stages,
        "feed_kg": float(c.feed_kg),
        "product_kg": float(c.product_kg),
        "tails_kg": float(c.tails_kg),
        "feed": comp(c.feed),
        "product": comp(c.product),
        "tails": comp(c.tails),
        "swu_kg": float(c.swu_kg),
        "total_flow_per_feed": float(c.flow_per_feed),
        "units": {"mass": "kg U", "swu": "kg-SWU", "flow": "kg U per kg U of feed"},
    }


def _targets(c, basis: Basis, product: float, tails: float) -> dict:
    """The U-235 assays asked and obtained, on the basis asked (whole stages overshoot)."""
    key = "atom" if basis is Basis.atom else "mass"

    def got(x) -> float:
        return 100.0 * float(x.fraction("U235", basis=key))

    note = ("a cascade has a whole number of stages, so the product and tails assays obtained "
            "differ from the targets asked (--real-stages: real-valued stage numbers that hit "
            "both)" if c.integer_stages else
            "real-valued stage numbers: the targets are met (a built cascade has whole stages)")
    return {"basis": basis.value, "whole_stages": bool(c.integer_stages),
            "product_u235_pct": {"asked": float(product), "obtained": got(c.product)},
            "tails_u235_pct": {"asked": float(tails), "obtained": got(c.tails)},
            "note": note}


def _targets_text(t: dict) -> str:
    unit = "at%" if t["basis"] == "atom" else "wt%"
    parts = ", ".join(f"{name} {t[f'{name}_u235_pct']['obtained']:.6g} {unit} U-235 (asked "
                      f"{t[f'{name}_u235_pct']['asked']:g})" for name in ("product", "tails"))
    return f"targets: {parts}; {t['note']}"


def _ideal_table(out, p: dict) -> None:
    from rich.table import Table

    key, unit = ("atom_pct", "at%") if p["basis"] == "atom" else ("mass_pct", "wt%")
    other, other_unit = ("mass_pct", "wt%") if key == "atom_pct" else ("atom_pct", "at%")
    isotopes = list(p["feed"][key])
    table = Table(title=f"Ideal cascade: {p['n_enriching']} enriching + {p['n_stripping']} "
                        f"stripping stages")
    table.add_column("stream")
    table.add_column("mass (kg U)", justify="right")
    for iso in isotopes:
        table.add_column(f"{iso} ({unit})", justify="right")
    table.add_column(f"U235 ({other_unit})", justify="right")
    for name in ("feed", "product", "tails"):
        table.add_row(name, f"{p[f'{name}_kg']:.6g}",
                      *(f"{p[name][key][i]:.6g}" for i in isotopes),
                      f"{p[name][other]['U235']:.6g}")
    out.print(table)
    out.print(_targets_text(p["targets"]), markup=False)
    out.print(f"separation: {_law_text(p['law'])}")
    out.print(f"separative work: [bold]{p['swu_kg']:.6g} kg-SWU[/]; total interstage flow "
              f"{p['total_flow_per_feed']:.6g} kg per kg of feed")

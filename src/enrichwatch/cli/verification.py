"""``enrichwatch sampling ...`` and ``enrichwatch game ...``: verification sampling plans, the D
statistic, MUF-D and inspection games (:mod:`enrichwatch.accountancy`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

import typer

from .app import JSON_OPTION, BadInput, app, emit

__all__ = ["attribute", "bimatrix", "d_statistic", "game_app", "inspection", "muf_d",
           "sampling_app", "variables", "zero_sum"]

sampling_app = typer.Typer(help="Verification sampling: attribute plans (gross and partial "
                                "defects), variables plans and the D statistic (bias defects), "
                                "MUF-D.", no_args_is_help=True, rich_markup_mode=None)
game_app = typer.Typer(help="Inspection games: the 2x2 inspection game, zero-sum matrix games "
                            "(linear programming), equilibria of bimatrix games.",
                       no_args_is_help=True, rich_markup_mode=None)
app.add_typer(sampling_app, name="sampling")
app.add_typer(game_app, name="game")

_DP_HELP = "Detection probability goal 1 - beta [probability]; IAEA 'high' 0.9, 'low' 0.2."
_ALPHA_HELP = "False-alarm probability of the one-sided test [probability]."
_POPULATION = typer.Option(..., "--population", help="Items in the stratum, N [items].")
_RSD_RANDOM = typer.Option(..., "--rsd-random", help="Random relative standard deviation of the "
                                                     "inspector's measurement [fraction].")
_RSD_SYSTEMATIC = typer.Option(0.0, "--rsd-systematic",
                               help="Systematic relative standard deviation [fraction].")


@contextmanager
def _options(renamed: dict[str, str] | None = None) -> Iterator[None]:
    """Report a calculator's InputError under the command-line option that carries the value
    (``goal_kg`` -> ``--goal-kg``, or as ``renamed`` says)."""
    from ..errors import InputError

    try:
        yield
    except InputError as err:
        option = (renamed or {}).get(err.param, "--" + str(err.param).replace("_", "-"))
        raise BadInput(option, err.value, err.allowed) from None


def _beta(detection_probability: float) -> Fraction:
    """``1 - detection probability``, exactly as the decimal typed (0.9 gives 1/10)."""
    if not 0.0 <= detection_probability <= 1.0:
        raise BadInput("--detection-probability", detection_probability, "a probability in [0, 1]")
    return 1 - Fraction(repr(float(detection_probability)))


def _numbers(text: str, option: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise BadInput(option, text, "numbers separated by commas, e.g. 100,99.5,101") from None
    if not values:
        raise BadInput(option, text, "at least one number")
    return values


def _matrix(text: str, option: str) -> list[list[float]]:
    rows = [row for row in text.split(";") if row.strip()]
    try:
        matrix = [[float(x) for x in row.split(",")] for row in rows]
    except ValueError:
        matrix = []
    if not matrix or len({len(row) for row in matrix}) != 1:
        raise BadInput(option, text, "rows of equally many numbers: entries separated by ',', "
                                     "rows by ';', e.g. '1,-1;-1,1'")
    return matrix


def _table(out, title: str, rows: list[tuple[str, str]]) -> None:
    from rich.table import Table

    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for label, value in rows:
        table.add_row(label, value)
    out.print(table)


def _pct(p: float | None) -> str:
    return "-" if p is None else f"{100 * p:.4g} %"


# -- sampling ---------------------------------------------------------------------------------


@sampling_app.command("attribute")
def attribute(
    population: int = _POPULATION,
    defects: int = typer.Option(None, "--defects", help="Items that must be falsified to divert "
                                                        "the goal, M [items]; or give "
                                                        "--goal-kg and --item-kg."),
    goal_kg: float = typer.Option(None, "--goal-kg", help="Quantity to divert [kg], e.g. 25 "
                                                          "(1 SQ of HEU, kg U-235)."),
    item_kg: float = typer.Option(None, "--item-kg", help="Content of one item [kg], same "
                                                          "material as --goal-kg."),
    defect: str = typer.Option("gross", "--defect", help="Defect: 'gross' (whole item) or "
                                                         "'partial' (--defect-fraction of it)."),
    defect_fraction: float = typer.Option(None, "--defect-fraction",
                                          help="Fraction taken from each falsified item "
                                               "(partial defect) [fraction]."),
    detection_probability: float = typer.Option(0.9, "--detection-probability", help=_DP_HELP),
    item_detection: float = typer.Option(1.0, "--item-detection",
                                         help="Probability the measurement recognises a sampled "
                                              "falsified item [probability]."),
    sample_size: int = typer.Option(None, "--sample-size", help="Also the detection "
                                                                "probability of this sample "
                                                                "[items]."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Attribute sampling plan: the IAEA approximation n = N (1 - beta^(1/M)) and the exact
    hypergeometric sample size, and the detection probability each achieves.

    Example: enrichwatch sampling attribute --population 200 --defects 10
    --detection-probability 0.95 --json
    """
    from ..accountancy import sampling

    beta = _beta(detection_probability)
    if defect not in ("gross", "partial"):
        raise BadInput("--defect", defect, "'gross' or 'partial' (bias defects: sampling "
                                           "variables)")
    if defects is not None and defect_fraction is not None:
        raise BadInput("--defect-fraction", defect_fraction, "only with --goal-kg and --item-kg "
                                                             "(--defects counts the items)")
    with _options({"beta": "--detection-probability"}):
        if (defects is None) == (goal_kg is None and item_kg is None):
            raise BadInput("--defects", defects, "either --defects or both --goal-kg and "
                                                 "--item-kg")
        if defects is not None:
            plan = sampling.attribute_plan(population, defects, beta,
                                           item_detection=item_detection)
        else:
            if goal_kg is None or item_kg is None:
                raise BadInput("--goal-kg" if goal_kg is None else "--item-kg", None,
                               "both --goal-kg and --item-kg")
            plan = sampling.goal_attribute_plan(population, item_kg, goal_kg, beta,
                                                defect=defect, defect_fraction=defect_fraction,
                                                item_detection=item_detection)
        payload = plan.as_dict() | {"defect": defect}
        if sample_size is not None:
            pd = None if not plan.reachable else sampling.attribute_detection_probability(
                plan.population, plan.defects, sample_size, item_detection)
            payload["given_sample"] = {"sample_size": sample_size, "detection_probability": pd}
    emit(as_json, payload, lambda out: _attribute_table(out, payload),
         schema="sampling-attribute")


def _attribute_table(out, p: dict) -> None:
    rows = [("population N (items)", f"{p['population']}"),
            ("falsified items needed M", f"{p['defects']}"),
            ("detection probability goal", _pct(p["detection_probability_goal"]))]
    if p["reachable"]:
        rows += [("IAEA n = N (1 - beta^(1/M))", f"{p['n_iaea']}  ({p['n_iaea_raw']:.4f})"),
                 ("  detection probability", _pct(1 - p["nondetection_at_n_iaea"])),
                 ("exact (hypergeometric) n", f"{p['n_exact']}"),
                 ("  detection probability", _pct(1 - p["nondetection_at_n_exact"]))]
    given = p.get("given_sample")
    if given:
        rows.append((f"sample of {given['sample_size']}: detection probability",
                     _pct(given["detection_probability"])))
    _table(out, f"Attribute sampling plan ({p['defect']} defects)", rows)
    if not p["reachable"]:
        out.print("the stratum holds fewer items than must be falsified: this defect cannot "
                  "divert the goal here (no sample needed; consider bias defects)")


@sampling_app.command("variables")
def variables(
    population: int = _POPULATION,
    item_kg: float = typer.Option(..., "--item-kg", help="Content of one item [kg]."),
    goal_kg: float = typer.Option(..., "--goal-kg", help="Quantity diverted by falsifying every "
                                                         "item a little (bias defect) [kg]."),
    rsd_random: float = _RSD_RANDOM,
    rsd_systematic: float = _RSD_SYSTEMATIC,
    detection_probability: float = typer.Option(0.9, "--detection-probability", help=_DP_HELP),
    false_alarm: float = typer.Option(0.05, "--false-alarm", help=_ALPHA_HELP),
    as_json: bool = JSON_OPTION,
) -> None:
    """Variables sampling plan against a bias defect: the smallest sample whose D test detects
    the goal with the wanted probability.

    Example: enrichwatch sampling variables --population 500 --item-kg 1.5 --goal-kg 25
    --rsd-random 0.05 --rsd-systematic 0.01
    """
    from ..accountancy import sampling

    beta = _beta(detection_probability)
    with _options({"beta": "--detection-probability"}):
        plan = sampling.variables_plan(population, item_kg, goal_kg, float(beta), rsd_random,
                                       rsd_systematic, false_alarm)
    payload = plan.as_dict()
    emit(as_json, payload, lambda out: _variables_table(out, payload),
         schema="sampling-variables")


def _variables_table(out, p: dict) -> None:
    n = p["sample_size"]
    _table(out, "Variables sampling plan (bias defect, D statistic)", [
        ("population N (items)", f"{p['population']}"),
        ("falsification of every item", f"{100 * p['bias_per_item']:.4g} %"),
        ("detection probability goal", _pct(p["detection_probability_goal"])),
        ("false-alarm probability", _pct(p["false_alarm"])),
        ("sample size n", "none reaches the goal" if n is None else f"{n}"),
        ("  detection probability", _pct(p["detection_probability"])),
        ("detection probability at n = N", _pct(p["max_detection_probability"]))])


@sampling_app.command("d-statistic")
def d_statistic(
    population: int = _POPULATION,
    declared: str = typer.Option(..., "--declared", help="Operator's declared values of the "
                                                         "sampled items, comma-separated [kg]."),
    measured: str = typer.Option(..., "--measured", help="Inspector's measurements of the same "
                                                         "items, comma-separated [kg]."),
    rsd_random: float = _RSD_RANDOM,
    rsd_systematic: float = _RSD_SYSTEMATIC,
    false_alarm: float = typer.Option(0.05, "--false-alarm", help=_ALPHA_HELP),
    as_json: bool = JSON_OPTION,
) -> None:
    """The D statistic D = (N/n) sum(declared - measured) of a verified sample, its standard
    deviation and its one-sided test.

    Example: enrichwatch sampling d-statistic --population 50 --declared 100,100,100,100,100
    --measured 99.5,100.2,99.8,99.9,100.1 --rsd-random 0.005 --rsd-systematic 0.002
    """
    from ..accountancy import sampling

    o, r = _numbers(declared, "--declared"), _numbers(measured, "--measured")
    with _options():
        d = sampling.d_statistic(o, r, population, rsd_random, rsd_systematic)
        payload = d.as_dict(false_alarm)
    emit(as_json, payload, lambda out: _d_table(out, payload), schema="sampling-d-statistic")


def _d_table(out, p: dict) -> None:
    _table(out, f"D statistic: {p['sample_size']} of {p['population']} items", [
        ("D (kg)", f"{p['d']:.6g}"), ("sd(D) (kg)", f"{p['sd']:.6g}"),
        (f"threshold at {_pct(p['false_alarm'])} false alarms (kg)", f"{p['threshold']:.6g}"),
        ("alarm", "YES" if p["alarm"] else "no")])


@sampling_app.command("muf-d")
def muf_d(
    muf: float = typer.Option(..., "--muf", help="The operator's MUF (book - physical) [kg]."),
    sigma_muf: float = typer.Option(..., "--sigma-muf", help="Standard deviation of the MUF "
                                                             "[kg]."),
    d: list[float] = typer.Option(None, "--d", help="D statistic of a verified stratum [kg]; "
                                                    "repeat per stratum."),
    sigma_d: list[float] = typer.Option(None, "--sigma-d", help="Its standard deviation [kg]; "
                                                                "one per --d."),
    sign: list[int] = typer.Option(None, "--sign", help="Its sign in the balance: 1 beginning "
                                                        "inventory or receipts, -1 shipments "
                                                        "or ending inventory; one per --d."),
    covariance: float = typer.Option(0.0, "--covariance", help="Cov(MUF, sum of signed D) "
                                                               "[kg^2]."),
    false_alarm: float = typer.Option(0.05, "--false-alarm", help=_ALPHA_HELP),
    loss_kg: float = typer.Option(None, "--loss-kg", help="Also the detection probability of "
                                                          "this diversion [kg]."),
    as_json: bool = JSON_OPTION,
) -> None:
    """MUF-D: the MUF corrected by the D statistics of the verified strata, and its test.

    Example: enrichwatch sampling muf-d --muf 0 --sigma-muf 10 --d 40 --sigma-d 8 --sign -1
    """
    from ..accountancy import sampling

    d, sigma_d, sign = list(d or []), list(sigma_d or []), list(sign or [])
    for option, given in (("--sigma-d", sigma_d), ("--sign", sign)):
        if len(given) != len(d):
            raise BadInput(option, given, f"one {option} per --d ({len(d)} given)")
    with _options({"signs": "--sign", "sd": "--sigma-d"}):
        strata = []
        for value, sd in zip(d, sigma_d, strict=True):
            if not sd >= 0.0:
                raise BadInput("--sigma-d", sd, "a standard deviation >= 0 [kg]")
            strata.append(sampling.DStatistic(0, 0, value, sd ** 2))
        result = sampling.muf_d(muf, sigma_muf, strata, sign, covariance=covariance)
        payload = result.as_dict(false_alarm)
        if loss_kg is not None:
            payload["loss_kg"] = loss_kg
            payload["detection_probability"] = result.detection_probability(loss_kg, false_alarm)
    emit(as_json, payload, lambda out: _muf_d_table(out, payload), schema="sampling-muf-d")


def _muf_d_table(out, p: dict) -> None:
    rows = [("MUF (kg)", f"{p['muf']:.6g}"), ("sum of signed D (kg)", f"{p['d']:.6g}"),
            ("MUF-D (kg)", f"{p['muf_d']:.6g}"), ("sd (kg)", f"{p['sd']:.6g}"),
            (f"threshold at {_pct(p['false_alarm'])} false alarms (kg)", f"{p['threshold']:.6g}"),
            ("alarm", "YES" if p["alarm"] else "no")]
    if "loss_kg" in p:
        rows.append((f"detection probability of {p['loss_kg']:g} kg",
                     _pct(p["detection_probability"])))
    _table(out, "MUF-D", rows)


# -- games ------------------------------------------------------------------------------------


@game_app.command("inspection")
def inspection(
    gain: float = typer.Option(..., "--gain", help="Inspectee's gain from an undetected "
                                                   "violation, d [utility]."),
    sanction: float = typer.Option(..., "--sanction", help="Inspectee's loss when a violation "
                                                           "is detected, b [utility]."),
    inspection_cost: float = typer.Option(..., "--inspection-cost",
                                          help="Inspector's cost of inspecting a legal "
                                               "inspectee, e [utility]."),
    undetected_loss: float = typer.Option(..., "--undetected-loss",
                                          help="Inspector's loss from an undetected violation, "
                                               "c [utility]."),
    detected_loss: float = typer.Option(0.0, "--detected-loss",
                                        help="Inspector's loss from a detected violation, "
                                             "0 <= a < c [utility]."),
    detection_probability: float = typer.Option(1.0, "--detection-probability",
                                                help="Probability that an inspection detects a "
                                                     "violation, 1 - beta [probability]."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The 2x2 inspection game in closed form: inspection and violation probabilities at
    equilibrium, and the deterrence condition.

    Example: enrichwatch game inspection --gain 1 --sanction 9 --inspection-cost 1
    --undetected-loss 10 --detected-loss 1 --json
    """
    from ..accountancy import games

    with _options():
        eq = games.inspection_game(gain, sanction, inspection_cost, undetected_loss,
                                   detected_loss, detection_probability)
    payload = eq.as_dict()
    emit(as_json, payload, lambda out: _inspection_table(out, payload),
         schema="game-inspection")


def _inspection_table(out, p: dict) -> None:
    lead = p["leadership_inspection_probability"]
    _table(out, "Inspection game (equilibrium)", [
        ("inspection probability", _pct(p["inspection_probability"])),
        ("violation probability", _pct(p["violation_probability"])),
        ("inspector's payoff", f"{p['inspector_payoff']:.6g}"),
        ("inspectee's payoff", f"{p['inspectee_payoff']:.6g}"),
        ("critical detection probability d/(b+d)", _pct(p["critical_detection_probability"])),
        ("announced rate that deters (leadership)", "none deters" if lead is None
         else _pct(lead))])


@game_app.command("zero-sum")
def zero_sum(
    matrix: str = typer.Option(..., "--matrix", help="Row player's payoffs, rows separated by "
                                                     "';', entries by ',' [utility]."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Value and optimal mixed strategies of a zero-sum matrix game (linear programming).

    Example: enrichwatch game zero-sum --matrix "3,-1;-2,1"
    """
    from ..accountancy import games

    with _options({"matrix": "--matrix"}):
        solution = games.solve_zero_sum(_matrix(matrix, "--matrix"))
    payload = solution.as_dict()
    emit(as_json, payload, lambda out: _table(out, "Zero-sum game", [
        ("value (to the row player)", f"{payload['value']:.6g}"),
        ("row strategy", _mix(payload["row_strategy"])),
        ("column strategy", _mix(payload["column_strategy"]))]), schema="game-zero-sum")


def _mix(strategy) -> str:
    return ", ".join(f"{x:.4g}" for x in strategy)


@game_app.command("bimatrix")
def bimatrix(
    row_payoffs: str = typer.Option(..., "--row-payoffs", help="Row player's payoffs, rows "
                                                               "separated by ';', entries by "
                                                               "',' [utility]."),
    column_payoffs: str = typer.Option(..., "--column-payoffs",
                                       help="Column player's payoffs, same layout [utility]."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Nash equilibria of a two-player game by support enumeration.

    Example: enrichwatch game bimatrix --row-payoffs "3,0;0,2" --column-payoffs "2,0;0,3"
    """
    from ..accountancy import games

    a, b = _matrix(row_payoffs, "--row-payoffs"), _matrix(column_payoffs, "--column-payoffs")
    with _options():
        found = games.bimatrix_equilibria(a, b)
    payload = {"equilibria": [eq.as_dict() for eq in found]}
    emit(as_json, payload, lambda out: _equilibria_table(out, payload["equilibria"]),
         schema="game-bimatrix")


def _equilibria_table(out, rows: list[dict]) -> None:
    from rich.table import Table

    table = Table(title=f"Nash equilibria ({len(rows)})")
    for col in ("row strategy", "column strategy", "row payoff", "column payoff"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(_mix(r["row_strategy"]), _mix(r["column_strategy"]),
                      f"{r['row_payoff']:.6g}", f"{r['column_payoff']:.6g}")
    out.print(table)

"""Transient model (issue 11): a history of three segments over 72 h of plant time.

* Fordow scale: two 166-machine IR-6 cascades (14 + 18 stages, tails recycle) from the example
  plant files: start-up from cascades full of feed gas with a 6 h feed ramp (24 h), 2 h at total
  reflux with feed off and withdrawals closed, 46 h in the re-piped configuration; target < 1 s
  (the whole run: integration, events and the analysis of the result). The same history on
  two 166-machine cascades of 21 + 20 stages (A: 5 -> 20 % with 0.7 % tails, B: 20 -> 60 %;
  the issue's "about 40 stages"), same target.
* A 10-cascade network: eight 166-machine cascades (5 -> 20 %) feeding two 664-machine ones
  (20 -> 60 %) whose tails return to the first of their group, the same three segments (the
  isolated one with inventory-driven flows: at total reflux the A cascades that receive nothing
  would have no flow); target < 10 s.
* The cost against the number of cascades (2 to 10), with its fitted exponent.
* The stated operating histories of the Fordow case as ``enrichwatch evaluate`` runs them
  (issue 14): the three histories of declarations 2 and 5 on their plants, 60 % declared and
  83.7 % sampled, each swept over the hold-up and its alternative closures at rtol 1e-6 (11
  runs), asked at once (:func:`stated_transients`, as the evaluation asks for a finding's
  histories); reported (CPU time of the whole answer: parsing the histories, building,
  integrating and analysing), no target of its own (issue 14's goal for this share of a cold
  evaluate is 0.3 s). Then the 11 runs alone (building, integrating and analysing): each
history's variants together, as the evaluation runs them (:func:`run_histories` per history:
an answer never depends on the other histories asked), target < 0.2 s (the goal set for them
in the session of 2026-12-04; judge it with ``--verdict cpu`` on a shared machine); all in one
call (:func:`run_history_sets`: the runs of the same segment times stacked whatever their
history or plant; about 10 % cheaper, not used by the evaluation, see
:mod:`enrichwatch.evaluation.transients`), and the same runs one by one (:func:`run_history`
each).

Run: ``python benchmarks/bench_transient.py`` (one thread). Wall-clock medians are what the
targets judge; the CPU time per run is printed beside them, since the machine may be shared.
"""

from __future__ import annotations

import time
from pathlib import Path

from harness import Bench, main_exit, measure, scaling

from enrichwatch.composition import Assay, Composition
from enrichwatch.facility import load_facility
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network
from enrichwatch.physics.transient import (
    Configuration,
    FeedSetting,
    History,
    Segment,
    ValveSetting,
    run_histories,
    run_history,
    run_history_sets,
    variants,
)

ROOT = Path(__file__).resolve().parents[1]
W = Assay.from_weight_percent
IR6 = load_catalog().get("IR-6")
LEU = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
MID = Composition.from_mass_percent({"U235": 20.0, "U238": 80.0})


def _segments(first: str, second: str, feeds, closed, closure) -> tuple[Segment, ...]:
    off = {name: FeedSetting(on=False) for name in feeds}
    shut = {name: ValveSetting(0.0) for name in closed}
    return (Segment("start-up", 24.0, first, ramp_h=6.0),
            Segment("isolated", 26.0, first, off, shut, closure),
            Segment("re-piped", 72.0, second))


def fordow_history() -> History:
    configs = {}
    for name, file in (("declared", "declared.toml"), ("observed", "observed.toml")):
        facility = load_facility(ROOT / "examples" / "fordow-2023" / file)
        network = facility.to_network()
        configs[name] = Configuration.from_network(name, network,
                                                   labels=facility.withdrawal_labels())
    net = configs["declared"].network
    return History("Fordow scale", configs,
                   _segments("declared", "observed", [f.name for f in net.feeds],
                             net.withdrawal_names, "closed_throughput"),
                   thresholds=(0.6, 0.837))


def fordow40_history() -> History:
    """Two 166-machine IR-6 cascades of 41 stages in all, B's tails back to A, the product of
    A moved two stages down B in the re-piped configuration."""
    a = design_cascade(IR6, LEU, W(20.0), W(0.7), total_machines=166, name="A")
    b = design_cascade(IR6, MID, W(60.0), W(5.0), total_machines=166, name="B")
    feeds = [ExternalFeed("feed", "A", LEU, a.design.feed_kg_per_yr)]
    configs = {}
    for label, shift in (("declared", 0), ("moved", 2)):
        net = Network([a, b], [Link("A", "product", "B", stage=b.feed_stage - shift),
                               Link("B", "tails", "A")], feeds)
        configs[label] = Configuration.from_network(label, net)
    net = configs["declared"].network
    return History("Fordow scale, 41 stages", configs,
                   _segments("declared", "moved", ["feed"], net.withdrawal_names,
                             "closed_throughput"), thresholds=(0.6, 0.837))


def network_history(pairs: int) -> History:
    """``2 * pairs`` cascades: per pair of groups, 4 A-type into one B-type for every two
    pairs (pairs = 5: 8 + 2 cascades); small sizes use one A per B."""
    per_b = 4 if pairs >= 5 else 1
    n_b = max(1, 2 * pairs // (per_b + 1))
    n_a = 2 * pairs - n_b
    a_cascades = [design_cascade(IR6, LEU, W(20.0), W(2.5), total_machines=166, name=f"A{i}")
                  for i in range(n_a)]
    groups = [list(range(n_a))[k::n_b] for k in range(n_b)]
    b_cascades = [design_cascade(IR6, MID, W(60.0), W(5.0), total_machines=166 * len(g),
                                 name=f"B{k}") for k, g in enumerate(groups)]
    feeds = [ExternalFeed(f"feed {c.name}", c.name, LEU, c.design.feed_kg_per_yr)
             for c in a_cascades]
    configs = {}
    for label, shift in (("declared", 0), ("moved", 2)):
        links = []
        for k, g in enumerate(groups):
            b = b_cascades[k]
            links += [Link(f"A{i}", "product", b.name, stage=b.feed_stage - shift) for i in g]
            links.append(Link(b.name, "tails", f"A{g[0]}"))
        net = Network(a_cascades + b_cascades, links, feeds)
        configs[label] = Configuration.from_network(label, net)
    net = configs["declared"].network
    return History(f"{2 * pairs} cascades", configs,
                   _segments("declared", "moved", [f.name for f in feeds],
                             net.withdrawal_names, "inventory"), thresholds=(0.6, 0.837))


def _cpu(fn) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def stated_histories():
    """The (plant, text, history, where) of the Fordow case's stated histories."""
    from enrichwatch.facility import Facility

    root = ROOT / "examples" / "fordow-2023"
    out = []
    for plant_file, histories in (("declared.toml", ("commissioning-2022-11.toml",
                                                      "feed-cylinder-change.toml")),
                                  ("observed.toml", ("feed-cylinder-change.toml",))):
        text = (root / plant_file).read_text()
        plant = Facility.from_toml_text(text, plant_file)
        for k, name in enumerate(histories):
            out.append((plant, text, {"file": name, "text": (root / name).read_text()},
                        f"{plant_file} histories[{k}]"))
    return out


def _stated(cases) -> list:
    from enrichwatch.evaluation.transients import stated_transients

    return stated_transients([(plant, history, where, 60.0, 83.7)
                              for plant, _, history, where in cases])


def stated_runs(cases) -> list:
    """(history with the evaluation's thresholds, its variants) of each stated history, as
    :func:`enrichwatch.evaluation.transients.stated_transient` sweeps them."""
    from dataclasses import replace

    from enrichwatch.evaluation.transients import SWEEP
    from enrichwatch.facility.history import embedded_history

    out = []
    for plant, _, history, where in cases:
        hf = embedded_history(history["text"], plant, where)
        h = replace(hf.history, thresholds=(0.6, 0.837))
        on = {k: bool(hf.sweep.get(k, True)) and swept for k, swept in SWEEP.items()}
        out.append((h, [v for _, _, v in variants(h, holdup=on["holdup"],
                                                  stage_factor=on["stage_factor"],
                                                  closures=on["closures"])]))
    return out


def _all_at_once(runs) -> None:
    from enrichwatch.evaluation.transients import METHOD, RTOL

    run_history_sets(runs, method=METHOD, rtol=RTOL)


def _per_history(runs) -> None:
    from enrichwatch.evaluation.transients import METHOD, RTOL

    for history, plan in runs:
        run_histories(history, plan, method=METHOD, rtol=RTOL)


def _one_by_one(runs) -> None:
    from enrichwatch.evaluation.transients import METHOD, RTOL

    for history, plan in runs:
        for v in plan:
            run_history(history, v, method=METHOD, rtol=RTOL)


def _runner(pairs: int):
    history = network_history(pairs)
    return lambda: run_history(history)


def main() -> None:
    bench = Bench("transient model, 72 h of plant time in three segments")
    fordow = fordow_history()
    stages = fordow.n_stages
    t = bench.check(f"Fordow scale: 2 x 166 IR-6, {stages} stages",
                    measure(lambda: run_history(fordow), repeats=5), target=1.0)
    bench.info("  CPU time of one run", f"{_cpu(lambda: run_history(fordow)):.3f} s "
                                        f"(wall median {t.median:.3f} s)")
    forty = fordow40_history()
    t = bench.check(f"Fordow scale: 2 x 166 IR-6, {forty.n_stages} stages",
                    measure(lambda: run_history(forty), repeats=5), target=1.0)
    bench.info("  CPU time of one run", f"{_cpu(lambda: run_history(forty)):.3f} s "
                                        f"(wall median {t.median:.3f} s)")
    big = network_history(5)
    bench.check(f"10-cascade network, {big.n_stages} stages",
                measure(lambda: run_history(big), repeats=3), target=10.0)
    bench.info("  CPU time of one run", f"{_cpu(lambda: run_history(big)):.3f} s")
    cases = stated_histories()
    t = measure(lambda: _stated(cases), repeats=3)
    bench.info("Fordow case, the evaluation's stated histories (3 histories, 11 runs)",
               t.text())
    runs = stated_runs(cases)
    count = sum(len(plan) for _, plan in runs)
    bench.check(f"  the {count} runs, each history's variants together (as the evaluation)",
                measure(lambda: _per_history(runs), repeats=5), target=0.2)
    bench.info(f"  the {count} runs, all integrated in one call (stacked across histories)",
               measure(lambda: _all_at_once(runs), repeats=3).text())
    bench.info(f"  the {count} runs one by one", measure(lambda: _one_by_one(runs),
                                                          repeats=3).text())
    series = scaling(_runner, [1, 2, 3, 5], repeats=3)
    bench.scaling("cost against cascades", {2 * n: v for n, v in series.items()},
                  unit="cascades")
    main_exit(bench)


if __name__ == "__main__":
    main()

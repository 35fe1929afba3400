"""Networks of fixed cascades (issue 14): the stage solver's cost in the number of cascades.

Targets (issue 14): 100 interconnected cascades (about 1,700 stages) in < 0.5 s per solve,
and a cost exponent in the number of cascades <= 1.2 over 10-200 cascades; two 166-machine
cascades with recycle in < 50 ms as before. The small-network solve the capability scans
repeat hundreds of times (the Fordow plant of examples/fordow-2023/observed.toml, 32 stages,
3 isotopes, a product rate imposed, started from a neighbouring rate's solve) has the target
of issue 14's small-network follow-up: < 0.5 ms.

The networks are pairs of 166-machine IR-6 cascades, as in the two-cascade case: A (5 -> 20
wt%, 14 stages) feeds its product to B (20 -> 60 wt%, 20 stages), whose tails return to A;
and half of each A's tails feeds the next pair's A at its tails end. Every A takes LEU (4
isotopes) at its design rate. Each timing is one whole ``Network.solve``.

    python benchmarks/bench_network.py
"""

from pathlib import Path

from harness import Bench, main_exit, measure, scaling

from enrichwatch.composition import Assay, Composition
from enrichwatch.facility import load_facility
from enrichwatch.physics.cascade import FixedCascade, design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network
from enrichwatch.physics.network_batch import solve_many
from enrichwatch.physics.variants import settings, vary

IR6 = load_catalog().get("IR-6")
LEU = Composition.from_mass_percent({"U234": 0.04, "U235": 5.0, "U236": 0.02, "U238": 94.94})
W = Assay.from_weight_percent
A = design_cascade(IR6, LEU, W(20.0), W(2.5), total_machines=166, name="A")
B = design_cascade(IR6, Composition.from_mass_percent({"U235": 20.0, "U238": 80.0}), W(60.0),
                   W(5.0), total_machines=166, name="B")
SIZES = [2, 4, 10, 20, 50, 100, 200]
FORDOW = Path(__file__).resolve().parents[1] / "examples" / "fordow-2023" / "observed.toml"
FIT = [n for n in SIZES if 10 <= n <= 200]
#: CPU per solve of a batch of the capability searches (solve_many), against ~0.55 ms alone.
BATCH_TARGET = 0.35e-3


def copy(cascade: FixedCascade, name: str) -> FixedCascade:
    return FixedCascade(cascade.machine, cascade.machines_per_stage, cascade.feed_stage,
                        cascade.cuts, cascade.law, name)


def network(n_cascades: int) -> Network:
    """``n_cascades / 2`` linked pairs of A and B."""
    cascades, links, feeds = [], [], []
    for j in range(n_cascades // 2):
        a, b = f"A{j}", f"B{j}"
        cascades += [copy(A, a), copy(B, b)]
        links += [Link(a, "product", b), Link(b, "tails", a)]
        if j:
            links.append(Link(f"A{j - 1}", "tails", a, stage=0, fraction=0.5))
        feeds.append(ExternalFeed(f"leu{j}", a, LEU, A.design.feed_kg_per_yr))
    return Network(cascades, links, feeds)


def scan_solve():
    """One solve as the capability scans make it: B's product at 55 % of its design rate,
    started from the solve at 50 %; and that solve's figures."""
    net = load_facility(FORDOW).to_network()
    natural = net.solve().withdrawals["B.product"].rate_kg_per_yr
    start = net.solve({"B.product": 0.5 * natural})
    state = net.solve({"B.product": 0.55 * natural}, start=start)
    return (lambda: net.solve({"B.product": 0.55 * natural}, start=start)), net, state


def batch_solve():
    """The solves of one round of the capability searches of the ranges: the Fordow plant at
    its 9 settings (layouts of 25, 32 and 39 stages), each at 2 product rates (55 % and 60 %
    of its design rate) started from its solve at 50 %, solved together (solve_many); and the
    same requests one by one."""
    net = load_facility(FORDOW).to_network()
    requests = []
    for setting in settings(net):
        varied = vary(net, setting)
        natural = varied.solve().withdrawals["B.product"].rate_kg_per_yr
        start = varied.solve({"B.product": 0.5 * natural})
        requests += [(varied, {"B.product": share * natural}, start) for share in (0.55, 0.6)]

    def alone():
        return [n.solve(rates, start=start) for n, rates, start in requests]
    return (lambda: solve_many(requests)), alone, len(requests)


def main() -> None:
    bench = Bench("cascade networks (issue 14)")
    fordow, net, state = scan_solve()
    bench.check(f"Fordow pair ({net.graph.n_stages} stages, {len(state.isotopes)} isotopes), "
                "product rate imposed, warm start", measure(fordow, repeats=9), target=0.5e-3,
                note=f"{state.newton_iterations} Newton iterations")
    together, alone, members = batch_solve()
    one_by_one = measure(alone, repeats=5)
    bench.check(f"{members} such solves together (Fordow at its 9 settings, 2 rates each; "
                f"target {BATCH_TARGET * 1e3:g} ms per solve)", measure(together, repeats=9),
                target=BATCH_TARGET * members,
                note=f"one by one: {one_by_one.text()}")
    pair = network(2)
    state = pair.solve()
    bench.check(f"2 x 166 IR-6 ({A.n_stages}+{B.n_stages} stages, tails recycle)",
                measure(pair.solve), target=50e-3,
                note=f"{state.newton_iterations} Newton iterations")
    series = scaling(lambda n: network(n).solve, SIZES)
    big = network(100)
    bench.check(f"100 cascades ({big.graph.n_stages} stages, {len(big.links)} links)",
                series[100], target=0.5,
                note=f"{big.solve().newton_iterations} Newton iterations")
    for n in SIZES:
        bench.info(f"  {n} cascades", series[n].text())
    bench.scaling("cost in cascades (all)", series, unit="n")
    bench.scaling("cost in cascades, 10-200", {n: series[n] for n in FIT}, max_exponent=1.2,
                  unit="n")
    main_exit(bench)


if __name__ == "__main__":
    main()

"""Tests of enrichwatch.report.plant: self-contained HTML reports that open offline.

The browser test runs headless Chromium with networking cut off (no proxy, every host name
unresolvable) when Chromium is installed, and is skipped with the reason otherwise.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from enrichwatch.composition import Assay, Composition
from enrichwatch.errors import InputError
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Network
from enrichwatch.report import (
    ReportConfiguration,
    render_compare_report,
    render_solve_report,
    write_report,
)
from tests.fordow_networks import fordow_networks

EVIL = "<script>alert(1)</script>"
ASSUMPTIONS = ["Machine: the catalog's IR-6 entry (assumed stage factor).",
               "A designed 5 % -> 20 % (tails 2.5 %), B 20 % -> 60 % (tails 5 %), 166 each."]


def _inputs(name="Fordow FFEP (illustrative)", **extra):
    return {"illustrative": True,
            "facility": {"name": name, "country": "Iran", "report": "IAEA GOV/INF/2023/1"},
            "feed": {"U-235 wt%": 5.0, "rate kg U/month": 123.344},
            "machines": {"type": "IR-6", "per cascade": 166, "cascades": 2}, **extra}


@pytest.fixture(scope="module")
def fordow():
    """The two illustrative Fordow interconnections and their states."""
    return fordow_networks()


@pytest.fixture(scope="module")
def solve_html(fordow):
    net, state = fordow["declared"]
    return render_solve_report("Fordow 2023: declared interconnection", net, state,
                               inputs=_inputs(), assumptions=ASSUMPTIONS,
                               labels={"B.product": "HEU product"})


@pytest.fixture(scope="module")
def compare_html(fordow):
    changes = [{"item": "Link A.product -> B", "before": "feed stage 9", "after": "stage 7",
                "note": "re-piped"}]
    return render_compare_report(
        "Fordow 2023: declared vs alternative",
        _configuration(fordow["declared"], _inputs(label="Declared"), ASSUMPTIONS),
        _configuration(fordow["alternative"], _inputs(label="Alternative"),
                       ASSUMPTIONS + ["Re-piped."]),
        changes)


def _configuration(solved, inputs=None, assumptions=()):
    net, state = solved
    return ReportConfiguration(network=net, state=state, inputs=inputs or {},
                               assumptions=assumptions)


def external_references(html: str) -> list[str]:
    """Every src/href/url() target and CSS @import that is not in-document (#id) or data:."""
    targets = re.findall(r"""(?:\bsrc|\bhref)\s*=\s*["']?([^"'\s>]*)""", html, flags=re.I)
    targets += re.findall(r"url\(\s*['\"]?([^'\")]*)", html, flags=re.I)
    targets += re.findall(r"@import\s+([^;]*)", html, flags=re.I)
    return [t for t in targets if not (t.startswith("#") or t.startswith("data:"))]


def test_solve_report_is_one_self_contained_document(solve_html):
    assert solve_html.startswith("<!DOCTYPE html>")
    assert solve_html.count("<html") == 1
    assert external_references(solve_html) == []
    assert "http://" not in solve_html and "https://" not in solve_html
    assert "<script" not in solve_html.lower()
    assert "<link" not in solve_html.lower()
    assert "default-src 'none'" in solve_html            # the page may not load anything


def test_solve_report_embeds_diagram_and_one_profile_per_cascade(solve_html):
    assert solve_html.count("<svg") == 1 + 2
    ids = re.findall(r'\bid="([^"]+)"', solve_html)
    assert len(ids) == len(set(ids))                     # figures do not share ids


def test_solve_report_shows_withdrawals_heu_inputs_and_assumptions(fordow, solve_html):
    _, state = fordow["declared"]
    for name, s in state.withdrawals.items():
        assert name in solve_html
        assert f"{s.rate_kg_per_yr / 12:.3f}" in solve_html
        assert f"{s.assay.weight_percent:.2f}" in solve_html
    heu = state.withdrawals["B.product"]
    assert heu.assay.weight_percent >= 20.0
    assert re.search(rf"HEU \(&ge; 20 % U-235\) output:\s*<strong>"
                     rf"{heu.rate_kg_per_yr / 12:.3f} kg U/month", solve_html)
    assert "HEU product" in solve_html                   # the label
    assert "Rate [kg U/month]" in solve_html
    for cs in state.cascades.values():
        assert f"{cs.swu_machines_kg_per_yr:.0f} kg-SWU/yr" in solve_html
    for text in ("Fordow FFEP (illustrative)", "IAEA GOV/INF/2023/1", "IR-6"):
        assert text in solve_html
    assert "assumed stage factor" in solve_html
    assert "Illustrative reconstruction" in solve_html


def test_banner_only_when_illustrative(fordow):
    net, state = fordow["declared"]
    html = render_solve_report("Plain", net, state, inputs={"facility": {"name": "X"}},
                               assumptions=[])
    assert "Illustrative reconstruction" not in html
    assert "No assumptions recorded" in html


def test_user_text_is_escaped_everywhere(fordow):
    net, state = fordow["declared"]
    html = render_solve_report(EVIL, net, state, inputs=_inputs(name=EVIL, **{EVIL: EVIL}),
                               assumptions=[EVIL], labels={"A": EVIL, "B.product": EVIL})
    assert EVIL not in html
    assert "<script" not in html.lower()
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5


def test_rates_in_kg_per_year_when_asked(fordow):
    net, state = fordow["declared"]
    html = render_solve_report("Yearly", net, state, inputs={}, assumptions=[],
                               rate_unit="kg U/yr")
    rate = state.withdrawals["B.product"].rate_kg_per_yr
    assert f"{rate:.3f}" in html and "Rate [kg U/yr]" in html
    with pytest.raises(InputError, match="rate_unit"):
        render_solve_report("Bad", net, state, inputs={}, assumptions=[], rate_unit="t/month")


def test_compare_report_shows_both_configurations_and_changes(fordow, compare_html):
    assert compare_html.count("<svg") == 2 * (1 + 2)
    assert external_references(compare_html) == []
    ids = re.findall(r'\bid="([^"]+)"', compare_html)
    assert len(ids) == len(set(ids))
    for key in ("declared", "alternative"):
        s = fordow[key][1].withdrawals["B.product"]
        assert f"{s.rate_kg_per_yr / 12:.3f}" in compare_html
    assert "What changed" in compare_html
    assert "Link A.product -&gt; B" in compare_html and "re-piped" in compare_html
    assert "<th>Declared</th><th>Alternative</th>" in compare_html
    assert "Re-piped." in compare_html


def test_compare_report_escapes_changes(fordow):
    a = _configuration(fordow["declared"])
    html = render_compare_report(EVIL, a, a, [{"item": EVIL, "before": 1.5, "note": EVIL}])
    assert EVIL not in html and "<script" not in html.lower()


@pytest.mark.parametrize("wrong", ["tuple", "four-tuple", "none"])
@pytest.mark.parametrize("param", ["a", "b"])
def test_compare_report_refuses_anything_but_a_configuration(fordow, param, wrong):
    good = _configuration(fordow["declared"])
    bad = {"tuple": fordow["declared"], "four-tuple": (*fordow["declared"], {}, []),
           "none": None}[wrong]
    args = {"a": good, "b": good} | {param: bad}
    with pytest.raises(InputError) as caught:
        render_compare_report("x", args["a"], args["b"], [])
    assert caught.value.param == param
    assert "ReportConfiguration" in str(caught.value)


@pytest.mark.parametrize("field, value", [("network", None), ("state", "solved"),
                                          ("inputs", ["not", "a", "mapping"]),
                                          ("assumptions", "one string")])
def test_report_configuration_checks_its_fields(fordow, field, value):
    net, state = fordow["declared"]
    fields = {"network": net, "state": state, "inputs": {}, "assumptions": ()}
    with pytest.raises(InputError) as caught:
        ReportConfiguration(**(fields | {field: value}))
    assert caught.value.param == field


def test_report_configuration_is_built_by_keyword(fordow):
    with pytest.raises(TypeError):
        ReportConfiguration(*fordow["declared"])          # keyword-only: refused


def test_write_report_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    assert write_report("<p>one</p>", target) == target
    assert target.read_text(encoding="utf-8") == "<p>one</p>"
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    write_report("<p>two é</p>", str(target))
    assert target.read_text(encoding="utf-8") == "<p>two é</p>"

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_report("<p>three</p>", target)
    assert target.read_text(encoding="utf-8") == "<p>two é</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]     # no temporary left


# -- in a real browser, offline -------------------------------------------------------------------
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM = _chromium()
OFFLINE_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND"]


def _run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([CHROMIUM, *OFFLINE_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install "
                    "chromium); the offline browser rendering test needs it")
def test_report_opens_offline_in_headless_chromium_and_shows_its_plots(tmp_path, solve_html):
    import matplotlib.image

    page = write_report(solve_html, tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    _run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri())
    assert shot.exists(), "Chromium produced no screenshot"
    image = matplotlib.image.imread(shot)[..., :3]
    assert image.shape[:2] == (2000, 1200)
    assert image.var() > 0.0
    assert (image.min(axis=2) < 0.95).mean() > 0.05       # not a blank page: >5 % inked
    # the diagram's product-stream red (#b2182b) is painted, so the SVG plots were drawn
    red = np.abs(image - np.array([0xB2, 0x18, 0x2B]) / 255.0).max(axis=2) < 0.06
    assert red.sum() > 100

    dom = _run_chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    assert dom.count("<svg") == 3
    assert "<path" in dom and "Withdrawals" in dom


def _two_heu_cascades():
    """Two 166-machine IR-6 cascades (5 -> 60 %) fed apart: two HEU withdrawals whose rates
    [kg U/month] round (to 3 decimals) to a sum 0.001 above their sum rounded."""
    w = Assay.from_weight_percent
    leu = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
    ir6 = load_catalog().get("IR-6")
    a, b = (design_cascade(ir6, leu, w(60.0), w(2.0), total_machines=166, name=n)
            for n in "AB")
    feed = a.design.feed_kg_per_yr
    net = Network([a, b], feeds=[ExternalFeed("fa", "A", leu, feed),
                                 ExternalFeed("fb", "B", leu, 0.995 * feed)])
    return net, net.solve()


def test_heu_totals_are_sums_of_the_unrounded_figures():
    net, state = _two_heu_cascades()
    html = render_solve_report("Two", net, state, inputs={}, assumptions=[])
    heu = [state.withdrawals[n] for n in ("A.product", "B.product")]
    rates = [s.rate_kg_per_yr / 12 for s in heu]
    u235 = [r * s.assay.weight_percent / 100 for r, s in zip(rates, heu, strict=True)]
    rounded_then_summed = sum(float(f"{r:.3f}") for r in rates)
    assert f"{rounded_then_summed:.3f}" != f"{sum(rates):.3f}"      # the case that matters
    summary = re.search(r"output:\s*<strong>([\d.]+) kg U/month</strong>\s*\(([\d.]+) kg U-235\)",
                        html)
    assert summary.groups() == (f"{sum(rates):.3f}", f"{sum(u235):.3f}")
    for r, u in zip(rates, u235, strict=True):                     # each row as before
        assert f"{r:.3f}" in html and f"{u:.3f}" in html


# -- issue 16: the comparison highlights what changed and compares on shared axes --------------
def test_compare_report_highlights_the_repiped_stream_in_both_diagrams(compare_html):
    """The declared A.product -> B feed stage and the alternative's A.product -> B stage 7 are
    each drawn over an amber halo; the B.tails -> A recycle, the same in both, is not."""
    assert compare_html.count('id="a0-changed-link-0"') == 1
    assert compare_html.count('id="b0-changed-link-0"') == 1
    assert "changed-link-1" not in compare_html
    said = re.findall(r"Highlighted in amber: 1 stream\s+the other configuration", compare_html)
    assert len(said) == 2


def test_compare_report_stage_profiles_share_their_axes(fordow):
    from enrichwatch.physics.plots import plot_stage_profile, profile_limits

    states = [fordow[k][1].cascades["B"] for k in ("declared", "alternative")]
    limits = profile_limits(*states)
    axes = [plot_stage_profile(s, limits=limits) for s in states]
    (a, twin_a), (b, twin_b) = ([x for x in ax.figure.axes] for ax in axes)
    assert a.get_xlim() == b.get_xlim() and a.get_ylim() == b.get_ylim()
    assert twin_a.get_ylim() == twin_b.get_ylim()
    for s in states:                     # each profile fits inside the shared limits
        low, high = limits.assay_wt_pct
        assert low < 100 * s.stage_tails[:, s.isotopes.index("U235")].min()
        assert high > 100 * s.stage_heads[:, s.isotopes.index("U235")].max()
    assert all(any(line.get_gid() == "heu-threshold" for line in ax.lines) for ax in axes)


def test_compare_report_diagrams_are_stacked_full_width(compare_html):
    """Issue 16: side by side, the diagrams' text was about 8 px at 1280 px."""
    network = compare_html[compare_html.index('<section id="network">'):
                           compare_html.index('<section id="streams">')]
    assert '<div class="pair">' not in network and network.count("stacked-diagram") == 2


def test_solve_report_of_a_shipped_example_cites_no_development_file(capsys, tmp_path):
    """Issue 16: the single-plant report leaked a path of the development repository
    (``shared/reference/...``); the data was fixed, this keeps it so."""
    from enrichwatch.cli import main
    from tests.data.test_sources_are_shipped import UNSHIPPED

    examples = Path(__file__).parents[2] / "examples"
    for plant in (examples / "fordow-2023" / "declared.toml",
                  examples / "natanz-jcpoa" / "ir1-cascade.toml"):
        report = tmp_path / f"{plant.stem}.html"
        code = main(["solve", str(plant), "--report", str(report)])
        assert code == 0, capsys.readouterr().err
        html = report.read_text(encoding="utf-8")
        assert not UNSHIPPED.search(html), UNSHIPPED.search(html)
        assert "/work/shared" not in html

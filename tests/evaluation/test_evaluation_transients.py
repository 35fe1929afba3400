"""Rule 3 runs the operating histories a declaration states (issue 11): which transients reach
a sample's assay, when, the peak, and the uranium above the declared maximum and the assay.

The Fordow figures are checked against the transient model run here on the same plant and
history files with the evaluation's settings (:mod:`enrichwatch.evaluation.transients`), never
against numbers from an earlier run.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.errors import InputError
from enrichwatch.evaluation import case_records, evaluate
from enrichwatch.evaluation.transients import METHOD, RTOL, SWEEP, stated_transient
from enrichwatch.facility import Facility
from enrichwatch.facility.history import HistoryFileError, embedded_history, load_history
from enrichwatch.physics.transient import Variant, run_history, sweep_history
from tests.evaluation.evaluation_helpers import (
    FORDOW,
    d,
    declaration,
    inspection,
    plant,
    sample,
)

CYLINDER = "feed-cylinder-change.toml"
COMMISSIONING = "commissioning-2022-11.toml"
RANGE_KEYS = {"nominal", "low", "high", "low_run", "high_run", "moved_most_by", "settings",
              "settings_without_value"}
RANGES = ("time_to_assay_h", "peak_wt_pct", "peak_time_h", "kg_u_above_declared",
          "kg_u_above_assay", "held_kg_u_above_declared", "held_kg_u_above_assay")

#: A history for the tiny test plant: steady production, the product valve closed for 2 h
#: (the top stages enrich towards total reflux), production again.
HELD_BACK = '''
[history]
name = "product held back"
sources = ["test"]
[initial]
state = "steady"
[[segments]]
name = "production"
end_h = 1.0
[[segments]]
name = "product closed"
duration_h = 2.0
[segments.withdrawals]
product = "closed"
[[segments]]
name = "production resumed"
end_h = 6.0
'''


@pytest.fixture(scope="module")
def finding():
    ev = evaluate(case_records(FORDOW / "case.toml"), "FFEP", d("2023-02-01"))
    return ev.findings[2]


def _run(plant_file: str, history_file: str, holdup_g: float | None = None):
    """The history run directly on the plant, at the evaluation's settings, watching 60 % and
    83.7 %."""
    hf = load_history(FORDOW / history_file, FORDOW / plant_file)
    history = replace(hf.history, thresholds=(0.6, 0.837))
    result = run_history(history, Variant(holdup_g=holdup_g), method=METHOD, rtol=RTOL)
    return hf.product, result


#: The (plant, history) pairs of the Fordow finding, in the order the evaluation asks for them.
FORDOW_PAIRS = (("declared.toml", COMMISSIONING), ("declared.toml", CYLINDER),
                ("observed.toml", CYLINDER))


def _sweep_request(plant_file: str, history_file: str):
    hf = load_history(FORDOW / history_file, FORDOW / plant_file)
    history = replace(hf.history, thresholds=(0.6, 0.837))
    on = {k: bool(hf.sweep.get(k, True)) and swept for k, swept in SWEEP.items()}
    return hf.product, history, on


def _labelled(sweep) -> dict:
    return {"nominal" if k == 0 else f"{i} = {s}": r for k, (i, s, r) in enumerate(sweep.runs)}


def _swept(plant_file: str, history_file: str) -> tuple[str, dict]:
    """The history's sweep as the evaluation runs it (:func:`sweep_history` at its settings:
    the sweep's runs stacked with each other only), ``{run label: result}``, the nominal run
    under ``'nominal'``."""
    product, history, on = _sweep_request(plant_file, history_file)
    sweep = sweep_history(history, holdup=on["holdup"], stage_factor=on["stage_factor"],
                          closures=on["closures"], method=METHOD, rtol=RTOL)
    return product, _labelled(sweep)


#: Two integrations of one run at the evaluation's RTOL (one alone, one stacked with the other
#: runs of its sweep, each within RTOL on every step) agree to a small multiple of RTOL.
AGREE = 10 * RTOL


def _entry(finding, record: int, file: str) -> dict:
    return next(t for t in finding.consequence["transients"]
                if t["record"] == record and t["file"] == file)


def test_the_fordow_finding_names_the_stated_histories(finding):
    c = finding.consequence
    assert [(t["record"], t["file"]) for t in c["transients"]] == [
        (2, COMMISSIONING), (2, CYLINDER), (5, CYLINDER)]
    for t in c["transients"]:
        assert t["illustrative"] is True and t["sources"] and t["assumptions"]
        assert isinstance(t["reaches"], bool) and isinstance(t["reaches_at_nominal"], bool)
        assert t["reaches"] == (t["settings_reaching"] > 0)
        assert t["product"] == "HEU product" and t["withdrawal"] == "B.product"
        assert set(t["swept"]) >= {"hold-up"} and "stage factor" in t["not_swept"]
        assert t["settings"] == 1 + sum(len(v) for v in t["swept"].values())
        for key in RANGES:
            r = t[key]
            assert set(r) == RANGE_KEYS and r["settings"] == t["settings"], key
            if r["low"] is not None:
                assert r["low"] <= r["high"], key
                if r["nominal"] is not None:
                    assert r["low"] <= r["nominal"] <= r["high"], key
        assert t["moved_most_by"] == t["peak_wt_pct"]["moved_most_by"]
        # a higher threshold withdraws and holds no more uranium, in every run
        for what in ("kg_u", "held_kg_u"):
            high, low = t[f"{what}_above_assay"], t[f"{what}_above_declared"]
            for end in ("nominal", "low", "high"):
                assert 0.0 <= high[end] <= low[end] + 1e-12
        assert t["history"] in finding.detail and t["file"] in finding.detail
    assert "Stated operating histories" in finding.detail


def test_direct_cylinder_change_reaches_83_7_only_with_the_lowest_holdup():
    """The physics fact, from the model: in the declared configuration the isolated cylinder
    change does not reach 83.7 % at the nominal hold-up but does at the lowest one."""
    point, nominal = _run("declared.toml", CYLINDER)
    _, thin = _run("declared.toml", CYLINDER, holdup_g=0.3)
    assert nominal.first_reached[(point, 0.837)] is None
    assert thin.first_reached[(point, 0.837)] is not None


def test_the_finding_agrees_with_the_model_run_directly(finding):
    """The finding's figures are those of the sweep the evaluation runs (to rounding), and a
    run made alone agrees with them to the integrator's tolerance."""
    point, swept = _swept("declared.toml", CYLINDER)
    nominal, thin = swept["nominal"], swept["hold-up = 0.3 g U per machine"]
    t = _entry(finding, 2, CYLINDER)
    assert t["reaches"] and not t["reaches_at_nominal"]
    when = thin.first_reached[(point, 0.837)]
    assert t["time_to_assay_h"]["low"] == pytest.approx(when, rel=1e-12)
    assert t["time_to_assay_h"]["low_run"] == "hold-up = 0.3 g U per machine"
    assert t["time_to_assay_h"]["nominal"] is None
    assert t["peak_wt_pct"]["nominal"] == pytest.approx(100 * nominal.peaks[point][0],
                                                         rel=1e-12)
    assert t["kg_u_above_declared"]["nominal"] == pytest.approx(
        nominal.withdrawn_above[(point, 0.6)][0], rel=1e-12, abs=1e-15)
    assert t["kg_u_above_assay"]["high"] >= thin.withdrawn_above[(point, 0.837)][0] - 1e-15
    assert t["first_reached_during"] == "cylinder change"
    _, alone = _run("declared.toml", CYLINDER)
    _, thin_alone = _run("declared.toml", CYLINDER, holdup_g=0.3)
    assert t["time_to_assay_h"]["low"] == pytest.approx(
        thin_alone.first_reached[(point, 0.837)], rel=AGREE)
    assert t["peak_wt_pct"]["nominal"] == pytest.approx(100 * alone.peaks[point][0], rel=AGREE)
    assert t["kg_u_above_declared"]["nominal"] == pytest.approx(
        alone.withdrawn_above[(point, 0.6)][0], rel=AGREE, abs=1e-12)


@pytest.mark.parametrize("pair", FORDOW_PAIRS)
def test_the_finding_is_each_history_swept_alone(finding, pair):
    """A history's figures in the finding are those of its sweep made alone, to rounding: they
    do not depend on the other histories the finding asks (the evaluation never stacks one
    request's runs with another's)."""
    point, alone = _swept(*pair)
    t = _entry(finding, 2 if pair[0] == "declared.toml" else 5, pair[1])
    assert t["peak_wt_pct"]["nominal"] == pytest.approx(
        100 * alone["nominal"].peaks[point][0], rel=1e-12)
    assert t["peak_time_h"]["nominal"] == pytest.approx(alone["nominal"].peaks[point][1],
                                                        rel=1e-12)


def test_an_answer_does_not_depend_on_what_is_asked_with_it():
    """stated_transients of several requests gives, for each, exactly the answer it gives
    alone (same input, same output, whatever else is evaluated or cached)."""
    from enrichwatch.evaluation.transients import stated_transients

    requests = []
    for plant_file, history_file in FORDOW_PAIRS:
        text = (FORDOW / plant_file).read_text()
        history = {"file": history_file, "text": (FORDOW / history_file).read_text()}
        requests.append((Facility.from_toml_text(text, plant_file), history, "h", 60.0, 83.7))
    together = stated_transients(requests)
    assert stated_transients(requests[1:2]) == together[1:2]
    assert stated_transients(requests[::-1]) == together[::-1]


def test_each_configuration_runs_its_own_plant(finding):
    """Declaration 5 states the same history for the re-piped plant: its figures are those of
    the model on observed.toml, and differ from declaration 2's."""
    point, swept = _swept("observed.toml", CYLINDER)
    nominal = swept["nominal"]
    t = _entry(finding, 5, CYLINDER)
    assert t["reaches_at_nominal"] == (nominal.first_reached[(point, 0.837)] is not None)
    assert t["peak_wt_pct"]["nominal"] == pytest.approx(100 * nominal.peaks[point][0],
                                                         rel=1e-12)
    assert t["peak_wt_pct"]["nominal"] != _entry(finding, 2, CYLINDER)["peak_wt_pct"]["nominal"]


def test_commissioning_overshoots_the_declared_steady_product(finding):
    point, swept = _swept("declared.toml", COMMISSIONING)
    nominal = swept["nominal"]
    _, alone = _run("declared.toml", COMMISSIONING)
    t = _entry(finding, 2, COMMISSIONING)
    steady = finding.consequence["configurations"][0]["operating_point"]["product"]
    assert t["peak_wt_pct"]["nominal"] == pytest.approx(100 * nominal.peaks[point][0],
                                                         rel=1e-12)
    assert t["peak_wt_pct"]["nominal"] == pytest.approx(100 * alone.peaks[point][0], rel=AGREE)
    assert t["peak_wt_pct"]["nominal"] > steady["assay_wt_pct"]
    assert t["reaches_at_nominal"] == (nominal.first_reached[(point, 0.837)] is not None)
    assert t["first_reached_during"] in {s["name"] for s in t["segments"]} | {None}


def test_the_findings_other_content_is_unchanged(finding):
    c = finding.consequence
    assert finding.rule == "assay-above-declared-maximum" and finding.evidence == (6, 4, 5)
    assert [x["record"] for x in c["configurations"]] == [2, 5, 4]
    assert c["assay_wt_pct"] == 83.7 and c["declared_max_assay_pct"] == 60.0


# -- small plants -------------------------------------------------------------------------------
def _records(max_pct: float, assay: float, histories: list[dict] | None):
    decl = declaration(2, "2022-01-01", "2022-01-01", max_pct=max_pct)
    if histories is not None:
        decl.payload["histories"] = histories
    return [decl, inspection(3, "2022-02-01"),
            sample(4, "2022-02-01", "2022-02-05", assay, inspection_id=3)]


def _rule_3(records):
    (f,) = [f for f in evaluate(records, "X", d("2022-03-01")).findings
            if f.rule == "assay-above-declared-maximum"]
    return f


def test_transients_run_only_above_the_steady_operating_point():
    history = [{"file": "held-back.toml", "text": HELD_BACK}]
    found = _rule_3(_records(10.0, 20.0, history))
    product = found.consequence["configurations"][0]["operating_point"]["product"]
    assert 10.0 < product["assay_wt_pct"] < 20.0
    (t,) = found.consequence["transients"]
    assert t["record"] == 2 and t["history"] == "product held back"
    # a sample below what the plant makes in steady state: nothing to explain by a transient
    below = _records(10.0, product["assay_wt_pct"] - 0.5, history)
    assert _rule_3(below).consequence["transients"] == []


def test_a_declaration_without_histories_gives_an_empty_list():
    found = _rule_3(_records(10.0, 20.0, None))
    assert found.consequence["transients"] == []
    assert "Stated operating histories" not in found.detail


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assay=st.floats(13.0, 60.0))
def test_uranium_above_the_assay_never_exceeds_that_above_the_maximum(assay):
    text = plant()
    t = stated_transient(Facility.from_toml_text(text, "p"), text,
                         {"file": "h.toml", "text": HELD_BACK}, "h", 10.0, assay)
    for what in ("kg_u", "held_kg_u"):
        for end in ("nominal", "low", "high"):
            assert t[f"{what}_above_assay"][end] <= t[f"{what}_above_declared"][end] + 1e-12
    peak = t["peak_wt_pct"]
    if t["reaches_at_nominal"]:
        assert peak["nominal"] >= assay * (1 - 1e-6)
    if peak["high"] < assay * (1 - 1e-6):
        assert not t["reaches"]


def test_a_history_that_does_not_fit_the_plant_is_named():
    bad = HELD_BACK.replace('product = "closed"', '"LEU product" = "closed"')
    with pytest.raises(InputError) as info:
        _rule_3(_records(10.0, 20.0, [{"file": "bad.toml", "text": bad}]))
    message = str(info.value)
    assert "record 2 payload.histories[0] (bad.toml)" in message
    assert 'segments[1].withdrawals."LEU product"' in message


def test_a_history_in_a_record_may_not_name_other_plant_files():
    text = HELD_BACK.replace("[initial]", '[configurations]\nother = "../../etc/passwd"\n'
                                          "[initial]")
    with pytest.raises(HistoryFileError) as info:
        embedded_history(text, Facility.from_toml_text(plant(), "p"), "record 2 h")
    problem = info.value.problems[0]
    assert (problem.key, problem.value) == ("configurations", ["other"])
    assert "that record's plant only" in problem.allowed


def test_a_history_entry_must_be_a_file_and_text_table():
    text = plant()
    with pytest.raises(InputError, match="record 2 payload.histories.0."):
        stated_transient(Facility.from_toml_text(text, "p"), text, "nope",
                         "record 2 payload.histories[0]", 10.0, 20.0)


def test_answers_are_kept_and_not_shared_mutably():
    text = plant()
    args = (Facility.from_toml_text(text, "p"), text, {"file": "h.toml", "text": HELD_BACK},
            "h", 10.0, 21.0)
    first = stated_transient(*args)
    first["peak_wt_pct"]["nominal"] = -1.0
    again = stated_transient(*args)
    assert again["peak_wt_pct"]["nominal"] > 0.0


def test_a_findings_histories_are_run_together_once_each(monkeypatch):
    """PlantCache.transients: the requests not answered yet run in one call, each distinct
    request once; the answers come back in the order
    asked, a repeated request giving the same answer, one answered before not run again."""
    from enrichwatch.evaluation import transients as module
    from enrichwatch.evaluation.plants import PlantCache

    calls: list[int] = []
    real = module.stated_transients

    def counted(requests, **kwargs):
        calls.append(len(requests))
        return real(requests, **kwargs)

    monkeypatch.setattr(module, "stated_transients", counted)
    text, cache = plant(), PlantCache()
    held = {"file": "held.toml", "text": HELD_BACK}
    longer = {"file": "longer.toml", "text": HELD_BACK.replace("end_h = 6.0", "end_h = 9.0")}
    first = cache.transient(text, "p", held, "h0", 10.0, 21.0)
    assert calls == [1]
    asked = [(text, "p", longer, "h1", 10.0, 21.0), (text, "p", held, "h0", 10.0, 21.0),
             (text, "p", held, "h2", 10.0, 30.0), (text, "p", longer, "h1", 10.0, 21.0)]
    answers = cache.transients(asked)
    assert calls == [1, 2]                  # 'longer' at 21 % and 'held' at 30 %, together
    assert [a["file"] for a in answers] == ["longer.toml", "held.toml", "held.toml",
                                            "longer.toml"]
    assert answers[1] == first and answers[3] == answers[0]
    assert answers[0]["duration_h"] == 9.0 and answers[2]["duration_h"] == 6.0
    # each is the answer of the history run on its own
    alone = real([(Facility.from_toml_text(text, "p"), longer, "h1", 10.0, 21.0)])[0]
    assert answers[0] == alone
    answers[0]["peak_wt_pct"]["nominal"] = -1.0
    assert cache.transients(asked[:1])[0]["peak_wt_pct"]["nominal"] > 0.0
    assert calls == [1, 2]

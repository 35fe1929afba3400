"""Rules 1-3 one by one on small synthetic records (one 54-machine IR-6 cascade).

Physics figures are checked for consistency (declared vs observed from the same solver), not
against published values: the plants are synthetic.
"""

from __future__ import annotations

import json

import pytest

from enrichwatch.errors import InputError
from enrichwatch.evaluation import Evaluation, Finding, evaluate
from enrichwatch.evaluation.plants import PlantCache
from tests.evaluation.evaluation_helpers import Rec, d, declaration, inspection, plant, sample

DECLARED, CHANGED = plant(feed_stage=3), plant(feed_stage=4)


def rules(ev: Evaluation) -> list[str]:
    return [f.rule for f in ev.findings]


# -- rule 1: observed differs from declared ------------------------------------------------------
def test_same_configuration_gives_no_finding():
    recs = [declaration(1, "2022-01-01", "2022-01-01"),
            inspection(2, "2022-02-01", observed=DECLARED)]
    assert evaluate(recs, "X", d("2022-03-01")).findings == ()


def test_changed_feed_stage_is_a_structural_difference_with_its_consequence():
    recs = [declaration(1, "2022-01-01", "2022-01-01"),
            inspection(2, "2022-02-01", observed=CHANGED)]
    (f,) = evaluate(recs, "X", d("2022-03-01")).findings
    assert f.rule == "observed-differs-from-declared" and f.evidence == (2, 1)
    diffs = f.consequence["structural_differences"]
    assert [x["item"] for x in diffs] == ["cascade A"]
    assert "feed stage 3" in diffs[0]["declared"] and "feed stage 4" in diffs[0]["observed"]
    before, after = f.consequence["declared"], f.consequence["observed"]
    assert before["product"]["assay_wt_pct"] > after["product"]["assay_wt_pct"]
    change = f.consequence["change"]["product_assay_wt_pct"]
    assert change == pytest.approx(after["product"]["assay_wt_pct"]
                                   - before["product"]["assay_wt_pct"], rel=1e-12)
    assert f.severity == "medium"   # no HEU, and 90 % out of reach in both


def test_added_stream_and_withdrawal_point_are_reported():
    observed = plant(extra='[[streams]]\nfrom = "A.tails"\nto = "A"\nstage = 0\nfraction = 0.5\n')
    recs = [declaration(1, "2022-01-01", "2022-01-01"),
            inspection(2, "2022-02-01", observed=observed)]
    (f,) = evaluate(recs, "X", d("2022-03-01")).findings
    items = [x["item"] for x in f.consequence["structural_differences"]]
    assert "stream" in items


def test_feed_rate_alone_is_an_operating_not_a_structural_difference():
    recs = [declaration(1, "2022-01-01", "2022-01-01"),
            inspection(2, "2022-02-01", observed=plant(rate=25.0))]
    assert evaluate(recs, "X", d("2022-03-01")).findings == ()


def test_declaration_known_only_after_the_inspection_does_not_excuse_it():
    recs = [declaration(1, "2022-01-01", "2022-01-01"),
            declaration(2, "2022-01-20", "2022-02-05", plant_text=CHANGED),
            inspection(3, "2022-02-01", observed=CHANGED)]
    ev = evaluate(recs, "X", d("2022-03-01"))
    assert "observed-differs-from-declared" in rules(ev)
    assert ev.findings[0].evidence == (3, 1)


def test_correction_known_before_the_inspection_is_the_declaration_in_force():
    recs = [declaration(1, "2022-01-01", "2022-01-01"),
            declaration(2, "2022-01-01", "2022-01-15", plant_text=CHANGED, supersedes=1,
                        declared_on="2022-01-01"),
            inspection(3, "2022-02-01", observed=CHANGED)]
    assert evaluate(recs, "X", d("2022-03-01")).findings == ()
    # before the correction was known, the inspection (if known) would differ from record 1
    early = [recs[0], inspection(3, "2022-01-10", observed=CHANGED), recs[1]]
    assert rules(evaluate(early, "X", d("2022-01-12"))) == ["observed-differs-from-declared"]


def test_observed_plant_without_any_declaration():
    (f,) = evaluate([inspection(1, "2022-02-01", observed=DECLARED)], "X",
                    d("2022-03-01")).findings
    assert f.severity == "high" and f.consequence["declared"] is None


def test_inspection_not_yet_known_is_not_evaluated():
    recs = [declaration(1, "2022-01-01", "2022-01-01"),
            inspection(2, "2022-02-01", known_on="2022-02-10", observed=CHANGED)]
    assert evaluate(recs, "X", d("2022-02-09")).findings == ()
    assert len(evaluate(recs, "X", d("2022-02-10")).findings) == 1


def test_other_facilities_are_ignored():
    recs = [declaration(1, "2022-01-01", "2022-01-01"),
            inspection(2, "2022-02-01", observed=CHANGED, facility="Y")]
    assert evaluate(recs, "X", d("2022-03-01")).findings == ()


def test_invalid_plant_text_names_the_record():
    recs = [declaration(1, "2022-01-01", "2022-01-01"),
            inspection(2, "2022-02-01", observed='[facility]\nname = "broken"\n')]
    with pytest.raises(InputError, match="record 2 payload.observed_plant"):
        evaluate(recs, "X", d("2022-03-01"))


# -- rule 2: late design change declaration ------------------------------------------------------
def test_timely_declaration_gives_no_finding():
    recs = [declaration(1, "2022-01-10", "2022-01-01")]
    assert evaluate(recs, "X", d("2022-03-01")).findings == ()


def test_late_declaration_with_days_and_material_made_meanwhile():
    recs = [declaration(1, "2022-01-01", "2022-01-01"),
            inspection(2, "2022-02-03", observed=CHANGED),
            declaration(3, "2022-02-01", "2022-02-11", plant_text=CHANGED)]
    ev = evaluate(recs, "X", d("2022-03-01"))
    (f,) = [f for f in ev.findings if f.rule == "late-design-change-declaration"]
    assert f.evidence == (3, 1, 2)
    c = f.consequence
    assert c["days_late"] == 10
    assert c["replaced"]["product"]["assay_wt_pct"] == pytest.approx(
        PlantCache().figures(DECLARED, "x").summary()["product"]["assay_wt_pct"])
    assert c["heu_kg_u_made_while_undeclared"] == 0.0    # this plant makes no HEU
    assert f.severity == "medium"


def test_declared_on_defaults_to_known_on():
    rec = declaration(1, "2022-01-01", "2022-01-05")
    payload = {k: v for k, v in rec.payload.items() if k != "declared_on"}
    rec = Rec(1, "declaration", "X", rec.valid_from, rec.known_on, None, "", payload)
    (f,) = evaluate([rec], "X", d("2022-03-01")).findings
    assert f.consequence["days_late"] == 4


# -- rule 3: assay above the declared maximum ----------------------------------------------------
def test_sample_at_or_below_the_declared_maximum_gives_no_finding():
    recs = [declaration(1, "2022-01-01", "2022-01-01", max_pct=20.0),
            sample(2, "2022-02-01", "2022-02-10", 20.0)]
    assert evaluate(recs, "X", d("2022-03-01")).findings == ()


def test_sample_above_the_maximum_with_reach_of_the_observed_configuration():
    recs = [declaration(1, "2022-01-01", "2022-01-01", max_pct=20.0),
            inspection(2, "2022-02-01", observed=DECLARED),
            sample(3, "2022-02-02", "2022-02-10", 60.0, inspection_id=2)]
    (f,) = evaluate(recs, "X", d("2022-03-01")).findings
    assert f.rule == "assay-above-declared-maximum" and f.evidence == (3, 2, 1)
    assert f.severity == "high"     # >= 20 %: HEU
    c = f.consequence
    assert c["configuration"] == "observed" and "declared_configuration" not in c
    reach = c["observed_configuration"]
    assert reach["reachable"] and reach["max_assay_wt_pct"] > 60.0
    # the rate that gives 60 % is below the rate at the plant's own operating point
    assert 0 < reach["rate_kg_u_per_month_at_target"] < \
        reach["operating_point"]["product"]["rate_kg_u_per_month"]


def test_sample_the_observed_configuration_cannot_reach():
    recs = [declaration(1, "2022-01-01", "2022-01-01", max_pct=20.0),
            inspection(2, "2022-02-01", observed=CHANGED),
            sample(3, "2022-02-02", "2022-02-10", 65.0, inspection_id=2)]
    ev = evaluate(recs, "X", d("2022-03-01"))
    (f,) = [f for f in ev.findings if f.rule == "assay-above-declared-maximum"]
    assert not f.consequence["observed_configuration"]["reachable"]
    assert f.consequence["declared_configuration"]["reachable"]
    assert "cannot reach it" in f.detail


def test_without_an_observed_plant_the_declared_one_is_used():
    recs = [declaration(1, "2022-01-01", "2022-01-01", max_pct=5.0),
            sample(2, "2022-02-02", "2022-02-10", 12.0)]
    (f,) = evaluate(recs, "X", d("2022-03-01")).findings
    assert f.consequence["configuration"] == "declared" and f.severity == "medium"


def test_inspection_measurement_above_the_maximum():
    recs = [declaration(1, "2022-01-01", "2022-01-01", max_pct=5.0),
            inspection(2, "2022-02-01", measurements=[4.9, 5.3])]
    (f,) = evaluate(recs, "X", d("2022-03-01")).findings
    assert f.consequence["assay_wt_pct"] == 5.3 and f.evidence == (2, 1)


def test_sample_uses_the_declaration_in_force_on_its_date():
    recs = [declaration(1, "2022-01-01", "2022-01-01", max_pct=5.0),
            declaration(2, "2022-03-01", "2022-02-20", max_pct=20.0),
            sample(3, "2022-02-15", "2022-03-05", 12.0),
            sample(4, "2022-03-02", "2022-03-05", 12.0)]
    ev = evaluate(recs, "X", d("2022-04-01"))
    assert [f.evidence[0] for f in ev.findings] == [3]


def test_sample_not_yet_analysed_is_not_evaluated():
    recs = [declaration(1, "2022-01-01", "2022-01-01", max_pct=5.0),
            sample(2, "2022-02-02", "2022-02-10", 12.0)]
    assert evaluate(recs, "X", d("2022-02-09")).findings == ()


# -- the evaluation as a value ------------------------------------------------------------------
def test_evaluation_as_dict_is_json():
    recs = [declaration(1, "2022-01-01", "2022-01-01", max_pct=5.0),
            inspection(2, "2022-02-01", observed=CHANGED),
            sample(3, "2022-02-02", "2022-02-10", 12.0, inspection_id=2)]
    ev = evaluate(recs, "X", "2022-03-01")
    out = json.loads(json.dumps(ev.as_dict()))
    assert out["as_of"] == "2022-03-01" and out["records_considered"] == [1, 2, 3]
    assert [f["rule"] for f in out["findings"]] == ["observed-differs-from-declared",
                                                    "assay-above-declared-maximum"]


def test_finding_checks_its_severity():
    with pytest.raises(InputError, match="severity"):
        Finding(rule="r", severity="critical", title="t", detail="d", evidence=(1,))

"""The Fordow 2023 case file (examples/fordow-2023/case.toml) evaluated at three dates.

As of 2023-02-01: exactly three findings (rules 1, 2, 3) each with its consequence; as of
2023-01-20 and 2022-12-01: none (the change is not known yet). Consequence figures come from
the illustrative reconstructions declared.toml / observed.toml; they are checked against the
same plants solved directly (rel. 1e-9), not against published numbers (there are none).
"""

from __future__ import annotations

import json
import shutil

import pytest

from enrichwatch.errors import InputError
from enrichwatch.evaluation import case_records, evaluate
from enrichwatch.evaluation.plants import PlantCache
from enrichwatch.physics.machines import load_catalog
from tests.evaluation.evaluation_helpers import FORDOW, d

CASE = FORDOW / "case.toml"


@pytest.fixture(scope="module")
def records():
    return case_records(CASE)


@pytest.fixture(scope="module")
def feb1(records):
    return evaluate(records, "FFEP", d("2023-02-01"))


@pytest.fixture(scope="module")
def plants():
    cache = PlantCache()
    return {name: cache.figures((FORDOW / f"{name}.toml").read_text(), name).summary()
            for name in ("declared", "observed")}


def test_case_file_records_and_dates(records):
    assert [(r.id, r.kind, str(r.valid_from), str(r.known_on)) for r in records] == [
        (1, "facility", "2009-09-21", "2009-09-21"),
        (2, "declaration", "2022-11-22", "2022-11-17"),
        (3, "inspection", "2022-11-22", "2022-11-22"),
        (4, "inspection", "2023-01-21", "2023-01-21"),
        (5, "declaration", "2023-01-16", "2023-01-22"),
        (6, "sample", "2023-01-22", "2023-02-01"),
        (7, "report", "2023-02-01", "2023-02-01"),
    ]
    assert records[1].payload["plant"] == (FORDOW / "declared.toml").read_text()
    assert records[3].payload["observed_plant"] == (FORDOW / "observed.toml").read_text()
    assert records[5].payload["inspection"] == 4 and records[5].payload["max_u235_pct"] == 83.7
    assert all(r.source for r in records)
    # every assumed date is said to be one
    for i in (1, 4, 5):
        assert "ASSUM" in records[i].payload["summary"]


def test_three_findings_as_of_1_february_2023(feb1):
    assert [(f.rule, f.severity, f.evidence) for f in feb1.findings] == [
        ("observed-differs-from-declared", "high", (4, 2)),
        ("late-design-change-declaration", "high", (5, 2, 4)),
        ("assay-above-declared-maximum", "high", (6, 4, 5)),
    ]
    assert all(f.consequence for f in feb1.findings)
    assert feb1.records_considered == (1, 2, 3, 4, 5, 6, 7)


def test_rule_1_consequence(feb1, plants):
    c = feb1.findings[0].consequence
    assert c["structural_differences"] == [
        {"item": "stream", "declared": "A.product -> B feed stage", "observed": "(absent)"},
        {"item": "stream", "declared": "(absent)", "observed": "A.product -> B stage 7"}]
    for side in ("declared", "observed"):
        for key in ("heu_kg_u_per_month", "months_to_one_sq_at_90pct"):
            assert c[side][key] == pytest.approx(plants[side][key], rel=1e-9)
        assert c[side]["product"]["assay_wt_pct"] == pytest.approx(
            plants[side]["product"]["assay_wt_pct"], rel=1e-9)
    # the re-piping raises the product assay and shortens the time to 1 SQ at 90 %
    assert c["change"]["product_assay_wt_pct"] > 15
    assert c["change"]["months_to_one_sq_at_90pct"] < 0


def test_rule_2_consequence(feb1, plants):
    c = feb1.findings[1].consequence
    assert (str(c["effective_from"]), str(c["declared_on"]), c["days_late"]) == \
        ("2023-01-16", "2023-01-22", 6)
    assert c["heu_kg_u_made_while_undeclared"] == pytest.approx(
        plants["observed"]["heu_kg_u_per_month"] * 6 / (365.25 / 12), rel=1e-9)
    assert c["replaced"]["plant"] == plants["declared"]["plant"]


def test_rule_3_consequence(feb1):
    c = feb1.findings[2].consequence
    assert (c["assay_wt_pct"], c["declared_max_assay_pct"]) == (83.7, 60.0)
    reach = c["observed_configuration"]
    assert reach["record"] == 4 and reach["reachable"]
    assert reach["max_assay_wt_pct"] > 83.7
    assert 0 < reach["rate_kg_u_per_month_at_target"] < \
        reach["operating_point"]["product"]["rate_kg_u_per_month"]


def test_rule_1_pipings_at_equal_withdrawal_and_at_design_cuts(feb1, plants):
    """At their design cuts the observed piping makes 80.4 % against 58.9 %; at the same feed
    and the same product withdrawal rate the two pipings differ by well under one point: the
    change is almost all operating point (the slower withdrawal the design cuts imply)."""
    c = feb1.findings[0].consequence
    split = c["at_equal_withdrawal"]
    at_cuts = (split["first"]["design_cuts"], split["second"]["design_cuts"])
    assert [p["assay_wt_pct"] for p in at_cuts] == pytest.approx(
        [plants[k]["product"]["assay_wt_pct"] for k in ("declared", "observed")], rel=1e-9)
    assert [p["rate"] for p in at_cuts] == pytest.approx(
        [plants[k]["product"]["rate_kg_u_per_month"] for k in ("declared", "observed")],
        rel=1e-9)
    d = split["difference_wt_pct"]
    assert d["total"] > 15
    assert abs(d["piping"]) < 1.0 and abs(d["piping_at_second_rate"]) < 1.0
    assert d["operating_point"] > 15
    assert d["piping"] + d["operating_point"] == pytest.approx(d["total"], rel=1e-12)
    # at equal withdrawal both are solved at the declared rate with the same feed
    assert split["second"]["at_first_rate"]["rate"] == at_cuts[0]["rate"]
    assert split["same_feeds"]
    # over every setting of the uncertain inputs the piping stays small against the total
    r = split["ranges"]
    assert r["settings"][0] == "nominal" and len(r["settings"]) == 9
    assert max(abs(r["piping"]["low"]), abs(r["piping"]["high"])) < 1.0 < r["total"]["low"]
    assert "design cut" in c["assumption"] and "operating point" in feb1.findings[0].detail


def test_consequences_carry_ranges_over_the_catalog_inputs(feb1):
    ir6 = load_catalog().get("IR-6")
    low, high = ir6.swu_range_per_yr
    g_low, g_high = ir6.stage_factor_range
    for side in ("declared", "observed"):
        r = feb1.findings[0].consequence["ranges"][side]
        assert r["inputs"]["machine rating"].startswith(f"IR-6 {low:g}-{high:g} kg-SWU/yr")
        assert r["inputs"]["stage factor"].startswith(f"IR-6 {g_low:g}-{g_high:g}")
        assert "stage layout" in r["inputs"]
        for name, f in r["figures"].items():
            assert f["low"] <= f["nominal"] <= f["high"], name
            assert f["moved_most_by"] in ("stage factor", "machine rating", "stage layout")
        assert r["figures"]["product_assay_wt_pct"]["high"] > \
            r["figures"]["product_assay_wt_pct"]["low"] + 5
    heu = feb1.findings[1].consequence["ranges"]["heu_kg_u_made_while_undeclared"]
    assert heu["low"] <= feb1.findings[1].consequence["heu_kg_u_made_while_undeclared"] <= \
        heu["high"]


def test_rule_3_tests_both_declarations_and_the_observed_configuration(feb1):
    c = feb1.findings[2].consequence
    tested = [(x["role"], x["record"]) for x in c["configurations"]]
    assert tested == [("declared", 2), ("declared", 5), ("observed", 4)]
    before, late, seen = c["configurations"]
    assert (str(before["in_force_from"]), str(before["in_force_until"])) == \
        ("2022-11-22", "2023-01-15")
    assert str(late["in_force_from"]) == "2023-01-16" and late["in_force_until"] is None
    for x in c["configurations"]:
        assert x["reachable"] and 0 < x["rate_kg_u_per_month_at_target"]
        # the true maximum, labelled, above the assay at the slowest rate tried
        assert x["max_assay_label"] == "maximum over withdrawal rate"
        assert x["max_assay_wt_pct"] > x["assay_at_slowest_rate_wt_pct"] > 83.7
        assert x["max_assay_rate_kg_u_per_month"] < x["rate_kg_u_per_month_at_target"]
        rng = x["ranges"]
        assert rng["settings_reaching_target"] <= rng["settings"] == 9
        assert rng["max_assay_wt_pct"]["low"] <= x["max_assay_wt_pct"] <= \
            rng["max_assay_wt_pct"]["high"]
    assert late["max_assay_wt_pct"] == seen["max_assay_wt_pct"]     # the same plant file
    detail = feb1.findings[2].detail
    assert "declaration 2 (in force 2022-11-22 to 2023-01-15" in detail
    assert "declaration 5" in detail and "total reflux" not in detail


@pytest.mark.parametrize("as_of", ["2023-01-20", "2022-12-01", "2022-11-16"])
def test_no_findings_before_the_change_is_known(records, as_of):
    assert evaluate(records, "FFEP", d(as_of)).findings == ()


def test_findings_appear_as_records_become_known(records):
    assert [f.rule for f in evaluate(records, "FFEP", d("2023-01-21")).findings] == \
        ["observed-differs-from-declared"]
    assert [f.rule for f in evaluate(records, "FFEP", d("2023-01-31")).findings] == \
        ["observed-differs-from-declared", "late-design-change-declaration"]


def test_jcpoa_rule_set_adds_its_own_findings_only_when_asked(records, feb1):
    with_jcpoa = evaluate(records, "FFEP", d("2023-02-01"), rule_sets=["jcpoa"])
    assert with_jcpoa.findings[:3] == feb1.findings
    assert {f.limit for f in with_jcpoa.findings[3:]} == {"jcpoa-enrichment-level",
                                                          "jcpoa-fordow-no-enrichment"}


def test_as_dict_is_json(feb1):
    out = json.loads(json.dumps(feb1.as_dict()))
    assert out["facility"] == "FFEP" and len(out["findings"]) == 3
    assert out["findings"][1]["consequence"]["effective_from"] == "2023-01-16"


# -- the case-file reader's messages ----------------------------------------------------------
def case_with(tmp_path, text: str):
    for name in ("declared.toml", "observed.toml"):
        shutil.copy(FORDOW / name, tmp_path / name)
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


RECORD = '''
[[records]]
kind = "declaration"
facility = "X"
valid_from = 2022-01-01
known_on = 2022-01-01
source = "test"
'''


@pytest.mark.parametrize(("change", "message"), [
    ('kind = "declaration"', "case.toml records[0].kind = 'decl'"),
    ("known_on = 2022-01-01", "case.toml records[0].known_on = '2022-1-1' is not allowed: "
                              "expected a calendar date YYYY-MM-DD"),
    ('source = "test"', "case.toml records[0]: source is missing: expected a value (required "
                        "key)"),      # the store's shape check (records.read_case_file)
])
def test_case_file_errors_name_the_record(tmp_path, change, message):
    bad = {'kind = "declaration"': 'kind = "decl"', "known_on = 2022-01-01":
           'known_on = "2022-1-1"', 'source = "test"': ""}[change]
    with pytest.raises(InputError) as info:
        case_records(case_with(tmp_path, RECORD.replace(change, bad)))
    assert str(info.value).startswith(message)


def test_case_file_refs_and_plant_files(tmp_path):
    text = (RECORD.replace("[[records]]", '[[records]]\nref = "first"')
            + 'payload = { plant_file = "declared.toml" }\n' + RECORD + 'supersedes = "first"\n')
    records = case_records(case_with(tmp_path, text))
    assert records[1].supersedes == 1 and "[facility]" in records[0].payload["plant"]
    with pytest.raises(InputError, match=r"records\[1\].supersedes = 'nope' is not allowed: "
                                         r"expected the ref of an earlier entry \(first\) or "
                                         r"the id of an earlier record \(1..1\)"):
        case_records(case_with(tmp_path, text.replace('supersedes = "first"',
                                                       'supersedes = "nope"')))
    text = RECORD + 'payload = { plant_file = "missing.toml" }\n'
    with pytest.raises(InputError, match="payload.plant_file = 'missing.toml'"):
        case_records(case_with(tmp_path, text))


def test_the_store_reads_the_same_case_file_and_gives_the_same_findings():
    """The records store's loader and query, when available, give the same three findings."""
    records_pkg = pytest.importorskip("enrichwatch.records")
    try:
        store = records_pkg.RecordStore.open("sqlite://").init()
        stored = records_pkg.load_case_file(store, CASE)
        known = store.known_as_of("FFEP", d("2023-02-01"))
    except (ImportError, AttributeError) as err:      # pragma: no cover - store in progress
        pytest.skip(f"records store not usable yet: {err}")
    assert [r.id for r in stored] == [r.id for r in case_records(CASE)]
    ev = evaluate(known, "FFEP", d("2023-02-01"))
    assert [(f.rule, f.evidence) for f in ev.findings] == [
        ("observed-differs-from-declared", (4, 2)),
        ("late-design-change-declaration", (5, 2, 4)),
        ("assay-above-declared-maximum", (6, 4, 5))]
    early = d("2023-01-20")
    assert evaluate(store.known_as_of("FFEP", early), "FFEP", early).findings == ()

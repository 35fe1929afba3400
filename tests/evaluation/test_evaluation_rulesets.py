"""Rule sets: the schema and its error messages, and the JCPOA set on IAEA-reported figures.

Stockpile figures are rows of shared/reference/iran-stockpile.csv (kg U, as reported).
"""

from __future__ import annotations

import csv
import pickle
from datetime import date

import pytest

from enrichwatch.evaluation import (
    RuleSetError,
    apply_rule_set,
    bundled_rule_sets,
    evaluate,
    load_rule_set,
    parse_rule_set,
)
from enrichwatch.evaluation.limits import values_at
from tests.evaluation.evaluation_helpers import (
    STOCKPILE_CSV,
    Rec,
    d,
    declaration,
    inspection,
    sample,
)

JCPOA = load_rule_set("jcpoa")


def stockpile_row(report_date: str) -> dict:
    with STOCKPILE_CSV.open(newline="", encoding="utf-8") as fh:
        return next(r for r in csv.DictReader(fh) if r["report_date"] == report_date)


def stockpile_record(id: int, report_date: str, facility: str = "IR") -> Rec:
    row = stockpile_row(report_date)
    levels = {k: float(row[f"kg_u_{k}"]) for k in ("le2", "le5", "le20", "le60")
              if row[f"kg_u_{k}"]}
    on = d(report_date if len(report_date) == 10 else report_date + "-01")
    return Rec(id, "stockpile", facility, on, on, None, row["source_url"],
               {"kg_u_by_level": levels, "total_kg_u": float(row["total_kg_u"])})


def limits_hit(findings) -> list[str]:
    return [f.limit for f in findings]


# -- the bundled JCPOA set -------------------------------------------------------------------------
def test_jcpoa_ships_and_every_limit_has_a_citation():
    assert "jcpoa" in bundled_rule_sets()
    assert len(JCPOA.limits) >= 8
    for limit in JCPOA.limits:
        assert "JCPOA" in limit.citation and limit.unit and limit.description
        assert limit.in_force_from == date(2016, 1, 16)


def test_jcpoa_values_from_the_agreement():
    assert JCPOA.limit("jcpoa-enrichment-level").value == 3.67
    assert JCPOA.limit("jcpoa-stockpile-total").value == 202.8
    assert JCPOA.limit("jcpoa-natanz-ir1-enriching").value == 5060
    assert JCPOA.limit("jcpoa-natanz-cascades").value == 30
    assert JCPOA.limit("jcpoa-fordow-machines").value == 1044


def test_stockpile_may_2019_is_within_the_cap():
    recs = [stockpile_record(1, "2019-05-31")]
    assert evaluate(recs, "IR", d("2019-06-01"), rule_sets=[JCPOA]).findings == ()


def test_stockpile_july_2019_is_over_the_cap():
    recs = [stockpile_record(1, "2019-05-31"), stockpile_record(2, "2019-07-10")]
    (f,) = evaluate(recs, "IR", d("2019-07-10"), rule_sets=["jcpoa"]).findings
    assert (f.rule, f.limit, f.evidence) == ("jcpoa", "jcpoa-stockpile-total", (2,))
    assert f.consequence["excess"] == pytest.approx(213.5 - 202.8)
    assert "para 56" in f.citation and f.as_dict()["citation"] == f.citation


def test_only_the_latest_stockpile_is_checked():
    recs = [stockpile_record(1, "2019-07-10"), stockpile_record(2, "2019-05-31")]
    # record 2 is older in valid time: the latest (July) is the state on 1 Aug
    assert limits_hit(apply_rule_set(JCPOA, recs, d("2019-08-01"))) == ["jcpoa-stockpile-total"]
    assert apply_rule_set(JCPOA, recs, d("2019-06-01")) == []


def test_stockpile_with_60pct_material_breaks_two_limits():
    recs = [stockpile_record(1, "2021-05-31")]
    hits = apply_rule_set(JCPOA, recs, d("2021-06-01"))
    assert limits_hit(hits) == ["jcpoa-stockpile-total", "jcpoa-stockpile-above-3.67"]
    assert hits[1].consequence["value"] == 62.8     # the worst level: 62.8 kg U up to 20 %


def test_enrichment_to_4_5_pct_is_a_finding():
    """Aug 2019 (IAEA, per the CSV note): enriching up to 4.5 %."""
    recs = [inspection(1, "2019-08-19", measurements=[3.6, 4.5], facility="FEP"),
            sample(2, "2019-08-19", "2019-08-30", 3.5, facility="FEP")]
    (f,) = evaluate(recs, "FEP", d("2019-08-30"), rule_sets=[JCPOA]).findings
    assert f.limit == "jcpoa-enrichment-level" and f.consequence["path"] == \
        "measurements[1].value_pct"


def test_installed_machines_at_natanz():
    ok = Rec(1, "installed_machines", "FEP", d("2018-05-01"), d("2018-05-24"), None, "IAEA",
             {"machines": {"IR-1": 5060}, "enriching": {"IR-1": 5060}, "cascades": 30})
    assert apply_rule_set(JCPOA, [ok], d("2018-06-01")) == []
    over = Rec(2, "installed_machines", "FEP", d("2021-04-01"), d("2021-04-10"), None, "IAEA",
               {"machines": {"IR-1": 6084, "IR-2m": 1044}, "enriching": {"IR-1": 6084,
                                                                        "IR-2m": 696},
                "cascades": 36})
    assert limits_hit(apply_rule_set(JCPOA, [ok, over], d("2021-05-01"))) == [
        "jcpoa-natanz-ir1-enriching", "jcpoa-natanz-cascades", "jcpoa-natanz-only-ir1"]


def test_fordow_limits_sum_over_machine_types():
    rec = Rec(1, "installed_machines", "FFEP", d("2022-11-22"), d("2022-11-22"), None, "IAEA",
              {"machines": {"IR-1": 1044, "IR-6": 332}, "enriching": {"IR-1": 0, "IR-6": 332},
               "cascades": 8})
    hits = apply_rule_set(JCPOA, [rec], d("2023-01-01"))
    assert limits_hit(hits) == ["jcpoa-fordow-no-enriching-machines", "jcpoa-fordow-machines"]
    assert hits[0].consequence["unit"] == "machines" and " or " not in hits[0].title
    assert hits[1].consequence["value"] == 1376


def test_limits_apply_only_in_their_window():
    before = Rec(1, "stockpile", "IR", d("2015-12-01"), d("2015-12-01"), None, "",
                 {"kg_u_by_level": {}, "total_kg_u": 8000.0})
    after = Rec(2, "stockpile", "IR", d("2031-02-01"), d("2031-02-01"), None, "",
                {"kg_u_by_level": {}, "total_kg_u": 8000.0})
    assert apply_rule_set(JCPOA, [before], d("2016-01-01")) == []
    assert apply_rule_set(JCPOA, [after], d("2031-03-01")) == []


def test_rule_sets_are_opt_in():
    recs = [declaration(1, "2022-01-01", "2022-01-01", max_pct=60.0, facility="FFEP")]
    assert evaluate(recs, "FFEP", d("2022-02-01")).findings == ()
    hits = evaluate(recs, "FFEP", d("2022-02-01"), rule_sets=[JCPOA]).findings
    assert limits_hit(hits) == ["jcpoa-enrichment-level", "jcpoa-fordow-no-enrichment"]


def test_values_at_paths():
    payload = {"measurements": [{"value_pct": 3.5}, {"value_pct": None}, {"other": 1}],
               "machines": {"IR-1": 10, "IR-6": 2}, "flag": True}
    assert values_at(payload, "measurements[].value_pct") == [("measurements[0].value_pct",
                                                               3.5)]
    assert values_at(payload, "machines.*") == [("machines.IR-1", 10.0), ("machines.IR-6", 2.0)]
    assert values_at(payload, "machines.IR-8") == []
    assert values_at(payload, "flag") == []


# -- the schema and its messages -----------------------------------------------------------------
HEADER = '[rule_set]\nid = "t"\ntitle = "Test"\nsource = "test"\n'
GOOD_LIMIT = '''
[[limits]]
id = "cap"
description = "A cap"
applies_to = { kind = "stockpile", path = "total_kg_u" }
comparison = "<="
value = 10.0
unit = "kg U"
citation = "Test doc para 1"
'''


def problems(text: str) -> list[str]:
    with pytest.raises(RuleSetError) as info:
        parse_rule_set(text, "t.toml")
    assert isinstance(info.value, ValueError)
    return [str(p) for p in info.value.problems]


def test_minimal_rule_set_loads_with_defaults():
    rs = parse_rule_set(HEADER + GOOD_LIMIT, "t.toml")
    (limit,) = rs.limits
    assert limit.severity == "high" and limit.in_force_from is None
    assert limit.satisfied_by(10.0) and not limit.satisfied_by(10.5)


@pytest.mark.parametrize(("change", "message"), [
    ('comparison = "<="', "t.toml: limits[0].comparison = '=<': expected one of <=, <, >=, >, =="),
    ('value = 10.0', "t.toml: limits[0].value = '10': expected a number (the limit)"),
    ('citation = "Test doc para 1"', "t.toml: limits[0].citation is missing: expected the "
                                     "document and paragraph the limit comes from"),
    ('applies_to = { kind = "stockpile", path = "total_kg_u" }',
     "t.toml: limits[0].applies_to.kind = 'stock': expected one of declaration, inspection, "
     "sample, stockpile, installed_machines"),
])
def test_one_problem_one_clear_message(change, message):
    bad = {'comparison = "<="': 'comparison = "=<"', 'value = 10.0': 'value = "10"',
           'citation = "Test doc para 1"': '',
           'applies_to = { kind = "stockpile", path = "total_kg_u" }':
           'applies_to = { kind = "stock", path = "total_kg_u" }'}[change]
    assert problems(HEADER + GOOD_LIMIT.replace(change, bad)) == [message]


def test_every_problem_is_reported_at_once():
    text = ('[rule_set]\nid = "t"\ntitle = ""\n' + GOOD_LIMIT
            .replace('path = "total_kg_u"', 'path = "total_kgu"')
            .replace('unit = "kg U"', 'unit = "kg U"\nseverity = "critical"\nwhen = 1')
            + GOOD_LIMIT)
    found = problems(text)
    assert found == [
        "t.toml: rule_set.title = '': expected a non-empty title string",
        "t.toml: rule_set.source is missing: expected a non-empty source string",
        "t.toml: limits[0].when = 1: expected one of the keys id, description, applies_to, "
        "comparison, value, unit, citation, severity, in_force, note",
        "t.toml: limits[0].applies_to.path = 'total_kgu': expected a path into a stockpile "
        "payload starting with one of kg_u_by_level, total_kg_u",
        "t.toml: limits[0].severity = 'critical': expected one of high, medium, low, info",
        "t.toml: limits[1].id = 'cap': expected a limit id not used earlier in the file",
    ]


def test_duplicate_ids_bad_paths_and_windows():
    second = (GOOD_LIMIT.replace('path = "total_kg_u"', 'path = "kg_u_by_level..le5"')
              .replace('citation = "Test doc para 1"', 'citation = "x"\n'
                       'in_force = { from = 2020-01-01, until = 2019-01-01 }'))
    third = GOOD_LIMIT.replace('value = 10.0', 'value = 1.0\n'
                               'in_force = { from = "2020-01-01" }')
    found = problems(HEADER + GOOD_LIMIT + second + third)
    assert any("limits[1].applies_to.path = 'kg_u_by_level..le5'" in p for p in found)
    assert any("limits[1].in_force.until = datetime.date(2019, 1, 1): expected a date after"
               in p for p in found)
    assert any("limits[2].in_force.from = '2020-01-01': expected a TOML date" in p
               for p in found)
    assert any("limits[2].id = 'cap': expected a limit id not used earlier" in p for p in found)


def test_missing_sections_and_bad_toml():
    assert problems("") == [
        "t.toml: rule_set is missing: expected a [rule_set] table with id, title and source",
        "t.toml: limits is missing: expected an array of [[limits]] tables (at least one)"]
    (msg,) = problems("[rule_set\n")
    assert msg.startswith("t.toml: line 1, column ") and "valid TOML" in msg


def test_applies_to_as_a_list_and_aggregate():
    text = HEADER + GOOD_LIMIT.replace(
        'applies_to = { kind = "stockpile", path = "total_kg_u" }',
        'applies_to = [{ kind = "stockpile", path = "kg_u_by_level.*", aggregate = "sum" },'
        ' { kind = "sample", path = "max_u235_pct", aggregate = "mean" }]')
    assert problems(text) == ["t.toml: limits[0].applies_to[1].aggregate = 'mean': expected "
                              "'sum' (or no aggregate: each value is compared)"]


def test_unknown_bundled_name_and_missing_file(tmp_path):
    with pytest.raises(RuleSetError, match="a bundled rule set"):
        load_rule_set("jcpoa2")
    with pytest.raises(RuleSetError, match="a readable UTF-8 file"):
        load_rule_set(tmp_path / "none.toml")
    path = tmp_path / "mine.toml"
    path.write_text(HEADER + GOOD_LIMIT, encoding="utf-8")
    assert load_rule_set(path).origin == str(path)


def test_rule_set_error_pickles():
    with pytest.raises(RuleSetError) as info:
        parse_rule_set("", "t.toml")
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value)

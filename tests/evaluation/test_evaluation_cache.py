"""The disk cache of an evaluation's consequences (:mod:`enrichwatch.evaluation.cache`): a
repeated evaluation reads its answers (and solves nothing), gives exactly the output of a fresh
one, and treats every entry as untrusted input.

Small synthetic records on the tiny test plant: rule 1 (a changed feed stage), rule 2 (a late
declaration) and rule 3 (a sample above the declared maximum, with a stated history run through
the transient model), so that every kind of answer is asked for.
"""

from __future__ import annotations

import json
import math
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.evaluation import evaluate
from enrichwatch.evaluation.cache import REQUIRED, ConsequenceCache
from enrichwatch.physics import network as network_module
from enrichwatch.physics.machines import load_catalog
from tests.evaluation.evaluation_helpers import d, declaration, inspection, plant, sample
from tests.evaluation.test_evaluation_transients import HELD_BACK

AS_OF = d("2022-03-01")


def records():
    first = declaration(1, "2022-01-01", "2022-01-01", max_pct=10.0)
    first.payload["histories"] = [{"file": "held-back.toml", "text": HELD_BACK}]
    late = declaration(5, "2022-02-10", "2022-02-15", declared_on="2022-02-15", max_pct=10.0)
    return [first, inspection(2, "2022-02-01", observed=plant(feed_stage=4)),
            sample(3, "2022-02-01", "2022-02-05", 20.0, inspection_id=2), late]


def run(cache=None, catalog=None):
    return evaluate(records(), "X", AS_OF, cache=cache, catalog=catalog).as_dict()


@pytest.fixture(scope="module")
def fresh():
    """The evaluation without a cache: what every cached evaluation must give exactly."""
    return run()


def no_solves(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("a steady state was solved")
    monkeypatch.setattr(network_module.Network, "_solve", refuse)


def test_every_kind_of_answer_is_asked_for(fresh):
    rules = [f["rule"] for f in fresh["findings"]]
    assert rules == ["observed-differs-from-declared", "late-design-change-declaration",
                     "assay-above-declared-maximum"]
    assert fresh["findings"][2]["consequence"]["transients"]


def test_a_repeated_evaluation_reads_every_answer_and_solves_nothing(tmp_path, fresh,
                                                                     monkeypatch):
    first = ConsequenceCache(tmp_path)
    assert run(first) == fresh
    assert first.counts["hit"] == 0 and first.counts["uncached"] == 0
    kinds = {p.name.split("-")[0] for p in first.entries()}
    assert kinds == set(REQUIRED)
    no_solves(monkeypatch)
    again = ConsequenceCache(tmp_path)                   # a new process, say
    assert run(again) == fresh
    assert again.counts["miss"] == again.counts["written"] == 0
    assert again.counts["hit"] == first.counts["written"]


def test_the_output_of_a_hit_is_the_output_of_a_computation_byte_for_byte(tmp_path, fresh):
    run(ConsequenceCache(tmp_path))
    cached = run(ConsequenceCache(tmp_path))
    assert json.dumps(cached, default=str) == json.dumps(fresh, default=str)


def test_without_a_cache_nothing_is_written(tmp_path, fresh, monkeypatch):
    monkeypatch.setenv("ENRICHWATCH_CACHE_DIR", str(tmp_path))
    run()
    assert not any(tmp_path.rglob("*.json"))


def test_another_catalog_is_not_cached(tmp_path, fresh):
    cache = ConsequenceCache(tmp_path)
    assert run(cache, catalog=load_catalog()) == fresh
    assert cache.entries() == [] and sum(cache.counts.values()) == 0


def test_another_plant_text_is_another_key(tmp_path):
    cache = ConsequenceCache(tmp_path)
    calls = []

    def compute(value):
        return lambda: calls.append(value) or {"reach": None, "ranges": value}
    a = cache.answer("reach", {"plant": plant(), "assay_wt_pct": 20.0}, compute(1))
    b = cache.answer("reach", {"plant": plant(rate=21.0), "assay_wt_pct": 20.0}, compute(2))
    c = ConsequenceCache(tmp_path).answer("reach", {"plant": plant(), "assay_wt_pct": 20.0},
                                          compute(3))
    assert (a["ranges"], b["ranges"], c["ranges"], calls) == (1, 2, 1, [1, 2])


# -- an entry is untrusted input --------------------------------------------------------------
def _tamper(cache: ConsequenceCache, kind: str, change) -> None:
    (path,) = [p for p in cache.entries() if p.name.startswith(kind + "-")][:1]
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize("kind,change", [
    ("plant", lambda doc: doc["value"].pop("summary")),                  # layout of its kind
    ("reach", lambda doc: doc.update(value=[1, 2, 3])),                  # not an answer
    ("ranges", lambda doc: doc.update(kind="plant")),                    # a foreign entry
    ("transient", lambda doc: doc.update(key="0" * 64)),                 # copied under a name
    ("comparison", lambda doc: doc.update(format=99)),                   # another format
])
def test_a_tampered_entry_is_a_miss_and_the_answer_is_computed_again(tmp_path, fresh, kind,
                                                                     change):
    run(ConsequenceCache(tmp_path))
    _tamper(ConsequenceCache(tmp_path), kind, change)
    again = ConsequenceCache(tmp_path)
    assert run(again) == fresh
    assert again.counts["rejected"] >= 1 and again.counts["written"] == again.counts["rejected"]


def test_an_entry_holding_what_json_cannot_be_read_from_is_refused(tmp_path, fresh):
    run(ConsequenceCache(tmp_path))
    path = next(p for p in ConsequenceCache(tmp_path).entries() if p.name.startswith("plant-"))
    path.write_text(path.read_text().replace('"summary":', '"summary":NaN,"x":', 1))
    again = ConsequenceCache(tmp_path)
    assert run(again) == fresh and again.counts["rejected"] == 1


def test_a_symlinked_entry_is_refused(tmp_path, fresh):
    run(ConsequenceCache(tmp_path))
    path = next(p for p in ConsequenceCache(tmp_path).entries() if p.name.startswith("plant-"))
    target = tmp_path / "elsewhere.json"
    target.write_bytes(path.read_bytes())
    path.unlink()
    os.symlink(target, path)
    again = ConsequenceCache(tmp_path)
    assert run(again) == fresh and again.counts["rejected"] == 1


def test_a_value_json_cannot_hold_exactly_is_computed_and_not_kept(tmp_path):
    cache = ConsequenceCache(tmp_path)
    value = {"reach": (1.0, 2.0), "ranges": None}             # a tuple would come back a list
    assert cache.answer("reach", {"x": 1}, lambda: value) is value
    assert cache.entries() == [] and cache.counts["uncached"] == 1


def test_answers_are_fresh_copies(tmp_path):
    cache = ConsequenceCache(tmp_path)
    first = cache.answer("reach", {"x": 1}, lambda: {"reach": None, "ranges": {"n": 1.0}})
    first["ranges"]["n"] = -1.0
    again = cache.answer("reach", {"x": 1}, lambda: {"reach": None, "ranges": {"n": 9.0}})
    assert again["ranges"]["n"] == 1.0


def test_an_unwritable_folder_only_means_nothing_is_kept(tmp_path, fresh):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ConsequenceCache(blocker)
    assert run(cache) == fresh
    assert cache.counts["written"] == 0 and cache.counts["unwritten"] >= 1


# -- invariant: what is kept reads back exactly; what JSON cannot hold exactly is not kept -----
_SCALARS = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.text(max_size=8)
            | st.floats(allow_nan=True, allow_infinity=True))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.tuples(inner) | st.dictionaries(st.text(max_size=4), inner,
                                                           max_size=4), max_leaves=12)


def _exact(value) -> bool:
    """Whether JSON holds ``value`` exactly (no tuple, NaN or -inf anywhere)."""
    if isinstance(value, float):
        return not (math.isnan(value) or value == -math.inf)
    if isinstance(value, tuple):
        return False
    if isinstance(value, list):
        return all(_exact(v) for v in value)
    if isinstance(value, dict):
        return all(_exact(v) for v in value.values())
    return True


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_VALUES)
def test_a_kept_answer_reads_back_exactly_and_an_inexact_one_is_not_kept(tmp_path_factory,
                                                                         value):
    folder = tmp_path_factory.mktemp("c")
    answer = {"reach": value, "ranges": None}
    assert ConsequenceCache(folder).answer("reach", {"v": 1}, lambda: answer) is answer
    again = ConsequenceCache(folder)
    got = again.answer("reach", {"v": 1}, lambda: {"reach": "computed", "ranges": None})
    if _exact(value):
        assert again.counts["hit"] == 1 and repr(got) == repr(answer)
    else:
        assert again.counts["hit"] == 0 and got["reach"] == "computed"

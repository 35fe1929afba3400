"""The breakout cache (issue 14): same answers with and without it, new keys for new inputs,
and every corrupt, foreign or tampered entry read as a miss, never a crash."""

import dataclasses
import json
import math
import os
import shutil
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.breakout import BreakoutState, Stock, monte_carlo, plan_breakout
from enrichwatch.breakout.cache import (
    CACHE_FORMAT,
    EntryError,
    ResultCache,
    active_cache,
    cache_directory,
    memoised,
    number,
    using_cache,
)
from enrichwatch.breakout.catalog import bundled_catalog
from enrichwatch.breakout.planner import lower_bound
from enrichwatch.physics.machines import load_catalog
from tests.breakout.breakout_helpers import W, group


def _dump(plan) -> str:
    return json.dumps(plan.as_dict(), sort_keys=True)


def _cached(fn, folder, log=None):
    """``fn()`` with a fresh ResultCache on ``folder`` (as a new process would have)."""
    cache = ResultCache(folder, log=log)
    with using_cache(cache):
        return fn(), cache


def _entries(folder, kind):
    return sorted((Path(folder) / "breakout").glob(f"{kind}-*.json"))


def _edit(path, change):
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


@pytest.fixture(scope="module")
def small():
    """87.5 kg U of 60 % and two IR-6 cascades: quick to plan."""
    return BreakoutState("small", (Stock(W(60.0), 87.5, 0.02),), (group("A", count=2),))


def test_folder_from_the_environment(tmp_path):
    assert cache_directory({"ENRICHWATCH_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert cache_directory({"XDG_CACHE_HOME": "/x"}) == Path("/x/enrichwatch")
    home = cache_directory({"XDG_CACHE_HOME": "relative/path"})     # ignored (XDG spec)
    assert home is None or home.parts[-2:] == (".cache", "enrichwatch")
    assert cache_directory() == Path(os.environ["ENRICHWATCH_CACHE_DIR"])   # the suite's own


def test_the_library_caches_nothing_unless_asked(small):
    folder = Path(os.environ["ENRICHWATCH_CACHE_DIR"])
    assert active_cache() is None
    plan_breakout(small)
    assert not (folder / "breakout").exists()


@pytest.mark.parametrize("model", ["repiped", "as-built"])
def test_same_plan_with_and_without_the_cache(feb_2023, model, tmp_path):
    plain = _dump(plan_breakout(feb_2023, 2, model=model))
    cold, first = _cached(lambda: plan_breakout(feb_2023, 2, model=model), tmp_path)
    warm, again = _cached(lambda: plan_breakout(feb_2023, 2, model=model), tmp_path)
    assert _dump(cold) == _dump(warm) == plain                 # bit-identical JSON
    assert first.counts["written"] >= 4 and first.counts["hit"] == 0
    assert again.counts["hit"] == first.counts["written"]
    assert again.counts["miss"] == again.counts["rejected"] == again.counts["written"] == 0


def test_same_monte_carlo_with_and_without_the_cache(small, tmp_path):
    plain = monte_carlo(small, samples=400, seed=5, chunk_size=100)
    for _ in range(2):                                          # cold, then warm
        dist, _ = _cached(lambda: monte_carlo(small, samples=400, seed=5, chunk_size=100),
                          tmp_path)
        assert np.array_equal(dist.days, plain.days)
        assert dist.as_dict() == plain.as_dict()
    assert len(_entries(tmp_path, "rates")) == 3                # low, nominal, high rating


def test_the_bundled_catalog_round_trips(tmp_path):
    for _ in range(2):
        catalog, cache = _cached(bundled_catalog, tmp_path)
        assert catalog == load_catalog()
        assert [m.name for m in catalog] == list(load_catalog().names)
    assert cache.counts["hit"] == 1


def test_changed_plant_or_machine_gets_new_entries(small, tmp_path):
    _cached(lambda: plan_breakout(small), tmp_path)
    more_stock = dataclasses.replace(small, stocks=(Stock(W(60.0), 95.0, 0.02),))
    plan, cache = _cached(lambda: plan_breakout(more_stock), tmp_path)
    assert _dump(plan) == _dump(plan_breakout(more_stock))
    assert len(_entries(tmp_path, "rates")) == 1               # rates: same ladder, same machines
    assert cache.counts["miss"] >= 2                            # the schedules are new
    ir6 = small.cascades[0].machine
    for changed in (group("A", count=2, machines=150),
                    dataclasses.replace(small.cascades[0], machine=ir6.with_separative_power(5.5)),
                    dataclasses.replace(small.cascades[0],
                                        machine=dataclasses.replace(ir6, design_cut=0.45))):
        other = dataclasses.replace(small, cascades=(changed,))
        n_rates = len(_entries(tmp_path, "rates"))
        plan, _ = _cached(lambda o=other: plan_breakout(o), tmp_path)
        assert _dump(plan) == _dump(plan_breakout(other))
        assert len(_entries(tmp_path, "rates")) == n_rates + 1


def test_a_changed_catalog_file_is_another_key(tmp_path, monkeypatch):
    _cached(bundled_catalog, tmp_path)
    import enrichwatch.breakout.catalog as module

    text = module.read_package_text("machines.toml")
    monkeypatch.setattr(module, "read_package_text", lambda *_: text + "\n# edited\n")
    _, cache = _cached(bundled_catalog, tmp_path)
    assert cache.counts["hit"] == 0 and len(_entries(tmp_path, "catalog")) == 2


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _times(key, factor):
    def change(doc):
        rows = doc["value"]
        for row in rows:
            for rate in row:
                rate[key] *= factor
    return change


def _program_faster(doc):
    doc["value"]["durations"] = [0.9 * d for d in doc["value"]["durations"]]
    doc["value"]["days"] = sum(doc["value"]["durations"])


def _catalog_rating(doc):
    for m in doc["value"]["machines"]:
        m["nominal_swu_per_yr"] *= 2.0


def _catalog_feed(doc):
    for m in doc["value"]["machines"]:
        if m["geometry"] is not None:
            m["design_feed_kg_per_yr"] *= 1.01


CORRUPTIONS = {
    "truncated": ("rates", _truncate),
    "empty": ("program", lambda p: p.write_bytes(b"")),
    "binary garbage": ("bound", lambda p: p.write_bytes(bytes(range(256)) * 4)),
    "not an entry": ("rates", lambda p: p.write_text("[]")),
    "deeply nested": ("program", lambda p: p.write_text("[" * 100_000 + "]" * 100_000)),
    "NaN": ("rates", lambda p: _edit(p, lambda d: d["value"][0][0].update(feed=math.nan))),
    "another key": ("rates", lambda p: _edit(p, lambda d: d.update(key="0" * 64))),
    "another format": ("bound", lambda p: _edit(p, lambda d: d.update(format=CACHE_FORMAT + 1))),
    "another kind": ("bound", lambda p: _edit(p, lambda d: d.update(kind="rates"))),
    "product inflated": ("rates", lambda p: _edit(p, _times("product", 1.2))),
    "work inflated": ("rates", lambda p: _edit(p, _times("work", 3.0))),
    "all flows doubled": ("rates", lambda p: _edit(p, lambda d: [_times(k, 2.0)(d) for k in
                                                                 ("feed", "product", "tails",
                                                                  "work")])),
    "schedule shortened": ("program", lambda p: _edit(p, _program_faster)),
    "more cascades": ("program", lambda p: _edit(p, lambda d: d["value"].update(
        allocation=(np.asarray(d["value"]["allocation"]) * 3).tolist()))),
    "negative feed in the bound": ("bound", lambda p: _edit(p, lambda d: d["value"].update(
        feed_kg=[-1.0 for _ in d["value"]["feed_kg"]]))),
    "catalog rating doubled": ("catalog", lambda p: _edit(p, _catalog_rating)),
    "catalog design feed moved": ("catalog", lambda p: _edit(p, _catalog_feed)),
    "design check with a stray key": ("design", lambda p: _edit(p, lambda d: d["value"].update(
        x=1))),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, feb_2023):
    """A cache folder filled by one plan of the February 2023 state (as built: every kind of
    entry), and that plan without a cache."""
    folder = tmp_path_factory.mktemp("pristine")
    from enrichwatch.breakout import load_state

    def run():
        state = load_state(Path(__file__).parents[2] / "examples/breakout/feb-2023.toml")
        return plan_breakout(state, model="as-built")

    plan, _ = _cached(run, folder)
    return folder, _dump(plan), run


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_a_corrupt_or_tampered_entry_is_a_miss(pristine, name, tmp_path):
    folder, expected, run = pristine
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    kind, corrupt = CORRUPTIONS[name]
    for path in _entries(tmp_path, kind):
        corrupt(path)
    said = []
    plan, cache = _cached(run, tmp_path, log=said.append)
    assert _dump(plan) == expected
    assert cache.counts["rejected"] >= 1
    assert any("ignored" in line for line in said)
    again, cache = _cached(run, tmp_path)                       # rewritten: read cleanly
    assert _dump(again) == expected and cache.counts["rejected"] == 0


def test_a_foreign_entry_under_another_name_is_a_miss(pristine, tmp_path):
    folder, expected, run = pristine
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    first, second = _entries(tmp_path, "program")
    a, b = first.read_bytes(), second.read_bytes()
    first.write_bytes(b)
    second.write_bytes(a)
    plan, cache = _cached(run, tmp_path)
    assert _dump(plan) == expected and cache.counts["rejected"] == 2


def test_symlinked_entries_are_refused_and_never_written_through(pristine, tmp_path):
    folder, expected, run = pristine
    shutil.copytree(folder, tmp_path / "c", dirs_exist_ok=True)
    target = tmp_path / "elsewhere.json"
    entry = _entries(tmp_path / "c", "rates")[0]
    shutil.move(entry, target)
    entry.symlink_to(target)
    before = target.read_bytes()
    plan, cache = _cached(run, tmp_path / "c")
    assert _dump(plan) == expected
    assert cache.counts["rejected"] == 1 and cache.counts["unwritten"] == 1
    assert entry.is_symlink() and target.read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="changing a file's owner needs root")
def test_an_entry_of_another_user_is_refused(pristine, tmp_path):
    folder, expected, run = pristine
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    os.chown(_entries(tmp_path, "bound")[0], 12345, -1)
    plan, cache = _cached(run, tmp_path)
    assert _dump(plan) == expected and cache.counts["rejected"] == 1


def test_an_unusable_folder_only_means_nothing_is_kept(small, tmp_path):
    expected = _dump(plan_breakout(small))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for folder in (blocker, blocker / "below"):
        plan, cache = _cached(lambda: plan_breakout(small), folder)
        assert _dump(plan) == expected
        assert cache.counts["written"] == 0 and cache.counts["unwritten"] >= 1
    missing = tmp_path / "new" / "deeper"
    _cached(lambda: plan_breakout(small), missing)
    assert (missing / "breakout").stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_a_read_only_folder_is_read_but_not_written(small, tmp_path):
    expected = _dump(plan_breakout(small))
    _cached(lambda: plan_breakout(small), tmp_path)
    (tmp_path / "breakout").chmod(0o500)
    try:
        for path in _entries(tmp_path, "program"):
            path.chmod(0o600)
        plan, cache = _cached(lambda: plan_breakout(small), tmp_path)
        assert _dump(plan) == expected and cache.counts["hit"] >= 1
    finally:
        (tmp_path / "breakout").chmod(0o700)


def test_clear_removes_only_entries(small, tmp_path):
    _, cache = _cached(lambda: plan_breakout(small), tmp_path)
    keep = tmp_path / "breakout" / "notes.txt"
    keep.write_text("mine")
    (tmp_path / "breakout" / (".rates-" + "a" * 64 + ".json.x1.tmp")).write_text("{")
    n = len(cache.entries())
    assert n == cache.counts["written"] + 1
    assert ResultCache(tmp_path).clear() == n
    assert keep.exists() and ResultCache(tmp_path).entries() == []


def test_concurrent_writers_leave_whole_entries(tmp_path):
    doc = {"values": list(np.linspace(0.0, 1.0, 5000))}
    errors = []

    def hammer():
        try:
            for _ in range(20):
                cache = ResultCache(tmp_path)
                cache.store("demo", "b" * 64, doc, doc)
                got = ResultCache(tmp_path).load("demo", "b" * 64, lambda d: d)
                assert got is None or got == doc
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=hammer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ResultCache(tmp_path).load("demo", "b" * 64, lambda d: d) == doc
    assert [p.name for p in (tmp_path / "breakout").iterdir()] == ["demo-" + "b" * 64 + ".json"]


def test_memoised_keys_by_material_and_checks_what_it_reads(tmp_path):
    calls = []

    def value(x):
        return memoised("demo", lambda: {"x": x}, lambda: calls.append(x) or 2.0 * x,
                        lambda v: {"v": v}, lambda d: number(d["v"], 0.0))

    for _ in range(2):
        out, _ = _cached(lambda: [value(1.0), value(2.0), value(1.0)], tmp_path)
        assert out == [2.0, 4.0, 2.0]
    assert calls == [1.0, 2.0]
    with pytest.raises(EntryError):
        number(float("nan"))
    with pytest.raises(EntryError):
        number(math.inf)
    assert number(math.inf, allow_inf=True) == math.inf


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["rates", "program", "bound", "catalog", "design"]),
       where=st.floats(0.0, 1.0), byte=st.integers(0, 255))
def test_a_flipped_byte_never_crashes_nor_beats_the_physics(pristine, feb_2023, kind, where,
                                                            byte):
    """Whatever byte of an entry is changed, the plan runs, and it never finishes before the
    ideal-SWU lower bound computed without the cache."""
    folder, expected, run = pristine
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(folder, tmp, dirs_exist_ok=True)
        path = _entries(tmp, kind)[0]
        data = bytearray(path.read_bytes())
        data[min(int(where * len(data)), len(data) - 1)] = byte
        path.write_bytes(bytes(data))
        plan, _ = _cached(run, tmp)
    bound = lower_bound(feb_2023, plan.target_kg_u).days
    assert plan.days_to_first_sq >= bound * (1 - 1e-9)

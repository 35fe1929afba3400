"""The chunk runner: chunk sizes, order, progress with a true total, locally and on Dask."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrichwatch.detection.distribution import run_chunk
from enrichwatch.detection.processes import Activity
from enrichwatch.errors import InputError
from enrichwatch.parallel import RecordedProgress, chunk_sizes, run_chunks


def _draws(payload, seed, index, size):
    """A chunk as the simulations do it: its own stream, from (seed, index)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    return payload["scale"] * rng.standard_normal(size)


def _fails_on_second(payload, seed, index, size):
    if index == 1:
        raise ValueError("chunk 1 failed")
    return index


@given(st.integers(1, 10_000), st.integers(1, 2_000))
def test_chunks_cover_the_total(total, chunk):
    sizes = chunk_sizes(total, chunk)
    assert sum(sizes) == total and all(0 < s <= chunk for s in sizes)
    assert sizes[:-1] == [chunk] * (len(sizes) - 1)


@pytest.mark.parametrize(("total", "chunk", "name"), [(0, 10, "total"), (10, 0, "chunk_size"),
                                                      (True, 10, "total"), (2.5, 1, "total")])
def test_bad_counts_are_named(total, chunk, name):
    with pytest.raises(InputError, match=name):
        chunk_sizes(total, chunk)


def test_local_chunks_in_order_and_the_count_ends_at_the_total():
    rec = RecordedProgress()
    parts, backend = run_chunks(_draws, {"scale": 2.0}, seed=5, total=2500, chunk_size=1000,
                                progress=rec, what="samples")
    assert backend == "local" and [p.size for p in parts] == [1000, 1000, 500]
    assert rec.phases == (("samples", 2500, 2500),)
    assert rec.events == [("start", 2500, "samples"), ("advance", 1000), ("advance", 1000),
                          ("advance", 500), ("close",)]
    again, _ = run_chunks(_draws, {"scale": 2.0}, seed=5, total=2500, chunk_size=1000)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again, strict=True))


def test_a_failing_chunk_closes_the_phase_and_raises():
    rec = RecordedProgress()
    with pytest.raises(ValueError, match="chunk 1"):
        run_chunks(_fails_on_second, None, seed=0, total=30, chunk_size=10, progress=rec)
    assert rec.events[-1] == ("close",) and rec.phases == (("samples", 30, 10),)


def test_the_earlier_callable_hears_chunks():
    calls = []
    run_chunks(_draws, {"scale": 1.0}, seed=0, total=25, chunk_size=10,
               progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_dask_gives_the_local_result_and_the_same_count(local_cluster):
    """A task the workers can import (they do not have tests/): the detection sampler."""
    _, client = local_cluster
    acts = (Activity("visits", "random", 365.25 / 12, 0.5),)
    local, _ = run_chunks(run_chunk, acts, seed=11, total=4100, chunk_size=1000)
    rec = RecordedProgress()
    remote, backend = run_chunks(run_chunk, acts, seed=11, total=4100, chunk_size=1000,
                                 client=client, progress=rec, what="samples")
    assert backend.startswith("tcp://")
    assert all(np.array_equal(a, b) for a, b in zip(local, remote, strict=True))
    assert rec.phases == (("samples", 4100, 4100),)
    assert sorted(e[1] for e in rec.events if e[0] == "advance") == [100, 1000, 1000, 1000,
                                                                     1000]
    assert rec.events[0][0] == "start" and rec.events[-1] == ("close",)

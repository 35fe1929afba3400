"""The chunk runner of the Monte Carlo simulations: chunks run here or on a Dask cluster.

A simulation of ``total`` samples is cut into chunks of ``chunk_size`` (the last one shorter);
chunk ``i`` is ``task(payload, seed, i, size)``, which draws from its own random stream (e.g.
``SeedSequence(seed, spawn_key=(i,))``), so that the results depend on ``seed`` and
``chunk_size`` only, not on where or in which order the chunks run. With ``address`` (or a
``client``) the chunks are mapped over a ``distributed.Client`` (``payload`` is sent once to
every worker) and gathered in chunk order: bit-identical to the local run.

Progress: one phase of ``total`` units named ``what``; each chunk advances it by its size when
it is done (on Dask, in the order the chunks complete).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..errors import InputError
from .progress import Progress, ProgressLike, as_progress

__all__ = ["chunk_sizes", "run_chunks"]

T = TypeVar("T")
P = TypeVar("P")


def _whole(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(name, value, "a whole number >= 1")
    return value


def chunk_sizes(total: int, chunk_size: int) -> list[int]:
    """Sizes of the chunks of ``total`` samples: ``chunk_size`` each, the last the rest.

    >>> chunk_sizes(2500, 1000)
    [1000, 1000, 500]
    """
    total, chunk_size = _whole("total", total), _whole("chunk_size", chunk_size)
    return [chunk_size] * (total // chunk_size) + ([total % chunk_size]
                                                   if total % chunk_size else [])


def run_chunks(task: Callable[[P, int, int, int], T], payload: P, *, seed: int, total: int,
               chunk_size: int, address: str | None = None, client=None,
               progress: ProgressLike = None,
               what: str = "samples") -> tuple[list[T], str]:
    """Run ``task`` over the chunks of ``total`` samples (see the module docstring).

    Parameters
    ----------
    task : callable
        ``task(payload, seed, index, size)``: one chunk (a module-level function, so that Dask
        can send it).
    payload : object
        What every chunk needs (picklable).
    seed, total, chunk_size : int
    address : str, optional
        A Dask scheduler (``tcp://host:8786``): run the chunks there (a client is opened and
        closed here).
    client : distributed.Client, optional
        An existing client instead of ``address`` (left open).
    progress : Progress or callable, optional
        Told ``start(total, what)``, ``advance(size)`` per finished chunk and ``close()``. A
        plain callable ``progress(done, total)`` (the earlier interface) is called after each
        chunk with counts of chunks.
    what : str
        The unit of ``total``, for the progress.

    Returns
    -------
    parts : list
        The chunks' results, in chunk order.
    backend : str
        ``"local"`` or the scheduler's address.
    """
    sizes = chunk_sizes(total, chunk_size)
    bar = as_progress(progress, steps=len(sizes))
    bar.start(total, what)
    try:
        if address is None and client is None:
            return _local(task, payload, seed, sizes, bar), "local"
        return _dask(task, payload, seed, sizes, address, client, bar)
    finally:
        bar.close()


def _local(task, payload, seed, sizes, bar: Progress) -> list:
    parts = []
    for i, size in enumerate(sizes):
        parts.append(task(payload, seed, i, size))
        bar.advance(size)
    return parts


def _dask(task, payload, seed, sizes, address, client, bar: Progress):
    try:
        from distributed import Client, as_completed
    except ModuleNotFoundError as err:        # Dask is an optional dependency
        err.add_note("Dask runs need the 'dask' extra: pip install 'enrichwatch[dask]'")
        raise
    own = client is None
    client = Client(address) if own else client
    try:
        # scattered in a list: a tuple or list scattered itself would become one per element
        shared = client.scatter([payload], broadcast=True)[0]
        futures = client.map(task, [shared] * len(sizes), [seed] * len(sizes),
                             list(range(len(sizes))), sizes, pure=False)
        size_of = {f.key: s for f, s in zip(futures, sizes, strict=True)}
        for done in as_completed(futures):
            bar.advance(size_of[done.key])
        return client.gather(futures), str(client.scheduler.address)
    finally:
        if own:
            client.close()

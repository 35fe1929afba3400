"""Square sparse linear systems of one fixed pattern, solved many times with new values.

The stage balances of cascades and networks (:mod:`enrichwatch.physics.steady_state`) solve
the same system shape again and again, with new entries at every Newton iteration. A
:class:`SparsePattern` is built once from the positions of the entries (repeated positions
add up); each :meth:`SparsePattern.solve` then scatters the values with one ``bincount`` and
solves:

* by LAPACK's banded LU (``gbsv``, called directly: scipy's wrapper costs more than the solve
  at these sizes) when the pattern is narrow, as a cascade's stage balance is (each stage
  talks to its two neighbours only): cost linear in the size, and ~10x cheaper than a general
  sparse LU at these sizes. A pattern built with ``reorder=True`` is first renumbered by the
  reverse Cuthill-McKee ordering (:func:`scipy.sparse.csgraph.reverse_cuthill_mckee`,
  computed once per pattern) when that narrows it enough: a network of a few cascades whose
  links join distant stages is wide as numbered, but narrow once its stages are numbered
  along its loops (two linked cascades of 32 stages: 128 unknowns of half-width 43 become
  half-width 12), and then the banded LU serves it too;
* by LAPACK's dense LU (:func:`numpy.linalg.solve`) when the matrix is wide but small (up to
  100 unknowns, a network of a few short cascades): SuperLU's fixed cost is larger there;
* by SuperLU (:func:`scipy.sparse.linalg.splu`, COLAMD ordering) otherwise, as for networks
  that stay wide in any order: cost about linear in the size for these graphs.

All use partial pivoting, like the dense solve they replace, and all report an exactly
singular matrix as :class:`numpy.linalg.LinAlgError`. :meth:`SparsePattern.factorised` factors
a matrix once for several right-hand sides that are not known together.

:func:`one_blas_thread` pins the BLAS thread pools to one thread for a block of such small
solves (threadpoolctl), so that a shared machine cannot slow them by oversubscription.

Examples
--------
>>> import numpy as np
>>> p = SparsePattern.from_entries(np.array([0, 1, 1, 0]), np.array([0, 1, 0, 1]), 2)
>>> p.solve(np.array([2.0, 4.0, 1.0, 0.0]), np.array([2.0, 9.0])).tolist()
[1.0, 2.0]
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import get_lapack_funcs
from scipy.sparse import csc_array, csr_array
from scipy.sparse.csgraph import reverse_cuthill_mckee
from scipy.sparse.linalg import splu

from ..errors import ConfigurationError

__all__ = ["METHODS", "SparsePattern", "one_blas_thread"]

#: Banded LU costs ~ n * lower * (lower + upper) flops against SuperLU's ~0.5-1.8 us per
#: unknown for these matrices (scipy 1.17, one core, 2026-12). Measured on the Newton systems
#: of linked cascade pairs (4 isotopes, renumbered): 170 unknowns at 14 x 30 flops each, 49
#: against 159 us; 850 at 44 x 90, 570 against 1,400 us; 1,700 at 94 x 190, 3,000 against
#: 1,600 us. Up to this product the banded solve is the cheaper one, with a margin.
_BANDED_WORK_LIMIT = 2000
#: Up to this size a dense LU beats SuperLU's fixed cost (measured as above: 47 against 63 us
#: at 80 unknowns, 213 against 120 us at 160).
_DENSE_MAX_SIZE = 100
#: A pattern that may be reordered is, when its banded LU costs more than this many flops per
#: unknown as numbered and reverse Cuthill-McKee cuts that at least by this factor (its
#: renumbering costs two gathers a solve, ~1 us at these sizes; gbsv on 96 unknowns takes
#: 11 us at half-widths 8 and 10, 7 us at 2 and 2: measured as above).
_REORDER_MIN_WORK = 2
_REORDER_GAIN = 0.5
#: The methods :meth:`SparsePattern.from_entries` can be told to use.
METHODS = ("banded", "dense", "superlu")


@dataclass(frozen=True, eq=False)
class SparsePattern:
    """Positions of the entries of an ``n x n`` matrix, prepared for repeated solves.

    Build with :meth:`from_entries`. ``method`` is how it is solved, ``'banded'``, ``'dense'``
    or ``'superlu'``; ``slots[e]`` is where entry ``e`` goes in the storage: LAPACK's banded one
    (column-major, with ``lower`` spare rows on top for the fill of pivoting), the dense
    matrix (row-major), or the CSC data (``indices``, ``indptr``) of the matrix. ``order``
    (None: the unknowns' own order) is the renumbering of a reordered banded pattern: position
    ``p`` of the banded matrix holds unknown ``order[p]``, and ``position`` is its inverse;
    ``lower`` and ``upper`` are the half-widths in that order.
    """

    size: int
    lower: int
    upper: int
    method: str
    slots: np.ndarray
    n_slots: int
    indices: np.ndarray | None = None
    indptr: np.ndarray | None = None
    order: np.ndarray | None = None
    position: np.ndarray | None = None
    _local: threading.local = field(default_factory=threading.local, repr=False,
                                    compare=False)

    @classmethod
    def from_entries(cls, rows: np.ndarray, cols: np.ndarray, size: int, *,
                     reorder: bool = False, method: str | None = None,
                     order: np.ndarray | None = None) -> SparsePattern:
        """Pattern of the entries at ``(rows[e], cols[e])`` (repeated positions are summed).

        ``reorder``: renumber a pattern by the reverse Cuthill-McKee ordering when that at
        least halves the work of its banded LU (a wide pattern may become narrow enough for
        it; a tridiagonal one is left as it is). ``method`` (one of :data:`METHODS`) forces a
        method instead of choosing by cost (a banded one is then reordered as above): for
        tests that compare the methods. ``order`` (a permutation of the unknowns) makes the
        pattern banded in that order, whatever its width: for the block-diagonal stack of
        patterns each renumbered already (:func:`~enrichwatch.physics.stage_graph.batch_graph`).
        """
        if order is not None:
            return cls._banded(np.asarray(rows, dtype=np.int64),
                               np.asarray(cols, dtype=np.int64), size,
                               np.asarray(order, dtype=np.int64))
        if method is not None and method not in METHODS:
            raise ConfigurationError("method", method, f"one of {METHODS} or None")
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        lower, upper = _half_widths(rows, cols)
        work = lower * (lower + upper)            # banded LU flops per unknown
        order = None
        if reorder and work > _REORDER_MIN_WORK and method in (None, "banded"):
            order = _rcm(rows, cols, size)
            low, up = _half_widths(*_renumbered(rows, cols, order))
            if low * (low + up) > work * _REORDER_GAIN:
                order = None                       # not worth the renumbering of each solve
            else:
                work = low * (low + up)
        if method == "banded" or (method is None and work <= _BANDED_WORK_LIMIT):
            return cls._banded(rows, cols, size, order)
        if method == "dense" or (method is None and size <= _DENSE_MAX_SIZE):
            return cls(size, lower, upper, "dense", rows * size + cols, size * size)
        keys, slots = np.unique(cols * size + rows, return_inverse=True)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(keys // size, minlength=size))])
        return cls(size, lower, upper, "superlu", slots.ravel(), len(keys), keys % size, indptr)

    @classmethod
    def _banded(cls, rows: np.ndarray, cols: np.ndarray, size: int,
                order: np.ndarray | None) -> SparsePattern:
        """Banded pattern of the entries, the unknowns renumbered by ``order`` if given."""
        position = None
        if order is not None:
            rows, cols = _renumbered(rows, cols, order)
            position = np.argsort(order)
        lower, upper = _half_widths(rows, cols)
        # gbsv's storage: ab[lower + upper + i - j, j] = a[i, j], column-major
        height = 2 * lower + upper + 1
        slots = cols * height + lower + upper + rows - cols
        return cls(size, lower, upper, "banded", slots, height * size, order=order,
                   position=position)

    @property
    def unknown_order(self) -> np.ndarray:
        """The unknown at each position of the banded matrix (its own order when not
        renumbered)."""
        return np.arange(self.size) if self.order is None else self.order

    def __getstate__(self) -> dict:
        """Pickled without the per-thread matrices (a thread-local cannot be pickled)."""
        state = dict(self.__dict__)
        state.pop("_local", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        object.__setattr__(self, "_local", threading.local())

    def _matrix(self, data: np.ndarray) -> csc_array:
        """The CSC matrix of ``data``: its structure is built and checked once per pattern
        (and thread), then only the values are replaced (SuperLU copies what it factors)."""
        local = self._local
        matrix = getattr(local, "matrix", None)
        if matrix is None:
            assert self.indices is not None and self.indptr is not None    # a SuperLU pattern
            matrix = csc_array((data, self.indices.astype(np.intc), self.indptr.astype(np.intc)),
                               shape=(self.size, self.size))
            matrix.has_canonical_format = True      # keys are unique and sorted per column
            local.matrix = matrix
        else:
            matrix.data = data
        return matrix

    @property
    def banded(self) -> bool:
        return self.method == "banded"

    def _data(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.slots, weights=values, minlength=self.n_slots)

    def _column(self, rhs: np.ndarray) -> np.ndarray:
        """``rhs`` as a Fortran-ordered (size, m) copy, in the banded order (LAPACK's ``b``)."""
        if self.order is not None:      # np.take: the rows indexing gives, at half its cost
            return np.asfortranarray(np.take(rhs.reshape(self.size, -1), self.order, axis=0),
                                     dtype=float)
        return np.array(rhs.reshape(self.size, -1), dtype=float, order="F")

    def _answer(self, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """LAPACK's banded solution back in the unknowns' own order, shaped as the rhs."""
        if self.position is not None:
            x = np.take(x, self.position, axis=0)
        return x.reshape(shape)

    def solve(self, values: np.ndarray, rhs: np.ndarray) -> np.ndarray:
        """Solution ``x`` of ``A x = rhs``, ``A`` holding ``values`` at the pattern's entries.

        Raises
        ------
        numpy.linalg.LinAlgError
            If the matrix is exactly singular (a zero pivot).
        """
        data = self._data(values)
        if self.banded:
            ab = data.reshape(self.size, -1).T                      # Fortran-ordered view
            x = _banded_solve(self.lower, self.upper, ab, self._column(rhs))
            return self._answer(x, rhs.shape)
        if self.method == "dense":
            return np.linalg.solve(data.reshape(self.size, self.size), rhs)
        return self._superlu(data).solve(rhs)

    def solve_blocks(self, values: np.ndarray, rhs: np.ndarray,
                     blocks: list[tuple[int, int, int, int]]) -> np.ndarray:
        """:meth:`solve` of a banded pattern that is block diagonal in its banded order, for
        the blocks ``(start, stop, lower, upper)`` (positions of the banded matrix, and the
        block's own half-widths, at most the pattern's) only: each is solved on its own, in
        a band of its own widths, as LAPACK solves that block alone (the same arguments, so
        the same arithmetic whatever the other blocks and the vector kernels); the rest of
        the answer is zero. For a stack of systems
        (:class:`~enrichwatch.physics.stage_graph.Batch`), of which only some may be still
        wanted (:func:`~enrichwatch.physics.steady_state.solve_compositions_batch`).

        Raises
        ------
        numpy.linalg.LinAlgError
            If a block is exactly singular (a zero pivot).
        """
        assert self.banded
        ab = self._data(values).reshape(self.size, -1).T
        b = self._column(rhs)
        x = np.zeros_like(b)
        for start, stop, lower, upper in blocks:
            x[start:stop] = _banded_solve(lower, upper, self._block_band(ab, start, stop, lower,
                                                                         upper), b[start:stop])
        return self._answer(x, rhs.shape)

    def _block_band(self, ab: np.ndarray, start: int, stop: int, lower: int, upper: int
                    ) -> np.ndarray:
        """The block ``start:stop`` of the band ``ab`` in LAPACK's storage for its own
        half-widths (``ab[lower + upper + i - j, j]``: the rows of the pattern's storage from
        ``(self.lower - lower) + (self.upper - upper)`` on, a Fortran-ordered copy)."""
        if lower > self.lower or upper > self.upper:
            raise ValueError(f"a block's band ({lower}, {upper}) is wider than the pattern's "
                             f"({self.lower}, {self.upper})")
        top = (self.lower - lower) + (self.upper - upper)
        return np.asfortranarray(ab[top:top + 2 * lower + upper + 1, start:stop])

    def _superlu(self, data: np.ndarray):
        try:
            return splu(self._matrix(data), permc_spec="COLAMD")
        except RuntimeError as err:        # SuperLU: "Factor is exactly singular"
            raise np.linalg.LinAlgError(str(err)) from None

    def factorised(self, values: np.ndarray,
                   blocks: list[tuple[int, int, int, int]] | None = None
                   ) -> Callable[[np.ndarray], np.ndarray]:
        """``rhs -> x`` solving ``A x = rhs`` with ``A`` factored once (for right-hand sides
        that depend on an earlier solution); each solve gives what :meth:`solve` gives.
        ``blocks``: a banded pattern factored block by block, as in :meth:`solve_blocks`.

        Raises
        ------
        numpy.linalg.LinAlgError
            If the matrix is exactly singular (a zero pivot).
        """
        data = self._data(values)
        if blocks is not None:
            return self._factorised_blocks(data, blocks)
        if self.banded:
            lu, piv, info = _gbtrf(data.reshape(self.size, -1).T, self.lower, self.upper,
                                   overwrite_ab=True)
            if info > 0:
                raise np.linalg.LinAlgError("singular matrix")

            def banded(rhs: np.ndarray) -> np.ndarray:
                x, _ = _gbtrs(lu, self.lower, self.upper, self._column(rhs), piv,
                              overwrite_b=True)
                return self._answer(x, rhs.shape)

            return banded
        if self.method == "dense":
            lu, piv, info = _getrf(data.reshape(self.size, self.size), overwrite_a=True)
            if info > 0:
                raise np.linalg.LinAlgError("singular matrix")

            def dense(rhs: np.ndarray) -> np.ndarray:
                x, _ = _getrs(lu, piv, np.asarray(rhs, dtype=float).reshape(self.size, -1))
                return x.reshape(rhs.shape)

            return dense
        return self._superlu(data).solve

    def _factorised_blocks(self, data: np.ndarray, blocks: list[tuple[int, int, int, int]]
                           ) -> Callable[[np.ndarray], np.ndarray]:
        """:meth:`factorised` of the ``blocks`` of a block-diagonal banded pattern, each
        factored in a band of its own widths (:meth:`solve_blocks`)."""
        assert self.banded
        ab = data.reshape(self.size, -1).T
        factors = []
        for start, stop, lower, upper in blocks:
            lu, piv, info = _gbtrf(self._block_band(ab, start, stop, lower, upper), lower,
                                   upper, overwrite_ab=True)
            if info > 0:
                raise np.linalg.LinAlgError("singular matrix")
            factors.append((start, stop, lower, upper, lu, piv))

        def solve(rhs: np.ndarray) -> np.ndarray:
            b = self._column(rhs)
            x = np.zeros_like(b)
            for start, stop, lower, upper, lu, piv in factors:
                x[start:stop], _ = _gbtrs(lu, lower, upper, b[start:stop], piv)
            return self._answer(x, rhs.shape)

        return solve


def _banded_solve(lower: int, upper: int, ab: np.ndarray, b: np.ndarray) -> np.ndarray:
    """LAPACK ``gbsv`` of the band ``ab`` (overwritten, as is ``b``); raises
    :class:`numpy.linalg.LinAlgError` on an exactly singular matrix (a zero pivot)."""
    *_, x, info = _gbsv(lower, upper, ab, b, overwrite_ab=True, overwrite_b=True)
    if info > 0:
        raise np.linalg.LinAlgError("singular matrix")
    return x


def _half_widths(rows: np.ndarray, cols: np.ndarray) -> tuple[int, int]:
    """Lower and upper half-widths of the entries' band (0 for a diagonal)."""
    return (max(int(np.max(rows - cols, initial=0)), 0),
            max(int(np.max(cols - rows, initial=0)), 0))


def _rcm(rows: np.ndarray, cols: np.ndarray, size: int) -> np.ndarray:
    """Reverse Cuthill-McKee order of the unknowns (of the symmetrised pattern): the
    renumbered matrix holds unknown ``order[p]`` at position ``p``."""
    graph = csr_array((np.ones(2 * len(rows)), (np.concatenate([rows, cols]),
                                                np.concatenate([cols, rows]))),
                      shape=(size, size))
    return np.asarray(reverse_cuthill_mckee(graph, symmetric_mode=True), dtype=np.int64)


def _renumbered(rows: np.ndarray, cols: np.ndarray, order: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """The entries' positions in the matrix renumbered by ``order``."""
    position = np.argsort(order)
    return position[rows], position[cols]


_gbsv, _gbtrf, _gbtrs, _getrf, _getrs = get_lapack_funcs(
    ("gbsv", "gbtrf", "gbtrs", "getrf", "getrs"), dtype=np.float64)


@functools.cache
def _controller():
    """threadpoolctl's view of the loaded thread pools (built once: it scans the libraries)."""
    from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

    return ThreadpoolController()


_NESTING = threading.local()


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit the BLAS thread pools to one thread inside the block (restored after it).

    The stage solves are small: extra BLAS threads only add start-up and, on a loaded machine,
    oversubscription. Entering costs ~10 us (the pools are looked up once per process); a
    block nested in another (in the same thread) costs nothing. The limit is process-wide
    while a block runs, as BLAS thread pools are.
    """
    if getattr(_NESTING, "inside", False):
        yield
        return
    _NESTING.inside = True
    try:
        with _controller().limit(limits=1, user_api="blas"):
            yield
    finally:
        _NESTING.inside = False

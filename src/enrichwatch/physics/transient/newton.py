"""The Newton matrices of a stacked Radau integration, their LU and solves, and the Radau
that uses them (:class:`StackedRadau`).

A stack of ``K`` runs (:class:`.batch.Stack`: the states stacked, ``[y_1, ..., y_K]``) has a
block-diagonal Jacobian, and Radau's Newton matrices ``c I - J`` are factorised and solved for
all blocks at once. Within a block the Jacobian has no entry in the columns of the withdrawn
masses and none from the U-235 to the hold-ups, so each block's Newton matrix is block lower
triangular and only its hold-up (inventory-driven flows only) and U-235 diagonal blocks, of the
size of the stage count, are factorised; the rest follows by substitution (:class:`_Inverse`).
Those stage blocks follow the routing (each stage exchanges gas with its neighbours and a few
linked stages): renumbered by reverse Cuthill-McKee they are banded (half-widths 2 and 2 for
the Fordow plant's two linked cascades of 14 and 18 stages), and the ``K`` blocks along the
diagonal are one banded matrix, factorised by one LAPACK ``gbtrf`` and solved by one ``gbtrs``
for all variants (:class:`_Band`, :class:`_BandedBlocks`). Where the band is wide, each block
is inverted (LAPACK's LU and the inverse from it, :func:`_invert`) and a Newton solve is a few
matrix products for all variants at once (:class:`_Blocks`).

Measured on the Fordow case's stated histories (3 sweeps, 11 runs, 519 Radau steps, 3,913
right-hand sides, 508 factorisations, 2,778 Newton solves; scipy 1.17, one BLAS thread,
2026-12): the factorisations took ~97 us each with four LU-and-inverses of 32 x 32 blocks
against ~12 us as one banded LU, and the solves ~20 us against ~13 us; the same steps and
counts, the figures moving by rounding (1e-12 relative or less).

Examples
--------
Two runs of a two-stage cascade integrated as one stacked system, the Jacobian handed over as
its dense diagonal blocks (each Newton matrix inverted block by block; ``jac=stack.solver_jac``
with ``band=stack.band`` factorises the stage blocks as one banded matrix instead):

>>> import numpy as np
>>> from scipy.integrate import solve_ivp
>>> from .batch import Stack
>>> from .integrate import initial_state
>>> from .system import Model, Operation, Routing, stage_flows
>>> r = Routing.from_destinations([1, "product"], ["tails", 0])
>>> cuts, feed = np.full(2, 0.5), np.array([1.0, 0.0])
>>> op = Operation(r, cuts, stage_flows(r, cuts, feed).flows, feed, 0.05 * feed,
...                np.full(2, 0.1), gamma=np.full(2, 1.4))
>>> stack = Stack([Model(op, 0.0), Model(op, 0.0)])
>>> y0 = np.tile(initial_state(op.holdup, np.full(2, 0.05), 2), 2)
>>> sol = solve_ivp(stack.rhs, (0.0, 10.0), y0, method=StackedRadau, jac=stack.jac,
...                 n_stages=stack.n, blocks=stack.k, inventory=stack.inventory)
>>> first, second = sol.y[:, -1].reshape(2, -1)
>>> bool(sol.success), bool((first == second).all())
(True, True)
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.integrate import Radau
from scipy.integrate._ivp.radau import RadauDenseOutput
from scipy.linalg import LinAlgWarning
from scipy.linalg.lapack import get_lapack_funcs
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import reverse_cuthill_mckee

from ...errors import ConfigurationError
from .system import Model

__all__ = ["StackedRadau"]

_LAPACK = {kind: get_lapack_funcs(("getrf", "getri"), (np.zeros((1, 1), kind),))
           for kind in (np.dtype(float), np.dtype(complex))}
_BANDED = {kind: get_lapack_funcs(("gbtrf", "gbtrs"), (np.zeros((1, 1), kind),))
           for kind in (np.dtype(float), np.dtype(complex))}


class _FloatRhs:
    """Base of the stacked systems (:class:`.batch.Stack`) whose right-hand side ``rhs(t, y)``
    gives a float array of the stacked state's size: :class:`StackedRadau`, handed such a
    bound method, calls it without solve_ivp's conversion wrappers."""


@dataclass(frozen=True)
class _Blocks:
    """A block-diagonal Jacobian (K, size, size) with its pieces: hold-up and U-235 diagonal
    blocks, U-235 from hold-up, and the withdrawn masses from the stages."""

    full: np.ndarray
    n: int

    @property
    def hh(self) -> np.ndarray:
        return self.full[:, :self.n, :self.n]

    @property
    def nh(self) -> np.ndarray:
        return self.full[:, self.n:2 * self.n, :self.n]

    @property
    def nn(self) -> np.ndarray:
        return self.full[:, self.n:2 * self.n, self.n:2 * self.n]

    @property
    def ws(self) -> np.ndarray:
        return self.full[:, 2 * self.n:, :2 * self.n]

    @cached_property
    def nh_c(self) -> np.ndarray:
        """:attr:`nh`, contiguous (kept for the Newton solves of this Jacobian)."""
        return np.ascontiguousarray(self.nh)

    @cached_property
    def ws_c(self) -> np.ndarray:
        """:attr:`ws`, contiguous."""
        return np.ascontiguousarray(self.ws)


#: Largest ``lower + upper`` half-bandwidth (as a share of the stage count) at which the
#: Newton matrices' stage blocks are factorised as one banded matrix rather than inverted block
#: by block. Measured (2026-12, scipy 1.17, OpenBLAS, one thread; 4 blocks of 32 stages,
#: complex): one ``gbtrf`` over the stacked blocks took 7, 10, 16, 33 and 81 us at half-widths
#: 2, 4, 8, 16 and 31 against 95 us for the four LU-and-inverses, and a ``gbtrs`` 4-8 us
#: against 2.5 us for the products with the inverses; with the 5-6 solves a factorisation
#: makes in these runs the banded form is ahead up to half-widths of about 24 of 32.
_BAND_MAX_SHARE = 1.0


@dataclass(frozen=True, eq=False)
class _Band:
    """Layout of a stack's Newton matrices for banded LU.

    The stage blocks of every variant's Jacobian (hold-ups ``J_HH`` and U-235 ``J_NN``) share
    the routing's pattern: each stage exchanges gas with its neighbours and a few linked
    stages. Renumbered by reverse Cuthill-McKee over the union of the variants' patterns
    (the pattern symmetrised), the blocks are banded with half-widths ``lower`` and
    ``upper`` (2 and 2 for the Fordow plant's two linked cascades of 14 and 18 stages, 8 and
    10 as numbered), and the ``K`` blocks stacked along the diagonal are one banded matrix of
    ``K n`` rows, factorised by one LAPACK ``gbtrf`` and solved by one ``gbtrs`` for all
    variants. The Jacobian's stored entries (each model's CSC values, concatenated) go
    straight to their places: the negated stage blocks in LAPACK's band storage (kept
    transposed: row ``j`` of the array is column ``j`` of the band), ``J_NH`` (rows in the
    banded order) and ``J_W`` as dense blocks for the substitutions (:class:`_Inverse`).
    """

    k: int
    n: int
    size: int
    lower: int
    upper: int
    order: np.ndarray          # the stage at each banded position
    dest: np.ndarray           # where each stored Jacobian entry goes in the buffer
    sign: np.ndarray           # -1 for the stage blocks (c I - J), +1 elsewhere
    shapes: tuple              # (start, shape) of the hold-up, U-235, J_NH and J_W parts
    inventory: bool            # whether any hold-up moves (hold-up blocks factorised)
    h_index: np.ndarray        # the stacked state's hold-ups, in banded order
    n_index: np.ndarray        # its U-235, in banded order
    entry_dest: np.ndarray     # per template entry of every model: its place in the buffer,
    entry_weight: np.ndarray   # its weight times the sign of its place,
    entry_table: np.ndarray    # and its value's place in the derivative table (K, 9, S)

    @property
    def ldab(self) -> int:
        return 2 * self.lower + self.upper + 1

    @classmethod
    def of(cls, models: Sequence[Model]) -> _Band | None:
        """The layout for these models (one segment's variants), or None when their
        Jacobian is not block lower triangular over (hold-ups, U-235, withdrawn) or the
        band is wide (:data:`_BAND_MAX_SHARE`)."""
        first = models[0]
        k, n, size, w2 = len(models), first.n, first.size, first.size - 2 * first.n
        entries = []
        pattern = np.identity(n, dtype=bool)
        for m in models:
            rows, cols = np.divmod(m._flat, size)
            if ((rows < n) & (cols >= n)).any() or (cols >= 2 * n).any():
                return None
            stage = (rows < 2 * n) & ((rows < n) == (cols < n))
            pattern[rows[stage] % n, cols[stage] % n] = True
            entries.append((rows, cols, stage))
        order = reverse_cuthill_mckee(csr_matrix(pattern | pattern.T), symmetric_mode=True)
        pos = np.empty(n, dtype=np.int64)
        pos[order] = np.arange(n)
        r, c = np.nonzero(pattern)
        lower, upper = int(max((pos[r] - pos[c]).max(), 0)), int(max((pos[c] - pos[r]).max(), 0))
        if lower + upper > _BAND_MAX_SHARE * n:
            return None
        ldab = 2 * lower + upper + 1
        band = k * n * ldab
        starts = (0, band, 2 * band, 2 * band + k * n * n, 2 * band + k * n * n + k * w2 * 2 * n)
        dests, signs = [], []
        for b, (rows, cols, stage) in enumerate(entries):
            d = np.empty(rows.size, dtype=np.int64)
            i, j = pos[rows % n], pos[cols % n]
            place = (b * n + j) * ldab + lower + upper + i - j
            d[stage] = np.where(rows < n, starts[0], starts[1])[stage] + place[stage]
            nh = (rows >= n) & (rows < 2 * n) & (cols < n)
            d[nh] = starts[2] + (b * n + i[nh]) * n + cols[nh]
            ws = rows >= 2 * n
            d[ws] = starts[3] + (b * w2 + rows[ws] - 2 * n) * 2 * n + cols[ws]
            dests.append(d)
            signs.append(np.where(stage, -1.0, 1.0))
        blocks = np.arange(k)[:, None] * size
        entries = []
        for b, (m, d, sign) in enumerate(zip(models, dests, signs, strict=True)):
            _, _, kinds, stages, weights = m._template
            slot = m._csc[2]
            entries.append((d[slot], weights * sign[slot], (b * 9 + kinds) * n + stages))
        dest_t, weight_t, table_t = (np.concatenate(a) for a in zip(*entries, strict=True))
        return cls(k, n, size, lower, upper, order, np.concatenate(dests), np.concatenate(signs),
                   starts, any(m.op.inventory_driven for m in models),
                   (blocks + order).reshape(-1), (blocks + n + order).reshape(-1),
                   dest_t, weight_t, table_t)

    def blocks(self, values: np.ndarray) -> _BandedBlocks:
        """The pieces of the Jacobian whose stored entries are ``values``."""
        buf = np.zeros(self.shapes[4])
        buf[self.dest] = values * self.sign
        return self._pieces(buf)

    def from_table(self, table: np.ndarray) -> _BandedBlocks:
        """The pieces of the Jacobian whose derivative table
        (:meth:`.batch.Stack._derivatives`) is ``table``: each template entry's weight (times
        the sign of its place) times its table value, summed into its place (as
        :meth:`.system.Model._data` sums the entries of one stored value, in the same
        order)."""
        return self._pieces(np.bincount(self.entry_dest,
                                        self.entry_weight * table.reshape(-1)[self.entry_table],
                                        minlength=self.shapes[4]))

    def _pieces(self, buf: np.ndarray) -> _BandedBlocks:
        k, n, start = self.k, self.n, self.shapes
        hold_up = buf[:start[1]].reshape(k * n, self.ldab) if self.inventory else None
        return _BandedBlocks(hold_up, buf[start[1]:start[2]].reshape(k * n, self.ldab),
                             buf[start[2]:start[3]].reshape(k, n, n),
                             buf[start[3]:].reshape(k, -1, 2 * n))


@dataclass(frozen=True)
class _BandedBlocks:
    """A stacked Jacobian laid out by a :class:`_Band`: the negated hold-up (None: no hold-up
    moves) and U-235 blocks in transposed band storage, ``J_NH`` with its rows in the banded
    order, and ``J_W`` (K, 2 W, 2 S)."""

    neg_hold_up: np.ndarray | None
    neg_u235: np.ndarray
    from_hold_up: np.ndarray
    out: np.ndarray


class _Eye:
    """The identity as Radau uses it (its Newton matrices are ``c * I - J``, scipy 1.x): times
    a number it is a shifted identity whose difference with the Jacobian is the Newton matrix,
    kept as ``(c, J)`` for :meth:`StackedRadau._lu`."""

    __array_ufunc__ = None

    def __rmul__(self, c):
        return _Shift(c)

    __mul__ = __rmul__


@dataclass(frozen=True)
class _Shift:
    """``c I`` as Radau forms it (:class:`_Eye`): less the Jacobian it is the Newton matrix,
    kept as ``(c, J)``."""

    c: complex | float
    __array_ufunc__ = None

    def __sub__(self, jac: _Blocks) -> tuple:
        return self.c, jac


class StackedRadau(Radau):
    """scipy's Radau on a :class:`.batch.Stack`, its Newton matrices factorised for all blocks
    at once (see the module text).

    The Jacobian is handed over as its diagonal blocks, shape (K, size, size), from
    ``jac(t, y)``, and each Newton matrix ``c I - J`` is inverted block by block
    (:class:`_Inverse`); or, given the stack's ``band`` (:class:`_Band`), as
    :class:`_BandedBlocks` from ``jac=stack.solver_jac``, its stage blocks factorised as one
    banded matrix. Radau's own steps, Newton iterations and step-size control are scipy's,
    unchanged; solve_ivp takes the class as its ``method`` and hands it the keywords below.

    Parameters
    ----------
    fun, t0, y0, t_bound
        As :class:`scipy.integrate.Radau` (the stacked right-hand side and state); a
        :class:`.batch.Stack`'s ``rhs`` is called without solve_ivp's conversion wrappers.
    n_stages : int
        The stage count of a block.
    blocks : int
        The number of blocks ``K``.
    inventory : numpy.ndarray
        Whether each block's flows are inventory-driven (else its hold-ups do not move and
        their rows of the Jacobian are zero).
    band : _Band, optional
        The stack's banded layout (``jac`` then gives :class:`_BandedBlocks`); None: ``jac``
        gives the dense blocks.
    **kwargs
        As :class:`scipy.integrate.Radau` (``rtol``, ``atol``, ``jac``, ...).

    Raises
    ------
    ConfigurationError
        ``jac`` is not a function, or gives blocks of the other form than ``band`` says.
    """

    def __init__(self, fun, t0, y0, t_bound, *, n_stages: int, blocks: int,
                 inventory: np.ndarray, band: _Band | None = None, **kwargs) -> None:
        self._n, self._k, self._inventory = n_stages, blocks, np.asarray(inventory, dtype=bool)
        self._eye = np.identity(n_stages)
        self._band = band
        super().__init__(fun, t0, y0, t_bound, **kwargs)
        self.lu, self.I = self._lu, _Eye()
        self.solve_lu = self._solve_lu if band is None else self._solve_banded
        if isinstance(getattr(fun, "__self__", None), _FloatRhs):
            # the stack's right-hand side gives a float array of the state's size: called
            # without solve_ivp's conversion wrappers (nfev counted as they count it)
            def counted(t, y, rhs=fun):
                self.nfev += 1
                return rhs(t, y)
            self.fun = counted

    def _compute_dense_output(self) -> RadauDenseOutput:
        """Radau's dense output of the last step, evaluated with fewer array calls
        (:class:`_StepOutput`: the same numbers)."""
        out = super()._compute_dense_output()
        out.__class__ = _StepOutput
        return out

    def _validate_jac(self, jac, sparsity):
        if not callable(jac):
            raise ConfigurationError("jac", jac, "a function of (t, y) giving the blocks")

        def wrapped(t, y, _=None):
            self.njev += 1
            found = jac(t, y)
            if (self._band is None) == isinstance(found, _BandedBlocks):
                raise ConfigurationError("jac", type(found).__name__,
                                         "banded blocks with their band (band=...), else the "
                                         "dense blocks (K, size, size)")
            if self._band is not None:
                return found
            return _Blocks(np.asarray(found, dtype=float), self._n)

        j0 = wrapped(self.t, self.y)
        self.njev = 1
        return wrapped, j0

    def _lu(self, newton: tuple) -> _Inverse:
        """The inverse of every block's Newton matrix ``c I - J`` (see :class:`_Inverse`):
        the U-235 diagonal block of each (and the hold-up one under inventory-driven flows)
        factorised by LAPACK's LU and inverted from it."""
        self.nlu += 1
        c, jac = newton
        kind = np.dtype(complex) if isinstance(c, complex) else np.dtype(float)
        if isinstance(jac, _BandedBlocks):
            return self._lu_banded(c, kind, jac)
        getrf, getri = _LAPACK[kind]
        n = self._n
        shift = c * self._eye
        inv_n = np.empty((self._k, n, n), dtype=kind)
        for k in range(self._k):
            inv_n[k] = _invert(getrf, getri, shift - jac.nn[k])
        if not self._inventory.any():       # no hold-up moves: c I on the hold-ups
            return _Inverse(c, None, inv_n, jac.nh_c, jac.ws_c)
        inv_h = np.empty((self._k, n, n), dtype=kind)
        for k in range(self._k):
            inv_h[k] = _invert(getrf, getri, shift - jac.hh[k]) if self._inventory[k] \
                else self._eye / c
        return _Inverse(c, inv_h, inv_n, jac.nh_c, jac.ws_c)

    def _lu_banded(self, c, kind: np.dtype, jac: _BandedBlocks) -> _Inverse:
        """The banded LU of the stacked U-235 blocks of ``c I - J`` (and of the hold-up
        blocks when some hold-up moves), each by one ``gbtrf`` (:class:`_Band`); ``J_W`` is
        kept in the factor's type (a complex product then needs no conversion)."""
        hold_up = None if jac.neg_hold_up is None else \
            self._factor_band(jac.neg_hold_up, c, kind)
        out = jac.out if kind == jac.out.dtype else jac.out.astype(kind)
        return _Inverse(c, hold_up, self._factor_band(jac.neg_u235, c, kind),
                        jac.from_hold_up, out)

    def _factor_band(self, negated: np.ndarray, c, kind: np.dtype) -> tuple:
        """(gbtrs, LU, pivots, kind) of ``c I - J`` from ``-J`` in transposed band storage."""
        band = self._band
        assert band is not None
        gbtrf, gbtrs = _BANDED[kind]
        ab = negated.astype(kind)
        ab[:, band.lower + band.upper] += c
        lu, piv, info = gbtrf(ab.T, band.lower, band.upper, overwrite_ab=True)
        if info < 0:
            raise ValueError(f"illegal value in {-info}th argument of internal gbtrf")
        if info > 0:
            warnings.warn(f"Diagonal number {info} is exactly zero. Singular matrix.",
                          LinAlgWarning, stacklevel=4)
        return gbtrs, lu, piv, kind

    def _solve_banded(self, inverse: _Inverse, b: np.ndarray) -> np.ndarray:
        """:meth:`_solve_lu` with banded factors: the hold-ups (divided by ``c`` when none
        moves; zero, without a division, where ``b`` is zero on them, as it is whenever no
        hold-up moves), then the U-235 from ``b_N + J_NH x_H`` (the product left out when
        ``x_H`` is zero), then the withdrawn (one ``gbtrs`` per banded factor)."""
        _check_finite(b)
        band = self._band
        assert band is not None
        n, c, lower, upper = self._n, inverse.c, band.lower, band.upper
        gbtrs, lu, piv, kind = inverse.u235
        x = np.empty_like(b) if b.dtype == kind else np.empty(b.shape, dtype=kind)
        xs, rhs = x.reshape(self._k, -1), b.reshape(self._k, -1)
        if inverse.hold_up is not None:
            h_trs, h_lu, h_piv, _ = inverse.hold_up
            x[band.h_index], info = h_trs(h_lu, lower, upper, b[band.h_index].astype(kind),
                                          h_piv, overwrite_b=True)
            _check_info(info)
            moved = True
        elif np.count_nonzero(rhs[:, :n]):
            np.divide(rhs[:, :n], c, out=xs[:, :n])
            moved = True
        else:
            xs[:, :n] = 0.0
            moved = False
        v = b[band.n_index].astype(kind, copy=False)
        if moved:
            v += _times(inverse.from_hold_up, xs[:, :n]).reshape(-1)
        x[band.n_index], info = gbtrs(lu, lower, upper, v, piv, overwrite_b=True)
        _check_info(info)
        w = np.matmul(inverse.out, xs[:, :2 * n, None])[:, :, 0]
        w += rhs[:, 2 * n:]
        np.divide(w, c, out=xs[:, 2 * n:])
        return x

    def _solve_lu(self, inverse: _Inverse, b: np.ndarray) -> np.ndarray:
        """``x`` of ``(c I - J) x = b``, by substitution over the blocks (see :class:`_Inverse`)
        for all variants at once."""
        if isinstance(inverse.u235, tuple):
            return self._solve_banded(inverse, b)
        _check_finite(b)
        n, c = self._n, inverse.c
        rhs = b.reshape(self._k, -1)
        x = np.empty(rhs.shape, dtype=np.result_type(b, inverse.u235))
        if inverse.hold_up is None:
            np.divide(rhs[:, :n], c, out=x[:, :n])
        else:
            x[:, :n] = np.matmul(inverse.hold_up, rhs[:, :n, None])[:, :, 0]
        v = rhs[:, n:2 * n] + _times(inverse.from_hold_up, x[:, :n])
        x[:, n:2 * n] = np.matmul(inverse.u235, v[:, :, None])[:, :, 0]
        x[:, 2 * n:] = (rhs[:, 2 * n:] + _times(inverse.out, x[:, :2 * n])) / c
        return x.reshape(-1)


def _check_finite(b: np.ndarray) -> None:
    """Raise scipy's ValueError unless every entry of ``b`` is finite (counted: one C call
    fewer than ``all``)."""
    if np.count_nonzero(np.isfinite(b)) != b.size:
        raise ValueError("array must not contain infs or NaNs")


def _check_info(info: int) -> None:
    if info != 0:
        raise ValueError(f"illegal value in {-info}th argument of internal gbtrs")


def _times(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``a[k] @ v[k]`` for every block ``k``: real matrices ``a`` (K, r, m), vectors ``v``
    (K, m) real or complex (then as their real and imaginary parts, without making ``a``
    complex)."""
    if v.dtype.kind != "c":
        return np.matmul(a, v[:, :, None])[:, :, 0]
    parts = np.ascontiguousarray(v).view(np.float64).reshape(v.shape[0], v.shape[1], 2)
    return np.ascontiguousarray(np.matmul(a, parts)).view(np.complex128)[:, :, 0]


@dataclass(frozen=True)
class _Inverse:
    """The inverse of every block's Newton matrix ``c I - J``, which is block lower
    triangular over (hold-ups, U-235, withdrawn): ``[[c - J_HH, 0, 0], [-J_NH, c - J_NN, 0],
    [-J_WH, -J_WN, c]]``. Held as the hold-up block's inverse (``None``: ``I / c``, flows
    fixed), the U-235 block's inverse, ``J_NH`` and ``J_W = [J_WH, J_WN]``: the solution is
    ``x_H`` from the hold-ups, ``x_N = inv_N (b_N + J_NH x_H)``, and ``(b_W + J_W x_S) / c``
    for the withdrawn from the stages' solution ``x_S``."""

    c: complex | float
    hold_up: np.ndarray | tuple | None
    u235: np.ndarray | tuple
    from_hold_up: np.ndarray
    out: np.ndarray


def _invert(getrf, getri, a: np.ndarray) -> np.ndarray:
    """Inverse of a square matrix by LAPACK (LU, then the inverse from it)."""
    lu, piv, info = getrf(a, overwrite_a=True)
    if info < 0:
        raise ValueError(f"illegal value in {-info}th argument of internal getrf (lu_factor)")
    if info > 0:
        warnings.warn(f"Diagonal number {info} is exactly zero. Singular matrix.",
                      LinAlgWarning, stacklevel=3)
    inverse, info = getri(lu, piv, overwrite_lu=True)
    if info != 0:
        raise ValueError(f"matrix singular or illegal argument in getri ({info})")
    return inverse




class _StepOutput(RadauDenseOutput):
    """:class:`~scipy.integrate._ivp.radau.RadauDenseOutput` whose evaluation forms the powers
    ``x, x^2, x^3`` by two products instead of tiling and a cumulative product (the same
    numbers: the cumulative product multiplies in the same order). Radau evaluates it at
    three times on every step, for its Newton iterations' starting guess."""

    def _call_impl(self, t):
        x = (t - self.t_old) / self.h
        p = np.empty((3, *np.shape(x)))
        p[0] = x
        np.multiply(x, x, out=p[1])
        np.multiply(p[1], x, out=p[2])
        y = np.dot(self.Q, p)
        if y.ndim == 2:
            y += self.y_old[:, None]
        else:
            y += self.y_old
        return y


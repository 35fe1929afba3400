"""scipy's Radau integrator with its dense LU factorisations called straight from LAPACK.

:class:`LapackRadau` is :class:`scipy.integrate.Radau` (Hairer & Wanner's Radau IIA of order
5) with one change: for a dense Jacobian its Newton matrices are factorised and solved by
LAPACK's ``getrf``/``getrs`` taken once from :func:`scipy.linalg.lapack.get_lapack_funcs`,
instead of through :func:`scipy.linalg.lu_factor`/:func:`scipy.linalg.lu_solve`. Those call the
same routines with the same arguments (``overwrite_a``/``overwrite_b`` as Radau asks), so the
steps, the dense output and every number of a run are bit-identical to ``method="Radau"``; what
is saved is the wrappers' Python work (batch dispatch, array conversion and the finite check on
every call: some thousands of calls in a run of a few hundred steps). The finite checks are
kept (non-finite input raises the same :class:`ValueError` as scipy's). A sparse Jacobian
keeps scipy's SuperLU path unchanged.

solve_ivp takes the class as its ``method`` (it accepts any :class:`OdeSolver` subclass);
:func:`.integrate.integrate` passes it for ``method="Radau"``, so the name means what it did.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.integrate import Radau
from scipy.linalg import LinAlgWarning, lu_factor, lu_solve
from scipy.linalg.lapack import get_lapack_funcs
from scipy.sparse import issparse

__all__ = ["LapackRadau"]

_REAL, _COMPLEX = np.dtype(float), np.dtype(complex)


def _check_finite(a: np.ndarray) -> None:
    """Raise scipy's ValueError unless every entry of ``a`` is finite."""
    if not np.isfinite(a).all():
        raise ValueError("array must not contain infs or NaNs")


class LapackRadau(Radau):
    """:class:`scipy.integrate.Radau` whose dense LU goes straight to LAPACK (see the module
    text); same arguments, same results."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not issparse(self.J):
            funcs = {kind: get_lapack_funcs(("getrf", "getrs"), (np.zeros((1, 1), kind),))
                     for kind in (_REAL, _COMPLEX)}
            self._getrf = {kind: f[0] for kind, f in funcs.items()}
            self._getrs = {kind: f[1] for kind, f in funcs.items()}
            self.lu = self._lu
            self.solve_lu = self._solve_lu

    def _lu(self, a: np.ndarray):
        """``lu_factor(a, overwrite_a=True)``: (LU, pivots)."""
        self.nlu += 1
        getrf = self._getrf.get(a.dtype)
        if getrf is None or not isinstance(a, np.ndarray):     # never asked by Radau
            return lu_factor(a, overwrite_a=True)
        _check_finite(a)
        lu, piv, info = getrf(a, overwrite_a=True)
        if info < 0:
            raise ValueError(f"illegal value in {-info}th argument of internal getrf "
                             "(lu_factor)")
        if info > 0:
            warnings.warn(f"Diagonal number {info} is exactly zero. Singular matrix.",
                          LinAlgWarning, stacklevel=2)
        return lu, piv

    def _solve_lu(self, lu_piv, b: np.ndarray) -> np.ndarray:
        """``lu_solve(lu_piv, b, overwrite_b=True)``."""
        lu, piv = lu_piv
        getrs = self._getrs.get(b.dtype) if b.dtype == lu.dtype else None
        if getrs is None or b.shape[0] != lu.shape[0] or b.size == 0:   # never asked by Radau
            return lu_solve(lu_piv, b, overwrite_b=True)
        _check_finite(b)
        x, info = getrs(lu, piv, b, trans=0, overwrite_b=True)
        if info != 0:
            raise ValueError(f"illegal value in {-info}th argument of internal gesv|posv")
        return x

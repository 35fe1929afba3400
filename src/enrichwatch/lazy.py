"""Lazy exports (PEP 562): a package's public names, each loaded from its module on first use.

A package's ``__init__`` maps each public name to the module of the package that defines it,
and takes from :func:`lazy_exports` its module-level ``__getattr__`` and ``__dir__``:

.. code-block:: python

    TYPE_CHECKING = False
    if TYPE_CHECKING:                 # what type checkers see
        from .swu import enrich

    _EXPORTS = {"enrich": "swu"}
    __all__ = ["enrich"]

    if not TYPE_CHECKING:             # hidden from type checkers, so that they flag unknown names
        __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), __all__)

so that importing the package loads none of its modules, and the first use of a name loads only
the module that defines it. This module imports nothing but :mod:`importlib`.
"""

from __future__ import annotations

from importlib import import_module

# As typing.TYPE_CHECKING, without importing typing (which the packages' faces avoid).
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, MutableMapping

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str,
    exports: Mapping[str, str],
    namespace: MutableMapping[str, object],
    public: Collection[str],
    *,
    submodules: Collection[str] = (),
    list_globals: bool = True,
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of a package whose names load lazily.

    Parameters
    ----------
    package : str
        The package's ``__name__``: the anchor of the relative imports, and the name in the
        error of an unknown attribute.
    exports : Mapping[str, str]
        Public name -> the module (relative to ``package``) that defines it.
    namespace : MutableMapping[str, object]
        The package's ``globals()``: a loaded name is kept there, so that ``__getattr__`` runs
        once per name.
    public : Collection[str]
        The package's ``__all__``, listed by ``__dir__``.
    submodules : Collection[str], optional
        Modules of the package reachable as attributes (``enrichwatch.physics``), imported on
        first use too.
    list_globals : bool, optional
        Whether ``__dir__`` lists the package's globals (its loaded modules and other names)
        besides ``public`` and ``submodules``; true by default.

    Returns
    -------
    tuple of (callable, callable)
        ``__getattr__(name)``, which imports the name's module, keeps the name in ``namespace``
        and returns it (an unknown name raises :class:`AttributeError`, with Python's own
        message), and ``__dir__()``, the sorted names.

    Examples
    --------
    The standard library's ``json`` package, with its decoder loaded lazily:

    >>> namespace = {}
    >>> getattr_, dir_ = lazy_exports("json", {"JSONDecoder": "decoder"}, namespace,
    ...                               ["JSONDecoder"], submodules=["encoder"])
    >>> getattr_("JSONDecoder").__module__, list(namespace)
    ('json.decoder', ['JSONDecoder'])
    >>> getattr_("encoder").__name__
    'json.encoder'
    >>> dir_()
    ['JSONDecoder', 'encoder']
    >>> getattr_("JSONDecoded")
    Traceback (most recent call last):
    ...
    AttributeError: module 'json' has no attribute 'JSONDecoded'
    """

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is not None:
            obj = getattr(import_module(f".{module}", package), name)
        elif name in submodules:
            obj = import_module(f".{name}", package)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = obj
        return obj

    def __dir__() -> list[str]:
        names = set(public) | set(submodules)
        return sorted(names | set(namespace) if list_globals else names)

    return __getattr__, __dir__

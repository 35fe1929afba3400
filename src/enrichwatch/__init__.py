"""enrichwatch: safeguards analysis of uranium enrichment plants.

The public API is re-exported here lazily, so that ``import enrichwatch`` stays light.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "Assay": "composition",
    "Composition": "composition",
    "kg_u_to_kg_uf6": "composition",
    "kg_uf6_to_kg_u": "composition",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'enrichwatch' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__

"""The public face: ``import enrichwatch as ew`` (lazy), the packages' ``__all__``, docs/api.md."""

import ast
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import enrichwatch
from enrichwatch import physics

ROOT = Path(__file__).resolve().parents[1]
API_DOC = ROOT / "docs" / "api.md"
PACKAGES = ("breakout", "cli", "evaluation", "facility", "files", "physics", "records", "report")
# Loaded by the first use of a name, never by `import enrichwatch`.
HEAVY = ("numpy", "scipy", "sqlalchemy", "alembic", "pydantic", "matplotlib", "jinja2", "typer",
         "rich", "cryptography", "psycopg", "dask", "distributed")


def _loaded_after(code: str) -> list[str]:
    """Top-level packages among HEAVY in sys.modules after running ``code`` in a fresh
    interpreter."""
    probe = (f"{code}\nimport json, sys\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                         text=True).stdout
    return [m for m in json.loads(out) if m in HEAVY]


def _type_checking_imports(module) -> dict[str, str]:
    """Name -> relative module of the imports in the module's ``if TYPE_CHECKING:`` block."""
    tree = ast.parse(Path(module.__file__).read_text())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.level == 1
                for alias in imp.names:
                    found[alias.asname or alias.name] = imp.module
    return found


def test_import_enrichwatch_loads_no_heavy_dependency():
    assert _loaded_after("import enrichwatch") == []


def test_names_load_only_what_they_need():
    assert _loaded_after("import enrichwatch as ew; ew.Assay; ew.RecordDraft; "
                         "ew.InputError; ew.ProblemsError") == ["numpy"]
    assert "scipy" not in _loaded_after("from enrichwatch.physics.swu import enrich")
    assert "scipy" not in _loaded_after("import enrichwatch as ew; ew.enrich")


def test_every_public_name_resolves_to_its_package_face():
    for name in enrichwatch.__all__:
        obj = getattr(enrichwatch, name)
        if name == "__version__":
            continue
        package = importlib.import_module(f"enrichwatch.{enrichwatch._EXPORTS[name]}")
        assert name in package.__all__, (name, package.__name__)
        assert getattr(package, name) is obj


def test_all_export_table_and_type_checking_block_agree():
    assert len(enrichwatch.__all__) == len(set(enrichwatch.__all__))
    assert set(enrichwatch.__all__) == set(enrichwatch._EXPORTS) | {"__version__"}
    assert _type_checking_imports(enrichwatch) == enrichwatch._EXPORTS


def test_dir_lists_the_public_names_and_packages():
    listed = dir(enrichwatch)
    assert set(enrichwatch.__all__) <= set(listed)
    assert set(PACKAGES) <= set(listed)


def test_packages_load_as_attributes():
    assert enrichwatch.records is importlib.import_module("enrichwatch.records")
    assert enrichwatch.constants.SQ_HEU_U235_KG == 25.0


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Asay'"):
        enrichwatch.Asay  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'enrichh'"):
        physics.enrichh  # noqa: B018


def test_physics_face_is_lazy_and_complete():
    assert set(physics.__all__) == set(physics._EXPORTS)
    assert _type_checking_imports(physics) == physics._EXPORTS
    for name in physics.__all__:
        module = importlib.import_module(f"enrichwatch.physics.{physics._EXPORTS[name]}")
        assert name in module.__all__, (name, module.__name__)
        assert getattr(physics, name) is getattr(module, name)
    assert set(physics.__all__) <= set(dir(physics))


def _modules():
    for info in pkgutil.walk_packages(enrichwatch.__path__, "enrichwatch."):
        if ".migrations" not in info.name and info.name != "enrichwatch.__main__":
            yield info.name


@pytest.mark.parametrize("name", sorted(_modules()))
def test_every_module_with_public_names_declares_them(name):
    module = importlib.import_module(name)
    tree = ast.parse(Path(module.__file__).read_text())
    defined = {node.name for node in tree.body
               if isinstance(node, ast.FunctionDef | ast.ClassDef)
               and not node.name.startswith("_")}
    if not defined and not hasattr(module, "__all__"):
        return                                  # nothing public (a module of imports only)
    assert hasattr(module, "__all__"), f"{name} has public names but no __all__"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it does not have: {missing}"


@pytest.mark.parametrize("package", PACKAGES)
def test_package_faces_name_what_they_have(package):
    module = importlib.import_module(f"enrichwatch.{package}")
    assert sorted(module.__all__) == sorted(set(module.__all__))
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_api_reference_lists_every_public_name():
    text = API_DOC.read_text()
    missing = [n for n in enrichwatch.__all__ if f"`ew.{n}`" not in text and f"`{n}`" not in text]
    assert not missing, f"docs/api.md does not describe {missing}"


def test_readme_tour_uses_the_one_import():
    readme = (ROOT / "README.md").read_text()
    tour = readme.split("## The Python API: a short tour", 1)[1].split("\n## ", 1)[0]
    imports = [line for line in tour.splitlines() if ">>> import" in line or ">>> from" in line]
    assert imports == [">>> import enrichwatch as ew"]
    assert "docs/api.md" in tour

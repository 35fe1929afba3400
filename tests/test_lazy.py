"""enrichwatch.lazy: the packages' lazy exports (PEP 562), alone and in the six package faces.

That every name of a face resolves to its module's own is tested with the faces: tests/test_api.py
(the root, physics, breakout, records, evaluation) and tests/cli/test_cli_startup.py
(evaluation); the web face is here."""

import importlib
import json
import subprocess
import sys

import pytest

import enrichwatch
from enrichwatch.lazy import lazy_exports

#: The packages whose face is built with lazy_exports.
FACES = ("enrichwatch", "enrichwatch.physics", "enrichwatch.evaluation", "enrichwatch.records",
         "enrichwatch.breakout", "enrichwatch.web")


def _json_face(**options):
    """A face over the standard library's json package: (namespace, __getattr__, __dir__)."""
    namespace: dict[str, object] = {"__name__": "json"}
    getattr_, dir_ = lazy_exports("json", {"JSONDecoder": "decoder", "JSONEncoder": "encoder"},
                                  namespace, ["JSONDecoder", "JSONEncoder"], **options)
    return namespace, getattr_, dir_


def test_a_name_loads_from_its_module_and_is_kept_in_the_namespace():
    namespace, getattr_, _ = _json_face()
    assert getattr_("JSONDecoder") is json.JSONDecoder
    assert namespace["JSONDecoder"] is json.JSONDecoder
    assert "JSONEncoder" not in namespace                   # (only what was asked for)


def test_an_unknown_name_raises_pythons_own_error():
    namespace, getattr_, _ = _json_face(submodules=["scanner"])
    with pytest.raises(AttributeError) as raised:
        getattr_("JSONDecoded")
    assert str(raised.value) == "module 'json' has no attribute 'JSONDecoded'"
    assert list(namespace) == ["__name__"]


@pytest.mark.parametrize("package", FACES)
def test_an_unknown_name_of_a_face_raises_pythons_own_error(package):
    module = importlib.import_module(package)
    with pytest.raises(AttributeError) as raised:
        module.no_such_name  # noqa: B018
    assert str(raised.value) == f"module {package!r} has no attribute 'no_such_name'"
    assert "no_such_name" not in vars(module)


def test_a_submodule_loads_as_an_attribute():
    namespace, getattr_, _ = _json_face(submodules=["scanner"])
    assert getattr_("scanner") is importlib.import_module("json.scanner")
    assert namespace["scanner"] is importlib.import_module("json.scanner")


def test_dir_lists_the_public_names_the_submodules_and_optionally_the_globals():
    _, _, dir_ = _json_face(submodules=["scanner"])
    assert dir_() == ["JSONDecoder", "JSONEncoder", "__name__", "scanner"]
    _, getattr_, dir_ = _json_face(submodules=["scanner"], list_globals=False)
    getattr_("JSONDecoder")
    assert dir_() == ["JSONDecoder", "JSONEncoder", "scanner"]


def test_the_faces_dir():
    from enrichwatch import breakout, evaluation, physics, records, web

    for face in (physics, evaluation, breakout):            # public names and globals
        assert dir(face) == sorted(set(vars(face)) | set(face.__all__))
    for face in (records, web):                             # public names only
        assert dir(face) == sorted(face.__all__)
    assert dir(enrichwatch) == sorted(set(vars(enrichwatch)) | set(enrichwatch.__all__)
                                      | set(enrichwatch._SUBMODULES))


def test_the_root_loads_nothing_until_a_name_is_used_then_its_package():
    """In a fresh interpreter: ``import enrichwatch`` loads no module of enrichwatch but itself
    (not even this helper); a package name (``ew.report``) loads that package, kept in the
    root's globals."""
    probe = ("import json, sys\n"
             "import enrichwatch as ew\n"
             "ours = lambda: sorted(m for m in sys.modules if m.startswith('enrichwatch'))\n"
             "before = ours()\n"
             "report = ew.report\n"
             "print(json.dumps([before, ours(), report is sys.modules['enrichwatch.report'],\n"
             "                  vars(ew)['report'] is report]))\n")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                         text=True, timeout=600).stdout
    before, after, is_module, kept = json.loads(out)
    assert before == ["enrichwatch"]
    assert {"enrichwatch.lazy", "enrichwatch.report"} <= set(after)
    assert is_module and kept


def test_every_name_of_the_web_face_is_its_modules_own():
    from enrichwatch import web

    assert set(web.__all__) == set(web._LAZY)
    for name in web.__all__:
        module = importlib.import_module(f"enrichwatch.web.{web._LAZY[name]}")
        assert getattr(web, name) is getattr(module, name), name
        assert vars(web)[name] is getattr(module, name), name

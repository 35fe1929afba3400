"""The safe edges of enrichwatch.files: reading only regular files of bounded size, output
paths that never replace devices or FIFOs, confinement of referenced files, nesting depth and
password redaction."""

from __future__ import annotations

import os

import pytest

from enrichwatch.errors import InputError
from enrichwatch.files import (
    MAX_FILE_BYTES,
    MAX_NESTING_DEPTH,
    FileRefused,
    ProblemsError,
    check_depth,
    check_output_file,
    confined_path,
    output_problem,
    parse_toml,
    read_text_file,
    read_toml_file,
    redact_secrets,
)


def test_reads_a_regular_file(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text("x = 1\n", encoding="utf-8")
    assert read_text_file(path) == "x = 1\n"


@pytest.mark.parametrize("kind", ["fifo", "folder", "/dev/zero", "/dev/null"])
def test_refuses_what_is_not_a_regular_file_without_blocking(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)                       # nobody writes: a blocking open would hang
    elif kind == "folder":
        path = tmp_path
    else:
        path = kind
        if not os.path.exists(path):
            pytest.skip(f"no {path}")
    with pytest.raises(FileRefused, match="a regular file is needed"):
        read_text_file(path)


def test_refuses_a_file_over_the_size_limit(tmp_path):
    path = tmp_path / "big.toml"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(FileRefused, match=f"at most {MAX_FILE_BYTES} bytes"):
        read_text_file(path)
    path.write_text("x" * 10)
    with pytest.raises(FileRefused, match="at most 5 bytes"):
        read_text_file(path, max_bytes=5)


def test_missing_file_and_bad_utf8(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_text_file(tmp_path / "none")
    (tmp_path / "latin.toml").write_bytes(b"x = '\xe9'\n")
    with pytest.raises(UnicodeDecodeError):
        read_text_file(tmp_path / "latin.toml")
    with pytest.raises(ProblemsError, match="a readable UTF-8 file"):
        read_toml_file(tmp_path / "latin.toml")


def test_output_paths(tmp_path):
    assert output_problem(tmp_path / "new.html") is None
    (tmp_path / "old.html").write_text("x")
    assert output_problem(tmp_path / "old.html") is None
    assert "folder" in output_problem(tmp_path)
    assert "existing folder" in output_problem(tmp_path / "no" / "x.html")
    os.mkfifo(tmp_path / "pipe")
    assert "FIFO" in output_problem(tmp_path / "pipe")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "x")
    assert "symbolic link to nothing" in output_problem(tmp_path / "dangling")
    with pytest.raises(InputError, match="character device"):
        check_output_file("/dev/null", "--report")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_output_in_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert "may write to" in output_problem(folder / "x.html")
    finally:
        folder.chmod(0o700)


def test_confinement(tmp_path):
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "sub").mkdir()
    base = tmp_path / "case"
    assert confined_path("sub/../p.toml", base) == base.resolve() / "p.toml"
    for name in ("../p.toml", "/etc/passwd", "sub/../../p.toml", "~/p.toml"):
        with pytest.raises(FileRefused, match="inside the case file's folder"):
            confined_path(name, base)
    (base / "out.toml").symlink_to(tmp_path / "p.toml")
    with pytest.raises(FileRefused):
        confined_path("out.toml", base)
    assert confined_path("../p.toml", base, allow_outside=True) == tmp_path.resolve() / "p.toml"
    for bad in ("", "a\x00b", 3):
        with pytest.raises(FileRefused, match="a file name"):
            confined_path(bad, base)


def test_nesting_depth():
    check_depth({"a": [[1]]}, 3)
    with pytest.raises(ValueError, match="nested 4 levels"):
        check_depth({"a": [[{}]]}, 3)
    doc = 1
    for _ in range(100_000):                   # iterative: no recursion limit
        doc = [doc]
    with pytest.raises(ValueError):
        check_depth(doc)


@pytest.mark.parametrize("text", [
    "a = " + "[" * 50_000 + "]" * 50_000,
    "[" + ".".join(["t"] * (MAX_NESTING_DEPTH + 1)) + "]",
    "a = " + "{ b = " * 20 + "1" + " }" * 20,
])
def test_parse_toml_refuses_deep_documents(text):
    with pytest.raises(ProblemsError, match=f"nested at most {MAX_NESTING_DEPTH} levels") as info:
        parse_toml(text, "deep.toml")
    assert info.value.problems[0].key == "nesting"


def test_parse_toml_accepts_the_deepest_allowed():
    text = "[" + ".".join(["t"] * (MAX_NESTING_DEPTH - 1)) + "]\nx = 1\n"
    assert parse_toml(text, "ok.toml")


@pytest.mark.parametrize(("text", "shown"), [
    ("postgresql://ann:pw@db/x", "postgresql://ann:***@db/x"),
    ("postgresql+psycopg://ann:p@ss:w/rd@db:5432/x", "postgresql+psycopg://ann:***@db:5432/x"),
    ("failed for 'postgres://u:secret@h/d' at once", "failed for 'postgres://u:***@h/d' at once"),
    ("host=h password=secret user=u", "host=h password=*** user=u"),
    ("dsn: password='a b' x", "dsn: password=*** x"),
    ("postgresql://h/d?password=secret&sslmode=x", "postgresql://h/d?password=***&sslmode=x"),
    ("file 'postgresql:/ann:pw@db/x' not found", "file 'postgresql:/ann:***@db/x' not found"),
    ("postgresql://ann@db/x", "postgresql://ann@db/x"),
    ("postgresql://db:5432/x", "postgresql://db:5432/x"),
])
def test_redact_secrets(text, shown):
    assert redact_secrets(text) == shown

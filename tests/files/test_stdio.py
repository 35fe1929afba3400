"""``-`` for standard input in the one safe reader."""

import io

import pytest

from enrichwatch.files import FileRefused, is_stdio, read_text_file


def test_dash_reads_standard_input_within_the_limit(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"a = 1\n")))
    assert read_text_file("-") == "a = 1\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"x" * 101)))
    with pytest.raises(FileRefused, match="standard input of at most 100 bytes"):
        read_text_file("-", max_bytes=100)


def test_only_a_bare_dash_means_standard_io():
    assert is_stdio("-") and not is_stdio("./-") and not is_stdio(None) and not is_stdio("a-b")

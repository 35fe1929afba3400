"""A memo of the signatures the verifying account has verified: each valid Ed25519 signature
is checked once, not on every ``verify()``.

Verifying a signature costs ~50-100 us (Ed25519 through ``cryptography``), a hundred times the
rest of ``verify()``'s work on a record, so a signed ledger of 100,000 records takes 5-10 s to
verify, every time. Whether a signature is valid depends on nothing but the public key, the
record hash and the signature: once verified, the same three texts are valid for ever. The memo
keeps, for every triple found valid, a *tag*: a 16-byte keyed BLAKE2b MAC of the triple under
a secret key of the verifying account. ``verify()`` then verifies a signature only when its tag
is not in the memo; every other check (chain, hashes, canonical payloads, the key each record
is checked against, the signature requirements and authorisations) is made as before, and an
invalid or altered signature is never in the memo, so it is found and reported every time.

Why a forged entry cannot skip a check: the memo and its key live outside the store, in a
folder of the verifying account (created mode 0700, the key file 0600 and refused if others
may read or write it). Someone who can rewrite the store, but not read that key, cannot make
the tag of a signature that was not verified (a MAC), and adding, copying or replaying bytes
in the memo gives only tags of triples verified valid before. Whoever can read the key runs
as the verifying account, and could as well change the program that verifies. Deleting the
memo only makes the next ``verify()`` slower.

Examples
--------
>>> import tempfile
>>> from enrichwatch.records.signing import Signer
>>> signer = Signer.generate("IAEA")
>>> digest = "ab" * 32
>>> with tempfile.TemporaryDirectory() as folder:
...     memo = SignatureMemo(folder)
...     first = memo.verify(signer.public_key_hex, digest, signer.sign(digest))
...     memo.save()
...     again = SignatureMemo(folder)
...     print(first, len(again), again.verify(signer.public_key_hex, digest,
...                                           signer.sign(digest)))
True 1 True
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from pathlib import Path

__all__ = ["MEMO_ENV", "SignatureMemo", "default_memo_folder"]

#: Environment variable naming the memo's folder (the command line's default).
MEMO_ENV = "ENRICHWATCH_SIGNATURE_MEMO"
_KEY_FILE = "memo.key"
_MEMO_FILE = "verified-signatures.bin"
_TAG_BYTES = 16
_KEY_BYTES = 32
#: Most tags kept [count] (16 bytes each): beyond, the memo starts afresh.
MAX_TAGS = 4_000_000


def _verify_signature(public_key: str, record_hash: str, signature: str) -> bool:
    from .signing import verify_signature  # cryptography: loaded when a signature is checked

    return verify_signature(public_key, record_hash, signature)


def default_memo_folder() -> Path:
    """``$ENRICHWATCH_SIGNATURE_MEMO`` if set, else ``enrichwatch/signature-memo`` in the
    user's cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``)."""
    if os.environ.get(MEMO_ENV):
        return Path(os.environ[MEMO_ENV]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "enrichwatch" / "signature-memo"


def _private(path: Path) -> bool:
    """Whether ``path`` belongs to this account and no one else may read or write it."""
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)


def _read_key(folder: Path) -> bytes:
    path = folder / _KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        fd = None
    if fd is None:
        if not _private(path):
            raise PermissionError(f"{path}: others may read or write it; not used")
        key = path.read_bytes()
        if len(key) != _KEY_BYTES:
            raise PermissionError(f"{path}: not a memo key ({len(key)} bytes)")
        return key
    key = secrets.token_bytes(_KEY_BYTES)
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


class SignatureMemo:
    """The tags of the signatures verified valid, kept in ``folder`` (created if need be).

    Parameters
    ----------
    folder : path
        Where the key and the tags are kept (:func:`default_memo_folder` for the account's).

    Raises
    ------
    PermissionError
        If the folder or the key file may be read or written by others (the memo would then
        prove nothing), or is not the account's.
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(self.folder):
            raise PermissionError(f"{self.folder}: others may read or write it; not used")
        self._key = _read_key(self.folder)
        self._file = self.folder / _MEMO_FILE
        self._known = self._load()
        self._new: list[bytes] = []

    def _load(self) -> set[bytes]:
        try:
            data = self._file.read_bytes()
        except FileNotFoundError:
            return set()
        end = len(data) - len(data) % _TAG_BYTES
        return {data[i:i + _TAG_BYTES] for i in range(0, end, _TAG_BYTES)}

    def __len__(self) -> int:
        return len(self._known)

    def __repr__(self) -> str:
        return f"SignatureMemo({str(self.folder)!r}, {len(self)} signatures)"

    def _tag(self, public_key: str, record_hash: str, signature: str) -> bytes:
        # texts of fixed alphabets joined by ':' (never in hex): no two triples share a text
        text = f"{public_key}:{record_hash}:{signature}".encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, key=self._key, digest_size=_TAG_BYTES).digest()

    def verify(self, public_key: str, record_hash: str, signature: str) -> bool:
        """:func:`~enrichwatch.records.signing.verify_signature`, answered from the memo
        for a triple verified valid before."""
        if not (type(public_key) is str and type(record_hash) is str
                and type(signature) is str):
            return _verify_signature(public_key, record_hash, signature)
        tag = self._tag(public_key, record_hash, signature)
        if tag in self._known:
            return True
        valid = _verify_signature(public_key, record_hash, signature)
        if valid:
            self._known.add(tag)
            self._new.append(tag)
        return valid

    def save(self) -> None:
        """Add the tags of the signatures verified since the last save to the memo file (one
        append; a memo grown past :data:`MAX_TAGS` starts afresh)."""
        if not self._new:
            return
        fresh = len(self._known) > MAX_TAGS
        data = memoryview(b"".join(self._new[-MAX_TAGS:]))
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if fresh else os.O_APPEND)
        fd = os.open(self._file, flags, 0o600)
        try:
            while data:
                data = data[os.write(fd, data):]
        finally:
            os.close(fd)
        if fresh:
            self._known = set(self._new[-MAX_TAGS:])
        self._new = []

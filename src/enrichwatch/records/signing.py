"""Ed25519 signatures of records, the keys behind them, and the book of registered parties.

A party (a State, an inspectorate, an analyst) registers with a ``party`` record carrying its
hex public key and whether everything it submits must be signed. A :class:`Signer` holds the
party's private key and signs the 32 bytes of a record's ``hash`` (the hex SHA-256 of the
chain); the signature is stored as 128 lower-case hex digits. Keys are kept in PEM files
(PKCS#8 for private keys, optionally encrypted with a password).

Examples
--------
>>> signer = Signer.generate("IAEA")
>>> signer
Signer('IAEA', public_key='...')
>>> digest = "ab" * 32
>>> signature = signer.sign(digest)
>>> verify_signature(signer.public_key_hex, digest, signature)
True
>>> verify_signature(signer.public_key_hex, "cd" * 32, signature)
False
>>> pem = private_key_to_pem(signer.private_key)
>>> Signer("IAEA", private_key_from_pem(pem)).public_key_hex == signer.public_key_hex
True
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = [
    "Signer",
    "generate_private_key",
    "SMALL_ORDER_KEYS",
    "is_public_key_hex",
    "load_private_key",
    "private_key_from_pem",
    "private_key_to_pem",
    "public_key_hex",
    "public_key_problem",
    "save_private_key",
    "verify_signature",
]

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX128 = re.compile(r"^[0-9a-f]{128}$")
_PRIVATE_FILE_MODE = 0o600


def generate_private_key() -> Ed25519PrivateKey:
    """A new random Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def public_key_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw 32-byte public key as 64 lower-case hex digits."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def private_key_to_pem(key: Ed25519PrivateKey, password: bytes | None = None) -> bytes:
    """The private key as PKCS#8 PEM, encrypted when a password is given."""
    encryption = (serialization.NoEncryption() if password is None
                  else serialization.BestAvailableEncryption(password))
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             encryption)


def private_key_from_pem(data: bytes, password: bytes | None = None) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM bytes.

    Raises
    ------
    ValueError
        If the PEM does not hold an Ed25519 private key (or the password is wrong).
    """
    key = serialization.load_pem_private_key(data, password=password)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"expected an Ed25519 private key, found {type(key).__name__}")
    return key


def save_private_key(key: Ed25519PrivateKey, path: str | os.PathLike,
                     password: bytes | None = None) -> Path:
    """Write the private key as PEM to a new file readable by its owner only (mode 0600).

    Raises
    ------
    FileExistsError
        If the file exists (keys are never overwritten).
    """
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE_FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        out.write(private_key_to_pem(key, password))
    return path


def load_private_key(path: str | os.PathLike, password: bytes | None = None) -> Ed25519PrivateKey:
    """Read an Ed25519 private key from a PEM file."""
    return private_key_from_pem(Path(path).read_bytes(), password)


def verify_signature(public_key: str, record_hash: str, signature: str) -> bool:
    """Whether ``signature`` (128 lower-case hex digits) is the signature of the 32 bytes of
    ``record_hash`` by the hex Ed25519 ``public_key``. Any malformed input gives False."""
    if not (isinstance(signature, str) and _HEX128.match(signature)
            and isinstance(record_hash, str) and _HEX64.match(record_hash)
            and isinstance(public_key, str)):
        return False
    key = _public_key_object(public_key)
    if key is None:
        return False
    try:
        key.verify(bytes.fromhex(signature), bytes.fromhex(record_hash))
    except (InvalidSignature, ValueError):
        return False
    return True


@functools.lru_cache(maxsize=256)
def _public_key_object(text: str) -> Ed25519PublicKey | None:
    """The key object of an acceptable hex public key (None if not acceptable), loaded once:
    a ledger has few keys and many signatures."""
    if not is_public_key_hex(text):
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))
    except ValueError:
        return None


# -- public key validation -----------------------------------------------------------------------
_P = 2**255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)

#: The canonical encodings of the eight points of small order (dividing 8) of edwards25519: the
#: identity (order 1), the point of order 2, the two of order 4 and the four of order 8. Source:
#: Chalkias, Garillot, Nikolaenko, "Taming the many EdDSAs" (IACR ePrint 2020/1244), Table 5;
#: the same points as libsodium's ``ge25519_has_small_order`` blocklist. A key that is one of
#: them (or any other encoding of a small-order point) verifies signatures anyone can forge.
SMALL_ORDER_KEYS: tuple[str, ...] = (
    "0100000000000000000000000000000000000000000000000000000000000000",  # identity, order 1
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4 (all zero)
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
)


def _decode_point(raw: bytes) -> tuple[int, int] | None:
    """RFC 8032 section 5.1.3: the point (x, y) of a 32-byte encoding, or None if the encoding
    is not canonical (y >= p, or x = 0 with the sign bit set) or not on the curve."""
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    sign = raw[31] >> 7
    if y >= _P:
        return None
    u, v = (y * y - 1) % _P, (_D * y * y + 1) % _P
    x = (u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P)) % _P
    if (v * x * x - u) % _P != 0:
        x = (x * _SQRT_M1) % _P
        if (v * x * x - u) % _P != 0:
            return None
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = _P - x
    return x, y


def _double(point: tuple[int, int]) -> tuple[int, int]:
    x, y = point
    dxy = _D * x * x * y * y % _P
    return ((2 * x * y * pow(1 + dxy, _P - 2, _P)) % _P,
            ((y * y + x * x) * pow(1 - dxy, _P - 2, _P)) % _P)


@functools.lru_cache(maxsize=1024)
def _key_problem(text: str) -> str | None:
    return _public_key_problem(text)


def public_key_problem(text: object) -> str | None:
    """Why ``text`` is not an acceptable Ed25519 public key, or None when it is (see
    :func:`_public_key_problem`; answers for valid-looking text are cached)."""
    if not (isinstance(text, str) and _HEX64.match(text)):
        return "not 64 lower-case hex digits"
    return _key_problem(text)


def _public_key_problem(text: str) -> str | None:
    """Why ``text`` is not an acceptable Ed25519 public key, or None when it is.

    Accepted: 64 lower-case hex digits encoding, canonically (RFC 8032 section 5.1.3), a point
    of the curve whose order is not small (8 times the point is not the identity). Refused:
    malformed text, encodings with y >= p or a negative zero, points off the curve, and every
    point of small order (:data:`SMALL_ORDER_KEYS` and their non-canonical encodings).
    """
    if not (isinstance(text, str) and _HEX64.match(text)):
        return "not 64 lower-case hex digits"
    raw = bytes.fromhex(text)
    if text in SMALL_ORDER_KEYS:
        return "a point of small order (anyone can forge its signatures)"
    point = _decode_point(raw)
    if point is None:
        return "not the canonical encoding of a point on the Ed25519 curve"
    eight = _double(_double(_double(point)))
    if eight == (0, 1):
        return "a point of small order (anyone can forge its signatures)"
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return "not an Ed25519 public key"
    return None


def is_public_key_hex(text: object) -> bool:
    """Whether ``text`` is an acceptable Ed25519 public key (:func:`public_key_problem`)."""
    return public_key_problem(text) is None


class Signer:
    """The submitting party's identity and private key; signs record hashes.

    Parameters
    ----------
    party : str
        The party id, as registered by a ``party`` record.
    private_key : Ed25519PrivateKey
        Its private key (see :func:`load_private_key`, :meth:`generate`).
    """

    def __init__(self, party: str, private_key: Ed25519PrivateKey) -> None:
        if not isinstance(private_key, Ed25519PrivateKey):
            raise TypeError("private_key must be an Ed25519PrivateKey")
        self.party = party
        self.private_key = private_key
        self.public_key_hex = public_key_hex(private_key)

    @classmethod
    def generate(cls, party: str) -> Signer:
        """A signer with a new random key."""
        return cls(party, generate_private_key())

    @classmethod
    def from_pem_file(cls, party: str, path: str | os.PathLike,
                      password: bytes | None = None) -> Signer:
        """A signer whose private key is read from a PEM file."""
        return cls(party, load_private_key(path, password))

    def save(self, path: str | os.PathLike, password: bytes | None = None) -> Path:
        """Write the private key to a new PEM file (mode 0600)."""
        return save_private_key(self.private_key, path, password)

    def sign(self, record_hash: str) -> str:
        """The hex signature of the 32 bytes of a hex record hash."""
        return self.private_key.sign(bytes.fromhex(record_hash)).hex()

    def party_payload(self, requires_signature: bool = True) -> dict:
        """The payload of the ``party`` record that registers this signer's key."""
        return {"party": self.party, "public_key": self.public_key_hex,
                "requires_signature": requires_signature}

    def __repr__(self) -> str:
        return f"Signer({self.party!r}, public_key='{self.public_key_hex[:12]}...')"

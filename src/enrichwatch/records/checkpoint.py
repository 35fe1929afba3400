"""Signed checkpoints of the ledger's Merkle tree, and checking a store against one.

A checkpoint is a small JSON document a party signs and keeps *outside* the store (a file, an
e-mail, a printed page): the tree size, the Merkle root of the first ``tree_size`` records
(:mod:`.merkle`, RFC 9162 hashing over the record hashes), the last record's hash, the hashes of
the perfect subtrees that make up the tree (the "compact range", which later shows *which*
stretch of records a rewrite changed), the time, and the signer's party and public key::

    {"format": "enrichwatch-checkpoint/1", "tree_size": 7, "root_hash": "...",
     "head_hash": "...", "subtrees": ["...", "...", "..."],
     "time": "2026-12-04T10:00:00.000000Z", "party": "IAEA", "public_key": "...",
     "signature": "..."}

The signature is the Ed25519 signature (:mod:`.signing`) of the 32 bytes of SHA-256 of the
canonical JSON (:func:`~enrichwatch.records.chain.canonical_json`) of every other key.

:func:`check_against` then proves that the store is an append-only extension of the checkpoint
(an RFC 9162 consistency proof from the checkpoint's tree to the store's, verified against the
checkpoint's root), and if not, names what changed: records missing from the end (truncation),
the stretch of records whose hashes differ (a rewrite, even one re-chained and re-signed), or
records appended after the checkpoint with an earlier ``recorded_at`` (backdated).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..dates import format_timestamp, parse_timestamp
from .chain import VerificationProblem, canonical_json
from .errors import RecordError
from .merkle import (
    compact_range,
    compact_range_bounds,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

__all__ = ["CHECKPOINT_FORMAT", "AnchorReport", "Checkpoint", "check_against", "leaves_of",
           "make_checkpoint", "prove_inclusion", "verify_inclusion_proof"]

CHECKPOINT_FORMAT = "enrichwatch-checkpoint/1"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX128 = re.compile(r"^[0-9a-f]{128}$")
_KEYS = ("format", "tree_size", "root_hash", "head_hash", "subtrees", "time", "party",
         "public_key", "signature")
#: Largest checkpoint file read [bytes] (a checkpoint of 2**63 records is ~2.5 kB).
MAX_CHECKPOINT_BYTES = 64 * 1024


def _leaf_data(record_hash: str) -> bytes:
    if isinstance(record_hash, str) and _HEX64.match(record_hash):
        return bytes.fromhex(record_hash)
    return str(record_hash).encode("utf-8", "surrogatepass")  # a tampered hash: still a leaf


def leaves_of(record_hashes: Sequence[str]) -> list[bytes]:
    """The Merkle leaf hashes of records, from their hex record hashes in ledger order."""
    return [leaf_hash(_leaf_data(h)) for h in record_hashes]


@dataclass(frozen=True)
class Checkpoint:
    """A signed checkpoint (see the module docstring). Build with :func:`make_checkpoint`;
    read with :meth:`load` / :meth:`from_dict`, which check its form and signature."""

    tree_size: int
    root_hash: str
    head_hash: str
    subtrees: tuple[str, ...]
    time: str
    party: str
    public_key: str
    signature: str
    format: str = CHECKPOINT_FORMAT

    def body(self) -> dict[str, Any]:
        """The signed content: every key but ``signature``."""
        out = asdict(self)
        out.pop("signature")
        out["subtrees"] = list(self.subtrees)
        return out

    def digest(self) -> str:
        """Hex SHA-256 of the canonical JSON of :meth:`body` (what is signed)."""
        return hashlib.sha256(canonical_json(self.body()).encode("ascii")).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        return {**self.body(), "signature": self.signature}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2) + "\n"

    def save(self, path: str | os.PathLike) -> Path:
        """Write the checkpoint to a new file (an existing file is never overwritten)."""
        path = Path(path)
        with open(path, "x", encoding="ascii") as out:
            out.write(self.to_json())
        return path

    @classmethod
    def from_dict(cls, data: Any, where: str = "checkpoint") -> Checkpoint:
        """A checkpoint from its JSON object, checked: keys, types, hex fields, consistent
        subtrees, and a valid signature by the key it names.

        Raises
        ------
        RecordError
            Naming the key at fault.
        """
        from .signing import public_key_problem, verify_signature

        def bad(key: str, value: Any, allowed: str) -> RecordError:
            return RecordError.of(where, key, value, allowed)

        if not isinstance(data, Mapping):
            raise bad("checkpoint", type(data).__name__, "a JSON object")
        unknown = sorted(set(data) - set(_KEYS))
        missing = [k for k in _KEYS if k not in data]
        if unknown:
            raise bad(unknown[0], data[unknown[0]], "one of " + ", ".join(_KEYS))
        if missing:
            raise bad(missing[0], "(missing)", "a value (required key)")
        if data["format"] != CHECKPOINT_FORMAT:
            raise bad("format", data["format"], repr(CHECKPOINT_FORMAT))
        size = data["tree_size"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise bad("tree_size", size, "a whole number >= 0")
        for key in ("root_hash", "head_hash"):
            if not (isinstance(data[key], str) and _HEX64.match(data[key])):
                raise bad(key, data[key], "64 lower-case hex digits")
        subtrees = data["subtrees"]
        if (not isinstance(subtrees, list) or len(subtrees) != bin(size).count("1")
                or not all(isinstance(h, str) and _HEX64.match(h) for h in subtrees)):
            raise bad("subtrees", subtrees, f"a list of {bin(size).count('1')} hashes of 64 "
                                            "lower-case hex digits (one per 1-bit of tree_size)")
        try:
            parse_timestamp(data["time"])
        except (TypeError, ValueError):
            raise bad("time", data["time"], "a UTC time YYYY-MM-DDTHH:MM:SS.ffffffZ") from None
        if not (isinstance(data["party"], str) and data["party"].strip()):
            raise bad("party", data["party"], "a party id")
        problem = public_key_problem(data["public_key"])
        if problem is not None:
            raise bad("public_key", data["public_key"], f"an Ed25519 public key ({problem})")
        if not (isinstance(data["signature"], str) and _HEX128.match(data["signature"])):
            raise bad("signature", data["signature"], "128 lower-case hex digits")
        checkpoint = cls(tree_size=size, root_hash=data["root_hash"],
                         head_hash=data["head_hash"], subtrees=tuple(subtrees),
                         time=data["time"], party=data["party"],
                         public_key=data["public_key"], signature=data["signature"])
        from .merkle import root_from_compact_range

        if root_from_compact_range([bytes.fromhex(h) for h in subtrees]).hex() != \
                data["root_hash"]:
            raise bad("subtrees", "(do not fold to root_hash)",
                      "the subtree hashes of the tree whose root is root_hash")
        if not verify_signature(checkpoint.public_key, checkpoint.digest(),
                                checkpoint.signature):
            raise bad("signature", data["signature"][:16] + "...",
                      f"the signature by key {data['public_key'][:16]}... of the checkpoint "
                      "(the checkpoint was altered, or signed by another key)")
        return checkpoint

    @classmethod
    def load(cls, path: str | os.PathLike) -> Checkpoint:
        """Read and check a checkpoint file (:meth:`from_dict`)."""
        path = Path(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_CHECKPOINT_BYTES + 1)
            if len(data) > MAX_CHECKPOINT_BYTES:
                raise ValueError(f"larger than {MAX_CHECKPOINT_BYTES} bytes")
            parsed = json.loads(data.decode("utf-8"))
        except (OSError, ValueError) as err:
            raise RecordError.of(str(path), "checkpoint", str(path),
                                 f"a readable checkpoint JSON file ({err})") from None
        return cls.from_dict(parsed, str(path))


def make_checkpoint(record_hashes: Sequence[str], signer, now: datetime | None = None
                    ) -> Checkpoint:
    """Sign a checkpoint of the ledger whose records have these hashes (in ledger order)."""
    leaves = leaves_of(record_hashes)
    unsigned = Checkpoint(tree_size=len(leaves), root_hash=tree_root(leaves).hex(),
                          head_hash=record_hashes[-1] if record_hashes else "0" * 64,
                          subtrees=tuple(h.hex() for h in compact_range(leaves)),
                          time=format_timestamp(now or datetime.now(UTC)),
                          party=signer.party, public_key=signer.public_key_hex,
                          signature="")
    return Checkpoint(**{**asdict(unsigned), "subtrees": unsigned.subtrees,
                         "signature": signer.sign(unsigned.digest())})


@dataclass(frozen=True)
class AnchorReport:
    """The outcome of checking a store against a checkpoint.

    Attributes
    ----------
    ok : bool
        The store is an append-only extension of the checkpoint.
    problems : list of VerificationProblem
        What changed, naming record ids.
    checkpoint_size, store_size : int
    root_hash : str
        The store's Merkle root now.
    proof : list of str
        The consistency proof from the checkpoint's tree to the store's (hex; RFC 9162).
    """

    checkpoint: Checkpoint
    store_size: int
    root_hash: str
    proof: list[str] = field(default_factory=list)
    problems: list[VerificationProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        cp = self.checkpoint
        if self.ok:
            return (f"consistent with the checkpoint of {cp.time} signed by {cp.party!r}: its "
                    f"{cp.tree_size} records unchanged, {self.store_size - cp.tree_size} "
                    f"appended since (root {self.root_hash})")
        lines = [f"NOT consistent with the checkpoint of {cp.time} signed by {cp.party!r} "
                 f"({cp.tree_size} records): {len(self.problems)} problems"]
        return "\n  ".join(lines + [str(p) for p in self.problems])

    def as_dict(self) -> dict[str, Any]:
        cp = self.checkpoint
        return {"ok": self.ok, "checkpoint": {"tree_size": cp.tree_size,
                                              "root_hash": cp.root_hash, "time": cp.time,
                                              "party": cp.party, "public_key": cp.public_key},
                "store_size": self.store_size, "root_hash": self.root_hash,
                "consistency_proof": self.proof,
                "problems": [{"record_id": p.record_id, "what": p.what}
                             for p in self.problems]}


def check_against(checkpoint: Checkpoint, record_hashes: Sequence[str],
                  recorded_at: Sequence[str] = (),
                  registered_key: str | None = None) -> AnchorReport:
    """Check a ledger (its record hashes in order, and their ``recorded_at`` texts) against a
    checkpoint: the consistency proof, and what changed if it fails.

    ``registered_key``: the key the store registers for the checkpoint's party (if any); a
    different key is reported (the checkpoint was signed by a key the store does not know, or
    the store's key was substituted)."""
    m, n = checkpoint.tree_size, len(record_hashes)
    leaves = leaves_of(record_hashes)
    root = tree_root(leaves)
    problems: list[VerificationProblem] = []
    proof: list[bytes] = []
    if n < m:
        missing = f"record {m}" if n + 1 == m else f"records {n + 1} to {m}"
        problems.append(VerificationProblem(n + 1, f"missing: the checkpoint of {checkpoint.time}"
                                                   f" holds {m} records, the store {n}: "
                                                   f"{missing} removed (truncated)"))
    else:
        proof = consistency_proof(leaves, m)
        if not verify_consistency(m, n, bytes.fromhex(checkpoint.root_hash), root, proof):
            problems += _changed(checkpoint, leaves[:m], record_hashes)
        for i in range(m, n):
            if i < len(recorded_at) and recorded_at[i] < checkpoint.time:
                problems.append(VerificationProblem(
                    i + 1, f"recorded_at {recorded_at[i]} is before the checkpoint of "
                           f"{checkpoint.time}, which does not include it (backdated)"))
    if n < m:
        problems += _changed(checkpoint, leaves, record_hashes, upto=n)
    if registered_key is not None and registered_key != checkpoint.public_key:
        problems.append(VerificationProblem(
            0, f"the checkpoint is signed by key {checkpoint.public_key[:16]}..., but the store "
               f"registers {registered_key[:16]}... for {checkpoint.party!r}"))
    return AnchorReport(checkpoint, n, root.hex(), [p.hex() for p in proof], problems)


def _changed(checkpoint: Checkpoint, leaves: Sequence[bytes], record_hashes: Sequence[str],
             upto: int | None = None) -> list[VerificationProblem]:
    """The checkpoint's subtrees whose records differ in the store (those entirely within the
    first ``upto`` records, when the store is shorter)."""
    out = []
    for (start, end), expected in zip(compact_range_bounds(checkpoint.tree_size),
                                      checkpoint.subtrees, strict=True):
        if upto is not None and end > upto:
            break
        if tree_root(leaves[start:end]).hex() != expected:
            where = f"record {start + 1}" if end == start + 1 else \
                f"records {start + 1} to {end}"
            out.append(VerificationProblem(start + 1, f"changed since the checkpoint of "
                                                      f"{checkpoint.time}: {where} differ from "
                                                      "what it signed (the first changed record"
                                                      " is among them; rewritten or re-chained)"))
    if (upto is None and checkpoint.tree_size and
            record_hashes[checkpoint.tree_size - 1] != checkpoint.head_hash):
        out.append(VerificationProblem(checkpoint.tree_size,
                                       "hash differs from the head hash the checkpoint signed"))
    if not out and upto is None:
        out.append(VerificationProblem(1, "the ledger is not an extension of the checkpoint "
                                          "(consistency proof fails)"))
    return out


def prove_inclusion(record_hashes: Sequence[str], record_id: int,
                    tree_size: int | None = None) -> dict[str, Any]:
    """The inclusion proof of record ``record_id`` in the tree of the first ``tree_size``
    records (default all), as JSON values (RFC 9162 ``PATH``, hex)."""
    size = len(record_hashes) if tree_size is None else tree_size
    if not 1 <= size <= len(record_hashes):
        raise RecordError.of("prove", "tree_size", size,
                             f"a tree size from 1 to {len(record_hashes)}")
    if not 1 <= record_id <= size:
        raise RecordError.of("prove", "id", record_id, f"a record id from 1 to {size}")
    leaves = leaves_of(record_hashes[:size])
    return {"record_id": record_id, "leaf_index": record_id - 1, "tree_size": size,
            "record_hash": record_hashes[record_id - 1],
            "leaf_hash": leaves[record_id - 1].hex(), "root_hash": tree_root(leaves).hex(),
            "path": [h.hex() for h in inclusion_proof(leaves, record_id - 1)]}


def verify_inclusion_proof(proof: Mapping[str, Any], root_hash: str | None = None) -> bool:
    """Whether an inclusion proof (:func:`prove_inclusion`) holds: the record hash's leaf, its
    path and the root (``root_hash``, e.g. a checkpoint's, or the proof's own)."""
    try:
        leaf = leaf_hash(_leaf_data(proof["record_hash"]))
        root = bytes.fromhex(root_hash or proof["root_hash"])
        path = [bytes.fromhex(h) for h in proof["path"]]
        return verify_inclusion(leaf, proof["record_id"] - 1, proof["tree_size"], path, root)
    except (KeyError, TypeError, ValueError):
        return False

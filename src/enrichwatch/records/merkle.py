"""The ledger as a Merkle tree, in the manner of Certificate Transparency (RFC 6962 / RFC 9162).

The leaves are the records in ledger order; a leaf's input is the 32 bytes of the record's
``hash`` (the hex SHA-256 of the chain, :mod:`.chain`). Hashing is RFC 9162 section 2.1.1::

    MTH({})       = SHA-256()                                 (the empty tree)
    MTH({d(0)})   = SHA-256(0x00 || d(0))                     (a leaf)
    MTH(D[n])     = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))  k: largest power of 2 < n

Inclusion proofs (``PATH``, section 2.1.3) and consistency proofs (``PROOF``/``SUBPROOF``,
section 2.1.4) are built as the RFC defines them, and checked by the verification algorithms of
sections 2.1.3.2 and 2.1.4.2. Indices here are 0-based leaf indices (record id - 1), as in the
RFC.

The functions take a sequence of *leaf hashes* (``leaf_hash(data)`` of each leaf), so that a
tree is hashed once per leaf; a perfect subtree's hash is computed bottom-up without recursion
(any size, no recursion limit).

Examples
--------
>>> leaves = [leaf_hash(bytes([i])) for i in range(5)]
>>> root = tree_root(leaves)
>>> proof = inclusion_proof(leaves, 3)
>>> verify_inclusion(leaves[3], 3, 5, proof, root)
True
>>> old = tree_root(leaves[:2])
>>> verify_consistency(2, 5, old, root, consistency_proof(leaves, 2))
True
>>> tree_root([]).hex() == hashlib.sha256(b"").hexdigest()
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = [
    "EMPTY_ROOT",
    "compact_range",
    "compact_range_bounds",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_from_compact_range",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]

#: The root of the empty tree: SHA-256 of the empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of a leaf (RFC 9162 section 2.1.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def tree_root(leaves: Sequence[bytes]) -> bytes:
    """``MTH`` of a list of leaf hashes (the empty tree's root for an empty list).

    Built left to right with a stack of perfect subtrees (the usual append-only construction),
    which gives the same root as the RFC's recursive definition.
    """
    if not leaves:
        return EMPTY_ROOT
    stack: list[tuple[int, bytes]] = []          # (size, hash) of perfect subtrees
    for leaf in leaves:
        size, digest = 1, leaf
        while stack and stack[-1][0] == size:
            left_size, left = stack.pop()
            size, digest = size + left_size, node_hash(left, digest)
        stack.append((size, digest))
    return root_from_compact_range([h for _, h in stack])


def compact_range(leaves: Sequence[bytes]) -> list[bytes]:
    """The hashes of the perfect subtrees that make up the tree of ``leaves``, left to right
    (the tree's "frontier": one per 1-bit of ``len(leaves)``, largest first).

    Kept in a checkpoint, they show which stretch of records a later rewrite changed."""
    out, start, n = [], 0, len(leaves)
    while start < n:
        size = 1 << ((n - start).bit_length() - 1)
        out.append(tree_root(leaves[start:start + size]))
        start += size
    return out


def compact_range_bounds(size: int) -> list[tuple[int, int]]:
    """The ``[start, end)`` leaf ranges of the subtrees of :func:`compact_range`."""
    out, start = [], 0
    while start < size:
        width = 1 << ((size - start).bit_length() - 1)
        out.append((start, start + width))
        start += width
    return out


def root_from_compact_range(hashes: Sequence[bytes]) -> bytes:
    """The root of a tree from its :func:`compact_range` (folded right to left)."""
    if not hashes:
        return EMPTY_ROOT
    digest = hashes[-1]
    for left in reversed(hashes[:-1]):
        digest = node_hash(left, digest)
    return digest


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """``PATH(index, D[n])`` (RFC 9162 section 2.1.3.1): the audit path of leaf ``index``.

    Raises
    ------
    ValueError
        If ``index`` is not a leaf of the tree.
    """
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf index {index} is not in a tree of {len(leaves)} leaves")
    path: list[bytes] = []
    lo, hi = 0, len(leaves)
    while hi - lo > 1:                       # descend; siblings collected top-down
        k = _split(hi - lo)
        if index - lo < k:
            path.append(tree_root(leaves[lo + k:hi]))
            hi = lo + k
        else:
            path.append(tree_root(leaves[lo:lo + k]))
            lo = lo + k
    return path[::-1]                         # the RFC lists them bottom-up


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """``PROOF(m, D[n])`` (RFC 9162 section 2.1.4.1) for ``m = old_size``, ``n =
    len(leaves)``: the hashes that prove the tree of the first ``m`` leaves is a prefix of this
    one. Empty when ``m`` is 0 or ``n``.

    Raises
    ------
    ValueError
        If ``old_size`` is not in ``0..n``.
    """
    n = len(leaves)
    if not 0 <= old_size <= n:
        raise ValueError(f"old tree size {old_size} is not in 0..{n}")
    if old_size in (0, n):
        return []
    proof: list[bytes] = []
    m, lo, hi, complete = old_size, 0, n, True   # SUBPROOF(m, D[lo:hi], complete)
    while True:
        size = hi - lo
        if m == size:
            if not complete:
                proof.append(tree_root(leaves[lo:hi]))
            break
        k = _split(size)
        if m <= k:
            proof.append(tree_root(leaves[lo + k:hi]))
            hi = lo + k
        else:
            proof.append(tree_root(leaves[lo:lo + k]))
            m, lo, complete = m - k, lo + k, False
    return proof[::-1]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2: whether ``proof`` shows leaf hash ``leaf`` at ``index`` in
    the tree of ``size`` leaves with root ``root``."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2: whether ``proof`` shows the tree of ``old_size`` leaves with
    root ``old_root`` is a prefix of the tree of ``new_size`` leaves with root ``new_root``.

    ``old_size == new_size`` needs an empty proof and equal roots; ``old_size == 0`` an empty
    proof (the empty tree is a prefix of every tree).
    """
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    proof = list(proof)
    if not proof:
        return False
    if old_size & (old_size - 1) == 0:        # a power of two: prepend the old root
        proof.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root

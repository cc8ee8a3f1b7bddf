"""Backup files at rest: a SHA-256 while writing, and optional AES-256-GCM in chunks.

An encrypted backup is ``MAGIC | nonce prefix (8 bytes) | chunks``; each chunk is a 4-byte
big-endian length and the AES-GCM ciphertext (with its 16-byte tag) of up to 1 MiB of the
dump. Chunk *i* uses the nonce ``prefix || i`` and authenticates ``MAGIC | prefix | i | last``
as associated data, so a reordered, dropped, appended or truncated chunk fails to decrypt.

The key is 32 random bytes kept by the operator in a file (``backup keygen`` writes one).
COMANDIA never stores it: **losing the key loses every backup encrypted with it.**
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from comandia.shared.domain.errors import DomainError, ValidationFailed

MAGIC = b"CMDBAK1\n"
CHUNK = 1024 * 1024
_PREFIX = 8
_TAG = 16


class BackupDamaged(DomainError):
    """A backup's file or manifest is missing, altered or truncated; nothing was restored from it."""

    title = "Backup damaged"


def load_key(path: Path) -> bytes:
    """Read a 32-byte key: raw bytes, or base64 / hex text.

    Raises:
        ValidationFailed: the file is unreadable or does not hold a 256-bit key.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValidationFailed(
            "cannot read the encryption key {path}: {reason}", path=str(path), reason=error.strerror
        ) from error
    if len(data) == 32:
        return data
    text = data.strip()
    for decode in (base64.b64decode, bytes.fromhex):
        try:
            key = decode(text.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            continue
        if len(key) == 32:
            return key
    raise ValidationFailed("{path} does not hold a 256-bit key (32 bytes, base64 or hex)", path=str(path))


def write_new_key(path: Path) -> None:
    """Create `path` (mode 0600, never overwriting) holding a fresh base64 key."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(base64.b64encode(secrets.token_bytes(32)) + b"\n")


def key_id(key: bytes) -> str:
    """A short public fingerprint of a key, stored in manifests to name the key needed."""
    return hashlib.sha256(b"comandia-backup-key:" + key).hexdigest()[:16]


class SealedWriter:
    """Writes a stream to a file, hashing what lands on disk and encrypting it when given a key."""

    def __init__(self, handle: BinaryIO, key: bytes | None) -> None:
        self.sha256 = hashlib.sha256()
        self.size = 0
        self._handle = handle
        self._aead = AESGCM(key) if key is not None else None
        self._prefix = secrets.token_bytes(_PREFIX)
        self._index = 0
        self._pending = bytearray()
        if self._aead is not None:
            self._emit(MAGIC + self._prefix)

    def write(self, data: bytes) -> None:
        if self._aead is None:
            self._emit(data)
            return
        self._pending += data
        # Keep at least one byte back so the final chunk (possibly short) is sealed as last.
        while len(self._pending) > CHUNK:
            self._seal(bytes(self._pending[:CHUNK]), last=False)
            del self._pending[:CHUNK]

    def close(self) -> None:
        """Seal the last chunk; the caller closes the file."""
        if self._aead is not None:
            self._seal(bytes(self._pending), last=True)
            self._pending.clear()

    def _seal(self, plain: bytes, last: bool) -> None:
        assert self._aead is not None
        sealed = self._aead.encrypt(self._nonce(self._index), plain, self._aad(self._index, last))
        self._emit(struct.pack(">I", len(sealed)) + sealed)
        self._index += 1

    def _emit(self, data: bytes) -> None:
        self._handle.write(data)
        self.sha256.update(data)
        self.size += len(data)

    def _nonce(self, index: int) -> bytes:
        return self._prefix + struct.pack(">I", index)

    def _aad(self, index: int, last: bool) -> bytes:
        return MAGIC + self._prefix + struct.pack(">I?", index, last)


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def read_plain(path: Path, key: bytes | None) -> Iterator[bytes]:
    """Yield the dump's bytes, decrypting when `key` is given.

    Raises:
        BackupDamaged: a chunk fails authentication or the file ends early.
    """
    with path.open("rb") as handle:
        if key is None:
            while block := handle.read(CHUNK):
                yield block
            return
        header = handle.read(len(MAGIC) + _PREFIX)
        if len(header) != len(MAGIC) + _PREFIX or not header.startswith(MAGIC):
            raise BackupDamaged("{file} is not an encrypted COMANDIA backup", file=path.name)
        prefix, aead, index = header[len(MAGIC) :], AESGCM(key), 0
        while True:
            length_bytes = handle.read(4)
            if len(length_bytes) != 4:
                raise BackupDamaged("{file} ends before its last chunk (truncated)", file=path.name)
            (length,) = struct.unpack(">I", length_bytes)
            sealed = handle.read(length)
            if len(sealed) != length or length < _TAG:
                raise BackupDamaged("{file} ends inside chunk {index} (truncated)", file=path.name, index=index)
            nonce = prefix + struct.pack(">I", index)
            last = not handle.peek(1)  # nothing after this chunk: it must be sealed as last
            try:
                plain = aead.decrypt(nonce, sealed, MAGIC + prefix + struct.pack(">I?", index, last))
            except InvalidTag as error:
                raise BackupDamaged(
                    "{file}: chunk {index} fails authentication (altered, truncated or wrong key)",
                    file=path.name,
                    index=index,
                ) from error
            yield plain
            if last:
                return
            index += 1

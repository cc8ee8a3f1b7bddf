"""SecretBox.seal_bytes: AES-256-GCM rows a tenant's key alone opens; journal rows sealed with
Fernet before it still open (a server upgraded with rows waiting in the ingest journal)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from comandia.server.db.secretbox import SecretBox


def journal_box(tenant_id: str) -> SecretBox:
    return SecretBox("a test key").derived(f"ingest-journal:{tenant_id}")


def test_sealed_bytes_open_with_the_same_tenant_key_only() -> None:
    sealed = journal_box("t1").seal_bytes(b"wamid.1 quiero 3 tacos")
    assert b"tacos" not in sealed
    assert journal_box("t1").open_bytes(sealed) == b"wamid.1 quiero 3 tacos"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        journal_box("t2").open_bytes(sealed)


def test_two_seals_of_the_same_bytes_differ() -> None:
    box = journal_box("t1")
    assert box.seal_bytes(b"same") != box.seal_bytes(b"same")  # a fresh nonce each time


def test_altered_or_cut_rows_are_refused() -> None:
    box = journal_box("t1")
    sealed = bytearray(box.seal_bytes(b"wamid.1"))
    sealed[-1] ^= 1
    for bad in (bytes(sealed), bytes(sealed[:20]), b"\x01", b""):
        with pytest.raises(ValueError, match="cannot be decrypted"):
            box.open_bytes(bad)


def test_a_row_sealed_with_fernet_before_the_upgrade_still_opens() -> None:
    # What seal_bytes wrote before AES-GCM: a Fernet token under the box's own key.
    key = SecretBox("a test key").derived("ingest-journal:t1")._key  # noqa: SLF001 - the old format's key
    old = Fernet(key).encrypt(b"wamid.0 hola")
    assert journal_box("t1").open_bytes(old) == b"wamid.0 hola"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        journal_box("t2").open_bytes(old)

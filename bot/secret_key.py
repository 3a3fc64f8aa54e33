"""The secret behind feedback pseudonyms: read from a file outside the database, made on first run."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)
KEY_BYTES = 32


def load_or_create_key(path: str) -> bytes:
    """Read the key at ``path``; if there is none, write a new random one readable by this user only."""
    file = Path(path)
    if file.exists():
        key = bytes.fromhex(file.read_text().strip())
        if len(key) < KEY_BYTES:
            raise ValueError(f"{path} holds a key shorter than {KEY_BYTES} bytes; restore the original file")
        return key
    key = secrets.token_bytes(KEY_BYTES)
    file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key.hex() + "\n")
    log.warning("made a new pseudonym key in %s; keep it safe and out of database backups", path)
    return key

"""The local identity provider's signing key: one RS256 key pair and its JWKS under .local/.

API Gateway's JWT authorizer fetches the issuer's public keys (JWKS) and checks signatures
with them; locally the "issuer" is this key. The private key file is the only source of
truth: the JWKS is derived from it, so the two can never disagree. The key is created once
(first `make run` or `make token`) and reused, so tokens minted earlier stay valid across
restarts of the stack. `make clean` removes it.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from local.template import ROOT

KEY_DIR = ROOT / ".local"
PRIVATE_KEY_FILE = KEY_DIR / "dev-jwt-private-key.pem"
JWKS_FILE = KEY_DIR / "jwks.json"
ALGORITHM = "RS256"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _create_private_key(path: Path) -> None:
    """Write a new key so that concurrent first runs (stack + test process) agree on one key.

    The key is written to a temporary file and hard-linked into place: the link fails if
    another process won the race, and then that process's key is the one everybody uses.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        os.fchmod(fd, 0o600)  # a private key, even a dev one, is readable by its owner only
        os.write(fd, pem)
        os.close(fd)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


def private_key_pem() -> bytes:
    if not PRIVATE_KEY_FILE.exists():
        _create_private_key(PRIVATE_KEY_FILE)
    return PRIVATE_KEY_FILE.read_bytes()


@functools.lru_cache(maxsize=2)
def _load(pem: bytes):
    # Loading checks the RSA key, which is slow enough to matter when tests mint many tokens.
    return serialization.load_pem_private_key(pem, password=None)


def private_key():
    return _load(private_key_pem())


def _public_numbers():
    return private_key().public_key().public_numbers()


def key_id() -> str:
    """RFC 7638 thumbprint of the public key: stable for the key, changes when the key does."""
    numbers = _public_numbers()
    canonical = json.dumps({"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)},
                           separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def jwks() -> dict:
    """The JWKS the local issuer would publish at its jwks_uri (also written to .local/jwks.json)."""
    numbers = _public_numbers()
    document = {"keys": [{
        "kty": "RSA", "use": "sig", "alg": ALGORITHM, "kid": key_id(),
        "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e),
    }]}
    text = json.dumps(document, indent=2) + "\n"
    if not JWKS_FILE.exists() or JWKS_FILE.read_text() != text:
        tmp = JWKS_FILE.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text)
        os.replace(tmp, JWKS_FILE)  # atomic: a reader never sees half a file
    return document

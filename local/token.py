"""Mint dev bearer tokens for the local gateway: `make token` / `python -m local.token`.

    python -m local.token --scopes "online:read config:write" [--sub X] [--website-id base]
                          [--ttl-seconds N]

The token is the last line printed (stdout; the explanation goes to stderr), so
`TOKEN=$(make token)` works. Without --scopes the token carries every scope of every route
in template.yaml. Tokens are signed with the local dev key (local/dev_keys.py) and carry
the issuer and audience the local gateway's JWT authorizer expects.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable

import jwt

from local import dev_keys, template

AUDIENCE = "shop-admin-local"
DEFAULT_SUBJECT = "dev-admin"
DEFAULT_TTL_SECONDS = 12 * 3600  # the spec asks for at least 2 hours


def all_scopes() -> list[str]:
    """Every scope any route of template.yaml asks for, sorted."""
    return sorted({scope for route in template.routes() for scope in route.scopes})


def mint(scopes: Iterable[str] | None = None, *, sub: str = DEFAULT_SUBJECT, website_id: str | None = None,
         ttl_seconds: int = DEFAULT_TTL_SECONDS, issuer: str | None = None, audience: str = AUDIENCE,
         extra_claims: dict | None = None, now: float | None = None) -> str:
    """A signed RS256 token. `scopes=None` means all scopes; an empty list means none.

    issuer/audience/ttl_seconds (negative for an expired token) can be overridden so tests
    can build exactly the tokens the authorizer must refuse.
    """
    issued_at = int(now if now is not None else time.time())
    claims = {
        "iss": issuer or template.LOCAL_PARAMETERS["JwtIssuer"],
        "aud": audience,
        "sub": sub,
        "scope": " ".join(all_scopes() if scopes is None else scopes),
        "iat": issued_at,
        "exp": issued_at + ttl_seconds,
    }
    if website_id:
        claims["website_id"] = website_id
    claims.update(extra_claims or {})
    return jwt.encode(claims, dev_keys.private_key(), algorithm=dev_keys.ALGORITHM,
                      headers={"kid": dev_keys.key_id()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.token", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scopes", default="", help='space separated, e.g. "online:read config:write"; '
                                                     "empty = all scopes of template.yaml")
    parser.add_argument("--sub", default=DEFAULT_SUBJECT, help="subject (the admin's id in audit entries)")
    parser.add_argument("--website-id", default=None, help="restrict the token to one website")
    parser.add_argument("--ttl-seconds", type=int, default=DEFAULT_TTL_SECONDS)
    args = parser.parse_args(argv)
    if args.ttl_seconds <= 0:
        parser.error("--ttl-seconds must be positive")

    scopes = args.scopes.split() or None
    dev_keys.jwks()  # creates the key pair and .local/jwks.json on first use
    token = mint(scopes, sub=args.sub, website_id=args.website_id, ttl_seconds=args.ttl_seconds)
    granted = " ".join(scopes or all_scopes())
    print(f"# dev token for {args.sub}, scopes: {granted}, valid {args.ttl_seconds // 60} min", file=sys.stderr)
    print(token, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

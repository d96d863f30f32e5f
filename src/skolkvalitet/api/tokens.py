"""What an API token is.

A token is 256 random bits, URL-safe, with the prefix `skv_` so that people and secret
scanners can tell what it is. Only its SHA-256 hash is stored (ApiToken.token_hash): the
token has full entropy, so a fast unsalted hash is enough, and looking a token up by its
hash keeps any comparison off the secret itself.
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "skv_"
MAX_TOKEN_LENGTH = 128


def token_new() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()

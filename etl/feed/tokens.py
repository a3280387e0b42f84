"""Per-principal tokens derived from one feed secret: ``<principal>.<HMAC-SHA256 hex>``.

Principals are the exam sites (their ``site_code``), ``gps`` (the paper-transport GPS
platform) and ``command`` (the command centre: acknowledgements, the simulator's clock). A
token is ``principal + "." + hex(HMAC-SHA256(secret, "edusight-feed:" + principal))[:32]``,
so the server keeps no token list: it recomputes the MAC and compares in constant time.
Rotating the secret revokes every token at once. The secret comes from
``EDUSIGHT_FEED_SECRET`` or the git-ignored file ``.secrets/feed.key`` (created on first use).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from edusight import config

SYSTEM_PRINCIPALS = ("gps", "command")
_MAC_HEX = 32  # 128 bits


def feed_secret() -> bytes:
    """The feed secret: environment first, then the key file (created with a random key)."""
    value = config.get("feed_secret")
    if value:
        return value.encode()
    f = config.path("feed_secret_file")
    if not f.exists():
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(secrets.token_hex(32))
        f.chmod(0o600)
    return f.read_text().strip().encode()


def _mac(secret: bytes, principal: str) -> str:
    msg = f"edusight-feed:{principal}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()[:_MAC_HEX]


def token_for(principal: str, secret: bytes | None = None) -> str:
    """The token of a principal (a site code, ``gps`` or ``command``)."""
    if not principal or "." in principal:
        raise ValueError(f"bad principal {principal!r}")
    return f"{principal}.{_mac(feed_secret() if secret is None else secret, principal)}"


def principal_of(token: str | None, secret: bytes) -> str | None:
    """The principal a token belongs to, or None when it is not genuine."""
    if not token or len(token) > 200 or "." not in token:
        return None
    principal, mac = token.rsplit(".", 1)
    if not principal:
        return None
    return principal if hmac.compare_digest(mac, _mac(secret, principal)) else None

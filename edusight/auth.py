"""Who is looking, and what they may see: sign-in, roles, page access and the viewer's units.

Every run decides one of three modes (``mode()``):

- ``login``: the users file (``EDUSIGHT_USERS_FILE``, default ``.secrets/users.toml``) exists, or
  single sign-on is configured in ``.streamlit/secrets.toml`` ``[auth]``. Everyone signs in.
- ``demo``: neither, and the server is bound to a loopback address (``make run``: 127.0.0.1).
  No sign-in; a 演示模式 banner; the viewer acts as city leadership and may open every page.
- ``refuse``: neither, and the server listens on any other address ("", 0.0.0.0, ::, a LAN
  address). The app shows a translated error and stops: no page, no data.

Roles (``ROLES``): leadership and admin see every unit (admin also the audit log), a unit
official sees their own unit only, exam command the exam screens, analysts the SQL explorer.
An account may carry a unit, which narrows any role to that unit; a unit official must have one.
Pages declare the roles that may open them (``PageEntry.roles``; empty = every role).

The signed-in viewer lives in ``st.session_state`` as a ``Viewer`` signed with a per-process key
(a value put there by anything else is ignored), is checked against the users file on every run
(a removed or changed account is signed out at its next click) and expires after
``EDUSIGHT_SESSION_MINUTES`` without activity. ``edusight.queries.permitted_units()`` asks
``permitted()`` for the viewer's units: that is the one place scope is decided.

Failed sign-ins back off exponentially, per account (a JSON file, ``EDUSIGHT_LOGIN_STATE``, so
it survives new sessions and restarts) and per browser session (session state): after
``FREE_FAILURES`` failures the next attempt must wait ``BASE_DELAY_S`` seconds, doubling with
every further failure up to ``MAX_DELAY_S``.

Accounts are managed on the command line (the password is read from a prompt or stdin)::

    python -m edusight.auth add-user NAME --role ROLE [--unit CODE] [--email ADDRESS] [--sso-only]
    python -m edusight.auth set-password NAME
    python -m edusight.auth list-users
    python -m edusight.auth remove-user NAME
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import getpass
import hashlib
import hmac
import importlib.util
import ipaddress
import json
import os
import re
import secrets
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import bcrypt

from edusight import audit, config
from edusight.i18n import N_, t

Mode = Literal["login", "demo", "refuse"]

ROLES: dict[str, str] = {
    "leadership": N_("role.leadership"),  # 市级领导
    "admin": N_("role.admin"),  # 管理员
    "unit": N_("role.unit"),  # 区县用户
    "exam": N_("role.exam"),  # 考试指挥
    "analyst": N_("role.analyst"),  # 分析员
}
UNIT_REQUIRED = ("unit",)  # roles that must name their unit
DEMO_USER = "demo"
DEMO_ROLE = "leadership"

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,31}$")
EMAIL_RE = re.compile(r"^[^@\s\"'<>]+@[^@\s\"'<>]+$")
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72  # bcrypt's limit: longer passwords are refused, not silently cut
BCRYPT_ROUNDS = 12

FREE_FAILURES = 3  # failures allowed before the first wait
BASE_DELAY_S = 5.0  # wait after FREE_FAILURES failures; doubles with each further failure
MAX_DELAY_S = 900.0
FORGET_AFTER_S = 24 * 3600  # a failure record older than this is dropped
MAX_TRACKED = 5000  # entries kept in the login state file

VIEWER_KEY = "_es_viewer"  # st.session_state: the signed Viewer
NOTICE_KEY = "_es_auth_notice"  # st.session_state: a message for the sign-in page
SESSION_FAILURES_KEY = "_es_login_failures"  # st.session_state: this session's failures
LOGIN_OUTCOME_KEY = "_es_login_outcome"  # st.session_state: (status, wait) of a failed attempt

_SIGNING_KEY = secrets.token_bytes(32)  # per process: a restart signs everyone out
# a real bcrypt hash of a random password: unknown names cost as much time as known ones
_DUMMY_HASH = bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds=BCRYPT_ROUNDS))


class AuthError(ValueError):
    """A bad account definition (name, role, unit, password), with a message for the CLI."""


# --- accounts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    unit: str | None = None
    email: str | None = None
    password_hash: str | None = None  # None: single sign-on only
    created: str = ""


def users_path() -> Path:
    return config.path("users_file")


def load_accounts(path: Path | None = None) -> dict[str, Account]:
    """The accounts in the users file (empty when it does not exist). Raises AuthError if it is
    not valid TOML or an entry is malformed: a broken file must not quietly let people in."""
    p = path or users_path()
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise AuthError(f"{p}: cannot read the users file: {e}") from e
    out: dict[str, Account] = {}
    for name, entry in (raw.get("users") or {}).items():
        if not isinstance(entry, Mapping):
            raise AuthError(f"{p}: [users.{name}] is not a table")
        try:
            account = Account(
                name=name,
                role=str(entry["role"]),
                unit=entry.get("unit") or None,
                email=entry.get("email") or None,
                password_hash=entry.get("password_hash") or None,
                created=str(entry.get("created", "")),
            )
        except KeyError as e:
            raise AuthError(f"{p}: [users.{name}] lacks {e.args[0]}") from e
        validate_account(account)
        out[name] = account
    return out


_ACCOUNTS_CACHE: dict[str, tuple[tuple[int, int], dict[str, Account]]] = {}
_cache_lock = threading.Lock()


def accounts_cached(path: Path | None = None) -> dict[str, Account]:
    """``load_accounts`` re-read only when the file changes (checked on every run)."""
    p = path or users_path()
    try:
        st_ = p.stat()
    except FileNotFoundError:
        return {}
    key = (st_.st_mtime_ns, st_.st_size)
    with _cache_lock:
        hit = _ACCOUNTS_CACHE.get(str(p))
        if hit and hit[0] == key:
            return hit[1]
    accounts = load_accounts(p)
    with _cache_lock:
        _ACCOUNTS_CACHE[str(p)] = (key, accounts)
    return accounts


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def save_accounts(accounts: Mapping[str, Account], path: Path | None = None) -> Path:
    """Write the users file atomically, readable by its owner only."""
    p = path or users_path()
    lines = [
        "# EduSight accounts. Manage with `python -m edusight.auth` (see docs/security.md).",
        "# Passwords are stored as salted bcrypt hashes only.",
        "",
    ]
    for name in sorted(accounts):
        a = accounts[name]
        lines.append(f"[users.{_toml_str(name)}]")
        lines.append(f"role = {_toml_str(a.role)}")
        for key in ("unit", "email", "password_hash", "created"):
            value = getattr(a, key)
            if value:
                lines.append(f"{key} = {_toml_str(value)}")
        lines.append("")
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    os.replace(tmp, p)
    return p


def known_units() -> set[str]:
    """Unit codes of ``data/reference/units.csv`` (the CLI checks --unit against them)."""
    with open(config.reference_dir() / "units.csv", encoding="utf-8") as f:
        return {row["unit_code"] for row in csv.DictReader(f)}


def validate_account(a: Account, units: Iterable[str] | None = None) -> None:
    if not NAME_RE.match(a.name):
        raise AuthError(
            f"bad user name {a.name!r}: 2-32 characters, lower-case letters, digits, . _ -"
        )
    if a.role not in ROLES:
        raise AuthError(f"{a.name}: unknown role {a.role!r} (one of {', '.join(ROLES)})")
    if a.role in UNIT_REQUIRED and not a.unit:
        raise AuthError(f"{a.name}: role {a.role!r} needs --unit CODE")
    if a.unit is not None and units is not None and a.unit not in set(units):
        raise AuthError(f"{a.name}: unknown unit code {a.unit!r}")
    if a.email is not None and not EMAIL_RE.match(a.email):
        raise AuthError(f"{a.name}: bad e-mail address {a.email!r}")
    if a.password_hash is None and a.email is None:
        raise AuthError(f"{a.name}: an account needs a password or an SSO e-mail address")


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AuthError(f"password too short: at least {MIN_PASSWORD_CHARS} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise AuthError(f"password too long: at most {MAX_PASSWORD_BYTES} bytes (bcrypt)")


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    """A salted bcrypt hash (``$2b$…``)."""
    check_password_strength(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode("ascii")


def verify_password(password: str, hashed: str | None) -> bool:
    """Constant-work check: an unknown account still costs one bcrypt comparison."""
    data = password.encode("utf-8")
    if not hashed or len(data) > MAX_PASSWORD_BYTES:
        bcrypt.checkpw(b"x", _DUMMY_HASH)
        return False
    try:
        return bcrypt.checkpw(data, hashed.encode("ascii"))
    except ValueError:  # a malformed hash in the file
        return False


# --- back-off after failed sign-ins -------------------------------------------------------------


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures: 0, 0, 0, 5, 10, 20, … ≤ 900."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(BASE_DELAY_S * 2 ** (failures - FREE_FAILURES), MAX_DELAY_S)


def wait_left(entry: Mapping[str, Any] | None, now: float) -> float:
    if not entry:
        return 0.0
    return max(0.0, float(entry["last"]) + delay_after(int(entry["failures"])) - now)


class FailureLog:
    """Failed sign-ins per account in a small JSON file (``EDUSIGHT_LOGIN_STATE``)."""

    _lock = threading.Lock()

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config.path("login_state")

    def _read(self) -> dict[str, dict[str, float]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, dict[str, float]], now: float) -> None:
        fresh = {k: v for k, v in data.items() if now - float(v.get("last", 0)) < FORGET_AFTER_S}
        if len(fresh) > MAX_TRACKED:
            keep = sorted(fresh, key=lambda k: fresh[k]["last"])[-MAX_TRACKED:]
            fresh = {k: fresh[k] for k in keep}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(fresh, f)
        os.replace(tmp, self.path)

    def get(self, key: str) -> dict[str, float] | None:
        with self._lock:
            return self._read().get(key)

    def record_failure(self, key: str, now: float) -> dict[str, float]:
        with self._lock:
            data = self._read()
            entry = data.get(key) or {"failures": 0, "last": now}
            entry = {"failures": int(entry["failures"]) + 1, "last": now}
            data[key] = entry
            self._write(data, now)
            return entry

    def reset(self, key: str, now: float) -> None:
        with self._lock:
            data = self._read()
            if data.pop(key, None) is not None:
                self._write(data, now)


def _account_key(name: str) -> str:
    # names that cannot be accounts share one counter: random junk cannot grow the file
    return f"user:{name}" if NAME_RE.match(name) else "user:?"


@dataclass(frozen=True)
class LoginResult:
    status: Literal["ok", "bad", "locked"]
    account: Account | None = None
    wait_s: float = 0.0  # locked: seconds until the next attempt is allowed


def authenticate(
    name: str,
    password: str,
    session: MutableMapping[str, Any],
    *,
    accounts: Mapping[str, Account] | None = None,
    failures: FailureLog | None = None,
    now: float | None = None,
) -> LoginResult:
    """Check a name and password, honouring the back-off. ``session`` keeps this browser
    session's failure count (``st.session_state``, or a dict in tests). Every outcome is audited:
    ``login``, ``login_failed`` (wrong name or password) or ``login_locked`` (still waiting)."""
    now = time.time() if now is None else now
    name = name.strip().lower()
    accounts = accounts_cached() if accounts is None else accounts
    failures = failures or FailureLog()
    key = _account_key(name)
    mine = session.get(SESSION_FAILURES_KEY)
    wait = max(wait_left(failures.get(key), now), wait_left(mine, now))
    if wait > 0:
        audit.record("login_locked", user=name or "?", wait_s=round(wait))
        return LoginResult("locked", wait_s=wait)
    account = accounts.get(name)
    if account is not None and verify_password(password, account.password_hash):
        failures.reset(key, now)
        session.pop(SESSION_FAILURES_KEY, None)
        audit.record("login", user=account.name, method="password", role=account.role)
        return LoginResult("ok", account=account)
    if account is None:
        verify_password(password, None)
    entry = failures.record_failure(key, now)
    count = int((mine or {}).get("failures", 0)) + 1
    session[SESSION_FAILURES_KEY] = {"failures": count, "last": now}
    audit.record(
        "login_failed",
        user=name or "?",
        reason="unknown_user" if account is None else "bad_password",
        failures=int(entry["failures"]),
    )
    return LoginResult("bad", wait_s=max(delay_after(int(entry["failures"])), delay_after(count)))


# --- the viewer ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    user: str
    role: str
    unit: str | None
    method: Literal["password", "sso", "demo"]
    since: float  # sign-in time (epoch seconds)
    seen: float  # last activity
    sig: str = ""

    def _payload(self) -> bytes:
        return json.dumps(
            [self.user, self.role, self.unit, self.method, self.since, self.seen]
        ).encode()

    def signed(self) -> Viewer:
        mac = hmac.new(_SIGNING_KEY, self._payload(), hashlib.sha256).hexdigest()
        return replace(self, sig=mac)

    def is_genuine(self) -> bool:
        mac = hmac.new(_SIGNING_KEY, self._payload(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(mac, self.sig)

    @property
    def is_demo(self) -> bool:
        return self.method == "demo"


DEMO_VIEWER = Viewer(DEMO_USER, DEMO_ROLE, None, "demo", 0.0, 0.0)


def viewer_for(account: Account, method: Literal["password", "sso"], now: float) -> Viewer:
    return Viewer(account.name, account.role, account.unit, method, now, now).signed()


def session_seconds() -> float:
    try:
        minutes = float(config.get("session_minutes"))
    except ValueError:
        minutes = float(config.SETTINGS["session_minutes"].default)
    return max(minutes, 1.0) * 60


def is_expired(viewer: Viewer, now: float) -> bool:
    return not viewer.is_demo and now - viewer.seen > session_seconds()


def still_valid(viewer: Viewer, accounts: Mapping[str, Account]) -> bool:
    """The account still exists with the same role and unit (else: sign out)."""
    if viewer.is_demo:
        return True
    a = accounts.get(viewer.user)
    return a is not None and a.role == viewer.role and a.unit == viewer.unit


def units_for(viewer: Viewer | None, units: Iterable[str]) -> tuple[str, ...]:
    """The units ``viewer`` may see among ``units`` (nobody: none)."""
    units = tuple(units)
    if viewer is None or viewer.role not in ROLES:
        return ()
    if viewer.unit:
        return tuple(u for u in units if u == viewer.unit)
    if viewer.role in UNIT_REQUIRED:
        return ()
    return units


def page_allowed(entry: Any, viewer: Viewer | None) -> bool:
    """May ``viewer`` open the page ``entry`` (a PageEntry)? Demo mode opens every page."""
    if viewer is None:
        return False
    if viewer.is_demo:
        return True
    roles = tuple(getattr(entry, "roles", ()) or ())
    return not roles or viewer.role in roles


# --- where the server listens; single sign-on ---------------------------------------------------


def is_loopback(address: str | None) -> bool:
    """Does a server bound to ``address`` listen on this machine only? ("" or None: every
    interface, so no.) Host names other than ``localhost`` count as reachable."""
    if not address:
        return False
    address = address.strip().strip("[]")
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def server_address() -> str | None:
    import streamlit as st

    return st.get_option("server.address")


def sso_provider(auth_section: Mapping[str, Any] | None) -> str | None:
    """The provider to pass to ``st.login`` when ``[auth]`` in secrets.toml is complete enough:
    "default" for a flat ``[auth]`` section, else the first ``[auth.<name>]`` section; None when
    single sign-on is not configured. Mirrors Streamlit's own checks."""
    if not isinstance(auth_section, Mapping):
        return None
    if not auth_section.get("redirect_uri") or not auth_section.get("cookie_secret"):
        return None
    need = ("client_id", "client_secret", "server_metadata_url")
    if all(auth_section.get(k) for k in need):
        return "default"
    for name in sorted(auth_section):
        section = auth_section[name]
        if isinstance(section, Mapping) and "_" not in name and all(section.get(k) for k in need):
            return name
    return None


def _secrets_auth_section() -> Mapping[str, Any] | None:
    try:
        import streamlit as st

        if not st.secrets.load_if_toml_exists():
            return None
        section = st.secrets.get("auth")
        return section.to_dict() if hasattr(section, "to_dict") else section
    except Exception:  # no secrets file, or an unreadable one: no SSO
        return None


def sso_configured() -> str | None:
    """The SSO provider configured in secrets.toml, or None."""
    return sso_provider(_secrets_auth_section())


def sso_usable() -> bool:
    """SSO is configured and Streamlit can run it (``st.login`` needs the Authlib package)."""
    return sso_configured() is not None and importlib.util.find_spec("authlib") is not None


def decide_mode(*, users_file_exists: bool, sso: bool, address: str | None) -> Mode:
    """The pure rule behind ``mode()``."""
    if users_file_exists or sso:
        return "login"
    return "demo" if is_loopback(address) else "refuse"


def mode() -> Mode:
    return decide_mode(
        users_file_exists=users_path().exists(),
        sso=sso_configured() is not None,
        address=server_address(),
    )


# --- inside a Streamlit run ---------------------------------------------------------------------


def in_streamlit_run() -> bool:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        return get_script_run_ctx(suppress_warning=True) is not None
    except Exception:
        return False


def _stored_viewer(state: Mapping[str, Any]) -> Viewer | None:
    v = state.get(VIEWER_KEY)
    return v if isinstance(v, Viewer) and v.is_genuine() and not v.is_demo else None


def current_viewer(now: float | None = None) -> Viewer | None:
    """The viewer of this run, read-only: the demo viewer, the signed-in viewer (genuine, not
    expired, account unchanged), or None (nobody signed in, or the app refuses to run).
    Outside a Streamlit run: None."""
    if not in_streamlit_run():
        return None
    import streamlit as st

    m = mode()
    if m == "demo":
        return DEMO_VIEWER
    if m == "refuse":
        return None
    v = _stored_viewer(st.session_state)
    if v is None or is_expired(v, time.time() if now is None else now):
        return None
    try:
        if not still_valid(v, accounts_cached()):
            return None
    except AuthError:
        return None
    return v


def current_user_name() -> str:
    """The signed-in user's name, "demo" in demo mode, "anonymous" before sign-in, "system"
    outside a Streamlit run (audit log entries)."""
    if not in_streamlit_run():
        return "system"
    v = current_viewer()
    return v.user if v else "anonymous"


def permitted(units: Iterable[str]) -> tuple[str, ...]:
    """The units of ``units`` that the current viewer may see. Outside a Streamlit run (ETL,
    CLI, tests of the query layer) every unit; inside one, nothing until someone signs in."""
    units = tuple(units)
    if not in_streamlit_run():
        return units
    return units_for(current_viewer(), units)


def nav_position() -> Literal["sidebar", "hidden"]:
    """Menu position for ``st.navigation``: hidden on the sign-in and refusal pages."""
    return "sidebar" if current_viewer() is not None else "hidden"


def sign_in(account: Account, method: Literal["password", "sso"]) -> Viewer:
    import streamlit as st

    viewer = viewer_for(account, method, time.time())
    st.session_state[VIEWER_KEY] = viewer
    st.session_state.pop(NOTICE_KEY, None)
    return viewer


def sign_out(reason: str = "logout") -> None:
    """Forget the viewer; audited as ``logout`` (or ``session_expired``)."""
    import streamlit as st

    v = _stored_viewer(st.session_state)
    st.session_state.pop(VIEWER_KEY, None)
    if v is not None:
        audit.record(reason, user=v.user, method=v.method)
    if reason == "session_expired":
        st.session_state[NOTICE_KEY] = "expired"
    if v is not None and v.method == "sso":
        with contextlib.suppress(Exception):  # needs a configured provider
            st.logout()


def _check_stored_session(now: float) -> None:
    """Expire or drop the stored session when it is stale or its account changed."""
    import streamlit as st

    v = _stored_viewer(st.session_state)
    if v is None:
        st.session_state.pop(VIEWER_KEY, None)  # forged or from an older process
        return
    if is_expired(v, now):
        sign_out("session_expired")
        return
    try:
        ok = still_valid(v, accounts_cached())
    except AuthError:
        ok = False
    if not ok:
        sign_out("account_changed")
        st.session_state[NOTICE_KEY] = "changed"
        return
    st.session_state[VIEWER_KEY] = replace(v, seen=now).signed()


def _sso_sign_in() -> Viewer | None:
    """Map an identity from the SSO provider (st.user) to a local account by e-mail."""
    import streamlit as st

    try:
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email") or "").strip().lower()
    except Exception:
        return None
    match = [a for a in accounts_cached().values() if a.email and a.email.strip().lower() == email]
    if len(match) != 1:
        audit.record("login_failed", user=email or "?", method="sso", reason="no_account")
        st.session_state[NOTICE_KEY] = "sso_no_account"
        with contextlib.suppress(Exception):  # needs a configured provider
            st.logout()
        return None
    audit.record("login", user=match[0].name, method="sso", role=match[0].role)
    return sign_in(match[0], "sso")


def gate() -> Viewer:
    """Call once per run, right after ``st.navigation``. Demo mode: the banner. Login mode:
    the sign-in page until someone signs in (then the account box in the sidebar). Refuse
    mode: the refusal page. The last two end the run with ``st.stop()``."""
    import streamlit as st

    m = mode()
    if m == "refuse":
        _refusal_page()
        st.stop()
    if m == "demo":
        st.warning(t("access.demo.banner"), icon="🧪")
        return DEMO_VIEWER
    now = time.time()
    _check_stored_session(now)
    viewer = current_viewer(now)
    if viewer is None and sso_usable():
        viewer = _sso_sign_in()
        if viewer is not None:
            st.rerun()
    if viewer is None:
        _login_page()
        st.stop()
    _account_box(viewer)
    return viewer


# --- the pages of the gate ----------------------------------------------------------------------


def _preferences() -> None:
    """Language and display mode in the sidebar (the shell's own controls come later)."""
    import streamlit as st

    from edusight import ui  # ui imports this module

    ui.preference_controls(st.sidebar.container())


def _refusal_page() -> None:
    import streamlit as st

    _preferences()
    st.title(t("app.title"))
    st.error(t("access.refuse.title", address=server_address() or "0.0.0.0"), icon="🔒")
    st.markdown(t("access.refuse.why"))
    st.code(
        "python -m edusight.auth add-user admin --role admin\n"
        f"# {t('access.refuse.or')}\n"
        "make run    # 127.0.0.1",
        language="bash",
    )


_NOTICES = {
    "expired": N_("access.login.expired"),
    "changed": N_("access.login.changed"),
    "sso_no_account": N_("access.login.sso_no_account"),
}


def _submit() -> None:
    """The sign-in form's callback: it runs before the script, so a successful sign-in shows the
    page in the same run, and the password leaves session state at once."""
    import streamlit as st

    ss = st.session_state
    name, password = str(ss.get("login_user") or ""), str(ss.get("login_password") or "")
    ss["login_password"] = ""
    try:
        result = authenticate(name, password, ss)
    except AuthError:
        result = LoginResult("bad")
    if result.status == "ok" and result.account is not None:
        sign_in(result.account, "password")
    else:
        ss[LOGIN_OUTCOME_KEY] = (result.status, result.wait_s)


def _login_page() -> None:
    import streamlit as st

    _preferences()
    st.title(t("app.title"))
    _, mid, _ = st.columns([1, 1.4, 1])
    with mid:
        st.subheader(t("access.login.title"))
        notice = st.session_state.get(NOTICE_KEY)
        if notice in _NOTICES:
            st.info(t(_NOTICES[notice]))
        try:
            has_accounts = bool(accounts_cached())
        except AuthError as e:
            st.error(t("access.login.bad_file"))
            st.code(str(e), language=None)
            return
        with st.form("login_form", clear_on_submit=True):
            st.text_input(t("access.login.user"), key="login_user", autocomplete="username")
            st.text_input(
                t("access.login.password"),
                type="password",
                key="login_password",
                autocomplete="current-password",
            )
            st.form_submit_button(
                t("access.login.submit"), type="primary", key="login_submit", on_click=_submit
            )
        outcome = st.session_state.pop(LOGIN_OUTCOME_KEY, None)
        if outcome is not None:
            status, wait = outcome
            if status == "locked":
                st.error(t("access.login.locked", seconds=int(wait + 0.999)))
            else:
                st.error(t("access.login.failed"))
                if wait > 0:
                    st.caption(t("access.login.wait", seconds=int(wait + 0.999)))
        provider = sso_configured()
        if provider is not None:
            st.divider()
            if importlib.util.find_spec("authlib") is None:
                st.caption(t("access.login.sso_missing"))
            else:
                st.button(
                    t("access.login.sso"),
                    key="login_sso",
                    on_click=st.login,
                    args=(None if provider == "default" else provider,),
                )
        if not has_accounts and provider is None:
            st.warning(t("access.login.no_accounts"))
            st.code("python -m edusight.auth add-user admin --role admin", language="bash")
        st.caption(t("access.login.note", minutes=int(session_seconds() // 60)))


def _account_box(viewer: Viewer) -> None:
    import streamlit as st

    from edusight import queries

    unit = ""
    if viewer.unit:
        try:
            from edusight.i18n import current_lang

            unit = queries.unit_names(current_lang()).get(viewer.unit, viewer.unit)
        except Exception:  # no database yet: the code will do
            unit = viewer.unit
    box = st.sidebar.container(border=True)
    box.caption(
        t("access.account", user=viewer.user, role=t(ROLES[viewer.role]))
        + (f" · {unit}" if unit else "")
    )
    box.button(t("access.logout"), key="auth_logout", on_click=sign_out, width="stretch")


def no_access_page(entry: Any) -> Callable[[], None]:
    """The stand-in that ``ui.navigation`` registers for a page (a PageEntry) the viewer may not
    open: a direct link shows this message, and the page's own code never runs."""

    def page() -> None:
        import streamlit as st

        from edusight import ui

        ui.page_header(entry.title_key)
        audit.record("access_denied", page=entry.url_path)
        st.error(t("access.denied"), icon="🔒")
        v = current_viewer()
        if v is not None:
            st.caption(t("access.denied.role", role=t(ROLES[v.role])))

    return page


# --- command line -------------------------------------------------------------------------------


def _read_password(prompt_twice: bool = True) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if prompt_twice and getpass.getpass("Repeat password: ") != first:
            raise AuthError("the passwords do not match")
        return first
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m edusight.auth",
        description="Manage EduSight accounts (the users file: EDUSIGHT_USERS_FILE).",
    )
    parser.add_argument("--file", type=Path, help="users file (default: %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-user", help="add an account (password from a prompt or stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--unit", help="unit code (required for role 'unit'; narrows any role)")
    add.add_argument("--email", help="e-mail address that single sign-on maps to this account")
    add.add_argument("--sso-only", action="store_true", help="no password: sign in with SSO")
    add.add_argument("--replace", action="store_true", help="replace an existing account")
    add.add_argument("--rounds", type=int, default=BCRYPT_ROUNDS, help=argparse.SUPPRESS)
    pw = sub.add_parser("set-password", help="set a new password (prompt or stdin)")
    pw.add_argument("name")
    pw.add_argument("--rounds", type=int, default=BCRYPT_ROUNDS, help=argparse.SUPPRESS)
    sub.add_parser("list-users", help="list the accounts (no hashes)")
    rm = sub.add_parser("remove-user", help="remove an account")
    rm.add_argument("name")
    args = parser.parse_args(argv)
    path = args.file or users_path()
    try:
        accounts = dict(load_accounts(path))
        if args.command == "list-users":
            if not accounts:
                print(f"no accounts in {path}")
            for a in sorted(accounts.values(), key=lambda a: a.name):
                login = "password" if a.password_hash else "sso"
                if a.password_hash and a.email:
                    login = "password+sso"
                print(
                    f"{a.name:<20} {a.role:<11} {a.unit or '-':<8} {a.email or '-':<28} "
                    f"{login:<13} {a.created}"
                )
            return 0
        if args.command == "remove-user":
            if args.name not in accounts:
                raise AuthError(f"no account {args.name!r} in {path}")
            del accounts[args.name]
            save_accounts(accounts, path)
            audit.record("account_removed", user=_cli_actor(), account=args.name)
            print(f"removed {args.name}")
            return 0
        if args.command == "set-password":
            if args.name not in accounts:
                raise AuthError(f"no account {args.name!r} in {path}")
            hashed = hash_password(_read_password(), rounds=args.rounds)
            accounts[args.name] = replace(accounts[args.name], password_hash=hashed)
            save_accounts(accounts, path)
            audit.record("account_password_set", user=_cli_actor(), account=args.name)
            print(f"password of {args.name} set")
            return 0
        # add-user
        name = args.name.strip().lower()
        if name in accounts and not args.replace:
            raise AuthError(f"{name} exists already (use --replace, or set-password)")
        email = args.email.strip().lower() if args.email else None
        account = Account(
            name=name,
            role=args.role,
            unit=args.unit or None,
            email=email,
            password_hash="-" if not args.sso_only else None,  # placeholder until validated
            created=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        )
        validate_account(account, known_units())
        hashed = None if args.sso_only else hash_password(_read_password(), rounds=args.rounds)
        accounts[name] = replace(account, password_hash=hashed)
        save_accounts(accounts, path)
        audit.record(
            "account_added", user=_cli_actor(), account=name, role=args.role, unit=args.unit
        )
        print(f"added {name} ({args.role}{', ' + args.unit if args.unit else ''}) to {path}")
        return 0
    except AuthError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""Accounts, passwords, back-off, modes, roles and the account CLI (edusight/auth.py).

Plain calls, no Streamlit run: the sign-in page and the scope inside the app are covered by
tests/app/test_access.py. Test accounts use bcrypt cost 4 to stay fast.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from edusight import audit, auth, pages
from edusight.auth import Account, AuthError, FailureLog, Viewer

ROOT = Path(__file__).resolve().parents[2]
FAST = 4  # bcrypt rounds for test accounts


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Users file, login state and audit log in a temporary folder."""
    monkeypatch.setenv("EDUSIGHT_USERS_FILE", str(tmp_path / "users.toml"))
    monkeypatch.setenv("EDUSIGHT_LOGIN_STATE", str(tmp_path / "login_state.json"))
    monkeypatch.setenv("EDUSIGHT_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    return tmp_path


def account(name="zhang", role="unit", unit="510104", password="correct horse", **kw) -> Account:
    return Account(
        name, role, unit=unit, password_hash=auth.hash_password(password, rounds=FAST), **kw
    )


def events() -> list[str]:
    return [e["event"] for e in audit.read()]


# --- passwords ---------------------------------------------------------------------------------


def test_password_hashes_are_salted_bcrypt_and_verify():
    a, b = auth.hash_password("s3cret-pass", rounds=FAST), auth.hash_password("s3cret-pass", FAST)
    assert a != b and a.startswith("$2b$04$")
    assert auth.verify_password("s3cret-pass", a)
    assert not auth.verify_password("s3cret-pasS", a)
    assert not auth.verify_password("s3cret-pass", None)
    assert not auth.verify_password("s3cret-pass", "not a hash")


def test_password_rules():
    with pytest.raises(AuthError, match="short"):
        auth.hash_password("short", rounds=FAST)
    with pytest.raises(AuthError, match="long"):
        auth.hash_password("密" * 30, rounds=FAST)  # 90 bytes: bcrypt would cut it
    assert not auth.verify_password("x" * 100, auth.hash_password("x" * 72, rounds=FAST))


# --- the users file ----------------------------------------------------------------------------


def test_accounts_round_trip_and_file_is_private(isolated):
    accounts = {
        "zhang": account(),
        "lead": account("lead", "leadership", None, email="lead@cdedu.gov.cn"),
        "sso.only": Account("sso.only", "analyst", email="ana@cdedu.gov.cn"),
    }
    path = auth.save_accounts(accounts)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert auth.load_accounts() == accounts
    text = path.read_text()
    assert "correct horse" not in text and "$2b$" in text


def test_no_file_means_no_accounts():
    assert auth.load_accounts() == {}


@pytest.mark.parametrize(
    "content, message",
    [
        ("not toml [", "cannot read"),
        ('[users.x1]\nrole = "king"\npassword_hash = "h"\n', "unknown role"),
        ('[users.x1]\nrole = "unit"\npassword_hash = "h"\n', "needs --unit"),
        ('[users."Bad Name"]\nrole = "admin"\npassword_hash = "h"\n', "bad user name"),
        ('[users.x1]\npassword_hash = "h"\n', "lacks role"),
        ('[users.x1]\nrole = "admin"\n', "password or an SSO"),
    ],
)
def test_a_broken_users_file_is_an_error_not_an_open_door(isolated, content, message):
    (isolated / "users.toml").write_text(content)
    with pytest.raises(AuthError, match=message):
        auth.load_accounts()


def test_accounts_cache_follows_the_file(isolated):
    auth.save_accounts({"zhang": account()})
    assert set(auth.accounts_cached()) == {"zhang"}
    auth.save_accounts({"li": account("li")})  # another size (and mtime): read afresh
    assert set(auth.accounts_cached()) == {"li"}


# --- modes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address, loopback",
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("", False),
        (None, False),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("10.0.0.1", False),
        ("edusight.cdedu.gov.cn", False),
    ],
)
def test_loopback_addresses(address, loopback):
    assert auth.is_loopback(address) is loopback


@pytest.mark.parametrize(
    "users, sso, address, mode",
    [
        (False, False, "127.0.0.1", "demo"),
        (False, False, "0.0.0.0", "refuse"),
        (False, False, "", "refuse"),
        (False, False, None, "refuse"),
        (False, False, "::", "refuse"),
        (False, False, "192.168.1.20", "refuse"),
        (True, False, "0.0.0.0", "login"),
        (True, False, "127.0.0.1", "login"),
        (False, True, "0.0.0.0", "login"),
    ],
)
def test_mode_rule(users, sso, address, mode):
    assert auth.decide_mode(users_file_exists=users, sso=sso, address=address) == mode


def test_outside_streamlit_the_mode_follows_the_users_file(isolated):
    assert auth.mode() in ("demo", "refuse")
    (isolated / "users.toml").write_text("")
    assert auth.mode() == "login"  # an (even empty) users file: sign-in required


GOOD_AUTH = {
    "redirect_uri": "https://edusight.cdedu.gov.cn/oauth2callback",
    "cookie_secret": "x" * 40,
}
PROVIDER = {
    "client_id": "edusight",
    "client_secret": "s",
    "server_metadata_url": "https://sso.cdedu.gov.cn/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    "section, provider",
    [
        (None, None),
        ({}, None),
        ({**GOOD_AUTH, **PROVIDER}, "default"),
        ({**GOOD_AUTH, "bureau": PROVIDER}, "bureau"),
        ({**GOOD_AUTH, "bad_name": PROVIDER}, None),  # Streamlit refuses "_" in a provider
        ({**GOOD_AUTH, "bureau": {**PROVIDER, "client_secret": ""}}, None),
        ({"cookie_secret": "x" * 40, **PROVIDER}, None),  # no redirect_uri
        ({"redirect_uri": GOOD_AUTH["redirect_uri"], **PROVIDER}, None),  # no cookie_secret
    ],
)
def test_single_sign_on_is_offered_only_when_configured(section, provider):
    assert auth.sso_provider(section) == provider


# --- back-off ----------------------------------------------------------------------------------


def test_delay_doubles_after_three_failures_and_is_capped():
    assert [auth.delay_after(n) for n in range(7)] == [0, 0, 0, 5, 10, 20, 40]
    assert auth.delay_after(30) == auth.MAX_DELAY_S


def test_wrong_password_backs_off_per_account_across_sessions():
    accounts = {"zhang": account()}
    log = FailureLog()
    t0 = 1_000_000.0
    for i in range(3):
        r = auth.authenticate("zhang", "wrong", {}, accounts=accounts, failures=log, now=t0 + i)
        assert r.status == "bad"
    assert r.wait_s == 5
    # a new session (empty state), even with the right password, must wait
    r = auth.authenticate("zhang", "correct horse", {}, accounts=accounts, failures=log, now=t0 + 3)
    assert r.status == "locked" and 0 < r.wait_s <= 5
    # the counter lives in the file: a new FailureLog (another process) sees it
    assert FailureLog().get("user:zhang")["failures"] == 3
    r = auth.authenticate("zhang", "correct horse", {}, accounts=accounts, failures=log, now=t0 + 8)
    assert r.status == "ok" and r.account.name == "zhang"
    assert FailureLog().get("user:zhang") is None  # success resets
    assert events() == ["login_failed"] * 3 + ["login_locked", "login"]


def test_waits_grow_exponentially():
    accounts, log, session = {"zhang": account()}, FailureLog(), {}
    now, waits = 0.0, []
    for _ in range(6):
        r = auth.authenticate("zhang", "wrong", session, accounts=accounts, failures=log, now=now)
        assert r.status == "bad"
        waits.append(r.wait_s)
        now += r.wait_s + 0.1
    assert waits == [0, 0, 5, 10, 20, 40]


def test_one_session_trying_many_names_is_slowed_down_too():
    accounts, log, session = {"zhang": account()}, FailureLog(), {}
    for i, name in enumerate(["wang", "li", "zhao"]):
        r = auth.authenticate(name, "guess", session, accounts=accounts, failures=log, now=10.0 + i)
        assert r.status == "bad"
    assert session[auth.SESSION_FAILURES_KEY]["failures"] == 3
    assert all(log.get(f"user:{n}")["failures"] == 1 for n in ("wang", "li", "zhao"))
    # a fourth name, even a real account with its right password: this session must wait
    r = auth.authenticate("zhang", "correct horse", session, accounts=accounts, now=13.0)
    assert r.status == "locked" and r.wait_s == pytest.approx(4.0)
    r = auth.authenticate("zhang", "correct horse", session, accounts=accounts, now=17.5)
    assert r.status == "ok" and auth.SESSION_FAILURES_KEY not in session


def test_unknown_and_junk_names_are_audited_and_do_not_grow_the_state_file(isolated):
    log = FailureLog()
    for i in range(20):
        auth.authenticate(f"<script>{i}", "x", {}, accounts={}, failures=log, now=float(i))
    data = json.loads((isolated / "login_state.json").read_text())
    assert list(data) == ["user:?"]
    failed = [e for e in audit.read() if e["event"] == "login_failed"]
    assert failed and failed[0]["reason"] == "unknown_user"
    assert "x" not in json.dumps(audit.read())  # no password in the log


def test_the_state_file_forgets_old_failures(isolated):
    log = FailureLog()
    log.record_failure("user:old", now=0.0)
    log.record_failure("user:new", now=auth.FORGET_AFTER_S + 10)
    assert FailureLog().get("user:old") is None
    assert FailureLog().get("user:new")["failures"] == 1


# --- viewers, roles, scope ---------------------------------------------------------------------

UNITS = ("510104", "510105", "510106")


def test_a_viewer_is_signed_and_a_forged_one_is_not_genuine():
    v = auth.viewer_for(account(), "password", 100.0)
    assert v.is_genuine()
    assert not replace(v, role="admin", unit=None).is_genuine()
    assert not Viewer("zhang", "admin", None, "password", 1.0, 1.0, sig="0" * 64).is_genuine()


@pytest.mark.parametrize(
    "role, unit, expected",
    [
        ("leadership", None, UNITS),
        ("admin", None, UNITS),
        ("exam", None, UNITS),
        ("analyst", None, UNITS),
        ("analyst", "510105", ("510105",)),  # a district analyst
        ("unit", "510104", ("510104",)),
        ("unit", None, ()),  # a unit official without a unit sees nothing
        ("unit", "999999", ()),  # an unknown unit: nothing
        ("king", None, ()),
    ],
)
def test_units_per_role(role, unit, expected):
    v = Viewer("x", role, unit, "password", 0.0, 0.0)
    assert auth.units_for(v, UNITS) == expected


def test_nobody_sees_nothing_and_outside_streamlit_everything():
    assert auth.units_for(None, UNITS) == ()
    assert auth.permitted(UNITS) == UNITS  # ETL, CLI, query-layer tests


def test_page_roles():
    explorer = pages.by_path("pages/explorer.py")
    audit_log = pages.by_path("pages/audit_log.py")
    governance = pages.by_path("pages/data_governance.py")
    viewer = {r: Viewer("x", r, None, "password", 0.0, 0.0) for r in auth.ROLES}
    assert [r for r in auth.ROLES if auth.page_allowed(explorer, viewer[r])] == [
        "leadership",
        "admin",
        "analyst",
    ]
    assert [r for r in auth.ROLES if auth.page_allowed(audit_log, viewer[r])] == ["admin"]
    assert all(auth.page_allowed(governance, v) for v in viewer.values())
    assert all(auth.page_allowed(e, auth.DEMO_VIEWER) for e in pages.PAGES)
    assert not auth.page_allowed(governance, None)


def test_every_page_role_exists():
    for e in pages.PAGES:
        assert set(e.roles) <= set(auth.ROLES), f"{e.path}: unknown role in {e.roles}"


def test_sessions_expire_after_the_configured_idle_time(monkeypatch):
    monkeypatch.setenv("EDUSIGHT_SESSION_MINUTES", "30")
    v = auth.viewer_for(account(), "password", 1000.0)
    assert not auth.is_expired(v, 1000.0 + 29 * 60)
    assert auth.is_expired(v, 1000.0 + 31 * 60)
    assert not auth.is_expired(auth.DEMO_VIEWER, 1e12)


def test_a_changed_or_removed_account_invalidates_the_session():
    a = account()
    v = auth.viewer_for(a, "password", 0.0)
    assert auth.still_valid(v, {"zhang": a})
    assert not auth.still_valid(v, {})
    assert not auth.still_valid(v, {"zhang": replace(a, unit="510105")})
    assert not auth.still_valid(v, {"zhang": replace(a, role="leadership", unit=None)})


# --- the command line --------------------------------------------------------------------------


def cli(monkeypatch, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return auth.main([*args])


def test_cli_add_list_set_password_remove(monkeypatch, capsys, isolated):
    assert cli(monkeypatch, "add-user", "Zhang", "--role", "unit", "--unit", "510104",
               "--rounds", "4", stdin="a-good-password\n") == 0  # fmt: skip
    assert cli(monkeypatch, "add-user", "lead", "--role", "leadership", "--email",
               "Lead@CDedu.gov.cn", "--rounds", "4", stdin="another-password\n") == 0  # fmt: skip
    assert cli(monkeypatch, "add-user", "sso-ana", "--role", "analyst", "--email",
               "ana@cdedu.gov.cn", "--sso-only") == 0  # fmt: skip
    accounts = auth.load_accounts()
    assert set(accounts) == {"zhang", "lead", "sso-ana"}  # names are lower-cased
    assert auth.verify_password("a-good-password", accounts["zhang"].password_hash)
    assert accounts["lead"].email == "lead@cdedu.gov.cn"
    assert accounts["sso-ana"].password_hash is None
    capsys.readouterr()
    assert cli(monkeypatch, "list-users") == 0
    listing = capsys.readouterr().out
    assert "zhang" in listing and "510104" in listing and "$2b$" not in listing
    assert cli(monkeypatch, "set-password", "zhang", "--rounds", "4", stdin="new-password!\n") == 0
    assert auth.verify_password("new-password!", auth.load_accounts()["zhang"].password_hash)
    assert cli(monkeypatch, "remove-user", "lead") == 0
    assert set(auth.load_accounts()) == {"zhang", "sso-ana"}
    logged = [(e["event"], e.get("account")) for e in audit.read()]
    assert logged == [
        ("account_added", "zhang"),
        ("account_added", "lead"),
        ("account_added", "sso-ana"),
        ("account_password_set", "zhang"),
        ("account_removed", "lead"),
    ]
    assert all(e["user"].startswith("cli") for e in audit.read())


R4 = ["--rounds", "4"]


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["add-user", "zhang", "--role", "unit", *R4], "a-good-password\n", "needs --unit"),
        (
            ["add-user", "zhang", "--role", "unit", "--unit", "999999", *R4],
            "a-good-password\n",
            "unknown unit",
        ),
        (["add-user", "zhang", "--role", "admin", *R4], "short\n", "too short"),
        (["add-user", "a b", "--role", "admin", *R4], "a-good-password\n", "bad user name"),
        (["add-user", "x1", "--role", "admin", "--sso-only"], "", "password or an SSO"),
        (["add-user", "x1", "--role", "admin", "--email", "nope"], "", "bad e-mail"),
        (["remove-user", "nobody"], "", "no account"),
        (["set-password", "nobody", *R4], "a-good-password\n", "no account"),
    ],
)
def test_cli_refuses_bad_input(monkeypatch, capsys, args, stdin, message):
    assert cli(monkeypatch, *args, stdin=stdin) == 2
    assert message in capsys.readouterr().err
    assert auth.load_accounts() == {}


def test_cli_refuses_a_duplicate_without_replace(monkeypatch, capsys):
    args = ["add-user", "zhang", "--role", "admin", "--rounds", "4"]
    assert cli(monkeypatch, *args, stdin="a-good-password\n") == 0
    assert cli(monkeypatch, *args, stdin="other-password\n") == 2
    assert "exists already" in capsys.readouterr().err
    assert cli(monkeypatch, *args, "--replace", stdin="other-password\n") == 0
    assert auth.verify_password("other-password", auth.load_accounts()["zhang"].password_hash)


def test_cli_runs_as_a_module_with_the_password_on_stdin(isolated):
    env = {**os.environ, "EDUSIGHT_USERS_FILE": str(isolated / "cli_users.toml")}
    run = subprocess.run(
        [sys.executable, "-m", "edusight.auth", "add-user", "wang", "--role", "exam"],
        input="exam-password-1\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    listing = subprocess.run(
        [sys.executable, "-m", "edusight.auth", "list-users"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert "wang" in listing.stdout and "exam" in listing.stdout
    saved = auth.load_accounts(isolated / "cli_users.toml")["wang"]
    assert auth.verify_password("exam-password-1", saved.password_hash)
    assert saved.password_hash.startswith(f"$2b${auth.BCRYPT_ROUNDS}$")

"""Access control in a real browser: a server started in sign-in mode with a temporary users
file; a unit official signs in and sees their own unit only; direct links to forbidden pages;
an analyst's explorer download (formula injection neutralized) and the audit log.

Waits are `expect(...)` on specific elements, never sleeps. Screenshots land in
artifacts/screenshots/access_*.png.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from edusight import auth
from edusight.i18n import t

pytestmark = pytest.mark.e2e

ACCOUNTS = {  # name: (role, unit, password)
    "admin": ("admin", None, "admin-password"),
    "jinjiang": ("unit", "510104", "jinjiang-password"),
    "analyst": ("analyst", None, "analyst-password"),
}
NO_EXCEPTION = '[data-testid="stException"]'


def _serve():
    """`serve` of tests/e2e/conftest.py (a plain function; conftest is not importable by name)."""
    spec = importlib.util.spec_from_file_location(
        "e2e_conftest", Path(__file__).with_name("conftest.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.serve


@pytest.fixture(scope="module")
def auth_server(built_db, chromium, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """(base URL, audit log) of a server whose users file holds ACCOUNTS: sign-in required."""
    tmp = tmp_path_factory.mktemp("auth_server")
    users = tmp / "users.toml"
    auth.save_accounts(
        {
            name: auth.Account(
                name, role, unit=unit, password_hash=auth.hash_password(pw, rounds=4)
            )
            for name, (role, unit, pw) in ACCOUNTS.items()
        },
        users,
    )
    env = {
        "EDUSIGHT_USERS_FILE": str(users),
        "EDUSIGHT_AUDIT_LOG": str(tmp / "audit.jsonl"),
        "EDUSIGHT_LOGIN_STATE": str(tmp / "login_state.json"),
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the server process inherits them
    try:
        with _serve()(built_db, tmp / "streamlit.log") as base:
            for k, v in saved.items():  # the test process itself keeps its own settings
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            yield base, tmp / "audit.jsonl"
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def sign_in(page, name: str, password: str | None = None):
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name=t("access.login.title", lang="zh"))).to_be_visible()
    page.get_by_label(t("access.login.user", lang="zh")).fill(name)
    page.get_by_label(t("access.login.password", lang="zh"), exact=True).fill(
        ACCOUNTS[name][2] if password is None else password
    )
    page.get_by_role("button", name=t("access.login.submit", lang="zh")).click()
    return expect


def snap(page, path: Path) -> None:
    """Screenshot of the whole page (Streamlit scrolls inside its main container: grow the
    viewport to the content first)."""
    height = page.locator('[data-testid="stMain"]').evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": 1440, "height": max(1000, min(int(height) + 40, 6000))})
    page.screenshot(path=path, full_page=True)


def audit_events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_demo_mode_banner(page, server):
    from playwright.sync_api import expect

    page.goto(server)
    expect(page.get_by_text(re.compile("^演示模式"))).to_be_visible()


def test_a_unit_official_signs_in_and_sees_only_their_unit(new_page, auth_server, screenshots):
    base, log = auth_server
    page = new_page()
    page.goto(f"{base}/data_governance?unit=510105")  # another unit in the link
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name=t("access.login.title", lang="zh"))).to_be_visible()
    expect(page.get_by_text(re.compile("^数据截至 "))).to_have_count(0)  # nothing before sign-in
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(0)
    page.screenshot(path=screenshots / "access_login.png", full_page=True)

    sign_in(page, "jinjiang", "wrong-password")
    expect(page.get_by_text(t("access.login.failed", lang="zh"))).to_be_visible()
    sign_in(page, "jinjiang")
    title = t("page.data_governance.title", lang="zh")
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("jinjiang")).to_be_visible()
    unit_box = sidebar.get_by_role("combobox", name=t("sidebar.unit", lang="zh"))
    expect(unit_box).to_have_value("锦江区")
    expect(page).to_have_url(re.compile(r"unit=510104"))  # the link's 510105 was dropped
    unit_box.click()
    expect(page.get_by_role("option")).to_have_count(1)
    expect(page.get_by_role("option", name="锦江区")).to_be_visible()
    page.keyboard.press("Escape")
    # the menu lists neither the explorer nor the audit log
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav.get_by_text(t("page.data_governance.title", lang="zh"))).to_be_visible()
    expect(nav.get_by_text(t("page.explorer.title", lang="zh"))).to_have_count(0)
    expect(nav.get_by_text(t("page.audit_log.title", lang="zh"))).to_have_count(0)
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    page.screenshot(path=screenshots / "access_unit_official.png", full_page=True)
    assert [e["event"] for e in audit_events(log) if e["user"] == "jinjiang"][-2:] == [
        "login_failed",
        "login",
    ]


@pytest.mark.parametrize("entry", ["audit_log", "explorer"])
def test_a_direct_link_to_a_forbidden_page_says_no_access(
    new_page, auth_server, screenshots, entry
):
    from playwright.sync_api import expect

    base, _ = auth_server
    page = new_page()
    page.goto(f"{base}/{entry}")
    sign_in(page, "jinjiang")
    expect(page.get_by_text(t("access.denied", lang="zh"))).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(0)
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    page.screenshot(path=screenshots / f"access_denied_{entry}.png", full_page=True)


def test_explorer_download_is_neutralized_and_audited(new_page, auth_server, screenshots):
    from playwright.sync_api import expect

    base, log = auth_server
    page = new_page()
    page.goto(f"{base}/explorer")
    sign_in(page, "analyst")
    expect(
        page.get_by_role("heading", name=t("page.explorer.title", lang="zh"), level=1)
    ).to_be_visible()
    editor = page.get_by_label(t("explorer.sql", lang="zh"))
    editor.fill(
        "SELECT '=1+1' AS formula, '@SUM(A1)' AS at_sign, unit_code, name_zh\n"
        "FROM marts.units ORDER BY unit_code LIMIT 3"
    )
    editor.press("Control+Enter")
    page.get_by_role("button", name=t("explorer.run", lang="zh")).click()
    expect(page.get_by_text(re.compile(r"^3 行 · 用时"))).to_be_visible()
    csv_button = page.get_by_role("button", name=t("export.csv", lang="zh"))
    expect(csv_button).to_be_visible()
    snap(page, screenshots / "access_explorer.png")
    with page.expect_download() as info:
        csv_button.click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "'=1+1,'@SUM(A1),510104" in text
    assert "\n=1+1" not in text and ",=1+1" not in text
    with page.expect_download() as info:
        page.get_by_role("button", name=t("export.xlsx", lang="zh")).click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert sheet["A2"].value == "'=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "'@SUM(A1)"
    mine = [e for e in audit_events(log) if e["user"] == "analyst"]
    assert [e["event"] for e in mine] == ["login", "explorer_query", "export", "export"]
    assert mine[1]["status"] == "ok" and "marts.units" in mine[1]["sql"]
    assert {e["format"] for e in mine[2:]} == {"csv", "xlsx"}


def test_an_administrator_reads_the_audit_log(new_page, auth_server, screenshots):
    from playwright.sync_api import expect

    base, _ = auth_server
    page = new_page()
    page.goto(f"{base}/audit_log")
    sign_in(page, "admin")
    expect(
        page.get_by_role("heading", name=t("page.audit_log.title", lang="zh"), level=1)
    ).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]')).to_be_visible()
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible()
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    snap(page, screenshots / "access_audit_log.png")
    page.locator('[data-testid="stSidebar"]').get_by_role(
        "button", name=t("access.logout", lang="zh")
    ).click()
    expect(page.get_by_role("heading", name=t("access.login.title", lang="zh"))).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(0)

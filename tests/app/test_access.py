"""Access control through the app (AppTest): demo, refusal and sign-in modes, roles, scope,
back-off, expiry, the SQL explorer and the audit log, and attempts to get around them.

The database is the one the real ETL built for the session (``built_db``). Accounts live in a
temporary users file (bcrypt cost 4); the audit log and the back-off state are temporary too.
"""

from __future__ import annotations

import ast
import json
import time
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from edusight import audit, auth, explorer, pages
from edusight.auth import Account
from edusight.i18n import t

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60
JJ, QY = "510104", "510105"  # 锦江区, 青羊区
PASSWORDS = {
    "admin": "admin-password",
    "lead": "leader-password",
    "jinjiang": "jinjiang-password",
    "analyst": "analyst-password",
    "ana_jj": "district-analyst",
    "exam": "exam-password-1",
}
ROLES = {
    "admin": ("admin", None),
    "lead": ("leadership", None),
    "jinjiang": ("unit", JJ),
    "analyst": ("analyst", None),
    "ana_jj": ("analyst", JJ),
    "exam": ("exam", None),
}
GOVERNANCE = pages.by_path("pages/data_governance.py")
EXPLORER = pages.by_path("pages/explorer.py")
AUDIT_LOG = pages.by_path("pages/audit_log.py")


@pytest.fixture
def isolated(built_db, tmp_path, monkeypatch):
    monkeypatch.setenv("EDUSIGHT_USERS_FILE", str(tmp_path / "users.toml"))
    monkeypatch.setenv("EDUSIGHT_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("EDUSIGHT_LOGIN_STATE", str(tmp_path / "login_state.json"))
    return tmp_path


@pytest.fixture
def users(isolated) -> dict[str, Account]:
    accounts = {
        name: Account(
            name,
            role,
            unit=unit,
            password_hash=auth.hash_password(PASSWORDS[name], rounds=4),
        )
        for name, (role, unit) in ROLES.items()
    }
    auth.save_accounts(accounts)
    return accounts


@pytest.fixture
def address():
    """Set Streamlit's server.address for one test (restored afterwards)."""
    before = st_config.get_option("server.address")
    yield lambda value: st_config.set_option("server.address", value)
    st_config.set_option("server.address", before)


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)


def sign_in(at: AppTest, name: str, password: str | None = None) -> AppTest:
    if not at.text_input:
        at.run()
    at.text_input(key="login_user").input(name)
    at.text_input(key="login_password").input(PASSWORDS[name] if password is None else password)
    at.button(key="login_submit").click().run()
    return at


def signed_in(name: str) -> AppTest:
    at = sign_in(new_app(), name)
    assert_clean(at)
    assert at.session_state[auth.VIEWER_KEY].user == name
    return at


def open_page(at: AppTest, entry: pages.PageEntry) -> AppTest:
    at.switch_page(entry.path).run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def is_login_page(at: AppTest) -> bool:
    return [s.value for s in at.subheader] == [t("access.login.title", lang="zh")]


def shows_no_data(at: AppTest) -> bool:
    freshness = [c for c in at.caption if c.value.startswith(("数据截至", "Data as of"))]
    return not (at.dataframe or at.metric or at.get("plotly_chart") or freshness)


def frame_with(at: AppTest, *columns: str):
    """The first table on the page that has all of ``columns``."""
    for element in at.dataframe:
        df = element.value
        if all(c in df.columns for c in columns):
            return df
    raise AssertionError(f"no table with columns {columns}")


def per_unit_counts(at: AppTest):
    return frame_with(at, "unit_code", "students_count", "teachers_count")


def quarantine_units(at: AppTest) -> set:
    try:
        df = frame_with(at, "rule", "unit_code", "line")
    except AssertionError:  # no quarantined row in scope: the page says so
        assert at.info
        return set()
    return set(df["unit_code"].dropna())


def events(name: str | None = None) -> list[dict]:
    return [e for e in audit.read() if name is None or e["event"] == name]


# --- modes ---------------------------------------------------------------------------------------


def test_demo_mode_shows_the_banner_and_acts_as_leadership(isolated):
    at = new_app().run()
    assert_clean(at)
    assert [w.value for w in at.warning] == [t("access.demo.banner", lang="zh")]
    assert at.selectbox(key="unit").value == "all"
    assert len(at.selectbox(key="unit").options) == 24  # city-wide + 23 units
    assert not at.text_input  # no sign-in form
    at.radio(key="lang").set_value("en").run()
    assert [w.value for w in at.warning] == [t("access.demo.banner", lang="en")]


@pytest.mark.parametrize("bind", ["0.0.0.0", "", "::", "192.168.1.20", "edusight.example"])
def test_without_accounts_a_non_loopback_server_refuses_to_start(isolated, address, bind):
    address(bind)
    at = new_app().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        t("access.refuse.title", lang="zh", address=bind or "0.0.0.0")
    ]
    assert "python -m edusight.auth add-user" in at.code[0].value
    assert shows_no_data(at)
    assert not at.text_input
    at.radio(key="lang").set_value("en").run()
    assert [e.value for e in at.error][0].startswith("Authentication is not configured")
    assert shows_no_data(at)


def test_with_accounts_a_non_loopback_server_asks_to_sign_in(users, address):
    address("0.0.0.0")
    at = signed_in("lead")
    assert at.selectbox(key="unit").value == "all"
    assert not at.warning  # no demo banner


def test_sign_in_is_required_and_nothing_is_shown_before(users):
    at = new_app().run()
    assert_clean(at)
    assert is_login_page(at) and shows_no_data(at)
    assert [x.value for x in at.title] == [t("app.title", lang="zh")]
    at.radio(key="lang").set_value("en").run()  # the sign-in page is translated
    assert [s.value for s in at.subheader] == ["Sign in"]
    assert at.text_input(key="login_password").label == "Password"


def test_sso_is_offered_when_configured_in_secrets(isolated):
    at = new_app()
    at.secrets["auth"] = {
        "redirect_uri": "https://edusight.example/oauth2callback",
        "cookie_secret": "c" * 40,
        "client_id": "edusight",
        "client_secret": "s",
        "server_metadata_url": "https://sso.example/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert is_login_page(at) and shows_no_data(at)  # SSO alone turns sign-in on
    import importlib.util

    if importlib.util.find_spec("authlib") is None:  # st.login needs Authlib
        assert t("access.login.sso_missing", lang="zh") in [c.value for c in at.caption]
    else:
        assert at.button(key="login_sso").label == t("access.login.sso", lang="zh")


def test_incomplete_sso_settings_do_not_count_as_configured(isolated):
    at = new_app()
    at.secrets["auth"] = {"client_id": "edusight"}
    at.run()
    assert [w.value for w in at.warning] == [t("access.demo.banner", lang="zh")]


# --- signing in ----------------------------------------------------------------------------------


def test_wrong_then_right_password(users):
    at = sign_in(new_app(), "jinjiang", "not-the-password")
    assert [e.value for e in at.error] == [t("access.login.failed", lang="zh")]
    assert is_login_page(at) and shows_no_data(at)
    assert at.session_state["login_password"] == ""  # the password does not linger
    sign_in(at, "jinjiang")
    assert_clean(at)
    assert not is_login_page(at)
    assert [x.value for x in at.title] == [t(pages.default_page().title_key, lang="zh")]
    assert any("jinjiang" in c.value for c in at.sidebar.caption)
    assert [(e["event"], e["user"]) for e in events()] == [
        ("login_failed", "jinjiang"),
        ("login", "jinjiang"),
    ]
    assert "not-the-password" not in json.dumps(events())


def test_unknown_user_gets_the_same_message(users):
    at = sign_in(new_app(), "nobody", "whatever-password")
    assert [e.value for e in at.error] == [t("access.login.failed", lang="zh")]
    assert events("login_failed")[0]["reason"] == "unknown_user"


def test_back_off_after_repeated_failures_survives_a_new_session(users, isolated):
    at = new_app()
    for _ in range(3):
        sign_in(at, "admin", "wrong-password")
    sign_in(at, "admin")  # the right password, too early
    assert [e.value for e in at.error][0].startswith("登录失败次数过多")
    assert is_login_page(at)
    other = sign_in(new_app(), "admin")  # another browser session: the account waits too
    assert is_login_page(other)
    assert [e["event"] for e in events()][-2:] == ["login_locked", "login_locked"]
    # once the wait is over (rewind the last failure), signing in works
    state_file = isolated / "login_state.json"
    state = json.loads(state_file.read_text())
    state["user:admin"]["last"] -= 3600
    state_file.write_text(json.dumps(state))
    assert not is_login_page(sign_in(new_app(), "admin"))


def test_sign_out(users):
    at = signed_in("lead")
    at.button(key="auth_logout").click().run()
    assert is_login_page(at) and shows_no_data(at)
    assert [e["event"] for e in events()] == ["login", "logout"]


def test_an_idle_session_expires(users):
    at = signed_in("jinjiang")
    v = at.session_state[auth.VIEWER_KEY]
    at.session_state[auth.VIEWER_KEY] = replace(v, seen=v.seen - 2 * 3600).signed()
    at.run()
    assert is_login_page(at) and shows_no_data(at)
    assert [i.value for i in at.info] == [t("access.login.expired", lang="zh")]
    assert events("session_expired")[0]["user"] == "jinjiang"


def test_a_removed_account_is_signed_out_at_its_next_click(users):
    at = signed_in("jinjiang")
    auth.save_accounts({k: v for k, v in users.items() if k != "jinjiang"})
    at.run()
    assert is_login_page(at) and shows_no_data(at)
    assert [i.value for i in at.info] == [t("access.login.changed", lang="zh")]


def test_a_forged_session_is_ignored(users):
    at = new_app().run()
    now = time.time()
    at.session_state[auth.VIEWER_KEY] = auth.Viewer("admin", "admin", None, "password", now, now)
    at.session_state["auth_user"] = "admin"
    at.session_state["role"] = "admin"
    at.run()
    assert is_login_page(at) and shows_no_data(at)
    # a genuine session of a unit official edited to look like an administrator
    at = signed_in("jinjiang")
    v = at.session_state[auth.VIEWER_KEY]
    at.session_state[auth.VIEWER_KEY] = replace(v, role="admin", unit=None)
    at.run()
    assert is_login_page(at) and shows_no_data(at)


# --- scope: a unit official sees their own unit only --------------------------------------------


def test_a_unit_official_sees_only_their_unit(users):
    at = open_page(signed_in("jinjiang"), GOVERNANCE)
    assert at.selectbox(key="unit").options == ["锦江区"]  # no city-wide choice
    assert at.session_state["unit"] == JJ
    assert all("1 个单位" in c.value for c in at.caption if c.value.startswith("最新记录"))
    assert per_unit_counts(at)["unit_code"].tolist() == [JJ]  # counts per unit
    assert quarantine_units(at) <= {JJ}
    assert t("unit.none", lang="zh") not in at.selectbox(key="gov_unit").options


def test_url_parameters_cannot_widen_the_scope(users):
    at = new_app()
    at.query_params.update({"unit": QY})
    sign_in(at, "jinjiang")
    open_page(at, GOVERNANCE)
    assert at.session_state["unit"] == JJ
    assert at.query_params["unit"] == JJ
    assert per_unit_counts(at)["unit_code"].tolist() == [JJ]


def test_widget_values_cannot_widen_the_scope(users):
    at = new_app().run()
    at.session_state["unit"] = QY  # a unit value sent before signing in
    sign_in(at, "jinjiang")
    open_page(at, GOVERNANCE)
    assert at.session_state["unit"] == JJ
    assert per_unit_counts(at)["unit_code"].tolist() == [JJ]
    assert quarantine_units(at) <= {JJ}


def _scope_probe() -> None:
    import json

    import streamlit as st

    from edusight import queries

    st.text(json.dumps([queries.permitted_units(), queries.viewer_scope()]))


@pytest.mark.parametrize("forged", [QY, "all", "'; DROP TABLE x", None, ["510105"]])
@pytest.mark.parametrize(
    "name, permitted",
    [("jinjiang", [JJ]), ("ana_jj", [JJ]), ("lead", None), ("exam", None)],
)
def test_the_query_layer_ignores_forged_unit_values(users, name, permitted, forged):
    """permitted_units() / viewer_scope() inside a run, whatever the session says the
    sidebar chose (AppTest's harness refuses impossible widget values, so probe directly)."""
    at = AppTest.from_function(_scope_probe, default_timeout=TIMEOUT_S)
    at.session_state[auth.VIEWER_KEY] = auth.viewer_for(users[name], "password", time.time())
    at.session_state["unit"] = forged
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    got_permitted, got_scope = json.loads(at.text[0].value)
    if permitted is None:  # city-wide: the filter narrows to a real unit, or stays city-wide
        assert len(got_permitted) == 23
        assert got_scope == ([QY] if forged == QY else got_permitted)
    else:
        assert got_permitted == permitted and got_scope == permitted


def test_nobody_signed_in_means_no_units(users):
    at = AppTest.from_function(_scope_probe, default_timeout=TIMEOUT_S)
    at.session_state["unit"] = JJ
    at.run()
    assert json.loads(at.text[0].value) == [[], []]


def test_the_sidebar_filter_only_narrows_a_city_wide_viewer(users):
    at = open_page(signed_in("lead"), GOVERNANCE)
    assert len(per_unit_counts(at)) == 23
    at.selectbox(key="unit").select(QY).run()
    assert per_unit_counts(at)["unit_code"].tolist() == [QY]


# --- pages by role -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, allowed",
    [
        ("admin", {EXPLORER, AUDIT_LOG}),
        ("lead", {EXPLORER}),
        ("analyst", {EXPLORER}),
        ("jinjiang", set()),
        ("exam", set()),
    ],
)
def test_pages_follow_the_role(users, name, allowed):
    at = signed_in(name)
    for entry in (EXPLORER, AUDIT_LOG):
        if entry in allowed:
            open_page(at, entry)
            assert [x.value for x in at.title] == [t(entry.title_key, lang="zh")]
        else:  # not registered as a page file for this role: nothing to switch to
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(entry.path)


def test_a_direct_link_to_a_forbidden_page_says_no_access(users):
    at = open_page(signed_in("admin"), AUDIT_LOG)  # the session is now on /audit_log
    at.button(key="auth_logout").click().run()
    sign_in(at, "jinjiang")  # same URL, a role that may not open it
    assert not at.exception
    assert [x.value for x in at.title] == [t(AUDIT_LOG.title_key, lang="zh")]
    assert [e.value for e in at.error] == [t("access.denied", lang="zh")]
    assert not at.dataframe and not at.metric  # the page's code never ran
    assert (events("access_denied")[-1]["user"], events("access_denied")[-1]["page"]) == (
        "jinjiang",
        "audit_log",
    )


# --- the SQL explorer ----------------------------------------------------------------------------


def run_sql(at: AppTest, sql: str) -> AppTest:
    at.text_area(key="explorer_sql").input(sql)
    at.button(key="explorer_run").click().run()
    assert not at.exception
    return at


def result(at: AppTest):
    return at.dataframe[-1].value


def test_explorer_for_a_district_analyst_is_scoped(users):
    at = open_page(signed_in("ana_jj"), EXPLORER)
    listed = set(at.dataframe[0].value["table"])
    assert "marts.schools" in listed and "marts.periods" in listed
    tables = explorer.visible(explorer.catalogue(), explorer.Scope((JJ,), False, False))
    assert listed == {f"marts.{n}" for n in tables}
    run_sql(at, "SELECT DISTINCT unit_code FROM marts.schools")
    assert result(at)["unit_code"].tolist() == [JJ]
    run_sql(at, "SELECT count(DISTINCT unit_code) AS n FROM marts.school_levels JOIN schools USING (school_id)")  # fmt: skip
    assert result(at)["n"].tolist() == [1]
    run_sql(at, "SELECT count(*) AS n FROM marts.schools WHERE unit_code = '510105'")
    assert result(at)["n"].tolist() == [0]  # another unit's rows are simply not there
    assert [e["user"] for e in events("explorer_query")] == ["ana_jj"] * 3


@pytest.mark.parametrize(
    "sql, code",
    [
        ("SELECT * FROM stg.students", "table"),
        ("SELECT * FROM raw.students", "table"),
        ("SELECT * FROM meta.quarantine", "table"),
        ("SELECT * FROM read_csv('.secrets/users.toml')", "function"),
        ("SELECT * FROM query('SELECT * FROM stg.students')", "function"),
        ("ATTACH 'data/edusight.duckdb' AS x", "not_select"),
        ("SELECT 1; SELECT 2", "one_statement"),
    ],
)
def test_explorer_escape_attempts_in_the_page(users, sql, code):
    at = open_page(signed_in("ana_jj"), EXPLORER)
    run_sql(at, sql)
    assert [e.value for e in at.error] == [t(explorer.ERRORS[code], lang="zh")]
    assert events("explorer_query")[-1]["status"] == "refused"


def test_explorer_text_from_data_is_shown_as_text(users):
    at = open_page(signed_in("analyst"), EXPLORER)
    run_sql(at, "SELECT '<img src=x onerror=alert(1)>' AS html, '**bold**' AS md")
    assert result(at)["html"].tolist() == ["<img src=x onerror=alert(1)>"]
    assert not any("<img" in m.value or "**bold**" in m.value for m in at.markdown)
    run_sql(at, "SELECT [click](javascript:alert(1)) FROM marts.schools")  # a syntax error
    assert any("javascript:alert" in c.value for c in at.code)  # the message, as code
    assert not any("javascript" in m.value for m in [*at.markdown, *at.error])


def test_explorer_result_masks_small_counts_and_offers_downloads(users):
    at = open_page(signed_in("analyst"), EXPLORER)
    run_sql(
        at,
        "SELECT school_id, left_behind_count FROM marts.school_levels "
        "WHERE left_behind_count BETWEEN 1 AND 4 LIMIT 5",
    )
    df = result(at)
    if df.empty:
        pytest.skip("no school with 1-4 left-behind pupils in the built database")
    assert set(df["left_behind_count"]) == {"<5"}
    assert at.download_button(key="explorer_download_csv")
    assert at.download_button(key="explorer_download_xlsx")


def test_explorer_examples_run_city_wide_and_for_one_unit(built_db):
    for scope in (
        explorer.Scope(("x",), every_unit=True, city_tables=True),
        explorer.Scope((JJ,), every_unit=False, city_tables=False),
    ):
        for example in explorer.EXAMPLES:
            df = explorer.run(example.sql, scope).df
            assert len(df) > 0, example.title_key
            if "unit_code" in df and not scope.every_unit:
                assert set(df["unit_code"]) == {JJ}, example.title_key


# --- the audit log -------------------------------------------------------------------------------


def test_the_audit_log_page_lists_and_filters_events(users):
    sign_in(new_app(), "jinjiang", "wrong-password")
    at = open_page(signed_in("admin"), AUDIT_LOG)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("audit.event.login", lang="zh")] == "1"
    assert metrics[t("audit.event.login_failed", lang="zh")] == "1"
    table = at.dataframe[0].value
    assert list(table["event"]) == ["login", "login_failed"]  # newest first
    assert list(table["user"]) == ["admin", "jinjiang"]
    at.multiselect(key="audit_events").select("login_failed").run()
    assert list(at.dataframe[0].value["user"]) == ["jinjiang"]
    at.multiselect(key="audit_events").unselect("login_failed").run()
    at.selectbox(key="audit_user").select("admin").run()
    assert list(at.dataframe[0].value["event"]) == ["login"]
    assert at.download_button(key="audit_download_csv")


def test_audit_frame_filters_by_date_and_text():
    import datetime as dt
    import zoneinfo

    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    df = audit.to_frame(
        [
            {"time": "2021-06-07T08:59:00+08:00", "user": "a", "event": "export", "table": "x"},
            {"time": "2021-06-08T00:30:00+08:00", "user": "b", "event": "login"},
            {"time": "not a time", "user": "c", "event": "login"},
        ]
    )
    day = audit.filter_frame(df, start=dt.date(2021, 6, 7), end=dt.date(2021, 6, 7), tz=tz)
    assert list(day["user"]) == ["a"]
    assert list(audit.filter_frame(df, text="TABLE=X")["user"]) == ["a"]
    assert list(audit.filter_frame(df, events=["login"], user="b")["user"]) == ["b"]


# --- privacy on the governance page --------------------------------------------------------------


def test_governance_person_counts_are_text_with_small_cells_masked(isolated):
    at = new_app().run()
    open_page(at, GOVERNANCE)
    by_unit = per_unit_counts(at)
    assert by_unit["students_count"].map(type).eq(str).all()
    assert all(
        v == "<5" or v == "0" or v.replace(",", "").isdigit() for v in by_unit["students_count"]
    )


# --- HTML: never anything but constants, theme CSS or escaping builders -------------------------

CODE = [ROOT / "app.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "edusight").rglob("*.py")]
# HTML builders reviewed by hand: they are given translated labels and numbers, never data text
REVIEWED_LABEL_BUILDERS = {"gap_legend_html", "sequential_legend_html"}


def _escaping_builders() -> set[str]:
    """``*_html`` functions of edusight/figures that pass text through ``html.escape``."""
    out = set()
    for path in (ROOT / "edusight" / "figures").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            escapes = isinstance(node, ast.FunctionDef) and any(
                isinstance(n, ast.Call) and _name(n.func) == "escape" for n in ast.walk(node)
            )
            if escapes and node.name.endswith("_html"):
                out.add(node.name)
    return out


def _name(func: ast.AST) -> str | None:
    return getattr(func, "attr", None) or getattr(func, "id", None)


def _constants(tree: ast.Module) -> set[str]:
    """Module-level names bound to a string constant."""
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _constant_text(node: ast.AST, constants: set[str]) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.IfExp):  # DARK_CSS if dark else ""
        return _constant_text(node.body, constants) and _constant_text(node.orelse, constants)
    if isinstance(node, ast.Call):  # theme CSS: theme.css(...)
        return _name(node.func) == "css"
    return False


def _safe_html(node: ast.AST, constants: set[str], builders: set[str]) -> bool:
    if isinstance(node, ast.JoinedStr):
        return all(
            isinstance(v, ast.Constant)
            or (isinstance(v, ast.FormattedValue) and _constant_text(v.value, constants))
            for v in node.values
        )
    if isinstance(node, ast.Call) and _name(node.func) in builders:
        return True
    return _constant_text(node, constants)


def html_calls() -> list[tuple[str, int, bool]]:
    """(file, line, is safe) for every call that renders raw HTML: anything with
    ``unsafe_allow_html`` (constants and theme CSS only) and ``st.html`` (also HTML builders
    that escape their text, or were reviewed to take labels only)."""
    builders = _escaping_builders() | REVIEWED_LABEL_BUILDERS
    found = []
    for path in CODE:
        tree = ast.parse(path.read_text("utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            unsafe = next((k for k in node.keywords if k.arg == "unsafe_allow_html"), None)
            raw = unsafe is not None and not (
                isinstance(unsafe.value, ast.Constant) and unsafe.value.value is False
            )
            if raw or _name(node.func) == "html":
                arg = node.args[0] if node.args else None
                allowed = set() if raw else builders
                safe = arg is not None and _safe_html(arg, constants, allowed)
                found.append((str(path.relative_to(ROOT)), node.lineno, safe))
    return found


def test_raw_html_is_only_ever_constant_or_theme_css():
    calls = html_calls()
    assert any(f == "edusight/theme.py" for f, _, _ in calls), "the scan found no st.html call"
    unsafe = [f"{f}:{line}" for f, line, safe in calls if not safe]
    assert unsafe == [], "raw HTML built from data (use st.dataframe/st.text, or html.escape)"


def test_the_html_scan_catches_data_in_markdown():
    tree = ast.parse(
        "import streamlit as st\nCSS = '<style></style>'\nname = input()\n"
        "st.markdown(f'<b>{name}</b>', unsafe_allow_html=True)\n"
        "st.markdown(CSS, unsafe_allow_html=True)\n"
        "st.html(some_builder_html(name))\n"
    )
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args]
    verdicts = [
        _safe_html(c.args[0], _constants(tree), set())
        for c in calls
        if _name(c.func) in ("markdown", "html")
    ]
    assert verdicts == [False, True, False]

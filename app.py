"""EduSight (成都教育态势感知): the entry point. Run with `make run`.

Every run: view state from the URL → theme → navigation from the page registry
(edusight/pages.py) → access gate (edusight/auth.py) → sidebar controls → database check →
freshness line → the page.
"""

import streamlit as st

from edusight import auth, theme, ui
from edusight.i18n import t
from edusight.queries import DatabaseUnavailable

ui.init_state()
st.set_page_config(
    page_title=t("app.title"),
    page_icon="🎓",
    layout="wide",
    initial_sidebar_state="collapsed" if ui.is_kiosk() else "expanded",
)
theme.apply(theme.current_theme(), kiosk=ui.is_kiosk())
page = st.navigation(ui.navigation(), position=auth.nav_position(), expanded=True)
auth.gate()  # demo banner; or the sign-in / refusal page, then st.stop(): no data before it

view_box, pref_box = ui.sidebar_boxes()
ui.preference_controls(pref_box)
try:
    shell = ui.load_shell()
except DatabaseUnavailable as err:
    ui.sync_query_params()
    ui.database_unavailable(err)
ui.view_controls(view_box, shell)
ui.sync_query_params()

ui.freshness_line(shell.build_info)
try:
    page.run()
except DatabaseUnavailable as err:
    ui.database_unavailable(err)

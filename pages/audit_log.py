"""审计日志 / Audit log: sign-ins, exports and explorer queries (edusight/audit.py), for admins."""

import datetime as dt

import streamlit as st

from edusight import audit, export, ui
from edusight.i18n import t

DEFAULT_DAYS = 30

ui.page_header("page.audit_log.title", "audit.intro")
log = audit.to_frame(audit.read(limit=audit.READ_LIMIT))

# --- filters --------------------------------------------------------------------------------------
today = dt.date.today()
c_dates, c_event, c_user, c_text = st.columns([3, 3, 2, 2])
dates = c_dates.date_input(
    t("audit.filter.dates"),
    value=(today - dt.timedelta(days=DEFAULT_DAYS), today),
    max_value=today,
    key="audit_dates",
)
start, end = (dates[0], dates[-1]) if isinstance(dates, tuple) and dates else (None, None)
events = c_event.multiselect(
    t("audit.filter.events"),
    list(audit.EVENTS),
    format_func=lambda e: t(audit.EVENTS[e]),
    placeholder=t("audit.filter.all"),
    key="audit_events",
)
users = sorted(set(log["user"]))
user = c_user.selectbox(
    t("audit.filter.user"),
    [None, *users],
    format_func=lambda u: t("audit.filter.all") if u is None else u,
    key="audit_user",
)
text = c_text.text_input(t("audit.filter.text"), key="audit_text")
shown = audit.filter_frame(log, start=start, end=end, events=events, user=user, text=text)

# --- what happened in the period ------------------------------------------------------------------
for box, event in zip(
    st.columns(4), ("login", "login_failed", "export", "explorer_query"), strict=True
):
    box.metric(t(audit.EVENTS[event]), f"{int((shown['event'] == event).sum()):,}", border=True)

# --- the entries ----------------------------------------------------------------------------------
table = shown.assign(
    time=shown["time"].dt.tz_convert(dt.datetime.now().astimezone().tzinfo).dt.tz_localize(None),
    event_label=shown["event"].map(lambda e: t(audit.EVENTS[e]) if e in audit.EVENTS else e),
)
st.caption(t("audit.count", shown=f"{len(table):,}", total=f"{len(log):,}"))
ui.dataframe(
    table,
    hide_index=True,
    height=480,
    column_order=["time", "user", "event_label", "details"],
    column_config={
        "time": st.column_config.DatetimeColumn(t("audit.col.time"), format="YYYY-MM-DD HH:mm:ss"),
        "user": t("audit.col.user"),
        "event_label": t("audit.col.event"),
        "details": st.column_config.TextColumn(t("audit.col.details"), width="large"),
    },
    key="audit_table",
)
export.download_buttons(
    table[["time", "user", "event", "details"]].astype({"time": str}),
    "audit_log",
    {
        t("audit.filter.dates"): f"{start or ''} – {end or ''}",
        t("audit.filter.events"): ", ".join(events) or t("audit.filter.all"),
        t("audit.filter.user"): user or t("audit.filter.all"),
        t("audit.filter.text"): text,
    },
    key="audit_download",
)
st.caption(t("audit.note", path=str(audit.log_path()), limit=f"{audit.READ_LIMIT:,}"))

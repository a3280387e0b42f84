"""Light desk theme, dark big-screen theme, kiosk and print styles; plotly templates to match.

Streamlit's own theme is the light one (``.streamlit/config.toml``). The dark big-screen mode is
CSS injected over the app container, switched per session in the sidebar (``?theme=dark``).
Figure builders take a plotly template name: ``edusight_light`` or ``edusight_dark``
(registered in ``plotly.io.templates`` when this module is imported):

    from edusight import theme
    fig = build_x(df, template=theme.plotly_template())
    st.plotly_chart(fig, theme=None)          # keep our template, not Streamlit's
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from edusight.i18n import N_

THEMES: dict[str, str] = {"light": N_("theme.light"), "dark": N_("theme.dark")}
DEFAULT_THEME = "light"
STATE_KEY = "theme"

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
    '"Microsoft YaHei", "Helvetica Neue", Arial, sans-serif'
)
COLORWAY = [
    "#2563eb",
    "#f59e0b",
    "#10b981",
    "#ef4444",
    "#8b5cf6",
    "#06b6d4",
    "#84cc16",
    "#ec4899",
    "#64748b",
    "#d97706",
]
PALETTE: dict[str, dict[str, str]] = {
    "light": {
        "bg": "#ffffff",
        "panel": "#f3f5f9",
        "text": "#1f2937",
        "muted": "#6b7280",
        "grid": "#e5e7eb",
        "accent": "#2563eb",
        "warn": "#d97706",
        "bad": "#dc2626",
        "good": "#059669",
    },
    "dark": {
        "bg": "#0b1220",
        "panel": "#131d31",
        "text": "#e6edf7",
        "muted": "#97a6bd",
        "grid": "#26344d",
        "accent": "#38bdf8",
        "warn": "#fbbf24",
        "bad": "#f87171",
        "good": "#34d399",
    },
}
TEMPLATES: dict[str, str] = {"light": "edusight_light", "dark": "edusight_dark"}
# a chart's legend goes on a line of its own between the title and the plot: below the plot it
# met the x axis's title or its slanted tick labels whenever the chart was short
LEGEND_TOP: dict = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0}
LEGEND_TOP_MARGIN_PX = 80  # room above the plot for the title and the legend line


def legend_top_margin(names: list[str], width_px: int = 380, font_px: int = 13) -> int:
    """Room above the plot for the title and a legend of ``names`` wrapped into lines in a chart
    about ``width_px`` wide (a half-width column's plot: the narrowest the pages draw)."""
    item = [font_px * sum(1.0 if ord(c) > 0x2E7F else 0.6 for c in n) + 40 for n in names]
    lines, used = 1, 0.0
    for w in item:
        if used and used + w > width_px:
            lines, used = lines + 1, 0.0
        used += w
    return LEGEND_TOP_MARGIN_PX + 22 * (lines - 1)


def _template(name: str) -> go.layout.Template:
    p = PALETTE[name]
    base = pio.templates["plotly_white" if name == "light" else "plotly_dark"]
    tpl = go.layout.Template(base)
    axis = {
        "gridcolor": p["grid"],
        "linecolor": p["grid"],
        "zerolinecolor": p["grid"],
        "tickfont": {"color": p["muted"]},
        "title": {"font": {"color": p["muted"]}},
        "automargin": True,
    }
    tpl.layout.update(
        font={"family": FONT_FAMILY, "color": p["text"], "size": 13},
        colorway=COLORWAY,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis=axis,
        yaxis=axis,
        legend={"font": {"color": p["text"]}, "bgcolor": "rgba(0,0,0,0)"},
        # the title at the very top, whatever the top margin holds beneath it (a legend)
        title={
            "font": {"size": 16, "color": p["text"]},
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 14},
        },
        hoverlabel={"font": {"family": FONT_FAMILY}},
        margin={"l": 8, "r": 16, "t": 48, "b": 8},
    )
    return tpl


for _name, _tpl_name in TEMPLATES.items():
    pio.templates[_tpl_name] = _template(_name)


def current_theme() -> str:
    """The session's theme ("light" or "dark"); "light" outside a Streamlit run."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if get_script_run_ctx(suppress_warning=True) is None:
            return DEFAULT_THEME
        import streamlit as st

        name = st.session_state.get(STATE_KEY, DEFAULT_THEME)
    except Exception:
        return DEFAULT_THEME
    return name if name in THEMES else DEFAULT_THEME


def plotly_template(name: str | None = None) -> str:
    """Plotly template name for a theme (default: the session's)."""
    return TEMPLATES[name or current_theme()]


def colors(name: str | None = None) -> dict[str, str]:
    """The palette of a theme: bg, panel, text, muted, grid, accent, warn, bad, good."""
    return PALETTE[name or current_theme()]


_CHROME = (
    '[data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], '
    '[data-testid="stDecoration"], [data-testid="stExpandSidebarButton"], '
    '[data-testid="stSidebarCollapsedControl"], [data-testid="stStatusWidget"]'
)

_BASE_CSS = """
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; }
.es-freshness { font-size: 0.85rem; opacity: 0.75; }
@media print {
  @page { size: A4 landscape; margin: 10mm; }  /* dashboards are wide: maps beside their charts */
  %(chrome)s { display: none !important; }
  [data-testid="stMain"] { margin-left: 0 !important; }
  [data-testid="stMainBlockContainer"] { padding: 0.5rem 1rem !important; max-width: 100%% !important; }
  [data-testid="stDownloadButton"], [data-testid="stElementToolbar"] { display: none !important; }
  .js-plotly-plot, [data-testid="stDataFrame"], [data-testid="stMetric"],
  [data-testid="stDeckGlJsonChart"], [data-testid="stImage"] { break-inside: avoid; }
  body, [data-testid="stApp"] { background: #ffffff !important; color: #000000 !important; }
}
"""

_KIOSK_CSS = """
%(chrome)s { display: none !important; }
[data-testid="stMain"] { margin-left: 0 !important; }
[data-testid="stMainBlockContainer"] { padding: 1rem 2rem !important; max-width: 100%% !important; }
"""

_DARK_CSS = """
[data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
[data-testid="stBottomBlockContainer"] {
  background: %(bg)s !important; color: %(text)s;
}
[data-testid="stHeader"] { background: transparent !important; }
[data-testid="stSidebar"], [data-testid="stSidebarContent"] {
  background: %(panel)s !important; color: %(text)s;
}
[data-testid="stApp"] h1, [data-testid="stApp"] h2, [data-testid="stApp"] h3,
[data-testid="stApp"] h4, [data-testid="stApp"] p, [data-testid="stApp"] li,
[data-testid="stApp"] label, [data-testid="stApp"] span,
[data-testid="stMarkdownContainer"], [data-testid="stWidgetLabel"],
[data-testid="stMetricValue"], [data-testid="stSidebarNavLink"] span,
[data-testid="stNavSectionHeader"], [data-testid="stExpander"] summary {
  color: %(text)s !important;
}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stMetricLabel"] p, .es-freshness { color: %(muted)s !important; }
[data-testid="stSidebarNavLink"]:hover, [data-testid="stSidebarNavLink"][aria-current="page"] {
  background: %(grid)s !important;
}
[data-testid="stSelectbox"] [role="group"], [data-testid="stSelectbox"] input,
[data-testid="stMultiSelect"] [role="group"], [data-testid="stTextInput"] input,
[data-testid="stDownloadButton"] button, [data-testid="stBaseButton-secondary"] {
  background: %(panel)s !important; color: %(text)s !important; border-color: %(grid)s !important;
}
[data-testid="stSelectbox"] svg { color: %(muted)s !important; }
input::placeholder, textarea::placeholder { color: %(muted)s !important; opacity: 1 !important; }
/* progress bars: the track, not the light one */
[data-testid="stProgress"] [role="progressbar"] > div { background: %(grid)s !important; }
[data-testid="stProgress"] [role="progressbar"] > div > div { background: %(accent)s !important; }
/* segmented controls and pills (role="radio" buttons, marked aria-checked when chosen) */
[data-testid="stButtonGroup"] button {
  background: %(panel)s !important; border-color: %(grid)s !important;
}
[data-testid="stButtonGroup"] button:hover { border-color: %(accent)s !important; }
[data-testid="stButtonGroup"] button[aria-checked="true"] {
  background: color-mix(in srgb, %(accent)s 28%%, %(panel)s) !important;
  border-color: %(accent)s !important;
}
[role="listbox"], [role="listbox"] [role="option"] {
  background: %(panel)s !important; color: %(text)s !important;
}
[role="listbox"] [role="option"]:hover, [role="listbox"] [role="option"][data-focused],
[role="listbox"] [role="option"][aria-selected="true"] { background: %(grid)s !important; }
[data-testid="stMetric"], [data-testid="stExpander"] details {
  background: %(panel)s; border-color: %(grid)s !important;
}
[data-testid="stExpander"] details summary:hover { background: %(grid)s; }
[data-testid="stHeadingDivider"], hr { background: %(grid)s !important; border-color: %(grid)s; }
[data-testid="stAlertContainer"] { background: %(panel)s !important; }
[data-testid="stMetricDelta"] { background: rgba(148, 163, 184, 0.15) !important; }
[data-testid="stMetricDelta"] p, [data-testid="stMetricDelta"] div { color: inherit !important; }
textarea {
  background: %(panel)s !important; color: %(text)s !important; border-color: %(grid)s !important;
}
/* the data grid draws on a canvas with Streamlit's light colours: invert it */
[data-testid="stDataFrame"] { filter: invert(0.92) hue-rotate(180deg); }
"""

_BIG_SCREEN_CSS = """
html { font-size: 17px; }
"""


def css(name: str, *, kiosk: bool = False) -> str:
    """The CSS for a theme (plus kiosk chrome hiding); always includes the print rules."""
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}")
    parts = [_BASE_CSS % {"chrome": _CHROME}]
    if name == "dark":
        parts.append(_DARK_CSS % PALETTE["dark"])
        parts.append(_BIG_SCREEN_CSS)
    if kiosk:
        parts.append(_KIOSK_CSS % {"chrome": _CHROME})
    return "\n".join(parts)


def apply(name: str, *, kiosk: bool = False) -> None:
    """Inject the theme's CSS into the page (a style-only ``st.html`` takes no space)."""
    import streamlit as st

    st.html(f"<style>{css(name, kiosk=kiosk)}</style>")

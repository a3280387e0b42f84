"""The app shell's Streamlit pieces: view state ↔ URL, sidebar controls, freshness, messages.

View state lives in ``st.session_state`` under the keys ``lang``, ``unit``, ``period``, ``theme``
(and ``kiosk``) and is mirrored in the URL (``?lang=en&unit=510104&period=2021Q4&theme=dark``),
so a copied link reproduces the view. app.py calls the shell functions; page authors use:

    from edusight import queries, ui
    ui.page_header("page.x.title", "page.x.intro")
    df = queries.run("x_by_unit", queries.viewer_scope(), period=ui.period())
    ui.plotly_chart(build_x(df, template=theme.plotly_template()))
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from edusight import i18n, pages, queries, theme
from edusight.i18n import N_, t
from edusight.queries import ALL, DatabaseUnavailable

URL_KEYS = ("lang", "unit", "period", "theme")
KIOSK_KEY = "kiosk"
_INIT_KEY = "_es_url_loaded"
_URL_UNIT, _URL_PERIOD = "_es_url_unit", "_es_url_period"

_DB_MESSAGES = {
    "missing": N_("db.missing"),
    "locked": N_("db.locked"),
    "corrupt": N_("db.corrupt"),
    "incomplete": N_("db.incomplete"),
}


@dataclass(frozen=True)
class Shell:
    """What the shell reads from the database on every run (cached queries)."""

    units: pd.DataFrame  # meta_units: unit_code, name_zh, name_en, … is_in_scope
    periods: list[str]  # oldest first
    build_info: dict[str, Any]  # meta_build_info: built_at, as_of, source_min_date, …


# --- view state -------------------------------------------------------------------------------


def init_state() -> None:
    """On a session's first run, seed the view state from the URL (validated)."""
    ss = st.session_state
    if ss.get(_INIT_KEY):
        return
    qp = st.query_params
    lang = qp.get("lang")
    ss[i18n.STATE_KEY] = lang if lang in i18n.LANGS else i18n.DEFAULT_LANG
    name = qp.get("theme")
    ss[theme.STATE_KEY] = name if name in theme.THEMES else theme.DEFAULT_THEME
    ss[KIOSK_KEY] = qp.get(KIOSK_KEY, "").lower() in ("1", "true", "yes", "on")
    # unit and period are checked against the database later (view_controls)
    ss[_URL_UNIT] = qp.get("unit")
    ss[_URL_PERIOD] = qp.get("period")
    ss[_INIT_KEY] = True


def is_kiosk() -> bool:
    """Command-centre screen mode (``?kiosk=1``): no sidebar, header or toolbar."""
    return bool(st.session_state.get(KIOSK_KEY, False))


def period() -> str | None:
    """The selected reporting period, e.g. "2021Q4" (None when the database has none)."""
    return st.session_state.get("period")


def unit_filter() -> str | None:
    """The unit chosen in the sidebar, or None for all units. Scope queries with viewer_scope()."""
    u = st.session_state.get(queries.UNIT_FILTER_KEY)
    return None if u in (None, ALL) else u


def sync_query_params() -> None:
    """Mirror the view state into the URL (other query parameters are left alone)."""
    ss = st.session_state
    want: dict[str, str | None] = {k: ss.get(k) for k in URL_KEYS}
    want[KIOSK_KEY] = "1" if is_kiosk() else None
    qp = st.query_params
    for key, value in want.items():
        if value is None:
            if key in qp:
                del qp[key]
        elif qp.get(key) != str(value):
            qp[key] = str(value)


# --- shell ------------------------------------------------------------------------------------


def navigation() -> dict[str, list[st.Page]]:
    """``st.navigation`` input from the registry: translated group labels → st.Page objects.

    The menu lists the pages the viewer's role may open (``edusight.auth.page_allowed``). A page
    it may not open keeps its URL but is hidden and replaced by a "no access" message, so a
    direct link never runs the page's code. Before sign-in (menu hidden) every page is listed.
    """
    from edusight import auth  # auth imports ui lazily

    viewer = auth.current_viewer()
    allowed = [e for e in pages.PAGES if viewer is None or auth.page_allowed(e, viewer)]
    default = pages.default_page()
    if allowed and default not in allowed:
        default = allowed[0]
    out: dict[str, list[st.Page]] = {}
    for group, entries in pages.by_group().items():
        out[t(pages.GROUPS[group])] = [
            st.Page(
                e.path,
                title=t(e.title_key),
                icon=e.icon,
                url_path=e.url_path,
                default=e is default,
            )
            if e in allowed
            else st.Page(
                auth.no_access_page(e),
                title=t(e.title_key),
                icon=e.icon,
                url_path=e.url_path,
                visibility="hidden",
            )
            for e in entries
        ]
    return out


def load_shell() -> Shell:
    """Units, periods and build info. Raises DatabaseUnavailable."""
    permitted = queries.permitted_units()
    units = queries.run("meta_units", permitted)
    periods = queries.run("meta_periods", permitted)["period"].tolist()
    info = queries.run("meta_build_info", permitted)
    build_info = info.iloc[0].to_dict() if len(info) else {}
    return Shell(units=units, periods=periods, build_info=build_info)


def sidebar_boxes() -> tuple[Any, Any]:
    """(view box, preferences box): sidebar containers, view controls on top."""
    return st.sidebar.container(), st.sidebar.container()


def preference_controls(box: Any) -> None:
    """Language and theme: they work without a database."""
    with box:
        st.radio(
            t("sidebar.language"),
            list(i18n.LANGS),
            format_func=i18n.LANGS.__getitem__,
            key=i18n.STATE_KEY,
            horizontal=True,
        )
        st.radio(
            t("sidebar.theme"),
            list(theme.THEMES),
            format_func={k: t(v) for k, v in theme.THEMES.items()}.__getitem__,
            key=theme.STATE_KEY,
            horizontal=True,
        )


def view_controls(box: Any, shell: Shell) -> None:
    """Period (quarters in the database, latest first) and unit (all, or one permitted unit)."""
    ss = st.session_state
    name_col = i18n.col("name")
    in_scope = shell.units[shell.units["is_in_scope"]]
    names = dict(zip(in_scope["unit_code"], in_scope[name_col], strict=True))
    # one permitted unit (a unit official): that unit only, no misleading "city-wide" choice
    unit_options = list(names) if len(names) == 1 else [ALL, *names]
    if ss.get(queries.UNIT_FILTER_KEY) not in unit_options:
        from_url = ss.pop(_URL_UNIT, None)
        ss[queries.UNIT_FILTER_KEY] = from_url if from_url in unit_options else unit_options[0]
    period_options = list(reversed(shell.periods))
    if period_options and ss.get("period") not in period_options:
        from_url = ss.pop(_URL_PERIOD, None)
        ss["period"] = from_url if from_url in period_options else period_options[0]
    elif not period_options:
        ss["period"] = None
    with box:
        if period_options:
            st.selectbox(t("sidebar.period"), period_options, key="period")
        st.selectbox(
            t("sidebar.unit"),
            unit_options,
            format_func={ALL: t("sidebar.unit.all", n=len(names)), **names}.__getitem__,
            key=queries.UNIT_FILTER_KEY,
        )
        st.caption(t("sidebar.link_hint"))


def _fmt_time(value: Any) -> str:
    if value in (None, "") or (isinstance(value, float) and pd.isna(value)):
        return t("freshness.unknown")
    try:
        return dt.datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)


def _fmt_date(value: Any) -> str:
    if value in (None, "") or (isinstance(value, float) and pd.isna(value)):
        return t("freshness.unknown")
    return str(value)[:10]


def freshness_text(build_info: dict[str, Any]) -> str:
    """The freshness line: data as-of date, build time, source date range."""
    return t(
        "freshness.line",
        as_of=_fmt_date(build_info.get("as_of")),
        built_at=_fmt_time(build_info.get("built_at")),
        source_min=_fmt_date(build_info.get("source_min_date")),
        source_max=_fmt_date(build_info.get("source_max_date")),
    )


def freshness_line(build_info: dict[str, Any]) -> None:
    st.caption(freshness_text(build_info))


def database_unavailable(err: DatabaseUnavailable) -> NoReturn:
    """A translated message with the command that fixes it; then stop the run."""
    st.title(t("app.title"))
    st.error(t(_DB_MESSAGES[err.reason], path=str(err.path)), icon="⚠️")
    st.markdown(t("db.fix.locked") if err.reason == "locked" else t("db.fix"))
    st.code("make run\n# " + t("db.fix.or") + "\npython -m etl build", language="bash")
    if err.detail:
        with st.expander(t("db.detail")):
            st.text(err.detail)
    st.stop()
    raise AssertionError("unreachable")  # st.stop raises; keeps type checkers honest


# --- page helpers -----------------------------------------------------------------------------


def _ensure_router() -> None:
    """Re-run through app.py when Streamlit ran a page file on its own.

    Streamlit (1.67) starts a process in legacy "pages/ folder" mode whenever a ``pages/``
    directory exists, until some run calls ``st.navigation``. If the first request after a
    restart is a deep link (``/data_governance``), it runs ``pages/data_governance.py`` alone:
    no sidebar, no theme, no freshness line, no database check, and every later session of the
    process does the same until someone opens "/". AppTest does it on every run after
    ``switch_page``. Switching the legacy mode off and re-running routes the request through
    app.py (the page keeps its URL).
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - internal module moved
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_header(title_key: str, intro_key: str | None = None) -> None:
    """The page title (and a one-line introduction). Call it first on every page."""
    _ensure_router()
    st.title(t(title_key))
    if intro_key:
        st.markdown(t(intro_key))


def _frame_digest(obj: pd.DataFrame | pd.Series) -> bytes:
    """A cache key for a data frame: a digest of its content (index, column names, dtypes and
    values, column by column).

    Column by column, so that the digest does not depend on how pandas lays the frame out in
    memory: a frame fresh from a computation and its copy out of ``st.cache_data`` (unpickled, its
    blocks arranged otherwise) are equal and must digest equal, or every new view builds its
    figures twice. Much faster than Streamlit's default hashing of frames with text columns."""
    h = hashlib.blake2b(digest_size=20)
    frame = obj.to_frame() if isinstance(obj, pd.Series) else obj
    h.update(pickle.dumps((type(obj).__name__, frame.index, list(frame.columns)), protocol=5))
    for _, col in frame.items():
        values = col.array
        if hasattr(values, "_pa_array"):  # Arrow-backed (text): its chunks joined, no copy out
            data = values._pa_array.combine_chunks()
        else:
            data = col.to_numpy()
        h.update(pickle.dumps((str(col.dtype), data), protocol=5))
    return h.digest()


@st.cache_data(
    show_spinner=False,
    max_entries=512,
    hash_funcs={pd.DataFrame: _frame_digest, pd.Series: _frame_digest},
)
def _figure_spec(*, module: str, name: str, args: tuple, kw: dict[str, Any]) -> dict[str, Any]:
    """The plotly spec (``Figure.to_dict()``) of ``module.name(*args, **kw)``."""
    builder = getattr(importlib.import_module(module), name)
    return builder(*args, **kw).to_dict()


@dataclass(frozen=True)
class FigureSpec:
    """A plotly figure as its spec (``Figure.to_dict()``), validated when it was built; show it
    with ``plotly_chart``. ``figure()`` returns one."""

    spec: dict[str, Any]

    def to_figure(self) -> go.Figure:
        """A ``go.Figure`` of the spec (to inspect or change it)."""
        return go.Figure(self.spec)


class _SpecFigure(go.Figure):
    """What ``st.plotly_chart`` needs of a figure whose spec is ready: ``to_dict()`` (it then
    JSON-encodes the dict). Rebuilding a ``go.Figure`` from the spec would copy and re-wrap every
    trace (milliseconds for a map) only to turn it back into the same dict."""

    def __init__(self, spec: dict[str, Any]) -> None:  # no super().__init__: no traces built
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        return self._spec


def figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> FigureSpec:
    """``builder(*args, **kwargs)``, cached across sessions on the builder's inputs.

    ``ui.plotly_chart(ui.figure(figures.unit_bar, df, labels=labels, template=tpl))``. Building a
    figure validates every property and copies the template (tens of milliseconds each); a rerun
    that draws the same figure from the same data gets the cached spec back. The builder must be
    a pure module-level function of its arguments (``edusight/figures/*``): the cache key is the
    builder's name and the arguments' values (data frames are hashed by content), so a viewer only
    gets a figure built from exactly the data their own scoped queries returned.
    """
    # keyword arguments: Streamlit looks up the name of every positional one on each call
    spec = _figure_spec(module=builder.__module__, name=builder.__qualname__, args=args, kw=kwargs)
    return FigureSpec(spec)


@dataclass(frozen=True)
class DeckSpec:
    """A pydeck map serialized once, standing in for the ``pydeck.Deck`` in ``st.pydeck_chart``:
    Streamlit reads a deck's ``to_json()``, tooltip (``_tooltip``), ``width`` and ``mapbox_key``,
    and nothing else when the deck carries no layer objects."""

    spec: str
    _tooltip: dict[str, Any] | bool | None = None
    width: int | None = None
    mapbox_key: str | None = None
    layers: None = None  # the layers are in ``spec`` already

    def to_json(self) -> str:
        return self.spec


def _deck_json(deck: Any) -> str:
    # pydeck cannot serialize a pandas 3 frame in a layer (Streamlit converts it the same way)
    for layer in getattr(deck, "layers", None) or []:
        if isinstance(getattr(layer, "data", None), pd.DataFrame):
            layer.data = layer.data.to_dict(orient="records")
    return deck.to_json()


@st.cache_data(
    show_spinner=False,
    max_entries=48,  # a map's JSON is 0.5-2 MB: a few dozen views, not every one ever seen
    hash_funcs={pd.DataFrame: _frame_digest, pd.Series: _frame_digest},
)
def _deck_spec(*, module: str, name: str, args: tuple, kw: dict[str, Any]) -> DeckSpec:
    deck = getattr(importlib.import_module(module), name)(*args, **kw)
    width = getattr(deck, "width", None)
    return DeckSpec(
        spec=_deck_json(deck),
        _tooltip=getattr(deck, "_tooltip", None),
        width=width if isinstance(width, int) else None,
        mapbox_key=getattr(deck, "mapbox_key", None) or None,
    )


def deck(builder: Callable[..., Any], *args: Any, **kwargs: Any) -> DeckSpec:
    """``builder(*args, **kwargs)`` (a pydeck map), serialized once and cached across sessions
    on the builder's inputs, like ``figure``; pass the result to ``st.pydeck_chart``. A map of
    thousands of schools takes tens of milliseconds to serialize on every run otherwise."""
    return _deck_spec(module=builder.__module__, name=builder.__qualname__, args=args, kw=kwargs)


def plotly_chart(fig: go.Figure | FigureSpec, *, key: str | None = None) -> None:
    """Show a figure with its own template (not Streamlit's), full width, no plotly logo."""
    if isinstance(fig, FigureSpec):
        fig = _SpecFigure(fig.spec)
    st.plotly_chart(fig, theme=None, width="stretch", key=key, config={"displaylogo": False})


MISSING = "—"  # how a table shows a value that is not there (Streamlit's default: "None")


def dataframe(data, **kw):
    """``st.dataframe`` with missing values shown as ``MISSING``, not as the word "None"."""
    kw.setdefault("placeholder", MISSING)
    return st.dataframe(data, **kw)


PAGE_ROWS = 500  # rows of a long table sent to the browser at a time


def paginate(df: pd.DataFrame, *, key: str, rows: int | None = None) -> pd.DataFrame:
    """The rows of ``df`` to show now: all of them when there are at most ``rows``; else one
    page (``PAGE_ROWS`` unless given), with a page picker (widget ``key``) and a line saying
    which rows these are.

    For long lists read a page at a time (the quarantine browser): sending thousands of rows
    to the browser on every run costs more than anyone reads. Offer the whole table with
    ``export.download_buttons``. Sorting by a column header sorts the page shown.
    """
    rows = rows or PAGE_ROWS
    n = len(df)
    if n <= rows:
        return df
    pages = -(-n // rows)
    if not 1 <= st.session_state.get(key, 1) <= pages:  # fewer pages since (a filter changed)
        st.session_state[key] = 1
    left, right = st.columns([5, 1], vertical_alignment="bottom")
    page = right.number_input(
        t("ui.page", pages=pages), min_value=1, max_value=pages, step=1, key=key
    )
    start = (int(page) - 1) * rows
    left.caption(
        t("ui.page.rows", first=f"{start + 1:,}", last=f"{min(start + rows, n):,}", total=f"{n:,}")
    )
    return df.iloc[start : start + rows]


def unit_label(code: str | None) -> str:
    """Unit name in the current language (or a 'no unit' label)."""
    if not code:
        return t("unit.none")
    return queries.unit_names(i18n.current_lang()).get(code, code)

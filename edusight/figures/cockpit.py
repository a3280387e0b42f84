"""Figures and pure helpers of the leadership cockpit. Data frame + labels + template in, out a
figure or a frame; no Streamlit, so tests call them on inline frames.

Input: rows of ``queries/cockpit_items.sql`` (one per work item and indicator; an item without
an indicator in scope has one row with ``indicator`` missing). The status of an indicator is
computed in the database (``marts.work_item_status_of``, docs/cockpit.md); an item's status is
the worst status of its rated indicators (``item_rollup``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from edusight.theme import LEGEND_TOP, LEGEND_TOP_MARGIN_PX, PALETTE, TEMPLATES

RATED = ("off_track", "at_risk", "on_track")  # worst first
UNRATED = ("info", "no_data")
# shapes as well as colours (readable in black-and-white print and by colour-blind readers)
STATUS_ICON = {"on_track": "●", "at_risk": "▲", "off_track": "■", "info": "○", "no_data": "○"}
MARKDOWN_COLOR = {"on_track": "green", "at_risk": "orange", "off_track": "red"}
TASK_INDICATORS = ("tasks_done_pct", "tasks_overdue_count")
BAR_HEIGHT_PX = 30
BASE_HEIGHT_PX = 120


def _theme_name(template: str) -> str:
    return next((k for k, v in TEMPLATES.items() if v == template), "light")


def status_colors(theme: str = "light") -> dict[str, str]:
    """status code → colour of the theme (good / warn / bad; muted for unrated)."""
    p = PALETTE[theme]
    return {
        "on_track": p["good"],
        "at_risk": p["warn"],
        "off_track": p["bad"],
        "info": p["muted"],
        "no_data": p["muted"],
    }


def status_cell_css(text: object, theme: str = "light") -> str:
    """CSS for a table cell that starts with a status icon: the status colour, bold."""
    if not isinstance(text, str) or not text:
        return ""
    status = next((s for s in RATED if text.startswith(STATUS_ICON[s])), None)
    if status is None:
        return ""
    return f"color: {status_colors(theme)[status]}; font-weight: 600"


def table_print_html(rows: list[dict], columns: dict[str, str], theme: str = "light") -> str:
    """A plain HTML table of ``rows`` (``columns``: key → header, in order) for paper: the
    interactive table draws on a canvas, which the browser prints at the screen's width, cut
    off. Hidden on screen (class ``es-print-only``); status cells in their colour; every value
    escaped."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in columns.values())
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="{status_cell_css(r.get(k), theme)}">{html.escape(str(r.get(k) or ""))}</td>'
            for k in columns
        )
        + "</tr>"
        for r in rows
    )
    return (
        '<div class="es-print-only"><table class="es-print-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def status_markdown(status: str, label: str) -> str:
    """``:green[● On track]`` for st.markdown (unrated statuses uncoloured)."""
    text = f"{STATUS_ICON.get(status, '○')} {label}"
    color = MARKDOWN_COLOR.get(status)
    return f":{color}[{text}]" if color else text


def _num(v: object) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(f) else f


def format_value(value: object, kind: str | None, uom: str | None = "") -> str:
    """``66.9%`` for a percentage, ``1,234 个`` for a count, ``—`` when missing."""
    v = _num(value)
    if v is None:
        return "—"
    if kind == "pct":
        return f"{v:.1f}%"
    if kind == "count":
        text = f"{v:,.0f}"
    else:
        text = f"{v:,.1f}"
    return f"{text} {uom}".rstrip() if uom else text


def change_text(value: object, prev: object, kind: str | None) -> str:
    """Change against a year earlier: ``+3.2 pp`` for percentages, ``+12`` for counts."""
    v, p = _num(value), _num(prev)
    if v is None or p is None:
        return "—"
    d = v - p
    if kind == "pct":
        return f"{d:+.1f} pp"
    return f"{d:+,.0f}" if kind == "count" else f"{d:+,.1f}"


def item_rollup(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per work item: its status (the worst of its rated indicators; ``info`` when it
    has indicators but none with a target, ``no_data`` when it has none in scope) and the
    indicator that decides it (``driver``: the worst-rated one, own indicators before the task
    list on ties), with counts of indicators per status.

    ``rows``: item_no, indicator, sort_order, status (other columns are carried from the
    driver row).
    """
    cols = [
        "item_no",
        "status",
        "driver",
        "n_on_track",
        "n_at_risk",
        "n_off_track",
        "n_indicators",
    ]
    rank = {s: i for i, s in enumerate(RATED)}
    last = float("inf")  # a missing sort order sorts last
    indicators: dict[object, list[tuple[float, str, object]]] = {}
    # plain Python over a few dozen rows: a pandas group-by per item costs ~100x more
    for item_no, indicator, order, status in zip(
        rows["item_no"], rows["indicator"], rows["sort_order"], rows["status"], strict=True
    ):
        if pd.isna(item_no):
            continue
        found = indicators.setdefault(item_no, [])
        if not pd.isna(indicator):
            found.append((last if pd.isna(order) else float(order), indicator, status))
    out = []
    for item_no in sorted(indicators):
        g = indicators[item_no]
        rated = sorted(
            ((rank[st], o, ind, st) for o, ind, st in g if st in rank), key=lambda r: r[:2]
        )
        if rated:
            _, _, driver, status = rated[0]
        elif g:
            driver, status = min(g, key=lambda r: r[0])[1], "info"
        else:
            driver, status = None, "no_data"
        statuses = [st for _, _, st in g]
        out.append(
            {
                "item_no": item_no,
                "status": status,
                "driver": driver,
                "n_on_track": statuses.count("on_track"),
                "n_at_risk": statuses.count("at_risk"),
                "n_off_track": statuses.count("off_track"),
                "n_indicators": len(g),
            }
        )
    return pd.DataFrame(out, columns=cols)


def status_counts(items: pd.DataFrame) -> dict[str, int]:
    """Items per status (every status code present, zero when none)."""
    counts = items["status"].value_counts() if len(items) else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in (*RATED, *UNRATED)}


def progress_bar(
    rows: pd.DataFrame,
    *,
    label_col: str,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Horizontal bars: each indicator with a positive target as % of its target (value ÷
    target), coloured by its status; a line at 100% = target reached. Lower-is-better
    indicators (target 0) are left out: they have no progress to show (the table has them).

    ``rows``: ``label_col`` (bar label), value, target, kind, status, is_lower_better, and the
    display strings ``value_text`` and ``target_text``. ``labels``: ``title``, ``x``,
    ``target``, ``empty``, and one label per status code.
    """
    name = _theme_name(template)
    colors = status_colors(name)
    fig = go.Figure()
    fig.update_layout(
        template=template,
        title={"text": labels["title"]},
        xaxis={"title": {"text": labels["x"]}, "ticksuffix": "%", "rangemode": "tozero"},
        yaxis={"title": {"text": ""}, "ticksuffix": "  ", "automargin": True},
        showlegend=True,
        legend=LEGEND_TOP,
        margin={"t": LEGEND_TOP_MARGIN_PX},
        bargap=0.3,
    )
    df = rows[
        rows["target"].notna()
        & (rows["target"].astype(float) > 0)
        & rows["value"].notna()
        & ~rows["is_lower_better"].fillna(False).astype(bool)
    ].copy()
    if df.empty:
        fig.update_layout(height=BASE_HEIGHT_PX + 2 * BAR_HEIGHT_PX, showlegend=False)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        fig.add_annotation(
            text=labels["empty"], showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5
        )
        return fig
    df["progress"] = (100.0 * df["value"].astype(float) / df["target"].astype(float)).round(1)
    df = df.iloc[::-1]  # plotly draws the first bar at the bottom: keep the input order top-down
    for status in RATED:
        part = df[df["status"] == status]
        if part.empty:
            continue
        fig.add_bar(
            x=part["progress"].clip(upper=150),
            y=part[label_col],
            orientation="h",
            name=labels.get(status, status),
            marker_color=colors[status],
            text=[
                f"{v} / {t}" for v, t in zip(part["value_text"], part["target_text"], strict=True)
            ],
            textposition="outside",
            cliponaxis=False,
            customdata=part[["progress"]].to_numpy(),
            hovertemplate="%{y}<br>%{text}<br>%{customdata[0]:.1f}%<extra></extra>",
        )
    fig.add_vline(x=100, line_dash="dash", line_color=PALETTE[name]["muted"], line_width=1)
    fig.add_annotation(
        x=100, y=1, yref="paper", text=labels["target"], showarrow=False, yanchor="bottom",
        font={"color": PALETTE[name]["muted"], "size": 11},
    )  # fmt: skip
    top = float(df["progress"].clip(upper=150).max())
    fig.update_xaxes(range=[0, max(top, 100) * 1.32])
    # categories in input order (plotly otherwise orders them by first trace)
    fig.update_yaxes(categoryorder="array", categoryarray=list(df[label_col]))
    fig.update_layout(height=BASE_HEIGHT_PX + BAR_HEIGHT_PX * len(df))
    return fig

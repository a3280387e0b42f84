"""The figure cache of edusight/ui.py: a cached figure is the figure the builder draws, keyed on
the builder and the content of its inputs (outside Streamlit: a plain in-memory cache)."""

from __future__ import annotations

import json

import pandas as pd
import plotly.io as pio

from edusight import ui
from edusight.figures import resources, teachers

L = {"title": "T", "x": "X", "teachers": "teachers", "empty": "empty"}


def bd(values=(50.0, 75.0)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": ["a", "b"],
            "complete_pct": list(values),
            "complete_count": [5, 9],
            "teacher_count": [10, 12],
        }
    )


def test_a_cached_figure_is_the_figure_the_builder_draws():
    want = teachers.breakdown_bar(bd(), labels=L).to_dict()
    got = ui.figure(teachers.breakdown_bar, bd(), labels=L)
    assert isinstance(got, ui.FigureSpec)
    assert pio.to_json(got.spec, validate=False) == pio.to_json(want, validate=False)
    assert got.to_figure().data[0].type == "bar"


def test_other_data_or_labels_give_another_figure():
    def spec(df, labels):
        return pio.to_json(ui.figure(teachers.breakdown_bar, df, labels=labels).spec)

    first = spec(bd(), L)
    assert spec(bd((50.0, 76.0)), L) != first
    assert spec(bd(), {**L, "title": "U"}) != first
    assert spec(bd(), L) == first


def test_a_cached_spec_is_a_copy():
    spec = ui.figure(teachers.breakdown_bar, bd(), labels=L).spec
    spec["layout"]["title"]["text"] = "changed"
    assert ui.figure(teachers.breakdown_bar, bd(), labels=L).spec["layout"]["title"]["text"] == "T"


def test_plotly_chart_takes_a_spec_as_a_figure():
    fig = ui._SpecFigure(ui.figure(teachers.breakdown_bar, bd(), labels=L).spec)
    assert fig.to_dict()["data"][0]["type"] == "bar"


def test_a_cached_deck_serializes_like_the_deck():
    pairs = pd.DataFrame(
        {"broadcast_lon": [104.0], "broadcast_lat": [30.6], "lon": [103.5], "lat": [30.4],
         "evaluation_grade": ["优秀"], "evaluation_score": [95.0],
         "broadcast_school_name": ["A"], "school_name": ["C"], "level": ["初中"]}
    )  # fmt: skip
    deck = resources.pair_arcs(pairs, tooltip="{school_name}")
    spec = ui.deck(resources.pair_arcs, pairs, tooltip="{school_name}")
    # the same deck, but for the layer id pydeck draws at random when none is given
    want, got = json.loads(deck.to_json()), json.loads(spec.to_json())
    for d in (want, got):
        for layer in d["layers"]:
            layer.pop("id")
    assert got == want
    assert spec._tooltip == deck._tooltip
    assert spec.layers is None  # nothing for Streamlit to convert again


def test_pair_arcs_draws_the_committed_outline_when_asked():
    pairs = pd.DataFrame(
        {"broadcast_lon": [104.0], "broadcast_lat": [30.6], "lon": [103.5], "lat": [30.4],
         "evaluation_grade": [None], "evaluation_score": [None],
         "broadcast_school_name": ["A"], "school_name": ["C"], "level": ["初中"]}
    )  # fmt: skip
    deck = resources.pair_arcs(pairs, tooltip="", outline=True)
    assert [layer.type for layer in deck.layers] == ["GeoJsonLayer", "ArcLayer"]
    assert [layer.type for layer in resources.pair_arcs(pairs, tooltip="").layers] == ["ArcLayer"]


def test_a_frame_and_its_cached_copy_share_one_figure_key():
    """A frame fresh from the database and its copy out of the data cache (unpickled) are equal:
    the figure built from the first serves the second (their pickles differ)."""
    import pickle

    import duckdb

    from edusight.ui import _frame_digest

    fresh = duckdb.sql(
        "SELECT '成华区' || (i % 3)::VARCHAR AS unit, DATE '2022-01-01' + i::INT AS day, "
        "i * 1.5 AS x, i // 2 AS n FROM range(13) t(i)"
    ).df()
    copy = pickle.loads(pickle.dumps(fresh))
    assert pickle.dumps(copy) != pickle.dumps(fresh)  # why the key is not the frame's pickle
    assert _frame_digest(copy) == _frame_digest(fresh)
    assert _frame_digest(fresh["unit"]) == _frame_digest(copy["unit"])
    changed = copy.assign(n=copy["n"] + 1)
    assert _frame_digest(changed) != _frame_digest(fresh)
    renamed = copy.rename(columns={"n": "count"})
    assert _frame_digest(renamed) != _frame_digest(fresh)

"""AppTest of the other work-item views: each renders its content and reacts to its control."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from edusight.i18n import t

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(built_db: Path) -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def open_page(at: AppTest, path: str) -> AppTest:
    at.run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_learning_space_switches_between_teachers_and_pupils(app):
    at = open_page(app, "pages/learning_space.py")
    assert [m.label for m in at.metric][0] == t("ls.kpi.opened.teachers", lang="zh")
    assert len(at.get("plotly_chart")) == 2
    at.segmented_control(key="ls_who").set_value("students").run()
    assert not at.exception
    assert [m.label for m in at.metric][0] == t("ls.kpi.opened.students", lang="zh")
    table = at.dataframe[0].value
    assert (
        t("ls.col.opened.students", lang="zh") not in table.columns
    )  # raw columns, renamed in view
    assert "student_space_count" in table.columns


def test_services_filter_by_one_service(app):
    at = open_page(app, "pages/services.py")
    assert len(at.get("plotly_chart")) == 2
    all_rows = len(at.dataframe[0].value)
    options = at.selectbox(key="sv_service").options
    at.selectbox(key="sv_service").set_value(options[1]).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 1 < all_rows


def test_literacy_changes_year(app):
    at = open_page(app, "pages/literacy.py")
    assert len(at.get("plotly_chart")) == 2
    years = at.selectbox(key="lit_year").options
    at.selectbox(key="lit_year").set_value(years[-1]).run()
    assert not at.exception
    header = [h.value for h in at.subheader]
    assert any(years[-1] in h for h in header)


def test_cases_planning_lists_overdue_tasks_first_and_filters_by_item(app):
    at = open_page(app, "pages/cases_planning.py")
    tasks = at.dataframe[0].value
    assert tasks["is_overdue"].tolist() == sorted(tasks["is_overdue"], reverse=True)
    at.selectbox(key="cp_item").set_value(1).run()
    assert not at.exception
    assert set(at.dataframe[0].value["item_no"]) == {1}


def test_cases_planning_hides_the_task_list_from_a_unit(app):
    app.query_params.update({"unit": "510104"})
    at = open_page(app, "pages/cases_planning.py")
    assert t("cp.tasks.city_only", lang="zh") in [i.value for i in at.info]

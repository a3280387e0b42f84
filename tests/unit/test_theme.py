"""Themes: CSS per mode (dark big screen, kiosk, print) and the plotly templates."""

from __future__ import annotations

import plotly.io as pio
import pytest

from edusight import theme


def test_plotly_templates_are_registered():
    for name in theme.THEMES:
        assert theme.plotly_template(name) in pio.templates
    assert theme.plotly_template("dark") == "edusight_dark"
    assert theme.plotly_template("light") == "edusight_light"
    assert theme.plotly_template() == "edusight_light"  # outside Streamlit: the desk theme


def test_dark_css_only_in_dark_mode():
    dark_bg = theme.PALETTE["dark"]["bg"]
    assert dark_bg in theme.css("dark")
    assert dark_bg not in theme.css("light")


@pytest.mark.parametrize("name", theme.THEMES)
def test_print_rules_always_hide_the_chrome(name):
    css = theme.css(name)
    assert "@media print" in css
    printed = css.split("@media print", 1)[1]
    assert '[data-testid="stSidebar"]' in printed and "display: none" in printed


def test_kiosk_hides_sidebar_header_and_toolbar():
    css = theme.css("light", kiosk=True)
    kiosk = css.split("@media print", 1)[1].split("}\n}", 1)[1]  # rules after the print block
    for testid in ("stSidebar", "stHeader", "stToolbar"):
        assert f'[data-testid="{testid}"]' in kiosk
    assert "display: none" in kiosk


def test_unknown_theme_is_refused():
    with pytest.raises(ValueError):
        theme.css("sepia")

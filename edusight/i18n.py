"""Every UI string goes through one catalogue: ``edusight/locales/{zh,en}.json``, plus one
file per page or domain in ``edusight/locales/{zh,en}/<name>.json`` (merged; a key defined twice
is an error), so that pages can be added without editing a shared file.

    from edusight.i18n import t
    st.subheader(t("gov.load.header"))
    st.caption(t("gov.q.count", total=120, shown=100))

Keys are flat, dotted strings. A key that is computed at run time (a dict of keys, a registry
entry) is wrapped in ``N_(…)`` where it is defined, so that ``tests/unit/test_i18n.py``
finds it: the test greps ``t("…")`` and ``N_("…")`` in app.py, pages/ and edusight/.
The language is ``st.session_state["lang"]`` (set by the sidebar or ``?lang=`` in the URL);
outside a Streamlit run it is the default, Simplified Chinese.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGS: dict[str, str] = {"zh": "简体中文", "en": "English"}  # native names, shown as is
DEFAULT_LANG = "zh"
STATE_KEY = "lang"

log = logging.getLogger(__name__)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The key → text mapping of one language."""
    with open(LOCALES_DIR / f"{lang}.json", encoding="utf-8") as f:
        out: dict[str, str] = json.load(f)
    for part in sorted((LOCALES_DIR / lang).glob("*.json")):
        with open(part, encoding="utf-8") as f:
            extra = json.load(f)
        dup = sorted(set(extra) & set(out))
        if dup:
            raise ValueError(f"{part}: keys already defined elsewhere: {', '.join(dup[:5])}")
        out.update(extra)
    return out


def N_(key: str) -> str:  # noqa: N802 (gettext convention)
    """Mark a string as a catalogue key without translating it (translate later with ``t``)."""
    return key


def current_lang() -> str:
    """The viewer's language: session state inside a Streamlit run, else the default."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if get_script_run_ctx(suppress_warning=True) is None:
            return DEFAULT_LANG
        import streamlit as st

        lang = st.session_state.get(STATE_KEY, DEFAULT_LANG)
    except Exception:  # no Streamlit, or no session: plain default
        return DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, **fmt: object) -> str:
    """Translate ``key`` into the current (or given) language, formatting ``{name}`` fields.

    A missing key shows as the key itself (and is logged); a test keeps that from shipping.
    """
    lang = lang or current_lang()
    text = catalogue(lang).get(key)
    if text is None:
        log.warning("missing i18n key %r for %s", key, lang)
        return key
    return text.format(**fmt) if fmt else text


def tv(kind: str, value: object, lang: str | None = None) -> str:
    """A data value of a closed list (学段, 学科, 职称 …) in the viewer's language: the catalogue's
    ``val.<kind>.<value>`` (``locales/*/values.json``), or the value as it is when the list does
    not know it (a new value in an export is shown, never hidden)."""
    text = catalogue(lang or current_lang()).get(f"val.{kind}.{value}")
    return str(value) if text is None else text


def tv_frame(df, kinds: dict[str, str], lang: str | None = None):
    """A copy of the data frame ``df`` with the columns of ``kinds`` (column → value list) in the
    viewer's language (``tv``). A list ending in ``[]`` marks a column of values joined by 、
    (rejoined with the language's separator). Blanks stay blank."""
    out = df.copy()
    for c, kind in kinds.items():
        if c not in out.columns:
            continue
        if kind.endswith("[]"):
            sep = t("list.sep", lang)
            out[c] = [
                sep.join(tv(kind[:-2], x, lang) for x in v.split("、")) if isinstance(v, str) else v
                for v in out[c]
            ]
        else:
            out[c] = [tv(kind, v, lang) if isinstance(v, str) else v for v in out[c]]
    return out


def col(base: str, lang: str | None = None) -> str:
    """Name of the language variant of a column: ``col("title")`` → ``"title_zh"``/``"title_en"``."""
    return f"{base}_{lang or current_lang()}"

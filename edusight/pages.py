"""The page registry: the one list of pages the app serves (app.py builds ``st.navigation`` from it).

To add a page: write ``pages/<name>.py``, add one ``PageEntry`` below, add its title key to both
``edusight/locales/*.json`` and a section to ``docs/pages.md``. ``tests/unit/test_registry.py``
fails until all of that is done; the AppTest and browser tests then cover the page by themselves.

Icons are emoji: ``:material/…:`` icons need a font download that fails offline.
"""

from __future__ import annotations

from dataclasses import dataclass

from edusight.i18n import N_

# navigation groups, in menu order: group id → label key
GROUPS: dict[str, str] = {
    "cockpit": N_("nav.group.cockpit"),  # 领导驾驶舱
    "topics": N_("nav.group.topics"),  # 专题
    "exams": N_("nav.group.exams"),  # 考试指挥
    "data": N_("nav.group.data"),  # 数据与分析
}


@dataclass(frozen=True)
class PageEntry:
    path: str  # page file, relative to the repository root: "pages/<name>.py"
    title_key: str  # i18n key of the page title (menu label and page heading)
    group: str  # a key of GROUPS
    url_path: str  # URL of the page: http://host/<url_path>
    icon: str  # an emoji
    default: bool = False  # the page served at "/" (at most one; else the first entry)
    roles: tuple[str, ...] = ()  # roles that may open it (edusight.auth.ROLES); empty: every role

    @property
    def name(self) -> str:
        """The file stem: ``pages/data_governance.py`` → ``data_governance``."""
        return self.path.rsplit("/", 1)[-1].removesuffix(".py")


PAGES: list[PageEntry] = [
    PageEntry(
        path="pages/cockpit.py",
        title_key=N_("page.cockpit.title"),
        group="cockpit",
        url_path="cockpit",
        icon="🧭",
        default=True,
    ),
    PageEntry(
        path="pages/data_governance.py",
        title_key=N_("page.data_governance.title"),
        group="data",
        url_path="data_governance",
        icon="🗂️",
    ),
    PageEntry(
        path="pages/explorer.py",
        title_key=N_("page.explorer.title"),
        group="data",
        url_path="explorer",
        icon="🔎",
        roles=("leadership", "admin", "analyst"),
    ),
    PageEntry(
        path="pages/audit_log.py",
        title_key=N_("page.audit_log.title"),
        group="data",
        url_path="audit_log",
        icon="📜",
        roles=("admin",),
    ),
    PageEntry(
        path="pages/coverage.py",
        title_key=N_("page.coverage.title"),
        group="topics",
        url_path="coverage",
        icon="🏫",
        default=False,
    ),
    PageEntry(
        path="pages/school_profile.py",
        title_key=N_("page.school_profile.title"),
        group="data",
        url_path="school_profile",
        icon="📇",
    ),
    PageEntry(
        path="pages/resources.py",
        title_key=N_("page.resources.title"),
        group="topics",
        url_path="resources",
        icon="📚",
    ),
    PageEntry(
        path="pages/security.py",
        title_key=N_("page.security.title"),
        group="topics",
        url_path="security",
        icon="🛡️",
    ),
    PageEntry(
        path="pages/learning_space.py",
        title_key=N_("page.learning_space.title"),
        group="topics",
        url_path="learning_space",
        icon="💻",
    ),
    PageEntry(
        path="pages/services.py",
        title_key=N_("page.services.title"),
        group="topics",
        url_path="services",
        icon="🧾",
    ),
    PageEntry(
        path="pages/literacy.py",
        title_key=N_("page.literacy.title"),
        group="topics",
        url_path="literacy",
        icon="🤖",
    ),
    PageEntry(
        path="pages/cases_planning.py",
        title_key=N_("page.cases_planning.title"),
        group="topics",
        url_path="cases_planning",
        icon="📋",
    ),
    PageEntry(
        path="pages/teachers.py",
        title_key=N_("page.teachers.title"),
        group="topics",
        url_path="teachers",
        icon="👩‍🏫",
    ),
    PageEntry(
        path="pages/exam_command.py",
        title_key=N_("page.exam_command.title"),
        group="exams",
        url_path="exam_command",
        icon="📡",
        roles=("leadership", "admin", "exam", "unit"),
    ),
]


def default_page() -> PageEntry:
    """The page served at "/"."""
    return next((p for p in PAGES if p.default), PAGES[0])


def page_url(entry: PageEntry) -> str:
    """The page's URL path relative to the app root: "" for the default page (Streamlit serves
    it at "/" only; "/<url_path>" would say "page not found"), else ``url_path``."""
    return "" if entry == default_page() else entry.url_path


def by_group() -> dict[str, list[PageEntry]]:
    """Registered pages per group, in GROUPS order; empty groups left out."""
    out: dict[str, list[PageEntry]] = {}
    for group in GROUPS:
        entries = [p for p in PAGES if p.group == group]
        if entries:
            out[group] = entries
    return out


def by_path(path: str) -> PageEntry:
    return next(p for p in PAGES if p.path == path)

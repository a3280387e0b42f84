"""The source contract: which exports the ETL accepts and what each column must hold.

A `Source` names its files, its Chinese headers and, per column, the meaning, type and rule.
The ETL engine generates its validation SQL from these declarations, and
`docs/data-contract.md` is rendered from them (`python -m etl contract`), so the documentation,
the generator and the validator cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TYPES = ("str", "int", "float", "date", "datetime", "bool", "enum")

# Named checks on single columns, implemented in etl/standards.py (SQL twins).
CHECKS = {
    "school_id": "学校标识码: 10 digits AABBCCCCCC, province BB = 51",
    "id_number": "居民身份证号 (GB 11643): 18 characters, valid birth date, check character",
    "credit_code": "统一社会信用代码 (GB 32100): 18 characters, check character",
    "xueji": "学籍号: G + ID number | J + 18 digits | L + area + birth date + 4 digits",
    "unit": "reporting unit: code, name or alias listed in data/reference/units.csv",
    "period": "quarter written YYYYQn (2019Q1 …)",
    "month": "month written YYYY-MM",
}

# What happens to personal data before anything is written to the database.
PERSONAL = {
    "pseudonym": "replaced by a keyed pseudonym (HMAC-SHA256, truncated) in column `<key_as>`",
    "drop": "validated, then dropped: never stored",
    "year": "only the year is kept, in column `<key_as>`",
}


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    type: str = "str"
    doc: str = ""
    required: bool = True
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    check: str | None = None
    ref: tuple[str, str] | None = None  # foreign key: (source, column)
    personal: str | None = None
    key_as: str | None = None  # pseudonym column name
    header_aliases: tuple[str, ...] = ()
    example: str = ""
    # how much the values repeat, where the type does not tell: False for identifiers that
    # repeat little (device fingerprints: stored with ZSTD, as pseudonyms and one-column keys
    # are, etl.engine._zstd_columns), True for text of few distinct values (activity names:
    # dictionary pages in land, as codes, dates and numbers have, etl.engine._land_parquet)
    repeats: bool | None = None

    def __post_init__(self):
        assert self.type in TYPES, self.type
        assert self.check is None or self.check in CHECKS, self.check
        assert self.personal is None or self.personal in PERSONAL, self.personal
        assert self.type != "enum" or self.values, self.name
        assert self.personal not in ("pseudonym", "year") or self.key_as, self.name

    def rule_text(self) -> str:
        parts = []
        parts.append("required" if self.required else "optional")
        if self.values:
            parts.append("one of " + " / ".join(self.values))
        if self.min is not None and self.max is not None:
            parts.append(f"{_num(self.min)} … {_num(self.max)}")
        elif self.min is not None:
            parts.append(f"≥ {_num(self.min)}")
        elif self.max is not None:
            parts.append(f"≤ {_num(self.max)}")
        if self.check:
            parts.append(CHECKS[self.check])
        if self.ref:
            where = self.ref[0] if self.ref[0].startswith("ref.") else f"source {self.ref[0]}"
            parts.append(f"must exist in {where} (`{self.ref[1]}`)")
        if self.personal:
            parts.append(
                "**personal**: " + PERSONAL[self.personal].replace("<key_as>", self.key_as or "")
            )
        return "; ".join(parts)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class RowCheck:
    """A rule across columns, as a DuckDB boolean expression that is TRUE when the row is valid.

    The expression sees the normalized text columns by their internal names, typed helper
    columns `t_<name>`, and the `ref` and `stg` schemas; the row itself is aliased `t` (for
    correlated subqueries). `column` names the column reported on failure.
    """

    rule: str
    column: str
    sql_ok: str
    message: str


@dataclass(frozen=True)
class Source:
    name: str
    title_zh: str
    title_en: str
    files: tuple[str, ...]
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    doc: str = ""
    system: str = ""  # the bureau system that exports it
    base: str | None = None  # students | teachers | schools | equipment (the four base databases)
    unit_column: str | None = None
    date_column: str | None = None
    row_checks: tuple[RowCheck, ...] = field(default_factory=tuple)
    min_rows: int = 1

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name}.{name}")

    @property
    def stored_columns(self) -> list[str]:
        """Columns that reach the database (personal ones replaced or dropped)."""
        out = []
        for c in self.columns:
            if c.personal in ("pseudonym", "year"):
                out.append(c.key_as)
            elif c.personal == "drop":
                continue
            else:
                out.append(c.name)
        return out


def render_markdown(sources: list[Source]) -> str:
    """docs/data-contract.md, rendered from the declarations."""
    lines = [
        "# Data contract: the source exports EduSight accepts",
        "",
        "<!-- Generated by `python -m etl contract` from etl/sources/*.py. Do not edit by hand. -->",
        "",
        "Each section is one export as the bureau's systems produce it. General rules for every file:",
        "",
        "- **Formats**: CSV in UTF-8, UTF-8 with BOM, or GBK/GB18030 (detected automatically), or XLSX "
        "(first sheet). The first non-blank row holds the headers; header cells are matched after "
        "trimming and full-width → half-width conversion, and listed aliases are accepted.",
        "- **Files**: the ETL reads every file in the raw folder matching a source's patterns; several "
        "files of one source are stacked.",
        "- **Normalization** before validation: full-width characters → half-width, leading/trailing "
        "spaces trimmed, empty cells → missing, unit names and aliases → unit codes.",
        "- **Rejected rows** go to `meta.quarantine` with file, line, column, rule, value and message "
        "(values of personal columns are masked). Blank lines are skipped and not counted. A trailing "
        "合计/总计 row is rejected as `summary_row`. Duplicate keys: the first row (by file, line) "
        "is kept, later ones rejected as `duplicate_key`.",
        "- **Fatal problems** stop the build and leave the previous database serving: an unreadable "
        "file, a missing required column, a source with no file or no rows.",
        "- **Personal data** (names, ID numbers, 学籍号) never reach the database in clear: see the "
        "*personal* rules per column.",
        "- Types: `int`, `float` (decimal point), `date` (YYYY-MM-DD, YYYY/M/D, YYYYMMDD or "
        "YYYY年M月D日), `datetime` (date + HH:MM[:SS]), `bool` (是/否, Y/N, 1/0, true/false).",
        "",
        "## Sources",
        "",
        "| source | export | files | rows go to |",
        "|---|---|---|---|",
    ]
    for s in sources:
        lines.append(
            f"| [`{s.name}`](#{s.name}) | {s.title_zh} ({s.title_en}) | "
            f"{', '.join('`' + f + '`' for f in s.files)} | `stg.{s.name}` |"
        )
    for s in sources:
        lines += ["", f"## {s.name}", "", f"**{s.title_zh}** — {s.title_en}.", ""]
        if s.doc:
            lines += [s.doc, ""]
        if s.system:
            lines += [f"- Exported by: {s.system}"]
        lines += [f"- Files: {', '.join('`' + f + '`' for f in s.files)}"]
        if s.key:
            lines += [f"- Key: {' + '.join('`' + k + '`' for k in s.key)} (unique)"]
        if s.base:
            lines += [f"- Base database: **{s.base}**"]
        lines += ["", "| header | column | type | meaning | rule |", "|---|---|---|---|---|"]
        for c in s.columns:
            hdr = c.header + ("".join(f" / {a}" for a in c.header_aliases))
            lines.append(f"| {hdr} | `{c.name}` | {c.type} | {c.doc} | {c.rule_text()} |")
        if s.row_checks:
            lines += ["", "Rules across columns:", ""]
            for rc in s.row_checks:
                lines.append(f"- `{rc.rule}` (reported on `{rc.column}`): {rc.message}")
    lines.append("")
    return "\n".join(lines)

"""Shared machinery of the demo-data generator: context, dirt injection, writers.

Generator modules build clean pandas DataFrames whose columns are the contract's internal column
names, then call `ctx.write(source, df, ...)`. The writer injects the dirt real exports carry
(driven by the contract: id columns get bad check characters, unit columns get aliases and
unknown names, …), records in the manifest exactly how many rows it made invalid, maps the
columns to the Chinese headers and writes CSV (UTF-8, UTF-8 BOM, GB18030) or XLSX.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from etl import standards
from etl.contract import Source

UNKNOWN_UNITS = (
    "成都市教育局直属", "未知区县", "天府区", "东部区教育局", "高新西区", "锦江新区", "成华县",
    "青羊新城", "双流新区", "温江县", "新都县教育局", "龙泉区", "简州新城", "天府新区管委会教育处",
    "高新南区社会事业局", "金牛县", "武候区", "郫县教育局(旧)", "大邑新区", "崇庆县",
)  # fmt: skip

FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


@dataclass
class Dirt:
    """Rates of each kind of dirt (share of rows), and fixed counts of structural dirt."""

    fullwidth: float = 0.002  # digits/letters written full-width (normalized, row loads)
    spaces: float = 0.003  # stray leading/trailing spaces (normalized, row loads)
    alias: float = 0.01  # unit written as a name or alias (mapped, row loads)
    bad_check: float = 0.0005  # wrong check character (row quarantined)
    unknown_unit: float = 0.0005  # unit name nobody knows (row quarantined)
    duplicates: float = 0.0003  # a row repeated (the repeat quarantined)
    blank_lines: int = 3  # blank lines (skipped, not counted)
    summary_row: bool = True  # trailing 合计 row (quarantined)

    @classmethod
    def none(cls) -> Dirt:
        return cls(0, 0, 0, 0, 0, 0, 0, False)


@dataclass
class Context:
    out: Path
    scale: float
    seed: int
    as_of: dt.date
    start: dt.date = dt.date(2019, 1, 1)
    manifest: dict = field(default_factory=dict)
    frames: dict = field(default_factory=dict)  # clean frames other modules may reuse
    dirt: Dirt = field(default_factory=Dirt)

    def rng(self, name: str) -> np.random.Generator:
        """An independent, deterministic stream per generator step."""
        h = int.from_bytes(name.encode()[:8].ljust(8, b"\0"), "little")
        return np.random.default_rng([self.seed, h, len(name)])

    def n(self, x: float, minimum: int = 1) -> int:
        return max(minimum, int(round(x * self.scale)))

    def write(
        self,
        source: Source,
        df: pd.DataFrame,
        *,
        fmt: str = "csv",
        encoding: str = "utf-8",
        stem: str | None = None,
        dirt: Dirt | None = None,
    ) -> Path:
        return write_source(self, source, df, fmt=fmt, encoding=encoding, stem=stem, dirt=dirt)


Text = dict[str, np.ndarray]  # column → numpy object array of str (no pandas: fast for millions)


def _obj_text(arr: np.ndarray) -> np.ndarray:
    return np.array(
        [
            x if isinstance(x, str) else ("" if x is None or x is pd.NA or x != x else str(x))
            for x in arr
        ],
        dtype=object,
    )


def _col_text(s: pd.Series | np.ndarray) -> np.ndarray:
    """One column as a numpy object array of text, as an export would write it."""
    if isinstance(s, np.ndarray):
        if s.dtype.kind == "U":
            return s.astype(object)
        if s.dtype.kind == "O":
            return _obj_text(s)
        if s.dtype.kind == "b":
            return np.where(s, "是", "否").astype(object)
        if s.dtype.kind in "iu":
            return s.astype(str).astype(object)
        s = pd.Series(s)
    if pd.api.types.is_bool_dtype(s):
        return np.where(s.to_numpy(), "是", "否").astype(object)
    if pd.api.types.is_datetime64_any_dtype(s):
        has_time = (s.dt.hour.fillna(0) != 0).any() or (s.dt.minute.fillna(0) != 0).any()
        fmtd = s.dt.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d")
        return fmtd.fillna("").to_numpy(dtype=object)
    if pd.api.types.is_float_dtype(s):
        return s.round(6).astype(str).replace("nan", "").to_numpy(dtype=object)
    if pd.api.types.is_integer_dtype(s):
        if s.isna().any():  # nullable Int64 with gaps
            return _obj_text(s.astype(object).to_numpy())
        return s.astype(str).to_numpy(dtype=object)
    if pd.api.types.is_string_dtype(s) and s.dtype != object:
        return s.to_numpy(dtype=object, na_value="")
    return _obj_text(s.to_numpy(dtype=object))


def _as_text(df: pd.DataFrame | dict) -> Text:
    cols = df.columns if isinstance(df, pd.DataFrame) else list(df)
    return {c: _col_text(df[c]) for c in cols}


def _nrows(t: Text) -> int:
    return len(next(iter(t.values()))) if t else 0


def inject_dirt(
    source: Source,
    df: pd.DataFrame | dict,
    rng: np.random.Generator,
    dirt: Dirt,
    units: pd.DataFrame,
) -> tuple[Text, dict]:
    """Return the dirty text columns and counts of rows that must be quarantined, by rule."""
    df = _as_text(df)
    n = _nrows(df)
    expected: dict[str, int] = {}
    if n == 0:
        return df, expected
    cols = {c.name: c for c in source.columns}
    # Each invalidating dirt uses its own rows, so the expected quarantine counts are exact.
    free = rng.permutation(n)
    pos = 0

    def take(rate: float) -> np.ndarray:
        nonlocal pos
        k = int(round(rate * n))
        if rate > 0 and k == 0 and n >= 200:
            k = 1
        idx = free[pos : pos + k]
        pos += k
        return np.sort(idx)

    id_cols = [
        c.name for c in source.columns if c.check in ("id_number", "credit_code") and c.name in df
    ]
    unit_cols = [c.name for c in source.columns if c.check == "unit" and c.name in df]
    text_cols = [
        c.name for c in source.columns if c.name in df and c.type in ("str", "int", "enum")
    ]

    if id_cols and dirt.bad_check:
        idx = take(dirt.bad_check)
        col = id_cols[0]
        vals = df[col]
        hit = 0
        for i in idx:
            if vals[i]:
                vals[i] = standards.corrupt_check_char(vals[i])
                hit += 1
        df[col] = vals
        expected[cols[col].check] = expected.get(cols[col].check, 0) + hit
        # a G-type 学籍号 built from the same ID stays consistent: corrupt it too
        if col == "id_number" and "xueji" in df:
            xv = df["xueji"]
            hit_x = 0
            for i in idx:
                if xv[i].startswith("G") and vals[i]:
                    xv[i] = "G" + vals[i]
                    hit_x += 1
            df["xueji"] = xv
            if hit_x:
                expected["xueji"] = expected.get("xueji", 0) + hit_x
    if unit_cols and dirt.unknown_unit:
        idx = take(dirt.unknown_unit)
        col = unit_cols[0]
        vals = df[col]
        # names nobody can map; distinct per row so they cannot create duplicate keys by chance
        bogus = np.array(UNKNOWN_UNITS, dtype=object)
        picks = rng.permutation(len(bogus))[: len(idx)]
        names = [bogus[p] for p in picks] + [f"未知区县{k}" for k in range(len(idx) - len(picks))]
        vals[idx] = np.array(names, dtype=object)
        df[col] = vals
        expected["unknown_unit"] = expected.get("unknown_unit", 0) + len(idx)
    # fixable dirt on other rows
    if unit_cols and dirt.alias:
        idx = take(dirt.alias)
        col = unit_cols[0]
        names = units.set_index("unit_code")
        vals = df[col]
        for i in idx:
            code = vals[i]
            if code in names.index:
                row = names.loc[code]
                choices = [row["name_zh"], *str(row["aliases"]).split("|")]
                vals[i] = choices[int(rng.integers(0, len(choices)))]
        df[col] = vals
    if dirt.fullwidth:
        targets = [c for c in id_cols + [x for x in ("school_id",) if x in df]]
        if targets:
            idx = take(dirt.fullwidth)
            col = targets[int(rng.integers(0, len(targets)))]
            vals = df[col]
            for i in idx:
                vals[i] = str(vals[i]).translate(FULLWIDTH)
            df[col] = vals
    if dirt.spaces and text_cols:
        idx = take(dirt.spaces)
        col = text_cols[int(rng.integers(0, len(text_cols)))]
        vals = df[col]
        for i in idx:
            vals[i] = " " + str(vals[i]) + ("\u3000" if i % 2 else " ")
        df[col] = vals
    if dirt.duplicates and source.key:
        k = int(round(dirt.duplicates * n))
        if k == 0 and n >= 500:
            k = 1
        # only rows that are otherwise clean get duplicated
        idx = np.sort(free[pos : pos + k])
        pos += k
        if len(idx):
            order = np.argsort(np.concatenate([np.arange(n), idx + 0.5]), kind="stable")
            df = {c: np.concatenate([a, a[idx]])[order] for c, a in df.items()}
            expected["duplicate_key"] = expected.get("duplicate_key", 0) + len(idx)
    return df, expected


def write_source(
    ctx: Context,
    source: Source,
    df: pd.DataFrame,
    *,
    fmt: str = "csv",
    encoding: str = "utf-8",
    stem: str | None = None,
    dirt: Dirt | None = None,
) -> Path:
    dirt = ctx.dirt if dirt is None else dirt
    rng = ctx.rng("dirt:" + source.name + (stem or ""))
    units = ctx.frames["units"]
    have = set(df.columns if isinstance(df, pd.DataFrame) else df)
    missing = [c.name for c in source.columns if c.required and c.name not in have]
    assert not missing, f"{source.name}: generator lacks columns {missing}"
    ordered = [c.name for c in source.columns if c.name in have]
    df = df[ordered] if isinstance(df, pd.DataFrame) else {c: df[c] for c in ordered}
    cols, expected = inject_dirt(source, df, rng, dirt, units)
    headers = {c.name: c.header for c in source.columns}
    text = {headers[c]: a for c, a in cols.items()}
    if dirt.summary_row:
        names = list(text)
        for i, h in enumerate(names):
            cell = "合计" if i == 0 else (str(_nrows(text)) if i == 1 else "")
            text[h] = np.append(text[h], np.array([cell], dtype=object))
        expected["summary_row"] = expected.get("summary_row", 0) + 1
    stem = stem or source.name
    ctx.out.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        path = ctx.out / f"{stem}.xlsx"
        _write_xlsx(path, text, rng, dirt.blank_lines)
    else:
        path = ctx.out / f"{stem}.csv"
        _write_csv(path, text, rng, dirt.blank_lines, encoding)
    rows = _nrows(text)
    ctx.manifest.setdefault("files", {})[path.name] = {
        "source": source.name,
        "rows": rows,
        "format": fmt,
        "encoding": encoding if fmt == "csv" else "xlsx",
        "expected_quarantine": expected,
    }
    return path


def _write_csv(path: Path, text: Text, rng, blank_lines: int, encoding: str) -> None:
    table = pa.table({h: pa.array(a, type=pa.string()) for h, a in text.items()})
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(quoting_style="needed"))
    data = buf.getvalue()
    if blank_lines:
        # blank lines at random places among the first few thousand lines
        head_end = 0
        for _ in range(min(_nrows(text), 5000)):
            nxt = data.find(b"\n", head_end)
            if nxt < 0:
                break
            head_end = nxt + 1
        head = data[:head_end]
        nls = [i for i, b in enumerate(head) if b == 10][1:]
        picks = (
            sorted(rng.choice(len(nls), size=min(blank_lines, len(nls)), replace=False))
            if nls
            else []
        )
        parts, last = [], 0
        for p in picks:
            cut = nls[p] + 1
            parts += [data[last:cut], b"\n"]
            last = cut
        parts.append(data[last:])
        data = b"".join(parts)
    if encoding == "utf-8":
        path.write_bytes(data)
    elif encoding == "utf-8-sig":
        path.write_bytes(b"\xef\xbb\xbf" + data)
    else:
        path.write_bytes(data.decode("utf-8").encode(encoding))


def _write_xlsx(path: Path, text: Text, rng, blank_lines: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(list(text))
    n = _nrows(text)
    blanks = set(rng.choice(max(n, 1), size=min(blank_lines, n), replace=False))
    for i, row in enumerate(zip(*text.values())):
        if i in blanks:
            ws.append([None] * len(row))
        ws.append(list(row))
    wb.save(path)


def write_manifest(ctx: Context) -> None:
    ctx.manifest.update(
        {
            "seed": ctx.seed,
            "scale": ctx.scale,
            "as_of": ctx.as_of.isoformat(),
            "source_min_date": ctx.start.isoformat(),
            "source_max_date": ctx.as_of.isoformat(),
            "generator": "python -m etl generate",
        }
    )
    (ctx.out / "manifest.json").write_text(
        json.dumps(ctx.manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
    )

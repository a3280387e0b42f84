"""Read one source export (CSV in any of the accepted encodings, or XLSX) into an Arrow table.

Every value is read as text; typing and validation happen later in SQL. Each row carries
`_line`, its physical line (CSV) or row number (XLSX) in the file, so that every rejected value
can be traced to file, line and column.
"""

from __future__ import annotations

import codecs
import csv
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from etl.contract import Source
from etl.standards import to_halfwidth


class FatalSourceError(Exception):
    """A problem that makes a source unusable: the build stops and the old database stays."""


@dataclass
class ReadResult:
    table: pa.Table  # internal column names (str) + _line (int64)
    encoding: str
    format: str
    unknown_headers: list[str] = field(default_factory=list)
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


SAMPLE_BYTES = 4 << 20


def detect_encoding(path: Path) -> str:
    """utf-8-sig when a BOM is present, else utf-8 if the sample decodes, else gb18030."""
    with open(path, "rb") as f:
        head = f.read(SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if len(head) == SAMPLE_BYTES:  # cut at the last newline so no character is split
        cut = head.rfind(b"\n")
        head = head[: cut + 1] if cut > 0 else head
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as e:
        raise FatalSourceError(
            f"{path.name}: cannot read the file's encoding (not UTF-8 nor GBK/GB18030) "
            f"near byte {e.start}"
        ) from None


def _norm_header(h: object) -> str:
    s = "" if h is None else str(h)
    return to_halfwidth(s).replace("\ufeff", "").strip()


def map_headers(
    path: Path, headers: list[object], source: Source
) -> tuple[dict[int, str], list[str]]:
    """Map header positions to internal column names; a missing required column is fatal."""
    lookup: dict[str, str] = {}
    for c in source.columns:
        for h in (c.header, *c.header_aliases, c.name):
            lookup[_norm_header(h)] = c.name
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(headers):
        name = lookup.get(_norm_header(h))
        if name is None:
            if _norm_header(h):
                unknown.append(_norm_header(h))
            continue
        if name in seen:
            raise FatalSourceError(
                f"{path.name}, line 1, column {i + 1} ({_norm_header(h)}): header appears twice"
            )
        seen.add(name)
        mapping[i] = name
    missing = [c for c in source.columns if c.name not in seen and c.required]
    if missing:
        names = ", ".join(f"{c.header}" for c in missing)
        raise FatalSourceError(f"{path.name}, line 1: missing required column(s): {names}")
    return mapping, unknown


def read_file(path: Path, source: Source) -> ReadResult:
    """The whole file as one table (small files, tests). The build streams: see `open_file`."""
    stream = open_file(path, source)
    parts = list(stream)
    if stream.exact is not None:
        return stream.exact
    table = pa.concat_tables(parts) if parts else _empty(stream.columns)
    if stream.relines is not None:
        old, new = stream.relines
        idx = np.searchsorted(old, table.column("_line").to_numpy())
        lines = table.column("_line").to_numpy().copy()
        hit = (idx < len(old)) & (old[np.minimum(idx, len(old) - 1)] == lines)
        lines[hit] = new[idx[hit]]
        table = table.set_column(
            table.column_names.index("_line"), "_line", pa.array(lines, type=pa.int64())
        )
    return ReadResult(
        table, stream.encoding, stream.format, stream.unknown_headers, stream.bad_rows
    )


def _empty(columns: list[str]) -> pa.Table:
    return pa.table(
        {**{c: pa.array([], type=pa.string()) for c in columns}, "_line": pa.array([], pa.int64())}
    )


def open_file(path: Path, source: Source, block_size: int = 4 << 20) -> FileStream:
    """Stream one export as normalized Arrow tables of bounded size (memory stays flat
    whatever the file's size). Fatal problems (encoding, header) raise on opening."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return FileStream.of(_read_xlsx(path, source))
    if suffix in (".csv", ".txt"):
        return CsvStream(path, source, block_size)
    raise FatalSourceError(f"{path.name}: unsupported file type {suffix} (use CSV or XLSX)")


class FileStream:
    """Iterate for tables (internal column names + `_line`). After iteration:

    - `bad_rows`: (line, message) of rows the parser could not split into the header's fields;
    - `relines`: None, or (old, new) sorted arrays: rows already yielded with `_line` == old[i]
      are in fact on line new[i] (a rejected row earlier in the file shifted them);
    - `exact`: None, or the whole file read by the exact slow path (values spanning lines):
      discard what was yielded and use this instead.
    """

    encoding: str
    format: str
    columns: list[str]
    unknown_headers: list[str]
    bad_rows: list[tuple[int, str]]
    relines: tuple[np.ndarray, np.ndarray] | None = None
    exact: ReadResult | None = None

    @classmethod
    def of(cls, res: ReadResult) -> FileStream:
        s = cls()
        s.encoding, s.format, s.unknown_headers, s.bad_rows = (
            res.encoding, res.format, res.unknown_headers, res.bad_rows
        )  # fmt: skip
        s.columns = [c for c in res.table.column_names if c != "_line"]
        s._tables = [normalize_table(res.table)]
        return s

    def __iter__(self):
        yield from self._tables

    def raw_batches(self):
        """Iterating is `finish(t) for t in raw_batches()`: a caller can finish the batches in
        a pool of threads (a CSV's blocks are normalized there; other formats' tables come
        normalized)."""
        yield from self._tables

    def finish(self, t: pa.Table) -> pa.Table:
        return t


def _nfkc_trim_null(a: pa.Array) -> pa.Array:
    a = pc.utf8_trim_whitespace(pc.utf8_normalize(a, "NFKC"))
    return pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)


def normalize_text_array(
    a: pa.ChunkedArray | pa.Array, *, trim_only: bool = False
) -> pa.ChunkedArray | pa.Array:
    """Unicode NFKC (full-width → half-width, ideographic space → space, …), trimmed; '' → null.

    Done in Arrow (vectorized C++): the same in SQL with translate() is ~60× slower. NFKC, the
    costly part, is spent only where it can change something:
    - ASCII is its own NFKC form: a block of a column that is all ASCII (codes, dates, numbers)
      is only trimmed, and in a mostly ASCII one (学籍号 with the odd full-width digit) only the
      other values are normalized;
    - a column of few distinct values (性别, 学段, 是/否) is normalized once per value;
    - `trim_only` (values that are never stored, such as names) skips it.
    """
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    if trim_only:
        a = pc.utf8_trim_whitespace(a)
        return pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)
    other = pc.invert(pc.string_is_ascii(a))  # null for null values
    n_other = pc.sum(other).as_py() or 0
    if n_other == 0:
        a = pc.utf8_trim_whitespace(a)
        return pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)
    if n_other * 2 < len(a):
        other = pc.fill_null(other, False)
        fixed = _nfkc_trim_null(pc.filter(a, other))
        a = pc.utf8_trim_whitespace(a)
        a = pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)
        return pc.replace_with_mask(a, other, fixed)
    if len(a) > 64 and len(pc.unique(a.slice(0, 1024))) * 8 < min(len(a), 1024):
        d = pc.dictionary_encode(a)
        return pc.take(_nfkc_trim_null(d.dictionary), d.indices)
    return _nfkc_trim_null(a)


def normalize_table(t: pa.Table, trim_only: frozenset[str] = frozenset()) -> pa.Table:
    cols = {}
    for name in t.column_names:
        col = t.column(name)
        cols[name] = (
            normalize_text_array(col, trim_only=name in trim_only)
            if pa.types.is_string(col.type)
            else col
        )
    return pa.table(cols)


# --------------------------------------------------------------------------- CSV


# bytes per step of the line scan; its temporaries are ~6× this, and it runs beside the parser
CHUNK = 2 << 20
WHITESPACE = (32, 9, 13)


def _content_lines(path: Path, offset: int) -> np.ndarray:
    """1-based physical numbers of the lines holding something other than spaces, tabs and
    CR (see _content_line_chunks)."""
    out = list(_content_line_chunks(path, offset))
    return np.concatenate(out) if out else np.zeros(0, np.int32)


def _content_line_chunks(path: Path, offset: int) -> Iterator[np.ndarray]:
    """_content_lines, in ascending pieces: one per fixed-size chunk of the file, found with
    numpy (memory stays flat).

    A line whose first byte is not white space has content: that settles nearly every line of
    an export with one gather, and only lines starting with white space are looked at whole."""
    line0 = 1  # physical number of the line the chunk starts in
    carry = False  # the line running into this chunk already has content
    white = np.zeros(256, dtype=bool)
    white[list(WHITESPACE)] = True
    with open(path, "rb") as f:
        f.seek(offset)
        while chunk := f.read(CHUNK):
            arr = np.frombuffer(chunk, dtype=np.uint8)
            nl = np.flatnonzero(arr == 10)
            # segments: each line's bytes, ended by a newline or by the chunk's end
            starts = np.concatenate(([0], nl + 1))
            ends = np.concatenate((nl, [len(arr)]))
            has = np.zeros(len(starts), dtype=bool)
            nonempty = ends > starts
            first = arr[starts[nonempty]]
            has[nonempty] = ~white[first]
            # the rare segment that starts with white space: any byte that is neither white
            # space nor a newline
            for k in np.flatnonzero(nonempty & ~has):
                seg = arr[starts[k] : ends[k]]
                has[k] = not white[seg].all()
            has[0] |= carry
            closed = has[:-1]  # segments ended by a newline: whole lines
            yield (np.flatnonzero(closed) + line0).astype(np.int32)
            line0 += len(nl)
            carry = bool(has[-1])
    if carry:
        yield np.array([line0], dtype=np.int32)


class _LineScan:
    """A file's data lines, scanned by a background thread while its rows are parsed (the scan
    of a 350 MB export takes 0.45 s that would otherwise pass before the first block is
    parsed, with a core idle). `take(n)` hands out the next n line numbers in order, waiting
    for the scan if need be; `all()` is the whole array once the scan is done."""

    def __init__(self, first: np.ndarray, rest: Iterator[np.ndarray]) -> None:
        self._parts: list[np.ndarray] = [first] if len(first) else []
        self._known = len(first)  # line numbers found so far
        self._given = 0  # line numbers handed out by take()
        self._done = False
        self._error: BaseException | None = None
        self._cond = threading.Condition()
        self._thread = threading.Thread(
            target=self._run, args=(rest,), name="line-scan", daemon=True
        )
        self._thread.start()

    def _run(self, rest: Iterator[np.ndarray]) -> None:
        try:
            for a in rest:
                if len(a):
                    with self._cond:
                        self._parts.append(a)
                        self._known += len(a)
                        self._cond.notify_all()
        except BaseException as e:  # raised to the reader by take() and all()
            self._error = e
        finally:
            with self._cond:
                self._done = True
                self._cond.notify_all()

    def take(self, n: int) -> np.ndarray | None:
        """The next n line numbers, or None once the file has fewer lines than rows parsed
        (values spanning lines: the caller falls back on the exact reader)."""
        start = self._given
        self._given += n
        with self._cond:
            while self._known < self._given and not self._done:
                self._cond.wait()
            if self._known < self._given:
                if self._error is not None:
                    raise self._error
                return None
            parts = list(self._parts)
        # the parts that cover [start, start + n)
        out, pos = [], 0
        for a in parts:
            lo, hi = max(start - pos, 0), min(start + n - pos, len(a))
            if lo < hi:
                out.append(a[lo:hi])
            pos += len(a)
            if pos >= start + n:
                break
        return out[0] if len(out) == 1 else np.concatenate(out)

    def count(self) -> int:
        """How many data lines the file has (once the scan is done)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._known

    def all(self) -> np.ndarray:
        self._thread.join()
        if self._error is not None:
            raise self._error
        if len(self._parts) > 1:
            self._parts = [np.concatenate(self._parts)]
        return self._parts[0] if self._parts else np.zeros(0, np.int32)


def _header_fields(path: Path, encoding: str, offset: int, line: int) -> list[str]:
    with open(path, encoding=encoding.replace("-sig", ""), newline="") as f:
        if offset:
            f.read(1)  # the BOM
        for i, text in enumerate(f, 1):
            if i == line:
                return next(csv.reader([text]))
    return []


class CsvStream(FileStream):
    def __init__(self, path: Path, source: Source, block_size: int) -> None:
        self.path, self.source, self.block_size = path, source, block_size
        self.format = "csv"
        self.bad_rows = []
        self.encoding = encoding = detect_encoding(path)
        self.offset = 3 if encoding == "utf-8-sig" else 0
        # the header is the first line with content; the data lines are scanned beside parsing
        chunks = _content_line_chunks(path, self.offset)
        first = next((a for a in chunks if len(a)), None)
        if first is None:
            raise FatalSourceError(f"{path.name}: the file is empty")
        self.header_line = int(first[0])
        self._lines = _LineScan(first[1:], chunks)
        headers = _header_fields(path, encoding, self.offset, self.header_line)
        self.mapping, self.unknown_headers = map_headers(path, headers, source)
        self.columns = list(self.mapping.values())
        self.n_fields = len(headers)
        # values that are never stored nor checked beyond being present (names): trimmed only
        self.trim_only = frozenset(
            c.name for c in source.columns if c.personal == "drop" and c.check is None
        )

    @property
    def data_lines(self) -> np.ndarray:
        """Every data line's physical number (once the scan is done)."""
        return self._lines.all()

    def __iter__(self):
        for t in self.raw_batches():
            yield self.finish(t)

    def finish(self, t: pa.Table) -> pa.Table:
        return normalize_table(t, self.trim_only)

    def raw_batches(self):
        path, invalid = self.path, []

        def on_invalid(row):
            text = row.text or ""
            invalid.append(text)
            return "skip"

        names = [f"c{i}" for i in range(self.n_fields)]
        keep = [f"c{i}" for i in self.mapping]
        pa_enc = "utf8" if self.encoding.startswith("utf-8") else self.encoding
        f = pa.OSFile(str(path))
        f.seek(self.offset)
        try:
            reader = pacsv.open_csv(
                f,
                read_options=pacsv.ReadOptions(
                    encoding=pa_enc,
                    skip_rows=self.header_line,
                    column_names=names,
                    block_size=self.block_size,
                ),
                parse_options=pacsv.ParseOptions(
                    newlines_in_values=False, invalid_row_handler=on_invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    include_columns=keep,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    auto_dict_encode=False,
                    check_utf8=True,
                ),
            )
            pos = 0
            for batch in reader:
                n = batch.num_rows
                if not n:
                    continue
                pos += n
                lines = self._lines.take(n)
                if lines is None:  # more rows than lines: values span lines
                    continue
                cols = {name: batch.column(f"c{i}") for i, name in self.mapping.items()}
                cols["_line"] = pa.array(lines, type=pa.int64())
                yield pa.Table.from_pydict(cols)
        except (pa.ArrowInvalid, UnicodeDecodeError) as e:
            raise FatalSourceError(
                f"{path.name}: cannot parse as CSV ({self.encoding}): {e}"
            ) from None
        finally:
            f.close()
        self._settle(pos, invalid)

    def _settle(self, rows: int, invalid: list[str]) -> None:
        """Place rejected rows on their lines; shift the lines of rows after them."""
        # lines of spaces only are not in `lines`; lines of commas only are, and drop silently
        invalid = [t for t in invalid if t.strip(" \r\t")]
        blank = [t for t in invalid if not t.strip(" \r\t,")]
        invalid = [t for t in invalid if t.strip(" \r\t,")]
        if invalid or blank:
            lines = self.data_lines
            found = _locate(self.path, self.encoding, self.offset, invalid + blank)
            drop = []
            for text in invalid:
                line = found[text].pop(0) if found.get(text) else -1
                drop.append(line)
                self.bad_rows.append((line, f"row has the wrong number of fields: {text[:60]}"))
            for text in blank:
                if found.get(text):
                    drop.append(found[text].pop(0))
            fixed = lines[~np.isin(lines, drop)]
            if len(fixed) == rows:
                first = int(np.argmax(fixed != lines[: len(fixed)])) if len(fixed) else 0
                if len(fixed) and fixed[first] != lines[first]:
                    self.relines = (lines[first : len(fixed)].copy(), fixed[first:].copy())
                return
        elif rows == self._lines.count():  # the usual case: the lines' array is not needed
            return
        self.relines = None
        self.bad_rows = []
        self.exact = _read_csv_exact(
            self.path, self.source, self.encoding, self.mapping, self.unknown_headers
        )
        self.exact.table = normalize_table(self.exact.table)


def _locate(path: Path, encoding: str, offset: int, texts: list[str]) -> dict[str, list[int]]:
    """Physical lines (in file order) of lines whose text is one of `texts` (rare: rows the
    parser rejected). Reads the file line by line."""
    enc = encoding.replace("-sig", "")
    want = {t.rstrip("\r\n").encode(enc, errors="replace"): t for t in texts}
    found: dict[str, list[int]] = {}
    with open(path, "rb") as f:
        f.seek(offset)
        for i, raw in enumerate(f, 1):
            t = want.get(raw.rstrip(b"\r\n"))
            if t is not None:
                found.setdefault(t, []).append(i)
    return found


def _read_csv_exact(path, source, encoding, mapping, unknown) -> ReadResult:
    """Slow exact path (Python csv): used only when values contain line breaks."""
    lines_out: list[int] = []
    data: dict[str, list[str]] = {name: [] for name in mapping.values()}
    bad_rows: list[tuple[int, str]] = []
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(f)
        header_seen = False
        ncols = None
        start = 1
        for row in reader:
            line = start
            start = reader.line_num + 1
            if not any(cell.strip(" \r\t") for cell in row):
                continue
            if not header_seen:
                header_seen, ncols = True, len(row)
                continue
            if len(row) != ncols:
                bad_rows.append((line, "row has the wrong number of fields"))
                continue
            lines_out.append(line)
            for i, name in mapping.items():
                data[name].append(row[i])
    cols = {k: pa.array(v, type=pa.string()) for k, v in data.items()}
    out = pa.table({**cols, "_line": pa.array(lines_out, type=pa.int64())})
    return ReadResult(out, encoding, "csv", unknown, bad_rows)


# --------------------------------------------------------------------------- XLSX


def _cell_text(v: object) -> str:
    import datetime as dt

    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return (
            v.strftime("%Y-%m-%d %H:%M:%S")
            if (v.hour or v.minute or v.second)
            else v.strftime("%Y-%m-%d")
        )
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _read_xlsx(path: Path, source: Source) -> ReadResult:
    """The first sheet, read by calamine (Rust; a tenth of openpyxl's time). Rows are the
    sheet's own numbers: leading empty rows and columns are kept (skip_empty_area=False)."""
    from python_calamine import CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(str(path)) as wb:
            rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as e:  # zip or XML damage, no sheet
        raise FatalSourceError(f"{path.name}: cannot open as XLSX: {e}") from None
    header, header_row = None, 0
    for rownum, r in enumerate(rows, 1):
        if any(v not in (None, "") for v in r):
            header, header_row = list(r), rownum
            break
    if header is None:
        raise FatalSourceError(f"{path.name}: the first sheet is empty")
    mapping, unknown = map_headers(path, header, source)
    data: dict[str, list[str]] = {name: [] for name in mapping.values()}
    lines: list[int] = []
    for rownum, r in enumerate(rows[header_row:], header_row + 1):
        if not any(v not in (None, "") for v in r):
            continue
        lines.append(rownum)
        for i, name in mapping.items():
            data[name].append(_cell_text(r[i]) if i < len(r) else "")
    cols = {k: pa.array(v, type=pa.string()) for k, v in data.items()}
    out = pa.table({**cols, "_line": pa.array(lines, type=pa.int64())})
    return ReadResult(out, "xlsx", "xlsx", unknown, [])

"""Reading exports: encodings, XLSX, line numbers, header mapping and fatal problems."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from etl.contract import Column, Source
from etl.reader import FatalSourceError, detect_encoding, read_file

SRC = Source(
    name="demo",
    title_zh="演示",
    title_en="Demo",
    files=("demo*.csv",),
    columns=(
        Column("school_id", "学校标识码", header_aliases=("学校代码",)),
        Column("name", "学校名称"),
        Column("count", "班级数", type="int"),
        Column("note", "备注", required=False),
    ),
)

ROWS = "学校标识码,学校名称,班级数\n2151000001,锦江小学,12\n2151000002,青羊小学,18\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_every_accepted_encoding_reads_the_same(tmp_path, encoding):
    p = tmp_path / "demo.csv"
    p.write_bytes(ROWS.encode(encoding))
    res = read_file(p, SRC)
    assert res.table.column("name").to_pylist() == ["锦江小学", "青羊小学"]
    assert res.table.column("school_id").to_pylist() == ["2151000001", "2151000002"]
    assert res.table.column("_line").to_pylist() == [2, 3]
    expected = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030", "gbk": "gb18030"}
    assert detect_encoding(p) == expected[encoding]


def test_line_numbers_count_blank_lines_and_crlf(tmp_path):
    p = tmp_path / "demo.csv"
    text = "\r\n学校标识码,学校名称,班级数\r\n2151000001,a,1\r\n\r\n\r\n2151000002,b,2\r\n\r\n2151000003,c,3"
    p.write_bytes(text.encode())
    res = read_file(p, SRC)
    assert res.table.column("_line").to_pylist() == [3, 6, 8]
    assert res.table.column("school_id").to_pylist()[-1] == "2151000003"


def test_values_are_normalized_fullwidth_spaces_and_empty(tmp_path):
    p = tmp_path / "demo.csv"
    p.write_text(
        "学校标识码,学校名称,班级数,备注\n２１５１０００００１ , 锦江小学\u3000,１２,\n",
        encoding="utf-8",
    )
    t = read_file(p, SRC).table
    assert t.column("school_id").to_pylist() == ["2151000001"]
    assert t.column("name").to_pylist() == ["锦江小学"]
    assert t.column("count").to_pylist() == ["12"]
    assert t.column("note").to_pylist() == [None]


def test_header_alias_and_unknown_headers(tmp_path):
    p = tmp_path / "demo.csv"
    p.write_text("学校代码,学校名称,班级数,负责人\n2151000001,a,1,x\n", encoding="utf-8")
    res = read_file(p, SRC)
    assert res.table.column("school_id").to_pylist() == ["2151000001"]
    assert res.unknown_headers == ["负责人"]


def test_missing_required_column_is_fatal_and_names_file_and_column(tmp_path):
    p = tmp_path / "demo_2021.csv"
    p.write_text("学校标识码,班级数\n2151000001,1\n", encoding="utf-8")
    with pytest.raises(FatalSourceError) as e:
        read_file(p, SRC)
    assert "demo_2021.csv" in str(e.value) and "学校名称" in str(e.value)


def test_empty_file_is_fatal(tmp_path):
    p = tmp_path / "demo.csv"
    p.write_text("\n\n", encoding="utf-8")
    with pytest.raises(FatalSourceError, match="empty"):
        read_file(p, SRC)


def test_rows_with_wrong_field_count_are_reported_with_their_line(tmp_path):
    p = tmp_path / "demo.csv"
    p.write_text(
        "学校标识码,学校名称,班级数\n2151000001,a,1\n2151000002,b,2,extra,more\n2151000003,c,3\n"
    )
    res = read_file(p, SRC)
    assert res.table.column("_line").to_pylist() == [2, 4]
    assert [line for line, _ in res.bad_rows] == [3]


def test_quoted_line_breaks_fall_back_to_exact_line_numbers(tmp_path):
    p = tmp_path / "demo.csv"
    p.write_text(
        '学校标识码,学校名称,班级数\n2151000001,"锦江\n小学",1\n2151000002,b,2\n', encoding="utf-8"
    )
    res = read_file(p, SRC)
    assert res.table.column("name").to_pylist() == ["锦江\n小学", "b"]
    assert res.table.column("_line").to_pylist() == [2, 4]


def test_xlsx_values_become_text_with_row_numbers(tmp_path):
    p = tmp_path / "demo.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["学校标识码", "学校名称", "班级数", "备注"])
    ws.append([2151000001, "锦江小学", 12.0, dt.date(2021, 9, 1)])
    ws.append([None, None, None, None])
    ws.append(["2151000002", "青羊小学", 18, None])
    wb.save(p)
    res = read_file(p, SRC)
    assert res.format == "xlsx"
    assert res.table.column("school_id").to_pylist() == ["2151000001", "2151000002"]
    assert res.table.column("count").to_pylist() == ["12", "18"]
    assert res.table.column("note").to_pylist() == ["2021-09-01", None]
    assert res.table.column("_line").to_pylist() == [2, 4]


def test_xlsx_below_empty_rows_keeps_the_sheets_row_numbers(tmp_path):
    """A title block above the table or a blank first column must not shift the rows the
    quarantine names: they are the numbers Excel shows."""
    p = tmp_path / "demo.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B3"], ws["C3"], ws["D3"], ws["E3"] = "学校标识码", "学校名称", "班级数", "备注"
    ws["B4"], ws["C4"], ws["D4"], ws["E4"] = "2151000001", "锦江小学", 12, True
    ws["B7"], ws["C7"], ws["D7"] = "2151000002", "青羊小学", 7.5
    ws["E7"] = dt.datetime(2021, 9, 1, 8, 30)
    wb.create_sheet("说明")["A1"] = "only the first sheet is read"
    wb.save(p)
    res = read_file(p, SRC)
    assert res.table.column("_line").to_pylist() == [4, 7]
    assert res.table.column("count").to_pylist() == ["12", "7.5"]
    assert res.table.column("note").to_pylist() == ["是", "2021-09-01 08:30:00"]


def test_broken_xlsx_is_fatal(tmp_path):
    p = tmp_path / "demo.xlsx"
    p.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(FatalSourceError, match="demo.xlsx"):
        read_file(p, SRC)


def test_undecodable_bytes_are_fatal(tmp_path):
    p = tmp_path / "demo.csv"
    p.write_bytes("学校标识码,学校名称,班级数\n".encode() + b"\xff\xfe\xfd\x80\x81,\xff,1\n")
    with pytest.raises(FatalSourceError, match="demo.csv"):
        read_file(p, SRC)


def _stream_rows(p, block_size):
    """What the build sees: batches, then the stream's line corrections applied."""
    from etl.reader import open_file

    stream = open_file(p, SRC, block_size=block_size)
    rows = []
    for t in stream:
        rows += list(zip(t.column("_line").to_pylist(), t.column("school_id").to_pylist()))
    if stream.exact is not None:
        t = stream.exact.table
        rows = list(zip(t.column("_line").to_pylist(), t.column("school_id").to_pylist()))
    elif stream.relines is not None:
        fix = dict(zip(*(a.tolist() for a in stream.relines)))
        rows = [(fix.get(line, line), sid) for line, sid in rows]
    return stream, rows


def test_streaming_in_small_blocks_keeps_every_row_on_its_line(tmp_path):
    p = tmp_path / "demo.csv"
    body = ["学校标识码,学校名称,班级数", ""]
    want = []
    for i in range(400):
        sid = f"21510{i:05d}"
        body.append(f"{sid},学校{i},{i}")
        want.append((len(body), sid))
        if i % 97 == 0:
            body += ["", "   "]  # blank and space-only lines are skipped, but counted
    p.write_text("\r\n".join(body) + "\r\n", encoding="gb18030")
    stream, rows = _stream_rows(p, block_size=512)
    assert rows == want
    assert stream.encoding == "gb18030" and stream.bad_rows == []


def test_streaming_places_a_broken_row_and_shifts_the_rows_after_it(tmp_path):
    p = tmp_path / "demo.csv"
    body = ["学校标识码,学校名称,班级数"]
    want = []
    for i in range(300):
        sid = f"21510{i:05d}"
        if i in (50, 200):
            body.append(f"{sid},坏行{i},1,多余,字段")
            bad = len(body)
            continue
        body.append(f"{sid},学校{i},{i}")
        want.append((len(body), sid))
    body.insert(120, ",,,,")  # commas only, wrong field count: dropped silently
    want = [(line + (line >= 121), sid) for line, sid in want]
    p.write_text("\n".join(body) + "\n", encoding="utf-8")
    stream, rows = _stream_rows(p, block_size=400)
    assert rows == want
    assert [line for line, _ in stream.bad_rows] == [52, bad + 1]
    # the whole-file reader gives the same answer
    res = read_file(p, SRC)
    assert (
        list(zip(res.table.column("_line").to_pylist(), res.table.column("school_id").to_pylist()))
        == want
    )


@pytest.mark.parametrize("seed", range(6))
def test_content_lines_match_a_line_by_line_reading(tmp_path, monkeypatch, seed):
    """The numpy scan (first byte, then whole lines only when they start with white space) finds
    exactly the lines a plain reading finds, across chunk boundaries."""
    import random

    from etl import reader

    rng = random.Random(seed)
    pieces = ["a", "1,2", " ", "\t", "\r", "  x", "\t\t,", "   ", "合计", "\u3000"]
    lines = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 5))) for _ in range(400)]
    text = "\n".join(lines) + rng.choice(["", "\n", "\r\n", "  "])
    p = tmp_path / "x.csv"
    p.write_bytes(text.encode("utf-8"))
    expected = [
        i for i, line in enumerate(text.encode("utf-8").split(b"\n"), 1)
        if line.strip(b" \t\r")
    ]  # fmt: skip
    monkeypatch.setattr(reader, "CHUNK", rng.choice([7, 64, 1000]))
    assert reader._content_lines(p, 0).tolist() == expected


@pytest.mark.parametrize("seed", range(6))
def test_background_line_scan_hands_out_every_line_in_order(seed):
    """The scan running beside the parser gives each block of rows its lines, in order, however
    the pieces of the scan and the blocks fall; once rows outnumber lines it says so."""
    import random

    import numpy as np

    from etl.reader import _LineScan

    rng = random.Random(seed)
    want = np.cumsum(np.array([rng.randrange(1, 4) for _ in range(3000)], dtype=np.int32))
    cuts = sorted(rng.sample(range(1, len(want)), 40))
    pieces = np.split(want, cuts)
    scan = _LineScan(pieces[0], iter(pieces[1:]))
    got, n = [], 0
    while n < len(want):
        k = min(rng.choice([1, 7, 64, 500]), len(want) - n)
        got.append(scan.take(k))
        n += k
    assert np.concatenate(got).tolist() == want.tolist()
    assert scan.take(1) is None and scan.take(5) is None  # more rows than lines
    assert scan.all().tolist() == want.tolist()


def test_an_error_of_the_line_scan_reaches_the_reader():
    import numpy as np

    from etl.reader import _LineScan

    def broken():
        yield np.array([2, 3], dtype=np.int32)
        raise OSError("disk gone")

    scan = _LineScan(np.zeros(0, np.int32), broken())
    assert scan.take(2).tolist() == [2, 3]
    with pytest.raises(OSError, match="disk gone"):
        scan.take(1)


def test_line_scan_count_is_the_number_of_lines():
    import numpy as np

    from etl.reader import _LineScan

    scan = _LineScan(np.array([2, 3], np.int32), iter([np.array([5], np.int32)]))
    assert scan.count() == 3
    assert scan.all().tolist() == [2, 3, 5]

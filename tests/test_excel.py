"""The self-assessment workbook: round trip, every bad input, and the report."""

from __future__ import annotations

import datetime as dt
import functools
import io
import unicodedata
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from cchc.core import assessment as rules
from cchc.files import assessment_workbook as excel_io
from cchc.files.assessment_workbook import COL, FIRST_ROW, SHEET, WorkbookError
from cchc.services import assessment as svc

from .test_assessment import CS, OFFICER, OWN, YEAR, fill_all

UNIT = {"code": OWN, "name": "Xã Sơn Hồng"}


@functools.cache
def blank() -> bytes:
    """The unit's empty workbook, built once (bytes: no test can change it)."""
    return excel_io.build_template(CS, UNIT, YEAR, {}, {}, {})


def edit(data: bytes, fn) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    fn(wb, wb[SHEET])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(ws, code: str) -> int:
    return next(r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, COL["code"]).value == code)


def set_cell(code: str, key: str, value):
    return lambda wb, ws: ws.cell(row_of(ws, code), COL[key], value)


def errors_of(data: bytes, unit=OWN, year=YEAR) -> list[str]:
    with pytest.raises(WorkbookError) as info:
        excel_io.parse_workbook(data, CS, unit, year)
    return info.value.errors


def test_the_template_is_structured_and_protected():
    wb = load_workbook(io.BytesIO(blank()))
    ws = wb[SHEET]
    assert ws.protection.sheet is True
    assert wb[excel_io.META_SHEET].sheet_state == "veryHidden"
    r = row_of(ws, "1.1.1")
    assert ws.cell(r, COL["points"]).protection.locked is False
    assert ws.cell(r, COL["title"]).protection.locked is True
    assert [ws.cell(row_of(ws, c), COL["code"]).value for c in ("1", "1.1", "1.1.1")] == ["1", "1.1", "1.1.1"]
    ranges = {str(rng) for dv in ws.data_validations.dataValidation for rng in dv.sqref.ranges}
    assert f"E{r}" in ranges
    assert ws.cell(r, COL["max"]).value == 1


def test_round_trip_template_fill_import_gives_the_same_scores():
    scores = {leaf.code: rules.LeafScore(leaf.max_points - leaf.step if leaf.max_points > leaf.step else leaf.max_points,
                                         False, "ghi chú", "") for leaf in rules.scored_leaves(CS)}
    scores["1.3.2"] = rules.LeafScore(None, True, "", "Không phát hiện vấn đề")
    docs = {"1.1.1": [{"doc_number": "15/KH-UBND", "issued_on": dt.date(2022, 1, 10), "summary": "Kế hoạch CCHC năm 2022"}]}
    data = excel_io.build_template(CS, UNIT, YEAR, scores, docs, {"1.1.1": 2})
    parsed = excel_io.parse_workbook(data, CS, OWN, YEAR)
    for code, s in scores.items():
        expected = rules.check_leaf_score(CS.node(code), s)
        assert parsed.scores[code] == expected, code
    assert parsed.docs["1.1.1"] == docs["1.1.1"]


def test_a_decimal_comma_typed_as_text_is_accepted():
    data = edit(blank(), set_cell("1.1.1", "points", "0,5"))
    assert excel_io.parse_workbook(data, CS, OWN, YEAR).scores["1.1.1"].points == Decimal("0.50")


def test_decomposed_unicode_is_normalised():
    text = unicodedata.normalize("NFD", "Kế hoạch chưa ký")
    data = edit(blank(), set_cell("1.1.1", "explanation", text))
    assert excel_io.parse_workbook(data, CS, OWN, YEAR).scores["1.1.1"].explanation == unicodedata.normalize("NFC", text)


@pytest.mark.parametrize("code, key, value, expected", [
    ("1.1.1", "points", 1.5, "cột E (Điểm tự chấm): Tiêu chí 1.1.1: điểm 1,5 nằm ngoài khoảng 0 đến 1."),
    ("1.1.1", "points", 0.25, "cột E (Điểm tự chấm): Tiêu chí 1.1.1: điểm 0,25 không theo bước 0,5"),
    ("1.1.1", "points", -1, "nằm ngoài khoảng"),
    ("1.1.1", "points", "một", "cột E (Điểm tự chấm): «một» không phải là số."),
    ("1.1.1", "points", "=1/2", "cột E (Điểm tự chấm): ô chứa công thức"),
    ("1.1.1", "na", "x", "cột F (Không áp dụng): Tiêu chí 1.1.1: tiêu chí này không được đánh dấu «không áp dụng»."),
    ("1.3.2", "na", "không", "cột F (Không áp dụng): «không» không hợp lệ"),
    ("1.1.1", "docs", "15/KH-UBND 10/01/2022", "cột G (Tài liệu kiểm chứng), dòng 1: «15/KH-UBND 10/01/2022» cần dạng"),
    ("1.1.1", "docs", "15/KH-UBND | 32/01/2022 | Kế hoạch", "ngày «32/01/2022» không đúng dạng dd/mm/yyyy"),
])
def test_bad_cells_are_named_by_sheet_row_and_column(code, key, value, expected):
    data = edit(blank(), set_cell(code, key, value))
    errors = errors_of(data)
    r = row_of(load_workbook(io.BytesIO(blank()))[SHEET], code)
    assert any(e.startswith(f"Trang «{SHEET}», hàng {r}, ") and expected in e for e in errors), errors


def test_every_bad_cell_is_listed_at_once():
    def many(wb, ws):
        ws.cell(row_of(ws, "1.1.1"), COL["points"], "abc")
        ws.cell(row_of(ws, "1.1.2"), COL["points"], 7)
    assert len(errors_of(edit(blank(), many))) == 2


def test_merged_cells_and_missing_columns_are_refused():
    errors = errors_of(edit(blank(), lambda wb, ws: ws.merge_cells(start_row=FIRST_ROW + 2, start_column=5,
                                                                      end_row=FIRST_ROW + 3, end_column=5)))
    assert any("bị gộp" in e for e in errors)
    errors = errors_of(edit(blank(), lambda wb, ws: ws.cell(excel_io.HEADER_ROW, COL["points"], "Điểm")))
    assert any("hàng 6, cột E: thiếu cột «Điểm tự chấm»" in e for e in errors)


def test_a_missing_sheet_or_leaf_row_is_refused():
    def drop_sheet(wb, ws):
        ws.title = "Trang khác"
    assert errors_of(edit(blank(), drop_sheet)) == [f"Thiếu trang «{SHEET}»."]
    def drop_row(wb, ws):
        ws.cell(row_of(ws, "1.1.2"), COL["code"]).value = None
    errors = errors_of(edit(blank(), drop_row))
    assert errors == [f"Trang «{SHEET}»: thiếu hàng của tiêu chí 1.1.2."]


def test_a_workbook_for_another_unit_or_period_is_refused():
    other = excel_io.build_template(CS, {"code": "18142", "name": "Xã Sơn Tiến"}, YEAR, {}, {}, {})
    assert errors_of(other) == ["Sổ tính này (trang ẩn «_cchc») là của đơn vị mã 18142, không phải đơn vị 18139."]
    assert errors_of(blank(), year=2023) == ["Sổ tính này (trang ẩn «_cchc») là của kỳ 2022, không phải kỳ 2023."]


@pytest.mark.parametrize("data, expected", [
    (b"%PDF-1.4 not a workbook", "không phải sổ tính Excel"),
    (b"PK\x03\x04garbage", "không phải sổ tính Excel"),
    (b"0" * (30 * 1024 * 1024), "vượt giới hạn 5 MB"),
])
def test_files_that_are_not_workbooks_are_refused(data, expected):
    assert expected in errors_of(data)[0]


def test_a_plain_workbook_without_the_hidden_sheet_is_refused():
    from openpyxl import Workbook
    out = io.BytesIO()
    Workbook().save(out)
    assert "không phải biểu mẫu tải từ ứng dụng" in errors_of(out.getvalue())[0]


# ------------------------------------------------------------------ through the service


def test_preview_lists_changes_and_import_applies_them_all(storage, on_day):
    name, data = svc.workbook(storage, OFFICER, YEAR, OWN)
    assert name == f"tu-danh-gia-{YEAR}-{OWN}.xlsx"
    filled = edit(data, lambda wb, ws: (ws.cell(row_of(ws, "1.1.1"), COL["points"], 1),
                                        ws.cell(row_of(ws, "1.1.2"), COL["points"], "0,5")))
    preview = svc.preview_import(storage, OFFICER, YEAR, OWN, filled)
    assert [(r["code"], r["before"], r["after"]) for r in preview.rows] == [("1.1.1", "chưa chấm", "1"),
                                                                          ("1.1.2", "chưa chấm", "0,5")]
    assert storage.all("scores_of_unit", year=YEAR, unit_code=OWN) == []     # a preview writes nothing
    assert svc.import_workbook(storage, OFFICER, YEAR, OWN, filled) == 2
    assert svc.open_form(storage, OFFICER, YEAR, OWN).scores["1.1.2"].points == Decimal("0.5")


def test_a_workbook_with_one_error_changes_nothing(storage, on_day):
    _, data = svc.workbook(storage, OFFICER, YEAR, OWN)
    bad = edit(data, lambda wb, ws: (ws.cell(row_of(ws, "1.1.1"), COL["points"], 1),
                                     ws.cell(row_of(ws, "1.1.2"), COL["points"], 9)))
    with pytest.raises(WorkbookError):
        svc.import_workbook(storage, OFFICER, YEAR, OWN, bad)
    assert storage.all("scores_of_unit", year=YEAR, unit_code=OWN) == []


def test_the_report_has_the_official_layout(storage, on_day):
    fill_all(storage)
    svc.save_report(storage, OFFICER, YEAR, OWN, "Thiếu máy quét tài liệu", "Đề nghị hỗ trợ kinh phí số hóa")
    svc.submit(storage, OFFICER, YEAR, OWN)
    name, data = svc.report(storage, OFFICER, YEAR, OWN)
    ws = load_workbook(io.BytesIO(data)).active
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert ws["A1"].value == "UBND XÃ SƠN HỒNG" and ws["C1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert ws["A5"].value == "BÁO CÁO TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2022"
    assert ws["A1"].font.name == "Times New Roman"
    assert "TỔNG ĐIỂM TỰ ĐÁNH GIÁ" in cells and "Thiếu máy quét tài liệu" in cells
    assert "III. KHÓ KHĂN, VƯỚNG MẮC" in cells and "IV. KIẾN NGHỊ, ĐỀ XUẤT" in cells
    total_row = next(r for r in ws.iter_rows() if r[1].value == "TỔNG ĐIỂM TỰ ĐÁNH GIÁ")
    assert total_row[3].value == 70
    assert ws.page_setup.orientation == "landscape" and ws.freeze_panes == "A10"


def test_more_bad_workbooks_are_messages_not_crashes():
    assert "«nan» không phải là số" in errors_of(edit(blank(), set_cell("1.1.1", "points", "nan")))[0]
    both = edit(blank(), lambda wb, ws: (ws.cell(row_of(ws, "1.3.2"), COL["points"], 1), ws.cell(row_of(ws, "1.3.2"), COL["na"], "x")))
    assert "vừa có điểm vừa đánh dấu không áp dụng" in errors_of(both)[0]
    dup = edit(blank(), lambda wb, ws: ws.cell(row_of(ws, "1.1.2"), COL["code"], "1.1.1"))
    assert any("tiêu chí 1.1.1 đã có ở hàng" in e for e in errors_of(dup))
    far = edit(blank(), lambda wb, ws: ws.cell(5000, 1, "x"))
    assert "hàng thừa" in errors_of(far)[0]
    meta_broken = edit(blank(), lambda wb, ws: wb[excel_io.META_SHEET].delete_rows(3))
    assert "Trang ẩn «_cchc» bị sửa hoặc thiếu" in errors_of(meta_broken)[0]


def test_a_broken_or_bombed_archive_is_refused():
    import zipfile
    good = blank()
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            z.writestr(item.filename, data[:-40] if item.filename.endswith("sheet1.xml") else data)   # damaged XML
    assert "không phải sổ tính Excel" in errors_of(out.getvalue())[0]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item.filename, src.read(item.filename))
        z.writestr("xl/padding.xml", b" " * (30 * 1024 * 1024))
    assert len(bomb.getvalue()) < 1024 * 1024
    assert "quá lớn" in errors_of(bomb.getvalue())[0]


def test_text_that_looks_like_a_formula_stays_text_through_the_round_trip():
    scores = {"1.1.1": rules.LeafScore(Decimal(1), False, "=HYPERLINK(\"http://x\")", "=1+1 là giải trình")}
    data = excel_io.build_template(CS, UNIT, YEAR, scores, {}, {})
    ws = load_workbook(io.BytesIO(data))[SHEET]
    cell = ws.cell(row_of(ws, "1.1.1"), COL["note"])
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")"
    parsed = excel_io.parse_workbook(data, CS, OWN, YEAR)
    assert parsed.scores["1.1.1"].note == "=HYPERLINK(\"http://x\")"


# ------------------------------------------------------------------ the helper every reader shares


@pytest.mark.parametrize("text", ["05/01/2022", "5/1/2022", "31/12/2022", "29/02/2024", "29/02/2023", "32/01/2022",
                                  "00/01/2022", "01/13/2022", "1/1/22", "01-01-2022", "01/01/2022x", "٠١/٠١/٢٠٢٢"])
def test_a_typed_date_is_read_as_strptime_reads_dd_mm_yyyy(text):
    from cchc.files.workbook import day
    try:
        expected = dt.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        expected = ValueError
    try:
        got = day(text)
    except ValueError:
        got = ValueError
    assert got == expected


@pytest.mark.parametrize("raw, decimal_comma, expected", [
    (None, True, None), ("  ", True, None), (2, True, 2), (1.5, True, 1.5), (" 1.5 ", True, 1.5),
    ("1,5", True, 1.5), ("-0,25", True, -0.25), ("1,5", False, "comma"), ("một", True, "error"),
    (True, True, "error"), ("1,2,3", True, "error"),
])
def test_numbers_typed_in_cells(raw, decimal_comma, expected):
    from cchc.files.workbook import DecimalComma, number
    try:
        got = number(raw, decimal_comma=decimal_comma)
    except DecimalComma:
        got = "comma"
    except ValueError:
        got = "error"
    assert got == expected


def test_the_readers_share_one_helper_and_take_nothing_private_from_each_other():
    import ast
    from pathlib import Path

    from cchc.files import criteria_workbook, survey_workbook
    for module in (excel_io, criteria_workbook, survey_workbook):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        sources = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("cchc.files")}
        assert sources == {"cchc.files.workbook"}, (module.__name__, sources)

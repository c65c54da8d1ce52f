"""The criteria workbook: export then import gives the same set; every bad input, by row and column."""

from __future__ import annotations

import functools
import io

import pytest
from openpyxl import load_workbook

from cchc.core.criteria import CriteriaError, load_yaml_file
from cchc.files import criteria_workbook as cx

from .conftest import TEMPLATE

OFFICES = ["NV", "TP", "VP", "TCKH", "VHTT"]
CS = load_yaml_file(TEMPLATE, OFFICES)


@functools.cache
def exported() -> bytes:
    """The template set as a workbook, built once (bytes: no test can change it)."""
    return cx.build(CS)


def edit(fn) -> bytes:
    wb = load_workbook(io.BytesIO(exported()))
    fn(wb, wb[cx.NODES])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(ws, code):
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == code)


def errors_of(data: bytes) -> list[str]:
    with pytest.raises(CriteriaError) as info:
        cx.parse(data, OFFICES)
    return info.value.errors


def test_export_then_import_gives_the_same_set():
    assert cx.parse(cx.build(CS), OFFICES) == CS


def test_the_empty_template_has_both_sheets_and_the_headers():
    wb = load_workbook(io.BytesIO(cx.build(None)))
    assert wb.sheetnames == [cx.INFO, cx.NODES]
    assert [c.value for c in wb[cx.NODES][1]] == [h for _, h, _ in cx.COLUMNS]


@pytest.mark.parametrize("change, expected", [
    (lambda wb, ws: ws.cell(row_of(ws, "1.2"), 1, "1.3"), "hàng 6 (mã 1.3): sai thứ tự; sau 1.1 phải là 1.2."),
    (lambda wb, ws: ws.cell(row_of(ws, "1.1"), 3, 5), "hàng 3 (mã 1.1): điểm tối đa 5 khác tổng điểm các tiêu chí con 2."),
    (lambda wb, ws: ws.cell(row_of(ws, "1.1.2"), 1, "1.1.1"), "(mã 1.1.1): mã bị trùng"),
    (lambda wb, ws: wb[cx.INFO].cell(8, 2, 90), "tổng điểm các lĩnh vực là 100, khác tổng điểm khai báo 90."),
    (lambda wb, ws: ws.cell(1, 4, "Cách chấm"), "Trang «Tiêu chí», hàng 1, cột D: thiếu cột «Cách chấm điểm»."),
    (lambda wb, ws: ws.cell(row_of(ws, "1.1.1"), 3, "0,5"), "hàng 4, cột C: «0,5» dùng dấu phẩy thập phân"),
    (lambda wb, ws: ws.merge_cells("B3:B4"), "các ô B3:B4 bị gộp"),
    (lambda wb, ws: ws.cell(row_of(ws, "1.1.1"), 3, "=1/2"), "hàng 4, cột C: ô chứa công thức"),
    (lambda wb, ws: ws.cell(row_of(ws, "1.1.1"), 1, 1.1), "hàng 4, cột A: mã «1.1» được nhập dạng số"),
    (lambda wb, ws: ws.cell(row_of(ws, "1.1.1"), 9, "Tự chấm"), "hàng 4, cột I: «Tự chấm» không hợp lệ"),
    (lambda wb, ws: ws.cell(row_of(ws, "1.1.1"), 8, "Có thể"), "hàng 4, cột H: «Có thể» không hợp lệ"),
    (lambda wb, ws: ws.cell(row_of(ws, "1.1.1"), 6, "XYZ"), "hàng 4 (mã 1.1.1): cơ quan thẩm định 'XYZ' không có"),
    (lambda wb, ws: wb[cx.INFO].cell(7, 2, "Huyện"), "Trang «Thông tin», hàng 7, cột B (Áp dụng cho): «Huyện» không hợp lệ"),
    (lambda wb, ws: setattr(ws, "title", "Khác"), "Thiếu trang «Tiêu chí»."),
])
def test_every_bad_input_is_named_by_sheet_row_and_column(change, expected):
    errors = errors_of(edit(change))
    assert any(expected in e for e in errors), errors


def test_files_that_are_not_workbooks_are_refused():
    assert "không phải sổ tính Excel" in errors_of(b"MZ\x90 not a workbook")[0]
    assert "lớn hơn 5 MB" in errors_of(b"0" * (6 * 1024 * 1024))[0]

"""The paper-form workbook: a round trip, every bad input named by sheet, row and column, all or
nothing; and the command line around it."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pytest
from openpyxl import Workbook, load_workbook

from cchc.cli import main as cli
from cchc.core import survey as rules
from cchc.core.permissions import User
from cchc.files import assessment_workbook as excel_io
from cchc.files import survey_workbook as sx
from cchc.services import ServiceError, citizen_survey

from .conftest import opened

ADMIN = User("quantri", "Quản trị", "admin")
COMMUNE = User("sonhong", "Cán bộ Sơn Hồng", "commune", unit_code="18139")
Q = rules.citizen_questionnaire()
COLS = {c.key: i for i, c in enumerate(sx.columns(Q), 1)}
W = f"Trang «{sx.SHEET}»"


def template(storage) -> bytes:
    return citizen_survey.paper_template(storage, ADMIN, 2022)


def filled(storage, rows: list[dict], edit=None) -> bytes:
    """The template with one row per dict: key -> value (unit, date, q:1.1, profile:gender, …)."""
    wb = load_workbook(io.BytesIO(template(storage)))
    ws = wb[sx.SHEET]
    for n, values in enumerate(rows):
        for key, value in values.items():
            ws.cell(sx.FIRST_ROW + n, COLS[key]).value = value
    if edit:
        edit(wb, ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def good(unit="18139", **extra) -> dict:
    row = {"unit": unit, "date": "15/10/2022", **{f"q:{x.code}": 4 for x in Q.questions()}, "overall": 5,
           "profile:gender": "Nữ", "suggestion": "Nên có thêm ghế chờ"}
    row.update(extra)
    return row


def errors(storage, data: bytes) -> list[str]:
    with pytest.raises(excel_io.WorkbookError) as info:
        citizen_survey.import_paper(storage, ADMIN, 2022, data)
    assert storage.scalar("survey_count", year=2022) == 0          # nothing half-written
    return info.value.errors


def test_a_filled_template_is_imported_whole(storage, on_day):
    data = filled(storage, [good(), good("18142", **{"q:1.1": None, "profile:age": "từ 60 tuổi trở lên"}), {}, good()])
    assert citizen_survey.import_paper(storage, ADMIN, 2022, data) == 3
    rows = storage.all("survey_responses_of_period", year=2022, unit_code=None)
    assert [r["channel"] for r in rows] == ["paper"] * 3 and rows[0]["submitted_at"].date() == dt.date(2022, 10, 15)
    assert '"age": "Từ 60 tuổi trở lên"' in rows[-1]["profile"]           # matched whatever the case
    answers = storage.all("survey_answers_of_period", year=2022, unit_code="18142")
    assert len(answers) == len(Q.questions()) - 1                        # the blank question is not an answer
    audit = storage.all("audit_recent", limit=1)[0]
    assert audit["action"] == "survey.import" and '"forms": 3' in audit["new_value"]


def test_the_template_is_structured(storage):
    wb = load_workbook(io.BytesIO(template(storage)))
    ws = wb[sx.SHEET]
    assert ws.cell(sx.HEADER_ROW, COLS["q:1.1"]).value == "Câu 1.1"
    assert wb[sx.META_SHEET].sheet_state == "veryHidden"
    assert wb[sx.LIST_SHEET].max_row == 26                                # 25 units and the header
    assert any("1" == dv.formula1 and "5" == dv.formula2 for dv in ws.data_validations.dataValidation)


H = sx.FIRST_ROW


@pytest.mark.parametrize("row, expected", [
    ({"q:1.1": 6}, f"{W}, hàng {H}, cột H (Câu 1.1): «6» không hợp lệ; nhập số nguyên từ 1"),
    ({"q:1.1": 4.5}, f"{W}, hàng {H}, cột H (Câu 1.1): «4.5» không hợp lệ"),
    ({"q:2.3": "tốt"}, f"{W}, hàng {H}, cột M (Câu 2.3): «tốt» không hợp lệ"),
    ({"overall": 0}, f"{W}, hàng {H}, cột U (Hài lòng chung): «0» không hợp lệ"),
    ({"unit": "99999"}, f"{W}, hàng {H}, cột A (Mã đơn vị): mã «99999» không phải đơn vị của kỳ này"),
    ({"unit": None}, f"{W}, hàng {H}, cột A (Mã đơn vị): thiếu mã đơn vị"),
    ({"date": "32/10/2022"}, f"{W}, hàng {H}, cột B (Ngày trên phiếu): «32/10/2022» không phải ngày dạng dd/mm/yyyy"),
    ({"date": "01/12/2022"}, f"{W}, hàng {H}, cột B (Ngày trên phiếu): ngày 01/12/2022 nằm ngoài thời gian khảo sát (01/10/2022 – 20/11/2022)"),
    ({"profile:gender": "Robot"}, f"{W}, hàng {H}, cột D (Giới tính): «Robot» không phải một lựa chọn"),
    ({"q:1.1": "=4+1"}, f"{W}, hàng {H}, cột H (Câu 1.1): ô chứa công thức"),
    ({f"q:{x.code}": None for x in Q.questions()}, f"{W}, hàng {H}: Phiếu chưa có câu trả lời nào"),
])
def test_every_bad_cell_is_named(storage, on_day, row, expected):
    got = errors(storage, filled(storage, [good(**row)]))
    assert len(got) == 1 and got[0].startswith(expected), got


def test_every_bad_row_is_listed_and_nothing_is_stored(storage, on_day):
    data = filled(storage, [good(), good(**{"q:1.1": 9}), good(), good(unit="1")])
    got = errors(storage, data)
    assert [e.split(":")[0] for e in got] == [f"{W}, hàng {H + 1}, cột H (Câu 1.1)", f"{W}, hàng {H + 3}, cột A (Mã đơn vị)"]


def _plain_workbook() -> bytes:
    wb = Workbook()
    wb.active.title = sx.SHEET
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("make, expected", [
    (lambda s: b"PK\x03\x04 not really a zip", "không phải sổ tính Excel (.xlsx) hợp lệ"),
    (lambda s: "Mã đơn vị;Câu 1.1\n18139;4\n".encode(), "không phải sổ tính Excel (.xlsx) hợp lệ"),
    (lambda s: _plain_workbook(), "không có trang ẩn «_cchc»"),
    (lambda s: filled(s, [good()], lambda wb, ws: setattr(wb[sx.META_SHEET]["B2"], "value", "self_assessment")),
     "không phải của biểu mẫu phiếu khảo sát"),
    (lambda s: filled(s, [good()], lambda wb, ws: setattr(wb[sx.META_SHEET]["B4"], "value", "0")),
     "phiên bản 0; phiếu đang dùng là SIPAS-XA phiên bản 1"),
    (lambda s: filled(s, [good()], lambda wb, ws: setattr(ws.cell(sx.HEADER_ROW, 8), "value", "Câu 1")),
     f"{W}, hàng {sx.HEADER_ROW}, cột H: thiếu cột «Câu 1.1» (đang là «Câu 1»)"),
    (lambda s: filled(s, [good(), good()], lambda wb, ws: ws.merge_cells(f"H{H}:H{H + 1}")), f"{W}: các ô H{H}:H{H + 1} bị gộp"),
    (lambda s: filled(s, [], lambda wb, ws: wb.remove(ws)), f"Thiếu trang «{sx.SHEET}»"),
    (lambda s: filled(s, []), f"{W}: chưa có phiếu nào"),
    (lambda s: filled(s, [good()], lambda wb, ws: setattr(ws.cell(sx.FIRST_ROW + sx.MAX_FORMS + 5, 1), "value", "x")),
     f"nhiều hơn {sx.MAX_FORMS} phiếu"),
])
def test_every_bad_workbook_is_refused_with_a_reason(storage, on_day, make, expected):
    got = errors(storage, make(storage))
    assert any(expected in e for e in got), got


def test_a_self_assessment_workbook_is_not_taken_for_a_survey_one(storage, on_day):
    from cchc.services import assessment
    _, data = assessment.workbook(storage, ADMIN, 2022, "18139")
    assert "không phải của biểu mẫu phiếu khảo sát" in errors(storage, data)[0]


def test_a_commune_imports_only_its_own_forms(storage, on_day):
    data = filled(storage, [good(), good("18142")])
    with pytest.raises(excel_io.WorkbookError, match=f"hàng {H + 1}, cột A"):
        citizen_survey.import_paper(storage, COMMUNE, 2022, data)
    assert citizen_survey.import_paper(storage, COMMUNE, 2022, filled(storage, [good()])) == 1


# ------------------------------------------------------------------ the command line


@pytest.fixture
def cli_db(blank_file, tmp_path, monkeypatch, on_day):
    path = shutil.copy(blank_file, tmp_path / "cli.duckdb")
    monkeypatch.setenv("CCHC_DB", str(path))
    return path


def test_survey_commands(cli_db, tmp_path, capsys):
    out = tmp_path / "qr"
    assert cli.main(["survey", "qr", "--period", "2022", "--base-url", "https://cchc.example.vn", "--out", str(out)]) == 0
    assert len(list(out.glob("qr-*.png"))) == 25 and (out / "qr-khao-sat-2022-a4.html").exists()
    tpl = tmp_path / "phieu.xlsx"
    assert cli.main(["survey", "template", "--out", str(tpl)]) == 0
    wb = load_workbook(tpl)
    ws = wb[sx.SHEET]
    for key, value in good().items():
        ws.cell(sx.FIRST_ROW, COLS[key]).value = value
    ws.cell(sx.FIRST_ROW + 1, COLS["unit"]).value = "18142"
    ws.cell(sx.FIRST_ROW + 1, COLS["q:5.2"]).value = 7
    wb.save(tpl)
    capsys.readouterr()
    assert cli.main(["survey", "import", str(tpl), "--period", "2022"]) == 1
    err = capsys.readouterr().err
    assert "Sổ tính có 1 lỗi, không nhập gì" in err and f"hàng {H + 1}, cột T (Câu 5.2)" in err
    ws.cell(sx.FIRST_ROW + 1, COLS["q:5.2"]).value = 2
    wb.save(tpl)
    assert cli.main(["survey", "import", str(tpl), "--period", "2022"]) == 0
    assert "Đã nhập 2 phiếu" in capsys.readouterr().out
    export = tmp_path / "xuat.xlsx"
    assert cli.main(["survey", "export", "--period", "2022", "--out", str(export)]) == 0
    codes = tmp_path / "ma.xlsx"
    assert cli.main(["survey", "codes", "--period", "2022", "--group", "LDX", "--unit", "18139", "--per-unit", "2",
                     "--out", str(codes)]) == 0
    with opened(cli_db) as db:
        assert db.scalar("survey_count", year=2022) == 2
        assert [a["action"] for a in db.all("audit_recent", limit=2)] == ["survey.codes", "survey.import"]


@pytest.mark.parametrize("words", [["survey"], ["survey", "qr"], ["survey", "template"], ["survey", "import"],
                                   ["survey", "export"], ["survey", "codes"]])
def test_every_survey_command_has_vietnamese_help(words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*words, "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("Cách dùng: python -m cchc survey")


def test_a_bad_base_url_is_one_line_and_exit_1(cli_db, tmp_path, capsys):
    assert cli.main(["survey", "qr", "--period", "2022", "--base-url", "ftp://x", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("Lỗi: Địa chỉ «ftp://x» không hợp lệ")


def test_the_same_file_twice_is_refused_unless_confirmed(storage, on_day):
    data = filled(storage, [good(), good("18142")])
    assert citizen_survey.import_paper(storage, ADMIN, 2022, data) == 2
    with pytest.raises(ServiceError, match="Tệp này đã được nhập lúc .* bởi quantri: nhập lại sẽ lưu mọi phiếu hai lần"):
        citizen_survey.import_paper(storage, ADMIN, 2022, data)
    assert storage.one("survey_count", year=2022)["n"] == 2
    assert citizen_survey.import_paper(storage, ADMIN, 2022, data, again=True) == 2
    assert storage.one("survey_count", year=2022)["n"] == 4


def test_a_unit_code_typed_as_a_number_keeps_its_leading_zeros(storage):
    data = filled(storage, [good(unit=4)])                  # Phường Phúc Xá is 00004; Excel shows 4
    forms = sx.parse_paper_forms(data, Q, {"00004": "Phường Phúc Xá"}, (dt.date(2022, 10, 1), dt.date(2022, 11, 30)))
    assert [f.unit_code for f in forms] == ["00004"]

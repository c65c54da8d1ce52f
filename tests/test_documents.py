"""The state documents (.docx per Nghị định 30/2020/NĐ-CP): each kind generated from the demo (and
from the demo with every commune's appraisal finished), read back with python-docx — header block,
motto, title, every commune of the annex, signature block, fonts, A4 and margins —; the refusals;
the templates' errors; the command line; and, where LibreOffice is installed, each as a PDF."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sys
from decimal import Decimal

import pytest
from docx import Document as read_docx
from docx.shared import Mm
from pypdf import PdfReader

from cchc.cli import main as cli
from cchc.core import documents as nd30
from cchc.core.permissions import PermissionDenied, User
from cchc.core.text import fmt_points
from cchc.db.storage import Storage
from cchc.files import documents as docx_files
from cchc.services import ServiceError, approval, documents, results
from cchc.services import appraisal as appraisal_svc
from cchc.services import assessment as self_svc

from .conftest import opened
from .test_assessment import fill_all

YEAR, OWN, OTHER = 2022, "18139", "18142"           # Sơn Hồng and Sơn Tiến: submitted in the demo
OFFICER = User("sonhong", "Cán bộ Sơn Hồng", "commune", unit_code=OWN)
ADMIN = User("admin", "Quản trị", "admin")
LEADER = User("lanhdao", "Lãnh đạo", "leader")
COUNCIL = User("hoidong", "Hội đồng", "council", office_code="NV")
CHANGED_LEAF, CHANGE_REASON = "1.1.1", "Kế hoạch CCHC ban hành chậm so với quy định"
NATIONAL_TITLE, MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"
SOFFICE = docx_files.office()


def _finalise_every_unit(path) -> None:
    """Every commune of 2022 submitted, appraised (Sơn Hồng's 1.1.1 lowered with a reason) and final,
    through the services and the clock, as the council works."""
    with pytest.MonkeyPatch.context() as mp:
        db = Storage(path)
        try:
            for u in db.all("assessment_states_of_period", year=YEAR):
                code = u["unit_code"]
                if u["state"] in ("not_started", "draft"):
                    mp.setenv("CCHC_TODAY", "2022-11-05")
                    officer = User(f"o{code}", "Cán bộ", "commune", unit_code=code)
                    fill_all(db, officer, code)
                    self_svc.submit(db, officer, YEAR, code)
                mp.setenv("CCHC_TODAY", "2022-11-12")
                if code == OWN:
                    mine = db.one("score_get", year=YEAR, unit_code=OWN, code=CHANGED_LEAF)
                    points = Decimal(0) if Decimal(mine["self_points"] or 0) > 0 else Decimal(1)
                    appraisal_svc.save_round1(db, ADMIN, YEAR, OWN, CHANGED_LEAF, points, CHANGE_REASON)
                appraisal_svc.accept_remaining(db, ADMIN, YEAR, code)
                appraisal_svc.close_round1(db, ADMIN, YEAR, code)
                appraisal_svc.finalise(db, ADMIN, YEAR, code)
            db.checkpoint()
        finally:
            db.close()


@pytest.fixture(scope="module")
def final_file(demo_file, tmp_path_factory):
    """The demo with every commune's appraisal finished, built once for this module."""
    path = shutil.copy(demo_file, tmp_path_factory.mktemp("final") / "final.duckdb")
    _finalise_every_unit(path)
    return path


@pytest.fixture
def demo(demo_file, tmp_path):
    db = Storage(shutil.copy(demo_file, tmp_path / "demo.duckdb"))
    yield db
    db.close()


@pytest.fixture
def final(final_file, tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_TODAY", "2022-11-20")
    db = Storage(shutil.copy(final_file, tmp_path / "final.duckdb"))
    yield db
    db.close()


# ------------------------------------------------------------------ reading a .docx back


def texts(doc) -> list[str]:
    """Every paragraph of the body, tables and their cells included, in order."""
    out = []
    for block in doc.element.body.iter():
        if block.tag.endswith("}p"):
            text = "".join(t.text or "" for t in block.iter() if t.tag.endswith("}t"))
            if text.strip():
                out.append(text.strip())
    return out


def check_layout(data: bytes, issuing: list[str], type_name: str, signer_lines: list[str]):
    """The parts ND30 requires, read back; returns the document."""
    doc = read_docx(io.BytesIO(data))
    header = doc.tables[0]
    left = [p.text for p in header.cell(0, 0).paragraphs if p.text]
    right = [p.text for p in header.cell(0, 1).paragraphs if p.text]
    assert left[-len(issuing):] == issuing
    assert right == [NATIONAL_TITLE, MOTTO]
    assert header.cell(1, 0).paragraphs[0].text.startswith("Số:") and "/" in header.cell(1, 0).paragraphs[0].text
    place_date = header.cell(1, 1).paragraphs[0]
    assert ", ngày " in place_date.text and all(r.font.italic for r in place_date.runs)
    motto = header.cell(0, 1).paragraphs[1]
    assert all(r.font.bold for r in motto.runs) and header.cell(0, 1).paragraphs[0].runs[0].font.bold
    all_text = texts(doc)
    if type_name:
        assert type_name in all_text
    signature = next(t for t in doc.tables if t.cell(0, 0).paragraphs and t.cell(0, 0).paragraphs[0].text == "Nơi nhận:")
    label = signature.cell(0, 0).paragraphs[0].runs[-1].font
    assert label.bold and label.italic and label.size.pt == 12
    assert [p.text for p in signature.cell(0, 1).paragraphs if p.text][:len(signer_lines)] == signer_lines
    # Times New Roman everywhere: the default style and every run that names a font
    assert doc.styles["Normal"].font.name == nd30.FONT
    fonts = {r.font.name for p in _all_paragraphs(doc) for r in p.runs}
    assert fonts <= {nd30.FONT, None}, fonts
    # A4 and the margins of ND30 (portrait or landscape annexes)
    for s in doc.sections:
        assert sorted([round(s.page_width / Mm(1)), round(s.page_height / Mm(1))]) == [210, 297]
        for side, (low, high) in nd30.MARGIN_RANGES_MM.items():
            assert low <= round(getattr(s, f"{side}_margin") / Mm(1)) <= high, side
    assert doc.sections[0].different_first_page_header_footer        # no page number on page 1
    assert "PAGE" in doc.sections[0].header._element.xml
    return doc


def _all_paragraphs(doc):
    yield from doc.paragraphs
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def annex_names(doc, table_index: int = -1, column: int = 1) -> list[str]:
    t = doc.tables[table_index]
    return [row.cells[column].text for row in t.rows[1:]]


def unit_names(db, codes=None) -> list[str]:
    rows = db.all("assessment_states_of_period", year=YEAR)
    return [r["unit_name"] for r in rows if codes is None or r["unit_code"] in codes]


# ------------------------------------------------------------------ the pure rules


@pytest.mark.parametrize("day, expected", [
    (dt.date(2022, 11, 9), "Hương Sơn, ngày 09 tháng 11 năm 2022"),
    (dt.date(2023, 2, 15), "Hương Sơn, ngày 15 tháng 02 năm 2023"),
    (dt.date(2023, 1, 1), "Hương Sơn, ngày 01 tháng 01 năm 2023"),
    (dt.date(2022, 3, 5), "Hương Sơn, ngày 05 tháng 3 năm 2022"),
])
def test_place_and_date_take_a_leading_zero_as_nd30_says(day, expected):
    assert nd30.place_date("Hương Sơn", day) == expected


def test_number_place_and_names_in_a_sentence():
    assert nd30.number_line("BC-UBND") == "Số:      /BC-UBND"
    assert nd30.place_of("Huyện Hương Sơn") == "Hương Sơn" and nd30.place_of("Thị trấn Phố Châu") == "Phố Châu"
    assert nd30.in_sentence("Xã Sơn Hồng") == "xã Sơn Hồng" and nd30.in_sentence("Tỉnh Hà Tĩnh") == "tỉnh Hà Tĩnh"


def test_every_template_loads_and_names_its_kind():
    for kind in documents.KINDS:
        t = documents.template(kind)
        assert t.kind == kind and t.name


def test_a_template_error_names_the_file_and_the_placeholder(demo, tmp_path):
    for f in documents.TEMPLATES.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "cong-van-don-doc.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{{ deadline }}", "{{ han_nop }}", 1), encoding="utf-8")
    with pytest.raises(ServiceError, match=r"cong-van-don-doc\.yaml, mục «body\[1\]».*«\{\{ han_nop \}\}»"):
        documents.build(demo, ADMIN, "cong-van-don-doc", YEAR, templates=tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("{{ han_nop }}", "{{ deadline.__class__ }}"), encoding="utf-8")
    with pytest.raises(ServiceError, match="cong-van-don-doc.yaml"):
        documents.build(demo, ADMIN, "cong-van-don-doc", YEAR, templates=tmp_path)
    path.write_text("kind: [", encoding="utf-8")
    with pytest.raises(ServiceError, match=r"cong-van-don-doc\.yaml không đọc được: sai cú pháp ở dòng 1"):
        documents.build(demo, ADMIN, "cong-van-don-doc", YEAR, templates=tmp_path)
    path.write_text("kind: &a x\ntitle: *a\n", encoding="utf-8")              # the same YAML loader as every file
    with pytest.raises(ServiceError, match=r"cong-van-don-doc\.yaml không đọc được: dùng neo hoặc bí danh"):
        documents.build(demo, ADMIN, "cong-van-don-doc", YEAR, templates=tmp_path)
    bad = (tmp_path / "bao-cao-tu-danh-gia.yaml")
    bad.write_text(bad.read_text(encoding="utf-8").replace('"Lưu: VT."', "Lưu: VT."), encoding="utf-8")
    with pytest.raises(ServiceError, match=r"bao-cao-tu-danh-gia\.yaml, mục «recipients»"):
        documents.build(demo, OFFICER, "bao-cao-tu-danh-gia", YEAR, OWN, templates=tmp_path)
    assert not [r for r in demo.all("audit_recent", limit=1000) if r["action"] == "document.generate"]


# ------------------------------------------------------------------ each kind, from the demo


def test_self_assessment_report_from_the_demo(demo):
    name, data = documents.build(demo, OFFICER, "bao-cao-tu-danh-gia", YEAR, OWN)
    assert name == "bao-cao-tu-danh-gia-2022-18139.docx"
    doc = check_layout(data, ["ỦY BAN NHÂN DÂN", "XÃ SƠN HỒNG"], "BÁO CÁO", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"])
    all_text = texts(doc)
    assert "Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm 2022" in all_text
    assert any(t.startswith("Sơn Hồng, ngày 09 tháng 11 năm 2022") for t in all_text)
    assert any("Kế hoạch 132/KH-UBND ngày 04/11/2022" in t and "xã Sơn Hồng" in t for t in all_text)
    # the annex: every scored criterion, on a landscape page
    form = self_svc.open_form(demo, OFFICER, YEAR, OWN)
    codes = [row.cells[0].text for row in doc.tables[-1].rows[1:]]
    assert {leaf.code for leaf in self_svc.rules.scored_leaves(form.criteria)} <= set(codes)
    assert doc.sections[-1].page_width > doc.sections[-1].page_height
    audit = [r for r in demo.all("audit_recent", limit=1000) if r["action"] == "document.generate"]
    assert len(audit) == 1 and audit[0]["actor"] == "sonhong" and audit[0]["entity_key"] == "2022/bao-cao-tu-danh-gia/18139"


def test_urging_letter_names_every_commune_not_submitted(demo):
    _, data = documents.build(demo, ADMIN, "cong-van-don-doc", YEAR)
    doc = check_layout(data, ["PHÒNG NỘI VỤ"], "", ["TRƯỞNG PHÒNG"])
    lagging = [r["unit_name"] for r in demo.all("assessment_states_of_period", year=YEAR)
               if r["state"] in ("not_started", "draft")]
    assert len(lagging) == 17
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Đơn vị")
    assert [row.cells[1].text for row in table.rows[1:]] == lagging
    all_text = texts(doc)
    assert "V/v đôn đốc nộp báo cáo tự đánh giá Chỉ số cải cách hành chính năm 2022" in all_text
    assert any("trước ngày 10/11/2022" in t for t in all_text)
    assert any("Đến ngày 09/11/2022, còn 17/25 đơn vị" in t and "hạn nộp còn 1 ngày" in t for t in all_text)
    assert any(t.startswith("Kính gửi:") and all(n in t for n in lagging) for t in all_text)


def test_appraisal_notice_and_decision_wait_for_the_appraisal(demo):
    with pytest.raises(ServiceError, match="Xã Sơn Hồng chưa hoàn tất thẩm định .*chưa lập được thông báo"):
        documents.build(demo, COUNCIL, "thong-bao-tham-dinh", YEAR, OWN)
    with pytest.raises(ServiceError, match="còn 25 đơn vị chưa hoàn tất thẩm định"):
        documents.build(demo, LEADER, "quyet-dinh-phe-duyet", YEAR)


# ------------------------------------------------------------------ once every commune is final


def test_appraisal_notice_lists_the_changed_criteria_with_the_reason(final):
    name, data = documents.build(final, COUNCIL, "thong-bao-tham-dinh", YEAR, OWN)
    assert name == "thong-bao-tham-dinh-2022-18139.docx"
    doc = check_layout(data, ["HỘI ĐỒNG THẨM ĐỊNH", "CHỈ SỐ CCHC"], "THÔNG BÁO",
                       ["TM. HỘI ĐỒNG", "CHỦ TỊCH"])
    header = [p.text for p in doc.tables[0].cell(0, 0).paragraphs if p.text]
    assert header[0] == "UBND HUYỆN HƯƠNG SƠN"
    changes = doc.tables[1]
    assert [c.text for c in changes.rows[0].cells][-1] == "Lý do điều chỉnh"
    assert [row.cells[0].text for row in changes.rows[1:]] == [CHANGED_LEAF]
    assert changes.rows[1].cells[-1].text == CHANGE_REASON
    all_text = texts(doc)
    assert any("Quyết định số 1520/QĐ-UBND ngày 07/11/2022" in t for t in all_text)
    sheet = appraisal_svc.open_sheet(final, ADMIN, YEAR, OWN)
    every = [n.code for f in sheet.fields for n in sheet.leaves(f.code)]
    assert [row.cells[0].text for row in doc.tables[-1].rows[1:]] == every


def test_decision_annexes_every_commune_with_index_rank_and_class(final):
    name, data = documents.build(final, LEADER, "quyet-dinh-phe-duyet", YEAR)
    assert name == "quyet-dinh-phe-duyet-2022.docx"
    doc = check_layout(data, ["ỦY BAN NHÂN DÂN", "HUYỆN HƯƠNG SƠN"], "QUYẾT ĐỊNH", ["CHỦ TỊCH"])
    all_text = texts(doc)
    assert "Phê duyệt kết quả xác định Chỉ số cải cách hành chính năm 2022 của UBND các xã, thị trấn" in all_text
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN HƯƠNG SƠN" in all_text and "QUYẾT ĐỊNH:" in all_text
    assert any("Căn cứ Kế hoạch 132/KH-UBND" in t for t in all_text)
    assert any("Căn cứ Quyết định số 1520/QĐ-UBND ngày 07/11/2022" in t for t in all_text)
    results_table, fields_table = doc.tables[-2], doc.tables[-1]
    names = unit_names(final)
    assert len(names) == 25 and sorted(annex_names(doc, -2)) == sorted(names)
    assert sorted(annex_names(doc, -1)[:-1]) == sorted(names) and annex_names(doc, -1)[-1] == "Bình quân"
    ranks = [int(row.cells[8].text) for row in results_table.rows[1:]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert {row.cells[9].text for row in results_table.rows[1:]} <= {"Tốt", "Khá", "Trung bình", "Yếu"}
    assert all("," in row.cells[7].text or row.cells[7].text.isdigit() for row in results_table.rows[1:])
    assert len(fields_table.rows[0].cells) == 2 + 9
    assert all(s.page_width > s.page_height for s in doc.sections[1:])
    # nobody has to submit any more: no urging letter
    with pytest.raises(ServiceError, match="Mọi đơn vị đã nộp"):
        documents.build(final, ADMIN, "cong-van-don-doc", YEAR)


def test_an_approved_period_annexes_the_approved_figures_and_a_deputy_may_sign(final, tmp_path):
    approval.compile_results(final, ADMIN, YEAR)
    approval.approve(final, LEADER, YEAR, "99/QĐ-UBND", dt.date(2022, 11, 24))
    approved = {r["unit_name"]: r for r in approval_rows(final)}
    # a later change to a score does not reach the decision's annex: it is the approval's snapshot
    final.write(lambda tx: tx.cur.execute("UPDATE score SET appraised_points = 0 WHERE period_year = ?", [YEAR]))
    for f in documents.TEMPLATES.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "quyet-dinh-phe-duyet.yaml"
    text = path.read_text(encoding="utf-8").replace('authority: ""\n  title: CHỦ TỊCH\n  name: ""',
                                                    'authority: KT. CHỦ TỊCH\n  title: PHÓ CHỦ TỊCH\n  name: Nguyễn Văn A')
    assert "KT. CHỦ TỊCH" in text
    path.write_text(text, encoding="utf-8")
    _, data = documents.build(final, ADMIN, "quyet-dinh-phe-duyet", YEAR, templates=tmp_path)
    doc = check_layout(data, ["ỦY BAN NHÂN DÂN", "HUYỆN HƯƠNG SƠN"], "QUYẾT ĐỊNH", ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"])
    signature = [p.text for p in doc.tables[-3].cell(0, 1).paragraphs if p.text]
    assert signature == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn A"]
    for row in doc.tables[-2].rows[1:]:
        unit = approved[row.cells[1].text]
        assert row.cells[7].text == fmt_points(Decimal(str(unit["index"])).quantize(Decimal("0.01")))
        assert row.cells[8].text == str(unit["rank"])


def approval_rows(db):
    return results.approved(db, ADMIN, YEAR)[0].rows


def test_an_overdue_urging_letter_counts_the_days_late(demo, monkeypatch):
    monkeypatch.setenv("CCHC_TODAY", "2022-11-13")
    _, data = documents.build(demo, ADMIN, "cong-van-don-doc", YEAR)
    all_text = texts(read_docx(io.BytesIO(data)))
    assert any("Đến ngày 13/11/2022, còn 17/25 đơn vị" in t and "đã quá hạn 3 ngày" in t for t in all_text)
    assert any("nộp báo cáo ngay trong ngày 13/11/2022" in t for t in all_text)
    assert any(t.startswith("Hương Sơn, ngày 13 tháng 11 năm 2022") for t in all_text)


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize("actor, kind, unit, message", [
    (OFFICER, "bao-cao-tu-danh-gia", OTHER, "chỉ được xem dữ liệu của đơn vị mình"),
    (COUNCIL, "quyet-dinh-phe-duyet", None, "Thành viên Hội đồng thẩm định.*không được phép"),
    (OFFICER, "cong-van-don-doc", None, "Cán bộ UBND cấp xã.*không được phép"),
    (LEADER, "thong-bao-tham-dinh", OWN, "Lãnh đạo UBND huyện.*không được phép"),
    (COUNCIL, "bao-cao-tu-danh-gia", OWN, "không được phép"),
])
def test_who_may_make_which_document(demo, actor, kind, unit, message):
    with pytest.raises(PermissionDenied, match=message):
        documents.build(demo, actor, kind, YEAR, unit)


@pytest.mark.parametrize("kind, unit, message", [
    ("giay-khen", None, "Không có loại văn bản «giay-khen». Các loại: bao-cao-tu-danh-gia"),
    ("bao-cao-tu-danh-gia", None, "là văn bản của một đơn vị: cần mã đơn vị"),
    ("bao-cao-tu-danh-gia", "99999", "Không có đơn vị mã «99999»"),
    ("bao-cao-tu-danh-gia", "18136", "Thị trấn Tây Sơn chưa chấm tiêu chí nào"),
])
def test_a_wrong_request_is_one_vietnamese_message(demo, kind, unit, message):
    with pytest.raises(ServiceError, match=message):
        documents.build(demo, ADMIN, kind, YEAR, unit)


def test_a_period_that_does_not_exist(demo):
    with pytest.raises(ServiceError, match="2031"):
        documents.build(demo, ADMIN, "cong-van-don-doc", 2031)


# ------------------------------------------------------------------ the command line


@pytest.fixture
def cli_env(final_file, tmp_path, monkeypatch, capsys):
    path = shutil.copy(final_file, tmp_path / "cli.duckdb")
    monkeypatch.setenv("CCHC_DB", str(path))
    monkeypatch.setenv("CCHC_FILES", str(tmp_path / "files"))
    monkeypatch.setenv("CCHC_TODAY", "2022-11-20")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    def run(*args):
        capsys.readouterr()
        rc = cli.main(list(args))
        out, err = capsys.readouterr()
        return rc, out, err
    return run, path


def test_docs_help_lists_every_kind(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["docs", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Cách dùng: python -m cchc docs")
    for k in documents.KINDS.values():
        assert k.code in out and k.name in out


def test_docs_command_writes_each_kind(cli_env, tmp_path):
    run, path = cli_env
    for kind, unit in [("bao-cao-tu-danh-gia", OWN), ("thong-bao-tham-dinh", OWN), ("quyet-dinh-phe-duyet", None)]:
        out = tmp_path / f"{kind}.docx"
        rc, stdout, err = run("docs", kind, "--period", "2022", "--out", str(out), *(["--unit", unit] if unit else []))
        assert rc == 0, err
        assert stdout.startswith(f"Đã ghi {out}") and documents.KINDS[kind].name in stdout
        assert read_docx(out).tables[0].cell(0, 1).paragraphs[0].text == NATIONAL_TITLE
    rc, _, err = run("docs", "quyet-dinh-phe-duyet", "--period", "2022", "--out", str(tmp_path / "quyet-dinh-phe-duyet.docx"))
    assert rc == 1 and "đã có; thêm --force" in err
    rc, _, err = run("docs", "cong-van-don-doc", "--period", "2022", "--out", str(tmp_path / "cv.docx"))
    assert rc == 1 and err.startswith("Lỗi: Mọi đơn vị đã nộp")
    rc, _, err = run("docs", "thong-bao-tham-dinh", "--period", "2022", "--out", str(tmp_path / "tb.docx"))
    assert rc == 1 and "cần mã đơn vị (--unit CODE)" in err
    rc, _, err = run("docs", "bao-cao-tu-danh-gia", "--period", "2022", "--unit", OWN, "--out", str(tmp_path / "x.txt"))
    assert rc == 1 and "phải có đuôi .docx" in err
    with pytest.raises(SystemExit) as exit_info:
        run("docs", "giay-khen", "--period", "2022", "--out", str(tmp_path / "g.docx"))
    assert exit_info.value.code == 2
    with opened(path) as db:
        rows = [r for r in db.all("audit_recent", limit=1000) if r["action"] == "document.generate"]
        assert len(rows) == 3 and {r["actor"] for r in rows} == {"cli"}


def test_docs_command_writes_the_urging_letter_from_the_demo(demo_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CCHC_DB", str(shutil.copy(demo_file, tmp_path / "d.duckdb")))
    monkeypatch.setenv("CCHC_FILES", str(tmp_path / "files"))
    out = tmp_path / "cv.docx"
    assert cli.main(["docs", "cong-van-don-doc", "--period", "2022", "--out", str(out)]) == 0
    assert "Xã Sơn Trường" in "\n".join(texts(read_docx(out)))


# ------------------------------------------------------------------ LibreOffice: the PDF


needs_office = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice chưa được cài (gói Debian "
                                  "libreoffice-writer-nogui): bỏ qua phần chuyển sang PDF.")


@needs_office
def test_each_document_converts_to_pdf_with_a_sensible_page_count(final, demo):
    made = [documents.build(demo, OFFICER, "bao-cao-tu-danh-gia", YEAR, OWN),
            documents.build(demo, ADMIN, "cong-van-don-doc", YEAR),
            documents.build(final, COUNCIL, "thong-bao-tham-dinh", YEAR, OWN),
            documents.build(final, LEADER, "quyet-dinh-phe-duyet", YEAR)]
    expected = {"bao-cao-tu-danh-gia": (3, 12), "cong-van-don-doc": (1, 3), "thong-bao-tham-dinh": (3, 10),
                "quyet-dinh-phe-duyet": (3, 8)}
    for name, data in made:
        pdf = documents.to_pdf(data)
        reader = PdfReader(io.BytesIO(pdf))
        low, high = expected[name.split("-2022")[0]]
        assert low <= len(reader.pages) <= high, (name, len(reader.pages))
        first = reader.pages[0].extract_text()
        assert NATIONAL_TITLE in first.replace("\n", " ") or "CỘNG HÒA" in first
        box = reader.pages[0].mediabox
        assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)


@needs_office
def test_docs_command_writes_a_pdf(cli_env, tmp_path):
    run, _ = cli_env
    out = tmp_path / "qd.pdf"
    rc, _, err = run("docs", "quyet-dinh-phe-duyet", "--period", "2022", "--out", str(out))
    assert rc == 0, err
    assert out.read_bytes().startswith(b"%PDF") and len(PdfReader(out).pages) >= 3
    rc, _, err = run("docs", "thong-bao-tham-dinh", "--period", "2022", "--unit", OWN, "--pdf",
                          "--out", str(tmp_path / "tb.docx"))
    assert rc == 0, err
    assert (tmp_path / "tb.docx").exists() and (tmp_path / "tb.pdf").read_bytes().startswith(b"%PDF")


def test_without_libreoffice_there_is_no_pdf_and_a_clear_reason(monkeypatch):
    monkeypatch.setattr(docx_files.shutil, "which", lambda name: None)
    assert docx_files.to_pdf(b"PK") is None and not documents.pdf_available()
    with pytest.raises(ServiceError, match="chưa cài LibreOffice"):
        documents.to_pdf(b"PK")


@needs_office
def test_a_conversion_that_overruns_its_time_is_a_clear_error(demo):
    _, data = documents.build(demo, ADMIN, "cong-van-don-doc", YEAR)
    with pytest.raises(docx_files.DocumentError, match="không chuyển xong văn bản sang PDF trong 0,01 giây"):
        docx_files.to_pdf(data, timeout_s=0.01)


# ------------------------------------------------------------------ on the pages (AppTest)


def test_the_council_makes_the_notice_on_the_appraisal_page(final_file, tmp_path, monkeypatch):
    from .test_app import app_as, assert_clean
    from .test_app import texts as page_texts

    monkeypatch.setenv("CCHC_DB", str(shutil.copy(final_file, tmp_path / "app.duckdb")))
    monkeypatch.setenv("CCHC_FILES", str(tmp_path / "files"))
    monkeypatch.setenv("CCHC_TODAY", "2022-11-20")
    at = app_as("hoidong")
    at.switch_page("views/tham-dinh.py").run()
    at.selectbox(key="td_don_vi").set_value(OWN).run()
    assert_clean(at)
    make = next(b for b in at.button if b.label == "Soạn thông báo kết quả thẩm định (.docx)")
    assert "Tải văn bản (.docx)" not in [d.proto.label for d in at.get("download_button")]   # nothing built at load
    make.click().run()
    assert_clean(at)
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Tải văn bản (.docx)" in labels, page_texts(at)
    with opened(tmp_path / "app.duckdb") as db:
        rows = [r for r in db.all("audit_recent", limit=1000) if r["action"] == "document.generate"]
    assert [r["entity_key"] for r in rows] == ["2022/thong-bao-tham-dinh/18139"] and rows[0]["actor"] == "hoidong"

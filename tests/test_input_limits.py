"""Every input bounded and checked (issue 13, item 5): YAML without aliases, numbers finite and
plain before any arithmetic, evidence opened by structure, restores bounded while they write,
and the paper-survey importer's own messages. Each bad input gets one Vietnamese message and
leaves nothing written."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from cchc.core import assessment as rules
from cchc.core import criteria, numbers, survey, yaml_text
from cchc.core.criteria import CriteriaError
from cchc.core.permissions import CLI_USER
from cchc.files import criteria_workbook, evidence, survey_workbook
from cchc.files.workbook import WorkbookError
from cchc.services import backup
from cchc.services.seed import district_config

from .conftest import ROOT, TEMPLATE
from .test_assessment import PDF, image
from .test_excel import blank, edit, errors_of, set_cell

OFFICES = ["NV", "TP", "VP", "TCKH", "VHTT"]
#: 9 levels of 9 aliases each: 9**9 (387 million) strings once expanded, in about 350 bytes.
ALIAS_BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{b}: &{b} [" + ",".join([f"*{a}"] * 9) + "]\n" for a, b in zip("abcdefgh", "bcdefghi"))


def template_with(old: str, new: str) -> str:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


# ------------------------------------------------------------------ YAML


def test_the_alias_bomb_is_refused_at_once_with_little_memory():
    assert len(ALIAS_BOMB) < 400
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(CriteriaError) as info:
        criteria.load_yaml_text(ALIAS_BOMB)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 1 and peak < 5 * 1024 * 1024, (elapsed, peak)
    assert info.value.errors == ["Tệp YAML dùng neo hoặc bí danh (&, *, <<) ở dòng 1, cột 4: ứng dụng không nhận; "
                                 "hãy viết đầy đủ từng mục."]


@pytest.mark.parametrize("text, message", [
    ("base: &b {x: 1}\nother:\n  <<: *b\n", "dùng neo hoặc bí danh (&, *, <<) ở dòng 1, cột 7"),
    ("a: 1\nb: *nowhere\n", "dùng neo hoặc bí danh"),           # an alias refused before it is looked up
    ("set: [1, 2\nnodes: x", "sai cú pháp ở dòng 2, cột 6"),
    ("[" * 3000, "có các mục lồng nhau quá sâu"),
    ("a: " + "x" * (yaml_text.MAX_BYTES + 1), "lớn quá 5 MB"),
])
def test_every_yaml_refusal_is_one_vietnamese_line(text, message):
    with pytest.raises(yaml_text.YamlError) as info:
        yaml_text.load(text)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_the_questionnaires_and_the_district_use_the_same_loader(tmp_path):
    bomb = tmp_path / "khao-sat.yaml"
    bomb.write_text(ALIAS_BOMB, encoding="utf-8")
    with pytest.raises(survey.SurveyDataError, match="khao-sat.yaml không phải YAML hợp lệ: dùng neo hoặc bí danh"):
        survey.citizen_questionnaire(bomb)
    with pytest.raises(survey.SurveyDataError, match="dùng neo hoặc bí danh"):
        survey.official_questionnaire(bomb)
    (tmp_path / "district.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    with pytest.raises(yaml_text.YamlError):
        district_config.__wrapped__(tmp_path)


def test_no_module_loads_yaml_any_other_way():
    for path in (ROOT / "cchc").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "yaml_text.py":
            assert "yaml.safe_load" not in text and "yaml.load(" not in text, path


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize("raw, reason", [
    ("1e308", "không phải là số"), ("1e-999999999", "không phải là số"), ("inf", "không phải là số"),
    (1e308, "quá lớn"), (float("inf"), "không phải là số hữu hạn"), (float("nan"), "không phải là số hữu hạn"),
    (Decimal("NaN"), "không phải là số hữu hạn"), (Decimal("1E-999999999"), "có quá 2 chữ số thập phân"),
    ("0.125", "có quá 2 chữ số thập phân"), (0.1 + 0.2, "có quá 2 chữ số thập phân"), ("1_000", "không phải là số"),
    (10 ** 400, "quá lớn"), (True, "không phải là số"),
])
def test_only_plain_numbers_of_a_sane_size_are_read(raw, reason):
    with pytest.raises(numbers.NumberError) as info:
        numbers.decimal(raw)
    assert str(info.value) == reason


@pytest.mark.parametrize("raw, expected", [("1,5", Decimal("1.5")), (" -0.25 ", Decimal("-0.25")), (2, Decimal(2)),
                                           (0.75, Decimal("0.75")), ("1000000", Decimal(1_000_000)), ("", None)])
def test_plain_numbers_are_read_exactly(raw, expected):
    assert numbers.decimal(raw) == expected


@pytest.mark.parametrize("yaml_max, message", [
    ("1e308", "Tiêu chí 1.1.1: điểm tối đa (max) '1e308' không phải là số."),
    ("1.0e+308", "Tiêu chí 1.1.1: điểm tối đa (max) '1e+308' quá lớn."),
    (".inf", "Tiêu chí 1.1.1: điểm tối đa (max) 'inf' không phải là số hữu hạn."),
    ("1001", "Tiêu chí 1.1.1: điểm tối đa (max) 1001 quá lớn; tối đa 1000 điểm."),
    ("0.001", "Tiêu chí 1.1.1: điểm tối đa (max) '0.001' có quá 2 chữ số thập phân."),
])
def test_a_huge_or_odd_max_in_a_criteria_yaml_is_a_message(yaml_max, message):
    with pytest.raises(CriteriaError) as info:
        criteria.load_yaml_text(template_with('code: "1.1.1"\n    title: Ban hành kế hoạch CCHC năm đúng thời hạn\n'
                                              "    max: 1\n", 'code: "1.1.1"\n    title: Ban hành kế hoạch CCHC năm '
                                              "đúng thời hạn\n    max: " + yaml_max + "\n"), OFFICES)
    assert message in info.value.errors, info.value.errors


@pytest.mark.parametrize("key, value", [("step", "1e308"), ("step", 2000), ("total", 1e308), ("bonus_cap", "1e308")])
def test_steps_totals_and_caps_are_bounded_too(key, value):
    data = yaml_text.load(TEMPLATE.read_text(encoding="utf-8"))
    (data["set"] if key in ("total", "bonus_cap") else data["nodes"][2])[key] = value
    with pytest.raises(CriteriaError) as info:
        criteria.parse_set(data, OFFICES)
    assert any(key in e and ("quá lớn" in e or "không phải là số" in e) for e in info.value.errors), info.value.errors


def criteria_workbook_with_max(value) -> bytes:
    wb = load_workbook(io.BytesIO(criteria_workbook.build(criteria.load_yaml_file(TEMPLATE, OFFICES))))
    ws = wb[criteria_workbook.NODES]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "1.1.1")
    ws.cell(row, 3).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("value, message", [(1e308, "«1e+308» quá lớn."), ("1e308", "«1e308» không phải là số.")])
def test_a_huge_max_in_a_criteria_workbook_is_a_message(value, message):
    with pytest.raises(CriteriaError) as info:
        criteria_workbook.parse(criteria_workbook_with_max(value), OFFICES)
    assert any(e.startswith("Trang «Tiêu chí», hàng ") and e.endswith(message) for e in info.value.errors), info.value.errors


@pytest.mark.parametrize("value, message", [
    ("1e-999999999", "cột E (Điểm tự chấm): «1e-999999999» không phải là số."),
    (1e308, "cột E (Điểm tự chấm): «1e+308» quá lớn."),
    ("1e308", "cột E (Điểm tự chấm): «1e308» không phải là số."),
    ("0,333", "cột E (Điểm tự chấm): «0,333» có quá 2 chữ số thập phân."),
])
def test_a_score_that_is_not_a_plain_number_is_refused_in_the_workbook(value, message):
    errors = errors_of(edit(blank(), set_cell("1.1.1", "points", value)))
    assert any(e.endswith(message) for e in errors), errors


def test_typed_scores_follow_the_same_rule():
    leaf = criteria.load_yaml_file(TEMPLATE).node("1.1.1")
    for bad in (Decimal("NaN"), Decimal("1E-999999999"), Decimal("Infinity")):
        with pytest.raises(rules.ScoreError, match="Tiêu chí 1.1.1: điểm"):
            rules.check_points(leaf, bad)
    with pytest.raises(ValueError):
        rules.parse_points("1e-999999999")
    assert rules.check_points(leaf, Decimal("1")) == Decimal("1.00")


# ------------------------------------------------------------------ the admin page


@pytest.mark.parametrize("name, data, message", [
    ("bo.yaml", template_with("max: 1\n", "max: 1e308\n").encode("utf-8"), "không phải là số"),
    ("bo.yaml", ALIAS_BOMB.encode("utf-8"), "dùng neo hoặc bí danh"),
    ("bo.xlsx", criteria_workbook_with_max(1e308), "«1e+308» quá lớn"),
])
def test_the_admin_page_shows_a_message_for_a_bad_criteria_file(demo_env, name, data, message):
    from .test_app import app_as, assert_clean
    at = app_as("admin")
    at.query_params["muc"] = "Bộ tiêu chí"                 # only the open tab runs
    at.switch_page("views/quan-tri.py").run()
    uploader = next(u for u in at.get("file_uploader") if u.key == "bo_tieu_chi")
    uploader.set_value((name, data, "application/octet-stream"))
    at.run()
    assert_clean(at)
    assert any("chưa nạp gì" in e.value and message in e.value for e in at.error), [e.value for e in at.error]


# ------------------------------------------------------------------ evidence


def office_file(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}


def test_a_real_docx_and_xlsx_are_accepted():
    assert evidence.check_upload("bao-cao.docx", office_file(DOCX))[0] == "docx"
    assert evidence.check_upload("so-lieu.xlsx", office_file({"[Content_Types].xml": b"<Types/>",
                                                             "xl/workbook.xml": b"<workbook/>"}))[0] == "xlsx"


def test_a_docx_holding_a_huge_member_is_refused_quickly():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in DOCX.items():
            zf.writestr(name, data)
        with zf.open("word/media/anh.bin", "w") as member:     # 101 MB of zeros: 100 KB on disk
            for _ in range(evidence.MAX_UNPACKED // (1 << 20) + 1):
                member.write(bytes(1 << 20))
    data = out.getvalue()
    assert len(data) < 200_000
    started = time.perf_counter()
    with pytest.raises(evidence.EvidenceError, match="«bao-cao.docx» giải nén ra quá lớn \\(hơn 100 MB"):
        evidence.check_upload("bao-cao.docx", data)
    assert time.perf_counter() - started < 1


def test_a_docx_whose_sizes_lie_or_that_is_damaged_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:       # stored: the bytes are the member's
        for name, member in {**DOCX, "word/media/a.bin": b"a" * 5000}.items():
            zf.writestr(name, member)
    data = bytearray(out.getvalue())
    at = data.index(b"a" * 5000) + 2500
    data[at:at + 8] = b"b" * 8                       # no longer what its CRC says
    assert evidence.sniff(bytes(data)) == "docx"     # the member list still reads as a Word file
    with pytest.raises(evidence.EvidenceError, match="«bao-cao.docx» bị hỏng, không mở được như một tệp Word"):
        evidence.check_upload("bao-cao.docx", bytes(data))
    many = office_file({**DOCX, **{f"word/x{i}.xml": b"" for i in range(evidence.MAX_MEMBERS)}})
    with pytest.raises(evidence.EvidenceError, match="hơn 2000 thành phần"):
        evidence.check_upload("bao-cao.docx", many)


@pytest.mark.parametrize("name, data", [
    ("ke-hoach.pdf", b"%PDF-1.7\n" + b"MZ\x90\x00\x03\x00\x00\x00" + bytes(4000) + b"This program cannot be run in DOS mode"),
    ("ke-hoach.pdf", PDF[:-30]),                                          # a real PDF cut short
    ("ke-hoach.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"),   # no pages at all
    ("anh.png", b"\x89PNG\r\n\x1a\n" + b"0" * 200),
    ("anh.png", image("PNG")[:-20]),                                      # a real PNG cut short
    ("anh.jpg", b"\xff\xd8\xff\xe0" + bytes(200)),
    ("anh.png", image("JPEG").replace(b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", 1)),
])
def test_files_that_only_start_like_evidence_are_refused(name, data):
    with pytest.raises(evidence.EvidenceError) as info:
        evidence.check_upload(name, data)
    message = str(info.value)
    assert message.startswith(f"Tệp «{name}» ") and any(
        words in message for words in ("không đọc được như một tệp PDF", "không giải mã được như một ảnh",
                                       "nội dung không phải tệp")), message


def test_a_refused_evidence_upload_writes_nothing(storage, on_day, tmp_path):
    from cchc.services import assessment as svc

    from .test_assessment import OFFICER, OWN, YEAR
    files = tmp_path / "files"
    with pytest.raises(evidence.EvidenceError, match="«ke-hoach.pdf» không đọc được như một tệp PDF"):
        svc.add_file(storage, OFFICER, files, YEAR, OWN, "1.1.1", "ke-hoach.pdf", b"%PDF-1.7\nMZ" + bytes(100))
    assert not files.exists() or not any(files.rglob("*"))
    assert storage.all("evidence_files_of_unit", year=YEAR, unit_code=OWN) == []
    svc.add_file(storage, OFFICER, files, YEAR, OWN, "1.1.1", "ke-hoach.pdf", PDF)       # a real one is taken
    assert len(storage.all("evidence_files_of_unit", year=YEAR, unit_code=OWN)) == 1


def test_an_image_with_too_many_pixels_is_refused_before_decoding():
    from PIL import Image
    out = io.BytesIO()
    Image.new("1", (8000, 7000)).save(out, "PNG")        # 56 million pixels in a few kB
    assert len(out.getvalue()) < evidence.MAX_BYTES
    with pytest.raises(evidence.EvidenceError, match=r"«anh.png» là ảnh quá lớn \(8000 × 7000 điểm ảnh, tối đa 50 triệu\)"):
        evidence.check_upload("anh.png", out.getvalue())


# ------------------------------------------------------------------ restore


def oversized_backup(path, mb: int) -> None:
    """A backup whose database member unpacks to `mb` MB (of zeros: tiny on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(backup.MANIFEST, '{"app": "cchc", "format": 1}')
        with zf.open(backup.DB_MEMBER, "w") as member:
            for _ in range(mb):
                member.write(bytes(1 << 20))


def test_an_oversized_restore_is_refused_and_writes_nothing(tmp_path, monkeypatch, blank_file):
    import shutil
    monkeypatch.setenv("CCHC_RESTORE_MAX_MB", "2")
    db = tmp_path / "data" / "cchc.duckdb"
    db.parent.mkdir()
    shutil.copy(blank_file, db)
    before = db.read_bytes()
    bad = tmp_path / "lon.zip"
    oversized_backup(bad, 3)
    with pytest.raises(backup.BackupError) as info:
        backup.restore_backup(bad, db, db.parent / "files", CLI_USER)
    assert str(info.value).startswith("Cơ sở dữ liệu trong bản sao lưu giải nén ra lớn hơn 2 MB")
    assert "CCHC_RESTORE_MAX_MB" in str(info.value)
    assert db.read_bytes() == before and sorted(p.name for p in db.parent.iterdir()) == ["cchc.duckdb"]


def test_an_oversized_restore_leaves_the_running_database_open(storage, tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_RESTORE_MAX_MB", "1")
    bad = tmp_path / "lon.zip"
    oversized_backup(bad, 2)
    before = storage.all("audit_recent", limit=5)
    with pytest.raises(backup.BackupError, match="lớn hơn 1 MB"):
        backup.restore_in_place(storage, bad, tmp_path / "files", CLI_USER)
    assert storage.all("audit_recent", limit=5) == before              # still open, unchanged
    assert not list(storage.path.parent.glob("*.truoc-khoi-phuc-*"))


def test_a_restore_that_does_not_fit_on_the_disk_is_refused_before_closing_the_database(storage, tmp_path,
                                                                                      monkeypatch):
    import shutil
    good = tmp_path / "b.zip"
    oversized_backup(good, 1)
    real = shutil.disk_usage
    monkeypatch.setattr(backup.shutil, "disk_usage", lambda p: real(p)._replace(free=1024))   # a nearly full disk
    before = storage.all("audit_recent", limit=5)
    with pytest.raises(backup.BackupError, match="Không đủ chỗ trên đĩa: bản sao lưu cần 1 MB, còn trống 0 MB"):
        backup.restore_in_place(storage, good, tmp_path / "files", CLI_USER)
    assert storage.all("audit_recent", limit=5) == before


def test_the_copy_counts_the_bytes_whatever_the_zip_declares(tmp_path, monkeypatch):
    """The declared sizes are checked first; the copy counts again, for an archive whose reader
    would not stop at the declared size."""
    good = tmp_path / "b.zip"
    oversized_backup(good, 2)
    monkeypatch.setenv("CCHC_RESTORE_MAX_MB", "1")
    with zipfile.ZipFile(good) as zf:
        with pytest.raises(backup.BackupError, match="lớn hơn 1 MB"):
            backup._extract(zf, backup.DB_MEMBER, tmp_path / "out.duckdb")


def test_a_bad_restore_limit_is_a_message(monkeypatch):
    monkeypatch.setenv("CCHC_RESTORE_MAX_MB", "hai nghìn")
    with pytest.raises(backup.BackupError, match="CCHC_RESTORE_MAX_MB phải là số MB nguyên dương"):
        backup.restore_max_bytes()
    monkeypatch.delenv("CCHC_RESTORE_MAX_MB")
    assert backup.restore_max_bytes() == 2048 * 1024 * 1024


# ------------------------------------------------------------------ the paper-survey importer


def test_the_paper_survey_importer_names_its_own_form():
    q = survey.citizen_questionnaire()
    with pytest.raises(WorkbookError) as info:
        survey_workbook.parse_paper_forms(b"0" * (6 * 1024 * 1024), q, {}, (None, None))
    assert info.value.errors == ["Tệp lớn 6 MB, vượt giới hạn 5 MB của biểu mẫu phiếu khảo sát; hãy chia thành nhiều tệp."]
    bomb = office_file({"[Content_Types].xml": b"<Types/>", "xl/big.xml": bytes(30 * 1024 * 1024)})
    with pytest.raises(WorkbookError) as info:
        survey_workbook.parse_paper_forms(bomb, q, {}, (None, None))
    assert info.value.errors == ["Nội dung sổ tính quá lớn (30 MB khi giải nén) cho một biểu mẫu phiếu khảo sát."]
    refusals = survey_workbook.REFUSALS
    assert "tự đánh giá" not in refusals.too_big + refusals.too_unpacked + refusals.not_a_workbook


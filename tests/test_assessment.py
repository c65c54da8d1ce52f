"""Self-assessment: the pure rules, and every transition against the clock and the role, on a
real database."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from cchc.core import assessment as rules
from cchc.core.criteria import load_yaml_file
from cchc.core.permissions import PermissionDenied, User
from cchc.files import evidence
from cchc.services import ServiceError
from cchc.services import assessment as svc

from .conftest import TEMPLATE

YEAR, OWN, OTHER = 2022, "18139", "18142"
OFFICER = User("sonhong", "Cán bộ Sơn Hồng", "commune", unit_code=OWN)
NEIGHBOUR = User("sontien", "Cán bộ Sơn Tiến", "commune", unit_code=OTHER)
ADMIN = User("quantri", "Quản trị", "admin")
LEADER = User("lanhdao", "Lãnh đạo", "leader")
COUNCIL = User("hoidong", "Hội đồng", "council", office_code="NV")
#: The smallest real PDF: one blank page (evidence is parsed, not only sniffed).
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" \
      b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >> endobj\nxref\n0 4\n0000000000 65535 f \n" \
      b"0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \ntrailer << /Size 4 /Root 1 0 R >>\nstartxref\n186\n%%EOF\n"
CS = load_yaml_file(TEMPLATE)


def fill_all(storage, actor=OFFICER, unit=OWN, with_evidence=True):
    """Score every leaf at its maximum, with one document reference each (or explanations)."""
    changes, docs = {}, {}
    for leaf in rules.scored_leaves(CS):
        changes[leaf.code] = rules.LeafScore(leaf.max_points, False, "", "" if with_evidence else "Giải trình")
        if with_evidence:
            docs[leaf.code] = [{"doc_number": f"{leaf.code}/KH-UBND", "issued_on": dt.date(2022, 1, 5), "summary": "Kế hoạch"}]
    return svc.apply_scores(storage, actor, YEAR, unit, changes, docs)


# ------------------------------------------------------------------ pure rules


@pytest.mark.parametrize("raw, expected", [("0,5", Decimal("0.5")), (" 1.25 ", Decimal("1.25")), (2, Decimal(2)),
                                           (0.75, Decimal("0.75")), ("", None), (None, None)])
def test_parse_points_accepts_decimal_commas(raw, expected):
    assert rules.parse_points(raw) == expected


@pytest.mark.parametrize("raw", ["hai", "1,2,3", True])
def test_parse_points_refuses_text(raw):
    with pytest.raises(ValueError):
        rules.parse_points(raw)


def test_check_points_enforces_range_and_step():
    leaf = CS.node("1.1.1")       # max 1, step 0.5
    assert rules.check_points(leaf, Decimal("0.5")) == Decimal("0.50")
    with pytest.raises(rules.ScoreError, match="ngoài khoảng 0 đến 1"):
        rules.check_points(leaf, Decimal("1.5"))
    with pytest.raises(rules.ScoreError, match="không theo bước 0,5"):
        rules.check_points(leaf, Decimal("0.25"))
    with pytest.raises(rules.ScoreError, match="ngoài khoảng"):
        rules.check_points(leaf, Decimal("-1"))


def test_a_leaf_with_few_values_is_tapped_one_with_many_is_typed():
    from dataclasses import replace

    assert rules.point_choices(CS.node("1.1.1")) == [Decimal(0), Decimal("0.5"), Decimal(1)]       # max 1, step 0,5
    assert rules.point_choices(CS.node("1.3.1")) == [Decimal(0), Decimal("0.25"), Decimal("0.5")]  # max 0,5, step 0,25
    assert [str(p) for p in rules.point_choices(CS.node("3.2.2"))] == ["0", "1", "2", "3"]         # max 3, step 1
    four = replace(CS.node("1.6.1"), max_points=Decimal("1.25"), step=Decimal("0.25"))            # 6 values: still tapped
    assert len(rules.point_choices(four)) == rules.FEW_CHOICES == 6
    assert rules.point_choices(replace(four, max_points=Decimal("1.5"))) is None                   # 7 values: typed
    assert rules.point_choices(replace(four, max_points=Decimal(10), step=Decimal("0.01"))) is None


def test_a_typed_score_reads_a_comma_or_a_dot_and_says_what_is_wrong():
    from dataclasses import replace

    leaf = replace(CS.node("1.6.1"), step=Decimal("0.25"))      # max 2
    assert rules.read_points(leaf, "0,5") == rules.read_points(leaf, "0.5") == Decimal("0.50")
    assert rules.read_points(leaf, " 1,75 ") == Decimal("1.75")
    assert rules.read_points(leaf, "") is None and rules.read_points(leaf, None) is None
    with pytest.raises(rules.ScoreError, match=r"^Tiêu chí 1\.6\.1: «abc» không phải là số; hãy gõ một số từ 0 đến 2 "
                                               r"theo bước 0,25"):
        rules.read_points(leaf, "abc")
    with pytest.raises(rules.ScoreError, match="không theo bước 0,25"):
        rules.read_points(leaf, "0,3")
    with pytest.raises(rules.ScoreError, match="ngoài khoảng 0 đến 2"):
        rules.read_points(leaf, "2,5")
    with pytest.raises(rules.ScoreError, match="có quá 2 chữ số thập phân"):
        rules.read_points(leaf, "0,125")


def test_a_communes_next_deadline_is_the_next_step_it_still_has_to_do():
    from cchc.core import workflow

    period = {"council_deadline": dt.date(2022, 11, 8), "self_assessment_deadline": dt.date(2022, 11, 10),
              "explanation_deadline": None, "appraisal_deadline": dt.date(2022, 11, 25),
              "publication_deadline": dt.date(2022, 11, 30)}
    day = dt.date(2022, 11, 9)
    assert workflow.next_deadline(period, day).key == "self_assessment_deadline"             # the district's view
    assert workflow.next_deadline(period, day, "draft").key == "self_assessment_deadline"
    assert workflow.next_deadline(period, day, "submitted").key == "appraisal_deadline"       # already handed in
    during = workflow.next_deadline(period, day, "explanation")                                # no date of its own:
    assert (during.key, during.date) == ("explanation_deadline", dt.date(2022, 11, 25))       # the appraisal deadline
    assert during.label == "Cấp xã giải trình theo yêu cầu của Hội đồng"
    period["explanation_deadline"] = dt.date(2022, 11, 18)
    assert workflow.next_deadline(period, day, "explanation").date == dt.date(2022, 11, 18)
    assert workflow.next_deadline(period, day, "appraisal_r2").key == "appraisal_deadline"    # explained
    # A reopened form: the submission deadline is the reopening's.
    late = dt.date(2022, 11, 12)
    assert workflow.next_deadline(period, late, "draft").key == "explanation_deadline"
    reopened = workflow.next_deadline(period, late, "draft", reopened_until=dt.date(2022, 11, 15))
    assert (reopened.key, reopened.date) == ("self_assessment_deadline", dt.date(2022, 11, 15))
    assert workflow.step_done("self_assessment_deadline", "appraisal_r1")
    assert not workflow.step_done("self_assessment_deadline", None)
    assert [d.key for d in workflow.unit_deadlines(period, "submitted")] == [k for k, _ in workflow.DEADLINES]


def test_not_applicable_only_where_allowed_and_never_for_survey_leaves():
    assert rules.check_leaf_score(CS.node("1.3.2"), rules.LeafScore(Decimal(1), True)).points is None
    with pytest.raises(rules.ScoreError, match="không áp dụng"):
        rules.check_leaf_score(CS.node("1.1.1"), rules.LeafScore(None, True))
    with pytest.raises(rules.ScoreError, match="khảo sát"):
        rules.check_leaf_score(CS.node("9.1.1"), rules.LeafScore(Decimal(1)))


def test_totals_lower_the_maximum_for_not_applicable_leaves():
    leaves = rules.scored_leaves(CS)
    scores = {"1.1.1": rules.LeafScore(Decimal(1)), "1.3.2": rules.LeafScore(None, True)}
    t = rules.totals(leaves, scores)
    assert t.points == 1 and t.applicable_max == 69 and t.scored == 2 and t.leaves == len(leaves)
    assert t.index == Decimal("1.45")
    by_field = dict((f.code, tot) for f, tot in rules.field_totals(CS, scores))
    assert by_field["1"].applicable_max == 8 and "9" not in by_field


def test_submission_problems_name_each_leaf():
    scores = {leaf.code: rules.LeafScore(leaf.max_points) for leaf in rules.scored_leaves(CS)}
    scores["1.1.2"] = rules.LeafScore()
    scores["2.1.2"] = rules.LeafScore(Decimal(0))           # zero needs no evidence
    counts = {code: 1 for code in scores if code != "1.1.1"}
    problems = rules.submission_problems(CS, scores, counts)
    assert problems == ["Tiêu chí 1.1.1 (Ban hành kế hoạch CCHC năm đúng thời hạn): có điểm nhưng chưa có tài liệu "
                        "kiểm chứng; hãy thêm tài liệu hoặc viết giải trình.",
                        "Tiêu chí 1.1.2 (Mức độ thực hiện kế hoạch CCHC): chưa chấm điểm."]
    scores["1.1.1"] = rules.LeafScore(Decimal(1), explanation="Kế hoạch đang chờ ký số")
    assert len(rules.submission_problems(CS, scores, counts)) == 1


# ------------------------------------------------------------------ evidence checks


def image(fmt: str) -> bytes:
    """A real 4×4 image in `fmt` (PNG, JPEG)."""
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize("name, data, kind", [
    ("ke-hoach.pdf", PDF, "pdf"), ("anh.JPG", image("JPEG"), "jpeg"),
    ("anh.png", image("PNG"), "png"), ("cu.doc", evidence.OLE2 + b"0" * 20, "doc"),
])
def test_evidence_types_are_checked_by_content(name, data, kind):
    assert evidence.check_upload(name, data)[0] == kind


@pytest.mark.parametrize("name, data, message", [
    ("virus.pdf", b"MZ\x90\x00" + b"0" * 100, "nội dung không phải tệp PDF"),
    ("script.exe", b"MZ", "chỉ nhận PDF, Word, Excel"),
    ("anh.pdf", b"\x89PNG\r\n\x1a\n", "nội dung không phải tệp PDF"),
    ("lon.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "vượt giới hạn 10 MB"),
    ("rong.pdf", b"", "rỗng"),
])
def test_bad_evidence_files_are_refused(name, data, message):
    with pytest.raises(evidence.EvidenceError, match=message):
        evidence.check_upload(name, data)


@pytest.mark.parametrize("raw, shown", [("../../x.pdf", "x.pdf"), ("C:\\Users\\a\\bc.pdf", "bc.pdf"),
                                        ("a\x00b.pdf", "ab.pdf"), ("", "tep-dinh-kem")])
def test_user_file_names_are_only_displayed_and_made_safe(raw, shown):
    assert evidence.display_name(raw) == shown


# ------------------------------------------------------------------ the service, against the clock and the role


def test_saving_a_score_starts_the_draft_and_is_audited(storage, on_day):
    svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.1", rules.LeafScore(Decimal("0.5"), note="ghi chú"))
    form = svc.open_form(storage, OFFICER, YEAR, OWN)
    assert form.state == "draft" and form.editable
    assert form.scores["1.1.1"] == rules.LeafScore(Decimal("0.5"), False, "ghi chú", "")
    actions = [a["action"] for a in storage.all("audit_recent", limit=5)]
    assert actions[:2] == ["score.save", "assessment.start"]
    before = storage.scalar("audit_count")
    svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.1", rules.LeafScore(Decimal("0.5"), note="ghi chú"))
    assert storage.scalar("audit_count") == before          # nothing changed: no new audit row


def test_a_bad_score_is_refused_and_nothing_is_written(storage, on_day):
    with pytest.raises(rules.ScoreError):
        svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.1", rules.LeafScore(Decimal("0.3")))
    with pytest.raises(ServiceError, match="Không có tiêu chí mã 99.1"):
        svc.save_score(storage, OFFICER, YEAR, OWN, "99.1", rules.LeafScore(Decimal(1)))
    with pytest.raises(ServiceError, match="có tiêu chí con"):
        svc.save_score(storage, OFFICER, YEAR, OWN, "1.1", rules.LeafScore(Decimal(1)))
    assert storage.all("scores_of_unit", year=YEAR, unit_code=OWN) == []


@pytest.mark.parametrize("actor", [NEIGHBOUR, LEADER, COUNCIL])
def test_only_the_commune_itself_or_admin_may_write(storage, on_day, actor):
    with pytest.raises(PermissionDenied):
        svc.save_score(storage, actor, YEAR, OWN, "1.1.1", rules.LeafScore(Decimal(1)))
    with pytest.raises(PermissionDenied):
        svc.submit(storage, actor, YEAR, OWN)


def test_a_commune_cannot_read_another_communes_draft_or_files(storage, on_day, tmp_path):
    fid = svc.add_file(storage, OFFICER, tmp_path, YEAR, OWN, "1.1.1", "kh.pdf", PDF)
    with pytest.raises(PermissionDenied):
        svc.open_form(storage, NEIGHBOUR, YEAR, OWN)
    with pytest.raises(PermissionDenied):
        svc.read_file(storage, NEIGHBOUR, tmp_path, fid)
    for reader in (OFFICER, ADMIN, LEADER, COUNCIL):
        assert svc.read_file(storage, reader, tmp_path, fid) == ("kh.pdf", "application/pdf", PDF)


def test_files_are_stored_by_hash_never_by_name(storage, on_day, tmp_path):
    files = tmp_path / "files"
    fid = svc.add_file(storage, OFFICER, files, YEAR, OWN, "1.1.1", "../../etc/passwd.pdf", PDF)
    sha = evidence.content_hash(PDF)
    assert (files / sha[:2] / sha).read_bytes() == PDF
    assert [p.name for p in files.rglob("*") if p.is_file()] == [sha]
    assert storage.one("evidence_file_get", id=fid)["file_name"] == "passwd.pdf"


def test_submit_lists_what_is_missing_then_locks_the_form(storage, on_day):
    with pytest.raises(ServiceError, match="Chưa nộp được: còn 52 mục"):
        svc.submit(storage, OFFICER, YEAR, OWN)
    fill_all(storage)
    svc.submit(storage, OFFICER, YEAR, OWN)
    form = svc.open_form(storage, OFFICER, YEAR, OWN)
    assert form.state == "submitted" and not form.editable and not form.is_late
    with pytest.raises(ServiceError, match="đã nộp"):
        svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.1", rules.LeafScore(Decimal(0)))


def test_withdraw_before_the_deadline_then_edit_again(storage, on_day):
    fill_all(storage)
    svc.submit(storage, OFFICER, YEAR, OWN)
    on_day("2022-11-10")                      # the deadline day itself still counts
    svc.withdraw(storage, OFFICER, YEAR, OWN)
    svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.1", rules.LeafScore(Decimal("0.5")))
    assert svc.open_form(storage, OFFICER, YEAR, OWN).state == "draft"


def test_after_the_deadline_everything_is_refused_until_admin_reopens(storage, on_day):
    fill_all(storage)
    on_day("2022-11-11")
    with pytest.raises(ServiceError, match="quá hạn nộp tự đánh giá \\(10/11/2022\\)"):
        svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.1", rules.LeafScore(Decimal(0)))
    with pytest.raises(ServiceError, match="quá hạn"):
        svc.submit(storage, OFFICER, YEAR, OWN)
    with pytest.raises(PermissionDenied):
        svc.reopen(storage, OFFICER, YEAR, OWN, dt.date(2022, 11, 15), "xin nộp muộn")
    with pytest.raises(ServiceError, match="lý do"):
        svc.reopen(storage, ADMIN, YEAR, OWN, dt.date(2022, 11, 15), " ")
    svc.reopen(storage, ADMIN, YEAR, OWN, dt.date(2022, 11, 15), "Mất điện kéo dài")
    assert storage.all("audit_recent", limit=1)[0]["reason"] == "Mất điện kéo dài"
    svc.submit(storage, OFFICER, YEAR, OWN)
    form = svc.open_form(storage, OFFICER, YEAR, OWN)
    assert form.state == "submitted" and form.is_late
    on_day("2022-11-16")
    with pytest.raises(ServiceError, match="quá hạn"):
        svc.withdraw(storage, OFFICER, YEAR, OWN)


def test_a_score_above_zero_without_evidence_needs_an_explanation(storage, on_day):
    fill_all(storage, with_evidence=False)          # explanations instead of evidence: accepted
    svc.submit(storage, OFFICER, YEAR, OWN)
    assert svc.open_form(storage, OFFICER, YEAR, OWN).state == "submitted"


def test_imported_scores_are_all_or_nothing(storage, on_day):
    good = {"1.1.1": rules.LeafScore(Decimal(1)), "1.1.2": rules.LeafScore(Decimal("0.5"))}
    bad = dict(good, **{"1.2.1": rules.LeafScore(Decimal("0.3"))})
    with pytest.raises(rules.ScoreError):
        svc.apply_scores(storage, OFFICER, YEAR, OWN, bad)
    assert storage.all("scores_of_unit", year=YEAR, unit_code=OWN) == []
    assert svc.apply_scores(storage, OFFICER, YEAR, OWN, good) == 2
    assert svc.apply_scores(storage, OFFICER, YEAR, OWN, good) == 0       # nothing changed


def test_the_report_text_is_saved(storage, on_day):
    svc.save_report(storage, OFFICER, YEAR, OWN, "Thiếu máy quét", "Đề nghị cấp máy quét")
    form = svc.open_form(storage, OFFICER, YEAR, OWN)
    assert (form.difficulties, form.recommendations) == ("Thiếu máy quét", "Đề nghị cấp máy quét")


def test_one_field_saved_from_a_stale_tab_keeps_the_others(storage, on_day):
    svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.1", rules.LeafScore(Decimal(1), note="cũ"))
    svc.save_leaf_field(storage, OFFICER, YEAR, OWN, "1.1.1", "explanation", "Chờ ký số")   # another tab
    svc.save_leaf_field(storage, OFFICER, YEAR, OWN, "1.1.1", "note", "mới")                # this tab
    assert svc.open_form(storage, OFFICER, YEAR, OWN).scores["1.1.1"] == rules.LeafScore(Decimal(1), False, "mới", "Chờ ký số")
    svc.save_leaf_field(storage, OFFICER, YEAR, OWN, "1.3.2", "not_applicable", True)
    assert svc.open_form(storage, OFFICER, YEAR, OWN).scores["1.3.2"].not_applicable


def test_a_submitted_report_is_not_reopened_and_a_neighbour_cannot_withdraw_it(storage, on_day):
    fill_all(storage)
    svc.submit(storage, OFFICER, YEAR, OWN)
    with pytest.raises(PermissionDenied):
        svc.withdraw(storage, NEIGHBOUR, YEAR, OWN)
    on_day("2022-11-12")
    with pytest.raises(ServiceError, match="Báo cáo đã nộp: không cần mở lại"):
        svc.reopen(storage, ADMIN, YEAR, OWN, dt.date(2022, 11, 20), "nhầm")
    form = svc.open_form(storage, ADMIN, YEAR, OWN)
    assert form.state == "submitted" and not form.is_late


def test_a_locked_form_gets_no_file_on_disk(storage, on_day, tmp_path):
    on_day("2022-11-11")
    files = tmp_path / "files"
    with pytest.raises(ServiceError, match="quá hạn"):
        svc.add_file(storage, OFFICER, files, YEAR, OWN, "1.1.1", "kh.pdf", PDF)
    assert not files.exists() or not any(files.rglob("*"))


def test_evidence_goes_only_on_leaves_the_commune_scores(storage, on_day, tmp_path):
    with pytest.raises(ServiceError, match="khảo sát"):
        svc.add_file(storage, OFFICER, tmp_path, YEAR, OWN, "9.1.1", "kh.pdf", PDF)
    with pytest.raises(ServiceError, match="«\\|»"):
        svc.add_doc(storage, OFFICER, YEAR, OWN, "1.1.1", "15/KH | UBND", None, "Kế hoạch")


def test_a_missing_evidence_file_is_a_message(storage, on_day, tmp_path):
    files = tmp_path / "files"
    fid = svc.add_file(storage, OFFICER, files, YEAR, OWN, "1.1.1", "kh.pdf", PDF)
    sha = evidence.content_hash(PDF)
    (files / sha[:2] / sha).unlink()
    with pytest.raises(ServiceError, match="không còn trên máy chủ"):
        svc.read_file(storage, OFFICER, files, fid)


def test_import_with_submit_rolls_back_when_something_is_missing(storage, on_day):
    _, data = svc.workbook(storage, OFFICER, YEAR, OWN)
    with pytest.raises(ServiceError, match="Chưa nộp được"):
        svc.import_workbook(storage, ADMIN, YEAR, OWN, data, submit_after=True)
    assert storage.one("assessment_get", year=YEAR, unit_code=OWN) is None


def test_the_clock_is_vietnam_time_whatever_the_server_zone(storage, monkeypatch):
    from cchc.core.clock import TIME_ZONE
    from cchc.services.common import today
    monkeypatch.delenv("CCHC_TODAY", raising=False)
    assert today(storage) == dt.datetime.now(TIME_ZONE).date()


def test_text_like_formulas_and_bars_survive_the_database_round_trip(storage, on_day):
    svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.1", rules.LeafScore(Decimal(1), False, "=1+1", "@giải trình"))
    _, data = svc.workbook(storage, OFFICER, YEAR, OWN)
    assert svc.preview_import(storage, OFFICER, YEAR, OWN, data).rows == []     # unchanged workbook: no change

"""The surveys: questionnaires as data, aggregation against hand-computed tables, survey points
reaching the index, abuse flags, exclusions, quotas, one-time codes. Real storage throughout."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
import yaml

from cchc.core import survey as rules
from cchc.core.permissions import CLI_USER, PermissionDenied, User
from cchc.services import ServiceError, assessment, citizen_survey, official_survey

ADMIN = User("quantri", "Quản trị", "admin")
LEADER = User("lanhdao", "Lãnh đạo", "leader")
COMMUNE = User("sonhong", "Cán bộ Sơn Hồng", "commune", unit_code="18139")
A, B = "18139", "18142"
YEAR = 2022
Q = rules.citizen_questionnaire()


def ratings(**overrides) -> dict[str, int | None]:
    """Every question 5 unless given (q1_1=2 sets question 1.1); None leaves it blank."""
    out = {x.code: 5 for x in Q.questions()}
    for key, value in overrides.items():
        code = key[1:].replace("_", ".")
        if value is None:
            out.pop(code)
        else:
            out[code] = value
    return out


def paper(storage, unit, **overrides) -> int:
    return citizen_survey.submit_paper(storage, ADMIN, YEAR, unit, rules.Answers(ratings(**overrides)))


def web(storage, unit=A, honeypot="", client="10.0.0.1", browser="tab-1", limits=rules.LIMITS, **overrides):
    return citizen_survey.submit_web(storage, YEAR, unit, rules.Answers(ratings(**overrides)), honeypot, client, browser,
                          limits=limits)


def shares(storage, unit) -> dict[int, float]:
    return {r["element"]: r["share"] for r in storage.all("survey_element_shares_of_period", year=YEAR)
            if r["unit_code"] == unit}


def unit_row(storage, unit) -> dict:
    return storage.one("result_of_unit", year=YEAR, unit_code=unit)


# ------------------------------------------------------------------ the questionnaires as data


def test_the_shipped_questionnaires_load():
    assert [e.number for e in Q.elements] == [1, 2, 3, 4, 5]
    assert all(e.questions for e in Q.elements) and len(Q.scale) == 5
    assert Q.scale[0] == "Rất không hài lòng" and Q.scale[4] == "Rất hài lòng"
    assert {p.key for p in Q.profile} >= {"gender", "age", "occupation", "field", "respondent"}
    oq = rules.official_questionnaire()
    assert oq.weights == {"A": 100, "B": 60, "C": 20, "D": 0}
    assert {g.code for g in oq.groups} == {"LDH", "TPB", "LDX", "HDND"}
    assert all(oq.for_group(g.code) for g in oq.groups)


def _raw(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_a_broken_questionnaire_lists_every_problem_in_vietnamese():
    data = copy.deepcopy(_raw(rules.CITIZEN_FILE))
    data["elements"][0]["questions"][1]["code"] = "1.1"          # duplicate
    data["elements"][1]["questions"][0]["code"] = "7.1"          # wrong element
    data["elements"][2]["questions"][0]["text"] = ""
    data["profile"][0]["options"] = []
    data["scale"] = data["scale"][:4]
    with pytest.raises(rules.SurveyDataError) as info:
        rules.parse_questionnaire(data, "Tệp thử")
    text = "\n".join(info.value.errors)
    assert len(info.value.errors) == 5
    assert "mã câu hỏi 1.1 bị trùng" in text
    assert "mã «7.1» phải có dạng «2.<số>»" in text
    assert "câu 3.1: thiếu nội dung" in text
    assert "«scale» phải có đúng 5 mức" in text
    assert "(respondent): cần «label» và «options»" in text


def test_a_questionnaire_needs_exactly_five_elements():
    data = _raw(rules.CITIZEN_FILE)
    data["elements"] = data["elements"][:4]
    with pytest.raises(rules.SurveyDataError, match="đúng 5 yếu tố SIPAS"):
        rules.parse_questionnaire(data)


def test_a_broken_officials_questionnaire_is_refused():
    data = copy.deepcopy(_raw(rules.OFFICIAL_FILE))
    data["weights"] = {"A": 120, "B": 60}
    data["questions"][0]["groups"] = ["XYZ"]
    data["questions"][1]["criterion"] = 921
    with pytest.raises(rules.SurveyDataError) as info:
        rules.parse_official(data, "Tệp thử")
    text = "\n".join(info.value.errors)
    assert "«weights» phải ghi mỗi phương án" in text
    assert "câu 1: nhóm XYZ không có" in text
    assert "câu 2: «criterion» phải là mã tiêu chí" in text


def test_the_sample_size_helper():
    assert rules.sample_size(400) == 200            # 400 / (1 + 400 · 0,05²) = 200
    assert rules.sample_size(10_000) == 385         # 384,6 rounded up
    assert rules.sample_size(1) == 1 and rules.sample_size(0) == 0
    assert rules.sample_size(1000, 0.1) == 91       # 1000 / 11 = 90,9
    with pytest.raises(ValueError):
        rules.sample_size(-1)


def test_keyed_digits_become_ratings():
    assert rules.parse_digits(Q, 1, "4 5 4") == {"1.1": 4, "1.2": 5, "1.3": 4}
    assert rules.parse_digits(Q, 1, "405") == {"1.1": 4, "1.3": 5}
    assert rules.parse_digits(Q, 1, "") == {}
    with pytest.raises(rules.AnswerError, match="cần đúng 3 chữ số"):
        rules.parse_digits(Q, 1, "4546")
    with pytest.raises(rules.AnswerError, match="Yếu tố 4"):
        rules.parse_digits(Q, 4, "7a")


def test_answers_are_checked_against_the_questionnaire():
    with pytest.raises(rules.AnswerError, match="Mời bạn trả lời câu 1.1"):
        rules.check_answers(Q, rules.Answers(ratings(q1_1=None)), require_all=True)
    with pytest.raises(rules.AnswerError, match="từ 1"):
        rules.check_answers(Q, rules.Answers(ratings(q2_1=6)), require_all=True)
    with pytest.raises(rules.AnswerError, match="Không có câu hỏi"):
        rules.check_answers(Q, rules.Answers({"9.9": 3}), require_all=False)
    with pytest.raises(rules.AnswerError, match="không phải một lựa chọn"):
        rules.check_answers(Q, rules.Answers(ratings(), {"gender": "Robot"}), require_all=True)
    clean = rules.check_answers(Q, rules.Answers(ratings(), suggestion="  Tốt\x00 " + "x" * 3000), require_all=True)
    assert clean.suggestion.startswith("Tốt") and "\x00" not in clean.suggestion and len(clean.suggestion) == Q.suggestion_max


# ------------------------------------------------------------------ aggregation, by hand


@pytest.fixture
def answered(storage, on_day):
    """Unit A: four forms; question 1.1 = 5,4,2,1 (2/4 satisfied), 1.2 = 5,5,5,3 (3/4), 1.3 = 4,4,1 and
    one left blank (2/3); every other question 5. One honeypot answer of all 1s (excluded).
    Unit B: two forms, every question 4 then 3."""
    paper(storage, A, q1_1=5, q1_2=5, q1_3=4)
    paper(storage, A, q1_1=4, q1_2=5, q1_3=4)
    paper(storage, A, q1_1=2, q1_2=5, q1_3=1)
    paper(storage, A, q1_1=1, q1_2=3, q1_3=None)
    web(storage, honeypot="http://spam", **{f"q{x.code.replace('.', '_')}": 1 for x in Q.questions()})
    citizen_survey.submit_paper(storage, ADMIN, YEAR, B, rules.Answers({x.code: 4 for x in Q.questions()}))
    citizen_survey.submit_paper(storage, ADMIN, YEAR, B, rules.Answers({x.code: 3 for x in Q.questions()}))
    return storage


ELEMENT_1 = (2 / 4 + 3 / 4 + 2 / 3) / 3          # 0,6389: per question, then averaged (pooled would be 7/11)


def test_satisfaction_per_question_element_and_unit(answered):
    s = shares(answered, A)
    assert s[1] == pytest.approx(ELEMENT_1)
    assert s[2] == s[3] == s[4] == s[5] == 1.0
    assert shares(answered, B) == {e: pytest.approx(0.5) for e in range(1, 6)}
    agg = citizen_survey.aggregates(answered, LEADER, YEAR)
    by_q = {(r["unit_code"], r["question"]): (r["answers"], r["satisfied"]) for r in agg.questions}
    assert by_q[(A, "1.1")] == (4, 2) and by_q[(A, "1.2")] == (4, 3) and by_q[(A, "1.3")] == (3, 2)
    units = {u["unit_code"]: u for u in agg.units}
    assert units[A]["share"] == pytest.approx((ELEMENT_1 + 4) / 5)
    assert units[A]["responses"] == 4                    # the honeypot answer is not counted
    assert units[B]["share"] == pytest.approx(0.5)


def test_the_district_pools_every_unit_per_question(answered):
    agg = citizen_survey.aggregates(answered, LEADER, YEAR)
    # 1.1: A 5,4,2,1 + B 4,3 → 3/6; 1.2: 5,5,5,3 + 4,3 → 4/6; 1.3: 4,4,1 + 4,3 → 3/5.
    assert agg.district_elements[1] == pytest.approx((3 / 6 + 4 / 6 + 3 / 5) / 3)
    assert agg.district_elements[2] == pytest.approx(5 / 6)       # A: 5 ×4, B: 4 and 3
    assert agg.district_share == pytest.approx(((3 / 6 + 4 / 6 + 3 / 5) / 3 + 4 * 5 / 6) / 5)


def test_a_commune_sees_only_its_own_results(answered):
    agg = citizen_survey.aggregates(answered, COMMUNE, YEAR, A)
    assert {r["unit_code"] for r in agg.elements} == {A} and agg.district_share is None
    with pytest.raises(PermissionDenied, match="đơn vị mình"):
        citizen_survey.aggregates(answered, COMMUNE, YEAR)
    with pytest.raises(PermissionDenied):
        citizen_survey.progress(answered, COMMUNE, YEAR, B)


def _officials(storage):
    """Unit A: an LDH respondent answers 1 A, 2 B, 3 C, 4 A, 5 A; an LDX respondent 1 D, 2 A, 4 B, 5 C, 6 D."""
    ldh = official_survey.issue_codes(storage, ADMIN, YEAR, "LDH", [A], 1)[0]
    ldx = official_survey.issue_codes(storage, ADMIN, YEAR, "LDX", [A], 1)[0]
    official_survey.submit_official(storage, ldh, {"1": "A", "2": "B", "3": "C", "4": "A", "5": "A"})
    official_survey.submit_official(storage, ldx, {"1": "D", "2": "A", "4": "B", "5": "C", "6": "D"})


def test_officials_points_by_hand(answered):
    _officials(answered)
    points = {r["criterion_code"]: r["points"] for r in official_survey.official_points(answered, LEADER, YEAR) if r["unit_code"] == A}
    # 9.2.1 (max 5): LDH (100 + 60 + 20)/3 = 60, LDX (0 + 100)/2 = 50 → 55% → 2,75.
    # 9.2.2 (max 5): LDH 100, LDX (60 + 20 + 0)/3 = 26,67 → 63,33% → 3,1667.
    assert points == {"9.2.1": pytest.approx(2.75), "9.2.2": pytest.approx(5 * (100 + 80 / 3) / 2 / 100)}


def test_survey_points_reach_the_index(answered):
    citizen = 4 * ELEMENT_1 + 4 * 4                          # five leaves of max 4: 2,5556 + 16
    row = unit_row(answered, A)
    assert row["index"] is None and row["rank"] is None      # survey answers alone are no figures of the unit
    assessment.save_leaf_field(answered, CLI_USER, YEAR, A, "1.1.1", "points", Decimal("0"))
    row = unit_row(answered, A)
    assert row["survey_points"] == pytest.approx(round(citizen, 2))
    self_max = row["applicable_max"] - 20                    # the citizens' 20 points count, the officials' not yet
    _officials(answered)
    official = 2.75 + 5 * (100 + 80 / 3) / 2 / 100
    row = unit_row(answered, A)
    assert row["survey_points"] == pytest.approx(round(citizen + official, 2))
    assert row["applicable_max"] == self_max + 30
    assert row["index"] == pytest.approx(round(100 * (citizen + official) / row["applicable_max"], 2))


def test_element_level_answers_of_the_first_schema_still_count(storage, on_day):
    """The demo and older data store one answer per element (question 'yt<n>')."""
    def work(tx):
        for value in (5, 4, 2):
            rid = tx.one("survey_response_insert", year=YEAR, unit_code=A, channel="web",
                         submitted_at=dt.datetime(2022, 10, 20, 9))["id"]
            for element in range(1, 6):
                tx.run("survey_answer_insert", response_id=rid, element=element, value=value)
    storage.write(work)
    assert shares(storage, A) == {e: pytest.approx(2 / 3) for e in range(1, 6)}


def test_the_demo_has_sensible_survey_figures(demo_file):
    from .conftest import opened
    with opened(demo_file) as db:
        rows = db._con.execute("SELECT count(*), min(share), max(share) FROM survey_element_share WHERE period_year = 2022").fetchone()
        assert rows[0] == 18 * 5 and 0.4 < rows[1] < rows[2] <= 1
        assert db._con.execute("SELECT count(*) FROM official_survey_points").fetchone()[0] == 10 * 2
        assert db.scalar("survey_count", year=2022) > 600


# ------------------------------------------------------------------ abuse control


def test_the_honeypot_keeps_the_answer_but_excludes_it(storage, on_day):
    receipt = web(storage, honeypot="x")
    row = storage.one("survey_response_get", id=receipt.response_id)
    assert receipt.flags == ("honeypot",) and row["excluded"] and row["excluded_by"] == citizen_survey.SYSTEM
    assert shares(storage, A) == {}
    citizen_survey.set_excluded(storage, ADMIN, receipt.response_id, False, "Người thật, điền nhầm")
    assert shares(storage, A)[1] == 1.0
    audit = storage.all("audit_recent", limit=1)[0]
    assert audit["action"] == "survey.include" and audit["reason"] == "Người thật, điền nhầm"


def test_many_answers_from_one_address_are_flagged_and_wait_for_review(storage, on_day):
    limits = rules.Limits(rate_max=3)
    got = [web(storage, limits=limits, browser=f"tab-{i}", q1_1=1 + i % 5) for i in range(5)]
    assert [r.flags for r in got] == [(), (), (), ("rate",), ("rate",)]
    assert storage.scalar("survey_count", year=YEAR) == 5                             # all kept
    row = citizen_survey.progress(storage, ADMIN, YEAR, A)[0]
    assert (row["valid"], row["pending"]) == (3, 2)                                   # flagged ones wait
    citizen_survey.review(storage, ADMIN, YEAR, citizen_survey.ReviewFilter(flag="rate"), True, "Cùng một điểm wifi")
    assert citizen_survey.progress(storage, ADMIN, YEAR, A)[0]["valid"] == 5
    other = web(storage, limits=limits, client="10.0.0.2", browser="tab-x")
    assert other.flags == ()


def test_the_same_answers_from_the_same_browser_are_flagged_as_duplicate(storage, on_day):
    first = web(storage, client="1.1.1.1", browser="b1")
    again = web(storage, client="2.2.2.2", browser="b1")
    changed = web(storage, client="3.3.3.3", browser="b1", q3_1=2)
    elsewhere = web(storage, client="4.4.4.4", browser="b2")
    assert (first.flags, again.flags, changed.flags, elsewhere.flags) == ((), ("duplicate",), (), ())
    flagged = citizen_survey.flagged(storage, ADMIN, YEAR)
    assert [r["id"] for r in flagged] == [again.response_id]
    assert "Trùng nội dung" in flagged[0]["flag_text"]


def test_the_flags_count_what_the_database_holds(storage, on_day):
    """An answer is flagged by the stored answers, not by what one app instance remembers: a
    second instance on the same database (its own memory, nothing cached) sees the first one's
    answers, and the first sees the second's."""
    from cchc.db.storage import Storage
    other = Storage(storage.path)
    try:
        limits = rules.Limits(rate_max=2)
        first = web(storage, limits=limits, client="5.5.5.5", browser="b1")
        again = web(other, limits=limits, client="6.6.6.6", browser="b1")
        second = web(other, limits=limits, client="5.5.5.5", browser="b2", q1_1=2)
        third = web(storage, limits=limits, client="5.5.5.5", browser="b3", q1_1=3)
    finally:
        other.close()
    assert (first.flags, again.flags, second.flags, third.flags) == ((), ("duplicate",), (), ("rate",))


def test_excluding_needs_an_admin_and_a_reason_and_is_audited(storage, on_day):
    rid = web(storage).response_id
    with pytest.raises(ServiceError, match="Cần ghi lý do"):
        citizen_survey.set_excluded(storage, ADMIN, rid, True, " ")
    with pytest.raises(PermissionDenied):
        citizen_survey.set_excluded(storage, LEADER, rid, True, "thử")
    citizen_survey.set_excluded(storage, ADMIN, rid, True, "Cùng một người gửi nhiều lần")
    assert shares(storage, A) == {}
    with pytest.raises(ServiceError, match="đã bị loại rồi"):
        citizen_survey.set_excluded(storage, ADMIN, rid, True, "lần nữa")
    audit = storage.all("audit_recent", limit=1)[0]
    assert (audit["action"], audit["entity_key"], audit["actor"]) == ("survey.exclude", str(rid), "quantri")


def test_no_answer_outside_the_window_or_for_an_unknown_unit(storage, on_day):
    on_day("2022-11-21")
    with pytest.raises(ServiceError, match="hiện không nhận phiếu"):
        web(storage)
    on_day("2022-11-05")
    for bad in ("99999", "1813", "18139' OR 1=1", None):
        with pytest.raises(ServiceError):
            citizen_survey.submit_web(storage, YEAR, bad, rules.Answers(ratings()))
    assert storage.scalar("survey_count", year=YEAR) == 0


def test_client_addresses_are_stored_only_as_salted_hashes(storage, on_day):
    rid = web(storage, client="203.0.113.9", browser="secret-cookie").response_id
    row = storage.one("survey_response_get", id=rid)
    assert row["client_key"] and "203.0.113.9" not in str(row) and "secret-cookie" not in str(row)


# ------------------------------------------------------------------ paper forms and quotas


def test_a_paper_form_is_audited_and_checks_its_date(storage, on_day):
    rid = citizen_survey.submit_paper(storage, COMMUNE, YEAR, A, rules.Answers({"1.1": 4}), dt.date(2022, 10, 3))
    row = storage.one("survey_response_get", id=rid)
    assert (row["channel"], row["entered_by"], row["submitted_at"].date()) == ("paper", "sonhong", dt.date(2022, 10, 3))
    assert storage.all("audit_recent", limit=1)[0]["action"] == "survey.paper"
    with pytest.raises(ServiceError, match="nằm ngoài thời gian khảo sát"):
        citizen_survey.submit_paper(storage, ADMIN, YEAR, A, rules.Answers({"1.1": 4}), dt.date(2022, 9, 30))
    with pytest.raises(PermissionDenied, match="đơn vị mình"):
        citizen_survey.submit_paper(storage, COMMUNE, YEAR, B, rules.Answers({"1.1": 4}))
    with pytest.raises(PermissionDenied):
        citizen_survey.submit_paper(storage, LEADER, YEAR, A, rules.Answers({"1.1": 4}))


def test_a_quota_from_the_number_of_dossiers(storage, on_day):
    assert citizen_survey.set_quota(storage, ADMIN, YEAR, A, dossiers=400) == 200
    assert citizen_survey.set_quota(storage, ADMIN, YEAR, B, target=150) == 150
    rows = {r["unit_code"]: r for r in citizen_survey.progress(storage, LEADER, YEAR)}
    assert (rows[A]["target"], rows[A]["dossiers"], rows[B]["target"]) == (200, 400, 150)
    assert rows["18133"]["target"] == 100                  # the period's quota for the others
    assert storage.all("audit_recent", limit=1)[0]["action"] == "survey.quota"
    with pytest.raises(PermissionDenied):
        citizen_survey.set_quota(storage, LEADER, YEAR, A, target=1)


# ------------------------------------------------------------------ the officials' one-time codes


def test_a_code_works_once(storage, on_day):
    code = official_survey.issue_codes(storage, ADMIN, YEAR, "HDND", [A], 1)[0]
    info = official_survey.open_code(storage, code.lower().replace("-", ""))     # typed from paper, any case
    assert info.unit_code == A and info.group.code == "HDND"
    answers = {q.code: "B" for q in info.questions}
    official_survey.submit_official(storage, code, answers)
    with pytest.raises(ServiceError, match="đã được sử dụng"):
        official_survey.submit_official(storage, code, answers)
    with pytest.raises(ServiceError, match="đã được sử dụng"):
        official_survey.open_code(storage, code)
    assert storage._con.execute("SELECT count(*) FROM official_answer WHERE code = ?", [code]).fetchone()[0] == len(answers)


def test_unknown_malformed_and_incomplete_codes_are_refused(storage, on_day):
    for bad in ("AAAAA-AAAAA", "<script>", "", None, "x" * 500):
        with pytest.raises(ServiceError):
            official_survey.open_code(storage, bad)
    code = official_survey.issue_codes(storage, ADMIN, YEAR, "LDH", [A], 1)[0]
    with pytest.raises(ServiceError, match="câu 2"):
        official_survey.submit_official(storage, code, {"1": "A"})
    with pytest.raises(ServiceError, match="câu 1"):
        official_survey.submit_official(storage, code, {"1": "Z"})
    official_survey.open_code(storage, code)                           # a refused answer does not spend the code


def test_codes_are_issued_by_admin_only_and_audited(storage, on_day):
    codes = official_survey.issue_codes(storage, ADMIN, YEAR, "TPB", [A, B], 3)
    assert len(codes) == len(set(codes)) == 6 and all(rules.OFFICIAL_CODE_RE.fullmatch(c) for c in codes)
    assert storage.all("audit_recent", limit=1)[0]["action"] == "survey.codes"
    with pytest.raises(PermissionDenied):
        official_survey.issue_codes(storage, LEADER, YEAR, "TPB", [A], 1)
    with pytest.raises(ServiceError, match="Không có nhóm"):
        official_survey.issue_codes(storage, ADMIN, YEAR, "XYZ", [A], 1)
    sheet = official_survey.codes_sheet(storage, ADMIN, YEAR, codes)
    import io

    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(sheet)).active
    assert {ws.cell(r, 4).value for r in range(5, 11)} == set(codes)


# ------------------------------------------------------------------ QR codes and the export


def test_qr_codes_for_every_commune_and_an_a4_sheet(storage):
    files = citizen_survey.qr_files(storage, ADMIN, YEAR, "https://cchc.example.vn/", "Huyện Hương Sơn")
    pngs = [n for n in files if n.endswith(".png")]
    assert len(pngs) == 25 and all(files[n].startswith(b"\x89PNG") for n in pngs)
    sheet = files["qr-khao-sat-2022-a4.html"].decode()
    assert "size: A4" in sheet and "Xã Sơn Hồng" in sheet and "https://cchc.example.vn/khao-sat?dv=18139" in sheet
    assert sheet.count("<svg") == 25
    with pytest.raises(ServiceError, match="không hợp lệ"):
        citizen_survey.qr_files(storage, ADMIN, YEAR, "javascript:alert(1)", "x")
    with pytest.raises(PermissionDenied):
        citizen_survey.qr_files(storage, LEADER, YEAR, "https://cchc.example.vn", "x")


def test_the_export_has_raw_answers_and_aggregates(answered):
    import io

    from openpyxl import load_workbook
    name, data = citizen_survey.export(answered, LEADER, YEAR)
    wb = load_workbook(io.BytesIO(data))
    assert name == "khao-sat-2022.xlsx"
    assert wb.sheetnames == ["Phiếu", "Theo câu hỏi", "Theo yếu tố", "Theo đơn vị", "Toàn huyện"]
    assert wb["Phiếu"].max_row == 1 + 7                  # every form, the excluded one included and marked
    assert sum(1 for r in wb["Phiếu"].iter_rows(min_row=2, values_only=True) if "Có" in r) == 1
    units = {r[0]: r[3] for r in wb["Theo đơn vị"].iter_rows(min_row=2, values_only=True)}
    assert units[A] == pytest.approx(round(100 * (ELEMENT_1 + 4) / 5, 2))


# ------------------------------------------------------------------ the permission table, for the survey actions

COUNCIL = User("hoidong", "Hội đồng", "council", office_code="NV")
SURVEY_EXPECTED = {"survey.view": {"admin", "leader", "council", "commune"}, "survey.enter": {"admin", "commune"},
                   "survey.manage": {"admin"}}


def _survey_action(storage, user, action):
    if action == "survey.view":
        citizen_survey.progress(storage, user, YEAR, user.unit_code if user.role == "commune" else None)
    elif action == "survey.enter":
        citizen_survey.submit_paper(storage, user, YEAR, A, rules.Answers({"1.1": 4}))
    else:
        citizen_survey.set_quota(storage, user, YEAR, A, target=10)


@pytest.mark.parametrize("action", sorted(SURVEY_EXPECTED))
@pytest.mark.parametrize("user", [ADMIN, LEADER, COUNCIL, COMMUNE], ids=lambda u: u.role)
def test_survey_role_against_action(storage, on_day, user, action):
    from cchc.core.permissions import ACTIONS, can
    assert ACTIONS[action] == SURVEY_EXPECTED[action]
    assert can(user, action, A) is (user.role in SURVEY_EXPECTED[action])
    if user.role in SURVEY_EXPECTED[action]:
        _survey_action(storage, user, action)
    else:
        with pytest.raises(PermissionDenied, match="không được phép"):
            _survey_action(storage, user, action)


def test_answers_arriving_together_are_all_stored_and_counted_exactly(storage, on_day):
    """Sixteen phones behind one address at once: every answer stored, exactly those beyond the
    limit flagged (each answer counts the stored ones inside its own transaction)."""
    import threading
    limits = rules.Limits(rate_max=5)
    receipts, errors = [], []

    def phone(i):
        try:
            receipts.append(web(storage, limits=limits, browser=f"b{i}", q1_1=1 + i % 5, q1_2=1 + i // 5))
        except Exception as exc:  # pragma: no cover - the failure this test looks for
            errors.append(exc)

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len({r.response_id for r in receipts}) == 16
    assert sum(1 for r in receipts if r.flags == ("rate",)) == 16 - 5
    assert storage.scalar("survey_count", year=YEAR) == 16
    assert storage._con.execute("SELECT count(*) FROM survey_answer").fetchone()[0] == 16 * len(Q.questions())


def test_a_refused_answer_arriving_with_others_fails_alone(storage, on_day):
    """Answers for a code that is no unit of the period, sent together with good ones: each of
    those is refused with its reason, every good one is stored."""
    import threading
    stored, refused = [], []

    def phone(i):
        unit = "99999" if i % 4 == 0 else A
        try:
            stored.append(web(storage, unit, browser=f"b{i}", client=f"10.0.0.{i}"))
        except ServiceError as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stored) == 12 and refused == ["Không có đơn vị mã «99999» trong kỳ 2022."] * 4
    assert storage.scalar("survey_count", year=YEAR) == 12


# ------------------------------------------------------------------ the index follows the answers


def test_answers_from_the_public_page_reach_the_index_at_once(storage, on_day):
    """The next read of the results already counts an answer from the public page."""
    before = storage.one("result_of_unit", year=YEAR, unit_code=A)["survey_points"]
    web(storage, A)
    after = storage.one("result_of_unit", year=YEAR, unit_code=A)["survey_points"]
    assert after > before
    web(storage, A, client="10.0.0.2", browser="tab-2", q1_1=1)
    assert storage.one("result_of_unit", year=YEAR, unit_code=A)["survey_points"] < after

"""AppTest of the survey pages: the public ones without login, and the staff's paper entry."""

from __future__ import annotations

import unicodedata

import pytest
from streamlit.testing.v1 import AppTest

from cchc.core import survey as rules
from cchc.core.permissions import CLI_USER
from cchc.services import official_survey

from .conftest import opened
from .test_app import APP, app_as, assert_clean, texts

Q = rules.citizen_questionnaire()


def public(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def press(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def answer_step(at: AppTest, value: int) -> AppTest:
    for r in at.radio:
        if r.key and r.key.startswith("ks_q"):
            r.set_value(value)
    return press(at, "Tiếp tục")


def test_a_citizen_answers_the_whole_survey_without_logging_in(demo_env):
    with opened(demo_env) as db:
        before = db.scalar("survey_count", year=2022)
    at = public("views/khao-sat.py", dv="18139")
    assert_clean(at)
    assert "Xã Sơn Hồng" in texts(at)
    assert "authentication_status" not in at.session_state or at.session_state["authentication_status"] is not True
    for step in range(1, 6):
        assert at.get("progress")[0].proto.text == f"Bước {step}/6"
        at = answer_step(at, 4 if step != 3 else 2)
        assert_clean(at)
    at.radio(key="ks_overall").set_value(5)
    at.radio(key="ks_p_gender").set_value("Nữ")
    at.text_area(key="ks_suggestion").input("Cán bộ nhiệt tình")
    at = press(at, "Gửi phiếu")
    assert_clean(at)
    assert "Cảm ơn bạn đã dành thời gian trả lời" in texts(at)
    with opened(demo_env) as db:
        assert db.scalar("survey_count", year=2022) == before + 1
        row = db._con.execute("SELECT channel, overall, suggestion, flags, excluded, profile FROM survey_response "
                              "ORDER BY id DESC LIMIT 1").fetchone()
        assert row == ("web", 5, "Cán bộ nhiệt tình", "", False, '{"gender": "Nữ"}')
        values = db._con.execute("SELECT element, value FROM survey_answer WHERE response_id = "
                                 "(SELECT max(id) FROM survey_response) ORDER BY question").fetchall()
        assert len(values) == len(Q.questions()) and {v for e, v in values if e == 3} == {2}
    at = press(at, "Trả lời phiếu mới")                  # the desk tablet, for the next person
    assert at.get("progress")[0].proto.text == "Bước 1/6"


def test_a_step_is_not_left_with_a_question_unanswered(demo_env):
    at = public("views/khao-sat.py", dv="18139")
    at.radio(key="ks_q1.1").set_value(5)
    at = press(at, "Tiếp tục")
    assert "Mời bạn chọn một mức cho câu 1.2, 1.3" in texts(at)
    assert at.get("progress")[0].proto.text == "Bước 1/6"


@pytest.mark.parametrize("dv, expected", [
    ("99999", "Không tìm thấy xã, thị trấn có mã «99999»"),
    ("18139' OR '1'='1", "Không tìm thấy xã, thị trấn có mã «18139' OR '1'='1»"),
    ("x" * 200, "Không tìm thấy xã, thị trấn có mã «" + "x" * 20 + "»"),
])
def test_an_unknown_or_malformed_commune_gets_a_message(demo_env, dv, expected):
    at = public("views/khao-sat.py", dv=dv)
    assert_clean(at)
    assert expected in texts(at) and at.text_input(key="ks_find").label == "Bạn đã làm thủ tục tại UBND xã, thị trấn nào?"


def picks(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.key and b.key.startswith("ks_pick_")]


@pytest.mark.parametrize("typed", ["son tay", "sontay", "SON TAY", "Son Tay", "Sơn Tây", "  sơn   TÂY ", "18172"])
def test_the_commune_picker_finds_a_commune_typed_without_tones(demo_env, typed):
    at = public("views/khao-sat.py")
    assert not picks(at)                                          # a light first load: the search box only
    at.text_input(key="ks_find").input(typed)
    at = at.run()
    assert_clean(at)
    assert picks(at) == ["Xã Sơn Tây"] and "Tìm thấy 1 đơn vị" in texts(at)
    next(b for b in at.button if b.label == "Xã Sơn Tây").click()
    at = at.run()
    assert_clean(at)
    assert at.query_params["dv"] == "18172" and "Xã Sơn Tây" in texts(at)
    assert at.get("progress")[0].proto.text == "Bước 1/6"
    at = press(at, "Chọn xã, thị trấn khác")                        # a mis-tap is undone in one tap
    assert "dv" not in at.query_params and at.text_input(key="ks_find")


def test_the_whole_list_of_communes_is_one_tap_away(demo_env):
    at = public("views/khao-sat.py")
    at = press(at, "Xem danh sách tất cả xã, thị trấn")
    assert_clean(at)
    assert len(picks(at)) == 25 and picks(at)[:2] == ["Thị trấn Phố Châu", "Thị trấn Tây Sơn"]
    assert not any(b.label == "Xem danh sách tất cả xã, thị trấn" for b in at.button)


def test_the_commune_picker_says_in_vietnamese_when_nothing_matches(demo_env):
    at = public("views/khao-sat.py")
    at.text_input(key="ks_find").input("xyz")
    at = at.run()
    assert_clean(at)
    assert not picks(at)
    assert "Không tìm thấy xã, thị trấn nào có tên «xyz»" in texts(at) and "No results" not in texts(at)
    at.text_input(key="ks_find").input("tay")                      # both names with «Tây», the one that begins with it first
    at = at.run()
    assert picks(at) == ["Thị trấn Tây Sơn", "Xã Sơn Tây"]


def test_folding_finds_names_as_phone_users_type_them():
    from cchc.core.text import fold
    from cchc.web.survey_public import find_units

    assert {fold(t) for t in ("Xã Sơn Tây", "xa son tay", "XÃ SƠN TÂY", "xasontay")} == {"xasontay"}
    assert fold("Đức Thọ") == fold("duc tho") == fold("đức thọ") == "ductho"
    assert fold(unicodedata.normalize("NFD", "Sơn Tây")) == "sontay"           # a keyboard that sends decomposed marks
    units = [{"code": "1", "name": "Xã Đức Thuận"}, {"code": "2", "name": "Thị trấn Đức Thọ"}, {"code": "3", "name": "Xã Tân Hương"}]
    assert [u["name"] for u in find_units(units, "duc tho")] == ["Thị trấn Đức Thọ"]
    assert [u["name"] for u in find_units(units, "đuc")] == ["Xã Đức Thuận", "Thị trấn Đức Thọ"]
    assert [u["name"] for u in find_units(units, "")] == [u["name"] for u in units]
    assert find_units(units, "ha noi") == []


def test_outside_the_window_the_survey_says_so_politely(demo_env, monkeypatch):
    monkeypatch.setenv("CCHC_TODAY", "2022-11-21")
    at = public("views/khao-sat.py", dv="18139")
    assert_clean(at)
    assert "mở từ 01/10/2022 đến 20/11/2022" in texts(at) and not at.radio


def test_an_official_answers_once_with_a_code(demo_env):
    with opened(demo_env) as db:
        code = official_survey.issue_codes(db, CLI_USER, 2022, "LDX", ["18139"], 1)[0]
    at = public("views/dieu-tra.py", ma=code)
    assert_clean(at)
    assert "Đánh giá Xã Sơn Hồng" in texts(at)
    for r in at.radio:
        r.set_value("A")
    at = press(at, "Gửi phiếu")
    assert "Cảm ơn ông/bà đã hoàn thành phiếu điều tra" in texts(at)
    again = public("views/dieu-tra.py", ma=code)              # another browser, the same code
    assert "đã được sử dụng" in texts(again) and not again.radio


@pytest.mark.parametrize("ma, expected", [("<b>x</b>", "Mã phiếu không hợp lệ"), ("AAAAA-BBBBB", "đã được sử dụng")])
def test_a_bad_code_gets_a_message(demo_env, ma, expected):
    at = public("views/dieu-tra.py", ma=ma)
    assert_clean(at)
    assert expected in texts(at)


def test_staff_key_a_paper_form_and_go_on_to_the_next(demo_env):
    at = app_as("sonhong")
    at.query_params["muc"] = "Nhập phiếu giấy"                 # only the open tab runs
    at.switch_page("views/quan-ly-khao-sat.py").run()
    assert_clean(at)
    inputs = {t.label.split(" — ")[0]: t for t in at.text_input}
    inputs["1. Tiếp cận dịch vụ"].input("45")               # one digit short
    at = press(at, "Lưu và nhập phiếu tiếp")
    assert "Yếu tố 1: cần đúng 3 chữ số" in texts(at)
    inputs = {t.label.split(" — ")[0]: t for t in at.text_input}
    for label, digits in (("1. Tiếp cận dịch vụ", "454"), ("2. Thủ tục hành chính", "5 5 0"), ("4. Kết quả giải quyết công việc", "44")):
        inputs[label].input(digits)
    at = press(at, "Lưu và nhập phiếu tiếp")
    assert_clean(at)
    assert "Đã lưu phiếu giấy số" in texts(at)
    assert all(not t.value for t in at.text_input)           # an empty form for the next one
    with opened(demo_env) as db:
        row = db._con.execute("SELECT unit_code, channel, entered_by, (SELECT count(*) FROM survey_answer a "
                              "WHERE a.response_id = r.id) FROM survey_response r ORDER BY id DESC LIMIT 1").fetchone()
        assert row == ("18139", "paper", "sonhong", 7)


def test_the_leader_sees_progress_and_results(demo_env):
    at = app_as("lanhdao")
    at.switch_page("views/quan-ly-khao-sat.py").run()
    assert_clean(at)
    assert "Tỷ lệ hài lòng toàn huyện" in [m.label for m in at.metric]
    assert not any(b.label == "Lưu và nhập phiếu tiếp" for b in at.button)


def test_admin_issues_codes_and_excludes_a_suspect_answer(demo_env):
    at = app_as("admin")
    at.query_params["muc"] = "Khảo sát"                 # only the open tab runs
    at.query_params["ks"] = "Điều tra xã hội học"
    at.switch_page("views/quan-tri.py").run()
    assert_clean(at)
    press(at, "Tạo mã phiếu")
    assert_clean(at)
    assert "Đã tạo 75 mã phiếu." in texts(at)                    # 3 per commune, the default
    with opened(demo_env) as db:
        rid = db.all("survey_flagged", year=2022, limit=1)[0]["id"]
    at.query_params["ks"] = "Phiếu bất thường"
    at.run()
    next(n for n in at.number_input if n.label == "Số phiếu").set_value(rid)
    next(t for t in at.text_input if t.label == "Lý do (bắt buộc, ghi nhật ký)").input("Cùng một máy gửi liên tục")
    press(at, "Loại khỏi kết quả")
    assert_clean(at)
    assert f"Phiếu số {rid}: đã loại khỏi kết quả." in texts(at)
    with opened(demo_env) as db:
        assert db.one("survey_response_get", id=int(rid))["excluded"] is True
        assert db.all("audit_recent", limit=1)[0]["action"] == "survey.exclude"


def test_what_a_visitor_typed_is_echoed_without_links_or_formatting(demo_env):
    at = public("views/khao-sat.py", dv="[x](http://evil.vn)")
    assert "«xhttpevilvn»" in texts(at) and "](" not in texts(at)


def test_a_robot_filling_the_hidden_field_is_thanked_but_not_counted(demo_env):
    at = public("views/khao-sat.py", dv="18139")
    for _ in range(5):
        at = answer_step(at, 5)
    at.text_input(key="ks_hp").input("http://quang-cao.example")
    at = press(at, "Gửi phiếu")
    assert "Cảm ơn bạn đã dành thời gian trả lời" in texts(at)          # nothing tells the robot
    with opened(demo_env) as db:
        row = db._con.execute("SELECT flags, excluded FROM survey_response ORDER BY id DESC LIMIT 1").fetchone()
        assert row == ("honeypot", True)


def test_the_public_survey_stays_on_the_period_whose_window_is_open(storage, monkeypatch):
    from cchc.core.permissions import CLI_USER
    from cchc.services import periods
    from cchc.web.survey_public import survey_year
    periods.create_from(storage, CLI_USER, 2023, 2022)        # next year's period already exists
    monkeypatch.setenv("CCHC_TODAY", "2022-10-20")             # this year's survey is running
    assert survey_year(storage) == 2022
    monkeypatch.setenv("CCHC_TODAY", "2023-01-15")             # between windows: the latest period
    assert survey_year(storage) == 2023


def test_the_survey_asks_for_a_dossier_code_when_the_period_wants_one(demo_env):
    from cchc.services import citizen_survey
    with opened(demo_env) as db:
        citizen_survey.set_needs_code(db, CLI_USER, 2022, True)
        code = citizen_survey.generate_codes(db, CLI_USER, 2022, ["18139"], 1)[0]["code"]

    def answer(at: AppTest) -> AppTest:
        for _ in range(5):
            at = answer_step(at, 4)
        return press(at, "Gửi phiếu")

    at = answer(public("views/khao-sat.py", dv="18139"))
    assert "cần mã hồ sơ in trên phiếu hẹn" in texts(at)                      # refused, the answers kept
    at.text_input(key="ks_code").input(code.lower())
    at = press(at, "Gửi phiếu")
    assert "Cảm ơn bạn đã dành thời gian trả lời" in texts(at)
    at = answer(public("views/khao-sat.py", dv="18139", ma=code))             # the printed link fills it in
    assert_clean(at)
    assert f"Mã hồ sơ «{code}» đã được dùng để trả lời khảo sát" in texts(at)
    with opened(demo_env) as db:
        assert db._con.execute("SELECT count(*) FROM survey_response WHERE dossier_code = ?", [code]).fetchone()[0] == 1


def test_admin_accepts_every_pending_answer_of_a_filter_at_once(demo_env):
    from cchc.services import citizen_survey
    with opened(demo_env) as db:
        for i in range(9):                        # one address, the same answers: 8 of them wait
            citizen_survey.submit_web(db, 2022, "18139", rules.Answers({x.code: 1 for x in Q.questions()}), "",
                                      "203.0.113.7", "one-phone-000001")
        waiting = citizen_survey.pending_count(db, CLI_USER, 2022)
    assert waiting == 8
    at = app_as("admin")
    at.switch_page("views/quan-ly-khao-sat.py").run()
    assert_clean(at)
    assert "8 phiếu có dấu hiệu bất thường đang chờ Phòng Nội vụ xem xét (chưa được tính)." in texts(at)
    at.query_params["muc"] = "Xem xét phiếu"         # only the open tab runs
    at.run()
    assert "8" in [m.value for m in at.metric if m.label == "Phiếu khớp bộ lọc"]
    next(t for t in at.text_input if t.label.startswith("Lý do cho cả 8 phiếu")).input("Người nhà dùng chung máy")
    at = press(at, "Chấp nhận (tính) 8 phiếu")
    assert_clean(at)
    assert "Đã chấp nhận 8 phiếu." in texts(at)
    with opened(demo_env) as db:
        assert citizen_survey.pending_count(db, CLI_USER, 2022) == 0
        audit = db.all("audit_recent", limit=1)[0]
        assert (audit["action"], audit["reason"]) == ("survey.review", "Người nhà dùng chung máy")


def test_the_dashboard_and_the_scorecard_say_how_many_answers_wait(demo_env):
    from cchc.services import citizen_survey
    with opened(demo_env) as db:
        for _ in range(3):                        # the same answers from one phone: 2 wait
            citizen_survey.submit_web(db, 2022, "18139", rules.Answers({x.code: 2 for x in Q.questions()}), "",
                                      "203.0.113.8", "one-phone-000002")
    note = "2 phiếu khảo sát có dấu hiệu bất thường đang chờ Phòng Nội vụ xem xét; chưa được tính vào chỉ số."
    at = app_as("lanhdao")
    at.switch_page("views/bang-dieu-khien.py").run()
    assert_clean(at)
    assert note in texts(at)
    at = app_as("sonhong")
    at.switch_page("views/phieu-diem.py").run()
    assert_clean(at)
    assert note in texts(at)

"""Survey answers that count only when they should (issue 13): ballot stuffing through the public
page's own service call does not move the index until staff accept it, the per-client limit
refuses politely, a registered desk tablet counts without review, bulk review is audited, and
one answer per dossier where the period asks for a code. Real storage, real .xlsx and .csv."""

from __future__ import annotations

import csv
import io
import shutil

import duckdb
import pytest
from openpyxl import Workbook

from cchc.core import survey as rules
from cchc.core.permissions import User
from cchc.db.storage import Storage, migrations
from cchc.files.workbook import WorkbookError
from cchc.services import ServiceError, citizen_survey

from .test_cli import run  # noqa: F401  (fixture)

ADMIN = User("quantri", "Quản trị", "admin")
COMMUNE = User("sonhong", "Cán bộ Sơn Hồng", "commune", unit_code="18139")
SON_HONG, OTHER = "18139", "18142"
YEAR = 2022
Q = rules.citizen_questionnaire()
WAIT = "Bạn vừa gửi nhiều phiếu"


def answers(value: int) -> rules.Answers:
    return rules.Answers({x.code: value for x in Q.questions()}, {}, value, "")


def index(db: Storage, unit: str = SON_HONG) -> float:
    return db.one("result_of_unit", year=YEAR, unit_code=unit)["index"]


@pytest.fixture
def demo(demo_file, tmp_path, on_day):
    db = Storage(shutil.copy(demo_file, tmp_path / "demo.duckdb"))
    yield db
    db.close()


def stuff(db: Storage, n: int, value: int = 1, **kw) -> tuple[list, list[str]]:
    """n answers through the public page's service call from one client; (receipts, refusals)."""
    receipts, refusals = [], []
    for _ in range(n):
        try:
            receipts.append(citizen_survey.submit_web(db, YEAR, SON_HONG, answers(value), "", kw.get("client", "203.0.113.7"),
                                                      kw.get("browser", "attacker-token-0001"), Q,
                                                      kiosk=kw.get("kiosk")))
        except ServiceError as exc:
            refusals.append(str(exc))
    return receipts, refusals


def test_a_thousand_answers_from_one_client_do_not_move_the_index_until_accepted(demo):
    before = index(demo)
    receipts, refusals = stuff(demo, 1)                   # the first answer counts, as anyone's would
    assert receipts[0].flags == ()
    after_first = index(demo)
    receipts, refusals = stuff(demo, 999)
    assert index(demo) == after_first                     # 999 more: the index has not moved
    limit = rules.LIMITS.refuse_max
    assert len(receipts) == limit - 1 and len(refusals) == 999 - (limit - 1)
    assert all(r.flags for r in receipts)                 # every acknowledged one flagged …
    stored = demo._con.execute("SELECT count(*), count(*) FILTER (WHERE review = 'pending') FROM survey_response "
                               "WHERE id IN (SELECT unnest(?))", [[r.response_id for r in receipts]]).fetchone()
    assert stored == (limit - 1, limit - 1)               # … stored, and waiting for review
    assert refusals[0].startswith(WAIT) and "vui lòng thử lại sau 60 phút" in refusals[0]
    assert citizen_survey.pending_count(demo, ADMIN, YEAR) >= limit - 1
    assert citizen_survey.pending_count(demo, COMMUNE, YEAR, SON_HONG) >= limit - 1

    for i in range(3):                                     # honest citizens on their own phones count at once
        citizen_survey.submit_web(demo, YEAR, SON_HONG, answers(5), "", f"198.51.100.{i}", f"honest-phone-{i:04d}", Q)
    honest = index(demo)
    assert honest > after_first
    n = citizen_survey.review(demo, ADMIN, YEAR, citizen_survey.ReviewFilter(client=demo.one(
        "survey_response_get", id=receipts[0].response_id)["client_key"]), True, "Đã xác minh (thử nghiệm)")
    assert n == limit - 1 and index(demo) < honest        # accepted: now they count


def test_the_wait_message_counts_from_the_database(demo, on_day):
    """A second app instance on the same file refuses the same client: nothing is counted in memory."""
    limits = rules.Limits(refuse_max=3)
    other = Storage(demo.path)
    try:
        for db in (demo, other, demo):
            citizen_survey.submit_web(db, YEAR, SON_HONG, answers(4), "", "10.9.9.9", None, Q, limits)
        with pytest.raises(ServiceError, match=WAIT):
            citizen_survey.submit_web(other, YEAR, SON_HONG, answers(3), "", "10.9.9.9", None, Q, limits)
        with pytest.raises(ServiceError, match=WAIT):           # the same browser behind another address
            for i in range(4):
                citizen_survey.submit_web(demo, YEAR, SON_HONG, answers(2), "", f"10.8.8.{i}", "one-browser-00001",
                                          Q, limits)
    finally:
        other.close()


def test_a_kiosk_s_hundred_answers_count_without_review(demo):
    kid, link = citizen_survey.create_kiosk(demo, ADMIN, YEAR, SON_HONG, "Máy tính bảng một cửa")
    token, label = citizen_survey.activate_kiosk(demo, SON_HONG, link)
    assert label == "Máy tính bảng một cửa"
    with pytest.raises(ServiceError, match="đã được dùng"):          # the link works once
        citizen_survey.activate_kiosk(demo, SON_HONG, link)
    before = citizen_survey.progress(demo, ADMIN, YEAR, SON_HONG)[0]
    receipts, refusals = stuff(demo, 100, value=5, client="192.0.2.50", browser="desk-tablet-00001", kiosk=token)
    assert refusals == [] and all(r.flags == () for r in receipts)
    after = citizen_survey.progress(demo, ADMIN, YEAR, SON_HONG)[0]
    assert after["valid"] == before["valid"] + 100 and after["kiosk"] == before["kiosk"] + 100
    assert after["pending"] == before["pending"]
    assert {r["id"]: r["answers"] for r in citizen_survey.kiosks(demo, ADMIN)}[kid] == 100
    # the token of Sơn Hồng's tablet is no kiosk for another commune, and a revoked one is none
    assert citizen_survey.kiosk_for(demo, token, OTHER) is None
    citizen_survey.revoke_kiosk(demo, ADMIN, kid)
    assert citizen_survey.kiosk_for(demo, token, SON_HONG) is None
    audit = [r["action"] for r in demo.all("audit_recent", limit=3)]
    assert audit == ["survey.kiosk"] * 3                               # created, activated, revoked


def test_bulk_review_with_one_reason_no_row_cap_and_one_audit_row(storage, on_day):
    limits = rules.Limits(rate_max=1, refuse_max=10_000)
    for i in range(520):                                   # more than the old list's 500 rows
        citizen_survey.submit_web(storage, YEAR, SON_HONG, answers(1 + i % 5), "", "10.1.1.1", f"b-{i:06d}-token-x",
                                  Q, limits)
    f = citizen_survey.ReviewFilter(flag="rate", unit_code=SON_HONG)
    groups = citizen_survey.review_groups(storage, ADMIN, YEAR, f)
    assert sum(g["answers"] for g in groups) == 519 and groups[0]["state_text"] == "Chờ xem xét"
    assert len(citizen_survey.review_page(storage, ADMIN, YEAR, f, page=10, size=50)) == 19
    with pytest.raises(ServiceError, match="Cần ghi lý do"):
        citizen_survey.review(storage, ADMIN, YEAR, f, False, "  ")
    with pytest.raises(Exception, match="không được phép"):
        citizen_survey.review(storage, COMMUNE, YEAR, f, False, "thử")
    assert citizen_survey.review(storage, ADMIN, YEAR, f, False, "Một máy gửi liên tục") == 519
    audit = storage.all("audit_recent", limit=1)[0]
    assert audit["action"] == "survey.review" and audit["reason"] == "Một máy gửi liên tục"
    assert '"count": 519' in audit["new_value"] and '"flag": "rate"' in audit["new_value"]
    assert citizen_survey.progress(storage, ADMIN, YEAR, SON_HONG)[0]["excluded"] == 519
    # counted back, all at once: the excluded ones become accepted
    back = citizen_survey.ReviewFilter(state="excluded", flag="rate")
    assert citizen_survey.review(storage, ADMIN, YEAR, back, True, "Điểm wifi của nhà văn hóa") == 519
    assert citizen_survey.progress(storage, ADMIN, YEAR, SON_HONG)[0]["valid"] == 520
    assert citizen_survey.review(storage, ADMIN, YEAR, back, True, "lần nữa") == 0


def test_the_migration_maps_existing_rows(tmp_path):
    """Before 031: excluded stays excluded, flagged-not-excluded becomes pending (left out)."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
    for version, sql in migrations():
        if version < "031":
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, now()::TIMESTAMP)", [version])
    con.execute("""INSERT INTO survey_response (id, period_year, unit_code, channel, submitted_at, flags, excluded,
                   exclude_reason, excluded_by) VALUES
                   (1, 2022, '18139', 'web', now()::TIMESTAMP, '', FALSE, '', NULL),
                   (2, 2022, '18139', 'web', now()::TIMESTAMP, 'rate', FALSE, '', NULL),
                   (3, 2022, '18139', 'web', now()::TIMESTAMP, 'duplicate', TRUE, 'Trùng', 'quantri')""")
    con.close()
    db = Storage(path)
    try:
        db.migrate()
        rows = db._con.execute("SELECT id, excluded, review, reviewed_by, review_reason FROM survey_response "
                               "ORDER BY id").fetchall()
    finally:
        db.close()
    assert rows == [(1, False, None, None, ""), (2, True, "pending", None, ""), (3, True, "excluded", "quantri", "Trùng")]


# ------------------------------------------------------------------ one answer per dossier


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_dossier_code_answers_once(storage, on_day):
    citizen_survey.set_needs_code(storage, ADMIN, YEAR, True)
    added, known = citizen_survey.import_codes(storage, ADMIN, YEAR, xlsx([["Mã xã", "Mã hồ sơ"], [SON_HONG, "000.18.139.H27-221105-0001"]]),
                                               "mot-cua.xlsx")
    assert (added, known) == (1, 0)

    def send(code):
        return citizen_survey.submit_web(storage, YEAR, SON_HONG, answers(4), "", "10.2.2.2", "phone-000000001", Q,
                                         dossier_code=code)

    with pytest.raises(ServiceError, match="cần mã hồ sơ"):
        send(None)
    with pytest.raises(ServiceError, match="Không tìm thấy mã hồ sơ «XYZ-1»"):
        send("xyz-1")
    send(" 000.18.139.h27-221105-0001 ")                   # as typed from the receipt
    with pytest.raises(ServiceError, match="đã được dùng để trả lời khảo sát. Mỗi hồ sơ chỉ trả lời một lần"):
        send("000.18.139.H27-221105-0001")
    with pytest.raises(duckdb.ConstraintException):          # the constraint, should two writers race
        storage._con.execute("INSERT INTO survey_code_use VALUES (2022, '000.18.139.H27-221105-0001', 999)")
    assert storage.scalar("survey_count", year=YEAR) == 1
    codes = citizen_survey.generate_codes(storage, ADMIN, YEAR, [OTHER], 2)
    with pytest.raises(ServiceError, match="Không tìm thấy mã hồ sơ"):       # another commune's code
        send(codes[0]["code"])
    citizen_survey.submit_web(storage, YEAR, OTHER, answers(4), "", "10.3.3.3", "phone-000000002", Q,
                              dossier_code=codes[0]["code"])
    sheet = list(csv.reader(io.StringIO(citizen_survey.codes_csv(storage, ADMIN, YEAR).decode("utf-8-sig"))))
    assert sheet[0][:3] == ["Mã xã", "Tên xã", "Mã phiếu khảo sát"] and [r[2] for r in sheet[1:]] == [codes[1]["code"]]
    citizen_survey.set_needs_code(storage, ADMIN, YEAR, False)  # without the setting: open as today
    citizen_survey.submit_web(storage, YEAR, SON_HONG, answers(4), "", "10.4.4.4", "phone-000000003", Q)
    actions = [r["action"] for r in storage.all("audit_recent", limit=10)]
    assert {"survey.code_setting", "survey.codes"} <= set(actions)


def test_codes_are_imported_from_csv_and_bad_rows_are_named(storage, on_day):
    good = "ma_xa;ma_ho_so\n18139;H27.1-0001\n18142;H27.1-0002\n".encode("utf-8-sig")
    assert citizen_survey.import_codes(storage, ADMIN, YEAR, good, "export.csv") == (2, 0)
    assert citizen_survey.import_codes(storage, ADMIN, YEAR, good, "export.csv") == (0, 2)   # again: nothing twice
    bad = xlsx([["STT", "Mã xã", "Mã hồ sơ"], [1, "18139", "H27.1-0003"], [2, "99999", "H27.1-0004"], [3, "18139", ""],
                [4, "18139", "H27.1-0003"], [5, "18139", "bad code!"]])
    with pytest.raises(WorkbookError) as caught:
        citizen_survey.import_codes(storage, ADMIN, YEAR, bad, "export.xlsx")
    assert caught.value.errors == [
        "Hàng 3, cột B (Mã xã): «99999» không phải mã xã, thị trấn của kỳ.",
        "Hàng 4, cột C (Mã hồ sơ): trống.",
        "Hàng 5, cột C (Mã hồ sơ): «H27.1-0003» trùng với hàng 2.",
        "Hàng 6, cột C (Mã hồ sơ): «bad code!» không phải mã hồ sơ hợp lệ (3–40 chữ cái, chữ số và . / _ -)."]
    assert len(storage.all("survey_codes_of_period", year=YEAR, codes=None)) == 2            # nothing written
    with pytest.raises(WorkbookError, match="hàng tiêu đề"):
        citizen_survey.import_codes(storage, ADMIN, YEAR, b"a,b\n1,2\n", "x.csv")


def test_dossier_codes_from_the_command_line(tmp_path, demo_file, run):  # noqa: F811
    db = shutil.copy(demo_file, tmp_path / "cli.duckdb")
    src = tmp_path / "mot-cua.csv"
    src.write_text("Mã xã,Mã hồ sơ\n18139,H27-CLI-0001\n", encoding="utf-8-sig")
    out = run("survey", "dossiers", "import", str(src), "--period", "2022", env_db=db, check_rc=0).stdout
    assert "Đã nhập 1 mã hồ sơ mới cho kỳ 2022" in out
    src.write_text("Mã xã,Mã hồ sơ\n99999,H27-CLI-0002\n", encoding="utf-8-sig")
    ran = run("survey", "dossiers", "import", str(src), "--period", "2022", env_db=db, check_rc=1)
    assert "Hàng 2, cột A (Mã xã): «99999»" in ran.stdout + ran.stderr
    sheet = tmp_path / "ma.csv"
    out = run("survey", "dossiers", "generate", "--period", "2022", "--per-unit", "2", "--unit", "18139",
              "--out", str(sheet), env_db=db, check_rc=0).stdout
    assert "Đã tạo 2 mã phiếu khảo sát" in out and len(sheet.read_text(encoding="utf-8-sig").splitlines()) == 3

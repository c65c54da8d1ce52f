"""The command line, in this process (`cli.main(argv)`, standard input and output replaced):
fast, and the same code a real process runs. One smoke test runs a real `python -m cchc`
process: the entry point, exit codes and standard input as a shell script sees them."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from cchc.cli import main as cli
from cchc.core import criteria
from cchc.db.storage import Storage

from .conftest import ROOT, TEMPLATE, opened

COMMANDS = [[], ["init"], ["demo"], ["user"], ["user", "add"], ["user", "list"], ["user", "passwd"],
            ["user", "disable"], ["criteria"], ["criteria", "validate"], ["criteria", "export"],
            ["criteria", "import"], ["assessment"], ["assessment", "template"], ["assessment", "import"],
            ["backup"], ["restore"]]


def run_process(*args, stdin: str = "", env_db=None, check_rc=None) -> subprocess.CompletedProcess:
    """A real `python -m cchc ARGS` process."""
    env = {**os.environ, "CCHC_BCRYPT_ROUNDS": "4"}
    if env_db:
        env["CCHC_DB"] = str(env_db)
        env["CCHC_FILES"] = str(env_db.parent / "files")
    proc = subprocess.run([sys.executable, "-m", "cchc", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)
    if check_rc is not None:
        assert proc.returncode == check_rc, proc.stdout + proc.stderr
    return proc


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(monkeypatch, capsys):
    """`python -m cchc ARGS` in this process, as run_process does it: the database of `env_db`,
    `stdin` as standard input (not a terminal), the exit code checked against `check_rc`."""
    def run_in_process(*args, stdin: str = "", env_db=None, check_rc=None) -> Ran:
        capsys.readouterr()
        if env_db:
            monkeypatch.setenv("CCHC_DB", str(env_db))
            monkeypatch.setenv("CCHC_FILES", str(env_db.parent / "files"))
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        rc = cli.main(list(args))
        out, err = capsys.readouterr()
        assert check_rc is None or rc == check_rc, out + err
        return Ran(rc, out, err)
    return run_in_process


@pytest.fixture
def db_env(tmp_path, monkeypatch):
    path = tmp_path / "cli.duckdb"
    monkeypatch.setenv("CCHC_DB", str(path))
    monkeypatch.setenv("CCHC_FILES", str(tmp_path / "files"))
    return path


@pytest.fixture
def installed(db_env, blank_file):
    """An install without the demo (what `init --no-demo` makes, built once per run: the smoke
    test runs init itself) with one evidence file; returns (database, evidence folder)."""
    shutil.copy(blank_file, db_env)
    files = db_env.parent / "files"
    (files / "ab").mkdir(parents=True)
    (files / "ab" / EVIDENCE).write_bytes(b"cu")
    return db_env, files


EVIDENCE = "d" * 64


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "top")
def test_every_command_has_vietnamese_help(words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*words, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Cách dùng: python -m cchc") and "hiện hướng dẫn này" in out


@pytest.mark.parametrize("words", [["user", "add"], ["user", "add", "x"], ["criteria", "export", "--period", "2022"],
                                   ["restore"], ["user", "add", "x", "--role", "vua"], ["khong-co-lenh"]])
def test_a_missing_or_wrong_argument_prints_usage_and_exits_2(words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(words)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Cách dùng:" in err and "lỗi:" in err


def test_a_real_install_from_scratch(tmp_path, run):
    """The smoke test: real `python -m cchc` processes for what a shell script sees (the entry
    point, exit codes 0 and 1, the password read from a pipe, one line on standard error); the
    rest in-process."""
    db = tmp_path / "that.duckdb"
    out = run_process("init", "--no-demo", env_db=db, check_rc=0).stdout
    assert "không có dữ liệu minh họa" in out
    run_process("user", "add", "quantri", "--role", "admin", "--name", "Nguyễn Văn A", stdin="MatKhau#2022\n", env_db=db, check_rc=0)
    run("user", "add", "sonhong", "--role", "commune", "--unit", "18139", stdin="MatKhau#2022\n", env_db=db, check_rc=0)
    listing = run("user", "list", env_db=db, check_rc=0).stdout
    assert "quantri" in listing and "Xã Sơn Hồng" in listing and "Demo" not in listing
    with opened(db) as store:
        rows = store.all("user_list")
        assert [r["username"] for r in rows] == ["quantri", "sonhong"] and not any(r["is_demo"] for r in rows)
        assert store.scalar("setting_get", key="demo") == "0"
    # and a real install refuses the demo on top of real accounts
    proc = run_process("demo", env_db=db, check_rc=1)
    assert proc.stderr.strip().startswith("Lỗi:") and len(proc.stderr.strip().splitlines()) == 1


def test_errors_are_one_line_and_exit_1(db_env, capsys):
    assert cli.main(["user", "list"]) == 1
    assert capsys.readouterr().err.strip() == f"Lỗi: Chưa có cơ sở dữ liệu {db_env}: hãy chạy 'python -m cchc init' trước."


def test_user_commands(installed, capsys, monkeypatch):
    db_env, _ = installed
    monkeypatch.setattr(sys, "stdin", _Stdin("ngan\n"))
    assert cli.main(["user", "add", "quantri", "--role", "admin"]) == 1
    assert "ít nhất 8 ký tự" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", _Stdin("MatKhau#2022\n"))
    assert cli.main(["user", "add", "hd1", "--role", "council"]) == 1
    assert "cần mã cơ quan" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", _Stdin("MatKhau#2022\n"))
    assert cli.main(["user", "add", "xa1", "--role", "commune", "--unit", "00000"]) == 1
    assert "Không có đơn vị mã '00000'" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", _Stdin("MatKhau#2022\n"))
    assert cli.main(["user", "add", "quantri", "--role", "admin"]) == 0
    monkeypatch.setattr(sys, "stdin", _Stdin("MatKhauMoi#2023\n"))
    assert cli.main(["user", "passwd", "quantri", "--must-change"]) == 0
    assert cli.main(["user", "disable", "quantri"]) == 1          # the last admin stays
    assert "quản trị cuối cùng" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", _Stdin("MatKhau#2022\n"))
    assert cli.main(["user", "add", "lanhdao", "--role", "leader"]) == 0
    assert cli.main(["user", "disable", "lanhdao", "--reason", "chuyển công tác"]) == 0
    with opened(db_env) as store:
        assert store.one("user_get", username="lanhdao")["active"] is False
        assert store.one("user_get", username="quantri")["must_change_password"] is True


class _Stdin:
    def __init__(self, text):
        self._lines = iter(text.splitlines(keepends=True))

    def isatty(self):
        return False

    def readline(self):
        return next(self._lines, "")


def test_criteria_validate_lists_every_error(tmp_path, capsys):
    bad = tmp_path / "sai.yaml"
    text = TEMPLATE.read_text(encoding="utf-8").replace('code: "1.1.2"', 'code: "1.1.1"').replace("max: 9\n", "max: 10\n", 1)
    bad.write_text(text, encoding="utf-8")
    assert cli.main(["criteria", "validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "không nạp gì" in err
    assert "Tiêu chí 1.1.1: mã bị trùng." in err
    assert "Tiêu chí 1: điểm tối đa 10 khác tổng điểm các tiêu chí con" in err


def test_criteria_validate_accepts_the_template(capsys):
    assert cli.main(["criteria", "validate", str(TEMPLATE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Hợp lệ:") and "Tự đánh giá, thẩm định: 70 điểm" in out


def test_criteria_export_then_import_a_new_version(installed, tmp_path, capsys):
    db_env, _ = installed
    out = tmp_path / "bo.yaml"
    assert cli.main(["criteria", "export", "--period", "2022", "--out", str(out)]) == 0
    assert criteria.load_yaml_file(out) == criteria.load_yaml_file(TEMPLATE)
    assert cli.main(["criteria", "import", str(out), "--period", "2022"]) == 1     # same version
    assert "tăng phiên bản" in capsys.readouterr().err
    out.write_text(out.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    assert cli.main(["criteria", "import", str(out), "--period", "2022"]) == 0
    assert cli.main(["criteria", "import", str(out), "--period", "2031"]) == 1
    assert "Chưa có kỳ đánh giá năm 2031" in capsys.readouterr().err


def test_criteria_import_is_refused_once_a_commune_has_submitted(demo_file, tmp_path, monkeypatch, capsys):
    import shutil
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, db)
    monkeypatch.setenv("CCHC_DB", str(db))
    out = tmp_path / "bo.yaml"
    assert cli.main(["criteria", "export", "--period", "2022", "--out", str(out)]) == 0
    out.write_text(out.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    assert cli.main(["criteria", "import", str(out), "--period", "2022"]) == 1
    assert "đã có 8 đơn vị nộp" in capsys.readouterr().err


def test_backup_and_restore_round_trip(tmp_path, blank_file, run):
    db = Path(shutil.copy(blank_file, tmp_path / "a.duckdb"))
    files = tmp_path / "files" / "ab"
    files.mkdir(parents=True)
    (files / ("c" * 64)).write_bytes(b"%PDF-1.4 minh chung")
    backup_file = tmp_path / "sao-luu.zip"
    assert "1 tệp minh chứng" in run("backup", "--out", str(backup_file), env_db=db, check_rc=0).stdout
    assert run("backup", "--out", str(backup_file), env_db=db, check_rc=1).stderr.startswith("Lỗi: Tệp")
    # change the data after the backup, then restore and find the old state again
    run("user", "add", "sau", "--role", "leader", stdin="MatKhau#2022\n", env_db=db, check_rc=0)
    (files / ("c" * 64)).unlink()
    refused = run("restore", str(backup_file), env_db=db, check_rc=1)
    assert "--yes" in refused.stderr
    restored = run("restore", str(backup_file), "--yes", env_db=db, check_rc=0).stdout
    assert "Đã khôi phục bản sao lưu tạo ngày" in restored
    assert (files / ("c" * 64)).read_bytes() == b"%PDF-1.4 minh chung"
    with opened(db) as store:
        assert store.one("user_get", username="sau") is None
        assert store.all("audit_recent", limit=1)[0]["action"] == "backup.restore"
    assert list(tmp_path.glob("a.duckdb.truoc-khoi-phuc-*"))     # the replaced database is kept


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_text("không phải zip"), "không phải tệp .zip hợp lệ"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("x.txt", "x"), "thiếu tệp mô tả"),
    (lambda p: _zip(p, {"cchc-backup.json": '{"app": "khac"}', "cchc.duckdb": "x"}), "không phải bản sao lưu"),
    (lambda p: _zip(p, {"cchc-backup.json": '{"app": "cchc"}', "cchc.duckdb": "x", "files/../../etc/passwd": "x"}), "tệp lạ"),
    (lambda p: _zip(p, {"cchc-backup.json": '{"app": "cchc"}', "cchc.duckdb": "khong phai duckdb"}), "bị hỏng"),
])
def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(installed, tmp_path, make, message, capsys):
    db, _ = installed
    before = db.read_bytes()
    bad = tmp_path / "bad.zip"
    make(bad)
    assert cli.main(["restore", str(bad), "--yes"]) == 1
    assert message in capsys.readouterr().err
    assert db.read_bytes() == before and not list(tmp_path.glob("*.truoc-khoi-phuc-*"))


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_a_restore_that_fails_midway_puts_everything_back(installed, tmp_path, monkeypatch, capsys):
    import shutil as sh
    db, files = installed
    backup_file = tmp_path / "b.zip"
    assert cli.main(["backup", "--out", str(backup_file)]) == 0
    (files / "ab" / EVIDENCE).write_bytes(b"moi")
    before = db.read_bytes()
    real_move = sh.move

    def failing_move(src, dst, *args, **kwargs):
        if str(dst) == str(files) and "truoc-khoi-phuc" not in str(src):   # the restored files
            raise OSError(18, "Invalid cross-device link")
        return real_move(src, dst, *args, **kwargs)

    monkeypatch.setattr(sh, "move", failing_move)
    assert cli.main(["restore", str(backup_file), "--yes"]) == 1
    assert "dữ liệu hiện tại được giữ nguyên" in capsys.readouterr().err
    assert db.read_bytes() == before
    assert (files / "ab" / EVIDENCE).read_bytes() == b"moi"
    assert not list(tmp_path.glob("*.truoc-khoi-phuc-*"))


def test_a_backup_holds_only_evidence_files(installed, tmp_path):
    db, files = installed
    (files / "ghi-chu.txt").write_text("không phải minh chứng")
    out = tmp_path / "b.zip"
    assert cli.main(["backup", "--out", str(out)]) == 0
    names = zipfile.ZipFile(out).namelist()
    assert f"files/ab/{EVIDENCE}" in names and "files/ghi-chu.txt" not in names
    assert cli.main(["restore", str(out), "--yes"]) == 0                 # and it restores


@pytest.mark.parametrize("words", [["criteria", "validate", "/"], ["criteria", "export", "--period", "2022", "--out", "/khong/co/thu-muc/x.yaml"],
                                   ["backup", "--out", "/khong/co/thu-muc/x.zip"]])
def test_unwritable_or_unreadable_paths_are_one_line_errors(installed, words, capsys):
    assert cli.main(words) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(("Lỗi:", "Bộ tiêu chí có")) and "Traceback" not in err


def test_assessment_template_then_import_and_submit(installed, tmp_path, monkeypatch, capsys):
    from openpyxl import load_workbook

    from cchc.core import assessment as rules
    from cchc.files.assessment_workbook import COL, FIRST_ROW, SHEET
    monkeypatch.setenv("CCHC_TODAY", "2022-11-09")
    out = tmp_path / "mau.xlsx"
    assert cli.main(["assessment", "template", "--period", "2022", "--unit", "18139", "--out", str(out)]) == 0
    wb = load_workbook(out)
    ws = wb[SHEET]
    scored = {leaf.code: leaf for leaf in rules.scored_leaves(criteria.load_yaml_file(TEMPLATE))}
    for r in range(FIRST_ROW, ws.max_row + 1):
        code = ws.cell(r, COL["code"]).value
        if code in scored:
            ws.cell(r, COL["points"]).value = float(scored[code].max_points)
            ws.cell(r, COL["docs"]).value = f"{code}/KH-UBND | 05/01/2022 | Kế hoạch"
    wb.save(out)
    assert cli.main(["assessment", "import", str(out), "--submit"]) == 0
    assert "Đã nhập 52 thay đổi cho đơn vị 18139, kỳ 2022 và đã nộp." in capsys.readouterr().out
    assert cli.main(["assessment", "import", str(out)]) == 1          # submitted: the form is locked
    assert "đã nộp" in capsys.readouterr().err
    db, _ = installed
    with opened(db) as store:
        last = store.all("audit_recent", limit=1)[0]
        assert (last["action"], last["actor"]) == ("assessment.submit", "cli")


def test_assessment_import_lists_workbook_errors(installed, tmp_path, capsys):
    bad = tmp_path / "khong-phai.xlsx"
    bad.write_bytes(b"MZ\x90\x00 executable")
    assert cli.main(["assessment", "import", str(bad)]) == 1
    assert "không phải sổ tính Excel" in capsys.readouterr().err


def test_restore_in_place_while_the_database_is_open(installed, tmp_path):
    import io as _io

    from cchc.core.permissions import CLI_USER
    from cchc.services import backup
    db_path, files = installed
    store = Storage(db_path)
    buffer = _io.BytesIO()
    backup.create_backup(store, files, buffer, CLI_USER)
    store.write(lambda tx: tx.run("setting_put", key="sau_sao_luu", value="1"))
    with pytest.raises(backup.BackupError):
        backup.restore_in_place(store, _io.BytesIO(b"not a zip"), files, CLI_USER)
    assert store.scalar("setting_get", key="sau_sao_luu") == "1"          # a bad file: still open, unchanged
    backup.restore_in_place(store, buffer, files, CLI_USER)
    with opened(db_path) as reopened:
        assert reopened.scalar("setting_get", key="sau_sao_luu") is None
        assert reopened.all("audit_recent", limit=1)[0]["action"] == "backup.restore"


def _dump(path) -> dict:
    """Every table of a database, every row, in a fixed order (audit log included)."""
    with opened(path) as store:
        con = store._con
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}


def test_a_restored_demo_is_identical_to_the_backed_up_one(demo_file, tmp_path, run):
    db = Path(shutil.copy(demo_file, tmp_path / "a.duckdb"))
    before = _dump(db)
    assert len(before["score"]) > 100 and len(before["survey_answer"]) > 500
    backup_file = tmp_path / "sao-luu.zip"
    run("backup", "--out", str(backup_file), env_db=db, check_rc=0)
    run("user", "add", "sau", "--role", "leader", stdin="MatKhau#2022\n", env_db=db, check_rc=0)
    run("restore", str(backup_file), "--yes", env_db=db, check_rc=0)
    after = _dump(db)
    restore_rows = [r for r in after["audit_log"] if r[3] == "backup.restore"]
    assert len(restore_rows) == 1                      # the restore itself is the only new row
    after["audit_log"] = [r for r in after["audit_log"] if r[3] != "backup.restore"]
    before["audit_log"] = [r for r in before["audit_log"] if r[3] != "backup.create"]
    after["audit_log"] = [r for r in after["audit_log"] if r[3] != "backup.create"]
    assert after == before


def test_results_show_and_export(demo_file, tmp_path, run):
    import json as _json
    db = Path(shutil.copy(demo_file, tmp_path / "a.duckdb"))
    table = run("results", "show", "--period", "2022", env_db=db, check_rc=0).stdout
    assert table.splitlines()[0].split()[:3] == ["Hạng", "Mã", "Đơn"] and "Số liệu tạm tính" in table
    data = _json.loads(run("results", "show", "--period", "2022", "--format", "json", env_db=db, check_rc=0).stdout)
    assert data["provisional"] and len(data["units"]) == 25 and data["units"][0]["rank"] == 1
    lines = run("results", "show", "--period", "2022", "--format", "csv", env_db=db, check_rc=0).stdout.splitlines()
    assert lines[0].startswith("Hạng,Mã,Đơn vị") and len(lines) == 26
    out = tmp_path / "ket-qua.xlsx"
    assert "25 đơn vị" in run("results", "export", "--period", "2022", "--out", str(out), env_db=db, check_rc=0).stdout
    from openpyxl import load_workbook
    assert load_workbook(out).sheetnames == ["Kết quả", "Chỉ số thành phần"]
    assert "đã có" in run("results", "export", "--period", "2022", "--out", str(out), env_db=db, check_rc=1).stderr
    assert "Chưa có kỳ đánh giá năm 2031" in run("results", "show", "--period", "2031", env_db=db, check_rc=1).stderr
    store = Storage(db)                 # a hand edit shows at once: the results are computed on read
    store.write(lambda tx: tx.cur.execute("UPDATE score SET self_points = 0, appraised_points = 0 WHERE unit_code = '18139'"))
    store.close()
    again = _json.loads(run("results", "show", "--period", "2022", "--format", "json", env_db=db, check_rc=0).stdout)
    assert next(u for u in again["units"] if u["unit_code"] == "18139")["self_points"] == 0


# ------------------------------------------------------------------ bad inputs: a message, never a traceback


def test_criteria_with_a_huge_max_or_aliases_is_a_message(tmp_path, run):
    huge = tmp_path / "lon.yaml"
    huge.write_text(TEMPLATE.read_text(encoding="utf-8").replace("max: 1\n", "max: 1e308\n", 1), encoding="utf-8")
    ran = run("criteria", "validate", str(huge), check_rc=1)
    assert "điểm tối đa (max) '1e308' không phải là số." in ran.stderr and "Traceback" not in ran.stderr + ran.stdout
    bomb = tmp_path / "bom.yaml"
    bomb.write_text('a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n', encoding="utf-8")
    ran = run("criteria", "validate", str(bomb), check_rc=1)
    assert "Tệp YAML dùng neo hoặc bí danh (&, *, <<) ở dòng 1, cột 4" in ran.stderr


def test_criteria_import_of_a_huge_max_is_a_message(installed, tmp_path, run):
    huge = tmp_path / "lon.yaml"
    huge.write_text(TEMPLATE.read_text(encoding="utf-8").replace("version: 1", "version: 2")
                    .replace("max: 1\n", "max: 1.0e+308\n", 1), encoding="utf-8")
    ran = run("criteria", "import", str(huge), "--period", "2022", check_rc=1)
    assert "'1e+308' quá lớn." in ran.stderr and "Traceback" not in ran.stderr


@pytest.mark.parametrize("value, message", [(1e308, "«1e+308» quá lớn."),
                                            ("1e-999999999", "«1e-999999999» không phải là số.")])
def test_assessment_import_of_an_odd_score_is_a_message_and_changes_nothing(installed, tmp_path, monkeypatch, run,
                                                                           value, message):
    from openpyxl import load_workbook

    from cchc.files.assessment_workbook import COL, FIRST_ROW, SHEET
    monkeypatch.setenv("CCHC_TODAY", "2022-11-09")
    out = tmp_path / "mau.xlsx"
    run("assessment", "template", "--period", "2022", "--unit", "18139", "--out", str(out), check_rc=0)
    wb = load_workbook(out)
    ws = wb[SHEET]
    row = next(r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, COL["code"]).value == "1.1.1")
    ws.cell(row, COL["points"]).value = value
    wb.save(out)
    db, _ = installed
    with opened(db) as store:
        before = store.all("audit_recent", limit=3)
    ran = run("assessment", "import", str(out), check_rc=1)
    assert message in ran.stderr and "Traceback" not in ran.stderr
    with opened(db) as store:
        assert store.all("audit_recent", limit=3) == before


def test_restore_of_an_oversized_backup_is_refused_and_changes_nothing(installed, tmp_path, monkeypatch, run):
    db, _ = installed
    before = db.read_bytes()
    bad = tmp_path / "lon.zip"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("cchc-backup.json", '{"app": "cchc"}')
        zf.writestr("cchc.duckdb", bytes(3 * 1024 * 1024))
    monkeypatch.setenv("CCHC_RESTORE_MAX_MB", "2")
    ran = run("restore", str(bad), "--yes", check_rc=1)
    assert ran.stderr.startswith("Lỗi: Cơ sở dữ liệu trong bản sao lưu giải nén ra lớn hơn 2 MB")
    assert db.read_bytes() == before                           # nothing staged is left behind either
    assert sorted(p.name for p in db.parent.iterdir()) == sorted([db.name, "files", bad.name])

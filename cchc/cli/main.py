"""`python -m cchc …`: set-up and administration from the command line, acting as admin.

Errors print one line and exit 1; a wrong or missing argument prints the usage and exits 2.
The database belongs to one process at a time: run these with the app stopped.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from pathlib import Path
from typing import Callable

from cchc import config
from cchc.cli import db as cli_db
from cchc.cli import documents as cli_documents
from cchc.cli import results as cli_results
from cchc.cli import survey as cli_survey
from cchc.cli.common import CliError, open_storage
from cchc.core import criteria
from cchc.core.assessment import ScoreError
from cchc.core.permissions import CLI_USER, ROLES
from cchc.core.text import fmt_points
from cchc.db.storage import Storage, StorageError
from cchc.files import assessment_workbook as excel_io
from cchc.services import (
    PermissionDenied,
    ServiceError,
    assessment,
    backup,
    reference,
    seed,
    users,
)
from cchc.services.common import is_demo

_ARGPARSE_MESSAGES = (
    (r"the following arguments are required: ", "thiếu tham số bắt buộc: "),
    (r"unrecognized arguments: ", "tham số không nhận ra: "),
    (r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)", r"tham số \1: giá trị \2 không hợp lệ (chọn một trong \3)"),
    (r"argument (\S+): invalid int value: (.*)", r"tham số \1: \2 không phải số nguyên"),
    (r"argument (\S+): expected one argument", r"tham số \1 cần một giá trị"),
)


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="Cách dùng: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse, in Vietnamese where it speaks to the user."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "Tham số"
        self._optionals.title = "Tùy chọn"
        self.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")

    def error(self, message: str) -> None:  # exit status 2, as argparse does
        for english, vietnamese in _ARGPARSE_MESSAGES:
            message = re.sub(english, vietnamese, message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {message}\n")


def _read_password(confirm: bool = True) -> str:
    """From standard input when it is not a terminal (scripts), else from a hidden prompt."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise CliError("Không đọc được mật khẩu từ đầu vào chuẩn.")
        return line
    first = getpass.getpass("Mật khẩu: ")
    if confirm and getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise CliError("Hai lần nhập mật khẩu không khớp.")
    return first


# ------------------------------------------------------------------ commands


def cmd_init(args: argparse.Namespace, settings: config.Settings) -> None:
    existed = settings.db_path.exists()
    storage = Storage(settings.db_path)
    try:
        storage.migrate()
        if seed.initialize(storage, demo=not args.no_demo):
            kind = "không có dữ liệu minh họa" if args.no_demo else "kèm dữ liệu minh họa"
            print(f"Đã khởi tạo cơ sở dữ liệu {settings.db_path} ({kind}).")
            if args.no_demo:
                print("Tiếp theo: tạo tài khoản quản trị, ví dụ 'python -m cchc user add quantri --role admin'.")
        else:
            state = "đã có từ trước" if existed else "đã được khởi tạo"
            print(f"Cơ sở dữ liệu {settings.db_path} {state}; đã cập nhật cấu trúc, không thay đổi dữ liệu.")
    finally:
        storage.close()


def cmd_demo(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = Storage(settings.db_path)
    try:
        storage.migrate()
        if not seed.is_initialized(storage):
            seed.initialize(storage, demo=True)
        else:
            seed.add_demo(storage)
        print(f"Đã tạo dữ liệu minh họa trong {settings.db_path}. Mật khẩu các tài khoản minh họa: "
              f"{seed.district_config()['demo']['password']}")
    finally:
        storage.close()


def cmd_user_add(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    password = _read_password()
    users.add_user(storage, CLI_USER, args.username, args.name or args.username, args.role, password,
                   unit_code=args.unit, office_code=args.office, must_change_password=args.must_change,
                   email=args.email)
    print(f"Đã tạo tài khoản '{args.username.lower()}' ({ROLES[args.role]}).")
    if is_demo(storage):
        print("Lưu ý: đây là cơ sở dữ liệu minh họa (tài khoản này là tài khoản thật, dữ liệu thì không). "
              "Cài đặt thật: 'python -m cchc init --no-demo' trên một tệp cơ sở dữ liệu mới.")


def cmd_user_list(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    rows = users.list_users(storage, CLI_USER)
    print(f"{'Tên đăng nhập':<16} {'Vai trò':<9} {'Đơn vị/cơ quan':<24} {'Trạng thái':<10} Họ tên")
    for r in rows:
        where = r["unit_name"] or r["office_code"] or ""
        state = "hoạt động" if r["active"] else "đã khóa"
        print(f"{r['username']:<16} {r['role']:<9} {where:<24} {state:<10} {r['full_name']}")


def cmd_user_passwd(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    users.set_password(storage, CLI_USER, args.username, _read_password(), must_change=args.must_change)
    print(f"Đã đặt mật khẩu mới cho '{args.username}'.")


def cmd_user_disable(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    users.set_active(storage, CLI_USER, args.username, False, reason=args.reason)
    print(f"Đã khóa tài khoản '{args.username}'. Tài khoản không bị xóa; lịch sử được giữ nguyên.")


def _print_errors(exc: criteria.CriteriaError) -> None:
    print(f"Bộ tiêu chí có {len(exc.errors)} lỗi, không nạp gì:", file=sys.stderr)
    for line in exc.errors:
        print(f"  - {line}", file=sys.stderr)


def cmd_criteria_validate(args: argparse.Namespace, settings: config.Settings) -> None:
    offices = [o["code"] for o in seed.read_offices(config.DATA_DIR, seed.district_config())]
    cs = criteria.load_yaml_file(args.file, offices)
    by_source = cs.points_by_source()
    print(f"Hợp lệ: {cs.name} (mã {cs.code}, phiên bản {cs.version}), {len(cs.fields())} lĩnh vực, "
          f"{len(cs.leaves())} tiêu chí chấm điểm.")
    for source, label in criteria.SOURCES.items():
        if by_source[source]:
            print(f"  {label}: {fmt_points(by_source[source])} điểm")


def cmd_criteria_export(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    sets = {r["kind"]: r["set"] for r in reference.period_sets(storage, CLI_USER, args.period)}
    cs = sets.get(args.unit_kind or "all")
    if cs is None:
        raise CliError(f"Kỳ {args.period} chưa có bộ tiêu chí"
                       + (f" riêng cho {criteria.APPLIES_TO[args.unit_kind].lower()}." if args.unit_kind else "."))
    Path(args.out).write_text(criteria.to_yaml(cs), encoding="utf-8")
    print(f"Đã xuất bộ tiêu chí kỳ {args.period} ({cs.code} phiên bản {cs.version}) ra {args.out}.")


def cmd_criteria_import(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    cs = criteria.load_yaml_file(args.file, reference.office_codes(storage))
    reference.import_criteria_set(storage, CLI_USER, cs, args.period, args.reason)
    print(f"Đã nạp bộ tiêu chí {cs.code} phiên bản {cs.version} ({len(cs.leaves())} tiêu chí chấm điểm) cho kỳ {args.period}.")


def cmd_assessment_template(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    _, data = assessment.workbook(storage, CLI_USER, args.period, args.unit)
    Path(args.out).write_bytes(data)
    print(f"Đã xuất biểu mẫu tự đánh giá kỳ {args.period} của đơn vị {args.unit} ra {args.out}.")


def cmd_assessment_import(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    data = Path(args.file).read_bytes()
    meta = excel_io.read_meta(data)           # the workbook says which unit and period it is for
    year, unit_code = int(meta["year"]), meta["unit_code"]
    changed = assessment.import_workbook(storage, CLI_USER, year, unit_code, data, submit_after=args.submit)
    done = " và đã nộp" if args.submit else ""
    print(f"Đã nhập {changed} thay đổi cho đơn vị {unit_code}, kỳ {year}{done}.")


def cmd_backup(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    out = Path(args.out)
    if out.exists() and not args.force:
        raise CliError(f"Tệp {out} đã có; dùng --force để ghi đè.")
    manifest = backup.create_backup(storage, settings.files_dir, out, CLI_USER)
    print(f"Đã sao lưu cơ sở dữ liệu và {manifest['files']} tệp minh chứng vào {out}.")


def cmd_restore(args: argparse.Namespace, settings: config.Settings) -> None:
    source = Path(args.file)
    if not source.is_file():
        raise CliError(f"Không tìm thấy tệp {source}.")
    manifest = backup.read_manifest(source)
    made = manifest.get("created_at", "?").replace("T", " lúc ")
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError(f"Bản sao lưu tạo ngày {made}: thêm --yes để xác nhận khôi phục khi chạy không tương tác.")
        answer = input(f"Khôi phục bản sao lưu tạo ngày {made}? Dữ liệu hiện tại sẽ được thay thế. Gõ 'co' để xác nhận: ")
        if answer.strip().lower() not in ("co", "có"):
            raise CliError("Đã hủy, không thay đổi gì.")
    backup.restore_backup(source, settings.db_path, settings.files_dir, CLI_USER)
    print(f"Đã khôi phục bản sao lưu tạo ngày {made}. Dữ liệu cũ được giữ bên cạnh với đuôi '.truoc-khoi-phuc-…'.")


# ------------------------------------------------------------------ the parser


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m cchc", description="Quản trị ứng dụng Chỉ số CCHC cấp xã từ dòng lệnh "
                "(hành động với quyền quản trị, được ghi nhật ký). Chạy khi ứng dụng đã dừng.")
    sub = p.add_subparsers(dest="command", required=True, metavar="LỆNH", parser_class=_Parser)

    def add(parent, name: str, func: Callable, help_text: str) -> argparse.ArgumentParser:
        sp = parent.add_parser(name, help=help_text, description=help_text)
        sp.set_defaults(func=func)
        return sp

    sp = add(sub, "init", cmd_init, "Tạo cơ sở dữ liệu và nạp dữ liệu danh mục (kèm dữ liệu minh họa, trừ khi --no-demo).")
    sp.add_argument("--no-demo", action="store_true", help="cài đặt thật: không tạo tài khoản và dữ liệu minh họa")
    add(sub, "demo", cmd_demo, "Tạo dữ liệu và tài khoản minh họa (từ chối nếu đã có tài khoản thật).")

    user = sub.add_parser("user", help="Quản lý tài khoản.", description="Quản lý tài khoản.")
    usub = user.add_subparsers(dest="user_command", required=True, metavar="LỆNH", parser_class=_Parser)
    sp = add(usub, "add", cmd_user_add, "Tạo tài khoản; mật khẩu đọc từ đầu vào chuẩn hoặc hỏi ẩn.")
    sp.add_argument("username", metavar="USERNAME", help="tên đăng nhập (chữ thường không dấu, số, . _ -)")
    sp.add_argument("--role", required=True, choices=list(ROLES), help="vai trò")
    sp.add_argument("--unit", metavar="CODE", help="mã đơn vị hành chính (bắt buộc với vai trò commune)")
    sp.add_argument("--office", metavar="CODE", help="mã cơ quan (bắt buộc với vai trò council)")
    sp.add_argument("--name", help="họ tên hiển thị")
    sp.add_argument("--must-change", action="store_true", help="buộc đổi mật khẩu ở lần đăng nhập tới")
    sp.add_argument("--email", help="địa chỉ e-mail (không bắt buộc): nơi nhận thông báo đôn đốc")
    add(usub, "list", cmd_user_list, "Liệt kê tài khoản.")
    sp = add(usub, "passwd", cmd_user_passwd, "Đặt mật khẩu mới; mật khẩu đọc từ đầu vào chuẩn hoặc hỏi ẩn.")
    sp.add_argument("username", metavar="USERNAME")
    sp.add_argument("--must-change", action="store_true", help="buộc đổi mật khẩu ở lần đăng nhập tới")
    sp = add(usub, "disable", cmd_user_disable, "Khóa tài khoản (không xóa).")
    sp.add_argument("username", metavar="USERNAME")
    sp.add_argument("--reason", default="", help="lý do (ghi vào nhật ký)")

    crit = sub.add_parser("criteria", help="Bộ tiêu chí (YAML).", description="Bộ tiêu chí (YAML).")
    csub = crit.add_subparsers(dest="criteria_command", required=True, metavar="LỆNH", parser_class=_Parser)
    sp = add(csub, "validate", cmd_criteria_validate, "Kiểm tra một tệp bộ tiêu chí, liệt kê mọi lỗi.")
    sp.add_argument("file", metavar="FILE")
    sp = add(csub, "export", cmd_criteria_export, "Xuất bộ tiêu chí của một kỳ ra tệp YAML.")
    sp.add_argument("--period", type=int, required=True, metavar="YEAR")
    sp.add_argument("--out", required=True, metavar="FILE")
    sp.add_argument("--unit-kind", choices=["xa", "thi_tran", "phuong"],
                    help="xuất bộ riêng của loại đơn vị này (mặc định: bộ chung)")
    sp = add(csub, "import", cmd_criteria_import,
             "Nạp bộ tiêu chí từ tệp YAML và gắn vào một kỳ (bộ chung, hoặc bộ riêng theo «applies_to»).")
    sp.add_argument("file", metavar="FILE")
    sp.add_argument("--period", type=int, required=True, metavar="YEAR")
    sp.add_argument("--reason", default="", help="lý do (bắt buộc khi có điểm đã nhập không hợp với bộ mới)")

    ass = sub.add_parser("assessment", help="Tự đánh giá của cấp xã (Excel).", description="Tự đánh giá của cấp xã (Excel).")
    asub = ass.add_subparsers(dest="assessment_command", required=True, metavar="LỆNH", parser_class=_Parser)
    sp = add(asub, "template", cmd_assessment_template, "Xuất biểu mẫu Excel tự đánh giá của một đơn vị (kèm điểm đã lưu).")
    sp.add_argument("--period", type=int, required=True, metavar="YEAR")
    sp.add_argument("--unit", required=True, metavar="CODE")
    sp.add_argument("--out", required=True, metavar="FILE.xlsx")
    sp = add(asub, "import", cmd_assessment_import, "Nhập biểu mẫu Excel đã điền (tất cả hoặc không gì).")
    sp.add_argument("file", metavar="FILE.xlsx")
    sp.add_argument("--submit", action="store_true", help="nộp luôn sau khi nhập (nếu đủ điều kiện)")

    cli_results.register(sub, add)
    cli_documents.register(sub, add)

    cli_survey.register(sub)

    cli_db.register(sub, add)

    sp = add(sub, "backup", cmd_backup, "Sao lưu cơ sở dữ liệu và tệp minh chứng vào một tệp .zip.")
    sp.add_argument("--out", required=True, metavar="FILE")
    sp.add_argument("--force", action="store_true", help="ghi đè nếu tệp đã có")
    sp = add(sub, "restore", cmd_restore, "Khôi phục từ một bản sao lưu (dữ liệu cũ được giữ lại bên cạnh).")
    sp.add_argument("file", metavar="FILE")
    sp.add_argument("--yes", action="store_true", help="không hỏi xác nhận")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = config.from_env()
        args.func(args, settings)
    except criteria.CriteriaError as exc:
        _print_errors(exc)
        return 1
    except (excel_io.WorkbookError, ScoreError) as exc:
        lines = getattr(exc, "errors", [str(exc)])
        print(f"Sổ tính có {len(lines)} lỗi, không nhập gì:", file=sys.stderr)
        for line in lines:
            print(f"  - {line}", file=sys.stderr)
        return 1
    except (CliError, ServiceError, PermissionDenied, StorageError, backup.BackupError, config.ConfigError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:          # a path that cannot be read or written
        where = f" {exc.filename}" if exc.filename else ""
        print(f"Lỗi: không đọc/ghi được tệp{where}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    return 0

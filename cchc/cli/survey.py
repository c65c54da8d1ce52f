"""`python -m cchc survey …`: QR codes, the paper-form template and its import, the export, and
one-time codes for the officials' survey. Wired into cchc/cli.py by `register(subparsers)`."""

from __future__ import annotations

import argparse
from pathlib import Path

from cchc import config
from cchc.cli.common import CliError, open_storage
from cchc.core import survey as rules
from cchc.core.permissions import CLI_USER
from cchc.files.workbook import WorkbookError
from cchc.services import citizen_survey, official_survey, reference, seed


def _data_errors(func):
    """A broken questionnaire file is reported like other errors: one line each, exit 1."""
    def run(args, settings):
        try:
            return func(args, settings)
        except rules.SurveyDataError as exc:
            raise CliError("tệp phiếu trong data/surveys có lỗi: " + " ".join(exc.errors)) from None
    return run


def cmd_qr(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    files = citizen_survey.qr_files(storage, CLI_USER, args.period, args.base_url, seed.district_config()["district"]["name"])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    sheet = next(n for n in files if n.endswith(".html"))
    print(f"Đã tạo {len(files) - 1} mã QR (PNG) và trang A4 để in ({sheet}) trong {out}.")


def cmd_template(args: argparse.Namespace, settings: config.Settings) -> None:
    year = None
    if settings.db_path.exists():
        storage = open_storage(settings)
        year = args.period or reference.latest_year(storage)
        data = citizen_survey.paper_template(storage, CLI_USER, year)
    else:
        from cchc.files.survey_workbook import build_template

        data = build_template(rules.citizen_questionnaire(), [])
    Path(args.out).write_bytes(data)
    units = f" (danh mục đơn vị kỳ {year})" if year else ""
    print(f"Đã xuất biểu mẫu nhập phiếu khảo sát giấy ra {args.out}{units}.")


def cmd_import(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    count = citizen_survey.import_paper(storage, CLI_USER, args.period, Path(args.file).read_bytes(), again=args.again)
    print(f"Đã nhập {count} phiếu khảo sát giấy cho kỳ {args.period}.")


def cmd_export(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    _, data = citizen_survey.export(storage, CLI_USER, args.period, args.unit)
    Path(args.out).write_bytes(data)
    print(f"Đã xuất phiếu khảo sát và bảng tổng hợp kỳ {args.period} ra {args.out}.")


def cmd_codes(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    units = args.unit or [u["code"] for u in reference.public_units(storage, args.period)]
    codes = official_survey.issue_codes(storage, CLI_USER, args.period, args.group, units, args.per_unit)
    Path(args.out).write_bytes(official_survey.codes_sheet(storage, CLI_USER, args.period, codes))
    print(f"Đã tạo {len(codes)} mã phiếu điều tra (nhóm {args.group}) và ghi danh sách để in ra {args.out}.")


def cmd_dossiers_import(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    path = Path(args.file)
    try:
        added, known = citizen_survey.import_codes(storage, CLI_USER, args.period, path.read_bytes(), path.name)
    except WorkbookError as exc:
        raise CliError(f"tệp có {len(exc.errors)} lỗi, chưa nhập mã nào: " + " ".join(exc.errors[:50])) from None
    print(f"Đã nhập {added} mã hồ sơ mới cho kỳ {args.period} ({known} mã đã có từ trước).")


def cmd_dossiers_generate(args: argparse.Namespace, settings: config.Settings) -> None:
    storage = open_storage(settings)
    units = args.unit or [u["code"] for u in reference.public_units(storage, args.period)]
    rows = citizen_survey.generate_codes(storage, CLI_USER, args.period, units, args.per_unit)
    Path(args.out).write_bytes(citizen_survey.codes_csv(storage, CLI_USER, args.period, rows))
    print(f"Đã tạo {len(rows)} mã phiếu khảo sát dùng một lần và ghi danh sách để in ra {args.out}.")


def register(sub) -> None:
    """Add `survey` and its commands to the top-level subparsers of cchc.cli."""
    parser = sub.add_parser("survey", help="Khảo sát sự hài lòng và điều tra xã hội học.",
                            description="Khảo sát sự hài lòng và điều tra xã hội học.")
    ssub = parser.add_subparsers(dest="survey_command", required=True, metavar="LỆNH", parser_class=type(parser))

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        sp = ssub.add_parser(name, help=help_text, description=help_text)
        sp.set_defaults(func=_data_errors(func))
        return sp

    sp = add("qr", cmd_qr, "Tạo mã QR khảo sát (PNG cho từng xã và một trang A4 để in).")
    sp.add_argument("--period", type=int, required=True, metavar="YEAR")
    sp.add_argument("--base-url", required=True, metavar="URL", help="địa chỉ công khai của ứng dụng, ví dụ https://cchc.huongson.gov.vn")
    sp.add_argument("--out", required=True, metavar="DIR", help="thư mục ghi tệp (tạo nếu chưa có)")
    sp = add("template", cmd_template, "Xuất biểu mẫu Excel để nhập phiếu khảo sát giấy.")
    sp.add_argument("--out", required=True, metavar="FILE.xlsx")
    sp.add_argument("--period", type=int, metavar="YEAR", help="kỳ lấy danh mục đơn vị (mặc định: kỳ mới nhất)")
    sp = add("import", cmd_import, "Nhập các phiếu giấy trong biểu mẫu đã điền (tất cả hoặc không gì).")
    sp.add_argument("file", metavar="FILE.xlsx")
    sp.add_argument("--period", type=int, required=True, metavar="YEAR")
    sp.add_argument("--again", action="store_true", help="nhập cả khi tệp này đã được nhập trước đó")
    sp = add("export", cmd_export, "Xuất phiếu khảo sát và bảng tổng hợp tỷ lệ hài lòng ra Excel.")
    sp.add_argument("--period", type=int, required=True, metavar="YEAR")
    sp.add_argument("--out", required=True, metavar="FILE.xlsx")
    sp.add_argument("--unit", metavar="CODE", help="chỉ một đơn vị")
    sp = add("codes", cmd_codes, "Tạo mã phiếu điều tra xã hội học dùng một lần và ghi danh sách để in.")
    sp.add_argument("--period", type=int, required=True, metavar="YEAR")
    sp.add_argument("--group", required=True, metavar="GROUP", help="mã nhóm người trả lời (trong data/surveys/dieu-tra-xa-hoi-hoc.yaml)")
    sp.add_argument("--per-unit", type=int, default=1, metavar="N", help="số mã cho mỗi xã (mặc định 1)")
    sp.add_argument("--unit", action="append", metavar="CODE", help="chỉ các xã này (lặp lại được); mặc định mọi xã")
    sp.add_argument("--out", required=True, metavar="FILE.xlsx")
    dp = ssub.add_parser("dossiers", help="Mã hồ sơ cho khảo sát mỗi hồ sơ một phiếu.",
                         description="Mã hồ sơ cho khảo sát mỗi hồ sơ một phiếu.")
    dsub = dp.add_subparsers(dest="dossiers_command", required=True, metavar="LỆNH", parser_class=type(parser))
    sp = dsub.add_parser("import", help="Nhập danh sách mã hồ sơ xuất từ hệ thống một cửa (.xlsx hoặc .csv).",
                         description="Nhập danh sách mã hồ sơ xuất từ hệ thống một cửa (.xlsx hoặc .csv: "
                                     "cột «Mã xã» và «Mã hồ sơ»); tất cả hoặc không gì.")
    sp.set_defaults(func=_data_errors(cmd_dossiers_import))
    sp.add_argument("file", metavar="FILE")
    sp.add_argument("--period", type=int, required=True, metavar="YEAR")
    sp = dsub.add_parser("generate", help="Tạo mã phiếu khảo sát dùng một lần để in kèm mã QR (.csv).",
                         description="Tạo mã phiếu khảo sát dùng một lần để in kèm mã QR (.csv).")
    sp.set_defaults(func=_data_errors(cmd_dossiers_generate))
    sp.add_argument("--period", type=int, required=True, metavar="YEAR")
    sp.add_argument("--per-unit", type=int, default=1, metavar="N", help="số mã cho mỗi xã (mặc định 1)")
    sp.add_argument("--unit", action="append", metavar="CODE", help="chỉ các xã này (lặp lại được); mặc định mọi xã")
    sp.add_argument("--out", required=True, metavar="FILE.csv")

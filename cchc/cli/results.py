"""`python -m cchc results show|export`: the period's index, ranks and classes on the command line or
as the official .xlsx report."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from cchc import config
from cchc.cli.common import CliError, open_storage
from cchc.core.permissions import CLI_USER
from cchc.core.text import fmt_date
from cchc.core.workflow import STATES
from cchc.files import results_workbook as reports
from cchc.services import results, seed

COLUMNS = [  # (key, header)
    ("rank", "Hạng"), ("unit_code", "Mã"), ("unit_name", "Đơn vị"), ("self_points", "Tự đánh giá"),
    ("appraised_points", "Thẩm định"), ("survey_points", "Khảo sát"), ("bonus", "Thưởng"), ("penalty", "Trừ"),
    ("total_points", "Tổng điểm"), ("applicable_max", "Tối đa"), ("index", "Chỉ số (%)"), ("class", "Xếp loại"),
    ("state", "Trạng thái"),
]


def _plain(value):
    if value is None:
        return None
    if isinstance(value, (int, str, bool)):
        return value
    return round(float(value), 2)


def cmd_show(args, settings: config.Settings) -> None:
    res = results.results(open_storage(settings), CLI_USER, args.period, with_fields=False)
    rows = [{key: _plain(r[key]) for key, _ in COLUMNS} for r in res.rows]
    if args.format != "json":                          # people read these: the state in words
        for row in rows:
            row["state"] = STATES.get(row["state"], row["state"])
    note = "Số liệu tạm tính: chưa thẩm định xong." if res.provisional else "Số liệu chính thức."
    if args.format == "json":
        json.dump({"period": args.period, "provisional": res.provisional, "units": rows}, sys.stdout,
                  ensure_ascii=False, indent=1)
        print()
    elif args.format == "csv":
        out = csv.writer(sys.stdout)
        out.writerow([h for _, h in COLUMNS])
        out.writerows([[("" if r[k] is None else r[k]) for k, _ in COLUMNS] for r in rows])
    else:
        text = [[h for _, h in COLUMNS]] + [[_cell(r[k]) for k, _ in COLUMNS] for r in rows]
        widths = [max(len(line[i]) for line in text) for i in range(len(COLUMNS))]
        for line in text:
            print("  ".join(v.rjust(w) if i not in (2, 11, 12) else v.ljust(w)
                            for i, (v, w) in enumerate(zip(line, widths))).rstrip())
        print(f"\n{note} {len(rows)} đơn vị, kỳ {args.period}.")


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def cmd_export(args, settings: config.Settings) -> None:
    out = Path(args.out)
    if out.exists() and not args.force:
        raise CliError(f"Tệp {out} đã có; thêm --force để ghi đè.")
    storage = open_storage(settings)
    district = seed.district_config()["district"]["name"]
    place = district.split(" ", 1)[1] if " " in district else district
    frozen = None if args.live else results.approved(storage, CLI_USER, args.period)
    if frozen:                          # the table that annexes the decision: the approved figures
        res, approval = frozen
        decision = (f"Quyết định số {approval['decision_number']} ngày {fmt_date(approval['decision_date'])} "
                    f"của UBND {district.lower()}")
        print(f"Số liệu đã phê duyệt theo {decision} (phiên bản {approval['version']}).")
    else:
        res, decision = results.results(storage, CLI_USER, args.period), ""
    out.write_bytes(reports.results_workbook(res, f"UBND {district}", place, decision))
    print(f"Đã ghi {out}: {len(res.rows)} đơn vị, kỳ {args.period}"
          + (" (số liệu tạm tính)." if res.provisional else "."))


def register(sub, add) -> None:
    grp = sub.add_parser("results", help="Kết quả Chỉ số CCHC của một kỳ.", description="Kết quả Chỉ số CCHC của một kỳ.")
    rsub = grp.add_subparsers(dest="results_command", required=True, metavar="LỆNH", parser_class=sub._parser_class)
    sp = add(rsub, "show", cmd_show, "In chỉ số, xếp hạng, xếp loại của mọi đơn vị.")
    sp.add_argument("--period", type=int, required=True, metavar="YEAR")
    sp.add_argument("--format", choices=["table", "csv", "json"], default="table", help="dạng in ra (mặc định: table)")
    sp = add(rsub, "export", cmd_export, "Xuất báo cáo kết quả (.xlsx): bảng kết quả và chỉ số thành phần; "
             "khi kỳ đã được phê duyệt là số liệu của quyết định phê duyệt.")
    sp.add_argument("--period", type=int, required=True, metavar="YEAR")
    sp.add_argument("--out", required=True, metavar="FILE.xlsx")
    sp.add_argument("--force", action="store_true", help="ghi đè nếu tệp đã có")
    sp.add_argument("--live", action="store_true",
                    help="xuất số liệu hiện tại thay cho số liệu đã phê duyệt (khi kỳ đã có quyết định phê duyệt)")

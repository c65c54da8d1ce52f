"""`python -m cchc db copy`: move a district's whole history from its DuckDB file to PostgreSQL
(docs/operations.md, "PostgreSQL"): migrate both, copy every table (evidence metadata included),
move the sequences on, copy the evidence files when the target's folder differs, then check
that every period's results (each unit's figures and each field's) are the same on both."""

from __future__ import annotations

import math
import shutil
from decimal import Decimal
from pathlib import Path

from cchc import config
from cchc.cli.common import CliError
from cchc.db.storage import Storage, is_postgres_url

EVIDENCE_NAME_LEN = 64


def _comparable(value):
    """Figures as numbers to the millionth (DuckDB and PostgreSQL may differ in the last bit of a
    double, never in what a page shows), lists and dicts member by member."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        return None if math.isnan(number) else round(number, 6)
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_comparable(v) for v in value]
    return value


def compare_results(source: Storage, target: Storage) -> list[str]:
    """Every difference between the two databases' results, period by period (none: the same)."""
    problems = []
    years = [p["year"] for p in source.all("period_list")]
    if years != [p["year"] for p in target.all("period_list")]:
        return ["các kỳ đánh giá khác nhau"]
    for year in years:
        for query in ("results_of_period", "field_results_of_period"):
            a = [_comparable(r) for r in source.all(query, year=year, province=None, district=None)]
            b = [_comparable(r) for r in target.all(query, year=year, province=None, district=None)]
            if a != b:
                first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                what = "kết quả của đơn vị" if query == "results_of_period" else "chỉ số thành phần"
                problems.append(f"kỳ {year}: {what} khác nhau (hàng {first + 1}; {len(a)} so với {len(b)} hàng)")
    return problems


def _copy_files(source_dir: Path, target_dir: Path) -> int:
    """Evidence files (named by their SHA-256) missing from the target folder."""
    if not source_dir.is_dir() or source_dir.resolve() == target_dir.resolve():
        return 0
    copied = 0
    for path in sorted(source_dir.rglob("*")):
        if not path.is_file() or len(path.name) != EVIDENCE_NAME_LEN:
            continue
        dest = target_dir / path.relative_to(source_dir)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            copied += 1
    return copied


def cmd_copy(args, settings: config.Settings) -> None:
    source_path = Path(args.source)
    if is_postgres_url(args.source) or not source_path.is_file():
        raise CliError(f"Không tìm thấy tệp cơ sở dữ liệu DuckDB {args.source} (--from là một tệp .duckdb).")
    if not is_postgres_url(args.target):
        raise CliError("--to phải là địa chỉ PostgreSQL, dạng postgresql://tai_khoan:mat_khau@may_chu/ten_csdl.")
    target_url = config.DatabaseUrl(args.target)
    source = Storage(source_path)
    try:
        source.migrate()
        target = Storage(target_url)
        try:
            target.migrate()
            filled = {t: n for t, n in target.row_counts().items() if n and t != "schema_migrations"}
            if filled and not args.replace:
                raise CliError(f"Cơ sở dữ liệu đích {target_url} đã có dữ liệu ({len(filled)} bảng có dữ liệu, ví dụ "
                               f"{', '.join(sorted(filled)[:3])}): không sao chép gì. Thêm --replace để thay toàn bộ "
                               "dữ liệu ở đích bằng dữ liệu của tệp nguồn.")
            copied = target.load_tables(source, replace=args.replace)
            files_from = Path(args.files_from) if args.files_from else source_path.parent / "files"
            files = _copy_files(files_from, settings.files_dir)
            problems = compare_results(source, target)
        finally:
            target.close()
    finally:
        source.close()
    print(f"Đã sao chép {sum(copied.values())} hàng của {len(copied)} bảng từ {source_path} sang {target_url}.")
    for table, rows in sorted(copied.items()):
        print(f"  {table}: {rows} hàng")
    print(f"Tệp minh chứng: đã chép {files} tệp từ {files_from} sang {settings.files_dir}." if files else
          f"Tệp minh chứng: không có tệp nào cần chép (thư mục đích {settings.files_dir}).")
    if problems:
        raise CliError("Kết quả sau khi sao chép không khớp: " + "; ".join(problems))
    print("Đã kiểm tra: kết quả mọi kỳ đánh giá (chỉ số, xếp hạng, xếp loại, chỉ số thành phần) giống hệt nhau ở hai nơi.")


def register(sub, add) -> None:
    grp = sub.add_parser("db", help="Cơ sở dữ liệu: chuyển sang PostgreSQL.",
                         description="Cơ sở dữ liệu: chuyển sang PostgreSQL.")
    dsub = grp.add_subparsers(dest="db_command", required=True, metavar="LỆNH", parser_class=sub._parser_class)
    sp = add(dsub, "copy", cmd_copy, "Sao chép toàn bộ dữ liệu của một tệp DuckDB (mọi bảng, mọi kỳ, tệp minh chứng) "
             "sang PostgreSQL, rồi kiểm tra kết quả mọi kỳ giống hệt nhau. Chạy khi ứng dụng đã dừng.")
    sp.add_argument("--from", dest="source", required=True, metavar="FILE.duckdb", help="tệp DuckDB nguồn")
    sp.add_argument("--to", dest="target", required=True, metavar="postgresql://…", help="cơ sở dữ liệu PostgreSQL đích")
    sp.add_argument("--replace", action="store_true", help="thay dữ liệu đã có ở đích (mặc định: từ chối nếu đích có dữ liệu)")
    sp.add_argument("--files-from", metavar="DIR",
                    help="thư mục tệp minh chứng nguồn (mặc định: thư mục files cạnh tệp DuckDB); đích là CCHC_FILES")


"""Benchmark: the index at national scale (issue 5).

Builds, in a temporary database, every commune of Vietnam on 01/10/2022 (10,599 units from
data/vn-communes-2022-10-01.csv) with every self-assessed leaf scored (appraised for half of
them) and one million citizens' survey answers, plus a district-sized database (Hương Sơn, 25
units) made the same way. Then prints, each against a bare baseline measured in the same run:

1. the full results computation (every unit's index, rank and class, and every field's
   sub-index: the view unit_result, whose rows carry the fields) against a bare aggregate over the same
   rows (sum of scores per unit, count of satisfied answers per unit and element), both taken
   as Arrow tables                                                              target ≤ 2×;
   unit_result reads each unit's sums kept up to date on write (021_results_kept.sql), so the
   price is paid on write: printed too are the computation of every unit from scratch (what a
   migration or a restore does), the upkeep of a write that touches one unit, and the service
   call that turns the results into Python rows for the pages
2. the dashboard's AppTest rerun at 10,599 units against the same rerun at 25   target ≤ 3×
3. the results .xlsx for 10,599 units (two sheets: results, field sub-indices) against a
   bare openpyxl write-only dump of the same two tables                         target ≤ 3×
4. the peak memory (Python allocations, and the process's resident set).

Run: python bench/results_national.py [--repeat N] [--answers N]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CCHC_BCRYPT_ROUNDS", "4")
os.environ.setdefault("CCHC_COOKIE_KEY", "bench-" + "k" * 40)
os.environ.setdefault("CCHC_TODAY", "2022-11-20")

from openpyxl import Workbook  # noqa: E402

from cchc.core.permissions import CLI_USER  # noqa: E402
from cchc.db.storage import Storage  # noqa: E402
from cchc.files import results_workbook as reports
from cchc.services import (  # noqa: E402
    results,
    seed,  # noqa: E402
    users,
)

YEAR = 2022
NATIONAL = ROOT / "data" / "vn-communes-2022-10-01.csv"


def build(path: Path, national: bool, answers: int) -> Storage:
    """A database with the template set, the units, every leaf scored and `answers` answers."""
    db = Storage(path)
    db.migrate()
    seed.initialize(db, demo=False)
    users.add_user(db, CLI_USER, "bench", "Benchmark", "leader", "MatKhau#2022")
    con = db._con                                   # bulk set-up only; what is measured uses the app's code
    if national:
        con.execute(f"""
            INSERT INTO unit (code, name, kind, district_code, district_name, province_code, province_name, valid_from)
            SELECT commune_code, commune_name, commune_type, district_code, district_name, province_code,
                   province_name, {YEAR}
            FROM read_csv('{NATIONAL}', all_varchar = true)
            WHERE commune_code NOT IN (SELECT code FROM unit)""")
        con.execute("INSERT INTO unit_name SELECT code, valid_from, name, kind FROM unit "
                    "WHERE code NOT IN (SELECT code FROM unit_name)")
    con.execute("SELECT setseed(0.42)")
    con.execute(f"""
        INSERT INTO score (period_year, unit_code, criterion_code, self_points, not_applicable, note,
                           explanation, updated_at, updated_by, appraised_points)
        SELECT {YEAR}, u.code, c.code,
               round(random() * c.max_points / c.step) * c.step, FALSE, '', '', now()::TIMESTAMP, 'bench',
               CASE WHEN hash(u.code) % 2 = 0 THEN round(random() * c.max_points / c.step) * c.step END
        FROM unit u JOIN period p ON p.year = {YEAR}
        JOIN criterion c ON c.set_id = p.criteria_set_id AND c.is_leaf AND c.source = 'self_assessed'""")
    con.execute(f"""
        INSERT INTO assessment (period_year, unit_code, state, submitted_at, is_late, updated_at)
        SELECT {YEAR}, code, ['draft', 'submitted', 'final'][1 + CAST(floor(random() * 3) AS INTEGER)],
               now()::TIMESTAMP, random() < 0.1, now()::TIMESTAMP FROM unit""")
    responses = answers // 5
    con.execute(f"""
        CREATE TEMP TABLE unit_pick AS SELECT row_number() OVER (ORDER BY code) - 1 AS i, code FROM unit""")
    n_units = con.execute("SELECT count(*) FROM unit").fetchone()[0]
    con.execute(f"SELECT max(nextval('survey_response_id')) FROM range({responses})")   # ids 1..responses taken
    con.execute(f"""
        INSERT INTO survey_response (id, period_year, unit_code, channel, submitted_at)
        SELECT r, {YEAR}, p.code, 'web', TIMESTAMP '2022-10-15 09:00:00'
        FROM range(1, {responses} + 1) t(r) JOIN unit_pick p ON p.i = r % {n_units}""")
    columns = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'survey_answer'").fetchall()}
    question = "'yt' || e, " if "question" in columns else ""
    con.execute(f"""
        INSERT INTO survey_answer (response_id, {'question, ' if question else ''}element, value)
        SELECT r, {question}e, CASE WHEN random() < 0.8 THEN 4 + CAST(random() < 0.5 AS INTEGER)
                                    ELSE 1 + CAST(floor(random() * 3) AS INTEGER) END
        FROM range(1, {responses} + 1) t(r), range(1, 6) s(e)""")
    db.refresh_results()            # the bulk inserts above bypassed the named queries' upkeep
    db.checkpoint()
    return db


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median seconds of `repeat` runs (after one warm-up run), and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


BARE = [f"SELECT unit_code, sum(self_points), sum(appraised_points), count(*) FROM score "
        f"WHERE period_year = {YEAR} GROUP BY unit_code",
        f"SELECT r.unit_code, a.element, count(*), count(*) FILTER (WHERE a.value >= 4) "
        f"FROM survey_response r JOIN survey_answer a ON a.response_id = r.id "
        f"WHERE r.period_year = {YEAR} GROUP BY ALL"]
FULL = [f"SELECT * FROM unit_result WHERE period_year = {YEAR}"]     # each row carries its field sub-indices
SCRATCH = [f"SELECT * FROM unit_figures_live WHERE period_year = {YEAR}"]


def run_sql(db: Storage, queries: list[str]) -> None:
    """Run the queries and take their whole results as Arrow tables (no per-row Python objects),
    so that what is compared is the computation in the database."""
    con = db._con.cursor()
    for sql in queries:
        con.sql(sql).to_arrow_table()
    con.close()


def bare_aggregate(db: Storage) -> None:
    run_sql(db, BARE)


def bare_dump(res) -> bytes:
    """The report's two tables (results; field sub-indices), same values, no styles or header."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Kết quả")
    keys = ["unit_name", "self_points", "appraised_points", "survey_points", "total_points", "index", "rank", "class"]
    number = lambda v: None if v is None else float(v)  # noqa: E731
    ws.append(["STT", *keys])
    for i, r in enumerate(res.rows, 1):
        ws.append([i, r["unit_name"], *(number(r[k]) for k in keys[1:6]), r["rank"], r["class"]])
    sub = wb.create_sheet("Chỉ số thành phần")
    sub.append(["STT", "Đơn vị", *(code for code, _ in res.fields), "Chỉ số"])
    for i, r in enumerate(res.rows, 1):
        mine = res.by_field.get(r["unit_code"], {})
        sub.append([i, r["unit_name"], *(number(mine.get(code, {}).get("sub_index")) for code, _ in res.fields),
                    number(r["index"])])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def dashboard_rerun(db_path: Path, repeat: int) -> float:
    from streamlit.testing.v1 import AppTest

    os.environ["CCHC_DB"] = str(db_path)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = at.session_state["name"] = "bench"
    at.run()
    at.switch_page("views/bang-dieu-khien.py").run()
    assert not at.exception, [e.message for e in at.exception]
    seconds, _ = timed(lambda: at.run(), repeat)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--answers", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        district = build(tmp / "district.duckdb", national=False, answers=args.answers * 25 // 10_599)
        country = build(tmp / "national.duckdb", national=True, answers=args.answers)
        counts = country._con.execute(
            "SELECT (SELECT count(*) FROM unit), (SELECT count(*) FROM score), (SELECT count(*) FROM survey_answer)").fetchone()
        print(f"Dữ liệu: {counts[0]:,} đơn vị, {counts[1]:,} điểm lá, {counts[2]:,} câu trả lời khảo sát "
              f"(dựng trong {time.perf_counter() - start:.1f} s). Trung vị {args.repeat} lần đo.\n")

        bare, _ = timed(lambda: bare_aggregate(country), args.repeat)
        full, _ = timed(lambda: run_sql(country, FULL), args.repeat)
        service, res = timed(lambda: results.results(country, CLI_USER, YEAR), args.repeat)
        assert len(res.rows) == counts[0] and sum(len(v) for v in res.by_field.values()) >= counts[0] * 8
        print(f"1. Tính kết quả toàn quốc     {full * 1000:8.0f} ms   gộp thô {bare * 1000:7.0f} ms   "
              f"tỷ lệ {full / bare:4.2f}× (mục tiêu ≤ 2×; cả hai lấy kết quả dạng Arrow)")
        scratch, _ = timed(lambda: run_sql(country, SCRATCH), args.repeat)
        unit = country._con.execute("SELECT min(code) FROM unit").fetchone()[0]
        noted, _ = timed(lambda: country.write(lambda tx: tx.touch(YEAR, unit)), args.repeat)
        upkeep, _ = timed(lambda: (country.write(lambda tx: tx.touch(YEAR, unit)), country.keep_pending()), args.repeat)
        nothing, _ = timed(lambda: country.write(lambda tx: None), args.repeat)
        where = dict(year=YEAR, province=None, district=None)
        fresh, _ = timed(lambda: country.all("results_of_period_brief", **where), args.repeat)
        after_write, _ = timed(lambda: (country.write(lambda tx: tx.touch(YEAR, unit)),
                                        country.all("results_of_period_brief", **where)), args.repeat)
        print(f"   tính lại mọi đơn vị từ đầu (khi nâng cấp, khôi phục) {scratch * 1000:.0f} ms, "
              f"{scratch / bare:.1f}× gộp thô; một lần ghi chạm một đơn vị: ghi chú {noted * 1000:.1f} ms "
              f"(giao dịch trống {nothing * 1000:.1f} ms), tính lại đơn vị đó {(upkeep - noted) * 1000:.0f} ms "
              f"(luồng nền, hoặc lần đọc kết quả kế tiếp)")
        print(f"   đọc kết quả (thành dòng Python, không chỉ số thành phần) {fresh * 1000:.0f} ms; ngay sau một lần ghi "
              f"(đọc phải tính lại đơn vị đang chờ trước) {(after_write - noted) * 1000:.0f} ms")
        print(f"   cả lời gọi dịch vụ (thành từng dòng Python: {len(res.rows):,} đơn vị, "
              f"{sum(len(v) for v in res.by_field.values()):,} lĩnh vực) {service * 1000:.0f} ms, "
              f"{service / bare:.1f}× gộp thô")

        small = dashboard_rerun(tmp / "district.duckdb", args.repeat)
        large = dashboard_rerun(tmp / "national.duckdb", args.repeat)
        print(f"2. Bảng điều khiển, chạy lại  {large * 1000:8.0f} ms   25 đơn vị {small * 1000:6.0f} ms   "
              f"tỷ lệ {large / small:4.2f}× (mục tiêu ≤ 3×)")

        rows = res.rows
        dump, _ = timed(lambda: bare_dump(res), args.repeat)
        xlsx, data = timed(lambda: reports.results_workbook(res, "UBND huyện Hương Sơn", "Hương Sơn"), args.repeat)
        print(f"3. Báo cáo .xlsx {len(rows):,} đơn vị {xlsx * 1000:7.0f} ms   ghi thô {dump * 1000:7.0f} ms   "
              f"tỷ lệ {xlsx / dump:4.2f}× (mục tiêu ≤ 3×); {len(data) / 1e6:.1f} MB")

        mem_results = peak(lambda: results.results(country, CLI_USER, YEAR))
        mem_xlsx = peak(lambda: reports.results_workbook(res, "UBND huyện Hương Sơn", "Hương Sơn"))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"4. Bộ nhớ đỉnh: tính kết quả {mem_results / 1e6:.0f} MB, báo cáo .xlsx {mem_xlsx / 1e6:.0f} MB "
              f"(cấp phát Python); cả tiến trình {rss:.0f} MB (RSS, gồm DuckDB và Streamlit).")
        district.close()
        country.close()


if __name__ == "__main__":
    main()

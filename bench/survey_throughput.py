"""Benchmark: citizens' answers arriving from many phones at once.

16 threads submit questionnaires through the service layer (`survey.submit_web`: the checks of
the period, the window, the unit and every answer, the abuse counts, the response row and its
ratings in one serialised transaction), against bare DuckDB inserts of the same rows by the same
number of threads (a cursor each, one transaction per questionnaire), in the same run, each on a
fresh copy of the same database. Prints throughput, the 95th-percentile latency and the ratio,
then checks that every acknowledged answer is stored. Target: at least half the bare throughput.

The service's time includes recomputing the kept index figures of every unit it touched (the
upkeep thread during the run, and what is still pending when the last answer is acknowledged).
--national runs it on a database of every commune of the country (bench/results_national.py's),
with the answers spread over all of them, instead of the 25 communes of the district.

Run: python bench/survey_throughput.py [--threads 16] [--answers 1600] [--national]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CCHC_BCRYPT_ROUNDS", "4")
os.environ["CCHC_TODAY"] = "2022-11-05"               # inside the 2022 survey window

from cchc.core import survey as rules  # noqa: E402
from cchc.db.storage import Storage  # noqa: E402
from cchc.services import seed  # noqa: E402
from cchc.services import survey as svc  # noqa: E402

YEAR = 2022


def questionnaires(n: int, units: list[str]) -> list[tuple[str, rules.Answers, str, str]]:
    """(unit, answers, client address, browser token) as phones would send them."""
    q = rules.citizen_questionnaire()
    rng = random.Random(7)
    out = []
    for i in range(n):
        ratings = {x.code: rng.choice((3, 4, 4, 5, 5)) for x in q.questions()}
        profile = {p.key: rng.choice(p.options) for p in q.profile}
        out.append((units[i % len(units)], rules.Answers(ratings, profile, rng.randint(3, 5), "Cảm ơn"),
                    f"10.0.{i % 50}.{i % 7}", f"browser-{i}"))
    return out


def run(threads: int, items: list, submit) -> tuple[float, list[float], list]:
    """Spread the items over the threads; return (seconds, latencies, acknowledgements)."""
    latencies: list[float] = []
    acks: list = []
    lock = threading.Lock()
    chunks = [items[t::threads] for t in range(threads)]
    start_gate = threading.Barrier(threads + 1)

    def worker(chunk):
        start_gate.wait()
        for item in chunk:
            t0 = time.perf_counter()
            ack = submit(item)
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                acks.append(ack)

    pool = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in pool:
        t.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for t in pool:
        t.join()
    return time.perf_counter() - t0, latencies, acks


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--answers", type=int, default=1600)
    parser.add_argument("--national", action="store_true", help="10.599 xã, 1 triệu câu trả lời có sẵn")
    args = parser.parse_args()
    q = rules.citizen_questionnaire()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.duckdb"
        if args.national:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from results_national import build
            db = build(base, national=True, answers=1_000_000)
        else:
            db = Storage(base)
            db.migrate()
            seed.initialize(db, demo=False)
        items = questionnaires(args.answers, [u["code"] for u in db.all("units_in_year", year=YEAR)])
        svc._salt(db)                              # created once, as on a running server
        had_responses, had_answers = db._con.execute(
            "SELECT (SELECT count(*) FROM survey_response), (SELECT count(*) FROM survey_answer)").fetchone()
        db.checkpoint()
        db.close()

        # ---- through the service layer
        service_db = Storage(shutil.copy(base, Path(tmp) / "service.duckdb"))
        service_s, service_lat, receipts = run(
            args.threads, items,
            lambda it: svc.submit_web(service_db, YEAR, it[0], it[1], "", it[2], it[3], q).response_id)
        start = time.perf_counter()
        service_db.keep_pending()                   # what the last burst left to recompute
        service_s += time.perf_counter() - start
        stored = {r[0] for r in service_db._con.execute(
            "SELECT id FROM survey_response WHERE period_year = ?", [YEAR]).fetchall()}
        answers = service_db._con.execute("SELECT count(*) FROM survey_answer").fetchone()[0] - had_answers
        service_ok = set(receipts) <= stored and len(set(receipts)) == len(items) and answers == len(items) * len(q.questions())
        index_ok = service_db.results_drift() == []     # the kept index figures followed every answer
        service_db.close()

        # ---- bare DuckDB: the same rows, the same threads, no checks, no lock
        bare_db = Storage(shutil.copy(base, Path(tmp) / "bare.duckdb"))
        con = bare_db._con
        local = threading.local()
        codes = [x.code for x in q.questions()]
        elements = [x.element for x in q.questions()]

        def bare(it):
            cur = getattr(local, "cur", None)
            if cur is None:
                cur = local.cur = con.cursor()
            unit, a, client, browser = it
            for attempt in range(20):          # DuckDB may report a conflict between parallel commits
                try:
                    cur.begin()
                    rid = cur.execute(
                        "INSERT INTO survey_response (period_year, unit_code, channel, submitted_at, questionnaire, profile, "
                        "overall, suggestion, client_key, browser_key, answers_key, flags) "
                        "VALUES (?, ?, 'web', now()::TIMESTAMP, 'SIPAS-XA/1', ?, ?, ?, ?, ?, '', '') RETURNING id",
                        [YEAR, unit, json.dumps(a.profile, ensure_ascii=False), a.overall, a.suggestion, client, browser]).fetchone()[0]
                    cur.execute("INSERT INTO survey_answer SELECT ?, unnest(?::VARCHAR[]), unnest(?::INTEGER[]), unnest(?::INTEGER[])",
                                [rid, codes, elements, [a.ratings[c] for c in codes]])
                    cur.commit()
                    return rid
                except Exception:
                    cur.rollback()
                    time.sleep(0.001 * (attempt + 1))
            raise RuntimeError("bare insert kept conflicting")

        bare_s, bare_lat, bare_ids = run(args.threads, items, bare)
        bare_stored = con.execute("SELECT count(*) FROM survey_response").fetchone()[0] - had_responses
        bare_ok = bare_stored == len(items) == len(set(bare_ids))
        bare_db.close()

    n = len(items)
    service_tp, bare_tp = n / service_s, n / bare_s
    ratio = service_tp / bare_tp
    print(f"{n} phiếu, {args.threads} luồng, {len(q.questions())} câu mỗi phiếu")
    print(f"  qua tầng dịch vụ : {service_tp:8.1f} phiếu/giây, p95 {1000 * p95(service_lat):7.1f} ms")
    print(f"  DuckDB trần      : {bare_tp:8.1f} phiếu/giây, p95 {1000 * p95(bare_lat):7.1f} ms")
    print(f"  tỷ lệ dịch vụ/trần: {ratio:.2f} (mục tiêu ≥ 0,5)")
    print(f"  chỉ số lưu sẵn khớp với tính lại từ đầu sau đợt ghi: {'có' if index_ok else 'KHÔNG'}")
    print(f"  mọi phiếu đã xác nhận đều được lưu: {'có' if service_ok else 'KHÔNG'} (dịch vụ), "
          f"{'có' if bare_ok else 'KHÔNG'} (trần)")
    return 0 if service_ok and index_ok and bare_ok and ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())

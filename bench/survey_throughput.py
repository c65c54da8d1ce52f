"""Benchmark: citizens' answers arriving from many phones at once.

16 threads submit questionnaires through the service layer (`citizen_survey.submit_web`: the
checks of the period, the window, the unit and every answer, the abuse flags and the per-client
limit counted from the stored answers, the response row and its ratings, one serialised transaction per answer), against
bare DuckDB inserts of the same rows by the same number of threads (a cursor each, one
transaction per questionnaire, no checks, no lock), in the same run, each on a fresh copy of the
same database. Prints throughput, the 95th-percentile latency and the ratio, checks that every
acknowledged answer is stored with its ratings and that the «rate» flags are exactly those a
recount of the stored rows gives. Target: the service at least half the bare throughput.
--rounds repeats both (best of each: the machine may be busy with other work).
--national runs it on a database of every commune of the country (bench/results_national.py's,
200.000 answers already stored), the answers spread over all of them.

Run: python bench/survey_throughput.py [--threads 16] [--answers 1600] [--rounds 3] [--national]
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
from cchc.services import citizen_survey, seed  # noqa: E402

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


def service_round(base: Path, copy: Path, threads: int, items: list, q: rules.Questionnaire) -> dict:
    """The answers through the service layer, on a fresh copy of the database."""
    db = Storage(shutil.copy(base, copy))
    had = db._con.execute("SELECT max(id) FROM survey_response").fetchone()[0] or 0
    seconds, latencies, receipts = run(
        threads, items, lambda it: citizen_survey.submit_web(db, YEAR, it[0], it[1], "", it[2], it[3], q))
    stored = db._con.execute("SELECT id, flags FROM survey_response WHERE id > ?", [had]).fetchall()
    ratings = db._con.execute("SELECT count(*) FROM survey_answer WHERE response_id > ?", [had]).fetchone()[0]
    ids = {r.response_id for r in receipts}
    all_stored = ids == {i for i, _ in stored} and len(ids) == len(items) and ratings == len(items) * len(q.questions())
    # The rate flag recounted from the stored rows in commit order (ids come from a sequence
    # inside the serialised transaction); the whole run is far shorter than the rate window.
    recount = db._con.execute("""
        SELECT count(*) FILTER (WHERE (contains(flags, 'rate')) <> (earlier >= ?)) FROM (
            SELECT flags, count(*) OVER (PARTITION BY client_key ORDER BY id
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier
            FROM survey_response WHERE id > ?)""", [rules.LIMITS.rate_max, had]).fetchone()[0]
    acked = {r.response_id: ",".join(r.flags) for r in receipts}
    db.close()
    return {"seconds": seconds, "latencies": latencies, "all_stored": all_stored,
            "flags_exact": recount == 0 and acked == dict(stored)}


def bare_round(base: Path, copy: Path, threads: int, items: list, q: rules.Questionnaire) -> dict:
    """The same rows by plain DuckDB inserts: the same threads, a cursor each, no checks, no lock."""
    db = Storage(shutil.copy(base, copy))
    con = db._con
    had = con.execute("SELECT count(*) FROM survey_response").fetchone()[0]
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

    seconds, latencies, ids = run(threads, items, bare)
    stored = con.execute("SELECT count(*) FROM survey_response").fetchone()[0] - had
    db.close()
    return {"seconds": seconds, "latencies": latencies, "all_stored": stored == len(items) == len(set(ids))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--answers", type=int, default=1600)
    parser.add_argument("--rounds", type=int, default=3)
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
        db.checkpoint()
        db.close()
        service, bare = [], []
        for i in range(args.rounds):         # alternated, so that a busy moment hits both alike
            service.append(service_round(base, Path(tmp) / f"service{i}.duckdb", args.threads, items, q))
            bare.append(bare_round(base, Path(tmp) / f"bare{i}.duckdb", args.threads, items, q))

    n = len(items)
    best_service = min(service, key=lambda r: r["seconds"])
    best_bare = min(bare, key=lambda r: r["seconds"])
    service_tp, bare_tp = n / best_service["seconds"], n / best_bare["seconds"]
    ratio = service_tp / bare_tp
    service_ok = all(r["all_stored"] for r in service)
    flags_ok = all(r["flags_exact"] for r in service)
    bare_ok = all(r["all_stored"] for r in bare)
    print(f"{n} phiếu, {args.threads} luồng, {len(q.questions())} câu mỗi phiếu, "
          f"{'toàn quốc' if args.national else 'một huyện'}, tốt nhất trong {args.rounds} lượt")
    print(f"  qua tầng dịch vụ : {service_tp:8.1f} phiếu/giây, p95 {1000 * p95(best_service['latencies']):7.1f} ms")
    print(f"  DuckDB trần      : {bare_tp:8.1f} phiếu/giây, p95 {1000 * p95(best_bare['latencies']):7.1f} ms")
    print(f"  tỷ lệ dịch vụ/trần: {ratio:.2f} (mục tiêu ≥ 0,5)".replace(".", ","))
    print(f"  mọi phiếu đã xác nhận đều được lưu: {'có' if service_ok else 'KHÔNG'} (dịch vụ), "
          f"{'có' if bare_ok else 'KHÔNG'} (trần)")
    print(f"  cờ «rate» đúng như đếm lại từ các phiếu đã lưu: {'có' if flags_ok else 'KHÔNG'}")
    print(json.dumps({"answers": n, "threads": args.threads, "rounds": args.rounds, "national": args.national,
                      "service_per_s": round(service_tp, 1), "bare_per_s": round(bare_tp, 1),
                      "service_p95_ms": round(1000 * p95(best_service["latencies"]), 1),
                      "bare_p95_ms": round(1000 * p95(best_bare["latencies"]), 1),
                      "ratio": round(ratio, 3), "all_stored": service_ok and bare_ok, "flags_exact": flags_ok}))
    return 0 if service_ok and bare_ok and flags_ok and ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())

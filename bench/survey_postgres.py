"""Benchmark: citizens' answers through the service layer from two processes on PostgreSQL, against
the same from one process on DuckDB, and against bare PostgreSQL inserts of the same rows by the
same number of threads (a connection each, one transaction per questionnaire, no checks), in the
same run, each on a fresh database made from the same seeded one. Checks that every acknowledged
answer is stored (with its ratings). Prints one JSON line at the end.

Run: python bench/survey_postgres.py [--admin postgresql://cchc:cchc@localhost/postgres]
                                     [--threads 16] [--answers 1600] [--rounds 2]
(--admin: a role that may create databases; default CCHC_TEST_POSTGRES.)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("CCHC_BCRYPT_ROUNDS", "4")
os.environ["CCHC_TODAY"] = "2022-11-05"               # inside the 2022 survey window

import psycopg  # noqa: E402

from survey_throughput import p95, questionnaires, run  # noqa: E402

from cchc.core import survey as rules  # noqa: E402
from cchc.db.storage import Storage  # noqa: E402
from cchc.services import citizen_survey, seed  # noqa: E402

YEAR = 2022


def _admin(url: str, *sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as con:
        for s in sql:
            con.execute(s)


def _db_url(admin: str, name: str) -> str:
    return admin.rsplit("/", 1)[0] + "/" + name


def _service_worker(url: str, threads: int, items: list, out) -> None:
    """One app process: its own Storage (pool), `threads` threads through the service."""
    q = rules.citizen_questionnaire()
    db = Storage(url)
    db.all("period_get", year=YEAR)                    # warm: pool open, queries loaded
    out.put("ready")
    seconds, latencies, receipts = run(threads, items,
                                       lambda it: citizen_survey.submit_web(db, YEAR, it[0], it[1], "", it[2], it[3], q))
    db.close()
    out.put((seconds, latencies, [r.response_id for r in receipts]))


def pg_service_round(url: str, threads: int, items: list, processes: int = 2) -> dict:
    ctx = multiprocessing.get_context("spawn")
    queues = [ctx.Queue() for _ in range(processes)]
    procs = [ctx.Process(target=_service_worker, args=(url, threads // processes, items[i::processes], queues[i]))
             for i in range(processes)]
    for p in procs:
        p.start()
    for qu in queues:
        assert qu.get(timeout=120) == "ready"
    t0 = time.perf_counter()
    results = [qu.get(timeout=600) for qu in queues]
    seconds = time.perf_counter() - t0
    for p in procs:
        p.join()
    latencies = [x for r in results for x in r[1]]
    ids = [i for r in results for i in r[2]]
    db = Storage(url)
    stored = db.execute_plain("SELECT count(*) AS n FROM survey_response")[0]["n"]
    ratings = db.execute_plain("SELECT count(*) AS n FROM survey_answer")[0]["n"]
    # transactions rolled back in this database: the writes PostgreSQL refused and the service retried
    rollbacks = db.execute_plain("SELECT xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()")[0]["n"]
    db.close()
    q = rules.citizen_questionnaire()
    ok = len(set(ids)) == len(items) == stored and ratings == len(items) * len(q.questions())
    return {"seconds": max(seconds, max(r[0] for r in results)), "latencies": latencies, "all_stored": ok,
            "rollbacks": rollbacks}


def duck_service_round(base: Path, copy: Path, threads: int, items: list) -> dict:
    q = rules.citizen_questionnaire()
    db = Storage(shutil.copy(base, copy))
    seconds, latencies, receipts = run(threads, items,
                                       lambda it: citizen_survey.submit_web(db, YEAR, it[0], it[1], "", it[2], it[3], q))
    stored = db.scalar("survey_count", year=YEAR)
    db.close()
    return {"seconds": seconds, "latencies": latencies,
            "all_stored": stored == len(items) == len({r.response_id for r in receipts})}


def pg_bare_round(url: str, threads: int, items: list) -> dict:
    q = rules.citizen_questionnaire()
    codes = [x.code for x in q.questions()]
    elements = [x.element for x in q.questions()]
    local = threading.local()

    def bare(it):
        con = getattr(local, "con", None)
        if con is None:
            con = local.con = psycopg.connect(url)
        unit, a, client, browser = it
        with con.transaction():
            rid = con.execute(
                "INSERT INTO survey_response (period_year, unit_code, channel, submitted_at, questionnaire, profile, "
                "overall, suggestion, client_key, browser_key, answers_key, flags) "
                "VALUES (%s, %s, 'web', localtimestamp, 'SIPAS-XA/1', %s, %s, %s, %s, %s, '', '') RETURNING id",
                [YEAR, unit, json.dumps(a.profile, ensure_ascii=False), a.overall, a.suggestion, client, browser]).fetchone()[0]
            con.execute("INSERT INTO survey_answer SELECT %s, unnest(%s::VARCHAR[]), unnest(%s::INTEGER[]), "
                        "unnest(%s::INTEGER[])", [rid, codes, elements, [a.ratings[c] for c in codes]])
        return rid

    seconds, latencies, ids = run(threads, items, bare)
    with psycopg.connect(url) as con:
        stored = con.execute("SELECT count(*) FROM survey_response").fetchone()[0]
    return {"seconds": seconds, "latencies": latencies, "all_stored": stored == len(items) == len(set(ids))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin", default=os.environ.get("CCHC_TEST_POSTGRES") or "postgresql://cchc:cchc@localhost/postgres")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--answers", type=int, default=1600)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    tag = f"bench_{os.getpid()}"
    made: list[str] = []
    try:
        template = f"cchc_{tag}_tpl"
        _admin(args.admin, f"DROP DATABASE IF EXISTS {template}", f"CREATE DATABASE {template}")
        made.append(template)
        db = Storage(_db_url(args.admin, template))
        db.migrate()
        seed.initialize(db, demo=False)
        items = questionnaires(args.answers, [u["code"] for u in db.all("units_in_year", year=YEAR)])
        db.close()
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp) / "base.duckdb"
            d = Storage(base)
            d.migrate()
            seed.initialize(d, demo=False)
            d.checkpoint()
            d.close()
            pg, duck, bare = [], [], []
            for i in range(args.rounds):         # alternated: a busy moment hits all alike
                for kind in ("svc", "bare"):
                    name = f"cchc_{tag}_{kind}{i}"
                    _admin(args.admin, f"CREATE DATABASE {name} TEMPLATE {template}")
                    made.append(name)
                    url = _db_url(args.admin, name)
                    if kind == "svc":
                        pg.append(pg_service_round(url, args.threads, items))
                    else:
                        bare.append(pg_bare_round(url, args.threads, items))
                duck.append(duck_service_round(base, Path(tmp) / f"d{i}.duckdb", args.threads, items))
    finally:
        for name in reversed(made):
            _admin(args.admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    n = len(items)
    best = {k: min(v, key=lambda r: r["seconds"]) for k, v in (("pg", pg), ("duck", duck), ("bare", bare))}
    tp = {k: n / r["seconds"] for k, r in best.items()}
    ok = all(r["all_stored"] for r in pg + duck + bare)
    print(f"{n} phiếu, {args.threads} luồng, tốt nhất trong {args.rounds} lượt")
    print(f"  PostgreSQL, 2 tiến trình, qua dịch vụ: {tp['pg']:8.1f} phiếu/giây, p95 {1000 * p95(best['pg']['latencies']):7.1f} ms")
    print(f"  DuckDB, 1 tiến trình, qua dịch vụ    : {tp['duck']:8.1f} phiếu/giây, p95 {1000 * p95(best['duck']['latencies']):7.1f} ms")
    print(f"  PostgreSQL trần, cùng số luồng       : {tp['bare']:8.1f} phiếu/giây, p95 {1000 * p95(best['bare']['latencies']):7.1f} ms")
    print(f"  giao dịch PostgreSQL từ chối rồi chạy lại (2 tiến trình): {best['pg']['rollbacks']}")
    print(f"  mọi phiếu đã xác nhận đều được lưu: {'có' if ok else 'KHÔNG'}")
    print(json.dumps({"answers": n, "threads": args.threads, "rounds": args.rounds,
                      "pg_2proc_per_s": round(tp["pg"], 1), "duckdb_1proc_per_s": round(tp["duck"], 1),
                      "pg_bare_per_s": round(tp["bare"], 1),
                      "pg_vs_duckdb": round(tp["pg"] / tp["duck"], 3), "pg_vs_bare": round(tp["pg"] / tp["bare"], 3),
                      "pg_p95_ms": round(1000 * p95(best["pg"]["latencies"]), 1),
                      "duckdb_p95_ms": round(1000 * p95(best["duck"]["latencies"]), 1),
                      "bare_p95_ms": round(1000 * p95(best["bare"]["latencies"]), 1),
                      "pg_rollbacks": best["pg"]["rollbacks"], "all_stored": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

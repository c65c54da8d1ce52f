"""PostgreSQL as the second engine (issue 16): the SQL translation and the overrides, retries,
backups with pg_dump, `db copy` of the demo with the same results, and two app instances (two
processes, each its own pool) on one database. The tests that need a server are skipped without
CCHC_TEST_POSTGRES (tests/conftest.py); the shared storage, service and results tests run on both
engines through the `storage` fixture."""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import multiprocessing
import os
import shutil
import subprocess
import sys
import types
from decimal import Decimal
from pathlib import Path

import pytest

from cchc.core import survey as survey_rules
from cchc.core.clock import wall_now
from cchc.core.permissions import CLI_USER
from cchc.db import storage as storage_mod
from cchc.db.storage import SQL_DIR, Storage, named_queries

ROOT = Path(__file__).resolve().parent.parent
PG_DIR = SQL_DIR / "postgresql"


# ------------------------------------------------------------------ without a server


def test_parameters_become_psycopg_placeholders_outside_strings_and_comments():
    from cchc.db.postgres import to_pyformat
    sql = ("SELECT $year, '$not' || $unit || '/%' -- at most $limit\n"
           "FROM t WHERE x LIKE 'a%' AND y = $y::VARCHAR[] AND z = 'it''s $z'")
    assert to_pyformat(sql) == ("SELECT %(year)s, '$not' || %(unit)s || '/%%' \n"
                                "FROM t WHERE x LIKE 'a%%' AND y = %(y)s::VARCHAR[] AND z = 'it''s $z'")


def test_every_postgresql_override_replaces_a_shared_file_or_block():
    """No orphan: an engine's own file has a shared file of the same name, and each named block of
    an override query file a shared block of the same name (compat.sql, run before the migrations,
    is the one file of its own)."""
    own = sorted(p.relative_to(PG_DIR) for p in PG_DIR.rglob("*.sql"))
    assert own, "no overrides found"
    shared = named_queries("duckdb")
    for rel in own:
        if rel == Path("compat.sql"):
            continue
        assert (SQL_DIR / rel).exists(), f"{rel}: no shared file of that name"
        if rel.parts[0] == "queries":
            for name, _ in storage_mod._blocks(PG_DIR / rel):
                assert name in shared, f"{rel}: block {name} has no shared block"
    assert set(named_queries("postgresql")) == set(shared)


def _code_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("--")]


def test_every_postgresql_override_differs_from_the_shared_text_only_where_the_engines_do():
    """An override is a copy of the shared view or query with only what the engine needs changed:
    a change to the shared text that is not carried over to the copy fails here. The number of SQL
    lines that differ (comments aside, a changed line counts twice) is fixed per override: change it
    here only when the engines' difference itself changes."""
    import difflib
    shared_queries = named_queries("duckdb")
    pairs = []
    for rel in sorted(p.relative_to(PG_DIR) for p in PG_DIR.rglob("*.sql")):
        if rel.parts[0] == "views":
            pairs.append((str(rel), (SQL_DIR / rel).read_text(encoding="utf-8"), (PG_DIR / rel).read_text(encoding="utf-8")))
        elif rel.parts[0] == "queries":
            pairs += [(f"{rel}:{name}", shared_queries[name], body) for name, body in storage_mod._blocks(PG_DIR / rel)]
    assert pairs
    for where, base, own in pairs:
        changed = [d for d in difflib.ndiff(_code_lines(base), _code_lines(own)) if d[:1] in "+-"]
        assert len(changed) == DIFFERENT_LINES[where], (where, changed)


DIFFERENT_LINES = {"queries/results.sql:results_by_place": 3, "queries/survey.sql:survey_windows": 2,
                   "views/09_unit_result.sql": 5}


def test_the_engine_is_chosen_by_the_address(tmp_path):
    from cchc import config
    assert isinstance(config.from_env({"CCHC_DB": "postgresql://u:secret@h/db"}).db_path, config.DatabaseUrl)
    assert "secret" not in str(config.from_env({"CCHC_DB": "postgresql://u:secret@h/db"}).db_path)
    assert config.from_env({"CCHC_DB": "data/x.duckdb"}).db_path == Path("data/x.duckdb")    # relative stays
    assert type(Storage(tmp_path / "a.duckdb")) is Storage


def test_an_unreachable_server_is_one_vietnamese_message_without_the_password():
    from cchc.db.storage import StorageError
    with pytest.raises(StorageError, match="Không kết nối được cơ sở dữ liệu PostgreSQL") as caught:
        Storage("postgresql://cchc:topsecret@127.0.0.1:1/cchc")
    assert "topsecret" not in str(caught.value) and "cchc:***@" in str(caught.value)


# ------------------------------------------------------------------ on a server


def test_migrating_twice_and_a_second_start_change_nothing(pg_server):
    db = Storage(pg_server.create())
    try:
        applied = db.migrate()
        assert applied == [v for v, _ in storage_mod.migrations()]
        assert db.migrate() == []
        assert {"unit_result", "field_result"} <= {r["table_name"] for r in db.execute_plain(
            "SELECT table_name FROM information_schema.views WHERE table_schema = current_schema()")}
    finally:
        db.close()


def test_a_serialization_failure_is_retried(pg_server):
    """A second connection commits a change to the row our transaction read: PostgreSQL refuses
    our commit (SERIALIZABLE), the write is run again and succeeds."""
    import psycopg
    url = pg_server.clone("blank")
    db = Storage(url)
    attempts = []
    other = psycopg.connect(url, autocommit=True)
    try:
        def work(tx):
            attempts.append(1)
            value = tx.one("setting_get", key="demo")["value"]
            if len(attempts) == 1:
                other.execute("UPDATE app_setting SET value = 'b' WHERE key = 'demo'")
            tx.run("setting_put", key="demo", value=value + "a")
            return "done"

        assert db.write(work) == "done"
        assert len(attempts) == 2 and db.scalar("setting_get", key="demo") == "ba"
    finally:
        other.close()
        db.close()


def test_many_threads_read_modify_write_one_row_and_every_increment_lands(pg_server):
    import threading
    db = Storage(pg_server.clone("blank"))
    try:
        db.write(lambda tx: tx.run("setting_put", key="counter", value="0"))

        def increment(tx):
            tx.run("setting_put", key="counter", value=str(int(tx.one("setting_get", key="counter")["value"]) + 1))

        threads = [threading.Thread(target=lambda: [db.write(increment) for _ in range(10)]) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert db.scalar("setting_get", key="counter") == "60"
    finally:
        db.close()


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cchc", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300)


def test_db_copy_moves_the_demo_and_every_result_matches(pg_server, demo_file, tmp_path):
    source = shutil.copy(demo_file, tmp_path / "cchc.duckdb")
    (tmp_path / "files" / "ab").mkdir(parents=True)                 # one evidence file, by hash
    (tmp_path / "files" / "ab" / ("ab" + "0" * 62)).write_bytes(b"%PDF-1.4 test")
    target = pg_server.create()
    env = {"CCHC_FILES": str(tmp_path / "files-pg")}
    done = _cli(env, "db", "copy", "--from", str(source), "--to", target)
    assert done.returncode == 0, done.stderr
    assert "giống hệt nhau" in done.stdout and "đã chép 1 tệp" in done.stdout
    assert ":***@" in done.stdout and "cchc:cchc@" not in done.stdout                  # no password printed
    assert (tmp_path / "files-pg" / "ab" / ("ab" + "0" * 62)).exists()
    src, dst = Storage(source), Storage(target)
    try:
        from cchc.cli.db import compare_results
        assert compare_results(src, dst) == []
        assert dst.row_counts()["survey_answer"] == src.table_rows("survey_answer")[1].__len__() > 1000
        rows = dst.all("results_of_period", year=2022, province=None, district=None)
        assert rows[0]["rank"] == 1 and isinstance(rows[0]["index"], float) and rows[0]["fields"][0]["field"] == 1
        # the sequences moved on: a new audit row gets an id past the copied ones
        top = max(r["id"] for r in dst.all("audit_recent", limit=100000))
        dst.write(lambda tx: tx.audit("admin", "login", "app_user", "admin"))
        assert dst.all("audit_recent", limit=1)[0]["id"] > top
    finally:
        src.close()
        dst.close()
    again = _cli(env, "db", "copy", "--from", str(source), "--to", target)
    assert again.returncode == 1 and "đã có dữ liệu" in again.stderr and "--replace" in again.stderr
    assert _cli(env, "db", "copy", "--from", str(source), "--to", target, "--replace").returncode == 0


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump (postgresql-client) is not installed")
def test_backup_and_restore_on_postgresql_use_pg_dump(pg_server, tmp_path):
    from cchc.config import DatabaseUrl
    from cchc.services import backup
    url = pg_server.clone("blank")
    db = Storage(url)
    try:
        db.write(lambda tx: tx.run("setting_put", key="marker", value="before"))
        out = tmp_path / "b.zip"
        manifest = backup.create_backup(db, tmp_path / "files", out, CLI_USER)
        assert manifest["engine"] == "postgresql" and backup.read_manifest(out)["engine"] == "postgresql"
        db.write(lambda tx: tx.run("setting_put", key="marker", value="after"))
        other = Storage(url)                                                   # another instance, running
        backup.restore_in_place(db, out, tmp_path / "files", CLI_USER)         # closes `db`, as for DuckDB
        assert other.scalar("setting_get", key="marker") == "before"           # the other reads it at once
        other.close()
        db = Storage(url)
        with pytest.raises(backup.BackupError, match="DuckDB"):               # a backup restores into its engine
            backup.restore_backup(out, tmp_path / "x.duckdb", tmp_path / "files", CLI_USER)
    finally:
        db.close()
    assert isinstance(Storage(url).path, DatabaseUrl)


# ------------------------------------------------------------------ two instances


_INSTANCE: dict = {}


def _storage(url: str) -> Storage:
    """The instance's own Storage (its own pool), opened once per process."""
    if url not in _INSTANCE:
        _INSTANCE[url] = Storage(url)
    return _INSTANCE[url]


def _submit_answer(url: str, unit: str, client: str) -> int:
    from cchc.services import citizen_survey
    q = survey_rules.citizen_questionnaire()
    answers = survey_rules.Answers({x.code: 5 for x in q.questions()}, {}, 5, "")
    return citizen_survey.submit_web(_storage(url), 2022, unit, answers, "", client, f"browser-{client}", q).response_id


def _count_answers(url: str) -> int:
    return _storage(url).scalar("survey_count", year=2022)


def _log_in(url: str, username: str, password: str, client: str, at: dt.datetime) -> str | None:
    from cchc.services import users
    user = users.log_in(_storage(url), username, password, client, at=at)
    return user.username if user else None


def _save_round1(url: str, username: str, points: str, reason: str) -> str:
    from cchc.core.permissions import User
    from cchc.services import appraisal
    user = User(username, username, "council", office_code="NV")
    try:
        appraisal.save_round1(_storage(url), user, 2022, "18139", "1.1.1", Decimal(points), reason, expected_version=0)
        return "saved"
    except appraisal.StaleLeaf as exc:
        return f"stale: {exc}"


@pytest.fixture
def two_instances(pg_server):
    """Two app processes (spawned, each with its own pool) on one PostgreSQL database (the demo)."""
    url = pg_server.clone("demo")
    ctx = multiprocessing.get_context("spawn")
    pools = [cf.ProcessPoolExecutor(1, mp_context=ctx) for _ in range(2)]
    # A spawned process runs the parent's __main__ again; after an AppTest in this worker that is
    # app.py (AppTest runs the script as __main__). Start both processes with a bare __main__.
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        for pool in pools:
            pool.submit(os.getpid).result(timeout=120)
    finally:
        sys.modules["__main__"] = main
    yield url, pools
    for pool in pools:
        pool.shutdown()


def test_an_answer_sent_through_one_instance_is_counted_by_the_other(two_instances):
    url, (a, b) = two_instances
    before = b.submit(_count_answers, url).result(timeout=120)
    response_id = a.submit(_submit_answer, url, "18139", "10.9.9.1").result(timeout=120)
    assert response_id > 0
    assert b.submit(_count_answers, url).result(timeout=60) == before + 1
    # at once through both, from many clients: every acknowledged answer is stored, each once
    futures = [(a if i % 2 else b).submit(_submit_answer, url, "18139", f"10.8.0.{i}") for i in range(12)]
    ids = [f.result(timeout=120) for f in futures]
    assert len(set(ids)) == 12
    assert a.submit(_count_answers, url).result(timeout=60) == before + 13


def test_a_login_failure_counted_by_one_instance_is_seen_by_the_other(two_instances):
    from cchc.services import users
    url, (a, b) = two_instances
    at = wall_now()
    for i in range(users.ACCOUNT_THROTTLE.free):
        assert a.submit(_log_in, url, "sonhong", "sai", f"10.1.1.{i}", at).result(timeout=120) is None
    # the right password through the other instance a moment later: the account must wait first
    later = at + dt.timedelta(seconds=0.2)
    assert b.submit(_log_in, url, "sonhong", "Demo@2022", "10.1.1.99", later).result(timeout=60) is None
    after_wait = at + dt.timedelta(seconds=users.ACCOUNT_THROTTLE.wait(users.ACCOUNT_THROTTLE.free) + 1)
    assert b.submit(_log_in, url, "sonhong", "Demo@2022", "10.1.1.99", after_wait).result(timeout=60) == "sonhong"


def test_two_council_members_on_two_instances_get_the_stale_refusal_not_a_lost_update(two_instances, monkeypatch):
    from cchc.core.permissions import User
    from cchc.services import council
    url, (a, b) = two_instances
    db = Storage(url)
    try:
        admin = User("admin", "Quản trị", "admin")
        from cchc.services import users
        for name in ("hoidong", "hoidong2"):
            if db.one("user_get", username=name) is None:
                users.add_user(db, admin, name, name, "council", "", office_code="NV", password_hash="x")
            council.add_member(db, admin, 2022, name, "Chuyên viên", "NV", "member", name)
    finally:
        db.close()
    # Sơn Hồng (18139) has handed in its self-assessment in the demo: round 1 is open
    fa = a.submit(_save_round1, url, "hoidong", "0.5", "Chậm")
    fb = b.submit(_save_round1, url, "hoidong2", "0", "Không có")
    outcomes = sorted([fa.result(timeout=120), fb.result(timeout=120)])
    assert outcomes[0] == "saved" and outcomes[1].startswith("stale:"), outcomes
    db = Storage(url)
    try:
        stored = db.one("appraisal_leaf_get", year=2022, unit_code="18139", code="1.1.1")
        assert stored["version"] == 1
        assert len([r for r in db.all("audit_recent", limit=10000) if r["action"] == "appraisal.round1"]) == 1
    finally:
        db.close()

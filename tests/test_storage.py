"""Storage on a real temporary DuckDB file: migrations, named SQL, NFC, writes, the audit log."""

from __future__ import annotations

import threading
import time
import unicodedata

import duckdb
import pytest

from cchc.core.permissions import CLI_USER
from cchc.db.storage import Storage, StorageError, migrations, named_queries, views
from cchc.services import reference, seed, users


def test_migrations_are_applied_in_order_and_recorded(tmp_path):
    db = Storage(tmp_path / "a.duckdb")
    applied = db.migrate()
    assert applied == [v for v, _ in migrations()] and applied == sorted(applied)
    assert [r["version"] for r in db.all("schema_versions")] == applied
    assert db.migrate() == []                      # re-running is a no-op
    db.close()
    again = Storage(tmp_path / "a.duckdb")         # and so is re-opening
    assert again.migrate() == []
    again.close()


def test_the_file_is_created_with_its_folder(tmp_path):
    path = tmp_path / "sub" / "dir" / "cchc.duckdb"
    Storage(path).close()
    assert path.exists()


def test_every_named_query_parses():
    assert {"user_get", "unit_progress", "audit_insert"} <= set(named_queries())
    con = duckdb.connect()
    for _, sql in migrations() + views():
        con.execute(sql)
    con.execute("CREATE TABLE schema_migrations (version VARCHAR, applied_at TIMESTAMP)")
    for name, sql in named_queries().items():
        con.execute(f"PREPARE q_{name} AS {sql}")   # parsed and bound against the schema
    con.close()


def test_named_queries_run_against_the_schema(storage):
    # Each read query runs on a real database with its parameters.
    assert storage.all("units_in_year", year=2022)
    assert storage.one("period_get", year=2022)["self_assessment_deadline"].isoformat() == "2022-11-10"
    assert storage.all("unit_progress", year=2022, province=None, district=None)[0]["state"] == "not_started"


def test_unknown_query_name_is_an_error(storage):
    with pytest.raises(StorageError):
        storage.all("no_such_query")


def test_reference_data_is_seeded_once(storage):
    units = storage.all("units_in_year", year=2022)
    assert len(units) == 25
    assert units[0]["code"] == "18133" and units[0]["name"] == "Thị trấn Phố Châu"
    assert all(u["valid_from"] == 2022 and u["valid_to"] is None for u in units)
    assert storage.all("units_in_year", year=2021) == []
    assert {o["code"] for o in storage.all("office_list")} >= {"NV", "TP", "VP", "TCKH", "VHTT"}
    p = storage.one("period_get", year=2022)
    assert (p["council_deadline"].isoformat(), p["appraisal_deadline"].isoformat()) == ("2022-11-08", "2022-11-25")
    assert p["criteria_set_id"] is not None
    assert seed.initialize(storage, demo=False) is False     # a second init changes nothing
    assert len(storage.all("units_in_year", year=2022)) == 25


def test_text_goes_in_as_nfc(storage):
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hồng")
    users.add_user(storage, CLI_USER, "hong", nfd, "leader", "MatKhau#2022")
    stored = storage.one("user_get", username="hong")["full_name"]
    assert stored == unicodedata.normalize("NFC", nfd) and stored != nfd


def test_a_failed_write_leaves_nothing_behind(storage):
    before = storage.scalar("audit_count")

    def work(tx):
        tx.audit("x", "test", "t", "1")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        storage.write(work)
    assert storage.scalar("audit_count") == before


def test_writes_from_many_threads_are_serialised(storage):
    """Read-modify-write of one row from many threads at once: every increment must land, with
    no conflict surfacing. Without the write lock, DuckDB's optimistic transactions conflict."""
    storage.write(lambda tx: tx.run("setting_put", key="counter", value="0"))
    errors = []

    def increment(tx):
        value = int(tx.one("setting_get", key="counter")["value"])
        time.sleep(0.001)                      # widen the window between read and write
        tx.run("setting_put", key="counter", value=str(value + 1))

    def worker():
        try:
            for _ in range(15):
                storage.write(increment, retries=0)
                storage.all("units_in_year", year=2022)     # reads meanwhile, own cursors
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert storage.scalar("setting_get", key="counter") == "90"


def test_a_transaction_conflict_is_retried(storage):
    """A conflicting writer outside our lock makes the first attempt fail; the retry succeeds."""
    attempts = []
    other = storage._con.cursor()

    def work(tx):
        attempts.append(1)
        tx.cur.execute("UPDATE app_setting SET value = 'a' WHERE key = 'demo'")
        if len(attempts) == 1:   # a second connection commits a change to the same row meanwhile
            other.execute("UPDATE app_setting SET value = 'b' WHERE key = 'demo'")
        return "done"

    assert storage.write(work) == "done"
    assert len(attempts) == 2
    assert storage.scalar("setting_get", key="demo") == "a"


def test_audit_rows_record_who_what_old_new_and_why(storage):
    users.add_user(storage, CLI_USER, "lanhdao2", "Lãnh đạo", "leader", "MatKhau#2022")
    users.set_active(storage, CLI_USER, "lanhdao2", False, reason="Nghỉ hưu")
    last = storage.all("audit_recent", limit=2)
    assert last[0]["action"] == "user.disable" and last[0]["actor"] == "cli"
    assert last[0]["old_value"] == '{"active": true}' and last[0]["new_value"] == '{"active": false}'
    assert last[0]["reason"] == "Nghỉ hưu"
    assert last[1]["action"] == "user.create" and "password_hash" not in last[1]["new_value"]


def test_criteria_import_writes_set_period_and_audit(storage):
    cs = reference.period_criteria(storage, CLI_USER, 2022)
    from dataclasses import replace
    new = replace(cs, version=2)
    set_id = reference.import_criteria_set(storage, CLI_USER, new, 2022)
    assert storage.one("period_get", year=2022)["criteria_set_id"] == set_id
    assert reference.period_criteria(storage, CLI_USER, 2022) == new
    assert storage.all("audit_recent", limit=1)[0]["action"] == "criteria.import"

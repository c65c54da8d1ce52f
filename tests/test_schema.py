"""The schema: migrations hold tables and data changes, every view has its own file, and a
database of the previous release (results kept on write, 021) upgrades to results computed on
read with the same figures as a fresh install holding the same data."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from cchc.core.permissions import CLI_USER
from cchc.db.storage import Storage, migrations, views
from cchc.services import results, seed

BEFORE = Path(__file__).parent / "data" / "sql_before_results_on_read"
YEAR = 2022
VIEW_DDL = re.compile(r"\bCREATE\s+(OR\s+REPLACE\s+)?VIEW\b", re.IGNORECASE)


def test_migrations_define_no_view():
    assert [v for v, sql in migrations() if VIEW_DDL.search(sql)] == []


def test_every_view_has_its_own_file_in_order_each_a_chain_ending_in_final():
    names = []
    for stem, sql in views():
        created = re.findall(r"CREATE OR REPLACE VIEW (\w+) AS", sql)
        assert created == [stem.split("_", 1)[1]], stem                # one view, named as its file
        assert sql.lstrip().startswith("--"), stem                      # a comment says what it computes
        assert re.search(r"\bfinal AS \(", sql) and sql.rstrip().endswith("SELECT * FROM final;"), stem
        names.append(created[0])
    for i, (stem, sql) in enumerate(views()):                          # reads only views before it
        body = sql.split(" AS\n", 1)[1]
        later = [n for n in names[i + 1:] if re.search(rf"\b{n}\b", body)]
        assert later == [], (stem, later)


def test_views_are_recreated_at_every_start(storage):
    storage._con.execute("DROP VIEW unit_result")
    storage.migrate()                                                   # nothing to migrate, views again
    assert storage.all("results_of_period", year=YEAR, province=None, district=None)


def _view_names(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}


def _old_release(path: Path, fresh: Path) -> None:
    """A database as the previous release left it: its migrations (001..021, with the kept
    results), holding the data of `fresh` (the audit log aside: its ids would collide with the
    rows written after the upgrade), and its kept figures computed as that release did."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
    for sql_file in sorted(BEFORE.glob("*.sql")):
        con.execute(sql_file.read_text(encoding="utf-8"))
        con.execute("INSERT INTO schema_migrations VALUES (?, now()::TIMESTAMP)", [sql_file.stem])
    con.execute(f"ATTACH '{fresh}' AS fresh (READ_ONLY)")
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'fresh' AND schema_name = 'main'").fetchall()]
    for table in tables:
        # Only what the old release had: tables and columns added since start empty or at their default.
        columns = ", ".join(r[0] for r in con.execute(
            "SELECT o.column_name FROM duckdb_columns() o JOIN duckdb_columns() f USING (table_name, column_name) "
            "WHERE o.database_name = current_database() AND f.database_name = 'fresh' AND table_name = ?",
            [table]).fetchall())
        if table not in ("schema_migrations", "audit_log") and columns:
            con.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM fresh.main.{table}")
    con.execute("DETACH fresh")
    con.execute("INSERT INTO unit_figures SELECT * FROM unit_figures_live")
    con.execute("INSERT INTO results_pending VALUES (2022, '18139')")    # a write the upkeep had not reached
    con.close()


def _rounded(value):
    """Floats to 9 decimals: a mean of shares may differ in its last bit with the order it is summed in."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


def _figures(db: Storage) -> dict:
    r = results.results(db, CLI_USER, YEAR)
    rows = [{k: v for k, v in row.items() if k != "fields"} for row in r.rows]
    leaves = {row["unit_code"]: db.all("leaf_results_of_unit", year=YEAR, unit_code=row["unit_code"])
              for row in r.rows[:3]}
    return _rounded({"rows": rows, "by_field": r.by_field, "average": r.field_average, "leaves": leaves,
                     "fields": db.all("field_results_of_period", year=YEAR, province=None, district=None),
                     "shares": results.element_shares(db, CLI_USER, YEAR)})


def _change(db: Storage) -> None:
    db.write(lambda tx: tx.cur.execute(
        "UPDATE score SET self_points = 0, appraised_points = NULL WHERE period_year = ? AND unit_code = '18139'", [YEAR]))


@pytest.fixture
def fresh_and_upgraded(tmp_path):
    fresh_path = tmp_path / "fresh.duckdb"
    fresh = Storage(fresh_path)
    fresh.migrate()
    seed.initialize(fresh, demo=True)
    fresh.close()
    old_path = tmp_path / "old.duckdb"
    _old_release(old_path, fresh_path)
    old = Storage(old_path)
    applied = old.migrate()
    fresh = Storage(fresh_path)
    yield fresh, old, applied
    fresh.close()
    old.close()


def test_a_database_of_the_previous_release_upgrades_and_gives_the_same_results(fresh_and_upgraded):
    fresh, old, applied = fresh_and_upgraded
    since = [version for version, _ in migrations() if version not in {f.stem for f in BEFORE.glob("*.sql")}]
    assert applied == since and since[0] == "022_results_on_read"     # every later one, in order
    tables = {r[0] for r in old._con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert not {"unit_figures", "results_pending"} & tables
    assert _view_names(old._con) == _view_names(fresh._con) == {stem.split("_", 1)[1] for stem, _ in views()}
    assert old.all("results_of_period", year=YEAR, province=None, district=None)
    # 031: the old release's flagged answers wait for review (not counted); the fresh demo seeds
    # them counted, so staff accept them before the two are compared.
    from cchc.services import citizen_survey
    assert citizen_survey.review(old, CLI_USER, YEAR, citizen_survey.ReviewFilter(), True, "Đã xem xét") > 0
    assert _figures(old) == _figures(fresh)
    before = old.one("result_of_unit", year=YEAR, unit_code="18139")["self_points"]
    for db in (old, fresh):                 # and both follow a change at once
        _change(db)
    assert _figures(old) == _figures(fresh)
    assert before > 0 and old.one("result_of_unit", year=YEAR, unit_code="18139")["self_points"] == 0
    assert old.migrate() == []              # and re-opening is a no-op

"""The only module that talks to DuckDB (with cchc/db/postgres.py beside it for PostgreSQL: the two
are the only modules that talk to a database). SQL lives in cchc/db/sql/: numbered migrations
(tables and data changes only), views/ (the read models, the index among them: one view per file,
re-created at every start after the migrations) and named queries in queries/*.sql (blocks that
start with `-- name: some_name`). Where PostgreSQL needs other SQL, cchc/db/sql/postgresql/ holds a
file of the same name with only what differs (a whole migration or view, or the named blocks of
a query file), loaded instead for that engine; everything else is shared.

`Storage(target)` picks the engine: a `postgresql://…` address (CCHC_DB) opens PostgreSQL
(cchc.db.postgres.PostgresStorage), anything else is a DuckDB file, as before.

One connection per process, a fresh cursor per call (a connection used by two threads at once
raises); writes are serialised by a lock and retried when DuckDB reports a transaction conflict.
Every text parameter is normalised to NFC on the way in. Results are computed on read by the
views, so nothing is kept up to date on write.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import duckdb

from cchc import config
from cchc.core.clock import wall_now
from cchc.core.text import nfc

SQL_DIR = Path(__file__).parent / "sql"
#: Per-engine overrides of the shared SQL (same file names; see the module's docstring).
ENGINE_DIRS = {"duckdb": None, "postgresql": SQL_DIR / "postgresql"}
MIGRATION_RE = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
VIEW_RE = re.compile(r"^\d{2}_[a-z0-9_]+\.sql$")
#: The setting that holds a demo's fixed day (the demo stands still mid-campaign).
DEMO_TODAY_KEY = "demo_today"
NAME_RE = re.compile(r"^--\s*name:\s*([a-z0-9_]+)\s*$", re.MULTILINE)
T = TypeVar("T")


class StorageError(RuntimeError):
    """The database could not be opened or used; the message is for people."""


def is_postgres_url(target: Any) -> bool:
    """Whether CCHC_DB (or a Storage target) names a PostgreSQL database rather than a DuckDB file."""
    url = getattr(target, "url", target)
    return isinstance(url, str) and url.startswith(("postgresql://", "postgres://"))


def _blocks(path: Path) -> list[tuple[str, str]]:
    parts = NAME_RE.split(path.read_text(encoding="utf-8"))
    return [(name, body.strip().rstrip(";")) for name, body in zip(parts[1::2], parts[2::2])]


def _engine_file(path: Path, engine: str) -> Path:
    """The engine's own copy of a migration or view file, if it has one."""
    folder = ENGINE_DIRS[engine]
    own = folder / path.relative_to(SQL_DIR) if folder else None
    return own if own and own.exists() else path


@lru_cache(maxsize=2)
def named_queries(engine: str = "duckdb") -> dict[str, str]:
    """Every named query, as the engine runs it: an engine's own block replaces the shared one of
    the same name (an override without a shared block is an error: it would never be asked for)."""
    queries: dict[str, str] = {}
    for path in sorted((SQL_DIR / "queries").glob("*.sql")):
        for name, body in _blocks(path):
            if name in queries:
                raise StorageError(f"Truy vấn '{name}' được khai báo hai lần ({path.name}).")
            queries[name] = body
    folder = ENGINE_DIRS[engine]
    for path in sorted((folder / "queries").glob("*.sql")) if folder else ():
        for name, body in _blocks(path):
            if name not in queries:
                raise StorageError(f"Truy vấn '{name}' của {engine} ({path.name}) không có bản chung cùng tên.")
            queries[name] = body
    return queries


def migrations(engine: str = "duckdb") -> list[tuple[str, str]]:
    """(version, SQL text) of every migration file, in order (the engine's own copy where it has one)."""
    return [(path.stem, _engine_file(path, engine).read_text(encoding="utf-8"))
            for path in sorted(SQL_DIR.glob("*.sql")) if MIGRATION_RE.match(path.name)]


def views(engine: str = "duckdb") -> list[tuple[str, str]]:
    """(file stem, SQL text) of every view file, in dependency order (by their number)."""
    return [(path.stem, _engine_file(path, engine).read_text(encoding="utf-8"))
            for path in sorted((SQL_DIR / "views").glob("*.sql")) if VIEW_RE.match(path.name)]


class Storage:
    """One database: a DuckDB file here, PostgreSQL in the subclass cchc.db.postgres.PostgresStorage
    (chosen by the target: `Storage("postgresql://…")` opens that one; callers do not change)."""

    engine = "duckdb"

    def __new__(cls, target: Any = None, *args: Any, **kwargs: Any):
        if cls is Storage and is_postgres_url(target):
            from cchc.db.postgres import PostgresStorage
            return super().__new__(PostgresStorage)
        return super().__new__(cls)

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path))
        except duckdb.IOException as exc:
            raise StorageError(
                f"Không mở được cơ sở dữ liệu {self.path}: tệp đang được một tiến trình khác dùng "
                "(hãy dừng ứng dụng trước) hoặc không đọc được.") from exc
        self._write_lock = threading.RLock()
        self._memo: dict = {}

    def memo(self, key, compute: Callable[[], T]) -> T:
        """Keep what never changes once written (a stored criteria set version) for the life of
        this connection, instead of reading it on every page run."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def close(self) -> None:
        with self._write_lock:
            self._con.close()

    # ------------------------------------------------------------ reads

    def _sql(self, name: str) -> str:
        try:
            return named_queries(self.engine)[name]
        except KeyError:
            raise StorageError(f"Không có truy vấn tên '{name}' trong cchc/db/sql/queries.") from None

    def _execute(self, cur: Any, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        cur.execute(self._sql(name), nfc(params) or None)
        return self._rows(cur)

    def _executemany(self, cur: Any, name: str, rows: list[dict[str, Any]]) -> None:
        cur.executemany(self._sql(name), [nfc(r) for r in rows])

    @staticmethod
    def _rows(cur: Any) -> list[dict[str, Any]]:
        if cur.description is None:
            return []
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    def all(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        """Run the named query and return its rows as dicts."""
        cur = self._con.cursor()
        try:
            return self._execute(cur, name, params)
        finally:
            cur.close()

    def one(self, name: str, /, **params: Any) -> dict[str, Any] | None:
        rows = self.all(name, **params)
        return rows[0] if rows else None

    def scalar(self, name: str, /, **params: Any) -> Any:
        row = self.one(name, **params)
        return next(iter(row.values())) if row else None

    # ------------------------------------------------------------ writes

    @contextmanager
    def _transaction(self) -> Iterator["Tx"]:
        with self._write_lock:
            cur = self._con.cursor()
            cur.begin()
            try:
                yield Tx(self, cur)
                cur.commit()
            except BaseException:
                cur.rollback()
                raise
            finally:
                cur.close()

    def write(self, work: Callable[["Tx"], T], retries: int = 3) -> T:
        """Run `work(tx)` in one serialised transaction; retry it on a transaction conflict."""
        for attempt in range(retries + 1):
            try:
                with self._transaction() as tx:
                    return work(tx)
            except duckdb.TransactionException:
                if attempt == retries:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    # ------------------------------------------------------------ schema

    def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded, then (re)create every view; return the versions
        applied now. Views are not dropped first: DuckDB (2.0) lets a migration alter or drop a
        table that a view reads (measured), and every view is re-created afterwards anyway."""
        with self._write_lock:
            cur = self._con.cursor()
            cur.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                        "(version VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
            done = {r[0] for r in cur.execute("SELECT version FROM schema_migrations").fetchall()}
            cur.close()
        applied = []
        for version, sql in migrations():
            if version in done:
                continue

            def apply(tx: Tx, version: str = version, sql: str = sql) -> None:
                tx.cur.execute(sql)
                tx.cur.execute("INSERT INTO schema_migrations VALUES (?, ?)", [version, wall_now()])

            self.write(apply)
            applied.append(version)
        self.apply_views()
        return applied

    def apply_views(self) -> None:
        """Create or replace every view of sql/views/, in order, in one transaction."""
        def work(tx: Tx) -> None:
            for _, sql in views():
                tx.cur.execute(sql)

        self.write(work)

    def checkpoint(self) -> None:
        with self._write_lock:
            cur = self._con.cursor()
            cur.execute("CHECKPOINT")
            cur.close()

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """Hold off every write and flush the file, so it can be copied consistently."""
        with self._write_lock:
            self.checkpoint()
            yield

    # ------------------------------------------------------------ whole tables (db copy)

    def tables(self) -> list[str]:
        """Our tables, by name (schema_migrations among them)."""
        cur = self._con.cursor()
        try:
            return [r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables WHERE "
                                              "table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
        finally:
            cur.close()

    def table_rows(self, table: str) -> tuple[list[str], list[tuple]]:
        """Every row of one of our tables (a name from tables()), with its column names."""
        if table not in self.tables():
            raise StorageError(f"Không có bảng '{table}'.")
        cur = self._con.cursor()
        try:
            cur.execute(f'SELECT * FROM "{table}"')
            return [d[0] for d in cur.description], cur.fetchall()
        finally:
            cur.close()


def app_day(read_setting: Callable[[str], Any]) -> dt.date | None:
    """The app's day when it is not the calendar's: CCHC_TODAY, else a demo's fixed day (read
    with `read_setting(key)`); None otherwise. cchc.services.common.today() is the clock."""
    override = config.from_env().today
    if override:
        return override
    demo_day = read_setting(DEMO_TODAY_KEY)
    return dt.date.fromisoformat(demo_day) if demo_day else None


class Tx:
    """A transaction in progress: named statements and the audit log."""

    def __init__(self, storage: Storage, cur: Any):
        self._storage = storage
        self.cur = cur

    def run(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        return self._storage._execute(self.cur, name, params)

    def one(self, name: str, /, **params: Any) -> dict[str, Any] | None:
        rows = self.run(name, **params)
        return rows[0] if rows else None

    def many(self, name: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._storage._executemany(self.cur, name, rows)

    def now(self) -> dt.datetime:
        """The moment an audit row is stamped with: the app's day (a demo's or CCHC_TODAY, read in
        this transaction) with the real time of day, so that the log agrees with the demo's
        clock; plain wall-clock time otherwise."""
        moment = wall_now()
        day = app_day(lambda key: (self.one("setting_get", key=key) or {}).get("value"))
        return moment if day is None else dt.datetime.combine(day, moment.time())

    def audit_many(self, actor: str, action: str, entity: str,
                   changes: list[tuple[str, Any, Any]], reason: str = "") -> None:
        """One audit row per (key, old, new), written in one statement."""
        if changes:
            self.run("audit_insert_many", logged_at=self.now(), actor=actor, action=action, entity=entity,
                     keys=[k for k, _, _ in changes], olds=[_json(o) for _, o, _ in changes],
                     news=[_json(n) for _, _, n in changes], reason=reason)

    def audit(self, actor: str, action: str, entity: str, key: str,
              old: Any = None, new: Any = None, reason: str = "") -> None:
        self.run("audit_insert", logged_at=self.now(), actor=actor, action=action, entity=entity,
                 entity_key=key, old_value=_json(old), new_value=_json(new), reason=reason or "")


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(nfc(value), ensure_ascii=False, default=str, sort_keys=True)

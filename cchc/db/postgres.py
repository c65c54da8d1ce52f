"""PostgreSQL as the second storage engine (CCHC_DB=postgresql://…), beside cchc.db.storage (the
only other module that talks to a database). The same migrations, views and named queries as
DuckDB, with the engine's own copies from cchc/db/sql/postgresql/ where the SQL differs.

- Parameters: our SQL names them `$name` (DuckDB's style); each query is translated once, when
  the queries are loaded, to psycopg's `%(name)s`, with comments dropped and every other `%`
  doubled (string literals are copied as they are, `::` casts untouched). Values are bound by
  psycopg on the client (ClientCursor): a literal carries its type, so `$x IS NULL` and
  `$codes::VARCHAR[]` mean what they mean in DuckDB, and Python lists become arrays.
- Connections come from a psycopg_pool pool, in autocommit for reads. Every write is one
  transaction at SERIALIZABLE isolation, retried (with a random pause) when PostgreSQL reports a
  serialization failure or a deadlock, as storage.write retries DuckDB's transaction conflicts.
  No process-wide lock: several processes share the database, and PostgreSQL alone decides.
- Schema: under an advisory lock (two instances starting at once do not both migrate), in one
  transaction: drop our views (a migration may change a table a view reads, and CREATE OR
  REPLACE VIEW cannot change a view's columns), create the compatibility functions
  (sql/postgresql/compat.sql), apply the migrations not yet recorded, re-create every view.
- Numbers: PostgreSQL's sum of integers is NUMERIC; it is read back as a Python int (as DuckDB
  gives it), while a NUMERIC with decimals (DECIMAL columns, their sums) stays a Decimal.
- checkpoint() and frozen() mean nothing here: backups use pg_dump (cchc.services.backup).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import time
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Loader
from psycopg.types.json import set_json_loads
from psycopg_pool import ConnectionPool, PoolTimeout

from cchc.config import DatabaseUrl
from cchc.core.clock import wall_now
from cchc.core.text import nfc
from cchc.db import storage as base
from cchc.db.storage import SQL_DIR, StorageError, Tx

T = TypeVar("T")
COMPAT_FILE = SQL_DIR / "postgresql" / "compat.sql"
#: Key of the advisory lock held while the schema is brought up to date.
MIGRATE_LOCK = 710_2022
RETRYABLE = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)
_TOKEN_RE = re.compile(r"('(?:[^']|'')*')|(--[^\n]*)|\$([A-Za-z_][A-Za-z0-9_]*)|(%)")
_VIEW_NAME_RE = re.compile(r"CREATE\s+OR\s+REPLACE\s+VIEW\s+([a-z0-9_]+)", re.IGNORECASE)
#: Connections per process: Streamlit serves every browser of an instance from its threads.
POOL_MAX = 8


def to_pyformat(sql: str) -> str:
    """DuckDB-style `$name` parameters to psycopg's `%(name)s`: comments dropped, a literal `%`
    doubled, string literals copied unchanged (a `$` inside one is text, not a parameter)."""
    def repl(m: re.Match) -> str:
        literal, comment, name, percent = m.groups()
        if literal is not None:
            return literal.replace("%", "%%")
        if comment is not None:
            return ""
        if name is not None:
            return f"%({name})s"
        return "%%"

    return _TOKEN_RE.sub(repl, sql)


@lru_cache(maxsize=1)
def pg_queries() -> dict[str, str]:
    return {name: to_pyformat(sql) for name, sql in base.named_queries("postgresql").items()}


class _NumericLoader(Loader):
    """NUMERIC without decimals (a sum or count of integers) as an int, as DuckDB returns it; with
    decimals (a DECIMAL column, a sum of them) as a Decimal."""

    def load(self, data) -> Any:
        text = bytes(data).decode("ascii")
        if "." in text or "e" in text.lower() or not text.lstrip("-").isdigit():
            return Decimal(text)
        return int(text)


#: Members of the JSON objects our PostgreSQL views build in place of DuckDB structs that are
#: integers there; every other number in them is a double (JSON writes 5.0 as 5).
_JSON_INTEGERS = frozenset({"field", "rank"})


def _json_floats(obj: dict) -> dict:
    return {k: float(v) if type(v) is int and k not in _JSON_INTEGERS else v for k, v in obj.items()}


def _json_loads(data: str | bytes) -> Any:
    return json.loads(data, object_hook=_json_floats)


def _configure(conn: psycopg.Connection) -> None:
    conn.adapters.register_loader("numeric", _NumericLoader)
    set_json_loads(_json_loads, conn)


class _Cursor:
    """A transaction's cursor (Tx.cur) that also takes SQL written for DuckDB with `?` and a list of
    values, as a migration step or a test may hand it; everything else goes to psycopg's cursor."""

    def __init__(self, cur: psycopg.ClientCursor):
        self._cur = cur

    def execute(self, sql: str, params: Any = None) -> Any:
        if isinstance(params, (list, tuple)):
            sql = sql.replace("%", "%%").replace("?", "%s")
        self._cur.execute(sql, params)
        return self

    def fetchall(self) -> list:
        return self._cur.fetchall()

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cur, name)


class _PlainConnection:
    def __init__(self, conn: psycopg.Connection):
        self._conn = conn

    def execute(self, sql: str, params: Any = None) -> _Cursor:
        return _Cursor(self._conn.cursor()).execute(sql, params)

    def cursor(self) -> _Cursor:
        return _Cursor(self._conn.cursor())


class PostgresStorage(base.Storage):
    engine = "postgresql"

    def __init__(self, target: Any):
        self.url = getattr(target, "url", target)
        self.path = DatabaseUrl(self.url)    # no file: what CCHC_DB says (backups use pg_dump)
        self._memo: dict = {}
        self._plain: psycopg.Connection | None = None
        try:                                 # once, directly: a wrong address fails at once, with its reason
            psycopg.connect(self.url, connect_timeout=10).close()
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            secret = re.search(r"://[^:/@]+:([^@]*)@", self.url)
            reason = reason.replace(secret.group(1), "***") if secret and secret.group(1) else reason
            raise StorageError(f"Không kết nối được cơ sở dữ liệu PostgreSQL {redacted(self.url)}: máy chủ chưa chạy, "
                               f"sai địa chỉ, tên cơ sở dữ liệu, tài khoản hoặc mật khẩu (máy chủ báo: {reason}).") from None
        self._pool = ConnectionPool(self.url, min_size=1, max_size=POOL_MAX, open=False, configure=_configure,
                                    kwargs={"autocommit": True, "cursor_factory": psycopg.ClientCursor},
                                    name="cchc")
        try:
            self._pool.open(wait=True, timeout=15)
        except PoolTimeout as exc:
            self._pool.close()
            raise StorageError(f"Không kết nối được cơ sở dữ liệu PostgreSQL {redacted(self.url)}: máy chủ chưa chạy, "
                               "sai địa chỉ, tên cơ sở dữ liệu, tài khoản hoặc mật khẩu.") from exc

    def close(self) -> None:
        if self._plain is not None:
            self._plain.close()
        self._pool.close()

    @property
    def _con(self) -> "_PlainConnection":
        """Plain SQL outside the named queries, as DuckDB's connection takes it (`?` and a list of
        values), in autocommit: for tests and the copy command, never for the app's own work."""
        if self._plain is None or self._plain.closed:
            self._plain = psycopg.connect(self.url, autocommit=True, cursor_factory=psycopg.ClientCursor)
            _configure(self._plain)
        return _PlainConnection(self._plain)

    # ------------------------------------------------------------ statements

    def _sql(self, name: str) -> str:
        try:
            return pg_queries()[name]
        except KeyError:
            raise StorageError(f"Không có truy vấn tên '{name}' trong cchc/db/sql/queries.") from None

    def _execute(self, cur: Any, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        cur.execute(self._sql(name), nfc(params))
        return self._rows(cur)

    def _executemany(self, cur: Any, name: str, rows: list[dict[str, Any]]) -> None:
        cur.executemany(self._sql(name), [nfc(r) for r in rows])

    def all(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        with self._pool.connection() as conn, conn.cursor() as cur:
            return self._execute(cur, name, params)

    def execute_plain(self, sql: str) -> list[dict[str, Any]]:
        """SQL text without parameters (the copy command's table reads), outside any transaction."""
        with self._pool.connection() as conn, conn.cursor() as cur:
            cur.execute(sql)
            return self._rows(cur)

    # ------------------------------------------------------------ writes

    @contextmanager
    def _transaction(self, isolation: str = "SERIALIZABLE") -> Iterator[Tx]:
        with self._pool.connection() as conn:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(f"SET TRANSACTION ISOLATION LEVEL {isolation}")
                yield Tx(self, _Cursor(cur))

    def write(self, work: Callable[[Tx], T], retries: int = 12) -> T:
        """Run `work(tx)` in one SERIALIZABLE transaction; retry it on a serialization failure or a
        deadlock (another process or thread wrote what it read), after a short random pause."""
        for attempt in range(retries + 1):
            try:
                with self._transaction() as tx:
                    return work(tx)
            except RETRYABLE:
                if attempt == retries:
                    raise
                time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
        raise AssertionError("unreachable")

    # ------------------------------------------------------------ schema

    def migrate(self) -> list[str]:
        applied: list[str] = []
        with self._transaction("READ COMMITTED") as tx:
            cur = tx.cur
            cur.execute("SELECT pg_advisory_xact_lock(?)", [MIGRATE_LOCK])
            cur.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                        "(version VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
            cur.execute("SELECT version FROM schema_migrations")
            done = {r[0] for r in cur.fetchall()}
            view_sql = base.views(self.engine)
            for _, sql in reversed(view_sql):
                for name in reversed(_VIEW_NAME_RE.findall(sql)):
                    cur.execute(f"DROP VIEW IF EXISTS {name}")
            cur.execute(COMPAT_FILE.read_text(encoding="utf-8"))
            for version, sql in base.migrations(self.engine):
                if version in done:
                    continue
                cur.execute(sql)
                cur.execute("INSERT INTO schema_migrations VALUES (?, ?)", [version, wall_now()])
                applied.append(version)
            for _, sql in view_sql:
                cur.execute(sql)
        return applied

    def apply_views(self) -> None:
        self.migrate()

    def checkpoint(self) -> None:
        """Nothing to flush: PostgreSQL's own durability; backups use pg_dump."""

    @contextmanager
    def frozen(self) -> Iterator[None]:
        yield

    def dump(self, out: Path) -> None:
        """The whole database into `out` (pg_dump -Fc): the backup's database member."""
        dump(self.url, out)

    def restore_dump(self, dump_file: Path) -> None:
        """Replace what the database holds with a dump(), all or nothing (pg_restore --clean)."""
        restore(self.url, dump_file)

    def tables(self) -> list[str]:
        """Our tables (the copy command and the tests list them)."""
        return [r["table_name"] for r in self.execute_plain(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]

    def table_rows(self, table: str) -> tuple[list[str], list[tuple]]:
        if table not in self.tables():
            raise StorageError(f"Không có bảng '{table}'.")
        with self._pool.connection() as conn, conn.cursor() as cur:
            cur.execute(f'SELECT * FROM "{table}"')
            return [d[0] for d in cur.description], cur.fetchall()

    def row_counts(self) -> dict[str, int]:
        return {t: self.execute_plain(f'SELECT count(*) AS n FROM "{t}"')[0]["n"] for t in self.tables()}

    def load_tables(self, source: base.Storage, replace: bool = False) -> dict[str, int]:
        """Copy every table of `source` (a migrated DuckDB database) into this one (migrated, and
        empty unless `replace`), in one transaction with COPY, then move each sequence past the
        ids copied. Returns the rows copied per table. A table or column this schema lacks is an
        error: migrate both first (the same version of the app)."""
        ours = set(self.tables())
        copied: dict[str, int] = {}
        with self._transaction("READ COMMITTED") as tx:
            cur = tx.cur._cur
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
            tables = [t for t in source.tables() if t != "schema_migrations"]
            missing = [t for t in tables if t not in ours]
            if missing:
                raise StorageError(f"Cơ sở dữ liệu đích thiếu bảng {', '.join(missing)}: hai bên chưa cùng phiên bản.")
            if replace:
                cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
            for table in tables:                 # no foreign keys (001_core.sql): any order will do
                columns, rows = source.table_rows(table)
                cols = ", ".join(f'"{c}"' for c in columns)
                with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                copied[table] = len(rows)
            cur.execute("SELECT table_name, column_name, column_default FROM information_schema.columns "
                        "WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%%'")
            for table, column, default in cur.fetchall():
                sequence = re.search(r"nextval\('([a-z0-9_]+)'", default).group(1)
                cur.execute(f'SELECT setval(%s, coalesce((SELECT max("{column}") FROM "{table}"), 0) + 1, false)',
                            (sequence,))
        return copied


def _client_env(url: str) -> dict[str, str]:
    """The address as libpq's variables, so that no password shows in the process list."""
    from psycopg.conninfo import conninfo_to_dict
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[k]: str(v) for k, v in conninfo_to_dict(url).items() if k in names and v is not None})
    return env


def _run_client(program: str, args: list[str], url: str) -> None:
    if shutil.which(program) is None:
        raise StorageError(f"Không tìm thấy chương trình {program} (gói postgresql-client của Debian: "
                           f"sudo apt-get install postgresql-client): cần nó để sao lưu và khôi phục PostgreSQL.")
    done = subprocess.run([program, *args], env=_client_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        raise StorageError(f"{program} không chạy được: {done.stderr.strip()[-500:] or done.returncode}")


def dump(url: str, out: Path) -> None:
    """The whole database into one file, pg_dump's custom format (pg_restore reads it)."""
    _run_client("pg_dump", ["-Fc", "--no-owner", "--no-privileges", "-f", str(out)], url)


def restore(url: str, dump_file: Path) -> None:
    """A pg_dump file in place of what the database holds, in one transaction (all or nothing)."""
    _run_client("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                               "--exit-on-error", "-d", _client_env(url).get("PGDATABASE", ""), str(dump_file)], url)


def redacted(url: str) -> str:
    """The address without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)

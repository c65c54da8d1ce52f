"""The only module that talks to DuckDB. SQL lives in cchc/sql/: numbered migrations, and named
queries in cchc/sql/queries/*.sql (blocks that start with `-- name: some_name`).

One connection per process, a fresh cursor per call (a connection used by two threads at once
raises); writes are serialised by a lock and retried when DuckDB reports a transaction conflict.
Every text parameter is normalised to NFC on the way in.

It also keeps the index results up to date (021_results_kept.sql): a writing query's `-- results:`
line says which units it changes, the transaction notes them in results_pending, and they are
recomputed by a background thread shortly after, or before any query marked `-- reads: results`.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import weakref
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import duckdb

from cchc.core.clock import wall_now
from cchc.core.text import nfc

SQL_DIR = Path(__file__).parent / "sql"
MIGRATION_RE = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
NAME_RE = re.compile(r"^--\s*name:\s*([a-z0-9_]+)\s*$", re.MULTILINE)
RESULTS_RE = re.compile(r"^--\s*results:\s*(.+?)\s*$", re.MULTILINE)
READS_RE = re.compile(r"^--\s*reads:\s*results\s*$", re.MULTILINE)
UPKEEP_DELAY = 1.0          # seconds a burst of deferred writes gathers before its units are recomputed
# The tables the kept results (unit_figures, 021_results_kept.sql) are computed from: a named
# query that writes one of them must say in a `-- results:` line what it changes (a test checks).
RESULT_SOURCES = frozenset({"score", "survey_response", "survey_answer", "official_code", "official_answer",
                            "criterion", "criteria_set", "period", "period_criteria", "unit", "unit_name"})
WRITE_RE = re.compile(r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+(\w+)", re.IGNORECASE)
# Recomputing one unit costs about as much as a whole small period (the fixed cost of the
# computation dominates below a few hundred units); a period costs about 1/1500 more per unit.
UNITS_PER_UNIT_COST = 1500
RULE_ARITY = {"unit": 2, "response": 1, "code": 1, "period": 1, "all": 0, "none": 0}   # parameters per rule
T = TypeVar("T")


class StorageError(RuntimeError):
    """The database could not be opened or used; the message is for people."""


@lru_cache(maxsize=1)
def named_queries() -> dict[str, str]:
    queries: dict[str, str] = {}
    for path in sorted((SQL_DIR / "queries").glob("*.sql")):
        parts = NAME_RE.split(path.read_text(encoding="utf-8"))
        for name, body in zip(parts[1::2], parts[2::2]):
            if name in queries:
                raise StorageError(f"Truy vấn '{name}' được khai báo hai lần ({path.name}).")
            queries[name] = body.strip().rstrip(";")
    return queries


@lru_cache(maxsize=1)
def results_rules() -> dict[str, tuple[str, ...]]:
    """What each writing named query changes in the kept results, from its `-- results:` line:
    ('unit', year param, unit param) (each a value or a list; two lists go in pairs),
    ('response', ids param), ('code', codes param), ('period', year param), ('all',) or ('none',)."""
    rules = {}
    for name, sql in named_queries().items():
        match = RESULTS_RE.search(sql)
        if match:
            words = match.group(1).split()
            rule = (words[0], *(w.lstrip("$") for w in words[1:] if w.startswith("$")))
            body = RESULTS_RE.sub("", sql)
            if RULE_ARITY.get(rule[0]) != len(rule) - 1 or any(f"${p}" not in body for p in rule[1:]):
                raise StorageError(f"Dòng '-- results: {match.group(1)}' của truy vấn '{name}' không hợp lệ.")
            rules[name] = rule
    return rules


@lru_cache(maxsize=1)
def _response_inserts() -> frozenset[str]:
    """The named queries that insert survey responses (their ids and units are remembered)."""
    return frozenset(name for name, sql in named_queries().items()
                     if "survey_response" in {t.lower() for t in WRITE_RE.findall(sql)} and "INSERT" in sql.upper())


@lru_cache(maxsize=1)
def results_readers() -> frozenset[str]:
    """The named queries that read the kept results (`-- reads: results`): before one runs,
    the units still pending are recomputed."""
    return frozenset(name for name, sql in named_queries().items() if READS_RE.search(sql))


def migrations() -> list[tuple[str, str]]:
    """(version, SQL text) of every migration file, in order."""
    found = []
    for path in sorted(SQL_DIR.glob("*.sql")):
        match = MIGRATION_RE.match(path.name)
        if match:
            found.append((path.stem, path.read_text(encoding="utf-8")))
    return found


class Storage:
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
        self._upkeep: threading.Thread | None = None
        self._upkeep_wake = threading.Event()
        self._closed = False

    def memo(self, key, compute: Callable[[], T]) -> T:
        """Keep what never changes once written (a stored criteria set version) for the life of
        this connection, instead of reading it on every page run."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def close(self) -> None:
        self._closed = True
        self._upkeep_wake.set()
        with self._write_lock:
            self._con.close()

    # ------------------------------------------------------------ reads

    def _sql(self, name: str) -> str:
        try:
            return named_queries()[name]
        except KeyError:
            raise StorageError(f"Không có truy vấn tên '{name}' trong cchc/sql/queries.") from None

    @staticmethod
    def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
        if cur.description is None:
            return []
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    def all(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        """Run the named query and return its rows as dicts."""
        if name in results_readers():
            self.keep_pending()
        cur = self._con.cursor()
        try:
            cur.execute(self._sql(name), nfc(params) or None)
            return self._rows(cur)
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
                tx = Tx(self, cur)
                yield tx
                deferred = tx.keep_results()
                cur.commit()
                Tx.committed += 1
                if deferred:
                    self.wake_upkeep()
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
        """Apply the migrations not yet recorded; return the versions applied now."""
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
        if applied:                     # a migration may change the computation: recompute it all
            self.refresh_results()
        return applied

    def refresh_results(self) -> None:
        """Recompute the kept results of every period from scratch (after a migration, a restore
        or a bulk load that bypassed the named queries)."""
        self.write(lambda tx: tx.touch_all())

    def results_drift(self) -> list[dict[str, Any]]:
        """The (year, unit_code) whose kept results differ from a computation from scratch."""
        self.keep_pending()
        return self.all("results_drift")

    def keep_pending(self) -> None:
        """Recompute the units that writes left in results_pending (nothing to write when none)."""
        if not self.scalar("results_pending_count"):
            return

        def work(tx: Tx) -> None:
            tx.defer_results = False
            for row in tx.run("results_pending_take"):
                if row["unit_code"] is None:
                    tx.touch_period(row["year"])
                else:
                    tx.touch(row["year"], row["unit_code"])

        self.write(work)

    def wake_upkeep(self) -> None:
        """Have a background thread recompute the pending units shortly (a burst of deferred
        writes is recomputed once)."""
        with self._write_lock:
            if self._upkeep is None:
                self._upkeep = threading.Thread(target=_upkeep_loop, args=(weakref.ref(self), self._upkeep_wake),
                                                name="cchc-results-upkeep", daemon=True)
                self._upkeep.start()
        self._upkeep_wake.set()

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


def _upkeep_loop(ref: "weakref.ref[Storage]", wake: threading.Event) -> None:
    """The upkeep thread: holds its Storage only while recomputing, so that the Storage (and its
    DuckDB connection) can be closed and freed while the thread waits. After a pass it waits
    four times as long as the pass took (at least UPKEEP_DELAY), so that recomputing takes at
    most a fifth of the write lock's time when answers keep coming (a whole country's period
    takes about 0.25 s)."""
    delay = UPKEEP_DELAY
    try:
        while True:
            wake.wait()
            time.sleep(delay)
            wake.clear()
            storage = ref()
            if storage is None or storage._closed:
                return
            start = time.perf_counter()
            try:
                storage.keep_pending()
            except Exception:           # closed meanwhile, or a failure: readers still recompute them
                if storage._closed:
                    return
                logging.getLogger(__name__).exception("Không tính lại được kết quả đang chờ.")
            delay = max(UPKEEP_DELAY, 4 * (time.perf_counter() - start))
            del storage
    finally:
        storage = ref()
        if storage is not None:
            storage._upkeep = None      # the next deferred write starts a new thread
        del storage


class Tx:
    """A transaction in progress: named statements and the audit log."""

    committed = 0           # write transactions committed in this process (the tests' drift check reads it)

    def __init__(self, storage: Storage, cur: duckdb.DuckDBPyConnection):
        self._storage = storage
        self.cur = cur
        self._touched: dict[int, set[str] | None] = {}     # year -> units (None: the whole period)
        self._touched_all = False
        self._responses: dict[int, tuple[int, str]] = {}  # survey responses written here -> (year, unit)
        # True: the touched units are only noted in results_pending; Storage.keep_pending
        # recomputes them, in the background shortly after, or before results are read.
        self.defer_results = True

    def run(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        self.cur.execute(self._storage._sql(name), nfc(params) or None)
        rows = Storage._rows(self.cur)
        self._note(name, params, rows)
        return rows

    # ------------------------------------------------------------ kept results

    def _note(self, name: str, params: dict[str, Any], rows: list[dict[str, Any]] = ()) -> None:
        """Remember what a statement changed in the results, by its `-- results:` rule."""
        rule = results_rules().get(name)
        if rule is None or rule[0] == "none":
            return
        kind, *args = rule
        if kind == "all":
            self.touch_all()
        elif kind == "period":
            for year in _listed(params[args[0]]):
                self.touch_period(year)
        elif kind == "unit":
            years, units = params[args[0]], params[args[1]]
            pairs = (zip(years, units) if isinstance(years, (list, tuple)) and isinstance(units, (list, tuple))
                     else ((y, u) for y in _listed(years) for u in _listed(units)))
            pairs = [(int(year), unit) for year, unit in pairs]
            for year, unit in pairs:
                self.touch(year, unit)
            if name in _response_inserts():     # remember whose they are, for their answers' rule
                ids = params.get("ids") or [r["id"] for r in rows if "id" in r]
                if len(pairs) == 1:
                    pairs = pairs * len(ids)
                if len(pairs) == len(ids):
                    self._responses.update(zip(ids, pairs))
        elif kind in ("response", "code"):
            wanted = list(dict.fromkeys(_listed(params[args[0]])))
            if kind == "response":              # responses written in this transaction need no lookup
                for pair in filter(None, map(self._responses.get, wanted)):
                    self.touch(*pair)
                wanted = [i for i in wanted if i not in self._responses]
            if wanted:
                query, key = (("results_units_of_responses", "ids") if kind == "response"
                              else ("results_units_of_codes", "codes"))
                self.cur.execute(self._storage._sql(query), {key: wanted})
                for row in Storage._rows(self.cur):
                    self.touch(row["year"], row["unit_code"])

    def touch(self, year: int, unit_code: str) -> None:
        units = self._touched.setdefault(year, set())
        if units is not None:
            units.add(unit_code)

    def touch_period(self, year: int) -> None:
        self._touched[int(year)] = None

    def touch_all(self) -> None:
        self._touched_all = True

    def keep_results(self) -> bool:
        """Before this transaction commits: note the units it touched in results_pending (True
        comes back: the upkeep thread is to be woken after the commit), or recompute them now
        (a change to every period, and Storage.keep_pending)."""
        sql, cur = self._storage._sql, self.cur
        if self.defer_results and not self._touched_all:
            for year, units in self._touched.items():
                cur.execute(sql("results_pending_insert"),
                            {"year": year, "unit_codes": [None] if units is None else sorted(units)})
            deferred, self._touched = bool(self._touched), {}
            return deferred
        if self._touched_all:
            cur.execute(sql("results_pending_take"))
            cur.execute(sql("results_forget_all"))
            cur.execute(sql("results_keep_all"))
        else:
            for year, units in self._touched.items():
                if units is not None and len(units) > 1:     # several units: one by one, or the period?
                    cur.execute(sql("results_units_kept"), {"year": year})
                    if len(units) >= 1 + cur.fetchone()[0] / UNITS_PER_UNIT_COST:
                        units = None
                if units is None:
                    cur.execute(sql("results_forget_period"), {"year": year})
                    cur.execute(sql("results_keep_period"), {"year": year})
                    continue
                for unit in units:
                    cur.execute(sql("results_forget_unit"), {"year": year, "unit_code": unit})
                    cur.execute(sql("results_keep_unit"), {"year": year, "unit_code": unit})
        self._touched, self._touched_all = {}, False
        return False

    def one(self, name: str, /, **params: Any) -> dict[str, Any] | None:
        rows = self.run(name, **params)
        return rows[0] if rows else None

    def many(self, name: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.cur.executemany(self._storage._sql(name), [nfc(r) for r in rows])
            for row in rows:
                self._note(name, row)

    def audit_many(self, actor: str, action: str, entity: str,
                   changes: list[tuple[str, Any, Any]], reason: str = "") -> None:
        """One audit row per (key, old, new), written in one statement."""
        if changes:
            self.run("audit_insert_many", logged_at=wall_now(), actor=actor, action=action, entity=entity,
                     keys=[k for k, _, _ in changes], olds=[_json(o) for _, o, _ in changes],
                     news=[_json(n) for _, _, n in changes], reason=reason)

    def audit(self, actor: str, action: str, entity: str, key: str,
              old: Any = None, new: Any = None, reason: str = "") -> None:
        self.run("audit_insert", logged_at=wall_now(), actor=actor, action=action, entity=entity,
                 entity_key=key, old_value=_json(old), new_value=_json(new), reason=reason or "")


def _listed(value: Any) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(nfc(value), ensure_ascii=False, default=str, sort_keys=True)

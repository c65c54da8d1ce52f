"""Shared fixtures: every test gets its own DuckDB file; nothing of ours is mocked."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import duckdb
import pytest

# Cheap bcrypt for tests (same algorithm, fewer rounds); the app's default stays 12.
os.environ["CCHC_BCRYPT_ROUNDS"] = "4"
os.environ.pop("CCHC_TODAY", None)

from cchc.db.storage import Storage  # noqa: E402
from cchc.services import seed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "data" / "criteria" / "2022-cap-xa-mau.yaml"
DEMO_PASSWORD = "Demo@2022"
# PostgreSQL (issue 16): CCHC_TEST_POSTGRES=postgresql://user:password@host/database, a role that may
# create databases (.ci/run sets it). Then every test of the `storage` fixture runs on both engines;
# without it, on DuckDB only, and the tests that need PostgreSQL are skipped with the reason.
PG_ADMIN_URL = os.environ.get("CCHC_TEST_POSTGRES") or None
ENGINES = ["duckdb", "postgresql"] if PG_ADMIN_URL else ["duckdb"]
#: Tests of the `storage` fixture about DuckDB's own machinery; tests/test_postgres.py has their
#: PostgreSQL counterparts.
DUCKDB_ONLY = {
    "test_writes_from_many_threads_are_serialised": "DuckDB: the process's write lock (PostgreSQL: test_postgres.py)",
    "test_a_transaction_conflict_is_retried": "DuckDB's own conflict (PostgreSQL: test_postgres.py)",
    "test_a_dossier_code_answers_once": "expects DuckDB's ConstraintException (PostgreSQL raises UniqueViolation)",
    "test_a_real_install_generates_its_own_cookie_key": "the key file beside a DuckDB file",
    "test_a_real_install_runs_with_its_own_key": "the key file beside a DuckDB file",
    "test_an_oversized_restore_leaves_the_running_database_open": "restores a DuckDB file (PostgreSQL: test_postgres.py)",
    "test_a_restore_that_does_not_fit_on_the_disk_is_refused_before_closing_the_database":
        "restores a DuckDB file (PostgreSQL: test_postgres.py)",
}


class PgServer:
    """Databases of one test run on the PostgreSQL server of CCHC_TEST_POSTGRES: templates built once
    (migrated and seeded), and a fresh copy for each test (CREATE DATABASE … TEMPLATE), dropped at
    the end of the run."""

    def __init__(self, admin_url: str, tag: str):
        import psycopg
        self._psycopg = psycopg
        self.admin_url, self.tag, self.made, self.templates, self.count = admin_url, tag, [], {}, 0

    def url(self, name: str) -> str:
        from urllib.parse import urlsplit, urlunsplit
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path="/" + name))

    def _admin(self, *statements: str) -> None:
        with self._psycopg.connect(self.admin_url, autocommit=True) as con:
            for sql in statements:
                con.execute(sql)

    def create(self, template: str | None = None) -> str:
        self.count += 1
        name = f"cchc_t_{self.tag}_{self.count}"
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                    f"CREATE DATABASE {name}" + (f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""))
        self.made.append(name)
        return self.url(name)

    def template(self, kind: str) -> str:
        """The database name of a template: 'blank' (reference data) or 'demo'."""
        if kind not in self.templates:
            url = self.create()
            db = Storage(url)
            db.migrate()
            seed.initialize(db, demo=kind == "demo")
            db.close()
            self.templates[kind] = url.rsplit("/", 1)[1]
        return self.templates[kind]

    def clone(self, kind: str) -> str:
        return self.create(self.template(kind))

    def drop_all(self) -> None:
        for name in reversed(self.made):
            with contextlib.suppress(Exception):
                self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_server(worker_id) -> PgServer:
    """The PostgreSQL server for the tests (CCHC_TEST_POSTGRES); skipped where it is not set."""
    if not PG_ADMIN_URL:
        pytest.skip("PostgreSQL không được cấu hình cho kiểm thử (đặt CCHC_TEST_POSTGRES=postgresql://…)")
    server = PgServer(PG_ADMIN_URL, f"{worker_id}_{os.getpid()}")
    yield server
    server.drop_all()


def _build(path: Path, demo: bool) -> Path:
    db = Storage(path)
    db.migrate()
    seed.initialize(db, demo=demo)
    db.checkpoint()
    db.close()
    return path


@pytest.fixture(scope="session")
def blank_file(tmp_path_factory) -> Path:
    """A database with the reference data and no demo, built once; tests get a copy."""
    return _build(tmp_path_factory.mktemp("blank") / "blank.duckdb", demo=False)


@pytest.fixture(params=ENGINES)
def storage(request, blank_file, tmp_path) -> Storage:
    """A fresh database of its own with the reference data and no demo: a DuckDB file, and (with
    CCHC_TEST_POSTGRES set) a PostgreSQL database made from a template, each test on both."""
    if request.param == "postgresql":
        if request.node.originalname in DUCKDB_ONLY:
            pytest.skip(DUCKDB_ONLY[request.node.originalname])
        url = request.getfixturevalue("pg_server").clone("blank")
        db = Storage(url)
        yield db
        db.close()
        return
    db = Storage(shutil.copy(blank_file, tmp_path / "cchc.duckdb"))
    yield db
    with contextlib.suppress(duckdb.Error):
        db.close()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """A demo database built once per test run; tests copy it before writing to it."""
    return _build(tmp_path_factory.mktemp("demo") / "demo.duckdb", demo=True)


@pytest.fixture
def demo_env(demo_file, tmp_path, monkeypatch) -> Path:
    """Point the app (AppTest runs in this process) at a copy of the demo database."""
    path = shutil.copy(demo_file, tmp_path / "app.duckdb")
    monkeypatch.setenv("CCHC_DB", str(path))
    monkeypatch.setenv("CCHC_FILES", str(tmp_path / "files"))
    return path


@pytest.fixture
def on_day(monkeypatch):
    """Set the app's clock (CCHC_TODAY); it starts on 05/11/2022, before the 2022 deadline."""
    def set_day(iso: str):
        monkeypatch.setenv("CCHC_TODAY", iso)
    set_day("2022-11-05")
    return set_day


@contextlib.contextmanager
def opened(path):
    """A test's database, opened (and closed again) to check what the app or a command wrote."""
    db = Storage(path)
    try:
        yield db
    finally:
        db.close()

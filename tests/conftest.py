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

from cchc.db.storage import Storage, Tx  # noqa: E402
from cchc.services import seed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "data" / "criteria" / "2022-cap-xa-mau.yaml"
DEMO_PASSWORD = "Demo@2022"


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


@pytest.fixture
def storage(blank_file, tmp_path) -> Storage:
    """A fresh database of its own with the reference data and no demo."""
    db = Storage(shutil.copy(blank_file, tmp_path / "cchc.duckdb"))
    noted = Tx.committed
    yield db
    try:
        _assert_kept_results(db, noted)
    finally:
        with contextlib.suppress(duckdb.Error):
            db.close()


def _assert_kept_results(db: Storage, noted: int) -> None:
    """Whatever a test wrote, the kept results (unit_figures) must equal a computation from
    scratch: this checks the `-- results:` rules of every write the test made, and finds a write
    without one (`noted`: the count of committed writes in this process when the test began;
    none since, nothing to check)."""
    try:
        if Tx.committed == noted and not db.scalar("results_pending_count"):
            return
        drift = db.results_drift()
    except duckdb.ConnectionException:          # the test closed the database itself
        return
    assert drift == [], f"kết quả lưu sẵn lệch với tính lại từ đầu: {drift}"


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
    noted = Tx.committed
    yield path
    if Path(path).exists():
        with opened(path) as db:
            _assert_kept_results(db, noted)


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



def pytest_xdist_make_scheduler(config, log):
    """Tests go to the two workers a file at a time, except that every browser file (test_browser*)
    is one unit: the browser flows run one after another on one worker while the other worker
    takes the rest. Two Streamlit servers and two Chromiums at once on two cores made them time out."""
    from xdist.scheduler import LoadScopeScheduling

    class BrowserFilesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "browser" if path.rsplit("/", 1)[-1].startswith("test_browser") else path

    return BrowserFilesTogether(config, log)

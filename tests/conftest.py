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

"""Shared test fixtures: paths to ../shared, databases (SQLite and the machine's PostgreSQL)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PG_BASE = os.environ.get("DRAFTCTL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("DRAFTCTL_TEST_REQUIRE_SERVICES") == "1"


def shared(*parts: str) -> Path:
    """A path under ../shared; the test is skipped with a reason when ../shared is absent."""
    path = SHARED.joinpath(*parts)
    if not SHARED.exists():
        pytest.skip("../shared is not beside the repository (it holds the real documents the tests use)")
    return path


def _postgres_available() -> str | None:
    try:
        engine = create_engine(PG_BASE, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # the reason goes into the skip message
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


@pytest.fixture(scope="session")
def pg_url():
    """A PostgreSQL URL whose search_path is a fresh schema, dropped at the end of the session."""
    problem = _postgres_available()
    if problem:
        if REQUIRE_SERVICES:
            pytest.fail(f"PostgreSQL is required here but not reachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable at 127.0.0.1:5432: {problem}")
    schema = f"draftctl_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_BASE else "?"
    yield f"{PG_BASE}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'draftctl.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Run a test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'draftctl.db'}"
    return request.getfixturevalue("pg_url")


def empty_store(factory) -> None:
    """Delete every row of the schema, children first (tests sharing a session schema start clean)."""
    from services.common.db import unit_of_work
    from services.common.models import Base

    with unit_of_work(factory) as db:
        for table in reversed(Base.metadata.sorted_tables):
            db.execute(table.delete())

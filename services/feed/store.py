"""The store's engine: SQLite (embedded, WAL) by default, PostgreSQL by URL, one code path.

Writers use :meth:`Store.write` and readers :meth:`Store.read`. On SQLite a write transaction
starts with ``BEGIN IMMEDIATE``: the API, the consumer and the dispatcher share one file, and a
deferred transaction that reads and then writes would fail with SQLITE_BUSY instead of waiting.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from services.feed.tables import feed_secrets, metadata

__all__ = ["Store"]

_PSEUDONYM_KEY = "pseudonym_key"


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30})
            _sqlite_pragmas(self.engine)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
        self._pseudonym_key: bytes | None = None

    def create_schema(self) -> None:
        metadata.create_all(self.engine)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(feed_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def ping(self) -> bool:
        """Ready when the database answers a trivial query."""
        with self.read() as conn:
            conn.execute(text("SELECT 1"))
        return True

    def pseudonym_key(self) -> bytes:
        """The server secret behind every ``client_ref``, made once and kept in the store.

        Kept across rebuilds, so pseudonyms stay the same; rotating it gives every client a new
        ``client_ref`` for every employer.
        """
        if self._pseudonym_key is None:
            with self.read() as conn:
                value = conn.execute(select(feed_secrets.c.value).where(
                    feed_secrets.c.name == _PSEUDONYM_KEY)).scalar_one_or_none()
            if value is None:
                try:
                    with self.write() as conn:
                        conn.execute(insert(feed_secrets).values(
                            name=_PSEUDONYM_KEY, value=secrets.token_hex(32)))
                except IntegrityError:
                    pass  # another process made it first; read theirs
                with self.read() as conn:
                    value = conn.execute(select(feed_secrets.c.value).where(
                        feed_secrets.c.name == _PSEUDONYM_KEY)).scalar_one()
            self._pseudonym_key = bytes.fromhex(value)
        return self._pseudonym_key

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook issue BEGIN itself (the pysqlite recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("feed_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

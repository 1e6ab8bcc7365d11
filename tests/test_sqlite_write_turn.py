"""SQLite writers in one process queue for their turn in Python (app.db._WriteTurn): one
waits for another rather than failing, gets its turn back as soon as the other's
connection returns to the pool, and a wait longer than the busy timeout is a "database
unavailable" error like SQLite's own."""

import threading
import time

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app import db as app_db
from app.db import is_unavailable, make_engine, writer


@pytest.fixture
def file_engine(tmp_path) -> Engine:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE marks (who TEXT)"))
    yield engine
    engine.dispose()


def mark(engine: Engine, who: str) -> None:
    with Session(writer(engine)) as db:
        db.execute(text("INSERT INTO marks VALUES (:who)"), {"who": who})
        db.commit()


def marks(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT who FROM marks")).scalars())


def test_a_second_writer_waits_for_the_first_then_writes(file_engine):
    first = Session(writer(file_engine))
    first.execute(text("INSERT INTO marks VALUES ('first')"))  # holds the turn
    second = threading.Thread(target=mark, args=(file_engine, "second"))
    second.start()
    time.sleep(0.3)
    assert second.is_alive(), "the second writer waits while the first holds its turn"
    first.commit()  # the connection goes back to the pool: the turn passes on
    second.join(timeout=5)
    assert not second.is_alive()
    first.close()
    assert marks(file_engine) == ["first", "second"]


def test_the_turn_is_given_back_when_a_writer_fails(file_engine):
    with Session(writer(file_engine)) as failing, pytest.raises(OperationalError):
        failing.execute(text("INSERT INTO no_such_table VALUES (1)"))
    mark(file_engine, "after")  # would wait out the busy timeout if the turn were still held
    assert marks(file_engine) == ["after"]


def test_many_writers_at_once_all_write(file_engine):
    threads = [threading.Thread(target=mark, args=(file_engine, f"w{n}")) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(marks(file_engine)) == sorted(f"w{n}" for n in range(20))


def test_waiting_longer_than_the_busy_timeout_is_unavailable(file_engine, monkeypatch):
    monkeypatch.setattr(app_db, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    holder = Session(writer(file_engine))
    holder.execute(text("INSERT INTO marks VALUES ('holder')"))
    failed: list[BaseException] = []

    def late() -> None:
        try:
            mark(file_engine, "late")
        except OperationalError as error:
            failed.append(error)

    thread = threading.Thread(target=late)
    thread.start()
    thread.join(timeout=5)
    holder.commit()
    holder.close()
    [error] = failed
    assert is_unavailable(error), "answered as a 503 with a retry, like SQLite's own lock"
    assert marks(file_engine) == ["holder"]


def test_readers_do_not_wait_for_a_writers_turn(file_engine):
    holder = Session(writer(file_engine))
    holder.execute(text("INSERT INTO marks VALUES ('pending')"))
    with Session(file_engine) as reader:
        assert list(reader.execute(text("SELECT who FROM marks")).scalars()) == []
    holder.commit()
    holder.close()


def test_an_invalidated_connection_gives_its_turn_back(file_engine):
    holder = Session(writer(file_engine))
    holder.execute(text("INSERT INTO marks VALUES ('lost')"))
    holder.connection().invalidate()  # as when the database file fails underneath
    holder.close()
    mark(file_engine, "after")  # would wait out the busy timeout if the turn were still held
    assert marks(file_engine) == ["after"]

"""Which database errors mean "unavailable, try again" (a 503 with Retry-After, HTML for
pages and JSON for the API) and which are faults of ours (a generic 500, logged as one)."""

import sqlite3
from contextlib import closing
from types import SimpleNamespace

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from app.db import is_unavailable
from app.deps import get_db
from app.error_handlers import DATABASE_UNAVAILABLE
from app.learning import service as learning
from tests.accounts.conftest import takt_log

__all__ = ["takt_log"]  # a fixture


def wrapped(original: Exception, *, invalidated: bool = False) -> DBAPIError:
    error_class = OperationalError if isinstance(original, sqlite3.OperationalError) else None
    error_class = error_class or (
        ProgrammingError if isinstance(original, psycopg.ProgrammingError) else OperationalError
    )
    return error_class("SELECT 1", {}, original, connection_invalidated=invalidated)


def locked_error(tmp_path, sql: str) -> sqlite3.Error:  # type: ignore[no-untyped-def]
    """A real error from SQLite (its error name is set only on errors it raised) while
    another connection holds the file locked."""
    path = tmp_path / "locked.sqlite3"
    with (
        closing(sqlite3.connect(path)) as holder,
        closing(sqlite3.connect(path, timeout=0)) as other,
    ):
        holder.execute("CREATE TABLE IF NOT EXISTS t (x)")
        holder.commit()
        holder.execute("BEGIN EXCLUSIVE")
        try:
            other.execute(sql)
        except sqlite3.Error as error:
            return error
        finally:
            holder.rollback()
    raise AssertionError(f"{sql} did not fail")


class TestWhatCountsAsUnavailable:
    @pytest.mark.parametrize(
        "original",
        [
            psycopg.OperationalError("connection failed: Connection refused"),
            psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
            psycopg.errors.CannotConnectNow("the database system is starting up"),
            psycopg.errors.TooManyConnections("sorry, too many clients already"),
            psycopg.errors.ConnectionFailure("connection failure"),
            ConnectionRefusedError("connection refused"),
        ],
        ids=lambda e: type(e).__name__,
    )
    def test_a_lost_or_refused_connection_is_unavailable(self, original):
        assert is_unavailable(wrapped(original))

    def test_a_connection_sqlalchemy_found_dead_is_unavailable(self):
        assert is_unavailable(wrapped(psycopg.InterfaceError("closed"), invalidated=True))

    def test_an_exhausted_connection_pool_is_unavailable(self):
        assert is_unavailable(PoolTimeout("QueuePool limit of size 10 overflow 10 reached"))

    def test_a_sqlite_file_locked_past_the_busy_timeout_is_unavailable(self, tmp_path):
        locked = locked_error(tmp_path, "INSERT INTO t VALUES (1)")
        assert "locked" in str(locked)
        assert is_unavailable(wrapped(locked))  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "original",
        [
            psycopg.errors.SyntaxError("syntax error at or near SELEC"),
            psycopg.errors.UndefinedTable('relation "nothing" does not exist'),
            psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
            psycopg.errors.DiskFull("could not extend file"),
        ],
        ids=lambda e: type(e).__name__,
    )
    def test_a_fault_in_the_query_or_the_server_is_not(self, original):
        assert not is_unavailable(wrapped(original))

    def test_a_missing_sqlite_table_is_not(self, tmp_path):
        with (
            closing(sqlite3.connect(tmp_path / "empty.sqlite3")) as database,
            pytest.raises(sqlite3.OperationalError) as raised,
        ):
            database.execute("SELECT * FROM missing_table")
        missing = raised.value
        assert "no such table" in str(missing)
        assert not is_unavailable(wrapped(missing))  # type: ignore[arg-type]

    def test_other_exceptions_are_not(self):
        assert not is_unavailable(ValueError("connection refused"))


def failing(error: Exception):  # type: ignore[no-untyped-def]
    def fail(*args: object, **kwargs: object) -> object:
        raise error

    return fail


class TestTheResponses:
    def test_pages_answer_503_with_a_clear_page_and_retry_after(
        self, client, monkeypatch, takt_log
    ):
        lost = psycopg.OperationalError("server closed the connection unexpectedly")
        monkeypatch.setattr(learning, "list_courses", failing(wrapped(lost)))
        page = client.get("/")
        assert page.status_code == 503
        assert page.headers["content-type"].startswith("text/html")
        assert int(page.headers["retry-after"]) > 0
        assert "Temporarily unavailable" in page.text
        assert "cannot reach its database" in page.text
        assert "server closed" not in page.text and "Traceback" not in page.text
        [line] = [x for x in takt_log() if x["message"] == "database unavailable"]
        assert line["level"] == "warning"
        assert "server closed the connection" in str(line["error"])
        assert line["path"] == "/"

    @pytest.mark.parametrize("route_read_the_user", [True, False])
    def test_a_connection_lost_mid_transaction_still_gets_the_page_not_a_bare_500(
        self, signed_in, monkeypatch, route_read_the_user
    ):
        """The failed transaction is rolled back and the session is closed before the
        error is handled: the page must not reload the signed-in user. Read in the lookup's
        own transaction (ADR 0020) she is still in memory and named in the header; read
        again by the failed transaction she is expired, and the header shows nobody."""

        def lose_the_connection(db, user):  # type: ignore[no-untyped-def]
            if route_read_the_user:
                db.refresh(user)
            db.rollback()
            raise wrapped(psycopg.errors.AdminShutdown("terminating connection"))

        client = signed_in("ada")
        monkeypatch.setattr(learning, "list_courses", lose_the_connection)
        page = client.get("/")
        assert page.status_code == 503
        assert "cannot reach its database" in page.text
        assert ("Ada Lovelace" in page.text) is not route_read_the_user

    def test_the_api_answers_503_with_a_json_problem(self, client, monkeypatch):
        shutdown = psycopg.errors.AdminShutdown("terminating connection")
        monkeypatch.setattr(learning, "list_courses", failing(wrapped(shutdown)))
        response = client.get("/api/v1/courses")
        assert response.status_code == 503
        assert response.json() == {"error": "unavailable", "detail": DATABASE_UNAVAILABLE}
        assert int(response.headers["retry-after"]) > 0

    def test_a_database_error_that_is_our_fault_stays_a_500(self, client, monkeypatch, takt_log):
        broken = psycopg.errors.UndefinedColumn('column "nope" does not exist')
        monkeypatch.setattr(learning, "list_courses", failing(wrapped(broken)))
        page = client.get("/")
        assert page.status_code == 500
        assert "retry-after" not in page.headers
        assert "nope" not in page.text
        assert [x["message"] for x in takt_log()] == ["unexpected error"]
        api = client.get("/api/v1/courses")
        assert api.status_code == 500
        assert api.json()["error"] == "internal_error"


class TestClosingTheRequestsSession:
    """The session is closed after the response has started; a database gone by then
    must not cut the response off."""

    def close_with(self, monkeypatch, error: Exception) -> None:  # type: ignore[no-untyped-def]
        monkeypatch.setattr(Session, "close", failing(error))
        request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(engine=None)))
        request.method = "GET"
        dependency = get_db(request)  # type: ignore[arg-type]
        next(dependency)
        with pytest.raises(StopIteration):
            next(dependency)

    def test_a_lost_connection_is_logged_and_swallowed(self, monkeypatch, takt_log):
        lost = psycopg.errors.AdminShutdown("terminating connection due to administrator command")
        self.close_with(monkeypatch, wrapped(lost))
        [line] = takt_log()
        assert line["message"] == "database connection lost while closing a session"

    def test_any_other_error_is_raised(self, monkeypatch):
        broken = psycopg.errors.UndefinedTable('relation "x" does not exist')
        with pytest.raises(ProgrammingError):
            self.close_with(monkeypatch, wrapped(broken))

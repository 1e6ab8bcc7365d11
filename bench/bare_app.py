"""The baselines of the load benchmarks, served by bench/load.py with exactly the uvicorn
settings of the app under test.

`/`       a bare FastAPI "hello", no middleware, no database: the ratio of Takt's request
          rate to this one says what Takt's own work costs on this machine today.
`/floor`  the least any signed-in page can do on this stack: a plain `def` dependency that
          looks a session up by its key in SQLite, then a plain `def` route that answers a
          fixed page the size of the module page. No middleware, no ORM, no template.
          Its ratio to `/` is the most a signed-in page built this way could reach.
"""

import os
import sqlite3
import tempfile
import threading
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

# In the run's own folder when bench/load.py starts it (the same environment as Takt's).
FLOOR_DIR = Path(os.environ.get("TAKT_VAR_DIR") or tempfile.mkdtemp(prefix="takt-bench-"))
FLOOR_DATABASE = FLOOR_DIR / "floor-sessions.sqlite3"
FLOOR_PAGE = "<!doctype html><p>" + "x" * 51_000 + "</p>"  # the module page is ~51 kB
FLOOR_SESSION = "floor-session"

with sqlite3.connect(FLOOR_DATABASE) as setup:
    setup.execute("CREATE TABLE IF NOT EXISTS session (token TEXT PRIMARY KEY, user_id INTEGER)")
    setup.execute("INSERT OR REPLACE INTO session VALUES (?, 1)", (FLOOR_SESSION,))

_connections = threading.local()  # one connection per threadpool thread, kept

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/")
async def hello() -> PlainTextResponse:
    return PlainTextResponse("hello")


def session_user(request: Request) -> int | None:
    connection = getattr(_connections, "connection", None)
    if connection is None:
        connection = _connections.connection = sqlite3.connect(FLOOR_DATABASE)
    token = request.cookies.get("session", FLOOR_SESSION)
    row = connection.execute("SELECT user_id FROM session WHERE token = ?", (token,)).fetchone()
    return row[0] if row else None


@app.get("/floor")
def floor(user_id: Annotated[int | None, Depends(session_user)]) -> HTMLResponse:
    return HTMLResponse(FLOOR_PAGE, status_code=200 if user_id else 401)

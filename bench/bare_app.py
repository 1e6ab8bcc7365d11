"""The baseline of the load benchmarks: a bare FastAPI "hello", no middleware, no database.

Served by bench/load.py with exactly the uvicorn settings of the app under test, so the
ratio of the two request rates says what Takt's own work costs on this machine today.
"""

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/")
async def hello() -> PlainTextResponse:
    return PlainTextResponse("hello")

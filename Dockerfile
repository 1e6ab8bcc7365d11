# Production image: non-root, migrations and content sync once at start, then uvicorn workers.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    TAKT_ENV=production \
    TAKT_CONTENT_DIR=/srv/takt \
    TAKT_MIGRATIONS_DIR=/srv/takt/alembic \
    TAKT_VAR_DIR=/srv/takt/var

WORKDIR /srv/takt
RUN useradd --system --uid 10001 --home-dir /srv/takt takt

COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-compile .

COPY alembic ./alembic
COPY courses ./courses
COPY exercises ./exercises
RUN mkdir -p var && chown takt var

USER takt
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"

CMD ["takt", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--no-demo"]

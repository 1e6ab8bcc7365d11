"""The `takt` command: serve, migrate, check and sync content, manage users."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import ConfigurationError, Settings
from app.content.loader import load_content
from app.content.sync import SyncReport, sync_content
from app.db import make_engine, transaction
from app.errors import InvalidInput
from app.models import Role

cli = typer.Typer(
    help="Takt: Lean Six Sigma training platform.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_cli = typer.Typer(help="Database migrations.", no_args_is_help=True)
content_cli = typer.Typer(help="Course content in files.", no_args_is_help=True)
users_cli = typer.Typer(help="User accounts.", no_args_is_help=True)
credential_cli = typer.Typer(help="Open Badges credentials.", no_args_is_help=True)
reports_cli = typer.Typer(help="HR reporting figures.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(content_cli, name="content")
cli.add_typer(users_cli, name="users")
cli.add_typer(credential_cli, name="credential")
cli.add_typer(reports_cli, name="reports")

ContentDir = Annotated[
    Path | None,
    typer.Argument(help="Folder holding courses/ and exercises/ (default: TAKT_CONTENT_DIR)."),
]


@contextmanager
def _engine(settings: Settings) -> Iterator[Engine]:
    """An engine for one command, disposed afterwards so no connection outlives it."""
    engine = make_engine(settings.database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _database(settings: Settings) -> Iterator[Session]:
    """One transaction for one command: committed on success, rolled back on error."""
    with _engine(settings) as engine, transaction(engine) as db:
        yield db


def _settings() -> Settings:
    try:
        return Settings()
    except ConfigurationError as error:
        typer.secho(f"Configuration error: {error}", fg="red", err=True)
        raise typer.Exit(2) from error


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from app.migrations import upgrade

    settings = _settings()
    with _engine(settings) as engine:
        upgrade(engine, settings, revision)
    typer.echo(f"Database at {revision}.")


@db_cli.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' empties the database)."""
    from app.migrations import downgrade

    settings = _settings()
    with _engine(settings) as engine:
        downgrade(engine, settings, revision)
    typer.echo(f"Database at {revision}.")


@content_cli.command("check")
def content_check(content_dir: ContentDir = None) -> None:
    """Validate every course and module; print problems as path:line: message."""
    directory = content_dir or _settings().content_dir
    loaded = load_content(directory)
    for problem in loaded.problems:
        typer.echo(str(problem), err=True)
    modules = sum(len(c.modules) for c in loaded.courses)
    typer.echo(
        f"{len(loaded.courses)} course(s), {modules} module(s), "
        f"{len(loaded.exercises)} exercise(s), {len(loaded.problems)} problem(s)."
    )
    if loaded.problems:
        raise typer.Exit(1)


@content_cli.command("sync")
def content_sync(
    content_dir: ContentDir = None,
    overwrite_browser_edits: Annotated[
        bool,
        typer.Option(
            "--overwrite-browser-edits",
            help="Take the files' side where changes were published in the browser since "
            "the last sync (those versions stay in each item's history).",
        ),
    ] = False,
) -> None:
    """Load the content and write what is valid into the database (idempotent).

    Exits 1 if the files have problems, or if the files and the browser both changed an
    item since the last sync: then nothing is written, and the conflicts are listed.
    """
    settings = _settings()
    directory = content_dir or settings.content_dir
    report, loaded_cleanly = _sync(
        settings, directory, overwrite_browser_edits=overwrite_browser_edits
    )
    if report.conflicts or not loaded_cleanly:
        raise typer.Exit(1)


def _sync(
    settings: Settings, directory: Path, *, overwrite_browser_edits: bool = False
) -> tuple[SyncReport, bool]:
    """Sync and print what happened; the report, and whether the files had no problems."""
    loaded = load_content(directory)
    for problem in loaded.problems:
        typer.secho(str(problem), fg="yellow", err=True)
    with _database(settings) as db:
        report = sync_content(db, loaded, overwrite_browser_edits=overwrite_browser_edits)
    for edit in report.kept:
        typer.secho(
            f"Kept: {edit.describe()}. Run `takt content export` to bring it into the files.",
            fg="yellow",
            err=True,
        )
    for edit in report.overwritten:
        typer.secho(f"Overwritten by the files: {edit.describe()}.", fg="yellow", err=True)
    for warning in report.warnings:
        typer.secho(f"Warning: {warning}.", fg="yellow", err=True)
    for edit in report.conflicts:
        typer.secho(f"Conflict: {edit.describe()}.", fg="red", err=True)
    if report.conflicts:
        typer.secho(CONFLICT_ADVICE, fg="red", err=True)
    typer.echo(f"Content {'not ' if report.conflicts else ''}synced: {report.summary()}.")
    return report, not loaded.problems


CONFLICT_ADVICE = """\
Nothing was written: the files and the browser both changed the items above since the
last sync. To resolve, either
  - bring the browser's changes into your files: `takt content export DIR` (a new folder),
    `takt content sync DIR` to record them as synced, merge DIR's files into yours in git,
    then sync your files again; or
  - run `takt content sync --overwrite-browser-edits` to take the files' side (the
    browser's versions stay in each item's history and can be restored from there).
See "Round trip with git" in docs/authoring.md."""


@content_cli.command("export")
def content_export(
    directory: Annotated[Path, typer.Argument(help="Folder to write courses/ and exercises/ in.")],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a folder that is not empty, replacing its courses/ and exercises/.",
        ),
    ] = False,
) -> None:
    """Write the database's published content as files that `takt content sync` reads."""
    from app.content.export import ExportError, check_target, collect_content, write_tree

    settings = _settings()
    try:
        check_target(directory, force=force)
        with _database(settings) as db:
            exported = collect_content(db)
        write_tree(exported.files, directory)
    except (ExportError, OSError) as error:
        message = error.detail if isinstance(error, ExportError) else str(error)
        typer.secho(f"Nothing exported: {message}", fg="red", err=True)
        raise typer.Exit(1) from error
    for note in exported.notes:
        typer.secho(note, fg="yellow", err=True)
    typer.echo(f"Exported {exported.summary()} to {directory}.")
    problems = load_content(directory).problems
    if problems:
        for problem in problems:
            typer.secho(str(problem), fg="red", err=True)
        typer.secho(
            f"The exported files have {len(problems)} problem(s): fix them before syncing.",
            fg="red",
            err=True,
        )
        raise typer.Exit(1)


@cli.command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the backup.")],
) -> None:
    """Write a consistent copy of the database to FILE while the platform keeps running.

    SQLite: the online backup API, checked with SQLite's quick_check. PostgreSQL: pg_dump
    in its custom format (without owners), which must be on PATH.
    """
    from app.ops.backup import BackupError, backup

    settings = _settings()
    try:
        report = backup(settings.database_url, file)
    except BackupError as error:
        typer.secho(f"Nothing backed up: {error}", fg="red", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Backed up {report.summary()}.")


@cli.command("restore")
def restore_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A file made by `takt backup`.")
    ],
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Restore into a database that is not empty, replacing what it holds."
        ),
    ] = False,
) -> None:
    """Bring a backup back into an empty database (stop the platform first).

    PostgreSQL backups are restored with pg_restore, which must be on PATH.
    """
    from app.ops.backup import BackupError, restore

    settings = _settings()
    try:
        report = restore(settings.database_url, file, force=force)
    except BackupError as error:
        typer.secho(f"Nothing restored: {error}", fg="red", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Restored {report.summary()}.")


@cli.command("demo")
def demo(
    learners: Annotated[
        int,
        typer.Option(
            min=0,
            max=999_999,
            help="Also sync the content and build a synthetic organisation of this many "
            "learners with four years of learning (once per database).",
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="The synthetic organisation's seed.")] = 1,
) -> None:
    """Create the demo organisation and one account per role (safe to repeat)."""
    settings = _settings()
    if settings.is_production:
        typer.secho(
            "Refusing to create demo accounts with known passwords in production.",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    if learners:
        _sync(settings, settings.content_dir)
    _print_demo_logins(settings)
    if learners:
        _build_synthetic(settings, learners, seed)


def _print_demo_logins(settings: Settings) -> None:
    from app.accounts.demo import ensure_demo_accounts

    with _database(settings) as db:
        accounts = ensure_demo_accounts(db)
    typer.echo("Demo accounts (email / password):")
    for account in accounts:
        typer.echo(f"  {account.role.value:<10} {account.email:<30} {account.password}")


def _build_synthetic(settings: Settings, learners: int, seed: int) -> None:
    import time

    from app.errors import Conflict
    from app.reporting.synthetic import generate

    started = time.perf_counter()
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as db:
            report = generate(db, learners, seed=seed, progress=typer.echo)
    except Conflict as error:
        typer.secho(error.detail, fg="red", err=True)
        raise typer.Exit(1) from error
    finally:
        engine.dispose()
    for line in report.lines():
        typer.echo(line)
    typer.echo(f"Committed; {time.perf_counter() - started:.1f} s from start to finish.")


@cli.command("serve")
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64)] = 1,
    demo_accounts: Annotated[
        bool | None,
        typer.Option("--demo/--no-demo", help="Create demo accounts (default: not in production)."),
    ] = None,
) -> None:
    """Migrate the database and sync content once, then start the web server."""
    from app.migrations import upgrade

    settings = _settings()
    with _engine(settings) as engine:
        upgrade(engine, settings)
    report, _ = _sync(settings, settings.content_dir)
    if report.conflicts:
        typer.secho(
            "Serving the content as it is in the database until the conflicts are resolved.",
            fg="yellow",
            err=True,
        )
    if demo_accounts if demo_accounts is not None else not settings.is_production:
        _print_demo_logins(settings)
    typer.secho(
        f"Takt is running at http://{host}:{port}/  (Ctrl+C to stop)", fg="green", bold=True
    )
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=settings.is_production,
        log_level="warning",
    )


@users_cli.command("create")
def users_create(
    email: str,
    name: Annotated[str, typer.Option(prompt=True)],
    role: Annotated[Role, typer.Option()] = Role.learner,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create a user with a role."""
    from app.accounts.service import create_user

    settings = _settings()
    try:
        with _database(settings) as db:
            user = create_user(db, email=email, name=name, password=password, role=role)
    except InvalidInput as error:
        typer.secho(f"{error.field}: {error.detail}", fg="red", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Created {user.role} {user.email}.")


@users_cli.command("disable")
def users_disable(email: str) -> None:
    """Disable a user and end all their sessions."""
    _set_active(email, active=False)


@users_cli.command("enable")
def users_enable(email: str) -> None:
    """Allow a disabled user to sign in again."""
    _set_active(email, active=True)


@users_cli.command("import")
def users_import(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV: email,name,unit,role.")
    ],
    apply: Annotated[
        bool, typer.Option("--apply", help="Write the changes (default: only report them).")
    ] = False,
) -> None:
    """Create and update people (and their units) from a CSV file, all or nothing.

    Without --apply nothing is written: each row is reported as create, update, unchanged
    or error. Exits 1 if the file has any error, in which case --apply writes nothing.
    """
    from app.errors import TaktError
    from app.org import importer

    settings = _settings()
    with file.open("rb") as opened:
        data = opened.read(importer.MAX_BYTES + 1)
    try:
        with _database(settings) as db:
            plan = importer.plan_import(db, importer.decode(data))
            for problem in plan.file_errors:
                typer.secho(f"{file}: {problem}", fg="red", err=True)
            for row in plan.rows:
                details = f": {'; '.join(row.details)}" if row.details else ""
                line = f"row {row.row}: {row.email}: {row.action}{details}"
                typer.secho(line, fg="red" if row.action == "error" else None)
            counts = plan.counts
            summary = ", ".join(f"{counts[action]} {action}" for action in importer.Action)
            if plan.ok and apply:
                importer.apply_import(db, plan, None)
    except TaktError as error:
        typer.secho(f"{file}: {error.detail}", fg="red", err=True)
        raise typer.Exit(1) from error
    units_note = f"; {len(plan.new_units)} new unit(s)" if plan.new_units else ""
    if not plan.ok:
        typer.secho(f"Nothing imported: {summary}{units_note}.", fg="red", err=True)
        raise typer.Exit(1)
    done = "Imported" if apply else "Dry run (nothing written; use --apply to import)"
    typer.echo(f"{done}: {summary}{units_note}.")


def _set_active(email: str, active: bool) -> None:
    from app.accounts.service import find_by_email, set_active

    settings = _settings()
    with _database(settings) as db:
        user = find_by_email(db, email)
        if user is None:
            typer.secho(f"No user with email {email}.", fg="red", err=True)
            raise typer.Exit(1)
        set_active(db, user, active)
    typer.echo(f"{email} is now {'enabled' if active else 'disabled'}.")


@credential_cli.command("verify")
def credential_verify(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A .jwt credential.")],
    jwks_file: Annotated[
        Path | None,
        typer.Option("--jwks", help="The issuer's JWK set (default: this platform's key)."),
    ] = None,
) -> None:
    """Check a credential's signature and dates offline; exit 1 if it does not hold."""
    import json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from jwt.algorithms import OKPAlgorithm

    from app.certification import credentials

    if jwks_file:
        jwk = json.loads(jwks_file.read_text())["keys"][0]
        public = OKPAlgorithm.from_jwk(json.dumps(jwk))
        if not isinstance(public, Ed25519PublicKey):
            typer.secho("The JWK set holds no Ed25519 public key.", fg="red", err=True)
            raise typer.Exit(1)
    else:
        public = credentials.private_key(_settings().signing_key).public_key()
    try:
        claims = credentials.verify(file.read_text().strip(), public)
    except credentials.CredentialInvalid as error:
        typer.secho(f"Not valid: {error}", fg="red", err=True)
        raise typer.Exit(1) from error
    subject = claims["credentialSubject"]
    typer.echo(
        f"Valid: {subject['name']} holds “{subject['achievement']['name']}”, "
        f"issued by {claims['issuer']['name']} on {claims['validFrom'][:10]}."
    )


@reports_cli.command("rebuild")
def reports_rebuild(
    check: Annotated[
        bool, typer.Option("--check", help="Only report drift; change nothing.")
    ] = False,
) -> None:
    """Recompute the HR summary tables from the raw records and report any drift.

    With --check it changes nothing and exits 1 on drift, so a scheduled check can alert.
    """
    from app.reporting.rebuild import rebuild

    settings = _settings()
    with _database(settings) as db:
        report = rebuild(db, write=not check)
    typer.echo(
        f"Checked {report.standings} course standings, {report.tallies} unit tallies "
        f"and {report.units} units."
    )
    if not report.drifted:
        typer.echo("No drift: the stored figures match the records.")
        return
    typer.secho(
        f"Drift: {report.drifted_standings} standings, {report.drifted_tallies} tallies, "
        f"{report.drifted_headcounts} headcounts differed from the records"
        + ("." if check else "; all have been recomputed."),
        fg="yellow",
    )
    for line in report.examples:
        typer.echo(f"  {line}")
    if check:
        raise typer.Exit(1)


def main() -> None:
    cli()

"""Account operations. Services flush; the caller commits."""

from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.errors import InvalidInput, NotFound
from app.logs import get_logger, log_event
from app.models import ApiToken, Role, User
from app.models.base import utcnow
from app.org import units
from app.reporting import summaries
from app.security import passwords, sessions, throttle, tokens
from app.security.sessions import write_apart

API_TOKEN_PREFIX = "takt_"  # noqa: S105 - a public prefix that marks Takt tokens in logs and scanners
logger = get_logger("accounts")


def find_by_email(db: Session, email: str) -> User | None:
    return db.exec(select(User).where(User.email == email.strip().lower())).first()


def create_user(
    db: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: Role = Role.learner,
    org_unit_id: int | None = None,
) -> User:
    email = email.strip().lower()
    passwords.check_password_policy(password, email=email, name=name)
    # Hashed before the first statement: in a request that has not touched the database
    # yet, no transaction (on SQLite, no write lock) is held for the hash's milliseconds.
    password_hash = passwords.hash_password(password)
    if find_by_email(db, email):
        raise InvalidInput("An account with this email already exists.", field="email")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=password_hash,
        role=role,
        org_unit_id=org_unit_id if org_unit_id is not None else units.default_unit(db).id,
    )
    db.add(user)
    try:
        db.flush()
    except IntegrityError as error:  # two registrations racing for one email
        db.rollback()
        raise InvalidInput("An account with this email already exists.", field="email") from error
    summaries.person_added(db, user)
    return user


@dataclass(frozen=True)
class SignInOutcome:
    user: User | None

    @property
    def succeeded(self) -> bool:
        return self.user is not None


def authenticate(
    db: Session,
    user: User | None,
    email: str,
    password: str,
    client_ip: str,
    reservation: throttle.Reservation,
) -> SignInOutcome:
    """Check the password of `user` (found by `email`, or None), whose attempt the throttle
    has already counted (and the caller committed). Call it with no transaction open: the
    hash takes tens of milliseconds, and an open transaction on SQLite holds the write lock
    throughout. On success the attempt is withdrawn from the count."""
    valid, new_hash = passwords.verify_password(password, user.password_hash if user else None)
    if not valid or user is None or not user.is_active:
        log_event(logger, "sign-in failed", email=email, client_ip=client_ip)
        return SignInOutcome(None)
    if new_hash:
        user.password_hash = new_hash
        db.add(user)
    throttle.release_attempt(db, reservation)
    log_event(logger, "sign-in succeeded", user_id=user.id, client_ip=client_ip)
    return SignInOutcome(user)


def change_password(
    db: Session, user: User, current: str, new: str, keep_session_hash: str | None
) -> None:
    """Change the password and end every other session of this user."""
    valid, _ = passwords.verify_password(current, user.password_hash)
    if not valid:
        raise InvalidInput("The current password is not correct.", field="current_password")
    passwords.check_password_policy(new, email=user.email, name=user.name)
    user.password_hash = passwords.hash_password(new)
    db.add(user)
    sessions.end_all_sessions(db, user.id, except_hash=keep_session_hash)  # type: ignore[arg-type]


def set_password_by_admin(db: Session, admin: User, user: User, new: str) -> None:
    """An admin gives someone a password to start with (an imported person has none),
    or replaces a forgotten one. Every session of that person ends."""
    passwords.check_password_policy(new, email=user.email, name=user.name)
    user.password_hash = passwords.hash_password(new)
    db.add(user)
    sessions.end_all_sessions(db, user.id)  # type: ignore[arg-type]
    log_event(logger, "password set by an admin", user_id=user.id, admin_id=admin.id)


def set_active(db: Session, user: User, active: bool) -> None:
    """Disabling a user ends all their sessions and API access at once."""
    was_active = user.is_active
    user.is_active = active
    db.add(user)
    db.flush()
    summaries.person_active_changed(db, user, was_active)
    if not active:
        sessions.end_all_sessions(db, user.id)  # type: ignore[arg-type]


def create_api_token(db: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Return the stored token and its plain value, which is shown once and never again."""
    plain = API_TOKEN_PREFIX + tokens.new_token()
    token = ApiToken(
        user_id=user.id,  # type: ignore[arg-type]
        name=name,
        token_hash=tokens.digest(plain),
        prefix=plain[:12],
    )
    db.add(token)
    db.flush()
    return token, plain


def list_api_tokens(db: Session, user: User) -> list[ApiToken]:
    statement = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc())
    )
    return list(db.exec(statement))


def revoke_api_token(db: Session, user: User, token_id: int) -> None:
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound("No such API token.")
    token.revoked_at = utcnow()
    db.add(token)


# Built once: every API request runs it.
_TOKEN_AND_USER = (
    select(ApiToken, User)
    .join(User, col(User.id) == ApiToken.user_id)
    .where(col(ApiToken.token_hash) == bindparam("token_hash"), col(ApiToken.revoked_at).is_(None))
)


def user_for_api_token(db: Session, plain: str) -> User | None:
    row = db.exec(_TOKEN_AND_USER, params={"token_hash": tokens.digest(plain)}).first()
    if row is None or not row[1].is_active:
        return None
    token, user = row
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        write_apart(db, lambda: db.add(token))
    return user


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    page: int
    pages: int
    total: int


def list_users(db: Session, page: int, per_page: int, query: str = "") -> UserPage:
    statement = select(User)
    if query:
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            col(User.email).like(pattern) | func.lower(col(User.name)).like(pattern)
        )
    total = db.exec(select(func.count()).select_from(statement.subquery())).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.exec(
        statement.order_by(col(User.email)).offset((page - 1) * per_page).limit(per_page)
    )
    return UserPage(list(rows), page, pages, total)


def get_user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user

"""Domain errors with stable codes. The web and API layers map them to responses."""


class TaktError(Exception):
    code = "error"
    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(TaktError):
    code = "not_found"
    status = 404


class NotAuthenticated(TaktError):
    code = "not_authenticated"
    status = 401


class PermissionDenied(TaktError):
    code = "permission_denied"
    status = 403


class InvalidInput(TaktError):
    """Input that passed the schema but breaks a rule; `field` names what to fix."""

    code = "invalid_input"
    status = 422

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class Conflict(TaktError):
    code = "conflict"
    status = 409


class RateLimited(TaktError):
    code = "rate_limited"
    status = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class CsrfFailed(TaktError):
    code = "csrf_failed"
    status = 403


class AnswerInvalid(TaktError):
    """An answer that cannot be graded as given; `errors` maps each field to its problem."""

    code = "invalid_answer"
    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Some answers could not be read: " + "; ".join(errors.values()))
        self.errors = errors

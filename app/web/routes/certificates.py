"""Certificates for their holders and for HR in whose view they are (PDF, credential),
and for admins (list, revoke)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from app.certification import credentials, service
from app.certification.pdf import certificate_pdf
from app.deps import AdminUser, CurrentUser, SessionDep, SettingsDep
from app.errors import NotFound
from app.models import Certificate, Course, Role, User
from app.models.base import utcnow
from app.org.scope import certificate_in_scope, scope_of
from app.web.rendering import render

router = APIRouter()
PER_PAGE = 50


@router.get("/certificates/{certificate_id}.pdf")
def certificate_file(
    certificate_id: uuid.UUID, db: SessionDep, user: CurrentUser, settings: SettingsDep
) -> Response:
    certificate = _viewable(db, user, certificate_id)
    pdf = certificate_pdf(certificate, f"{settings.base_url.rstrip('/')}/verify/{certificate.code}")
    filename = f"takt-{certificate.belt}-belt-certificate.pdf"
    headers = {"content-disposition": f'attachment; filename="{filename}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


def _viewable(db: SessionDep, user: User, certificate_id: uuid.UUID) -> Certificate:
    """The holder's own certificate, any certificate for an admin (who lists and revokes
    them all, whether or not the holder is placed in a unit), or one whose holder is in
    an HR user's view."""
    if user.role not in (Role.hr, Role.admin):
        return service.get_own_certificate(db, user, certificate_id)
    certificate = db.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound("There is no such certificate.")
    if certificate.user_id != user.id and user.role != Role.admin:
        certificate_in_scope(db, scope_of(db, user), certificate)
    return certificate


@router.get("/admin/certificates")
def certificates_page(
    request: Request,
    db: SessionDep,
    admin: AdminUser,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    rows, total = service.list_certificates(db, PER_PAGE, (page - 1) * PER_PAGE, q)
    context = {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
        "q": q,
        "now": utcnow(),
    }
    return render(request, "certificates/admin.html", context)


@router.post("/admin/certificates/{certificate_id}/revoke")
def revoke(
    certificate_id: uuid.UUID,
    db: SessionDep,
    admin: AdminUser,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    service.revoke(db, admin, certificate_id, reason)
    db.commit()
    return RedirectResponse("/admin/certificates", status_code=303)


@router.get("/certificates/{certificate_id}.jwt")
def certificate_credential(
    certificate_id: uuid.UUID, db: SessionDep, user: CurrentUser, settings: SettingsDep
) -> Response:
    """The certificate as a signed Open Badges 3.0 credential, for wallets and HR systems."""
    certificate = _viewable(db, user, certificate_id)
    course = db.get(Course, certificate.course_id)
    assert course is not None  # a foreign key
    document = credentials.credential(certificate, course, settings.base_url)
    token = credentials.sign(document, credentials.private_key(settings.signing_key))
    filename = f"takt-{certificate.belt}-belt-credential.jwt"
    headers = {"content-disposition": f'attachment; filename="{filename}"'}
    return Response(token, media_type=credentials.MEDIA_TYPE, headers=headers)


@router.get("/.well-known/jwks.json", include_in_schema=False)
def public_keys(settings: SettingsDep) -> JSONResponse:
    """The key that verifies Takt's credentials, for anyone checking one offline."""
    public = credentials.private_key(settings.signing_key).public_key()
    return JSONResponse(credentials.jwks(public), headers={"cache-control": "public, max-age=3600"})

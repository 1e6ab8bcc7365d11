"""The certificate PDF for its holder, and revocation by an admin."""

import re
import zlib
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.models import Certificate, Course, User
from app.models.base import utcnow
from tests.conftest import post_form, sign_in


def pdf_text(data: bytes) -> bytes:
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    text = b""
    for stream in streams:
        try:
            text += zlib.decompress(stream)
        except zlib.error:
            text += stream
    return text


def test_the_holder_downloads_a_pdf_naming_them_and_the_verification_page(signed_in, certificate):
    response = signed_in("ada").get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert b"Ada Lovelace" in text
    assert f"/verify/{certificate.code}".encode() in text


def test_nobody_else_gets_the_pdf(certificate, new_client):
    ben = new_client()
    sign_in(ben, "ben")
    assert ben.get(f"/certificates/{certificate.id}.pdf").status_code == 404


@pytest.mark.parametrize("file", ["pdf", "jwt"])
def test_an_admin_gets_the_files_of_a_holder_placed_in_no_unit(certificate, cast, new_client, file):
    assert cast["ada"].org_unit_id is None  # no organisation imported: no HR scope covers her
    omar = new_client()
    sign_in(omar, "omar")
    assert omar.get(f"/certificates/{certificate.id}.{file}").status_code == 200
    hana = new_client()
    sign_in(hana, "hana")
    assert hana.get(f"/certificates/{certificate.id}.{file}").status_code == 404


def test_the_course_page_offers_the_pdf_to_its_holder(signed_in, certificate):
    assert (
        f"/certificates/{certificate.id}.pdf" in signed_in("ada").get("/courses/yellow-belt").text
    )


class TestRevoking:
    def test_an_admin_revokes_with_a_reason_and_verification_shows_it(
        self, certificate, new_client, db
    ):
        omar = new_client()
        sign_in(omar, "omar")
        response = post_form(
            omar,
            "/admin/certificates",
            f"/admin/certificates/{certificate.id}/revoke",
            {"reason": "Issued to the wrong account"},
        )
        assert response.status_code == 303
        stored = db.exec(select(Certificate).execution_options(populate_existing=True)).one()
        assert stored.revoked_reason == "Issued to the wrong account"
        assert "This certificate has been revoked" in omar.get(f"/verify/{certificate.code}").text

    def test_a_reason_is_required(self, certificate, new_client, db):
        omar = new_client()
        sign_in(omar, "omar")
        response = post_form(
            omar,
            "/admin/certificates",
            f"/admin/certificates/{certificate.id}/revoke",
            {"reason": " "},
        )
        assert response.status_code == 422
        assert db.exec(select(Certificate)).one().revoked_at is None

    @pytest.mark.parametrize("who", ["ada", "ines", "hana"])
    def test_only_admins_list_and_revoke(self, certificate, new_client, who):
        client = new_client()
        sign_in(client, who)
        assert client.get("/admin/certificates").status_code == 403


class TestTheAccountPage:
    def test_it_lists_the_learners_certificates_with_their_files(self, signed_in, certificate):
        page = signed_in("ada").get("/account").text
        assert "Your certificates" in page
        assert f"/verify/{certificate.code}" in page
        assert f"/certificates/{certificate.id}.pdf" in page

    def test_a_certificate_expiring_within_90_days_asks_for_recertification(
        self, signed_in, certificate, engine
    ):
        with Session(engine) as tx:
            stored = tx.get(Certificate, certificate.id)
            stored.expires_at = utcnow() + timedelta(days=30)
            tx.add(stored)
            tx.commit()
        assert "Expires soon: time to recertify" in signed_in("ada").get("/account").text

    def test_a_learner_without_certificates_is_told_how_to_earn_one(self, signed_in):
        assert "You have no certificates yet" in signed_in("ben").get("/account").text


def test_the_admin_list_pages_through_more_than_fifty_certificates(content, db, cast, new_client):
    course = db.exec(select(Course).where(Course.slug == "yellow-belt")).one()
    for n in range(51):
        learner = User(email=f"l{n}@example.com", name=f"Learner {n:02}", password_hash="x")
        db.add(learner)
        db.commit()
        db.add(
            Certificate(
                code=f"code-{n:04}-abcdefgh",
                user_id=learner.id,
                course_id=course.id,
                holder_name=learner.name,
                course_title=course.title,
                belt=course.belt,
            )
        )
    db.commit()
    omar = new_client()
    sign_in(omar, "omar")
    first = omar.get("/admin/certificates").text
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    assert "Learner" in omar.get("/admin/certificates?page=2").text

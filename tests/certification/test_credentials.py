"""Open Badges 3.0 credentials: signed by the platform, verifiable offline, tamper-evident."""

import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import select
from typer.testing import CliRunner

from app.certification import credentials
from app.cli import cli
from app.models import Course
from app.models.base import utcnow
from tests.conftest import TEST_SIGNING_KEY, sign_in

KEY = credentials.private_key(TEST_SIGNING_KEY)


@pytest.fixture
def document(certificate, db):
    course = db.exec(select(Course).where(Course.slug == "yellow-belt")).one()
    return credentials.credential(certificate, course, "https://academy.example")


def tamper(token: str, change) -> str:  # type: ignore[no-untyped-def]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(claims)
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


def test_the_credential_follows_open_badges_3(document):
    assert document["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["credentialSubject"]["name"] == "Ada Lovelace"
    assert document["credentialSubject"]["achievement"]["type"] == ["Achievement"]
    assert document["id"].startswith("https://academy.example/verify/")
    assert "validUntil" in document


def test_a_signed_credential_verifies_with_the_public_key(document):
    claims = credentials.verify(credentials.sign(document, KEY), KEY.public_key())
    assert claims["credentialSubject"]["achievement"]["name"] == "Lean Six Sigma Yellow Belt"


def test_a_tampered_credential_fails(document):
    token = credentials.sign(document, KEY)
    forged = tamper(token, lambda c: c["credentialSubject"].update(name="Mallory"))
    with pytest.raises(credentials.CredentialInvalid, match="signature does not match"):
        credentials.verify(forged, KEY.public_key())


def test_a_credential_signed_by_another_key_fails(document):
    token = credentials.sign(document, Ed25519PrivateKey.generate())
    with pytest.raises(credentials.CredentialInvalid, match="signature does not match"):
        credentials.verify(token, KEY.public_key())


def test_an_expired_credential_fails(certificate, db):
    certificate.issued_at = utcnow() - timedelta(days=800)
    certificate.expires_at = utcnow() - timedelta(days=1)
    course = db.exec(select(Course).where(Course.slug == "yellow-belt")).one()
    token = credentials.sign(credentials.credential(certificate, course, "https://a.example"), KEY)
    with pytest.raises(credentials.CredentialInvalid, match="expired"):
        credentials.verify(token, KEY.public_key())


def test_the_holder_downloads_it_and_anyone_can_check_it_with_the_published_key(
    signed_in,
    certificate,
    new_client,
    tmp_path,
):
    client = signed_in("ada")
    response = client.get(f"/certificates/{certificate.id}.jwt")
    assert response.headers["content-type"] == "application/vc+jwt"
    jwks = client.get("/.well-known/jwks.json").json()
    assert jwks["keys"][0]["kty"] == "OKP" and jwks["keys"][0]["crv"] == "Ed25519"
    credential_file = tmp_path / "credential.jwt"
    credential_file.write_text(response.text)
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(jwks))
    result = CliRunner().invoke(
        cli, ["credential", "verify", str(credential_file), "--jwks", str(jwks_file)]
    )
    assert result.exit_code == 0, result.output
    assert "Valid: Ada Lovelace holds “Lean Six Sigma Yellow Belt”" in result.output
    credential_file.write_text(
        tamper(response.text, lambda c: c.update(validFrom="2020-01-01T00:00:00Z"))
    )
    result = CliRunner().invoke(
        cli, ["credential", "verify", str(credential_file), "--jwks", str(jwks_file)]
    )
    assert result.exit_code == 1
    assert "Not valid" in result.output
    ben = new_client()
    sign_in(ben, "ben")
    assert ben.get(f"/certificates/{certificate.id}.jwt").status_code == 404

"""Open Badges 3.0: each certificate as an OpenBadgeCredential (W3C Verifiable Credentials
data model 2.0), secured as a VC-JWT signed with the platform's Ed25519 key (EdDSA).

The public key is published as a JWK set at /.well-known/jwks.json, so anyone can check a
credential offline: `takt credential verify FILE` does exactly that.
"""

import base64
import hashlib
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.models import Certificate, Course

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
MEDIA_TYPE = "application/vc+jwt"


class CredentialInvalid(ValueError):
    """The credential's signature, issuer or dates do not check out; the message says which."""


def private_key(pem: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("The signing key must be an Ed25519 private key.")
    return key


def key_id(public: Ed25519PublicKey) -> str:
    """A stable id for the key: a digest of its raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def jwks(public: Ed25519PublicKey) -> dict[str, Any]:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": x,
                "kid": key_id(public),
                "alg": "EdDSA",
                "use": "sig",
            }
        ]
    }


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def credential(certificate: Certificate, course: Course, base_url: str) -> dict[str, Any]:
    """The OpenBadgeCredential for a certificate, as a JSON-LD document."""
    base = base_url.rstrip("/")
    document: dict[str, Any] = {
        "@context": CONTEXTS,
        "id": f"{base}/verify/{certificate.code}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": base, "type": ["Profile"], "name": "Takt", "url": base},
        "validFrom": _iso(certificate.issued_at),
        "name": f"Lean Six Sigma {certificate.display_title}",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": certificate.holder_name,
            "achievement": {
                "id": f"{base}/courses/{course.slug}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": f"Lean Six Sigma {certificate.display_title}",
                "description": course.summary,
                "criteria": {
                    "narrative": "Completed every module of the course and passed its final exam."
                },
            },
        },
    }
    if certificate.expires_at:
        document["validUntil"] = _iso(certificate.expires_at)
    return document


def sign(document: dict[str, Any], key: Ed25519PrivateKey) -> str:
    """A compact JWS: the credential is the payload, with the JWT registered claims too."""
    claims = {**document, "iss": document["issuer"]["id"], "jti": document["id"]}
    claims["nbf"] = int(datetime.fromisoformat(document["validFrom"]).timestamp())
    if "validUntil" in document:
        claims["exp"] = int(datetime.fromisoformat(document["validUntil"]).timestamp())
    headers = {"typ": "vc+jwt", "kid": key_id(key.public_key())}
    return jwt.encode(claims, key, algorithm="EdDSA", headers=headers)


def verify(token: str, public: Ed25519PublicKey) -> dict[str, Any]:
    """The credential, if its signature, type and dates are valid; else CredentialInvalid."""
    try:
        claims = jwt.decode(
            token, public, algorithms=["EdDSA"], options={"require": ["iss", "jti", "nbf"]}
        )
    except jwt.ExpiredSignatureError as error:
        raise CredentialInvalid("The credential has expired.") from error
    except jwt.InvalidSignatureError as error:
        raise CredentialInvalid(
            "The signature does not match: the credential was changed or signed by another key."
        ) from error
    except jwt.PyJWTError as error:
        raise CredentialInvalid(f"Not a valid credential: {error}.") from error
    if "OpenBadgeCredential" not in claims.get("type", []):
        raise CredentialInvalid("This is not an Open Badges credential.")
    return claims

"""Password storage (argon2id with OWASP's parameters, re-hashed when they change) and the
password policy."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pwdlib.hashers.argon2 import Argon2Hasher

from app.errors import InvalidInput
from app.security import passwords
from app.security.passwords import check_password_policy, hash_password, verify_password
from tests.accounts.conftest import stored_user
from tests.conftest import person, post_form, sign_in

OWASP_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$"
COMMON = [
    line.strip()
    for line in (Path(passwords.__file__).with_name("common_passwords.txt"))
    .read_text()
    .splitlines()
    if line.strip() and not line.startswith("#")
]


class TestHashing:
    def test_hashes_are_argon2id_with_the_owasp_parameters(self):
        assert hash_password("correct horse battery").startswith(OWASP_PREFIX)

    def test_the_same_password_hashes_differently_each_time(self):
        assert hash_password("correct horse battery") != hash_password("correct horse battery")

    def test_a_hash_verifies_its_password_and_nothing_else(self):
        stored = hash_password("correct horse battery")
        assert verify_password("correct horse battery", stored) == (True, None)
        assert verify_password("correct horse battery ", stored) == (False, None)
        assert verify_password("Correct horse battery", stored) == (False, None)

    def test_the_cast_is_stored_with_the_owasp_parameters(self, cast):
        assert all(user.password_hash.startswith(OWASP_PREFIX) for user in cast.values())

    def test_an_unknown_account_still_costs_one_argon2_verification(
        self, client, cast, monkeypatch
    ):
        """Otherwise the response time would tell which emails have an account."""
        calls: list[str] = []
        real_verify = passwords._hasher.verify

        def counting_verify(password: str, stored: str) -> bool:
            calls.append(stored)
            return real_verify(password, stored)

        monkeypatch.setattr(passwords._hasher, "verify", counting_verify)
        response = post_form(
            client, "/sign-in", "/sign-in", {"email": "nobody@example.com", "password": "guess-1"}
        )
        assert response.status_code == 401
        assert len(calls) == 1
        assert calls[0].startswith(OWASP_PREFIX)


class TestRehashing:
    OLD = Argon2Hasher(time_cost=1, memory_cost=8192, parallelism=1)

    def test_a_hash_with_old_parameters_still_verifies_and_offers_a_new_one(self):
        old = self.OLD.hash("correct horse battery")
        assert old.startswith("$argon2id$v=19$m=8192,t=1,p=1$")
        valid, new_hash = verify_password("correct horse battery", old)
        assert valid
        assert new_hash is not None and new_hash.startswith(OWASP_PREFIX)
        assert verify_password("correct horse battery", new_hash) == (True, None)

    def test_signing_in_replaces_an_outdated_hash_with_the_owasp_one(
        self, client, db, engine, cast
    ):
        ada = cast["ada"]
        ada.password_hash = self.OLD.hash(person("ada").password)
        db.add(ada)
        db.commit()
        sign_in(client, "ada")
        stored = stored_user(engine, ada).password_hash
        assert stored.startswith(OWASP_PREFIX)
        assert verify_password(person("ada").password, stored) == (True, None)

    def test_a_failed_sign_in_leaves_an_outdated_hash_alone(self, client, db, engine, cast):
        ada = cast["ada"]
        old = self.OLD.hash(person("ada").password)
        ada.password_hash = old
        db.add(ada)
        db.commit()
        post_form(client, "/sign-in", "/sign-in", {"email": ada.email, "password": "wrong-one"})
        assert stored_user(engine, ada).password_hash == old


def refusal(password: str, **identity: str) -> str:
    with pytest.raises(InvalidInput) as refused:
        check_password_policy(password, **identity)
    assert refused.value.field == "password"
    return refused.value.detail


class TestThePolicy:
    def test_fewer_than_8_characters_are_refused(self):
        assert refusal("Tr0ub4d") == "Use at least 8 characters; 15 or more is better."

    @pytest.mark.parametrize("length", [8, 15, 64, 128])
    def test_8_to_128_characters_are_accepted(self, length):
        check_password_policy(("tr0ub4dor&3-" * 11)[:length])

    def test_more_than_128_characters_are_refused(self):
        assert refusal("x7" * 64 + "y") == "Use at most 128 characters."

    @pytest.mark.parametrize("common", COMMON)
    def test_every_password_on_the_shipped_common_list_is_refused(self, common):
        assert "commonly used" in refusal(common)

    def test_the_common_list_is_checked_whatever_the_case(self):
        assert "commonly used" in refusal("PassWord1")

    def test_a_password_containing_the_email_local_part_is_refused(self):
        detail = refusal("my-grace.hopper-2024", email="grace.hopper@example.com")
        assert detail == "The password must not contain your email or name."

    def test_the_local_part_is_found_whatever_the_case(self):
        assert refusal("GRACE.HOPPER rocks", email="grace.hopper@example.com")

    def test_a_password_equal_to_the_name_is_refused(self):
        assert refusal("grace hopper", email="g@example.com", name="Grace Hopper")

    def test_the_shipped_list_only_holds_passwords_the_length_rule_lets_through(self):
        """A shorter entry would be dead weight: the length rule refuses it first."""
        assert all(len(entry) >= 8 for entry in COMMON)
        assert len(COMMON) >= 100


EMAIL = "grace.hopper@example.com"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(password=st.text(min_size=8, max_size=64))
def test_any_8_to_64_character_password_that_is_not_common_or_personal_is_accepted_and_verifies(
    password: str,
):
    assume(password.lower() not in {entry.lower() for entry in COMMON})
    assume("grace.hopper" not in password.lower())
    assume(password.lower() != "grace hopper")
    check_password_policy(password, email=EMAIL, name="Grace Hopper")
    stored = hash_password(password)
    assert verify_password(password, stored) == (True, None)
    assert verify_password(password + "x", stored) == (False, None)


@pytest.mark.parametrize("stored", ["!", "", "$2b$12$notargon", "plain-text"])
def test_a_stored_value_that_is_not_an_argon2_hash_never_verifies_and_never_raises(stored):
    assert verify_password("anything at all", stored) == (False, None)
